# The official fully_connected_feed.py's shape (2016), written afresh for
# tests/test_legacy_more.py: the tutorial's mnist model module, fake data with
# next_batch(batch_size, fake_data) by position, and a word2vec-0.11 nce_loss call
# with (weights, biases, inputs, labels).
from __future__ import print_function

import sys

import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data
from tensorflow.examples.tutorials.mnist import mnist

fake = sys.argv[1:] == ["fake"]
data_sets = input_data.read_data_sets("MNIST_data", fake_data=fake)

images_placeholder = tf.placeholder(tf.float32, shape=(50, mnist.IMAGE_PIXELS))
labels_placeholder = tf.placeholder(tf.int32, shape=(50,))
logits = mnist.inference(images_placeholder, 32, 16)
loss = mnist.loss(logits, labels_placeholder)
train_op = mnist.training(loss, 0.1)
eval_correct = mnist.evaluation(logits, labels_placeholder)

# word2vec of TensorFlow 0.11: nce_loss(weights, biases, inputs, labels, ...)
embeddings = tf.Variable(tf.random_uniform([20, 4], -1.0, 1.0))
train_inputs = tf.placeholder(tf.int32, shape=[8])
train_labels = tf.placeholder(tf.int32, shape=[8, 1])
embed = tf.nn.embedding_lookup(embeddings, train_inputs)
nce_weights = tf.Variable(tf.truncated_normal([20, 4], stddev=0.5))
nce_biases = tf.Variable(tf.zeros([20]))
nce = tf.reduce_mean(tf.nn.nce_loss(nce_weights, nce_biases, embed, train_labels, 5, 20))
nce_train = tf.train.GradientDescentOptimizer(0.5).minimize(nce)

with tf.Session() as sess:
    sess.run(tf.initialize_all_variables())
    first = data_sets.train.next_batch(50, fake)
    for step in range(300):
        images_feed, labels_feed = data_sets.train.next_batch(50, fake)
        sess.run(train_op, feed_dict={images_placeholder: images_feed,
                                      labels_placeholder: labels_feed})
    correct = 0
    for _ in range(data_sets.test.num_examples // 50 if not fake else 4):
        images_feed, labels_feed = data_sets.test.next_batch(50, fake)
        correct += sess.run(eval_correct, feed_dict={images_placeholder: images_feed,
                                                     labels_placeholder: labels_feed})
    total = data_sets.test.num_examples if not fake else 200
    print("test examples:", data_sets.test.num_examples)
    print("first label:", first[1][0], "image sum:", float(np.sum(first[0][0])))
    print("precision: %.3f" % (float(correct) / total))
    pairs = np.arange(8) % 20
    before = sess.run(nce, {train_inputs: pairs, train_labels: pairs[:, None]})
    for _ in range(200):
        sess.run(nce_train, {train_inputs: pairs, train_labels: pairs[:, None]})
    after = sess.run(nce, {train_inputs: pairs, train_labels: pairs[:, None]})
    print("nce fell:", after < before)
