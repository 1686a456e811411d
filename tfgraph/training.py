"""The article's shared training code: `init_weights`, `update_d` and `train_model`.

The article introduces these just before its first neural network ("Basic Fully
Connected Network") so that the three networks after it share one loop. They are
kept here with the article's names and parameter order; what is new is listed in
`train_model`'s docstring.
"""
import math
import signal
import sys
import threading
import time
from typing import NamedTuple

import numpy as np
import tensorflow as tf
from tqdm.auto import tqdm

from tfgraph import graphinfo
from tfgraph.errors import TfgraphError
from tfgraph.steps import PLACEMENTS, SessionSteps
from tfgraph.summaries import add_histograms, add_scalars, log_embedding, log_test_digits

tf1 = tf.compat.v1

#: train_model fetches and checks the cost every this many steps, at every accuracy check and at
#: the end of each epoch.
COST_CHECK_EVERY = 10
#: train_model's evaluation batches hold about this many bytes of activations (see `default_eval_batch_size`).
EVAL_MEMORY = 256 * 2**20


class TrainingDiverged(TfgraphError):
    """The cost became NaN or infinite, so training stopped."""


class TrainingInterrupted(TfgraphError):
    """Ctrl-C stopped training at a batch boundary, after saving a checkpoint."""

    exit_status = 130


class AccuracyHistory(list):
    """The test accuracies `train_model` measured, in order, the final full-test one last.

    It is a plain list (so `plt.plot(accuracies)` works as in the article) with a few
    attributes: `samples` (training samples seen at each entry), `final_accuracy`,
    `seconds`, `train_seconds`, `eval_seconds`, `num_epochs` and `placement` (where the
    steps' ops ran: 'thread pool' or 'calling thread'; 'measuring' when 'auto' had too few
    steps to choose).
    """

    def __init__(self):
        super().__init__()
        self.samples = []
        self.final_accuracy = None
        self.seconds = self.train_seconds = self.eval_seconds = 0.0
        self.num_epochs = 0
        self.placement = None

    def record(self, samples_seen, accuracy):
        """Append one accuracy measured after `samples_seen` training samples."""
        self.append(accuracy)
        self.samples.append(samples_seen)


class ClassifierOps(NamedTuple):
    """The ops every MNIST lesson builds on top of its model's logits."""
    total_cost: tf.Tensor
    train_operation: tf.Operation
    predict_operation: tf.Tensor
    accuracy_operation: tf.Tensor


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


def evaluate(sess, accuracy_operation, X, Y, images, labels, feed=None, batch_size=1000):
    """Accuracy over all `images`, run in batches and weighted by batch length (introduced by logistic regression).

    `accuracy_operation` must be a mean over its batch, as the article's is. Running
    10,000 images through the CNN in one go needs gigabytes; batches do not.
    """
    def run_batch(batch_images, batch_labels):
        return sess.run(accuracy_operation, feed_dict=update_d(feed, {X: batch_images, Y: batch_labels}))

    return _batched_accuracy(run_batch, images, labels, batch_size)


def _batched_accuracy(run_batch, images, labels, batch_size):
    """The accuracy over all `images` from `run_batch(images, labels)`, a mean over each batch."""
    if len(images) == 0:
        raise TfgraphError("Cannot measure accuracy on an empty test set: give at least one test image.")
    correct = 0.0
    for start in range(0, len(images), batch_size):
        end = start + batch_size
        correct += float(run_batch(images[start:end], labels[start:end])) * len(images[start:end])
    return correct / len(images)


