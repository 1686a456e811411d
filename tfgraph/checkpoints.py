"""Checkpoints of a training run: the session's variables and where the loop stood.

`train_model` saves one every `every_seconds` (at an accuracy check) and at the
end, into `<run>/checkpoints/`: the variables through `tf.compat.v1.train.Saver`
(`model.ckpt-<samples seen>.*`) and the loop's position as `position-<samples
seen>.json`. The position file is written first and atomically, and the Saver
moves its `checkpoint` pointer (atomically too) only once the variables are
written, so a crash mid-save leaves the previous checkpoint whole and pointed to.

Resuming trusts none of it blindly: `latest` reads every saved tensor against its
checksum, newest first, and skips a checkpoint with a part missing, cut short,
emptied or changed (the `checkpoint` pointer file is not needed at all).
"""
import errno
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


class RunFolderGone(TfgraphError):
    """The run folder was deleted or moved while the lesson was writing into it."""

    def __init__(self, run_dir):
        super().__init__(
            f"The run folder {run_dir} was deleted or moved while the lesson ran, so what it wrote there "
            "(events, checkpoints) is gone and nothing more can be saved. Nothing was recreated; start the "
            "run again.")


class Checkpoints:
    """Save and restore a run's variables and loop position in one folder (fully connected net)."""

    def __init__(self, directory, graph, every_seconds=60.0, max_to_keep=2):
        self.dir = Path(directory)
        self.every_seconds = every_seconds
        self.max_to_keep = max_to_keep
        self._graph = graph
        self._saver = None
        self._latest = None  # what `latest` found, read once: (path prefix, position)
        self._last_save = time.monotonic()

    @property
    def saver(self):
        """The Saver, created on first use (its ops go under the graph's `save` scope).

        It takes over the checkpoints found on disk, oldest first, up to the one `latest`
        resumed from: not the `checkpoint` file's list, which a crash or an edit may have
        left naming files that are gone (the Saver would then keep too few).
        """
        if self._saver is None:
            with self._graph.as_default():
                self._saver = tf1.train.Saver(max_to_keep=self.max_to_keep, save_relative_paths=True)
            newest = int(self._latest[0].rsplit("-", 1)[-1]) if self._latest else None
            whole = [step for step in self._steps() if (newest is None or step <= newest)
                     and (self.dir / f"model.ckpt-{step}.index").is_file()]
            self._saver.recover_last_checkpoints([str(self.dir / f"model.ckpt-{step}") for step in reversed(whole)])
        return self._saver

    def due(self):
        """Whether `every_seconds` have passed since the last save."""
        return time.monotonic() - self._last_save >= self.every_seconds

    def save(self, sess, step, position):
        """Save the variables and `position` (a JSON-able dict) as checkpoint number `step`."""
        kept_before = self._kept()
        try:
            self.dir.mkdir(exist_ok=True)  # not its parents: a run folder deleted mid-run is not made again
            write_json_atomically(self.dir / f"position-{step}.json", position)
            self.saver.save(sess, str(self.dir / "model.ckpt"), global_step=step, write_meta_graph=False)
        except (OSError, tf.errors.OpError) as error:
            if not self.dir.parent.is_dir():
                raise RunFolderGone(self.dir.parent) from None
            if str(step) not in kept_before:  # a half-written new checkpoint must not look usable
                self._remove_unkept(kept_before)
            denied = isinstance(error, (PermissionError, tf.errors.PermissionDeniedError)) \
                or getattr(error, "errno", None) == errno.EROFS
            cause = "You may not write there: make the folder writable" if denied else \
                "The disk may be full: free some space"
            raise TfgraphError(
                f"Cannot save a checkpoint in {self.dir}: {_first_line(error)}. {cause} or choose another "
                "--logdir; the previous checkpoint, if any, is still whole and --resume continues from it.") \
                from None
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
        """Steps of which any part is on disk (a position file, an `.index` or a `.data` file), newest first."""
        steps = set()
        for path in self.dir.iterdir() if self.dir.is_dir() else ():
            name = path.name
            if name.startswith("position-") and name.endswith(".json"):
                steps.add(name[len("position-"):-len(".json")])
            elif name.startswith("model.ckpt-") and "_temp" not in name and "tempstate" not in name:
                steps.add(name[len("model.ckpt-"):].split(".", 1)[0])
        return sorted((int(step) for step in steps if step.isdigit()), reverse=True)

    def _read(self, step):
        """(path prefix, position, None) for a whole checkpoint, or (path prefix, None, why it is damaged)."""
        prefix = str(self.dir / f"model.ckpt-{step}")
        for part, what in ((f"position-{step}.json", "position file"), (f"model.ckpt-{step}.index", ".index file"),
                           (f"model.ckpt-{step}.data-00000-of-00001", ".data file")):
            if not (self.dir / part).is_file():
                return prefix, None, f"its {what} is missing"
        try:
            with open(self.dir / f"position-{step}.json", encoding="utf-8") as stream:
                position = json.load(stream)
            if not isinstance(position, dict):
                raise ValueError("its position file holds no JSON object")
            reader = tf.train.load_checkpoint(prefix)
            for name in reader.get_variable_to_shape_map():
                reader.get_tensor(name)  # checks the saved bytes against their checksum
        except IndexError as error:  # TensorFlow's reader on a .data file cut short
            return prefix, None, f"its .data file is shorter than its .index says ({error})"
        except Exception as error:  # noqa: BLE001  whatever a damaged file makes the reader raise
            return prefix, None, _first_line(error)
        return prefix, position, None

    def latest(self):
        """The newest readable checkpoint as (path prefix, position dict), or None if there is none.

        Every saved tensor is read and checked, once per `Checkpoints`; a damaged newest
        checkpoint (a part missing, cut short, emptied or changed) is skipped for the
        previous one, saying so. If checkpoints exist but none is readable, a TfgraphError
        says so.
        """
        if self._latest is not None:
            return self._latest
        damaged = []
        for step in self._steps():
            prefix, position, problem = self._read(step)
            if problem is None:
                if damaged:
                    listed = "; ".join(f"{path} is damaged ({why})" for path, why in damaged)
                    print(f"The newest checkpoint {listed}; resuming from the previous one, {prefix}.")
                self._latest = prefix, position
                return self._latest
            damaged.append((prefix, problem))
        if damaged:
            listed = "; ".join(f"{prefix} ({problem})" for prefix, problem in damaged)
            raise TfgraphError(
                f"No checkpoint in {self.dir} can be read: {listed}. They were damaged after they were saved "
                "(a full disk, a copy cut short, an edit). This run cannot be resumed; start a new run "
                "without --resume. Nothing in the run folder was changed.")
        return None

    def require_latest(self):
        """`latest()`, or a TfgraphError if there is no checkpoint at all."""
        latest = self.latest()
        if latest is None:
            raise TfgraphError(
                f"There is no checkpoint to resume from in {self.dir}. Checkpoints are saved every "
                "--checkpoint-every seconds and at the end of training; start a new run without --resume.")
        return latest

    def restore_latest(self, sess):
        """Restore the newest readable checkpoint into `sess`; return (path prefix, position)."""
        latest = self.require_latest()
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
