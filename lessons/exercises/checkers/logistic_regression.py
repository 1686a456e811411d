"""Checks for the logistic regression lesson's exercises: add_bias, count_ops and diverge."""
from collections import Counter

import numpy as np
import tensorflow as tf

from lessons.exercises.checkers import close, kind, mnist_sample, new_graph, session, show, tensor
from lessons.exercises.grader.checks import CheckFailed, check, expect, reference
from lessons.exercises.grader.remote import StudentRaised
from tfgraph import training

tf1 = tf.compat.v1


# --- add_bias ----------------------------------------------------------------------------

def biased_model(submission):
    """(graph, X, logits, trainable variables) from the student's model(X) in a graph of the checker's."""
    def build():
        graph = new_graph()
        with graph.as_default():
            X = tf1.placeholder(tf.float32, [None, 784], name="X")
        shipped = submission.send(graph)
        logits = submission.function("model")(shipped[X])
        return shipped.graph, shipped[X], logits, submission.variables(shipped.graph, trainable=True)
    graph, X, logits, variables = submission.memo("model", build)
    tensor(logits, "model(X)", graph)
    expect(logits.compatible((None, 10)),
           f"model(X) should return logits of shape (?, 10), one per class, but they have shape {logits.shape}.")
    return graph, X, logits, variables


def weights_and_bias(variables):
    """The (784, 10) weights and the bias among `variables`, or CheckFailed saying what is there instead."""
    shapes = [variable.shape for variable in variables]
    found = ", ".join(map(str, shapes)) or "none"
    expect((784, 10) in shapes, f"Expected a weight Variable of shape (784, 10); the trainable Variables are: {found}.")
    others = [variable for variable in variables if variable.shape != (784, 10)]
    expect(others, "model(X) creates only the weights: the bias should be a tf.Variable too. A tensor made with "
                   "tf.zeros is a constant, and the optimizer can only change Variables.")
    expect(len(others) == 1, f"Expected two trainable Variables, the weights (784, 10) and a bias (10,), "
                             f"but found: {found}.")
    bias_shape = others[0].shape
    if bias_shape in ((), (1,)):
        expect(False, f"The bias has shape {bias_shape}: one number for all ten logits. Adding the same number "
                      f"to every logit changes no softmax probability, so it cannot help: give each class its "
                      f"own, shape (10,).")
    expect(bias_shape == (10,), f"The bias has shape {bias_shape}; it adds one number per class to the logits, "
                                f"so its shape is (10,).")
    return variables[shapes.index((784, 10))], others[0]


@check("add_bias", "model(X) returns logits of shape (?, 10)")
def bias_logits(submission):
    biased_model(submission)


@check("add_bias", "it creates two trainable Variables: weights (784, 10) and a bias (10,)")
def bias_variables(submission):
    weights_and_bias(biased_model(submission)[3])


@check("add_bias", "the bias starts at zero and is added to every row of logits")
def bias_added(submission):
    graph, X, logits, variables = biased_model(submission)
    weights, bias = weights_and_bias(variables)
    images = mnist_sample().test.images[:5]
    sess = submission.session(graph)
    sess.initialize(variables)
    start = sess.run(bias)
    expect(close(start, 0.0), f"The bias starts at {show(start)}; the task asks for zeros.")
    sess.load(weights, np.zeros((784, 10), np.float32))
    sess.load(bias, np.arange(10, dtype=np.float32))
    got = np.asarray(sess.run(logits, feed_dict={X: images}), dtype=np.float64)
    expect(close(got, np.broadcast_to(np.arange(10), got.shape)) and got.shape == (5, 10),
           f"With the weights set to 0 and the bias to [0, 1, ..., 9], the logits of an image are "
           f"{show(got[0] if got.ndim else got)}: the bias is not added to X w as it should be.")


# --- count_ops ---------------------------------------------------------------------------

def scoped_graph():
    """The lesson's graph, with the cost built a second time (scope cost_1) and a scope named costly."""
    graph = new_graph()
    with graph.as_default():
        with tf.name_scope("input"):
            X = tf1.placeholder(tf.float32, [None, 784], name="X")
            Y = tf1.placeholder(tf.float32, [None, 10], name="Y")
        with tf.name_scope("model"):
            w = tf.Variable(tf1.random_normal([784, 10], stddev=0.01), name="weights")
            logits = tf.matmul(X, w, name="logits")
        training.classifier_ops(logits, Y, tf1.train.GradientDescentOptimizer(0.05))
        with tf.name_scope("cost"):  # a second "cost" scope becomes cost_1
            tf.reduce_sum(logits)
        with tf.name_scope("costly"):
            tf.identity(logits)
    return graph


