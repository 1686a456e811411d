"""The article's shared training code: `init_weights`, `update_d` and `train_model`.

The article introduces these just before its first neural network ("Basic Fully
Connected Network") so that the three networks after it share one loop. They keep
the article's names and parameter order. `train_model` is the article's loop: each
step is one `sess.run(..., feed_dict=update_d(train_feed, {X: ..., Y: ...}))`. What
it does beyond printing (a progress bar, TensorBoard, checkpoints, the NaN check, a
trace, the time split) are callbacks: `NaNCheck` here, the others in
`tfgraph.callbacks` and `tfgraph.resume`.
"""
import math
import time
from typing import NamedTuple

import numpy as np
import tensorflow as tf

from tfgraph import graphinfo
from tfgraph.callbacks import (Callback, Events, ProgressBar, TensorBoardHistograms, TensorBoardScalars, TimeSplit,
                               TraceStep)
from tfgraph.errors import TfgraphError
from tfgraph.resume import Checkpointing

tf1 = tf.compat.v1


class TrainingDiverged(TfgraphError):
    """The cost became NaN or infinite, so training stopped."""


class AccuracyHistory(list):
    """The test accuracies `train_model` measured, in order, the final full-test one last.

    A plain list (so `plt.plot(accuracies)` works as in the article) with a few
    attributes: `samples` (training samples seen at each entry), `final_accuracy`,
    `seconds`, `train_seconds`, `eval_seconds` and `num_epochs`.
    """

    def __init__(self):
        super().__init__()
        self.samples = []
        self.final_accuracy = None
        self.seconds = self.train_seconds = self.eval_seconds = 0.0
        self.num_epochs = 0

    def record(self, samples_seen, accuracy):
        """Append one accuracy measured after `samples_seen` training samples."""
        self.append(accuracy)
        self.samples.append(samples_seen)


