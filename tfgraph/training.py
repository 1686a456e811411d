"""The article's shared training code: `init_weights`, `update_d` and `train_model`.

The article introduces these just before its first neural network ("Basic Fully
Connected Network") so that the three networks after it share one loop. They keep
the article's names and parameter order. `train_model` is the article's loop; what
it does beyond printing (a progress bar, TensorBoard, checkpoints, a NaN check, a
trace, the time split) are callbacks, in `tfgraph.callbacks` and `tfgraph.resume`.
"""
import math
import time
from typing import NamedTuple

import numpy as np
import tensorflow as tf

from tfgraph import callbacks as callbacks_module, graphinfo
from tfgraph.compiled import CompiledRun
from tfgraph.errors import TfgraphError
from tfgraph.evaluation import evaluate, log_test_views, run_in_batches  # noqa: F401 (the lessons use these names)
from tfgraph.resume import TrainingInterrupted, resumable_epochs  # noqa: F401

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


class Loop:
    """Where `train_model` stands: what it tells its callbacks, and what a checkpoint saves.

    Callbacks read it (`epoch`, `batch`, `samples_seen`, `cost`, `batch_accuracy`,
    `accuracy`, `history`, ...) and may move it (a resumed run sets its position).
    `rngs` are the two random streams, the epoch's order and the test subsets, both
    spawned from `seed`.
    """

    def __init__(self, sess, num_epochs, num_train, batch_size, how_often, shuffle, seed):
        self.sess, self.num_epochs, self.num_train, self.batch_size = sess, num_epochs, num_train, batch_size
        self.how_often, self.shuffle = how_often, shuffle
        self.num_batches = -(-num_train // batch_size)
        self.epoch = self.batch = self.samples_seen = 0
        self.cost = self.batch_accuracy = self.accuracy = self.final_accuracy = None
        self.batch_X = self.batch_Y = self.feed = None  # the last batch and its feed dict
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


def check_cost(cost, epoch, batch_index, samples_seen):
    """Return `cost` as a float, or raise TrainingDiverged if it is NaN or infinite (logistic regression)."""
    cost = float(cost)
    if not math.isfinite(cost):
        raise TrainingDiverged(
            f"Training stopped: the cost became {cost} in epoch {epoch + 1}, batch {batch_index + 1} "
            f"(after {samples_seen} samples). The steps are too large for this model: try a smaller "
            "learning rate (--learning-rate), then run again.")
    return cost


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
    `callbacks.default_callbacks(run, cost_operation, trace, progress)`: a
    progress bar, a NaN check of `cost_operation`, the time split, and with `run`
    TensorBoard scalars and histograms, checkpoints, --resume and Ctrl-C.
    """
    _check_arguments(train_X, train_Y, test_X, test_Y, num_epochs, batch_size, test_size, how_often,
                     eval_batch_size)
    if callbacks is None:
        callbacks = callbacks_module.default_callbacks(run, cost_operation, trace, progress)
    if eval_batch_size is None:
        eval_batch_size = graphinfo.eval_batch_size(sess.graph.as_graph_element(accuracy_operation))
    loop = Loop(sess, num_epochs, len(train_X), batch_size, how_often, shuffle, seed)
    events = callbacks_module.Events(callbacks, loop)
    fetches = [train_operation, accuracy_operation] + ([cost_operation] if cost_operation is not None else [])
    loop.run_step = CompiledRun(sess, fetches, [X, Y, *(train_feed or {})])  # sess.run, only faster

    def measure_test_accuracy():
        started = time.perf_counter()
        test_set = loop.test_rng.choice(len(test_X), test_size, replace=False) \
            if test_size < len(test_X) else slice(None)
        loop.accuracy = evaluate(sess, accuracy_operation, X, Y, test_X[test_set], test_Y[test_set], test_feed,
                                 eval_batch_size)
        loop.eval_seconds += time.perf_counter() - started
        loop.history.record(loop.samples_seen, loop.accuracy)
        events.test_end()

    try:
        events.train_begin()  # a resumed run moves `loop` to where its checkpoint stood
        while loop.epoch < num_epochs:
            order = loop.epoch_order()
            for loop.batch in range(loop.batch, loop.num_batches):
                rows = order[loop.batch * batch_size:(loop.batch + 1) * batch_size]
                loop.batch_X, loop.batch_Y = train_X[rows], train_Y[rows]
                loop.feed = update_d(train_feed, {X: loop.batch_X, Y: loop.batch_Y})
                _, loop.batch_accuracy, *cost = loop.run_step(loop.feed)
                loop.cost = cost[0] if cost else None
                loop.samples_seen += len(rows)
                if loop.batch % how_often == 0:
                    measure_test_accuracy()
                events.batch_end()
            measure_test_accuracy()
            events.epoch_end()
            loop.epoch, loop.batch, loop.epoch_order_state = loop.epoch + 1, 0, loop.order_rng.bit_generator.state
        loop.history.seconds = loop.seconds()
        loop.finished = True
    finally:
        events.train_end()  # also after an error: the bar closes, Ctrl-C works again
    history = loop.history
    history.eval_seconds, history.train_seconds = loop.eval_seconds, history.seconds - loop.eval_seconds
    print("Finished training for %d epoch%s" % (num_epochs, "" if num_epochs == 1 else "s"))
    print("Took %.02f seconds (%.02f s per epoch)" % (history.seconds, history.seconds / num_epochs))
    loop.final_accuracy = evaluate(sess, accuracy_operation, X, Y, test_X, test_Y, test_feed, eval_batch_size)
    events.closing()
    history.final_accuracy = loop.final_accuracy
    history.record(loop.samples_seen, loop.final_accuracy)
    print("Final accuracy was %.04f" % loop.final_accuracy)
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
