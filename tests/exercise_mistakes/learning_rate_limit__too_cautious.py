"""Mistake: stops searching far below the limit.

Expected hint: Look higher
"""
import numpy as np
import tensorflow as tf

from tfgraph import training

tf1 = tf.compat.v1

LARGEST_STABLE_RATE = 0.5


def final_cost(learning_rate, num_steps):
    rng = np.random.RandomState(0)
    train_X = np.linspace(-1, 1, 500).astype(np.float32)
    train_Y = (2 * train_X + rng.randn(500) * 0.35 + 2).astype(np.float32)
    graph = tf.Graph()
    with graph.as_default():
        w, b = tf.Variable(0.0), tf.Variable(0.0)
        cost = tf.reduce_mean(tf.square(train_Y - (train_X * w + b)))
        step = tf1.train.GradientDescentOptimizer(learning_rate).minimize(cost)
        init = tf1.global_variables_initializer()
    with tf1.Session(graph=graph) as sess:
        sess.run(init)
        for i in range(num_steps):
            _, value = sess.run([step, cost])
            training.check_cost(value, i, 0, i + 1)
        return float(sess.run(cost))
