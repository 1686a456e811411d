"""A lesson's run folder: its name, its writers and checkpoints, run.json, the lock, and the closing lines.

Every run of a lesson gets `logs/<lesson>/<run>/`, named after the time and every
setting that differs from the lesson's defaults (the data included), so runs with
different settings compare side by side in TensorBoard. It holds the event files
(`tfgraph.summaries`), the checkpoints (`tfgraph.checkpoints`) and `run.json`: the
lesson, the flags it ran with and whether it was a dry run, which is what `--resume`
(`tfgraph.resume`) reads back. A new run that fails before its first checkpoint is
renamed `<name>,failed`.

A resumed run changes nothing in its folder until training really restarts: its
checkpoint is found and checked first, and run.json (with the flags given now) and
the event files are written only once the checkpoint is restored, so a refused
resume leaves the run as it was.
"""
import datetime
import hashlib
import os
import shlex
import sys
import tempfile
from pathlib import Path

import tensorflow as tf

from tfgraph import summaries
from tfgraph.atomic import write_json_atomically
from tfgraph.checkpoints import Checkpoints, RunFolderGone
from tfgraph.errors import TfgraphError

#: Flags left out of run names: where a run goes and how it is shown, not what it learns.
NOT_IN_RUN_NAMES = {"argv", "lesson", "logdir", "show", "resume", "device", "graph_only", "checkpoint_every",
                    "trace", "non_default"}
#: Short names in run folder names (others: the flag without its dashes).
SHORT_NAMES = {"learning_rate": "lr", "num_epochs": "epochs", "batch_size": "batch", "data_dir": "data"}
#: Flags that say where and how a run happens, not what it learns: left out of the HParams dashboard.
NOT_HYPERPARAMETERS = {"argv", "lesson", "logdir", "data_dir", "show", "resume", "graph_only", "dry_run",
                       "checkpoint_every", "device", "trace"}
#: On --dry-run, the MNIST lessons train one epoch of this many batches.
DRY_RUN_BATCHES = 2
#: A value longer than this (a long --data-dir) is shortened in a run name: its start and a hash.
LONGEST_VALUE = 24
#: A run name stays within this many bytes: file systems allow 255, and `-NNN,failed` may follow.
LONGEST_NAME = 200


def _short(text, limit):
    """`text` if it has at most `limit` bytes, else its start, `~` and a hash of the whole that fit in `limit`."""
    encoded = os.fsencode(text)
    if len(encoded) <= limit:
        return text
    digest = hashlib.sha256(encoded).hexdigest()[:8]
    while len(os.fsencode(text)) > limit - len(digest) - 1:
        text = text[:-1]
    return f"{text}~{digest}"


