"""The chief's checkpoints in a cluster: saved by a session hook, found relative to their run folder, checked.

In the distributed lesson the variables live on the ps tasks and the chief (worker 0)
saves them, `<run>/checkpoints/model.ckpt-<global step>.*`, as soon as its session
starts, every `--checkpoint-every` seconds, and when it stops (at the end, or asked
to by Ctrl-C). TensorFlow's `checkpoint` file names the checkpoints to restore and to
prune; before each start the chief writes it anew from the files in its own folder,
by relative names, pointing at the newest checkpoint whose every tensor reads back.
So a copied run restores its own files and never prunes the original's, and a
damaged newest checkpoint falls back to the one before.
"""
import re
import time
from pathlib import Path

import tensorflow as tf

from tfgraph.atomic import write_text_atomically
from tfgraph.errors import TfgraphError
from tfgraph.runs import AlreadyFinished

tf1 = tf.compat.v1

#: The checkpoint files' name before `-<global step>`.
PREFIX = "model.ckpt"
#: How many checkpoints the chief keeps (the newest, and one to fall back on).
KEEP = 2


def make_saver():
    """The chief's Saver: one shard per ps task, relative paths in its `checkpoint` file (distributed lesson)."""
    return tf1.train.Saver(sharded=True, max_to_keep=KEEP, save_relative_paths=True, name="save")


def saved_steps(directory):
    """The global steps of the checkpoints in `directory` (an index file each), newest first; no TensorFlow needed."""
    folder = Path(directory)
    found = (re.fullmatch(rf"{re.escape(PREFIX)}-(\d+)\.index", path.name) for path in folder.glob(f"{PREFIX}-*.index"))
    return sorted((int(match.group(1)) for match in found if match), reverse=True) if folder.is_dir() else []


def _problem(prefix):
    """None if every tensor of the checkpoint `prefix` reads back (checksums included), else why not."""
    try:
        reader = tf.train.load_checkpoint(prefix)
        for name in reader.get_variable_to_shape_map():
            reader.get_tensor(name)
    except (OSError, ValueError, RuntimeError, tf.errors.OpError) as error:
        lines = str(getattr(error, "message", None) or error).strip().splitlines() or [type(error).__name__]
        return lines[0][:300]
    return None


def _check_fits(prefix, graph, flags):
    """Raise a TfgraphError if a variable of `graph` is missing from the checkpoint or has another shape there."""
    saved = dict(tf.train.list_variables(prefix))
    for variable in graph.get_collection(tf1.GraphKeys.GLOBAL_VARIABLES):
        name, shape = variable.op.name, variable.shape.as_list()
        if saved.get(name) is not None and list(saved[name]) == shape:
            continue
        held = f"holds {name} with shape {list(saved[name])}" if name in saved else f"has no {name}"
        flag = flags.get(name)
        raise TfgraphError(
            f"The checkpoint {prefix} {held}, but the graph built now has {name} with shape {shape}"
            f"{f': {flag} differs from the run' + chr(39) + 's' if flag else ''}. Resume with the run's own flags "
            "(run.json beside the checkpoints lists them), or start a new run without --resume.")


def prepare_restore(directory, graph, flags=None):
    """Point `directory`'s checkpoint file, by relative names, at its newest readable checkpoint; return its step.

    Damaged newer checkpoints are skipped, saying so; a checkpoint that does not fit
    `graph` is refused, naming the flag (`flags` maps variable names to flags). None
    when the folder holds no checkpoint (the chief then initializes the variables).
    """
    folder, damaged = Path(directory), []
    steps = saved_steps(folder)
    for position, step in enumerate(steps):
        problem = _problem(str(folder / f"{PREFIX}-{step}"))
        if problem is None:
            break
        damaged.append(f"{PREFIX}-{step} ({problem})")
    else:
        if damaged:
            raise TfgraphError(
                f"No checkpoint in {folder} can be read: {'; '.join(damaged)}. They were damaged after they were "
                "saved (a full disk, a copy cut short). Start a new run without --resume.")
        return None
    prefix = str(folder / f"{PREFIX}-{step}")
    if damaged:
        print(f"The newest checkpoint {damaged[0]} is damaged; restoring the one before it, {prefix}.", flush=True)
    _check_fits(prefix, graph, flags or {})
    kept = [f"{PREFIX}-{older}" for older in reversed(steps[position:position + KEEP])]
    write_text_atomically(folder / "checkpoint", f'model_checkpoint_path: "{kept[-1]}"\n' + "".join(
        f'all_model_checkpoint_paths: "{name}"\n' for name in kept))
    return step


def last_saved(run_dir, last_step):
    """A sentence saying where the run's newest checkpoint stands, for a launcher's last line."""
    steps = saved_steps(Path(run_dir) / "checkpoints")
    return f"The chief's last checkpoint is at global step {steps[0]} of {last_step}" if steps \
        else "No checkpoint was saved yet, so it starts from the beginning"


def check_not_finished(run_dir, last_step, num_epochs):
    """Raise AlreadyFinished (exit 0, nothing started or changed) if the run's checkpoints reached `last_step`."""
    steps = saved_steps(Path(run_dir) / "checkpoints")
    if steps and steps[0] >= last_step:
        raise AlreadyFinished(
            f"This run already finished its {num_epochs} epoch{'' if num_epochs == 1 else 's'} (global step "
            f"{steps[0]} of {last_step}); add --epochs N (more than {num_epochs}) to train on. Nothing was changed.")


class CheckpointHook:  # a SessionRunHook by its methods: subclassing would import TensorFlow for --help
    """Save the chief's checkpoint as its session starts, every `every_seconds`, and at its end (distributed lesson).

    TensorFlow's own CheckpointSaverHook also writes the graph and an event file into
    the checkpoint folder, which TensorBoard then shows as a second run; this one
    writes only the checkpoint. `saved` is the global step of the last one.
    """

    def __init__(self, directory, saver, global_step, every_seconds):
        self.path = str(Path(directory) / PREFIX)
        self.saver, self.global_step, self.every_seconds = saver, global_step, every_seconds
        self.saved, self._last = None, time.monotonic()

    def save(self, session):
        """Save the variables now, numbered with the global step."""
        step = int(session.run(self.global_step))
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.saver.save(session, self.path, global_step=step, write_meta_graph=False)
        self.saved, self._last = step, time.monotonic()

    def begin(self):
        """Nothing to build: the saver is the scaffold's."""

    def after_create_session(self, session, coord):
        """A checkpoint as soon as the session starts: a run killed early can still --resume."""
        self.save(session)

    def before_run(self, run_context):
        """Nothing to add to a step's run (as SessionRunHook)."""

    def after_run(self, run_context, run_values):
        """Save when `every_seconds` have passed since the last save."""
        if time.monotonic() - self._last >= self.every_seconds:
            self.save(run_context.session)

    def end(self, session):
        """The last checkpoint, where training stopped (MonitoredSession calls it only when closing without error)."""
        self.save(session)
