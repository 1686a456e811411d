"""
Solution: pooling_size (lesson: cnn)

'SAME': ceil(size / stride), whatever the window (the padding adapts to it).
'VALID': a window starting at position p fits when p + window <= size, and the
starts are 0, stride, 2 stride, ...: (size - window) // stride + 1 of them. The
lesson's blocks give 28 -> 14 -> 7 -> 4; a 3x3 'VALID' convolution gives 26.
"""
from tfgraph import quiet

quiet.install()  # TensorFlow starts on first use, without its start-up messages
import tensorflow as tf  # noqa: E402

def output_size(size, window, stride, padding):
    """The output width of a pooling or convolution over `size` inputs with `window`, `stride` and `padding`."""
    if padding == "SAME":
        return -(-size // stride)  # ceil(size / stride) in whole numbers
    if padding == "VALID":
        return (size - window) // stride + 1  # window starts 0, stride, ..., up to size - window
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
    main()
