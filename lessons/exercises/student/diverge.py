"""
Exercise: diverge (lesson: logistic_regression, about 15 minutes)

Task: 1. write first_diverging_rate(train, start, factor, max_tries): try the
learning rates start, start * factor, start * factor**2, ... (at most max_tries of
them) and return the first at which train(rate) raises
tfgraph.training.TrainingDiverged, or None if none does. Catch that exception only:
any other error is a bug and must not be mistaken for divergence. 2. Run this file:
it prints the cost and test accuracy for growing learning rates, then the first
rate at which the cost is no longer a number, and the message the lessons print
then. Set ACCURACY_COLLAPSES_FIRST to True if the test accuracy drops below 0.5 at
some rate where the cost is still finite, or to False if it does not.

train() below is the lesson's model and loop on the shipped sample, for 50 steps. It
checks every step's cost with training.check_cost, which raises TrainingDiverged
when the cost is NaN or infinite.

Contract: the checker calls first_diverging_rate(train, start, factor, max_tries)
with train functions of its own, and reads ACCURACY_COLLAPSES_FIRST (True or False).
Check: python -m lessons.exercises check diverge [this_file.py]
"""
from tfgraph import quiet

quiet.install()  # TensorFlow starts on first use, without its start-up messages
import tensorflow as tf  # noqa: E402
from tfgraph import mnist, training  # noqa: E402

tf1 = tf.compat.v1

# TODO: True or False: does accuracy fall below 0.5 while the cost is still finite? (Run this file.)
ACCURACY_COLLAPSES_FIRST = None


def todo(what):
    """A gap for you to fill: replace the call to todo(...) with your code."""
    raise NotImplementedError(what)


def first_diverging_rate(train, start=1.0, factor=10.0, max_tries=40):
    """The first rate start * factor**k (k < max_tries) at which train(rate) raises TrainingDiverged, else None."""
    # TODO: a loop over the rates; call train(rate) inside try/except training.TrainingDiverged.
    return todo("try growing rates until train raises TrainingDiverged")


def train(learning_rate, num_steps=50, batch_size=200):
    """(cost, test accuracy) after num_steps steps of the lesson's model; TrainingDiverged if the cost overflows."""
    data = mnist.load_sample(one_hot=True)
    graph = tf.Graph()
    graph.seed = 0
    with graph.as_default():
        X = tf1.placeholder(tf.float32, shape=[None, 784], name="X")
        Y = tf1.placeholder(tf.float32, shape=[None, 10], name="Y")
        w = tf.Variable(tf1.random_normal([784, 10], stddev=0.01), name="weights")
        ops = training.classifier_ops(tf.matmul(X, w), Y, tf1.train.GradientDescentOptimizer(learning_rate))
        init = tf1.global_variables_initializer()
    with tf1.Session(graph=graph) as sess:
        sess.run(init)
        for step in range(num_steps):
            start = step * batch_size % data.train.num_examples
            _, cost = sess.run([ops.train_operation, ops.total_cost],
                               feed_dict={X: data.train.images[start:start + batch_size],
                                          Y: data.train.labels[start:start + batch_size]})
            training.check_cost(cost, 0, step, (step + 1) * batch_size)
        accuracy = training.evaluate(sess, ops.accuracy_operation, X, Y, data.test.images, data.test.labels)
    return float(cost), accuracy


def main():
    """Print cost and accuracy at growing rates, then where the cost overflows and the message then."""
    for rate in (0.05, 1.0, 1e3, 1e6, 1e12, 1e24, 1e30):
        cost, accuracy = train(rate)
        print(f"learning rate {rate:8.0e}: cost {cost:10.4g}, test accuracy {accuracy:.3f}")
    rate = first_diverging_rate(train, start=1e30)
    if rate is None:
        print("No learning rate from 1e30 on made the cost overflow.")
        return
    print(f"The cost first overflowed at a learning rate of {rate:.0e}:")
    try:
        train(rate)
    except training.TrainingDiverged as diverged:
        print(diverged)


if __name__ == "__main__":
    try:
        main()
    except NotImplementedError as gap:
        print(f"Not done yet: {gap}.")
