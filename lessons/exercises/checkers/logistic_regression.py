"""Checks for the logistic regression lesson's exercises: add_bias, count_ops and diverge."""
from collections import Counter

import numpy as np
import tensorflow as tf

from lessons.exercises.checkers import kind, mnist_sample, new_graph, session, show, tensor
from lessons.exercises.checks import CheckFailed, check, expect, judge_only
from tfgraph import training

tf1 = tf.compat.v1


# --- add_bias ----------------------------------------------------------------------------

def biased_model(submission):
    """(graph, X, logits, trainable variables) from the student's model(X) in a graph of the checker's."""
    def build():
        graph = new_graph()
        with graph.as_default():
            X = tf1.placeholder(tf.float32, [None, 784], name="X")
            logits = submission.function("model")(X)
            variables = tf1.trainable_variables()
        return graph, X, logits, variables
    graph, X, logits, variables = submission.memo("model", build)
    tensor(logits, "model(X)", graph)
    expect(logits.shape.is_compatible_with([None, 10]),
           f"model(X) should return logits of shape (?, 10), one per class, but they have shape {logits.shape}.")
    return graph, X, logits, variables


def weights_and_bias(variables):
    """The (784, 10) weights and the bias among `variables`, or CheckFailed saying what is there instead."""
    shapes = [tuple(variable.shape.as_list()) for variable in variables]
    found = ", ".join(map(str, shapes)) or "none"
    expect((784, 10) in shapes, f"Expected a weight Variable of shape (784, 10); the trainable Variables are: {found}.")
    others = [variable for variable in variables if tuple(variable.shape.as_list()) != (784, 10)]
    expect(others, "model(X) creates only the weights: the bias should be a tf.Variable too. A tensor made with "
                   "tf.zeros is a constant, and the optimizer can only change Variables.")
    expect(len(others) == 1, f"Expected two trainable Variables, the weights (784, 10) and a bias (10,), "
                             f"but found: {found}.")
    bias_shape = tuple(others[0].shape.as_list())
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
    with session(graph) as sess:
        sess.run(tf1.variables_initializer(variables))
        start = sess.run(bias)
        expect(np.allclose(start, 0.0), f"The bias starts at {show(start)}; the task asks for 10 zeros.")
        weights.load(np.zeros((784, 10), np.float32), sess)
        bias.load(np.arange(10, dtype=np.float32), sess)
        got = sess.run(logits, feed_dict={X: images})
    expect(np.allclose(got, np.arange(10)),
           f"With the weights set to 0 and the bias to [0, 1, ..., 9], the logits of an image should be "
           f"[0, 1, ..., 9], but they are {show(got[0])}: add the bias to X w.")


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


def counted(submission, graph, scope):
    got = submission.function("ops_under")(graph, scope)
    expect(isinstance(got, dict) and all(isinstance(key, str) and isinstance(value, (int, np.integer))
                                         for key, value in got.items()),
           f"ops_under should return a dict {{op type: count}}, for example {{'MatMul': 1}}, but it returned "
           f"{kind(got)}.")
    return {key: int(value) for key, value in got.items() if value}


def compare_counts(got, want, scope, graph):
    if got == want:
        return
    looser = dict(Counter(op.type for op in graph.get_operations() if op.name.startswith(scope)))
    direct = dict(Counter(op.type for op in graph.get_operations()
                          if op.name.startswith(scope + "/") and "/" not in op.name[len(scope) + 1:]))
    expect(got != looser, f"Under {scope!r} you counted {sum(got.values())} ops, but {sum(want.values())} are "
                          f"inside it: you also counted ops of scopes whose names start with {scope!r}, such as "
                          f"'{scope}_1' or '{scope}ly'. Match the prefix {scope + '/'!r}.")
    expect(got != direct, f"Under {scope!r} you counted {sum(got.values())} ops, but {sum(want.values())} are "
                          f"inside it: you left out the nested scopes ({scope}/gradients/... and so on), which "
                          f"TensorBoard draws inside the same box.")
    wrong = sorted(key for key in set(got) | set(want) if got.get(key, 0) != want.get(key, 0))
    expect(False, f"Under {scope!r} expected {sum(want.values())} ops, but you counted {sum(got.values())}. "
                  f"Different counts for: " + ", ".join(f"{key} (expected {want.get(key, 0)}, got "
                                                       f"{got.get(key, 0)})" for key in wrong[:5]) + ".")


@check("count_ops", "counts the ops under 'cost' by type, leaving out 'cost_1' and 'costly'")
def counts_cost(submission):
    graph = scoped_graph()
    compare_counts(counted(submission, graph, "cost"), truth(graph, "cost"), "cost", graph)


@check("count_ops", "counts nested scopes too ('train' holds 'train/gradients')")
def counts_nested(submission):
    graph = scoped_graph()
    compare_counts(counted(submission, graph, "train"), truth(graph, "train"), "train", graph)
    expect(counted(submission, graph, "nothing_here") == {},
           "For a scope with no ops, ops_under should return an empty dict.")


