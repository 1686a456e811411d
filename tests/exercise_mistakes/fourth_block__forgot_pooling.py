"""Mistake: forgets that the block's pooling halves 4 to 2, so the dense layer expects 4 x 4 x 256 values.

Expected hint: that is the convolution's output
"""
import tensorflow as tf

from tfgraph import training

FOURTH_BLOCK_SHAPE = (4, 4, 256)


def conv_block(inputs, filters, keep_rate):
    convolved = tf.nn.relu(tf.nn.conv2d(inputs, filters, strides=[1, 1, 1, 1], padding="SAME"))
    pooled = tf.nn.max_pool2d(convolved, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
    return tf.nn.dropout(pooled, rate=1 - keep_rate)


def model_gen(X, keep_conv, keep_hidden, num_hidden=625):
    layer = X
    for shape in ([3, 3, 1, 32], [3, 3, 32, 64], [3, 3, 64, 128], [3, 3, 128, 256]):
        layer = conv_block(layer, training.init_weights(shape), keep_conv)
    flat = tf.reshape(layer, [-1, 4 * 4 * 256])
    dense = tf.nn.dropout(tf.nn.relu(tf.matmul(flat, training.init_weights([4 * 4 * 256, num_hidden]))),
                          rate=1 - keep_hidden)
    return tf.matmul(dense, training.init_weights([num_hidden, 10]))
