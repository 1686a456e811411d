"""
Exercise: fourth_block (lesson: cnn, about 20 minutes)

Task: 1. work out, on paper first, the shape of the output of a fourth convolution
block of 256 3x3 filters added after the lesson's third (its pooled output, per
image: height, width, channels) and set FOURTH_BLOCK_SHAPE to it. 2. Add the block
to model_gen below and change the dense layer's weights to the new flattened size.
Run this file to see the shapes TensorFlow infers.

Each block keeps the width and height through its convolution ('SAME', stride 1) and
halves them, rounding up, through its 2x2 max pooling; the number of channels is the
number of filters. The lesson goes 28 -> 14 -> 7 -> 4 with 32, 64, 128 channels.
The dense layer's weights must match the flattened size exactly, or the reshape
fails when the graph runs.

Contract: the checker creates X (?, 28, 28, 1) and the keep-probability placeholders
and calls model_gen(X, keep_conv, keep_hidden) inside its graph; it expects the
logits (?, 10). It reads FOURTH_BLOCK_SHAPE, a tuple (height, width, channels).
Check: python -m lessons.exercises check fourth_block [this_file.py]
"""
import numpy as np

from tfgraph import quiet

quiet.install()  # TensorFlow starts on first use, without its start-up messages
import tensorflow as tf  # noqa: E402
from tfgraph import training  # noqa: E402

tf1 = tf.compat.v1

# TODO: (height, width, channels) of the fourth block's pooled output, worked out by hand.
FOURTH_BLOCK_SHAPE = None


def todo(what):
    """A gap for you to fill: replace the call to todo(...) with your code."""
    raise NotImplementedError(what)


def conv_block(inputs, filters, keep_rate):
    """The lesson's block: 3x3 convolution, ReLU, 2x2 max pooling, dropout."""
    convolved = tf.nn.relu(tf.nn.conv2d(inputs, filters, strides=[1, 1, 1, 1], padding="SAME"))
    pooled = tf.nn.max_pool2d(convolved, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
    return tf.nn.dropout(pooled, rate=1 - keep_rate)


def model_gen(X, keep_conv, keep_hidden, num_hidden=625):
    """The lesson's CNN with a fourth block of 256 filters, creating its own weights; returns the logits."""
    l1 = conv_block(X, training.init_weights([3, 3, 1, 32]), keep_conv)  # (?, 14, 14, 32)
    l2 = conv_block(l1, training.init_weights([3, 3, 32, 64]), keep_conv)  # (?, 7, 7, 64)
    l3 = conv_block(l2, training.init_weights([3, 3, 64, 128]), keep_conv)  # (?, 4, 4, 128)
    # TODO: a fourth block of 256 3x3 filters over l3's 128 channels.
    l4 = todo("add the fourth block: conv_block over l3 with 256 filters of 3x3 (what shape are they?)")
    # TODO: the number of values per image in l4, once flattened.
    flat_size = todo("the flattened size of l4 (height x width x channels)")
    flat = tf.reshape(l4, [-1, flat_size])
    dense = tf.nn.dropout(tf.nn.relu(tf.matmul(flat, training.init_weights([flat_size, num_hidden]))),
                          rate=1 - keep_hidden)
    return tf.matmul(dense, training.init_weights([num_hidden, 10]))


def main():
    """Build the model, print the pooled shape of each block, and run it on two random images."""
    graph = tf.Graph()
    with graph.as_default():
        X = tf1.placeholder(tf.float32, [None, 28, 28, 1], name="X")
        keep_conv = tf1.placeholder(tf.float32, name="keep_conv")
        keep_hidden = tf1.placeholder(tf.float32, name="keep_hidden")
        logits = model_gen(X, keep_conv, keep_hidden)
        init = tf1.global_variables_initializer()
    pools = [op.outputs[0].shape for op in graph.get_operations() if op.type == "MaxPool"]
    for number, shape in enumerate(pools, start=1):
        print(f"block {number} pooled: {shape}")
    print(f"your FOURTH_BLOCK_SHAPE: {FOURTH_BLOCK_SHAPE}")
    with tf1.Session(graph=graph) as sess:
        sess.run(init)
        images = np.random.RandomState(0).rand(2, 28, 28, 1)
        print("logits:", sess.run(logits, feed_dict={X: images, keep_conv: 1.0, keep_hidden: 1.0}).shape)


if __name__ == "__main__":
    try:
        main()
    except NotImplementedError as gap:
        print(f"Not done yet: {gap}.")
