"""Checkpoints of a training run: the session's variables and where the loop stood.

`train_model` saves one every `every_seconds` (at an accuracy check) and at the
end, into `<run>/checkpoints/`: the variables through `tf.compat.v1.train.Saver`
(`model.ckpt-<samples seen>.*`) and the loop's position as `position-<samples
seen>.json`. The position file is written first and atomically, and the Saver
moves its `checkpoint` pointer (atomically too) only once the variables are
written, so a crash mid-save leaves the previous checkpoint whole and pointed to.
"""
import json
import shutil
import time
from pathlib import Path

import tensorflow as tf

from tfgraph.atomic import write_json_atomically
from tfgraph.errors import TfgraphError

tf1 = tf.compat.v1


def _first_line(error):
    """The first line of an exception's message, short enough for a sentence."""
    lines = str(getattr(error, "message", None) or getattr(error, "strerror", None) or error).strip().splitlines()
    full = [line for line in lines if "space left" in line or "quota" in line.lower()]  # say the disk is full
    return (full or lines or [type(error).__name__])[0].strip()[:300]


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
        kept_before = self._kept()
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            write_json_atomically(self.dir / f"position-{step}.json", position)
            self.saver.save(sess, str(self.dir / "model.ckpt"), global_step=step, write_meta_graph=False)
        except (OSError, tf.errors.OpError) as error:
            if str(step) not in kept_before:  # a half-written new checkpoint must not look usable
                self._remove_unkept(kept_before)
            raise TfgraphError(
                f"Cannot save a checkpoint in {self.dir}: {_first_line(error)}. The disk may be full: free "
                "some space or choose another --logdir; the previous checkpoint, if any, is still whole "
                "and --resume continues from it.") from None
        self._remove_unkept(self._kept())
        self._last_save = time.monotonic()

    def _kept(self):
        """The step numbers (as text) of the checkpoints the Saver keeps."""
        if self._saver is None and not self.dir.exists():
            return set()
        return {Path(path).name.rsplit("-", 1)[-1] for path in self.saver.last_checkpoints}

    def _remove_unkept(self, kept):
        """Delete position files, checkpoint files and temporaries that belong to no kept checkpoint.

        A save killed midway (kill -9, a full disk) leaves `model.ckpt-*` parts, `*_temp`
        folders and `.tmp` files behind; the next save clears them.
        """
        for path in self.dir.iterdir() if self.dir.exists() else ():
            name = path.name
            if name.startswith("position-") and name.endswith(".json"):
                stale = name[len("position-"):-len(".json")] not in kept
            elif name.startswith("model.ckpt-"):
                stale = "_temp" in name or "tempstate" in name or name[len("model.ckpt-"):].split(".", 1)[0] not in kept
            else:
                stale = name.endswith(".tmp") or name.startswith("checkpoint.tmp")
            if stale:
                shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)

    def _steps(self):
        """Steps that have a position file and a variables index, newest first."""
        steps = []
        for path in self.dir.glob("position-*.json"):
            step = path.name[len("position-"):-len(".json")]
            if step.isdigit() and (self.dir / f"model.ckpt-{step}.index").is_file():
                steps.append(int(step))
        return sorted(steps, reverse=True)

    def _read(self, step):
        """(path prefix, position, None) for a whole checkpoint, or (path prefix, None, why it is damaged)."""
        prefix = str(self.dir / f"model.ckpt-{step}")
        try:
            with open(self.dir / f"position-{step}.json", encoding="utf-8") as stream:
                position = json.load(stream)
            if not isinstance(position, dict):
                raise ValueError("its position file holds no JSON object")
            reader = tf.train.load_checkpoint(prefix)
            for name in reader.get_variable_to_shape_map():
                reader.get_tensor(name)  # checks the saved bytes against their checksum
        except (OSError, ValueError, RuntimeError, tf.errors.OpError) as error:
            return prefix, None, _first_line(error)
        return prefix, position, None

    def latest(self):
        """The newest readable checkpoint as (path prefix, position dict), or None if there is none.

        Every saved tensor is read and checked; a damaged newest checkpoint (a corrupt
        `.data`, a cut `.index`, a broken position file) is skipped for the previous kept
        one, saying so. If checkpoints exist but none is readable, a TfgraphError says so.
        """
        damaged = []
        for step in self._steps() if self.dir.exists() else ():
            prefix, position, problem = self._read(step)
            if problem is None:
                if damaged:
                    print(f"The newest checkpoint {damaged[0][0]} is damaged ({damaged[0][1]}); "
                          f"resuming from the previous one, {prefix}.")
                return prefix, position
            damaged.append((prefix, problem))
        if damaged:
            listed = "; ".join(f"{prefix} ({problem})" for prefix, problem in damaged)
            raise TfgraphError(
                f"No checkpoint in {self.dir} can be read: {listed}. They were damaged after they were saved "
                "(a full disk, a copy cut short, an edit). This run cannot be resumed; start a new run "
                "without --resume. Nothing in the run folder was changed.")
        return None

    def restore_latest(self, sess):
        """Restore the newest readable checkpoint into `sess`; return (path prefix, position)."""
        latest = self.latest()
        if latest is None:
            raise TfgraphError(
                f"There is no checkpoint to resume from in {self.dir}. Checkpoints are saved every "
                "--checkpoint-every seconds and at the end of training; start a new run without --resume.")
        self.restore(sess, latest[0])
        return latest

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
