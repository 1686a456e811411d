"""
Exercise: relu_hidden (lesson: fully_connected, about 10 minutes)

Task: 1. write model(X, W_h, W_o): the lesson's network with ReLU hidden units
instead of sigmoid ones, returning the logits relu(X W_h) W_o. 2. Run this file: it
trains the lesson's sigmoid network and yours for one epoch on the shipped sample
and prints their test accuracy. Set FASTER_IN_FIRST_EPOCH to "relu" or "sigmoid".
Then think about why.

Hint for the why: the weights start tiny (N(0, 0.01^2)), so every hidden unit's
input starts near 0. What are sigmoid(0) and its slope there, and relu's?

Contract: the checker creates X (?, 784) and the weights itself and calls
model(X, W_h, W_o) inside its graph; it expects the logits (?, 10). It reads
FASTER_IN_FIRST_EPOCH, "relu" or "sigmoid".
Check: python -m lessons.exercises check relu_hidden [this_file.py]
"""
from tfgraph import quiet

quiet.install()  # TensorFlow starts on first use, without its start-up messages
import tensorflow as tf  # noqa: E402
from tfgraph import mnist, training  # noqa: E402

tf1 = tf.compat.v1

# TODO: "relu" or "sigmoid": which network has the higher test accuracy after one epoch? (Run this file.)
FASTER_IN_FIRST_EPOCH = None


def todo(what):
    """A gap for you to fill: replace the call to todo(...) with your code."""
    raise NotImplementedError(what)


def sigmoid_model(X, W_h, W_o):
    """The lesson's network: sigmoid hidden units, then the logits."""
    return tf.matmul(tf.nn.sigmoid(tf.matmul(X, W_h)), W_o)


def model(X, W_h, W_o):
    """The lesson's network with ReLU hidden units: the logits relu(X W_h) W_o."""
    # TODO: as sigmoid_model, with tf.nn.relu for the hidden layer.
    return todo("compute the logits relu(X W_h) W_o")


def first_epoch_accuracy(make_model, num_hidden=620, learning_rate=0.2, batch_size=50):
    """Test accuracy after one epoch on the shipped sample, as the lesson trains (without shuffling)."""
    data = mnist.load_sample(one_hot=True)
    graph = tf.Graph()
    graph.seed = 0
    with graph.as_default():
        X = tf1.placeholder(tf.float32, [None, 784], name="X")
        Y = tf1.placeholder(tf.float32, [None, 10], name="Y")
        W_h = training.init_weights([784, num_hidden], name="W_h")
        W_o = training.init_weights([num_hidden, 10], name="W_o")
        ops = training.classifier_ops(make_model(X, W_h, W_o), Y, tf1.train.GradientDescentOptimizer(learning_rate))
        init = tf1.global_variables_initializer()
    with tf1.Session(graph=graph) as sess:
        sess.run(init)
        for start in range(0, data.train.num_examples, batch_size):
            sess.run(ops.train_operation, feed_dict={X: data.train.images[start:start + batch_size],
                                                     Y: data.train.labels[start:start + batch_size]})
        return training.evaluate(sess, ops.accuracy_operation, X, Y, data.test.images, data.test.labels)


def main():
    """Print both networks' test accuracy after one epoch."""
    print(f"sigmoid: {first_epoch_accuracy(sigmoid_model):.3f}")
    print(f"relu:    {first_epoch_accuracy(model):.3f}")


if __name__ == "__main__":
    try:
        main()
    except NotImplementedError as gap:
        print(f"Not done yet: {gap}.")
