"""
Exercise: pooling_size (lesson: cnn, about 15 minutes)

Task: write output_size(size, window, stride, padding): the width (or height) of
the result of a max pooling or a convolution with a square window, moved by
`stride`, over an input `size` wide, for padding "SAME" or "VALID". Then use it to
follow the lesson's CNN: 28 -> 14 -> 7 -> 4.

"VALID" uses only windows that fit entirely inside the input. "SAME" pads the
input with zeros just enough that every input position gets a window start when
stride is 1, and the output is the input size divided by the stride, rounded up
(which is why 7 becomes 4, not 3).

Contract: the checker calls output_size(size, window, stride, padding) with ints
and "SAME" or "VALID" and expects an int; it compares with the shapes TensorFlow
gives.
Check: python -m lessons.exercises check pooling_size [this_file.py]
"""
from tfgraph import quiet

quiet.install()  # TensorFlow starts on first use, without its start-up messages
import tensorflow as tf  # noqa: E402

def todo(what):
    """A gap for you to fill: replace the call to todo(...) with your code."""
    raise NotImplementedError(what)


def output_size(size, window, stride, padding):
    """The output width of a pooling or convolution over `size` inputs with `window`, `stride` and `padding`."""
    if padding == "SAME":
        # TODO: the input size divided by the stride, rounded up.
        return todo("the output size for 'SAME' padding")
    if padding == "VALID":
        # TODO: the number of window positions that fit entirely in the input.
        return todo("the output size for 'VALID' padding")
    raise ValueError(f"padding must be 'SAME' or 'VALID', not {padding!r}")


def main():
    """Follow the lesson's CNN through its three 2x2 poolings, next to the shapes TensorFlow's graph infers."""
    graph = tf.Graph()
    with graph.as_default():
        pooled = tf.compat.v1.placeholder(tf.float32, [None, 28, 28, 1])
        size = 28
        for block in (1, 2, 3):
            # The graph knows each op's output shape as soon as the op is built, before any run.
            pooled = tf.nn.max_pool2d(pooled, ksize=2, strides=2, padding="SAME")
            size = output_size(size, 2, 2, "SAME")
            print(f"after block {block}: yours {size} x {size}, TensorFlow's {pooled.shape[1]} x {pooled.shape[2]}")
    print(f"a 3x3 'VALID' convolution of a 28 x 28 image: {output_size(28, 3, 1, 'VALID')} wide")


if __name__ == "__main__":
    try:
        main()
    except NotImplementedError as gap:
        print(f"Not done yet: {gap}.")
