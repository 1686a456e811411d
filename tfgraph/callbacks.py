"""What `train_model` announces, and the features that listen: progress, TensorBoard, NaN check, trace, timing.

The loop calls each callback's methods, in the order of the list, at six moments:

    on_train_begin(loop)  before the first batch (a resumed run moves `loop` here)
    on_batch_end(loop)    after each training step: loop.cost, loop.batch_accuracy, loop.feed
    on_test_end(loop)     after each periodic test-accuracy check: loop.accuracy
    on_epoch_end(loop)    after an epoch's last batch and its accuracy check
    on_train_end(loop)    when the loop stops, finished (loop.finished) or not (an error)
    on_closing(loop)      between the article's "Took ..." line and "Final accuracy was ...":
                          loop.final_accuracy is known, loop.history holds the times

`loop` is the `training.Loop`: read it, and move it only to resume. A callback
defines just the methods it needs; raising stops training (after `on_train_end`).
Keras's callbacks and fastai's Learner events divide the work the same way; these
are smaller. Checkpoints, --resume and Ctrl-C are `tfgraph.resume.Checkpointing`.
"""
import time

import tensorflow as tf
from tqdm.auto import tqdm

from tfgraph.summaries import add_histograms, add_scalars

tf1 = tf.compat.v1
EVENTS = ("train_begin", "batch_end", "test_end", "epoch_end", "train_end", "closing")


class Callback:
    """Base class of a training callback: every `on_<event>(loop)` does nothing until overridden."""

    def on_train_begin(self, loop): pass  # noqa: E704
    def on_batch_end(self, loop): pass  # noqa: E704
    def on_test_end(self, loop): pass  # noqa: E704
    def on_epoch_end(self, loop): pass  # noqa: E704
    def on_train_end(self, loop): pass  # noqa: E704
    def on_closing(self, loop): pass  # noqa: E704


class Events:
    """Calls `on_<event>(loop)` on each callback that has it, in order: `events.batch_end()`."""

    def __init__(self, callbacks, loop):
        self.callbacks, self.loop = list(callbacks), loop

    def __getattr__(self, event):
        if event not in EVENTS:
            raise AttributeError(event)

        def notify():
            for callback in self.callbacks:
                method = getattr(callback, "on_" + event, None)
                if method is not None:
                    method(self.loop)
        return notify


class ProgressBar(Callback):
    """A tqdm bar counting training samples, showing the latest test accuracy (the article's)."""

    def __init__(self, enabled=True):
        self.enabled, self.bar = enabled, None

    def on_train_begin(self, loop):
        self.bar = tqdm(total=loop.num_epochs * loop.num_train, initial=loop.samples_seen, unit="samples",
                        disable=not self.enabled, dynamic_ncols=True, mininterval=0.5)

    def on_batch_end(self, loop):
        self.bar.update(len(loop.batch_X))

    def on_test_end(self, loop):
        self.bar.set_description("Test Accuracy: %.4f" % loop.accuracy)

    def on_train_end(self, loop):
        if self.bar is not None:
            self.bar.close()


class NaNCheck(Callback):
    """Stop with `TrainingDiverged` once the cost is NaN or infinite (introduced by logistic regression)."""

    def on_batch_end(self, loop):
        from tfgraph.training import check_cost

        if loop.cost is not None:
            check_cost(loop.cost, loop.epoch, loop.batch, loop.samples_seen)


class TimeSplit(Callback):
    """Print how the time split between training and measuring test accuracy (fully connected net)."""

    def on_closing(self, loop):
        history = loop.history
        print("  training %.02f s (%.02f s per epoch), measuring test accuracy %.02f s"
              % (history.train_seconds, history.train_seconds / loop.num_epochs, history.eval_seconds))


class TensorBoardScalars(Callback):
    """Log the cost and batch accuracy (train writer) and test accuracy (test writer) against samples seen."""

    def __init__(self, run):
        self.run = run

    def on_batch_end(self, loop):
        if loop.batch % loop.how_often == 0:
            values = {"accuracy": float(loop.batch_accuracy)}
            if loop.cost is not None:
                values["cost"] = float(loop.cost)
            add_scalars(self.run.train, loop.samples_seen, **values)

    def on_test_end(self, loop):
        add_scalars(self.run.test, loop.samples_seen, accuracy=loop.accuracy)

    def on_closing(self, loop):
        add_scalars(self.run.test, loop.samples_seen, final_accuracy=loop.final_accuracy)
        self.run.last_step = loop.samples_seen
        self.run.flush()


class TensorBoardHistograms(Callback):
    """Log every trainable variable and its gradient as histograms, at the start and each epoch's end."""

    def __init__(self, run, cost_operation=None):
        self.run, self.cost_operation = run, cost_operation

    def on_train_begin(self, loop):
        if not self.run.resuming:
            log_histograms(loop.sess, self.run, 0)  # the initial weights

    def on_epoch_end(self, loop):
        started = time.perf_counter()
        log_histograms(loop.sess, self.run, loop.samples_seen, self.cost_operation, loop.feed)
        loop.eval_seconds += time.perf_counter() - started  # counted with measuring, not training


class TraceStep(Callback):
    """Trace the second training step (--trace) into the graph dashboard: compute time and memory per op."""

    def __init__(self, run):
        self.run = run

    def on_batch_end(self, loop):
        if loop.samples_seen != len(loop.batch_X) or self.run.resuming:
            return  # only after the very first step
        plain = loop.run_step

        def traced(feed):
            loop.run_step = plain  # one step only
            step = loop.samples_seen + len(loop.batch_X)
            metadata = tf1.RunMetadata()
            results = loop.sess.run(plain.fetches, feed_dict=feed, run_metadata=metadata,
                                    options=tf1.RunOptions(trace_level=tf1.RunOptions.FULL_TRACE))
            self.run.train.add_run_metadata(metadata, f"step {step}", step)
            print(f"Traced one training step into the graph dashboard (tag 'step {step}'): pick it under "
                  "'Tag' and colour by compute time or memory.")
            return results
        loop.run_step = traced


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


def default_callbacks(run=None, cost_operation=None, trace=False, progress=True):
    """The lessons' callbacks, in the order that matters: check the cost, log it, then save; resume, then open the bar."""
    from tfgraph.resume import Checkpointing

    if run is None:
        return [NaNCheck(), ProgressBar(progress), TimeSplit()]
    return [NaNCheck(), TensorBoardScalars(run), Checkpointing(run), ProgressBar(progress), TimeSplit(),
            TensorBoardHistograms(run, cost_operation)] + ([TraceStep(run)] if trace else [])
