"""
Exercise: gradient_by_hand (lesson: linear_regression, about 15 minutes)

Task: write gradient descent's step yourself. gradient_step(cost, variables,
learning_rate) returns an op that moves every variable one step downhill:
    v  <-  v - learning_rate * d(cost)/dv
Use tf.gradients(cost, variables) for the derivatives and v.assign_sub(...) for
the update; tf.group(...) bundles several ops into one. Do not use an optimizer:
the point is to see what `GradientDescentOptimizer(lr).minimize(cost)` adds to
the graph. Run this file to compare your step with the optimizer's.

tf.gradients adds ops to the graph that compute the derivatives; nothing is
computed until a Session runs them, and they are recomputed at every run from the
variables' current values.

Contract: the checker builds the lesson's graph (w, b, the cost) and calls
gradient_step(cost, [w, b], learning_rate) inside it; it expects something
Session.run accepts (an op, a tensor, or a list of them).
Check: python -m lessons.exercises check gradient_by_hand [this_file.py]
"""
import numpy as np

from tfgraph import quiet

quiet.install()  # TensorFlow starts on first use, without its start-up messages
import tensorflow as tf  # noqa: E402

tf1 = tf.compat.v1


def todo(what):
    """A gap for you to fill: replace the call to todo(...) with your code."""
    raise NotImplementedError(what)


def gradient_step(cost, variables, learning_rate):
    """An op that moves each variable in `variables` by -learning_rate times the cost's gradient."""
    # TODO: the gradients of cost with respect to the variables (tf.gradients).
    gradients = todo("compute the gradients with tf.gradients(cost, variables)")
    # TODO: one assign_sub per variable, grouped into a single op.
    return todo("return an op that subtracts learning_rate * gradient from each variable")


def build(step, learning_rate=0.01):
    """The lesson's linear regression; `step(cost, [w, b], learning_rate)` makes its training op."""
    graph = tf.Graph()
    with graph.as_default():
        X = tf1.placeholder(tf.float32, name="X")
        Y = tf1.placeholder(tf.float32, name="Y")
        w = tf.Variable(0.0, name="weights")
        b = tf.Variable(0.0, name="bias")
        cost = tf.reduce_mean(tf.square(Y - (X * w + b)))
        train_operation = step(cost, [w, b], learning_rate)
        init = tf1.global_variables_initializer()
    return graph, X, Y, w, b, train_operation, init


def optimizer_step(cost, variables, learning_rate):
    """The lesson's way: the optimizer's op."""
    return tf1.train.GradientDescentOptimizer(learning_rate).minimize(cost, var_list=variables)


def main():
    """Train 200 steps with your step and with the optimizer's; print both lines."""
    rng = np.random.RandomState(0)
    train_X = np.linspace(-1, 1, 500).astype(np.float32)
    train_Y = (2 * train_X + rng.randn(500) * 0.35 + 2).astype(np.float32)
    for name, step in (("yours", gradient_step), ("optimizer", optimizer_step)):
        graph, X, Y, w, b, train_operation, init = build(step)
        with tf1.Session(graph=graph) as sess:
            sess.run(init)
            for _ in range(200):
                sess.run(train_operation, feed_dict={X: train_X, Y: train_Y})
            print(f"{name:>9}: y = {sess.run(w):.4f} x + {sess.run(b):.4f}")


if __name__ == "__main__":
    try:
        main()
    except NotImplementedError as gap:
        print(f"Not done yet: {gap}.")
