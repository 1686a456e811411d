"""Checks for the fully connected lesson's exercises: relu_hidden, count_parameters and batched_accuracy."""
import numpy as np
import tensorflow as tf

from lessons.exercises.checkers import close, kind, mnist_sample, new_graph, number, session, show, tensor
from lessons.exercises.grader.checks import check, expect, reference
from tfgraph import training

tf1 = tf.compat.v1


# --- relu_hidden -------------------------------------------------------------------------

def relu_logits(submission):
    """(student's logits, ReLU reference, sigmoid reference) for random inputs and weights of the checker's."""
    def run():
        rng = np.random.RandomState(4)
        images = rng.rand(6, 784).astype(np.float32)
        W_h = rng.randn(784, 20).astype(np.float32) * 0.1  # large enough that many hidden inputs are negative
        W_o = rng.randn(20, 10).astype(np.float32)
        graph = new_graph()
        with graph.as_default():
            X = tf1.placeholder(tf.float32, [None, 784], name="X")
            weights = tf.constant(W_h, name="W_h"), tf.constant(W_o, name="W_o")
        shipped = submission.send(graph)
        logits = submission.function("model")(shipped[X], *(shipped[weight] for weight in weights))
        tensor(logits, "model(X, W_h, W_o)", shipped.graph)
        expect(logits.compatible((None, 10)),
               f"model(X, W_h, W_o) should return logits of shape (?, 10), but they have shape {logits.shape}.")
        got = np.asarray(submission.session(shipped.graph).run(logits, feed_dict={shipped[X]: images}))
        hidden = images.dot(W_h)
        return got, np.maximum(hidden, 0).dot(W_o), (1 / (1 + np.exp(-hidden))).dot(W_o)
    return submission.memo("logits", run)


@check("relu_hidden", "model(X, W_h, W_o) returns logits of shape (?, 10)")
def relu_shape(submission):
    relu_logits(submission)


@check("relu_hidden", "it computes relu(X W_h) W_o")
def relu_values(submission):
    got, relu, sigmoid = relu_logits(submission)
    expect(not close(got, sigmoid, rtol=1e-4, atol=1e-4), "Your model computes sigmoid(X W_h) W_o: the lesson's "
                                                          "network. Swap tf.nn.sigmoid for tf.nn.relu.")
    expect(close(got, relu, rtol=1e-4, atol=1e-4), f"For the checker's inputs and weights your logits (first image: "
                                                   f"{show(got[0] if got.ndim else got)}) are not relu(X W_h) W_o. "
                                                   f"ReLU goes on the hidden layer only, not on the logits.")


@reference("relu_hidden", [("relu",), ("sigmoid",)])
def first_epoch_accuracy(activation):
    """Test accuracy after one epoch on the sample of the lesson's network with `activation`."""
    data = mnist_sample()
    graph = new_graph()
    with graph.as_default():
        X = tf1.placeholder(tf.float32, [None, 784])
        Y = tf1.placeholder(tf.float32, [None, 10])
        W_h, W_o = training.init_weights([784, 620]), training.init_weights([620, 10])
        hidden = {"relu": tf.nn.relu, "sigmoid": tf.nn.sigmoid}[activation](tf.matmul(X, W_h))
        ops = training.classifier_ops(tf.matmul(hidden, W_o), Y, tf1.train.GradientDescentOptimizer(0.2))
        init = tf1.global_variables_initializer()
    with session(graph) as sess:
        sess.run(init)
        for start in range(0, data.train.num_examples, 50):
            sess.run(ops.train_operation, {X: data.train.images[start:start + 50],
                                           Y: data.train.labels[start:start + 50]})
        return float(training.evaluate(sess, ops.accuracy_operation, X, Y, data.test.images, data.test.labels))


@check("relu_hidden", "FASTER_IN_FIRST_EPOCH agrees with one epoch of training on the sample")
def faster(submission):
    answer = submission.constant("FASTER_IN_FIRST_EPOCH", '"relu" or "sigmoid", after running this file')
    expect(answer in ("relu", "sigmoid"), f'FASTER_IN_FIRST_EPOCH should be "relu" or "sigmoid", not {kind(answer)}'
                                          f'{"" if not isinstance(answer, str) else " " + repr(answer[:40])}.')
    want = "relu" if first_epoch_accuracy("relu") > first_epoch_accuracy("sigmoid") else "sigmoid"
    expect(answer == want, f"FASTER_IN_FIRST_EPOCH = {answer!r} does not agree with one epoch of training on the "
                           f"sample (learning rate 0.2, batches of 50). Run this file and compare the two test "
                           f"accuracies it prints.")


# --- count_parameters --------------------------------------------------------------------

def network(optimizer, num_hidden=620, step_counter=False):
    """The lesson's network trained by `optimizer`, optionally with a non-trainable step counter."""
    graph = new_graph()
    with graph.as_default():
        X = tf1.placeholder(tf.float32, [None, 784])
        Y = tf1.placeholder(tf.float32, [None, 10])
        W_h, W_o = training.init_weights([784, num_hidden]), training.init_weights([num_hidden, 10])
        logits = tf.matmul(tf.nn.sigmoid(tf.matmul(X, W_h)), W_o)
        if step_counter:
            tf.Variable(0, trainable=False, name="global_step")
        training.classifier_ops(logits, Y, optimizer)
    return graph


