"""
Exercise: minibatches (lesson: multivariable_regression, about 10 minutes)

Task: write train_one_epoch(sess, train_operation, X, Y, train_X, train_Y,
batch_size): run train_operation once per minibatch, feeding consecutive slices
train_X[start:end] and train_Y[start:end], in order, so that every example is fed
exactly once. When the number of examples is not a multiple of batch_size, the
last batch is smaller: feed it too, do not drop it.

The lesson feeds all 100 examples at every step. Because its placeholders have
shape [None, n], the same graph accepts a batch of any size: only feed_dict changes.
Run this file to see the cost fall with batches of 10.

Contract: the checker calls train_one_epoch(...) with a Session and a graph of its
own (whose train_operation records what it was fed); the return value is ignored.
Check: python -m lessons.exercises check minibatches [this_file.py]
"""
import numpy as np

from tfgraph import quiet

quiet.install()  # TensorFlow starts on first use, without its start-up messages
import tensorflow as tf  # noqa: E402

tf1 = tf.compat.v1


def todo(what):
    """A gap for you to fill: replace the call to todo(...) with your code."""
    raise NotImplementedError(what)


def train_one_epoch(sess, train_operation, X, Y, train_X, train_Y, batch_size):
    """Run train_operation once per consecutive batch of batch_size examples, the last one possibly smaller."""
    # TODO: a loop over the start of each batch; feed X and Y the rows from start to start + batch_size.
    todo("run train_operation on each consecutive batch, feeding X and Y their slices")


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
    try:
        main()
    except NotImplementedError as gap:
        print(f"Not done yet: {gap}.")