def truth(graph, scope):
    return dict(Counter(op.type for op in graph.get_operations() if op.name.startswith(scope + "/")))


def counted(submission, scope):
    """The student's ops_under(graph, scope) on the checker's graph, checked to be {type: count}."""
    def ask():
        shipped = submission.memo("graph", lambda: submission.send(scoped_graph()))
        got = submission.function("ops_under")(shipped.graph, scope)
        expect(isinstance(got, dict) and all(isinstance(key, str) and isinstance(value, (int, np.integer))
                                             for key, value in got.items()),
               f"ops_under should return a dict {{op type: count}}, for example {{'MatMul': 1}}, but it returned "
               f"{kind(got)}.")
        return {key: int(value) for key, value in got.items() if value}
    return submission.memo(("ops_under", scope), ask)


def compare_counts(got, want, scope, graph):
    if got == want:
        return
    looser = dict(Counter(op.type for op in graph.get_operations() if op.name.startswith(scope)))
    direct = dict(Counter(op.type for op in graph.get_operations()
                          if op.name.startswith(scope + "/") and "/" not in op.name[len(scope) + 1:]))
    expect(got != looser, f"Under {scope!r} you counted {sum(got.values())} ops: you also counted ops of scopes "
                          f"whose names start with {scope!r}, such as '{scope}_1' or '{scope}ly'. Match the prefix "
                          f"{scope + '/'!r}.")
    expect(got != direct, f"Under {scope!r} you counted {sum(got.values())} ops: you left out the nested scopes "
                          f"({scope}/gradients/... and so on), which TensorBoard draws inside the same box.")
    more = sorted(key for key in got if got[key] > want.get(key, 0))
    fewer = sorted(key for key in want if want[key] > got.get(key, 0))
    expect(False, f"Under {scope!r} your counts are wrong: " + "; ".join(
        ([f"too many {', '.join(more[:5])}"] if more else []) + ([f"too few {', '.join(fewer[:5])}"] if fewer
                                                                 else [])) + ".")


@check("count_ops", "counts the ops under 'cost' by type, leaving out 'cost_1' and 'costly'")
def counts_cost(submission):
    graph = scoped_graph()
    compare_counts(counted(submission, "cost"), truth(graph, "cost"), "cost", graph)


@check("count_ops", "counts nested scopes too ('train' holds 'train/gradients')")
def counts_nested(submission):
    graph = scoped_graph()
    compare_counts(counted(submission, "train"), truth(graph, "train"), "train", graph)
    expect(counted(submission, "nothing_here") == {},
           "For a scope with no ops, ops_under should return an empty dict.")


@check("count_ops", "SOFTMAX_OP_TYPE is the type of the op under 'cost' that computes the softmax")
def softmax_type(submission):
    answer = submission.constant("SOFTMAX_OP_TYPE", "the type (a string) of the op under 'cost' that computes "
                                                    "the softmax")
    expect(isinstance(answer, str), f"SOFTMAX_OP_TYPE should be an op type, a string, not {kind(answer)}.")
    types = truth(scoped_graph(), "cost")
    expect(answer in types, f"There is no op of type {answer!r} under 'cost'. List the types of the ops whose names "
                            f"start with 'cost/' (or open the graph in TensorBoard) and pick the one that computes "
                            f"the softmax.")
    expect("Softmax" in answer, f"{answer} ops are under 'cost', but none of them computes a softmax: look for "
                                f"one whose type says so.")


# --- diverge -----------------------------------------------------------------------------

class Recorder:
    """A fake train(rate) that raises TrainingDiverged from `threshold` on and records the rates it was given."""

    def __init__(self, threshold, error=training.TrainingDiverged):
        self.threshold, self.error, self.rates = threshold, error, []

    def __call__(self, learning_rate, *args, **kwargs):
        self.rates.append(learning_rate)
        if self.threshold is not None and learning_rate >= self.threshold * (1 - 1e-9):
            if self.error is training.TrainingDiverged:
                training.check_cost(float("nan"), 0, 0, 1)
            raise self.error(f"a bug in train at learning rate {learning_rate:g}")
        return 0.5, 0.9


def search(submission, fake, **arguments):
    """first_diverging_rate(fake, **arguments); fake.rates then holds the rates it tried."""
    try:
        return submission.function("first_diverging_rate")(submission.callback(fake), **arguments)
    except StudentRaised as raised:
        if raised.diverged:
            raise CheckFailed("TrainingDiverged escaped from first_diverging_rate: catch it (try: ... except "
                              "training.TrainingDiverged: ...) and return the rate that raised it.") from None
        raise


