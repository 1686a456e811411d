"""TensorBoard output: run directories, their writers, and scalar summaries.

Every lesson run gets `logs/<lesson>/<run>/` with two event-file folders, `train/`
(which also holds the graph) and `test/`, so that TensorBoard overlays a run's
training and test curves. Run names start with the time and then say what was set
(learning rate, seed, ...), so runs with different settings compare side by side.
"""
import datetime
import os
import shlex
from pathlib import Path

import tensorflow as tf

from tfgraph.checkpoints import Checkpoints
from tfgraph.errors import TfgraphError

tf1 = tf.compat.v1


def run_name(settings=None, now=None):
    """A run folder name: the time, then `key=value` for each setting (introduced by every lesson)."""
    stamp = (now or datetime.datetime.now()).strftime("%Y%m%d-%H%M%S")
    parts = [stamp] + [f"{key}={value:g}" if isinstance(value, float) else f"{key}={value}"
                       for key, value in (settings or {}).items()]
    return ",".join(parts)


def make_run_dir(logdir, lesson, settings=None):
    """Create and return a new, unique `logdir/lesson/<run>` folder (introduced by every lesson).

    Two runs started in the same second get different folders (`...-2`, `...-3`):
    the folder is claimed with an exclusive `mkdir`, so racing runs cannot share one.
    """
    parent = Path(logdir) / lesson
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise TfgraphError(
            f"Cannot create the log folder {parent}: {error.strerror or error}. Choose a folder you can "
            "write to with --logdir (for example --logdir ~/tfgraph-logs).") from None
    base = run_name(settings)
    for attempt in range(1, 1000):
        candidate = parent / (base if attempt == 1 else f"{base}-{attempt}")
        try:
            candidate.mkdir()
            return candidate
        except FileExistsError:
            continue
        except OSError as error:
            raise TfgraphError(
                f"Cannot create the run folder {candidate}: {error.strerror or error}. Choose a folder you "
                "can write to with --logdir.") from None
    raise TfgraphError(f"Too many runs named {base} under {parent}; remove some of them.")


class Run:
    """One lesson run's folder, its two event writers (`train` with the graph, `test`) and its checkpoints.

    `resuming` says that the folder holds an earlier run to continue; `resume_command`
    is what a learner types to continue it (printed when training is interrupted).
    """

    def __init__(self, directory, graph=None, *, resuming=False, checkpoint_seconds=60.0, resume_command=None):
        self.dir = Path(directory)
        self.graph = graph or tf.Graph()
        self.resuming = resuming
        self.resume_command = resume_command
        self.checkpoints = Checkpoints(self.dir / "checkpoints", self.graph, checkpoint_seconds)
        # FileWriter refuses to work eagerly; building it inside a graph context is enough.
        with self.graph.as_default():
            self.train = tf1.summary.FileWriter(str(self.dir / "train"), graph=graph)
            self.test = tf1.summary.FileWriter(str(self.dir / "test"))

    def restart_at(self, step):
        """Tell TensorBoard that training restarts at `step`, so it drops events the killed run wrote after it."""
        for writer in (self.train, self.test):
            writer.add_session_log(tf1.SessionLog(status=tf1.SessionLog.START), step)

    def flush(self):
        """Write pending events of both writers to disk."""
        self.train.flush()
        self.test.flush()

    def close(self):
        """Flush and close both writers."""
        self.train.close()
        self.test.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def start_run(logdir, lesson, graph, settings=None):
    """Make a new run folder for `lesson` and open its writers with `graph` (introduced by every lesson)."""
    return Run(make_run_dir(logdir, lesson, settings), graph)


def add_scalars(writer, step, **values):
    """Write each `tag=value` as a scalar summary at `step` (introduced by linear regression)."""
    summary = tf1.Summary(value=[tf1.Summary.Value(tag=tag, simple_value=float(value))
                                 for tag, value in values.items()])
    writer.add_summary(summary, step)


def latest_run_dir(logdir, lesson):
    """The newest run folder of `lesson` under `logdir` that has a checkpoint, or None."""
    parent = Path(logdir) / lesson
    runs = [path for path in parent.iterdir() if (path / "checkpoints" / "checkpoint").exists()] \
        if parent.is_dir() else []
    return max(runs, key=lambda path: (path / "checkpoints" / "checkpoint").stat().st_mtime, default=None)


def tensorboard_command(logdir):
    """The shell command that opens `logdir` in TensorBoard."""
    return "tensorboard --logdir " + shlex.quote(os.fspath(logdir))
