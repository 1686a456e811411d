"""
Solution: fourth_block (lesson: cnn)

The third block's output is 4 x 4 x 128; the fourth convolution keeps 4 x 4 and
makes 256 channels, and its pooling halves 4 to 2: (2, 2, 256), which flattens to
1,024 values per image, half the lesson's 2,048. The new filters hold
3 x 3 x 128 x 256 = 294,912 weights, but the dense layer's shrink by
(2,048 - 1,024) x 625 = 640,000, so the network gets smaller.
"""
import numpy as np

from tfgraph import quiet

quiet.install()  # TensorFlow starts on first use, without its start-up messages
import tensorflow as tf  # noqa: E402
from tfgraph import training  # noqa: E402

tf1 = tf.compat.v1

FOURTH_BLOCK_SHAPE = (2, 2, 256)


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
    l4 = conv_block(l3, training.init_weights([3, 3, 128, 256]), keep_conv)  # (?, 2, 2, 256)
    flat_size = 2 * 2 * 256  # 1024: 4 halves to 2 exactly
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
    main()
