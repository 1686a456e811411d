# A small convolutional network on MNIST written as in TensorFlow 0.x (late 2016):
# two blocks of 5x5 convolutions and 2x2 max pooling, a dense layer with dropout
# (tf.nn.dropout's second argument is the KEEP probability), then ten logits.
# Run by tests/test_legacy.py with python -m tfgraph.legacy --sample.
# Usage: old_cnn.py [steps]
from __future__ import print_function

import sys

import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

steps = int(sys.argv[1]) if len(sys.argv) > 1 else 400
tf.set_random_seed(1)
mnist = input_data.read_data_sets("MNIST_data/", one_hot=True, reshape=False)


def weight(shape):
    return tf.Variable(tf.truncated_normal(shape, stddev=0.1))


def bias(size):
    return tf.Variable(tf.constant(0.1, shape=[size]))


def block(inputs, filters):
    activated = tf.nn.relu(tf.nn.conv2d(inputs, filters, strides=[1, 1, 1, 1], padding="SAME"))
    return tf.nn.max_pool(activated, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")


x = tf.placeholder("float", [None, 28, 28, 1])
y = tf.placeholder("float", [None, 10])
keep = tf.placeholder("float")

pooled1 = block(x, weight([5, 5, 1, 8]))          # (?, 14, 14, 8)
pooled2 = block(pooled1, weight([5, 5, 8, 16]))   # (?, 7, 7, 16)
flat = tf.reshape(pooled2, [-1, 7 * 7 * 16])
hidden = tf.nn.relu(tf.matmul(flat, weight([7 * 7 * 16, 64])) + bias(64))
logits = tf.matmul(tf.nn.dropout(hidden, keep), weight([64, 10])) + bias(10)

loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits, y))
train = tf.train.AdamOptimizer(1e-3).minimize(loss)
correct = tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1))
accuracy = tf.reduce_mean(tf.cast(correct, "float"))

with tf.Session() as sess:
    sess.run(tf.initialize_all_variables())
    for i in range(steps):
        batch = mnist.train.next_batch(50)
        train.run(feed_dict={x: batch[0], y: batch[1], keep: 0.5})
        if i % 100 == 0:
            print("step %d, training accuracy %g" % (i, accuracy.eval(
                feed_dict={x: batch[0], y: batch[1], keep: 1.0})))
    print("Final accuracy was %.4f" % accuracy.eval(
        feed_dict={x: mnist.test.images, y: mnist.test.labels, keep: 1.0}))
