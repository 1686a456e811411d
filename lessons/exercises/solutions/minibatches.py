"""
Solution: minibatches (lesson: multivariable_regression)

range(0, n, batch_size) gives each batch's first row, including the start of a
last, shorter batch; slicing past the end of an array stops at its last row. With
batches of 10 the model takes ten steps per epoch instead of one, so its cost falls
faster per epoch; the curve is a little noisier, because each step sees only a tenth
of the data.
"""
import numpy as np

from tfgraph import quiet

quiet.install()  # TensorFlow starts on first use, without its start-up messages
import tensorflow as tf  # noqa: E402

tf1 = tf.compat.v1


def train_one_epoch(sess, train_operation, X, Y, train_X, train_Y, batch_size):
    """Run train_operation once per consecutive batch of batch_size examples, the last one possibly smaller."""
    for start in range(0, len(train_X), batch_size):
        end = start + batch_size  # past the end is fine: a slice stops at the last row
        sess.run(train_operation, feed_dict={X: train_X[start:end], Y: train_Y[start:end]})


def main():
    """The lesson's model trained for 20 epochs in batches of 10; print the cost after each few."""
    rng = np.random.RandomState(0)
    W = rng.rand(5, 8)
    train_X = rng.rand(100, 5).astype(np.float32)
    train_Y = (train_X.dot(W) + rng.randn(100, 8)).astype(np.float32)
    graph = tf.Graph()
    with graph.as_default():
        X = tf1.placeholder(tf.float32, shape=[None, 5], name="X")
        Y = tf1.placeholder(tf.float32, shape=[None, 8], name="Y")
        w = tf.Variable(tf.zeros([5, 8]), name="weights")
        cost = tf.reduce_mean(tf.square(Y - tf.matmul(X, w)))
        train_operation = tf1.train.GradientDescentOptimizer(0.01).minimize(cost)
        init = tf1.global_variables_initializer()
    with tf1.Session(graph=graph) as sess:
        sess.run(init)
        for epoch in range(1, 21):
            train_one_epoch(sess, train_operation, X, Y, train_X, train_Y, batch_size=10)
            if epoch % 5 == 0:
                print(f"epoch {epoch}: cost {sess.run(cost, feed_dict={X: train_X, Y: train_Y}):.4f}")


if __name__ == "__main__":
    main()
