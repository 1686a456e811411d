"""Checkpoints, --resume and Ctrl-C: the `Checkpointing` callback and `resumable_epochs` for a lesson's own loop.

A checkpoint is the session's variables plus where the loop stood (`tfgraph.checkpoints`
writes both). Saved every `run.checkpoints.every_seconds` (at an accuracy check), on
Ctrl-C (at the next batch boundary) and at the end, it lets a killed or interrupted run
continue with `--resume` and end, on the CPU, bit for bit where an uninterrupted run
ends: the random streams of the epoch's order and of the test subsets are saved too.
"""
import signal
import sys
import threading

from tfgraph.callbacks import Callback
from tfgraph.errors import TfgraphError

#: What a checkpoint keeps of the loop (`training.Loop`), besides the accuracies so far.
POSITION = ("epoch", "batch", "samples_seen")


class Checkpointing(Callback):
    """Save checkpoints while `train_model` runs, resume from the last one, stop cleanly on Ctrl-C (fully connected net)."""

    def __init__(self, run):
        self.run = run
        self.interrupt = StopOnInterrupt()

    def on_train_begin(self, loop):
        if self.run.resuming:
            self._resume(loop)
        self.interrupt.__enter__()
        self.run.cleanups.append(self.interrupt.__exit__)  # Ctrl-C works again when the run closes

    def on_batch_end(self, loop):
        checking = loop.batch % loop.how_often == 0
        if self.interrupt.requested or (checking and self.run.checkpoints.due()):
            self._save(loop, batch=loop.batch + 1)
        if self.interrupt.requested:
            self.run.flush()
            raise TrainingInterrupted(
                f"Training stopped after {loop.samples_seen} samples (epoch {loop.epoch + 1}, batch "
                f"{loop.batch + 1}); a checkpoint is saved in {self.run.checkpoints.dir}. Continue with: "
                f"{self.run.resume_command or 'the same command and --resume'}")

    def on_train_end(self, loop):
        if loop.finished:
            self._save(loop, batch=0)
        self.interrupt.__exit__()

    def _save(self, loop, batch):
        """Save the variables and the loop's position, `batch` being the next one to train."""
        seconds = loop.seconds()
        position = {"epoch": loop.epoch, "batch": batch, "samples_seen": loop.samples_seen,
                    "train_seconds": seconds - loop.eval_seconds, "eval_seconds": loop.eval_seconds,
                    "epoch_order_rng": loop.epoch_order_state, "eval_rng": loop.test_rng.bit_generator.state,
                    "accuracies": list(loop.history), "samples": list(loop.history.samples),
                    "num_train": loop.num_train, "batch_size": loop.batch_size, "shuffle": loop.shuffle}
        self.run.checkpoints.save(loop.sess, loop.samples_seen, position)

    def _resume(self, loop):
        """Restore the run's latest checkpoint into the session and move `loop` to where it stood."""
        path, position = self.run.checkpoints.restore_latest(loop.sess)  # the newest readable one
        saved = (position["num_train"], position["batch_size"], position["shuffle"])
        if saved != (loop.num_train, loop.batch_size, loop.shuffle):
            raise TfgraphError(
                f"The checkpoint {path} was saved while training on {saved[0]} examples in batches of {saved[1]} "
                f"(shuffle={saved[2]}), not {loop.num_train} in batches of {loop.batch_size} "
                f"(shuffle={loop.shuffle}). Resume with the original run's data and flags.")
        loop.epoch, loop.batch, loop.samples_seen = (position[key] for key in POSITION)
        loop.seconds_before = position["train_seconds"] + position["eval_seconds"]
        loop.eval_seconds = position["eval_seconds"]
        loop.epoch_order_state = position["epoch_order_rng"]
        loop.test_rng.bit_generator.state = position["eval_rng"]
        for samples, accuracy in zip(position["samples"], position["accuracies"]):
            loop.history.record(samples, accuracy)
        self.run.restart_at(loop.samples_seen + 1)  # what was logged up to the checkpoint stays
        print(f"Resuming from {path} (epoch {loop.epoch + 1}, batch {loop.batch + 1}, "
              f"{loop.samples_seen} samples seen)")


class TrainingInterrupted(TfgraphError):
    """Ctrl-C stopped training at a batch boundary, after saving a checkpoint."""

    exit_status = 130


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
        path, position = run.checkpoints.restore_latest(sess)
        for key, value in position["state"].items():
            if isinstance(state.get(key), list):
                state[key][:] = value
            else:
                state[key] = value
        start = position["epoch"]
        run.restart_at(start * steps_per_epoch + 1)
        print(f"Resuming from {path} (epoch {start + 1} of {num_epochs})")
    interrupt = StopOnInterrupt().__enter__()
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


class StopOnInterrupt:
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
