"""--resume and what makes it possible: finding the run and its flags, the `Checkpointing` callback, Ctrl-C.

`resume_args` turns `--resume [RUN_DIR]` into the run folder and its saved flags
(those given now win, and are saved only once training restarts: `runs.Run.restart_at`).
The rest saves and restores the training itself. A checkpoint is the session's
variables plus where the loop stood (`tfgraph.checkpoints` writes both). Saved every
`run.checkpoints.every_seconds` (at an accuracy check), on Ctrl-C (at the next batch
boundary) and at the end, it lets a killed or interrupted run continue with `--resume`
and end, on the CPU, bit for bit where an uninterrupted run ends: the random streams of
the epoch's order and of the test subsets are saved too.
"""
import json
import shlex
import signal
import sys
import threading
from pathlib import Path

from tfgraph import runs
from tfgraph.callbacks import Callback
from tfgraph.errors import TfgraphError

#: What a checkpoint keeps of the loop (`training.TrainingState`), besides the accuracies so far.
POSITION = ("epoch", "batch", "samples_seen")


class Checkpointing(Callback):
    """Save checkpoints while `train_model` runs, resume from the last one, stop cleanly on Ctrl-C (fully connected net)."""

    def __init__(self, run):
        self.run = run
        self.interrupt = StopOnInterrupt()

    def on_train_begin(self, state):
        if self.run.resuming:
            self._resume(state)
        self.interrupt.__enter__()
        self.run.cleanups.append(self.interrupt.__exit__)  # Ctrl-C works again when the run closes

    def on_batch_end(self, state):
        checking = state.batch % state.how_often == 0
        if self.interrupt.requested or (checking and self.run.checkpoints.due()):
            self._save(state, batch=state.batch + 1)
        if self.interrupt.requested:
            self.run.flush()
            raise TrainingInterrupted(
                f"Training stopped after {state.samples_seen} samples (epoch {state.epoch + 1}, batch "
                f"{state.batch + 1}); a checkpoint is saved in {self.run.checkpoints.dir}. Continue with: "
                f"{self.run.resume_command or 'the same command and --resume'}")

    def on_train_end(self, state):
        if state.finished:
            self._save(state, batch=0)
        self.interrupt.__exit__()

    def _save(self, state, batch):
        """Save the variables and the loop's position, `batch` being the next one to train."""
        seconds = state.seconds()
        position = {"epoch": state.epoch, "batch": batch, "samples_seen": state.samples_seen,
                    "train_seconds": seconds - state.eval_seconds, "eval_seconds": state.eval_seconds,
                    "epoch_order_rng": state.epoch_order_state, "eval_rng": state.test_rng.bit_generator.state,
                    "accuracies": list(state.history), "samples": list(state.history.samples),
                    "num_train": state.num_train, "batch_size": state.batch_size, "shuffle": state.shuffle}
        self.run.checkpoints.save(state.sess, state.samples_seen, position)

    def _resume(self, state):
        """Restore the run's latest checkpoint into the session and move `state` to where it stood."""
        path, position = self.run.checkpoints.restore_latest(state.sess)  # the newest readable one
        saved = (position["num_train"], position["batch_size"], position["shuffle"])
        if saved != (state.num_train, state.batch_size, state.shuffle):
            raise TfgraphError(
                f"The checkpoint {path} was saved while training on {saved[0]} examples in batches of {saved[1]} "
                f"(shuffle={saved[2]}), not {state.num_train} in batches of {state.batch_size} "
                f"(shuffle={state.shuffle}). Resume with the original run's data and flags.")
        state.epoch, state.batch, state.samples_seen = (position[key] for key in POSITION)
        state.seconds_before = position["train_seconds"] + position["eval_seconds"]
        state.eval_seconds = position["eval_seconds"]
        state.epoch_order_state = position["epoch_order_rng"]
        state.test_rng.bit_generator.state = position["eval_rng"]
        for samples, accuracy in zip(position["samples"], position["accuracies"]):
            state.history.record(samples, accuracy)
        self.run.restart_at(state.samples_seen + 1)  # what was logged up to the checkpoint stays
        print(f"Resuming from {path} (epoch {state.epoch + 1}, batch {state.batch + 1}, "
              f"{state.samples_seen} samples seen)")


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