@check("count_ops", "SOFTMAX_OP_TYPE is the type of the op under 'cost' that computes the softmax")
def softmax_type(submission):
    answer = submission.constant("SOFTMAX_OP_TYPE", "the type (a string) of the op under 'cost' that computes "
                                                    "the softmax")
    expect(isinstance(answer, str), f"SOFTMAX_OP_TYPE should be an op type, a string, not {kind(answer)}.")
    types = truth(scoped_graph(), "cost")
    expect(answer in types, f"There is no op of type {answer!r} under 'cost'. Its ops' types are: "
                            f"{', '.join(sorted(types))}.")
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
    """first_diverging_rate(fake, **arguments); fake.rates then holds the rates it tried in the student's run."""
    try:
        got = submission.function("first_diverging_rate")(fake, **arguments)
        fake.rates = submission.observed("rates tried", lambda: list(fake.rates))
        return got
    except training.TrainingDiverged:
        raise CheckFailed("TrainingDiverged escaped from first_diverging_rate: catch it (try: ... except "
                          "training.TrainingDiverged: ...) and return the rate that raised it.") from None


@check("diverge", "first_diverging_rate returns the first rate at which train raises TrainingDiverged")
def finds_first(submission):
    for start, factor, threshold in ((1.0, 10.0, 1e3), (0.5, 3.0, 13.5), (1e30, 10.0, 1e36)):
        fake = Recorder(threshold)
        got = search(submission, fake, start=start, factor=factor, max_tries=40)
        expect(got is not None, f"With start={start:g}, factor={factor:g} and a train that diverges from "
                                f"{threshold:g} on, first_diverging_rate returned None (it tried "
                                f"{show(fake.rates)}).")
        expect(isinstance(got, (int, float)) and np.isclose(got, threshold, rtol=1e-6),
               f"With start={start:g}, factor={factor:g} and a train that diverges from {threshold:g} on, "
               f"expected {threshold:g}, but first_diverging_rate returned {got!r} (after trying "
               f"{show(fake.rates)})." + (" That is the last rate that worked, one step too early."
                                          if isinstance(got, (int, float)) and np.isclose(got * factor, threshold)
                                          else ""))


@check("diverge", "it returns start when start already diverges, and None after max_tries rates that do not")
def edges(submission):
    got = search(submission, Recorder(1.0), start=2.0, factor=10.0, max_tries=5)
    expect(isinstance(got, (int, float)) and np.isclose(got, 2.0),
           f"When train diverges at the first rate, start=2, expected 2 but got {got!r}.")
    fake = Recorder(None)
    got = search(submission, fake, start=1.0, factor=10.0, max_tries=5)
    expect(got is None and len(fake.rates) == 5, f"With a train that never diverges and max_tries=5, expected "
                                                 f"5 tries and None, but it tried {len(fake.rates)} rates and "
                                                 f"returned {got!r}.")


@check("diverge", "any other error from train is not mistaken for divergence")
def other_errors(submission):
    try:
        got = search(submission, Recorder(1e2, ValueError), start=1.0, factor=10.0, max_tries=10)
    except ValueError:
        return
    expect(False, f"train raised ValueError at 100 (a bug, not divergence), but first_diverging_rate returned "
                  f"{got!r}. Catch training.TrainingDiverged only, so that real bugs still show.")


_measured = {}


@judge_only
def reference_train(learning_rate, num_steps=50, batch_size=200):
    """(cost, accuracy) of the lesson's model after num_steps steps on the sample; TrainingDiverged on overflow."""
    if learning_rate not in _measured:
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
            _measured[learning_rate] = (float(cost), accuracy)
        except training.TrainingDiverged:
            _measured[learning_rate] = None
    return _measured[learning_rate]


@check("diverge", "ACCURACY_COLLAPSES_FIRST agrees with what the lesson's model does")
def collapse_answer(submission):
    answer = submission.constant("ACCURACY_COLLAPSES_FIRST", "True or False, after running this file")
    expect(isinstance(answer, bool), f"ACCURACY_COLLAPSES_FIRST should be True or False, not {answer!r}.")
    runs = {rate: reference_train(rate) for rate in (1.0, 1e3, 1e6, 1e12, 1e24, 1e30, 1e35)}
    finite = {rate: run for rate, run in runs.items() if run is not None}
    collapses = any(accuracy < 0.5 for _, accuracy in finite.values())
    seen = "; ".join(f"{rate:.0e}: cost {cost:.3g}, accuracy {accuracy:.3f}" for rate, (cost, accuracy)
                     in finite.items())
    expect(answer == collapses, f"The lesson's model, 50 steps on the sample: {seen}. So "
                                f"ACCURACY_COLLAPSES_FIRST should be {collapses}. Why does the accuracy hold "
                                f"while the cost explodes? Think about what argmax does to scaled-up logits.")