def default_eval_batch_size(accuracy_operation, memory=EVAL_MEMORY):
    """Images per evaluation batch whose activations take about `memory` bytes, in hundreds (fully connected net).

    At least 100; 1,000 when the graph knows no batch-shaped activations to count
    (`graphinfo.bytes_per_sample`).
    """
    per_image = graphinfo.bytes_per_sample(accuracy_operation) \
        if isinstance(accuracy_operation, (tf.Tensor, tf.Operation)) else 0
    if per_image == 0:  # no batch-shaped activations known to the graph: a middle size
        return 1000
    return max(100, memory // per_image // 100 * 100)


def check_cost(cost, epoch, batch_index, samples_seen):
    """Return `cost` as a float, or raise TrainingDiverged if it is NaN or infinite (logistic regression)."""
    cost = float(cost)
    if not math.isfinite(cost):
        raise TrainingDiverged(
            f"Training stopped: the cost became {cost} in epoch {epoch + 1}, batch {batch_index + 1} "
            f"(after {samples_seen} samples). The steps are too large for this model: try a smaller "
            "learning rate (--learning-rate), then run again.")
    return cost


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


def train_model(sess, train_X, train_Y, test_X, test_Y, train_operation, accuracy_operation,
                num_epochs, batch_size, test_size, train_feed=None, test_feed=None, how_often=100, *,
                X, Y, cost_operation=None, run=None, shuffle=True, seed=None,
                eval_batch_size=None, hooks=(), progress=True, trace=False, placement="auto"):
    """Train with minibatches, measuring test accuracy as it goes (the article's helper, fully connected net).

    As in the article: a tqdm bar counts training samples and shows "Test Accuracy: ..."
    from a random `test_size` subset of the test set, measured every `how_often`
    batches and at the end of each epoch; then it prints "Finished training for N
    epochs", "Took X seconds (Y s per epoch)" and "Final accuracy was 0.XXXX" on the
    whole test set, and returns the accuracies (an `AccuracyHistory`).

    Beyond the article:
    - `X` and `Y` (the input placeholders) are passed by keyword; the article read them
      from the notebook's globals.
    - The training set is shuffled at each epoch with a generator seeded by `seed`;
      `shuffle=False` keeps the article's fixed order. A last partial batch is trained
      on and counted, never dropped.
    - Accuracy is measured in batches of `eval_batch_size` images. The article fed the
      whole test set at once, which for the CNN needs gigabytes; by default (None) a batch
      is as large as fits in `EVAL_MEMORY` of activations (`default_eval_batch_size`): the
      whole 10,000 images for the fully connected and modern nets, 500 for the CNN. Large
      batches measured 1.0-1.1x faster than batches of 1,000 there; the CNN's did not change.
    - With `cost_operation`, the cost is checked every `COST_CHECK_EVERY` steps, at every
      accuracy check and at each epoch's end: NaN or infinity stops training with
      `TrainingDiverged`.
    - With `run` (a `summaries.Run`): the train cost and batch accuracy go to its train
      writer and the test accuracy to its test writer, with the number of samples seen
      as the step; a checkpoint is saved every `run.checkpoints.every_seconds` (at an
      accuracy check) and at the end; if `run.resuming`, training continues from the
      run's last checkpoint; and Ctrl-C stops at the next batch boundary, saves a
      checkpoint and raises `TrainingInterrupted` (a second Ctrl-C stops at once).
    - With `trace` and `run`, the second training step is traced (`RunOptions.FULL_TRACE`)
      and its run metadata written to the train writer, so TensorBoard's graph
      dashboard can colour ops by compute time and memory.
    - Each function in `hooks` is called as `hook(samples_seen, accuracy)` after every
      accuracy measurement, so a lesson can log more without changing this loop.
    - Steps and accuracy checks go through compiled Session callables (`tfgraph.steps`).
      With `placement='auto'` (the default) the first steps are timed with their ops on
      TensorFlow's inter-op thread pool and in the calling thread, and the faster is kept
      (the calling thread, ~1.1x, for the fully connected net). Steps longer than 2.5 ms
      on the pool keep it without trying the calling thread, whose saving per call is too
      small to matter there (the modern net and the CNN, where it was 0.84x and 0.96x).
      Both give the same numbers bit for bit, so the choice never changes a result;
      'thread pool' or 'calling thread' fix it.
    - The closing lines split the time into training and measuring test accuracy, and
      say where the steps ran.
    """
    _check_arguments(train_X, train_Y, test_X, test_Y, num_epochs, batch_size, test_size, how_often,
                     eval_batch_size)
    if eval_batch_size is None:
        eval_batch_size = default_eval_batch_size(sess.graph.as_graph_element(accuracy_operation))
    train_feed, test_feed = dict(train_feed or {}), dict(test_feed or {})
    num_train = len(train_X)
    num_batches = -(-num_train // batch_size)
    order_seed, eval_seed = np.random.SeedSequence(seed).spawn(2)
    order_rng, eval_rng = np.random.default_rng(order_seed), np.random.default_rng(eval_seed)
    history = AccuracyHistory()
    history.num_epochs = num_epochs
    loop = {"epoch": 0, "batch": 0, "samples_seen": 0, "train_seconds": 0.0, "eval_seconds": 0.0,
            "epoch_order_rng": order_rng.bit_generator.state}
    if run is not None and run.resuming:
        loop = _resume(sess, run, history, eval_rng, num_train, batch_size, shuffle)
    elif run is not None:
        log_histograms(sess, run, 0)  # the initial weights

    # One compiled callable per fetch list, fed positionally: the train op alone, + the cost, + the
    # batch accuracy. Measured 1.08-1.24x faster per step than sess.run with a feed dict (which
    # Session.make_callable is a shortcut to; benchmarks/results.md).
    feed_list = [X, Y, *train_feed]
    extra_feeds = list(train_feed.values())
    step_fetches = [train_operation] + ([cost_operation] if cost_operation is not None else [])
    steps = SessionSteps(sess, feed_list, placement)
    run_step = steps.callable([train_operation], timed=True)
    run_checked_step = steps.callable(step_fetches)
    run_logged_step = steps.callable(step_fetches + [accuracy_operation])
    # Accuracy checks run where the steps run: measured, checks on the thread pool slowed the fully
    # connected net's calling-thread steps after them by ~5%.
    test_feed_values = list(test_feed.values())
    run_accuracy = steps.callable([accuracy_operation], feed_list=[X, Y, *test_feed])

    def test_batch_accuracy(images, labels):
        return run_accuracy(images, labels, *test_feed_values)[0]

    def measure_test_accuracy():
        started = time.perf_counter()
        if test_size == len(test_X):
            tX, tY = test_X, test_Y
        else:
            test_set = eval_rng.choice(len(test_X), test_size, replace=False)
            tX, tY = test_X[test_set], test_Y[test_set]
        accuracy = _batched_accuracy(test_batch_accuracy, tX, tY, eval_batch_size)
        loop["eval_seconds"] += time.perf_counter() - started
        history.record(loop["samples_seen"], accuracy)
        bar.set_description("Test Accuracy: %.4f" % accuracy)
        if run is not None:
            add_scalars(run.test, loop["samples_seen"], accuracy=accuracy)
        for hook in hooks:
            hook(loop["samples_seen"], accuracy)

    def save_checkpoint():
        position = dict(loop, eval_rng=eval_rng.bit_generator.state, accuracies=list(history),
                        samples=list(history.samples), num_train=num_train, batch_size=batch_size,
                        shuffle=shuffle)
        run.checkpoints.save(sess, loop["samples_seen"], position)

    with _StopOnInterrupt(enabled=run is not None) as interrupt, \
            tqdm(total=num_epochs * num_train, initial=loop["samples_seen"], unit="samples",
                 disable=not progress, dynamic_ncols=True, mininterval=0.5) as bar:
        started = time.perf_counter() - loop["train_seconds"] - loop["eval_seconds"]
        while loop["epoch"] < num_epochs:
            epoch = loop["epoch"]
            order_rng.bit_generator.state = loop["epoch_order_rng"]
            # Each batch is gathered from the epoch's permutation: measured 1.2-1.3x faster per step
            # than copying the whole shuffled training set each epoch (benchmarks/results.md).
            order = order_rng.permutation(num_train) if shuffle else None
            for batch_index in range(loop["batch"], num_batches):
                start = batch_index * batch_size
                rows = order[start:start + batch_size] if shuffle else slice(start, start + batch_size)
                batch_X, batch_Y = train_X[rows], train_Y[rows]
                measure_now = batch_index % how_often == 0
                if trace and run is not None and loop["samples_seen"] == len(batch_X) and not measure_now:
                    results = _traced_step(sess, run, step_fetches, feed_list, [batch_X, batch_Y, *extra_feeds],
                                           loop["samples_seen"] + len(batch_X))
                else:
                    # The cost is fetched and checked every COST_CHECK_EVERY steps, not every step: the
                    # fetch cost 1-5% of a small model's step (measured), and a NaN, once there, stays.
                    check_now = cost_operation is not None and (
                        batch_index % COST_CHECK_EVERY == 0 or batch_index == num_batches - 1)
                    step = run_logged_step if measure_now else run_checked_step if check_now else run_step
                    results = step(batch_X, batch_Y, *extra_feeds)
                loop["samples_seen"] += len(batch_X)
                loop["batch"] = batch_index + 1
                bar.update(len(batch_X))
                if cost_operation is not None and len(results) > 1:
                    cost = check_cost(results[1], epoch, batch_index, loop["samples_seen"])
                if measure_now:
                    if run is not None:
                        values = {"accuracy": float(results[-1])}
                        if cost_operation is not None:
                            values["cost"] = cost
                        add_scalars(run.train, loop["samples_seen"], **values)
                    measure_test_accuracy()
                if interrupt.requested or (measure_now and run is not None and run.checkpoints.due()):
                    loop["train_seconds"] = time.perf_counter() - started - loop["eval_seconds"]
                    save_checkpoint()
                    if interrupt.requested:
                        run.flush()
                        raise TrainingInterrupted(
                            f"Training stopped after {loop['samples_seen']} samples (epoch {epoch + 1}, batch "
                            f"{batch_index + 1}); a checkpoint is saved in {run.checkpoints.dir}. Continue "
                            f"with: {run.resume_command or 'the same command and --resume'}")
            measure_test_accuracy()
            if run is not None:
                started_histograms = time.perf_counter()
                log_histograms(sess, run, loop["samples_seen"], cost_operation,
                               update_d(train_feed, {X: batch_X, Y: batch_Y}))
                loop["eval_seconds"] += time.perf_counter() - started_histograms
            loop.update(epoch=epoch + 1, batch=0, epoch_order_rng=order_rng.bit_generator.state)
        history.seconds = time.perf_counter() - started
        loop["train_seconds"] = history.seconds - loop["eval_seconds"]
        if run is not None:
            save_checkpoint()

    history.eval_seconds = loop["eval_seconds"]
    history.train_seconds = loop["train_seconds"]
    history.placement = steps.placement
    print("Finished training for %d epochs" % num_epochs)
    print("Took %.02f seconds (%.02f s per epoch)" % (history.seconds, history.seconds / num_epochs))
    print("  training %.02f s (%.02f s per epoch), measuring test accuracy %.02f s"
          % (history.train_seconds, history.train_seconds / num_epochs, history.eval_seconds))
    print("  " + _placement_line(steps))
    history.final_accuracy = _batched_accuracy(test_batch_accuracy, test_X, test_Y, eval_batch_size)
    history.record(loop["samples_seen"], history.final_accuracy)
    if run is not None:
        add_scalars(run.test, loop["samples_seen"], final_accuracy=history.final_accuracy)
        run.last_step = loop["samples_seen"]
        run.flush()
    print("Final accuracy was %.04f" % history.final_accuracy)
    return history


def _placement_line(steps):
    """Where the training steps' ops ran, and how much faster that was when it was measured."""
    if steps.chooser is None:
        return f"steps ran in the {steps.placement}"
    if steps.chooser.kept_first:
        step_ms = 1000 * steps.chooser.block_means[0][0]
        return (f"steps ran in the thread pool (a step took {step_ms:.1f} ms: too long for the calling "
                "thread's saving per call to matter, so it was not tried)")
    speedup = steps.chooser.speedup()
    if speedup is None:
        return "steps ran both in the thread pool and in the calling thread (too few steps to time them)"
    other = PLACEMENTS[1 - steps.chooser.chosen]
    return f"steps ran in the {steps.placement}: {speedup:.2f}x as fast as the {other} over the first steps"


def log_histograms(sess, run, step, cost_operation=None, feed=None):
    """Log histograms of every trainable variable and, given a cost and a feed, of its gradient (fully connected net).

    The gradient ops are built once per run, under the `histograms` name scope, after
    the graph was written for TensorBoard: the graph a learner sees stays the article's.
    """
    variables = sess.graph.get_collection(tf1.GraphKeys.TRAINABLE_VARIABLES)
    arrays = {f"weights/{variable.op.name}": value for variable, value in zip(variables, sess.run(variables))}
    if cost_operation is not None and feed is not None:
        if run.gradient_tensors is None:
            with sess.graph.as_default(), tf.name_scope("histograms"):
                run.gradient_tensors = tf.gradients(cost_operation, variables)
        gradients = sess.run(run.gradient_tensors, feed_dict=feed)
        arrays.update({f"gradients/{variable.op.name}": gradient
                       for variable, gradient in zip(variables, gradients) if gradient is not None})
    add_histograms(run.train, step, **arrays)


def run_in_batches(sess, tensor, X, images, feed=None, batch_size=None):
    """`tensor`'s values for all of `images`, fed `batch_size` at a time and joined (fully connected net).

    By default a batch is sized to `EVAL_MEMORY` of activations (`default_eval_batch_size`).
    """
    if batch_size is None:
        batch_size = default_eval_batch_size(tensor)
    return np.concatenate([sess.run(tensor, feed_dict=update_d(feed, {X: images[start:start + batch_size]}))
                           for start in range(0, len(images), batch_size)])


def log_test_views(run, sess, X, test_X, test_Y, predict_operation, hidden=None, test_feed=None,
                   num_embedded=1000):
    """After training: log test digits, the misclassified ones, and the `hidden` layer for the projector (fully connected net)."""
    step = run.last_step
    predictions = run_in_batches(sess, predict_operation, X, test_X, test_feed)
    wrong = log_test_digits(run, test_X, test_Y, predictions, step)
    if hidden is not None:
        embedded = test_X[:num_embedded]
        vectors = run_in_batches(sess, hidden, X, embedded, test_feed)
        log_embedding(run, vectors, embedded, test_Y[:num_embedded])
    run.flush()
    print(f"TensorBoard images: {min(wrong, 12)} of the {wrong} misclassified test digits"
          + (f"; projector: the {hidden.op.name} layer of {len(test_X[:num_embedded])} test digits" if hidden is not None else ""))
    return wrong


def resumable_epochs(sess, run, num_epochs, state, steps_per_epoch=1):
    """`range(num_epochs)` that checkpoints, resumes and stops cleanly on Ctrl-C, for a lesson's own loop (linear regression).

    `state` maps names to the lists (and numbers) the loop fills, such as
    `{"costs": costs}`; it is saved with the variables at the end of an epoch every
    `run.checkpoints.every_seconds` and at the end, and with `run.resuming` it is restored
    in place (lists keep their identity) before the first epoch. Ctrl-C stops after the
    current epoch with a checkpoint and `TrainingInterrupted`. TensorBoard steps are
    epochs times `steps_per_epoch`.
    """
    start = 0
    if run.resuming:
        latest = run.checkpoints.latest()
        if latest is None:
            raise TfgraphError(
                f"There is no checkpoint to resume from in {run.checkpoints.dir}; start a new run without --resume.")
        path, position = latest
        run.checkpoints.restore(sess, path)
        for key, value in position["state"].items():
            if isinstance(state.get(key), list):
                state[key][:] = value
            else:
                state[key] = value
        start = position["epoch"]
        run.restart_at(start * steps_per_epoch + 1)
        print(f"Resuming from {path} (epoch {start + 1} of {num_epochs})")
    interrupt = _StopOnInterrupt().__enter__()
    # If the lesson's loop body raises, this generator is only closed when it is collected;
    # closing the run puts Ctrl-C back at once.
    run.cleanups.append(interrupt.__exit__)
    try:
        for epoch in range(start, num_epochs):
            yield epoch
            if interrupt.requested or epoch + 1 == num_epochs or run.checkpoints.due():
                run.checkpoints.save(sess, (epoch + 1) * steps_per_epoch, {"epoch": epoch + 1, "state": state})
            if interrupt.requested:
                run.flush()
                raise TrainingInterrupted(
                    f"Training stopped after epoch {epoch + 1}; a checkpoint is saved in {run.checkpoints.dir}. "
                    f"Continue with: {run.resume_command or 'the same command and --resume'}")
    finally:
        interrupt.__exit__()


def _traced_step(sess, run, fetches, feed_list, values, step):
    """Run one training step with a full trace and write its run metadata for TensorBoard (--trace)."""
    metadata = tf1.RunMetadata()
    results = sess.run(fetches, feed_dict=dict(zip(feed_list, values)),
                       options=tf1.RunOptions(trace_level=tf1.RunOptions.FULL_TRACE), run_metadata=metadata)
    run.train.add_run_metadata(metadata, f"step {step}", step)
    print(f"Traced one training step into the graph dashboard (tag 'step {step}'): pick it under 'Tag' "
          "and colour by compute time or memory.")
    return results


def _resume(sess, run, history, eval_rng, num_train, batch_size, shuffle):
    """Restore the run's latest checkpoint into `sess` and `history`; return the loop position."""
    latest = run.checkpoints.latest()
    if latest is None:
        raise TfgraphError(
            f"There is no checkpoint to resume from in {run.checkpoints.dir}. Checkpoints are saved every "
            "--checkpoint-every seconds and at the end of training; start a new run without --resume.")
    path, position = latest
    if (position["num_train"], position["batch_size"], position["shuffle"]) != (num_train, batch_size, shuffle):
        raise TfgraphError(
            f"The checkpoint {path} was saved while training on {position['num_train']} examples in batches "
            f"of {position['batch_size']} (shuffle={position['shuffle']}), not {num_train} in batches of "
            f"{batch_size} (shuffle={shuffle}). Resume with the original run's data and flags.")
    run.checkpoints.restore(sess, path)
    eval_rng.bit_generator.state = position.pop("eval_rng")
    for samples, accuracy in zip(position.pop("samples"), position.pop("accuracies")):
        history.record(samples, accuracy)
    run.restart_at(position["samples_seen"] + 1)  # what was logged up to the checkpoint stays
    print(f"Resuming from {path} (epoch {position['epoch'] + 1}, batch {position['batch'] + 1}, "
          f"{position['samples_seen']} samples seen)")
    return {key: position[key] for key in ("epoch", "batch", "samples_seen", "train_seconds", "eval_seconds",
                                           "epoch_order_rng")}


class _StopOnInterrupt:
    """While active, the first Ctrl-C only sets `requested`; the second one interrupts at once."""

    def __init__(self, enabled=True):
        self.enabled = enabled and threading.current_thread() is threading.main_thread()
        self.requested = False
        self._previous = None

    def _handle(self, signum, frame):
        self.requested = True
        signal.signal(signal.SIGINT, signal.default_int_handler)
        print("\nStopping after this batch to save a checkpoint (Ctrl-C again to quit at once)...",
              file=sys.stderr, flush=True)

    def __enter__(self):
        if self.enabled:
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc_info):
        if self.enabled and self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None  # restore once, however often it is called
