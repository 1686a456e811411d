"""
Exercise: learned_weights (lesson: multivariable_regression, about 15 minutes)

Task: write fit(train_X, train_Y, learning_rate, num_steps): build the lesson's model
y_hat = X w for inputs of any width n and outputs of any width m (read them from the
data's shapes), train it by full-batch gradient descent on the mean squared error
from w = 0 for num_steps steps, and return the learned w as a NumPy array of shape
(n, m). Run this file to compare it with the true W.

The placeholders get shapes [None, n] and [None, m]: the first dimension is left
open for the batch size, the second is fixed, and TensorFlow refuses a feed of the
wrong width. A Variable is fetched like any tensor: sess.run(w) returns its value.

Contract: the checker calls fit(train_X, train_Y, learning_rate, num_steps) with
float32 arrays of shapes (examples, n) and (examples, m) and expects an (n, m) array.
Check: python -m lessons.exercises check learned_weights [this_file.py]
"""
import numpy as np

from tfgraph import quiet

quiet.install()  # TensorFlow starts on first use, without its start-up messages
import tensorflow as tf  # noqa: E402

tf1 = tf.compat.v1


def todo(what):
    """A gap for you to fill: replace the call to todo(...) with your code."""
    raise NotImplementedError(what)


def fit(train_X, train_Y, learning_rate, num_steps):
    """The weights (n, m) that num_steps steps of gradient descent from zero learn for y = x w."""
    graph = tf.Graph()
    with graph.as_default():
        # TODO: placeholders X and Y with shapes [None, n] and [None, m], a Variable w of
        # zeros (n, m), the cost and a GradientDescentOptimizer step, as in the lesson.
        todo("build the lesson's graph with n and m taken from train_X and train_Y")
        init = tf1.global_variables_initializer()
    with tf1.Session(graph=graph) as sess:
        sess.run(init)
        # TODO: num_steps steps on all the data, then fetch w's value and return it.
        return todo("train num_steps steps, then return sess.run(w)")


def main():
    """Fit the lesson's data (n=5, m=8) and print the learned and the true weights' first row."""
    rng = np.random.RandomState(0)
    W = rng.rand(5, 8)
    train_X = rng.rand(100, 5).astype(np.float32)
    train_Y = (train_X.dot(W) + rng.randn(100, 8)).astype(np.float32)
    learned = fit(train_X, train_Y, 0.01, 1000)
    np.set_printoptions(precision=2, suppress=True)
    print("learned w, first row:", learned[0])
    print("true W, first row:   ", W[0])


if __name__ == "__main__":
    try:
        main()
    except NotImplementedError as gap:
        print(f"Not done yet: {gap}.")