def run_name(settings=None, now=None):
    """A run folder name: the time, then `key=value` for each setting, `key` alone for a True one (every lesson).

    Long values are shortened to their start and a hash, and the whole name to
    LONGEST_NAME bytes, so that no file system refuses it; run.json keeps the flags in full.
    """
    stamp = (now or datetime.datetime.now()).strftime("%Y%m%d-%H%M%S")
    parts = [stamp]
    for key, value in (settings or {}).items():
        text = f"{value:g}" if isinstance(value, float) else str(value).replace(os.sep, "_")
        parts.append(key if value is True else f"{key}={_short(text, LONGEST_VALUE)}")
    return _short(",".join(parts), LONGEST_NAME)


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
        self.dry_run = None  # set by open_run: what a dry run left out, for its closing lines
        self.flags = None  # a resume's run.json, written when training restarts (`restart_at`)
        self._lock = lock_run(self.dir)  # before anything is written: a second process must not write too
        self._identity = _identity(self.dir)  # to notice the folder deleted or moved under the run
        self.checkpoint_seconds = checkpoint_seconds
        self._checkpoints = None
        self.last_step = 0  # samples seen when training ended, the step of the final summaries
        self.gradient_tensors = None  # built by callbacks.log_histograms on first use
        self.cleanups = []  # called once when the run is closed
        self._writers = None
        if not resuming:
            self._open_writers()

    def _open_writers(self):
        """The (train, test) event writers, opened on first use: a resume refused before it restarts adds no file."""
        if self._writers is None:
            self._writers = summaries.open_writers(self.dir, self.graph)
        return self._writers

    @property
    def train(self):
        """The `train/` event writer (it holds the graph)."""
        return self._open_writers()[0]

    @property
    def test(self):
        """The `test/` event writer."""
        return self._open_writers()[1]

    @property
    def checkpoints(self):
        """The run's `Checkpoints` in `<run>/checkpoints/`, made on first use (a run that never saves needs none)."""
        if self._checkpoints is None:
            self._checkpoints = Checkpoints(self.dir / "checkpoints", self.graph, self.checkpoint_seconds)
        return self._checkpoints

    def restart_at(self, step):
        """Training restarts at `step`: save a resume's flags in run.json, and tell TensorBoard to drop later events.

        Called once a checkpoint is restored, so flags a resume was refused for are never saved.
        """
        if self.flags is not None:
            write_json_atomically(self.dir / "run.json", self.flags)
            self.flags = None
        summaries.mark_restart((self.train, self.test), step)

    def flush(self):
        """Write pending events of both writers to disk."""
        for writer in self._writers or ():
            writer.flush()

    def close(self, error_in_flight=False):
        """Flush and close both writers, run the cleanups registered on the run and let go of it.

        A writer that cannot write (a full disk), or a run folder deleted while the lesson
        ran, raises a TfgraphError, unless another error is already on its way
        (`error_in_flight`): that one says what went wrong first.
        """
        problems = []
        for writer in self._writers or ():
            try:
                writer.close()
            except Exception as error:  # TensorFlow raises RuntimeError or an OpError here
                problems.append(error)
        while self.cleanups:
            self.cleanups.pop()()
        if self._lock is not None:
            self._lock.close()  # closing the file lets go of its lock
            self._lock = None
        if _identity(self.dir) != self._identity and not error_in_flight:
            raise RunFolderGone(self.dir)
        if self.flags is not None and not error_in_flight:  # a loop that restored its checkpoint itself
            write_json_atomically(self.dir / "run.json", self.flags)
            self.flags = None
        if problems and not error_in_flight:
            message = str(getattr(problems[0], "message", None) or problems[0]).strip().splitlines()[0][:200]
            raise TfgraphError(
                f"Cannot write the TensorBoard events in {self.dir}: {message}. The disk may be full: free some "
                "space or choose another --logdir. The checkpoints saved so far are whole; --resume "
                "continues from the last one.")

    def __enter__(self):
        return self

    def __exit__(self, exc_type, error, traceback):
        self.close(error_in_flight=error is not None)
        stopped_by_user = exc_type is KeyboardInterrupt or getattr(error, "exit_status", 1) == 130
        if error is not None and not self.resuming and not stopped_by_user and not has_checkpoint(self.dir):
            self._mark_failed()

    def _mark_failed(self):
        """Rename a new run that failed before saving a checkpoint to `<name>,failed`, so it looks like no real run."""
        failed = self.dir.with_name(self.dir.name + ",failed")
        try:
            self.dir.rename(failed)
            self.dir = failed
        except OSError:
            pass  # the error being raised matters more than the folder's name


def _identity(folder):
    """(device, inode) of `folder`, or None if it is gone."""
    try:
        status = os.stat(folder)
    except OSError:
        return None
    return status.st_dev, status.st_ino


def checkpoint_files(run_dir):
    """The files of the run's checkpoints that say one was saved: position files and the `checkpoint` pointer."""
    folder = Path(run_dir) / "checkpoints"
    return [*folder.glob("position-*.json"), *folder.glob("checkpoint")] if folder.is_dir() else []


def has_checkpoint(run_dir):
    """Whether the run in `run_dir` saved a checkpoint (whole or not: resuming checks that)."""
    return bool(checkpoint_files(run_dir))


def non_default_settings(parser, args):
    """The settings of `args` that differ from `parser`'s defaults, by their run-name names (every lesson)."""
    changed = {}
    for key, value in vars(args).items():
        if key in NOT_IN_RUN_NAMES or value == parser.get_default(key) or value is None:
            continue
        if key == "data_dir":
            value = Path(value).name or "custom"
        changed[SHORT_NAMES.get(key, key.replace("_", "-"))] = value
    if changed.get("dry-run"):
        changed = {"dry-run": True}  # it implies its own data and epochs
    return changed


