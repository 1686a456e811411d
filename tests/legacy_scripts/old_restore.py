# Save a model, then restore it from its meta graph and read the weights back by their
# tensor names, as 2017 tutorials did, for tests/test_legacy_scripts.py:
#   python -m tfgraph.legacy old_restore.py FOLDER
# writes FOLDER/model.ckpt* and FOLDER/fetched.npz (the weights fetched by name).
from __future__ import print_function

import os
import sys

import numpy as np
import tensorflow as tf

folder = sys.argv[1]
checkpoint = os.path.join(folder, "model.ckpt")
rng = np.random.RandomState(0)
data_x = rng.rand(100, 3).astype(np.float32)
data_y = data_x.dot([[1.0], [-2.0], [0.5]]) + 0.3

X = tf.placeholder(tf.float32, [None, 3], name="X")
y = tf.placeholder(tf.float32, [None, 1], name="y")
hidden = tf.layers.dense(X, 4, activation=tf.nn.relu, name="hidden1")
theta = tf.Variable(tf.random_uniform([4, 1], -1.0, 1.0), name="theta")
prediction = tf.matmul(hidden, theta, name="prediction")
mse = tf.reduce_mean(tf.square(prediction - y), name="mse")
training_op = tf.train.GradientDescentOptimizer(0.1).minimize(mse)
saver = tf.train.Saver()

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for epoch in range(50):
        sess.run(training_op, feed_dict={X: data_x, y: data_y})
    saved_path = saver.save(sess, checkpoint)

tf.reset_default_graph()
with tf.Session() as sess:
    saver = tf.train.import_meta_graph(checkpoint + ".meta")
    saver.restore(sess, saved_path)
    graph = tf.get_default_graph()
    kernel = graph.get_tensor_by_name("hidden1/kernel:0")
    theta_value = sess.run("theta:0")
    kernel_value, bias_value = sess.run([kernel, "hidden1/bias:0"])
    total = sess.run(tf.reduce_sum(kernel))  # the fetched tensor works in new ops too
    mse_value = sess.run("mse:0", feed_dict={"X:0": data_x, "y:0": data_y})
    print("kernel:", kernel_value.dtype, kernel_value.shape)
    print("theta:", theta_value.dtype, theta_value.shape)
    print("sum matches:", bool(np.isclose(total, kernel_value.sum())))
    print("mse: %.4f" % mse_value)
    np.savez(os.path.join(folder, "fetched.npz"), kernel=kernel_value, bias=bias_value,
             theta=theta_value)
