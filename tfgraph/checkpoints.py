"""Checkpoints of a training run: the session's variables and where the loop stood.

`train_model` saves one every `every_seconds` (at an accuracy check) and at the
end, into `<run>/checkpoints/`: the variables through `tf.compat.v1.train.Saver`
(`model.ckpt-<samples seen>.*`) and the loop's position as `position-<samples
seen>.json`. The position file is written first and atomically, and the Saver
moves its `checkpoint` pointer (atomically too) only once the variables are
written, so a crash mid-save leaves the previous checkpoint whole and pointed to.
"""
import json
import os
import tempfile
import time
from pathlib import Path

import tensorflow as tf

from tfgraph.errors import TfgraphError

tf1 = tf.compat.v1


def write_json_atomically(path, data):
    """Write `data` as JSON to `path` through a temporary file, so `path` is whole or absent."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix="." + path.name, suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(data, stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


class Checkpoints:
    """Save and restore a run's variables and loop position in one folder (fully connected net)."""

    def __init__(self, directory, graph, every_seconds=60.0, max_to_keep=2):
        self.dir = Path(directory)
        self.every_seconds = every_seconds
        self.max_to_keep = max_to_keep
        self._graph = graph
        self._saver = None
        self._last_save = time.monotonic()

    @property
    def saver(self):
        """The Saver, created on first use (its ops go under the graph's `save` scope)."""
        if self._saver is None:
            with self._graph.as_default():
                self._saver = tf1.train.Saver(max_to_keep=self.max_to_keep, save_relative_paths=True)
            state = tf1.train.get_checkpoint_state(str(self.dir)) if self.dir.exists() else None
            if state is not None:
                self._saver.recover_last_checkpoints(list(state.all_model_checkpoint_paths))
        return self._saver

    def due(self):
        """Whether `every_seconds` have passed since the last save."""
        return time.monotonic() - self._last_save >= self.every_seconds

    def save(self, sess, step, position):
        """Save the variables and `position` (a JSON-able dict) as checkpoint number `step`."""
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            write_json_atomically(self.dir / f"position-{step}.json", position)
            self.saver.save(sess, str(self.dir / "model.ckpt"), global_step=step, write_meta_graph=False)
        except (OSError, tf.errors.OpError) as error:
            message = getattr(error, "strerror", None) or getattr(error, "message", None) or str(error)
            raise TfgraphError(
                f"Cannot save a checkpoint in {self.dir}: {message}. Free some disk space or choose "
                "another --logdir; the previous checkpoint, if any, is still whole.") from None
        kept = {Path(path).name.rsplit("-", 1)[-1] for path in self.saver.last_checkpoints}
        for stale in self.dir.glob("position-*.json"):
            if stale.stem.split("-", 1)[1] not in kept:
                stale.unlink()
        self._last_save = time.monotonic()

    def latest(self):
        """The newest checkpoint as (path prefix, position dict), or None if there is none."""
        if not self.dir.exists():
            return None
        path = tf1.train.latest_checkpoint(str(self.dir))
        if path is None:
            return None
        step = path.rsplit("-", 1)[-1]
        try:
            with open(self.dir / f"position-{step}.json", encoding="utf-8") as stream:
                return path, json.load(stream)
        except (OSError, ValueError):
            raise TfgraphError(
                f"The checkpoint {path} has no readable position file (position-{step}.json). "
                "The run cannot be resumed; start a new run without --resume.") from None

    def _check_shapes(self, path):
        """Raise ValueError naming the first variable whose saved shape differs from the graph's.

        Restoring does not check this itself: resource variables silently take the saved shape.
        """
        saved = dict(tf.train.list_variables(path))
        with self._graph.as_default():
            variables = tf1.global_variables()
        for variable in variables:
            name, shape = variable.op.name, variable.shape.as_list()
            if name not in saved:
                raise ValueError(f"the variable {name} of this graph is not in the checkpoint")
            if list(saved[name]) != shape:
                raise ValueError(f"the variable {name} has shape {shape} here but {list(saved[name])} "
                                 "in the checkpoint")

    def restore(self, sess, path):
        """Load the variables saved at `path` into `sess`, or explain why they do not fit this graph."""
        try:
            self._check_shapes(path)
            self.saver.restore(sess, path)
        except (tf.errors.NotFoundError, tf.errors.InvalidArgumentError, ValueError) as error:
            first_line = str(getattr(error, "message", error)).strip().splitlines()[0]
            raise TfgraphError(
                f"The checkpoint {path} does not fit the graph built now: it was saved from a different "
                f"model (other hidden units, another lesson or a changed flag). TensorFlow says: "
                f"{first_line[:300]}. Resume with the flags of the original run (they are in run.json "
                "beside it), or start a new run without --resume.") from None
