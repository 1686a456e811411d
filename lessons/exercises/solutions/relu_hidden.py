"""
Solution: relu_hidden (lesson: fully_connected)

ReLU wins by far: about 0.85 test accuracy after one epoch on the sample, against
about 0.27 for sigmoid. With tiny starting weights every hidden input is near 0, and
sigmoid(0) = 0.5 for every unit and every image: the hidden layer hands the output
layer nearly the same vector whatever the digit, and the gradient reaching W_h is
shrunk by sigmoid's slope (at most 0.25) and by the tiny W_o. ReLU passes the small
differences between images through unchanged (slope 1 for positive inputs), so the
output layer has something to learn from at once. Over 50 epochs on full MNIST the
sigmoid network catches up; ReLU mainly buys a fast start and deeper networks.
"""
from tfgraph import quiet

quiet.install()  # TensorFlow starts on first use, without its start-up messages
import tensorflow as tf  # noqa: E402
from tfgraph import mnist, training  # noqa: E402

tf1 = tf.compat.v1

FASTER_IN_FIRST_EPOCH = "relu"


def sigmoid_model(X, W_h, W_o):
    """The lesson's network: sigmoid hidden units, then the logits."""
    return tf.matmul(tf.nn.sigmoid(tf.matmul(X, W_h)), W_o)


def model(X, W_h, W_o):
    """The lesson's network with ReLU hidden units: the logits relu(X W_h) W_o."""
    return tf.matmul(tf.nn.relu(tf.matmul(X, W_h)), W_o)


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
    main()
