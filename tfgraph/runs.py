"""A lesson's run folder: its name, its writers and checkpoints, run.json, the lock, and the closing lines.

Every run of a lesson gets `logs/<lesson>/<run>/`, named after the time and every
setting that differs from the lesson's defaults (the data included), so runs with
different settings compare side by side in TensorBoard. It holds the event files
(`tfgraph.summaries`), the checkpoints (`tfgraph.checkpoints`) and `run.json`: the
lesson, the flags it ran with and whether it was a dry run, which is what `--resume`
(`tfgraph.resume`) reads back. A new run that fails before its first checkpoint is
renamed `<name>,failed`.
"""
import datetime
import json
import shlex
from pathlib import Path

import tensorflow as tf

from tfgraph import summaries
from tfgraph.atomic import write_json_atomically
from tfgraph.checkpoints import Checkpoints
from tfgraph.errors import TfgraphError

#: Flags left out of run names: where a run goes and how it is shown, not what it learns.
NOT_IN_RUN_NAMES = {"argv", "lesson", "logdir", "show", "resume", "device", "graph_only", "checkpoint_every",
                    "trace", "non_default"}
#: Short names in run folder names (others: the flag without its dashes).
SHORT_NAMES = {"learning_rate": "lr", "num_epochs": "epochs", "batch_size": "batch", "data_dir": "data"}
#: Flags that say where and how a run happens, not what it learns: left out of the HParams dashboard.
NOT_HYPERPARAMETERS = {"argv", "lesson", "logdir", "data_dir", "show", "resume", "graph_only", "dry_run",
                       "checkpoint_every", "device", "trace"}


