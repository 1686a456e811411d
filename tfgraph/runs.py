"""A lesson's run folder from the command line: its name, its run.json, --resume and the closing lines.

A run folder is named after the time and every setting that differs from the lesson's
defaults (the data included), and holds `run.json`: the lesson, the flags it ran with
(those given with --resume too, so a later --resume keeps them) and whether it was a
dry run. A new run that fails before its first checkpoint is renamed `<name>,failed`
(`summaries.Run`); plain --resume never picks a dry run or another lesson's run.
"""
import json
import shlex
from pathlib import Path

from tfgraph.errors import TfgraphError

#: Flags left out of run names: where a run goes and how it is shown, not what it learns.
NOT_IN_RUN_NAMES = {"argv", "lesson", "logdir", "show", "resume", "device", "graph_only", "checkpoint_every",
                    "trace", "non_default"}
#: Short names in run folder names (others: the flag without its dashes).
SHORT_NAMES = {"learning_rate": "lr", "num_epochs": "epochs", "batch_size": "batch", "data_dir": "data"}


class AlreadyFinished(TfgraphError):
    """--resume of a run that has trained all its epochs: nothing to do, and that is no error."""

    exit_status = 0


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


def find_run_to_resume(args):
    """The run folder --resume names (or the lesson's latest with a checkpoint, no dry run), checked."""
    from tfgraph import summaries

    if args.resume == "latest":
        run_dir = summaries.latest_run_dir(args.logdir, args.lesson)
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
    saved_argv = without_resume(saved["argv"])
    print(f"Resuming the run {run_dir} ({' '.join(saved_argv) or 'the defaults'}"
          f"{'; now also ' + ' '.join(without_resume(argv)) if without_resume(argv) else ''})")
    args = parser.parse_args(saved_argv + argv)  # flags given now win over the saved ones
    args.resume = run_dir
    args.argv = merge_argv(parser, saved_argv, argv)  # run.json keeps them without --resume (open_run)
    return args


def check_not_finished(args):
    """Raise AlreadyFinished if the run --resume continues has trained all of `args.num_epochs` already."""
    folder = Path(args.resume) / "checkpoints"
    steps = sorted((int(path.name[9:-5]) for path in folder.glob("position-*.json") if path.name[9:-5].isdigit()
                    and (folder / f"model.ckpt-{path.name[9:-5]}.index").is_file()), reverse=True)
    try:
        with open(folder / f"position-{steps[0]}.json", encoding="utf-8") as stream:
            epochs = int(json.load(stream)["epoch"])
    except (IndexError, OSError, ValueError, KeyError, TypeError):
        return  # resuming explains a missing or damaged checkpoint itself
    if epochs < args.num_epochs:
        return
    done = f"already finished its {epochs} epoch{'' if epochs == 1 else 's'}" if epochs == args.num_epochs \
        else f"has already trained {epochs} epochs, more than --epochs {args.num_epochs}"
    raise AlreadyFinished(f"This run {done}; add --epochs N (more than {epochs}) to train on. Nothing was changed.")


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
    from tfgraph import summaries

    resuming = bool(getattr(args, "resume", None))
    if resuming:
        run_dir = Path(args.resume)
    else:
        name = dict(settings or {})
        name.update((key, value) for key, value in getattr(args, "non_default", {}).items() if key not in name)
        run_dir = summaries.make_run_dir(args.logdir, args.lesson, name)
    resume_command = f"python -m lessons.{args.lesson} --logdir {shlex.quote(args.logdir)} " \
                     f"--resume {shlex.quote(str(run_dir))}" if hasattr(args, "resume") else None
    run = summaries.Run(run_dir, graph, resuming=resuming, checkpoint_seconds=getattr(args, "checkpoint_every", 60.0),
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
    import tensorflow as tf

    from tfgraph.checkpoints import write_json_atomically
    from tfgraph.cli import NOT_HYPERPARAMETERS

    write_json_atomically(run.dir / "run.json", {"lesson": args.lesson, "argv": without_resume(args.argv),
                                                "dry_run": run.dry_run, "tensorflow": tf.__version__})
    if not run.resuming and not getattr(args, "graph_only", False):
        run.write_settings({key: value for key, value in vars(args).items()
                            if key not in NOT_HYPERPARAMETERS and isinstance(value, (bool, int, float, str))})


def print_closing(run, plots=(), curves=True):
    """Print where the plots and the TensorBoard run were saved and the command that opens them."""
    from tfgraph import summaries

    for plot in plots:
        print(f"Saved plot: {plot}")
    if getattr(run, "dry_run", False):
        print("This was a dry run (two batches on the sample): its accuracy and costs say nothing about the "
              "lesson. Run without --dry-run to train for real.")
    print(f"TensorBoard run: {run.dir}")
    print("See the graph and the curves with:" if curves else "See the graph with:")
    print(f"  {summaries.tensorboard_command(run.dir.parent)}")
