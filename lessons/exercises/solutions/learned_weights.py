"""
Solution: learned_weights (lesson: multivariable_regression)

n and m come from the data, so the same function fits any width. After the lesson's
1000 steps at 0.01 the learned weights are still some way from the true W: the cost
has not converged (and with 100 noisy examples, even the best fit differs from W).
"""
import numpy as np

from tfgraph import quiet

quiet.install()  # TensorFlow starts on first use, without its start-up messages
import tensorflow as tf  # noqa: E402

tf1 = tf.compat.v1


def fit(train_X, train_Y, learning_rate, num_steps):
    """The weights (n, m) that num_steps steps of gradient descent from zero learn for y = x w."""
    graph = tf.Graph()
    with graph.as_default():
        n, m = train_X.shape[1], train_Y.shape[1]
        X = tf1.placeholder(tf.float32, shape=[None, n], name="X")  # (?, n)
        Y = tf1.placeholder(tf.float32, shape=[None, m], name="Y")  # (?, m)
        w = tf.Variable(tf.zeros([n, m]), name="weights")  # (n, m)
        cost = tf.reduce_mean(tf.square(Y - tf.matmul(X, w)))
        train_operation = tf1.train.GradientDescentOptimizer(learning_rate).minimize(cost)
        init = tf1.global_variables_initializer()
    with tf1.Session(graph=graph) as sess:
        sess.run(init)
        for _ in range(num_steps):
            sess.run(train_operation, feed_dict={X: train_X, Y: train_Y})
        return sess.run(w)


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
    main()
