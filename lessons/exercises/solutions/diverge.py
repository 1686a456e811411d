"""
Solution: diverge (lesson: logistic_regression)

ACCURACY_COLLAPSES_FIRST is False, which surprises most people. The cost grows in
proportion to the learning rate, yet the test accuracy hardly moves: the prediction
is the argmax of the logits, which does not change when all the weights are scaled
up, and softmax cross-entropy grows only linearly in logits that are confidently
wrong. Only when the logits overflow float32 (about 3.4e38) does the cost become
infinite or NaN, and check_cost stops the run with TrainingDiverged; here that
happens at a learning rate of about 1e36.
"""
from tfgraph import quiet

quiet.install()  # TensorFlow starts on first use, without its start-up messages
import tensorflow as tf  # noqa: E402
from tfgraph import mnist, training  # noqa: E402

tf1 = tf.compat.v1

ACCURACY_COLLAPSES_FIRST = False


def first_diverging_rate(train, start=1.0, factor=10.0, max_tries=40):
    """The first rate start * factor**k (k < max_tries) at which train(rate) raises TrainingDiverged, else None."""
    for k in range(max_tries):
        rate = start * factor ** k
        try:
            train(rate)
        except training.TrainingDiverged:  # only this: any other error is a real bug
            return rate
    return None


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
    main()