def lock_run(run_dir):
    """Hold an exclusive lock on `run_dir` while this process writes it; refuse if another process holds it.

    The lock is the open file `run_dir/.lock`; it goes when the file is closed or the
    process ends (even by kill -9), so a stale lock cannot block a later --resume.
    """
    try:
        import fcntl
    except ImportError:  # not on Windows: no lock, as before
        return None
    Path(run_dir).mkdir(parents=True, exist_ok=True)
    try:
        _check_writable(run_dir)
        stream = open(Path(run_dir) / ".lock", "a")
    except OSError as error:
        raise TfgraphError(
            f"Cannot write in the run folder {run_dir} ({error.strerror or error}): training writes its "
            f"checkpoints and events there. Make it writable (chmod -R u+w {shlex.quote(str(run_dir))}), or "
            "copy it somewhere you can write and resume the copy with --resume COPY; nothing was changed.") from None
    try:
        fcntl.flock(stream, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        stream.close()
        raise TfgraphError(
            f"Another process is training the run {run_dir} right now (two would write the same checkpoints "
            "and event files). Wait for it to finish, or stop it with Ctrl-C, then resume; nothing was "
            "changed.") from None
    return stream


def _check_writable(folder):
    """Raise OSError unless a file can be made in `folder` and in its `checkpoints/` (root may write anywhere)."""
    for place in (Path(folder), Path(folder) / "checkpoints"):
        if place.is_dir():
            tempfile.TemporaryFile(dir=place).close()


def open_run(args, graph, settings=None):
    """The lesson's TensorBoard run: a new folder, or with --resume the one being continued (every lesson).

    A resumed run is checked before anything in it changes: its newest readable
    checkpoint is found (`Checkpoints.latest`) and a run that has trained all its
    epochs stops here with AlreadyFinished. `--graph-only` always makes a new folder.
    """
    resuming = bool(getattr(args, "resume", None)) and not getattr(args, "graph_only", False)
    if resuming:
        run_dir = Path(args.resume)
    else:
        name = dict(settings or {})
        name.update((key, value) for key, value in getattr(args, "non_default", {}).items() if key not in name)
        if getattr(args, "graph_only", False):
            name["graph-only"] = True  # last, as ",dry-run" is
        run_dir = make_run_dir(args.logdir, args.lesson, name)
    resume_command = f"python -m lessons.{args.lesson} --logdir {shlex.quote(args.logdir)} " \
                     f"--resume {shlex.quote(str(run_dir))}" if hasattr(args, "resume") else None
    run = Run(run_dir, graph, resuming=resuming, checkpoint_seconds=getattr(args, "checkpoint_every", 60.0),
              resume_command=resume_command)  # holds the run: a second --resume now stops here
    run.dry_run = dry_run_note(args)
    flags = {"lesson": args.lesson, "argv": list(args.argv), "dry_run": run.dry_run is not None,
             "tensorflow": tf.__version__}
    try:
        if resuming:
            _check_not_finished(run, getattr(args, "num_epochs", None))
            run.flags = flags  # saved once training restarts
        else:
            write_json_atomically(run.dir / "run.json", flags)
            if not getattr(args, "graph_only", False):
                summaries.write_hparams(run.dir, {key: value for key, value in vars(args).items()
                                                  if key not in NOT_HYPERPARAMETERS
                                                  and isinstance(value, (bool, int, float, str))})
    except BaseException as error:
        run.__exit__(type(error), error, None)  # closes the writers; a new run is marked failed
        raise
    return run


class AlreadyFinished(TfgraphError):
    """--resume of a run that has trained all its epochs: nothing to do, and that is no error."""

    exit_status = 0


def _check_not_finished(run, num_epochs):
    """Find the run's newest readable checkpoint; raise AlreadyFinished if it has trained `num_epochs` already."""
    folder = run.checkpoints.dir
    if not any(folder.glob("position-*.json")) and any(folder.glob("model.ckpt-*")):
        return  # a MonitoredSession's checkpoints (the distributed chief's), which its own loop checks
    epochs = run.checkpoints.require_latest()[1].get("epoch")
    if not isinstance(epochs, int) or num_epochs is None or epochs < num_epochs:
        return
    done = f"already finished its {epochs} epoch{'' if epochs == 1 else 's'}" if epochs == num_epochs \
        else f"has already trained {epochs} epochs, more than --epochs {num_epochs}"
    raise AlreadyFinished(f"This run {done}; add --epochs N (more than {epochs}) to train on. Nothing was changed.")


def in_jupyter_kernel():
    """True inside a Jupyter kernel: a notebook, or VS Code running a lesson's `# %%` cells."""
    kernelapp = sys.modules.get("ipykernel.kernelapp")
    return kernelapp is not None and kernelapp.IPKernelApp.initialized()


def dry_run_note(args):
    """What --dry-run shortened, for the closing lines ("" when the lesson has nothing to shorten), or None."""
    if not getattr(args, "dry_run", False):
        return None
    if hasattr(args, "sample"):
        return f"one epoch of {DRY_RUN_BATCHES} batches on the MNIST sample shipped with tfgraph"
    return "one epoch" if hasattr(args, "learning_rate") else ""  # a lesson that trains, or multiplication


def print_closing(run, plots=(), curves=True):
    """Print where the plots and the TensorBoard run were saved and the command that opens them."""
    for plot in plots:
        print(f"Saved plot: {plot}")
    note = getattr(run, "dry_run", None)
    if note:
        again = "set dry_run = False in the settings cell and run the notebook again" if in_jupyter_kernel() \
            else "run without --dry-run"
        print(f"This was a dry run ({note}): its numbers say nothing about the lesson. To train for real, "
              f"{again}.")
    elif note is not None:
        print("This was a dry run, but this lesson has nothing to shorten: it ran in full.")
    print(f"TensorBoard run: {run.dir}")
    print("See the graph and the curves with:" if curves else "See the graph with:")
    print(f"  {summaries.tensorboard_command(run.dir.parent)}")
