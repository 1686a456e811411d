"""
Exercise: learning_rate_limit (lesson: linear_regression, about 15 minutes)

Task: 1. finish final_cost(learning_rate, num_steps): train the lesson's line from
w = b = 0 and return the cost after num_steps steps, checking every step's cost
with tfgraph.training.check_cost so that a run whose cost turns NaN or infinite
stops with TrainingDiverged (the message the lessons print) instead of going on
with garbage. 2. Run this file with a few learning rates and find the largest one
at which the cost still falls; set LARGEST_STABLE_RATE to it (two decimals are
enough). What happens just above it?

Gradient descent is stable only while each step is small enough for the steepest
direction of the cost: past a certain rate each step overshoots the minimum by more
than it started from, and the cost grows exponentially until float32 overflows.

Contract: the checker calls final_cost(learning_rate, num_steps), expects a number
(or TrainingDiverged), and reads LARGEST_STABLE_RATE, a number.
Check: python -m lessons.exercises check learning_rate_limit [this_file.py]
"""
import sys

import numpy as np

from tfgraph import quiet

quiet.install()  # TensorFlow starts on first use, without its start-up messages
import tensorflow as tf  # noqa: E402
from tfgraph import training  # noqa: E402

tf1 = tf.compat.v1

# TODO: the largest learning rate at which the cost still falls (run this file to find it).
LARGEST_STABLE_RATE = None


def todo(what):
    """A gap for you to fill: replace the call to todo(...) with your code."""
    raise NotImplementedError(what)


def make_data(seed=0):
    """The lesson's 500 points around y = 2x + 2."""
    rng = np.random.RandomState(seed)
    train_X = np.linspace(-1, 1, 500)
    train_Y = 2 * train_X + rng.randn(500) * 0.35 + 2
    return train_X.astype(np.float32), train_Y.astype(np.float32)


def final_cost(learning_rate, num_steps):
    """The cost after num_steps steps of gradient descent from w = b = 0; raises TrainingDiverged on NaN."""
    train_X, train_Y = make_data()
    graph = tf.Graph()
    with graph.as_default():
        X = tf1.placeholder(tf.float32, name="X")
        Y = tf1.placeholder(tf.float32, name="Y")
        w = tf.Variable(0.0, name="weights")
        b = tf.Variable(0.0, name="bias")
        cost = tf.reduce_mean(tf.square(Y - (X * w + b)))
        train_operation = tf1.train.GradientDescentOptimizer(learning_rate).minimize(cost)
        init = tf1.global_variables_initializer()
    with tf1.Session(graph=graph) as sess:
        sess.run(init)
        feed = {X: train_X, Y: train_Y}
        # TODO: num_steps training steps; after each, fetch the cost and pass it to
        # training.check_cost(cost, step, 0, (step + 1) * len(train_X)).
        todo("train num_steps steps, checking each cost with training.check_cost")
        return float(sess.run(cost, feed_dict=feed))


def main(rates):
    """Print the final cost for each learning rate given on the command line."""
    for rate in rates:
        try:
            print(f"learning rate {rate:g}: cost after 300 steps {final_cost(rate, 300):.6f}")
        except training.TrainingDiverged as diverged:
            print(f"learning rate {rate:g}: {diverged}")


if __name__ == "__main__":
    try:
        main([float(arg) for arg in sys.argv[1:]] or [0.01, 0.1, 0.5])
    except NotImplementedError as gap:
        print(f"Not done yet: {gap}.")
