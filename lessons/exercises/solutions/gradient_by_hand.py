"""
Solution: gradient_by_hand (lesson: linear_regression)

tf.gradients adds the ops that compute d(cost)/dw and d(cost)/db; each assign_sub
reads the gradient computed in the same run, so both variables move from the same
starting point, exactly as the optimizer's ApplyGradientDescent ops do. The two
lines printed agree to the last digit shown.
"""
import numpy as np

from tfgraph import quiet

quiet.install()  # TensorFlow starts on first use, without its start-up messages
import tensorflow as tf  # noqa: E402

tf1 = tf.compat.v1


def gradient_step(cost, variables, learning_rate):
    """An op that moves each variable in `variables` by -learning_rate times the cost's gradient."""
    gradients = tf.gradients(cost, variables)
    updates = [variable.assign_sub(learning_rate * gradient) for variable, gradient in zip(variables, gradients)]
    return tf.group(*updates, name="gradient_step")


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
    main()
