"""
Solution: learning_rate_limit (lesson: linear_regression)

LARGEST_STABLE_RATE is 1.0 (anything from about 0.91 to 1.0 passes). The cost is
mean((y - w x - b)^2); its curvature is 2 mean(x^2) = 0.67 along w and 2 along b
(x is centred, so the two do not mix). Gradient descent multiplies the error along
a direction by (1 - rate * curvature) each step, which shrinks only while
rate < 2 / curvature: 3.0 for w, 1.0 for b. At 1.0 exactly, b's error flips sign
each step without shrinking while w still converges, so the cost still falls (to
about 4, not to the 0.12 below 1.0). Above 1.0 b's error grows every step: at 1.01
by 2% (the cost is near 600,000 after 300 steps and overflows float32 after about
2,000), at 1.1 by 20%, and the cost becomes infinite within 300 steps: check_cost
stops the run with TrainingDiverged.
"""
import sys

import numpy as np

from tfgraph import quiet

quiet.install()  # TensorFlow starts on first use, without its start-up messages
import tensorflow as tf  # noqa: E402
from tfgraph import training  # noqa: E402

tf1 = tf.compat.v1

LARGEST_STABLE_RATE = 1.0


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
        for step in range(num_steps):
            _, step_cost = sess.run([train_operation, cost], feed_dict=feed)
            training.check_cost(step_cost, step, 0, (step + 1) * len(train_X))
        return float(sess.run(cost, feed_dict=feed))


def main(rates):
    """Print the final cost for each learning rate given on the command line."""
    for rate in rates:
        try:
            print(f"learning rate {rate:g}: cost after 300 steps {final_cost(rate, 300):.6f}")
        except training.TrainingDiverged as diverged:
            print(f"learning rate {rate:g}: {diverged}")


if __name__ == "__main__":
    main([float(arg) for arg in sys.argv[1:]] or [0.01, 0.1, 0.5, 0.99, 1.0, 1.01, 1.1])
