"""What `train_model` announces, and the features that listen: progress, TensorBoard, trace, timing.

The loop calls each callback's methods (through `Events`), in the order of the list,
at six moments:

    on_train_begin(state)  before the first batch (a resumed run moves `state` here)
    on_batch_end(state)    after each training step: state.cost, state.batch_accuracy, state.feed
    on_test_end(state)     after each periodic test-accuracy check: state.accuracy
    on_epoch_end(state)    after an epoch's last batch and its accuracy check
    on_train_end(state)    when the loop stops, finished (state.finished) or not (an error)
    on_closing(state)      between the article's "Took ..." line and "Final accuracy was ...":
                           state.final_accuracy is known, state.history holds the times

`state` is the `training.TrainingState`: read it, and move it only to resume. A
callback subclasses `Callback` and overrides just the methods it needs; raising
stops training (after `on_train_end`).
Keras's callbacks and fastai's Learner events divide the work the same way; these
are smaller. The NaN check is `tfgraph.training.NaNCheck`; checkpoints, --resume
and Ctrl-C are `tfgraph.resume.Checkpointing`.
"""
import time

import tensorflow as tf
from tqdm.auto import tqdm

from tfgraph.summaries import add_histograms, add_scalars

tf1 = tf.compat.v1


class Callback:
    """Base class of a training callback: every `on_<event>(state)` does nothing until overridden."""

    def on_train_begin(self, state): pass  # noqa: E704
    def on_batch_end(self, state): pass  # noqa: E704
    def on_test_end(self, state): pass  # noqa: E704
    def on_epoch_end(self, state): pass  # noqa: E704
    def on_train_end(self, state): pass  # noqa: E704
    def on_closing(self, state): pass  # noqa: E704


class Events:
    """Tells each callback, in list order, what `train_model` just did: `events.batch_end()` calls each `on_batch_end(state)`."""

    def __init__(self, callbacks, state):
        self.callbacks, self.state = list(callbacks), state

    def train_begin(self):
        """Before the first batch; a resumed run moves `state` to where its checkpoint stood."""
        for callback in self.callbacks:
            callback.on_train_begin(self.state)

    def batch_end(self):
        """After each training step."""
        for callback in self.callbacks:
            callback.on_batch_end(self.state)

    def test_end(self):
        """After each periodic test-accuracy check."""
        for callback in self.callbacks:
            callback.on_test_end(self.state)

    def epoch_end(self):
        """After an epoch's last batch and its accuracy check."""
        for callback in self.callbacks:
            callback.on_epoch_end(self.state)

    def train_end(self):
        """When the loop stops, finished or not."""
        for callback in self.callbacks:
            callback.on_train_end(self.state)

    def closing(self):
        """Between the "Took ..." line and "Final accuracy was ..."."""
        for callback in self.callbacks:
            callback.on_closing(self.state)


class ProgressBar(Callback):
    """A tqdm bar counting training samples, showing the latest test accuracy (the article's)."""

    def __init__(self, enabled=True):
        self.enabled, self.bar = enabled, None

    def on_train_begin(self, state):
        self.bar = tqdm(total=state.num_epochs * state.num_train, initial=state.samples_seen, unit="samples",
                        disable=not self.enabled, dynamic_ncols=True, mininterval=0.5)

    def on_batch_end(self, state):
        self.bar.update(len(state.batch_X))

    def on_test_end(self, state):
        self.bar.set_description("Test Accuracy: %.4f" % state.accuracy)

    def on_train_end(self, state):
        if self.bar is not None:
            self.bar.close()


class TimeSplit(Callback):
    """Print how the time split between training and measuring test accuracy (fully connected net)."""

    def on_closing(self, state):
        history = state.history
        print("  training %.02f s (%.02f s per epoch), measuring test accuracy %.02f s"
              % (history.train_seconds, history.train_seconds / state.num_epochs, history.eval_seconds))


class TensorBoardScalars(Callback):
    """Log the cost and batch accuracy (train writer) and test accuracy (test writer) against samples seen."""

    def __init__(self, run):
        self.run = run

    def on_batch_end(self, state):
        if state.batch % state.how_often == 0:
            values = {"accuracy": float(state.batch_accuracy)}
            if state.cost is not None:
                values["cost"] = float(state.cost)
            add_scalars(self.run.train, state.samples_seen, **values)

    def on_test_end(self, state):
        add_scalars(self.run.test, state.samples_seen, accuracy=state.accuracy)

    def on_closing(self, state):
        add_scalars(self.run.test, state.samples_seen, final_accuracy=state.final_accuracy)
        self.run.last_step = state.samples_seen
        self.run.flush()


class TensorBoardHistograms(Callback):
    """Log every trainable variable and its gradient as histograms, at the start and each epoch's end."""

    def __init__(self, run, cost_operation=None):
        self.run, self.cost_operation = run, cost_operation

    def on_train_begin(self, state):
        if not self.run.resuming:
            log_histograms(state.sess, self.run, 0)  # the initial weights

    def on_epoch_end(self, state):
        started = time.perf_counter()
        log_histograms(state.sess, self.run, state.samples_seen, self.cost_operation, state.feed)
        state.eval_seconds += time.perf_counter() - started  # counted with measuring, not training


class TraceStep(Callback):
    """Trace the second training step (--trace) into the graph dashboard: compute time and memory per op."""

    def __init__(self, run):
        self.run, self.step = run, None

    def on_batch_end(self, state):
        if self.step is not None:  # the traced step just ran: hand its metadata to TensorBoard
            self.run.train.add_run_metadata(state.run_metadata, f"step {self.step}", self.step)
            print(f"Traced one training step into the graph dashboard (tag 'step {self.step}'): pick it under "
                  "'Tag' and colour by compute time or memory.")
            state.run_options = state.run_metadata = None
            self.step = None
        elif state.samples_seen == len(state.batch_X) and not self.run.resuming:  # after the very first step
            self.step = state.samples_seen + len(state.batch_X)
            state.run_options = tf1.RunOptions(trace_level=tf1.RunOptions.FULL_TRACE)
            state.run_metadata = tf1.RunMetadata()


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
