"""Mistake: 'VALID' counts the moves of the window, not its positions.

Expected hint: count the window at position 0 too
"""


def output_size(size, window, stride, padding):
    if padding == "SAME":
        return -(-size // stride)
    return (size - window) // stride