def latest_run_dir(logdir, lesson):
    """The newest run folder of `lesson` under `logdir` that has a checkpoint and is no dry run, or None."""
    parent = Path(logdir) / lesson
    found = [path for path in parent.iterdir() if runs.has_checkpoint(path) and not is_dry_run(path)] \
        if parent.is_dir() else []

    def saved(path):
        return max(file.stat().st_mtime for file in runs.checkpoint_files(path))
    return max(found, key=saved, default=None)


def is_dry_run(run_dir):
    """Whether the run in `run_dir` was a --dry-run (its run.json says so; an unreadable one counts as no)."""
    try:
        with open(Path(run_dir) / "run.json", encoding="utf-8") as stream:
            saved = json.load(stream)
        return bool(saved.get("dry_run")) or "--dry-run" in saved.get("argv", [])
    except (OSError, ValueError, AttributeError):
        return False


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


def merge_argv(parser, saved, now):
    """`saved` then `now`, keeping only the last of each flag given in both (`--epochs 2` ... `--epochs 5`)."""
    def groups(argv):
        found, index = [], 0
        while index < len(argv):
            action = parser._option_string_actions.get(argv[index].split("=", 1)[0])
            takes = 1 if action is not None and action.nargs != 0 and "=" not in argv[index] else 0
            following = argv[index + 1] if index + 1 < len(argv) else "-"
            if action is not None and action.nargs == "?" and following.startswith("-"):
                takes = 0  # a bare --resume
            found.append((action.dest if action is not None else None, argv[index:index + 1 + takes]))
            index += 1 + takes
        return found

    given_now = {dest for dest, _ in groups(now) if dest is not None}
    return [token for dest, tokens in groups(saved) if dest is None or dest not in given_now for token in tokens] + now


def find_run_to_resume(args):
    """The run folder --resume names (or the lesson's latest with a checkpoint, no dry run), checked."""
    if args.resume == "latest":
        run_dir = latest_run_dir(args.logdir, args.lesson)
        if run_dir is None:
            raise TfgraphError(
                f"There is no run of {args.lesson} with a checkpoint under {Path(args.logdir) / args.lesson} "
                "to resume (dry runs are not picked). Start a new run without --resume, or name a run "
                "folder: --resume RUN_DIR.")
        return run_dir
    run_dir = Path(args.resume)
    if not (run_dir / "run.json").is_file():
        raise TfgraphError(
            f"{run_dir} is not a run folder of a lesson (it has no run.json). Give the folder a lesson "
            f"printed as its TensorBoard run, e.g. {Path(args.logdir) / args.lesson / '<run>'}.")
    return run_dir


def resume_args(parser, args, argv):
    """The flags of a --resume: the run's saved ones, then those given now; prints which run it continues."""
    run_dir = find_run_to_resume(args)
    saved = read_run_json(run_dir)
    lesson = saved.get("lesson", args.lesson)
    if lesson != args.lesson:
        raise TfgraphError(
            f"{run_dir} is a run of the lesson {lesson}, not {args.lesson}. Resume it with: "
            f"python -m lessons.{lesson} --resume {shlex.quote(str(run_dir))}")
    saved_argv, now = without_resume(saved["argv"]), without_resume(argv)
    what = "Drawing in a new run folder the graph of" if args.graph_only else "Resuming"
    print(f"{what} the run {run_dir} ({' '.join(saved_argv) or 'the defaults'}"
          f"{'; now also ' + ' '.join(now) if now else ''})")
    args = parser.parse_args(saved_argv + argv)  # flags given now win over the saved ones
    args.resume = run_dir
    args.argv = merge_argv(parser, saved_argv, now)  # saved in run.json once training restarts (runs.Run)
    return args