def run_name(settings=None, now=None):
    """A run folder name: the time, then `key=value` for each setting, `key` alone for a True one (every lesson)."""
    stamp = (now or datetime.datetime.now()).strftime("%Y%m%d-%H%M%S")
    parts = [stamp] + [key if value is True else f"{key}={value:g}" if isinstance(value, float) else f"{key}={value}"
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
        self.dry_run = False  # set by open_run: the closing lines say what a dry run's numbers mean
        self._lock = lock_run(self.dir)  # before anything is written: a second process must not write too
        self.checkpoint_seconds = checkpoint_seconds
        self._checkpoints = None
        self.last_step = 0  # samples seen when training ended, the step of the final summaries
        self.gradient_tensors = None  # built by callbacks.log_histograms on first use
        self.cleanups = []  # called once when the run is closed
        self.train, self.test = summaries.open_writers(self.dir, self.graph)

    @property
    def checkpoints(self):
        """The run's `Checkpoints` in `<run>/checkpoints/`, made on first use (a run that never saves needs none)."""
        if self._checkpoints is None:
            self._checkpoints = Checkpoints(self.dir / "checkpoints", self.graph, self.checkpoint_seconds)
        return self._checkpoints

    def restart_at(self, step):
        """Tell TensorBoard that training restarts at `step`, so it drops events the killed run wrote after it."""
        summaries.mark_restart((self.train, self.test), step)

    def flush(self):
        """Write pending events of both writers to disk."""
        self.train.flush()
        self.test.flush()

    def close(self, error_in_flight=False):
        """Flush and close both writers, run the cleanups registered on the run and let go of it.

        A writer that cannot write (a full disk) raises a TfgraphError, unless another
        error is already on its way (`error_in_flight`): that one says what went wrong first.
        """
        problems = []
        for writer in (self.train, self.test):
            try:
                writer.close()
            except Exception as error:  # TensorFlow raises RuntimeError or an OpError here
                problems.append(error)
        while self.cleanups:
            self.cleanups.pop()()
        if self._lock is not None:
            self._lock.close()  # closing the file lets go of its lock
            self._lock = None
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
        if error is not None and not self.resuming and not stopped_by_user \
                and not (self.dir / "checkpoints" / "checkpoint").exists():
            self._mark_failed()

    def _mark_failed(self):
        """Rename a new run that failed before saving a checkpoint to `<name>,failed`, so it looks like no real run."""
        failed = self.dir.with_name(self.dir.name + ",failed")
        try:
            self.dir.rename(failed)
            self.dir = failed
        except OSError:
            pass  # the error being raised matters more than the folder's name


def latest_run_dir(logdir, lesson):
    """The newest run folder of `lesson` under `logdir` that has a checkpoint and is no dry run, or None."""
    parent = Path(logdir) / lesson
    runs = [path for path in parent.iterdir() if (path / "checkpoints" / "checkpoint").exists()
            and not is_dry_run(path)] if parent.is_dir() else []
    return max(runs, key=lambda path: (path / "checkpoints" / "checkpoint").stat().st_mtime, default=None)


def is_dry_run(run_dir):
    """Whether the run in `run_dir` was a --dry-run (its run.json says so; an unreadable one counts as no)."""
    try:
        with open(Path(run_dir) / "run.json", encoding="utf-8") as stream:
            saved = json.load(stream)
        return bool(saved.get("dry_run")) or "--dry-run" in saved.get("argv", [])
    except (OSError, ValueError, AttributeError):
        return False


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


def without_resume(argv):
    """`argv` without its --resume flag and value: what a later --resume must re-apply."""
    kept, skip = [], False
    for index, token in enumerate(argv):
        if skip:
            skip = False
        elif token == "--resume":
            following = argv[index + 1] if index + 1 < len(argv) else "-"
            skip = not following.startswith("-")
        elif not token.startswith("--resume="):
            kept.append(token)
    return kept


def read_run_json(run_dir):
    """The run's run.json as a dict, or a TfgraphError saying it cannot be read."""
    try:
        with open(Path(run_dir) / "run.json", encoding="utf-8") as stream:
            saved = json.load(stream)
        if not isinstance(saved, dict) or not isinstance(saved.get("argv"), list):
            raise ValueError("it holds no flags (\"argv\")")
        return saved
    except (OSError, ValueError) as error:
        raise TfgraphError(
            f"The run folder {run_dir} has a damaged run.json ({error}), so its flags are unknown. Resume it "
            "by naming every flag the run used, after writing {\"argv\": []} into run.json, or start a new "
            "run without --resume; its checkpoints were not touched.") from None


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
    stream = open(Path(run_dir) / ".lock", "a")
    try:
        fcntl.flock(stream, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        stream.close()
        raise TfgraphError(
            f"Another process is training the run {run_dir} right now (two would write the same checkpoints "
            "and event files). Wait for it to finish, or stop it with Ctrl-C, then resume; nothing was "
            "changed.") from None
    return stream


def open_run(args, graph, settings=None):
    """The lesson's TensorBoard run: a new folder, or with --resume the one being continued (every lesson)."""
    resuming = bool(getattr(args, "resume", None))
    if resuming:
        run_dir = Path(args.resume)
    else:
        name = dict(settings or {})
        name.update((key, value) for key, value in getattr(args, "non_default", {}).items() if key not in name)
        run_dir = make_run_dir(args.logdir, args.lesson, name)
    resume_command = f"python -m lessons.{args.lesson} --logdir {shlex.quote(args.logdir)} " \
                     f"--resume {shlex.quote(str(run_dir))}" if hasattr(args, "resume") else None
    run = Run(run_dir, graph, resuming=resuming, checkpoint_seconds=getattr(args, "checkpoint_every", 60.0),
                        resume_command=resume_command)  # holds the run: a second --resume now stops here
    run.dry_run = bool(getattr(args, "dry_run", False))
    try:
        _write_run_files(args, run)
    except BaseException as error:
        run.__exit__(type(error), error, None)  # closes the writers; a new run is marked failed
        raise
    return run


def _write_run_files(args, run):
    """Write run.json (the flags without --resume) and, for a new run, the HParams settings."""
    write_json_atomically(run.dir / "run.json", {"lesson": args.lesson, "argv": without_resume(args.argv),
                                                "dry_run": run.dry_run, "tensorflow": tf.__version__})
    if not run.resuming and not getattr(args, "graph_only", False):
        summaries.write_hparams(run.dir, {key: value for key, value in vars(args).items()
                            if key not in NOT_HYPERPARAMETERS and isinstance(value, (bool, int, float, str))})


def print_closing(run, plots=(), curves=True):
    """Print where the plots and the TensorBoard run were saved and the command that opens them."""
    for plot in plots:
        print(f"Saved plot: {plot}")
    if getattr(run, "dry_run", False):
        print("This was a dry run (two batches on the sample): its accuracy and costs say nothing about the "
              "lesson. Run without --dry-run to train for real.")
    print(f"TensorBoard run: {run.dir}")
    print("See the graph and the curves with:" if curves else "See the graph with:")
    print(f"  {summaries.tensorboard_command(run.dir.parent)}")