class TrainingState:
    """Where `train_model` stands: what it tells its callbacks, and what a checkpoint saves.

    Callbacks read it (`epoch`, `batch`, `samples_seen`, `cost`, `batch_accuracy`,
    `accuracy`, `history`, ...) and may move it (a resumed run sets its position; a
    trace sets `run_options` and `run_metadata` for one step). `order_rng` and
    `test_rng` are the two random streams, the epoch's order and the test subsets,
    both spawned from `seed`.
    """

    def __init__(self, sess, num_epochs, num_train, batch_size, how_often, shuffle, seed):
        self.sess, self.num_epochs, self.num_train, self.batch_size = sess, num_epochs, num_train, batch_size
        self.how_often, self.shuffle = how_often, shuffle
        self.num_batches = -(-num_train // batch_size)
        self.epoch = self.batch = self.samples_seen = 0
        self.cost = self.batch_accuracy = self.accuracy = self.final_accuracy = None
        self.batch_X = self.batch_Y = self.feed = None  # the last batch and its feed dict
        self.run_options = self.run_metadata = None  # passed to the step's sess.run (TraceStep sets them)
        self.history = AccuracyHistory()
        self.history.num_epochs = num_epochs
        order_seed, test_seed = np.random.SeedSequence(seed).spawn(2)
        self.order_rng, self.test_rng = np.random.default_rng(order_seed), np.random.default_rng(test_seed)
        self.epoch_order_state = self.order_rng.bit_generator.state  # the order_rng as this epoch began
        self.seconds_before = self.eval_seconds = 0.0  # seconds spent before this call (resumed), measuring
        self.started = time.perf_counter()
        self.finished = False

    def seconds(self):
        """Seconds spent training and measuring so far, earlier runs of a resumed one included."""
        return self.seconds_before + time.perf_counter() - self.started

    def epoch_order(self):
        """The order of this epoch's examples: a permutation drawn from the order_rng as the epoch began."""
        self.order_rng.bit_generator.state = self.epoch_order_state
        return self.order_rng.permutation(self.num_train) if self.shuffle else np.arange(self.num_train)


class ClassifierOps(NamedTuple):
    """The ops every MNIST lesson builds on top of its model's logits."""
    total_cost: "tf.Tensor"
    train_operation: "tf.Operation"
    predict_operation: "tf.Tensor"
    accuracy_operation: "tf.Tensor"


def classifier_ops(model, Y, optimizer):
    """Softmax cross-entropy cost, a training step, predictions and accuracy for logits `model` (logistic regression).

    Built under the name scopes `cost`, `train` and `accuracy`, as the article built them
    in each MNIST cell. TensorFlow 1.0 made the cost's arguments keyword-only
    (`labels=`, `logits=`); the article passed them positionally, logits first.
    """
    with tf.name_scope("cost"):
        sample_cost = tf.nn.softmax_cross_entropy_with_logits(labels=Y, logits=model)  # (?,)
        total_cost = tf.reduce_mean(sample_cost)  # ()
    with tf.name_scope("train"):
        train_operation = optimizer.minimize(total_cost)
    with tf.name_scope("accuracy"):
        predict_operation = tf.argmax(model, 1, name="predict")  # (?,) the most likely digit
        correct = tf.equal(predict_operation, tf.argmax(Y, 1))
        accuracy_operation = tf.reduce_mean(tf.cast(correct, tf.float32), name="accuracy")
    return ClassifierOps(total_cost, train_operation, predict_operation, accuracy_operation)


def init_weights(shape, stddev=0.01, name=None):
    """A weight variable drawn from N(0, stddev^2) (the article's helper, fully connected net)."""
    return tf.Variable(tf1.random_normal(shape, stddev=stddev), name=name)


def update_d(prev, new):
    """A copy of the feed dict `prev` updated with `new` (the article's helper, fully connected net)."""
    combined = dict(prev or {})
    combined.update(new)
    return combined


def _diverged(what, epoch, batch_index, samples_seen):
    """The TrainingDiverged for `what` ("the cost became nan") at this point of training."""
    return TrainingDiverged(
        f"Training stopped: {what} in epoch {epoch + 1}, batch {batch_index + 1} (after {samples_seen} "
        "samples). The steps are too large for this model: try a smaller learning rate (--learning-rate), "
        "then run again.")


#: `check_cost(..., first=)`: a full-batch descent whose cost grows past this many times its first is diverging.
#: (At a rate that works its cost only falls; at the rate where it starts to swing, 1 for linear regression,
#: it stays below its first.)
GROWTH_LIMIT = 2


def check_cost(cost, epoch, batch_index, samples_seen, first=None):
    """Return `cost` as a float, or raise TrainingDiverged if it is NaN or infinite (logistic regression).

    Given the `first` cost of a full-batch gradient descent (the regressions), a cost
    GROWTH_LIMIT times larger stops it too: at a rate that works such a descent never
    climbs, so it is overshooting further at every step, long before the cost overflows
    (and a line fitted that way would be printed as if it were a result).
    """
    cost = float(cost)
    if not math.isfinite(cost):
        raise _diverged(f"the cost became {cost}", epoch, batch_index, samples_seen)
    if first is not None and first > 0 and cost > GROWTH_LIMIT * first:
        raise _diverged(f"the cost grew to {cost:.3g}, more than {GROWTH_LIMIT} times its first value "
                        f"({first:.3g}), so each step overshoots further", epoch, batch_index, samples_seen)
    return cost


def check_weights(sess, epoch, batch_index, samples_seen):
    """Raise TrainingDiverged if a trainable variable holds NaN or infinity (logistic regression).

    A step's cost is computed before the step updates the weights, so the cost of the
    last step cannot show that the step made them NaN: this looks at the weights.
    """
    variables = sess.graph.get_collection(tf1.GraphKeys.TRAINABLE_VARIABLES)
    for variable, value in zip(variables, sess.run(variables)):
        if not np.isfinite(value).all():
            raise _diverged(f"the weights {variable.op.name} became NaN or infinite", epoch, batch_index,
                            samples_seen)


class NaNCheck(Callback):
    """Stop with `TrainingDiverged` once the cost or a weight is NaN or infinite (introduced by logistic regression).

    The cost after each batch; the weights before each accuracy check, so nothing is
    measured, logged or saved from weights that are no numbers.
    """

    def on_batch_end(self, state):
        if state.cost is not None:
            check_cost(state.cost, state.epoch, state.batch, state.samples_seen)

    def on_test_end(self, state):
        if state.cost is not None:
            check_cost(state.cost, state.epoch, state.batch, state.samples_seen)
        check_weights(state.sess, state.epoch, state.batch, state.samples_seen)


def default_callbacks(run=None, cost_operation=None, trace=False, progress=True):
    """The lessons' callbacks, in the order that matters: check the cost, log it, then save; resume, then open the bar."""
    if run is None:
        return [NaNCheck(), ProgressBar(progress), TimeSplit()]
    return [NaNCheck(), TensorBoardScalars(run), Checkpointing(run), ProgressBar(progress), TimeSplit(),
            TensorBoardHistograms(run, cost_operation)] + ([TraceStep(run)] if trace else [])


def evaluate(sess, accuracy_operation, X, Y, images, labels, feed=None, batch_size=None):
    """Accuracy over all `images`, run in batches and weighted by batch length (introduced by logistic regression).

    `accuracy_operation` must be a mean over its batch, as the article's is. Running
    10,000 images through the CNN in one go needs gigabytes; batches do not. By
    default a batch is as many images as fit in memory (`graphinfo.eval_batch_size`).
    """
    if len(images) == 0:
        raise TfgraphError("Cannot measure accuracy on an empty test set: give at least one test image.")
    if batch_size is None:
        batch_size = graphinfo.eval_batch_size(sess.graph.as_graph_element(accuracy_operation))
    correct = 0.0
    for start in range(0, len(images), batch_size):
        batch_images, batch_labels = images[start:start + batch_size], labels[start:start + batch_size]
        accuracy = sess.run(accuracy_operation, feed_dict=update_d(feed, {X: batch_images, Y: batch_labels}))
        correct += float(accuracy) * len(batch_images)
    return correct / len(images)


def train_model(sess, train_X, train_Y, test_X, test_Y, train_operation, accuracy_operation,
                num_epochs, batch_size, test_size, train_feed=None, test_feed=None, how_often=100, *,
                X, Y, cost_operation=None, callbacks=None, shuffle=True, seed=None, eval_batch_size=None,
                run=None, trace=False, progress=True):
    """Train with minibatches, measuring test accuracy as it goes (the article's helper, fully connected net).

    The article's loop: each epoch, each batch of `batch_size` runs `train_operation`;
    every `how_often` batches and at each epoch's end, the accuracy on `test_size`
    random test images; then "Finished training for N epochs", "Took X seconds (Y s
    per epoch)" and "Final accuracy was 0.XXXX" on the whole test set. Returns the
    accuracies (an `AccuracyHistory`). Beyond the article: `X`/`Y` go by keyword; the
    training set is reshuffled each epoch from `seed` (`shuffle=False`: the article's
    order) and a last short batch is trained on; accuracy runs in batches of
    `eval_batch_size` (default: what fits in memory, `graphinfo.eval_batch_size`).
    Everything else is a callback (`tfgraph.callbacks`); by default
    `default_callbacks(run, cost_operation, trace, progress)`: a
    progress bar, a NaN check of `cost_operation`, the time split, and with `run`
    TensorBoard scalars and histograms, checkpoints, --resume and Ctrl-C.
    """
    _check_arguments(train_X, train_Y, test_X, test_Y, num_epochs, batch_size, test_size, how_often,
                     eval_batch_size)
    if callbacks is None:
        callbacks = default_callbacks(run, cost_operation, trace, progress)
    state = TrainingState(sess, num_epochs, len(train_X), batch_size, how_often, shuffle, seed)
    events = Events(callbacks, state)
    fetches = [train_operation, accuracy_operation] + ([cost_operation] if cost_operation is not None else [])

    def measure_test_accuracy():
        started = time.perf_counter()
        test_set = state.test_rng.choice(len(test_X), test_size, replace=False) \
            if test_size < len(test_X) else slice(None)
        state.accuracy = evaluate(sess, accuracy_operation, X, Y, test_X[test_set], test_Y[test_set], test_feed,
                                  eval_batch_size)
        state.eval_seconds += time.perf_counter() - started
        state.history.record(state.samples_seen, state.accuracy)
        events.test_end()

    try:
        events.train_begin()  # a resumed run moves `state` to where its checkpoint stood
        while state.epoch < num_epochs:
            order = state.epoch_order()
            for state.batch in range(state.batch, state.num_batches):
                rows = order[state.batch * batch_size:(state.batch + 1) * batch_size]
                state.batch_X, state.batch_Y = train_X[rows], train_Y[rows]
                state.feed = update_d(train_feed, {X: state.batch_X, Y: state.batch_Y})
                _, state.batch_accuracy, *cost = sess.run(fetches, feed_dict=state.feed, options=state.run_options,
                                                          run_metadata=state.run_metadata)
                state.cost = cost[0] if cost else None
                state.samples_seen += len(rows)
                if state.batch % how_often == 0:
                    measure_test_accuracy()
                events.batch_end()
            measure_test_accuracy()
            events.epoch_end()
            state.epoch, state.batch, state.epoch_order_state = state.epoch + 1, 0, state.order_rng.bit_generator.state
        state.history.seconds = state.seconds()
        state.finished = True
    finally:
        events.train_end()  # also after an error: the bar closes, Ctrl-C works again
    history = state.history
    history.eval_seconds, history.train_seconds = state.eval_seconds, history.seconds - state.eval_seconds
    print("Finished training for %d epoch%s" % (num_epochs, "" if num_epochs == 1 else "s"))
    print("Took %.02f seconds (%.02f s per epoch)" % (history.seconds, history.seconds / num_epochs))
    state.final_accuracy = evaluate(sess, accuracy_operation, X, Y, test_X, test_Y, test_feed, eval_batch_size)
    events.closing()
    history.final_accuracy = state.final_accuracy
    history.record(state.samples_seen, state.final_accuracy)
    print("Final accuracy was %.04f" % state.final_accuracy)
    return history


def _is_count(value):
    """Whether `value` is a whole number of at least 1 (True and False are not)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)) and value >= 1


def _check_arguments(train_X, train_Y, test_X, test_Y, num_epochs, batch_size, test_size, how_often,
                     eval_batch_size=None):
    """Raise a TfgraphError naming the first argument of train_model that cannot work."""
    problems = []
    if len(train_X) != len(train_Y):
        problems.append(f"train_X has {len(train_X)} examples but train_Y has {len(train_Y)}; give one label per image")
    if len(test_X) != len(test_Y):
        problems.append(f"test_X has {len(test_X)} examples but test_Y has {len(test_Y)}; give one label per image")
    if len(train_X) == 0:
        problems.append("the training set is empty")
    for name, value in (("num_epochs", num_epochs), ("batch_size", batch_size), ("how_often", how_often),
                        ("test_size", test_size)):
        if not _is_count(value):
            problems.append(f"{name} must be a whole number of at least 1, not {value!r}")
    if eval_batch_size is not None and not _is_count(eval_batch_size):
        problems.append(f"eval_batch_size must be a whole number of at least 1, or None to size it to memory, "
                        f"not {eval_batch_size!r}")
    if _is_count(test_size) and test_size > len(test_X):
        problems.append(f"test_size is {test_size} but the test set has only {len(test_X)} images; "
                        f"use a test size of at most {len(test_X)}")
    if _is_count(batch_size) and batch_size > len(train_X) > 0:
        problems.append(f"batch_size is {batch_size} but the training set has only {len(train_X)} examples; "
                        f"use a batch size of at most {len(train_X)}")
    if problems:
        raise TfgraphError("train_model cannot start: " + "; ".join(problems) + ".")
