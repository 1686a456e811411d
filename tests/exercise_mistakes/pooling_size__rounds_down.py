"""Mistake: 'SAME' divides and rounds down.

Expected hint: 'SAME' rounds up
"""


def output_size(size, window, stride, padding):
    if padding == "SAME":
        return size // stride
    return (size - window) // stride + 1
