"""
Exercise: add_bias (lesson: logistic_regression, about 10 minutes)

Task: give the lesson's logistic regression a bias. model(X) creates the weights
(784 x 10) and a bias vector b of 10 zeros, and returns the logits X w + b. Then run
this file: does accuracy improve?

The optimizer trains every trainable Variable the cost depends on, so the bias has
to be a tf.Variable; a tensor made with tf.zeros is a constant that no step can
change. One number per class, shape (10,), is added to every row of X w
(broadcasting).

Contract: the checker creates the placeholder X (?, 784), calls model(X) inside its
graph and expects the logits, a tensor of shape (?, 10).
Check: python -m lessons.exercises check add_bias [this_file.py]
"""
from tfgraph import quiet

quiet.install()  # TensorFlow starts on first use, without its start-up messages
import tensorflow as tf  # noqa: E402
from tfgraph import mnist, training  # noqa: E402

tf1 = tf.compat.v1


def todo(what):
    """A gap for you to fill: replace the call to todo(...) with your code."""
    raise NotImplementedError(what)


def model(X):
    """The logits X w + b for images X (?, 784), creating the weights w and the bias b."""
    w = tf.Variable(tf1.random_normal([784, 10], stddev=0.01), name="weights")
    # TODO: a bias Variable b of 10 zeros, added to the logits.
    return todo("make the bias b and return tf.matmul(X, w) + b")


def main():
    """Train one epoch on the shipped MNIST sample and print the test accuracy."""
    data = mnist.load_sample(one_hot=True)
    graph = tf.Graph()
    graph.seed = 0
    with graph.as_default():
        X = tf1.placeholder(tf.float32, [None, 784], name="X")
        Y = tf1.placeholder(tf.float32, [None, 10], name="Y")
        ops = training.classifier_ops(model(X), Y, tf1.train.GradientDescentOptimizer(0.05))
        init = tf1.global_variables_initializer()
    with tf1.Session(graph=graph) as sess:
        sess.run(init)
        for start in range(0, data.train.num_examples, 200):
            sess.run(ops.train_operation, feed_dict={X: data.train.images[start:start + 200],
                                                     Y: data.train.labels[start:start + 200]})
        accuracy = training.evaluate(sess, ops.accuracy_operation, X, Y, data.test.images, data.test.labels)
    print(f"Test accuracy after one epoch: {accuracy:.4f}")


if __name__ == "__main__":
    try:
        main()
    except NotImplementedError as gap:
        print(f"Not done yet: {gap}.")