@check("diverge", "first_diverging_rate returns the first rate at which train raises TrainingDiverged")
def finds_first(submission):
    for start, factor, threshold in ((1.0, 10.0, 1e3), (0.5, 3.0, 13.5), (1e30, 10.0, 1e36)):
        fake = Recorder(threshold)
        got = search(submission, fake, start=start, factor=factor, max_tries=40)
        tried = f"after trying {show(fake.rates)}"
        expect(got is not None, f"With start={start:g}, factor={factor:g} and a train that diverges from some rate "
                                f"on, first_diverging_rate returned None ({tried}).")
        early = isinstance(got, (int, float)) and np.isclose(got * factor, threshold)
        expect(isinstance(got, (int, float)) and np.isclose(got, threshold, rtol=1e-6),
               f"With start={start:g}, factor={factor:g} and a train that diverges from some rate on, "
               f"first_diverging_rate returned {got!r} ({tried}): not the first rate at which train raised "
               f"TrainingDiverged." + (" That is the last rate that worked, one step too early." if early else ""))


@check("diverge", "it returns start when start already diverges, and None after max_tries rates that do not")
def edges(submission):
    got = search(submission, Recorder(1.0), start=2.0, factor=10.0, max_tries=5)
    expect(isinstance(got, (int, float)) and np.isclose(got, 2.0),
           f"When train diverges at the first rate it is given, start=2, first_diverging_rate returned {got!r}.")
    fake = Recorder(None)
    got = search(submission, fake, start=1.0, factor=10.0, max_tries=5)
    expect(got is None and len(fake.rates) == 5, f"With a train that never diverges and max_tries=5, it tried "
                                                 f"{len(fake.rates)} rates and returned {got!r}.")


@check("diverge", "any other error from train is not mistaken for divergence")
def other_errors(submission):
    try:
        got = search(submission, Recorder(1e2, ValueError), start=1.0, factor=10.0, max_tries=10)
    except StudentRaised as raised:
        if raised.type_name == "ValueError":
            return
        raise
    expect(False, f"train raised ValueError at 100 (a bug, not divergence), but first_diverging_rate returned "
                  f"{got!r}. Catch training.TrainingDiverged only, so that real bugs still show.")


RATES = (1.0, 1e3, 1e6, 1e12, 1e24, 1e30, 1e35)


@reference("diverge", [(rate,) for rate in RATES])
def reference_train(learning_rate, num_steps=50, batch_size=200):
    """(cost, accuracy) of the lesson's model after num_steps steps on the sample; None if the cost overflowed."""
    data = mnist_sample()
    graph = new_graph()
    with graph.as_default():
        X = tf1.placeholder(tf.float32, [None, 784])
        Y = tf1.placeholder(tf.float32, [None, 10])
        w = tf.Variable(tf1.random_normal([784, 10], stddev=0.01))
        ops = training.classifier_ops(tf.matmul(X, w), Y, tf1.train.GradientDescentOptimizer(learning_rate))
        init = tf1.global_variables_initializer()
    try:
        with session(graph) as sess:
            sess.run(init)
            for step in range(num_steps):
                start = step * batch_size % data.train.num_examples
                _, cost = sess.run([ops.train_operation, ops.total_cost],
                                   {X: data.train.images[start:start + batch_size],
                                    Y: data.train.labels[start:start + batch_size]})
                training.check_cost(cost, 0, step, (step + 1) * batch_size)
            accuracy = training.evaluate(sess, ops.accuracy_operation, X, Y, data.test.images, data.test.labels)
        return float(cost), float(accuracy)
    except training.TrainingDiverged:
        return None


@check("diverge", "ACCURACY_COLLAPSES_FIRST agrees with what the lesson's model does")
def collapse_answer(submission):
    answer = submission.constant("ACCURACY_COLLAPSES_FIRST", "True or False, after running this file")
    expect(isinstance(answer, bool), f"ACCURACY_COLLAPSES_FIRST should be True or False, not {kind(answer)}.")
    finite = [run for run in (reference_train(rate) for rate in RATES) if run is not None]
    collapses = any(accuracy < 0.5 for _, accuracy in finite)
    expect(answer == collapses, f"ACCURACY_COLLAPSES_FIRST = {answer} does not agree with what the lesson's model "
                                f"does in 50 steps on the sample. Run this file and read the test accuracy at each "
                                f"rate at which the cost is still a number. Why would the accuracy hold while the "
                                f"cost explodes? Think about what argmax does to scaled-up logits.")
