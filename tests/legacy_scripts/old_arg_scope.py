# Batch normalization as 2017 books taught it, for tests/test_legacy_scripts.py: contrib
# layers under an arg_scope, batch_norm with updates_collections=None (moving averages
# updated in place), dropout with is_training, then a second net with batch_norm's
# default UPDATE_OPS run beside the train op. Run with --sample (no download).
from __future__ import print_function

import numpy as np
import tensorflow as tf
from tensorflow.contrib.framework import arg_scope
from tensorflow.contrib.layers import batch_norm, dropout, fully_connected
from tensorflow.examples.tutorials.mnist import input_data

mnist = input_data.read_data_sets("/tmp/data/")
tf.set_random_seed(42)

X = tf.placeholder(tf.float32, shape=(None, 784), name="X")
y = tf.placeholder(tf.int64, shape=(None), name="y")
is_training = tf.placeholder(tf.bool, shape=(), name="is_training")
keep_prob = 0.9
bn_params = {"is_training": is_training, "decay": 0.9, "updates_collections": None}

with arg_scope([fully_connected], normalizer_fn=batch_norm, normalizer_params=bn_params):
    hidden1 = fully_connected(X, 100, scope="hidden1")
    hidden1_drop = dropout(hidden1, keep_prob, is_training=is_training)
    hidden2 = fully_connected(hidden1_drop, 50, scope="hidden2")
    logits = fully_connected(hidden2, 10, activation_fn=None, scope="outputs")

xentropy = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits)
loss = tf.reduce_mean(xentropy)
training_op = tf.train.AdamOptimizer(0.01).minimize(loss)
accuracy = tf.reduce_mean(tf.cast(tf.nn.in_top_k(logits, y, 1), tf.float32))

with tf.variable_scope("second"):  # the default: updates in tf.GraphKeys.UPDATE_OPS
    net = tf.contrib.layers.fully_connected(X, 50, activation_fn=None)
    net = tf.nn.relu(batch_norm(net, is_training=is_training, scale=True))
    logits2 = tf.contrib.layers.linear(net, 10)
loss2 = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits2))
update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
with tf.control_dependencies(update_ops):
    training_op2 = tf.train.AdamOptimizer(0.01).minimize(loss2)
accuracy2 = tf.reduce_mean(tf.cast(tf.nn.in_top_k(logits2, y, 1), tf.float32))

moving_mean = [v for v in tf.global_variables() if v.op.name == "hidden1/BatchNorm/moving_mean"]
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for iteration in range(300):
        X_batch, y_batch = mnist.train.next_batch(50)
        sess.run([training_op, training_op2],
                 feed_dict={is_training: True, X: X_batch, y: y_batch})
    test = {is_training: False, X: mnist.test.images, y: mnist.test.labels}
    print("in place accuracy: %.3f" % sess.run(accuracy, feed_dict=test))
    print("update_ops accuracy: %.3f" % sess.run(accuracy2, feed_dict=test))
    print("update ops:", len(update_ops))
    print("moving mean moved:", bool(np.abs(sess.run(moving_mean[0])).sum() > 0))
