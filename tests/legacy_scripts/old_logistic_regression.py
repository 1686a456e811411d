# Logistic regression on MNIST written as in TensorFlow 0.x (late 2016), run by
# tests/test_legacy.py with python -m tfgraph.legacy --sample (the shipped sample).
# Usage: old_logistic_regression.py [steps]
from __future__ import print_function

import sys

import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

steps = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
data = input_data.read_data_sets("MNIST_data/", one_hot=True)

images = tf.placeholder("float", [None, 784])
digits = tf.placeholder("float", [None, 10])
weights = tf.Variable(tf.zeros([784, 10]))
bias = tf.Variable(tf.zeros([10]))
scores = tf.matmul(images, weights) + bias

cross_entropy = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(scores, digits))
learn = tf.train.GradientDescentOptimizer(0.5).minimize(cross_entropy)
hits = tf.equal(tf.arg_max(scores, 1), tf.arg_max(digits, 1))
accuracy = tf.reduce_mean(tf.to_float(hits))

sess = tf.Session()
sess.run(tf.initialize_all_variables())
for i in range(steps):
    batch_images, batch_digits = data.train.next_batch(100)
    sess.run(learn, feed_dict={images: batch_images, digits: batch_digits})
    if i % 200 == 0:
        print("step %d, validation accuracy %.3f" % (i, sess.run(
            accuracy, feed_dict={images: data.validation.images, digits: data.validation.labels})))
print("Final accuracy was %.4f" % sess.run(
    accuracy, feed_dict={images: data.test.images, digits: data.test.labels}))
