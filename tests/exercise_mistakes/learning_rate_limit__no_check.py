"""Mistake: trains without check_cost, so a diverging run returns NaN instead of stopping.

Expected hint: Pass each step's cost to training.check_cost
"""
import numpy as np
import tensorflow as tf

tf1 = tf.compat.v1

LARGEST_STABLE_RATE = 0.99


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
        for _ in range(num_steps):
            sess.run(step)
        return float(sess.run(cost))