def count(submission, graph, description, want):
    got = submission.function("count_parameters")(submission.send(graph).graph)
    expect(isinstance(got, (int, np.integer)) and not isinstance(got, bool),
           f"count_parameters should return an int, but it returned {kind(got)}.")
    variables = graph.get_collection(tf1.GraphKeys.GLOBAL_VARIABLES)
    every = sum(variable.shape.num_elements() for variable in variables)
    trainable = len(graph.get_collection(tf1.GraphKeys.TRAINABLE_VARIABLES))
    expect(got != trainable or want == trainable,
           f"For {description} you counted {got}: the number of trainable Variables. Count the numbers inside "
           f"them: a Variable of shape (784, 620) holds 784 x 620 of them.")
    expect(got != every or want == every,
           f"For {description} you counted {got:,}: the numbers in every Variable in the graph, including the "
           f"optimizer's slot variables (or a step counter). Use the trainable ones only (TRAINABLE_VARIABLES).")
    expect(got == want, f"For {description} you counted {got:,}, which is not the number of numbers the optimizer "
                        f"trains.")


@check("count_parameters", "counts the parameters of the lesson's network trained by gradient descent")
def counts_plain(submission):
    count(submission, network(tf1.train.GradientDescentOptimizer(0.2)), "the lesson's network", 784 * 620 + 6200)


@check("count_parameters", "leaves out RMSProp's slot variables and a non-trainable step counter")
def counts_rmsprop(submission):
    graph = network(tf1.train.RMSPropOptimizer(0.001, 0.9), num_hidden=100, step_counter=True)
    count(submission, graph, "a network of 100 hidden units trained by RMSProp", 784 * 100 + 1000)


# --- batched_accuracy --------------------------------------------------------------------

def accuracy_graph():
    """X, Y (?, 1) and an accuracy op (the fraction of rows where X equals Y) that records its largest batch."""
    graph = new_graph()
    with graph.as_default():
        X = tf1.placeholder(tf.float32, [None, 1], name="X")
        Y = tf1.placeholder(tf.float32, [None, 1], name="Y")
        largest = tf.Variable(0, name="largest_batch")
        record = largest.assign(tf.maximum(largest, tf.shape(X)[0]))
        with tf.control_dependencies([record]):
            accuracy_operation = tf.reduce_mean(tf.cast(tf.equal(X, Y), tf.float32))
        init = tf1.global_variables_initializer()
    return graph, X, Y, largest, accuracy_operation, init


def measured(submission, right, num_examples, batch_size):
    """The student's accuracy for `num_examples` rows of which `right` (a boolean array) are correct."""
    def run():
        graph, X, Y, largest, accuracy_operation, init = accuracy_graph()
        labels = np.arange(num_examples, dtype=np.float32).reshape(-1, 1)
        images = np.where(right.reshape(-1, 1), labels, -1.0).astype(np.float32)
        shipped = submission.send(graph)
        sess = submission.session(shipped.graph)
        sess.run(shipped[init])
        got = submission.function("batched_accuracy")(sess.remote, shipped[accuracy_operation], shipped[X],
                                                      shipped[Y], images, labels, batch_size)
        return number(got, "batched_accuracy(...)"), int(sess.run(shipped[largest]))
    return submission.memo(("accuracy", num_examples, batch_size), run)


@check("batched_accuracy", "1,000 images in batches of 100 give the accuracy of the whole set")
def whole_batches(submission):
    right = np.random.RandomState(5).rand(1000) < 0.7
    got, largest = measured(submission, right, 1000, 100)
    expect(largest > 0, "accuracy_operation never ran: run it (sess.run) on each batch.")
    expect(close(got, right.mean(), atol=1e-6), f"For 1,000 images you returned {got:.4f}, which is not the "
                                                f"fraction of them that are right.")


@check("batched_accuracy", "a last, shorter batch counts by its size (1,050 images in batches of 100)")
def short_batch(submission):
    right = np.ones(1050, bool)
    right[1000:] = False  # the last, short batch is all wrong
    got, _ = measured(submission, right, 1050, 100)
    unweighted = np.mean([right[start:start + 100].mean() for start in range(0, 1050, 100)])
    expect(not close(got, unweighted, atol=1e-6),
           f"For 1,050 images, the 50 of the last batch all wrong and the rest right, you returned {got:.4f}: the "
           f"plain mean of the 11 batches' accuracies, which gives the 50 images of the short batch as much weight "
           f"as 100. Weight each batch by its length.")
    expect(close(got, right.mean(), atol=1e-6), f"For 1,050 images of which 1,000 are right you returned "
                                                f"{got:.4f}, which is not the fraction that are right.")


@check("batched_accuracy", "no run is fed more than batch_size images")
def bounded(submission):
    right = np.random.RandomState(5).rand(1000) < 0.7
    _, largest = measured(submission, right, 1000, 100)
    expect(largest <= 100, f"One run was fed {largest} images at once, with batch_size=100: feed slices of at most "
                           f"batch_size images, which is what bounds the memory.")
