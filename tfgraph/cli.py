"""The command line every lesson shares: flags, settings, data, device, session and closing lines.

A lesson defines its own knobs (the article's hyperparameters) and asks this module
for the rest: `--seed`, `--logdir`, `--show`, `--device`, `--dry-run` and, for the
MNIST lessons, `--data-dir` and `--sample`. `run` turns the mistakes a learner can
fix into one clear paragraph and an exit status instead of a traceback.
"""
import argparse
import json
import shlex
import sys
from pathlib import Path

import numpy as np
import tensorflow as tf

from tfgraph import graphinfo, summaries
from tfgraph.checkpoints import write_json_atomically
from tfgraph.errors import TfgraphError

tf1 = tf.compat.v1

#: On --dry-run: one epoch over this many batches, and this many test images.
DRY_RUN_BATCHES = 2
DRY_RUN_TEST_IMAGES = 200
#: Test images in the shipped sample: --sample caps the default --test-size to it.
SAMPLE_TEST_IMAGES = 1000


#: Flags that say where and how a run happens, not what it learns: left out of the HParams dashboard.
NOT_HYPERPARAMETERS = {"argv", "lesson", "logdir", "data_dir", "show", "resume", "graph_only", "dry_run",
                       "checkpoint_every", "device", "trace"}


# Flag types: each rejects a bad value with a sentence argparse prints under the usage line.

def _number(text, convert, expected):
    """`convert(text)`, or the argparse error "expected <expected>, got '<text>'"."""
    try:
        return convert(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None


def positive_int(text):
    """An integer of at least 1."""
    value = _number(text, int, "a whole number")
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def positive_float(text):
    """A finite number greater than 0."""
    value = _number(text, float, "a number")
    if not np.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a number greater than 0, got {text}")
    return value


def probability(text):
    """A keep probability in (0, 1]."""
    value = _number(text, float, "a number")
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(
            f"a keep probability must be greater than 0 and at most 1, got {text} (1 keeps every unit)")
    return value


class LessonParser(argparse.ArgumentParser):
    """An ArgumentParser whose mistakes print the error line first and point to --help, not the whole usage."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\nSee the flags and their defaults with: {self.prog} --help\n")


def lesson_parser(module_doc, lesson):
    """An ArgumentParser for `python -m lessons.<lesson>`, described by the lesson's docstring (every lesson)."""
    parser = LessonParser(prog=f"python -m lessons.{lesson}", description=module_doc,
                          formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.set_defaults(lesson=lesson)
    return parser


def add_training_flags(parser, *, num_epochs, batch_size=None, learning_rate, test_size=None, how_often=None):
    """Add the article's training knobs with this lesson's defaults (introduced by linear regression)."""
    parser.add_argument("--epochs", dest="num_epochs", type=positive_int, default=num_epochs,
                        help=f"passes over the training data (default: {num_epochs})")
    if batch_size is not None:
        parser.add_argument("--batch-size", type=positive_int, default=batch_size,
                            help=f"training examples per step (default: {batch_size})")
    parser.add_argument("--learning-rate", type=positive_float, default=learning_rate,
                        help=f"the optimizer's step size (default: {learning_rate})")
    if test_size is not None:
        parser.add_argument("--test-size", type=positive_int, default=test_size,
                            help=f"test images in each periodic accuracy check (default: {test_size})")
    if how_often is not None:
        parser.add_argument("--how-often", type=positive_int, default=how_often,
                            help=f"check test accuracy every this many batches (default: {how_often})")
        parser.add_argument("--no-shuffle", dest="shuffle", action="store_false",
                            help="train in the article's fixed order instead of reshuffling each epoch")
        parser.add_argument("--trace", action="store_true",
                            help="record one training step's compute time and memory per op for "
                                 "TensorBoard's graph dashboard")
    parser.add_argument("--checkpoint-every", type=float, default=60.0, metavar="SECONDS",
                        help="save a checkpoint when this many seconds have passed (at an accuracy check "
                             "or an epoch's end), and at the end; 0 saves at every chance (default: 60)")
    parser.add_argument("--resume", nargs="?", const="latest", default=None, metavar="RUN_DIR",
                        help="continue the latest run of this lesson under --logdir (or RUN_DIR) from "
                             "its last checkpoint, with its flags; flags given now override them")


def add_common_flags(parser, *, uses_mnist=True):
    """Add the flags every lesson shares (introduced by every lesson)."""
    parser.add_argument("--seed", type=int, default=0,
                        help="seed for data, initial weights, dropout and shuffling; the same seed on "
                             "CPU prints the same numbers (default: 0)")
    if uses_mnist:
        parser.add_argument("--data-dir", default=None,
                            help="where MNIST is cached (default: $TFGRAPH_DATA_DIR, else "
                                 "~/.cache/tfgraph/mnist)")
        parser.add_argument("--sample", action="store_true",
                            help="use the small MNIST sample shipped with tfgraph (no download)")
    parser.add_argument("--logdir", default="logs",
                        help="TensorBoard runs go to LOGDIR/<lesson>/<run>/ (default: logs)")
    parser.add_argument("--show", action="store_true",
                        help="open the plots in a window (by default they are saved as PNG)")
    parser.add_argument("--device", choices=("auto", "cpu", "gpu"), default="auto",
                        help="where the graph runs; 'gpu' fails clearly if TensorFlow sees no GPU "
                             "(default: auto, a GPU if there is one)")
    parser.add_argument("--graph-only", action="store_true",
                        help="build the graph, write it for TensorBoard, print its variables and FLOPs, "
                             "and stop (no data, no training)")
    parser.add_argument("--dry-run", action="store_true",
                        help=f"fast check: the shipped sample, one epoch of {DRY_RUN_BATCHES} batches; "
                             "still writes summaries and plots")


def resolve_device(requested):
    """'cpu' or 'gpu' for a --device value, or a TfgraphError if a GPU is asked for and none is seen."""
    gpus = tf.config.list_physical_devices("GPU")
    if requested == "gpu" and not gpus:
        raise TfgraphError(
            "You asked for --device gpu, but TensorFlow sees no GPU on this machine (a CPU-only "
            "TensorFlow, no CUDA driver, or CUDA_VISIBLE_DEVICES hides it). Run with --device cpu, or "
            "install a GPU build of TensorFlow (pip install 'tensorflow[and-cuda]') and check "
            "python -c \"import tensorflow as tf; print(tf.config.list_physical_devices('GPU'))\".")
    if requested == "auto":
        return "gpu" if gpus else "cpu"
    return requested


def in_jupyter_kernel():
    """True inside a Jupyter kernel: a notebook, or VS Code running a lesson's `# %%` cells."""
    kernelapp = sys.modules.get("ipykernel.kernelapp")
    return kernelapp is not None and kernelapp.IPKernelApp.initialized()


def parse_args(parser, argv=None):
    """Parse the flags, apply --dry-run, check the device and print the settings (introduced by every lesson)."""
    if argv is None and in_jupyter_kernel():
        argv = ["--show"]  # sys.argv holds the kernel's own arguments; use the defaults, plots under the cell
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    args.argv = argv
    if getattr(args, "resume", None):
        args.resume = _find_run_to_resume(args)
        with open(args.resume / "run.json", encoding="utf-8") as stream:
            saved_argv = json.load(stream)["argv"]
        args = parser.parse_args(saved_argv + argv)  # flags given now win over the saved ones
        args.resume = _find_run_to_resume(args)
        args.argv = saved_argv + argv
    if args.dry_run:
        args.num_epochs = 1
        if hasattr(args, "sample"):
            args.sample = True
        if hasattr(args, "test_size"):
            args.test_size = min(args.test_size, DRY_RUN_TEST_IMAGES)
    if getattr(args, "sample", False) and hasattr(args, "test_size") \
            and args.test_size == parser.get_default("test_size"):
        # The article's default may ask for the full 10,000 test images; the sample has fewer.
        args.test_size = min(args.test_size, SAMPLE_TEST_IMAGES)
    args.device = resolve_device(args.device)
    if args.device == "cpu":
        # Same seed, same numbers: ask TensorFlow for deterministic kernels on the CPU.
        tf.config.experimental.enable_op_determinism()
    settings = " ".join(f"{key}={value}" for key, value in vars(args).items()
                        if value is not None and key not in ("argv", "lesson"))
    print(f"Settings: {settings}")
    return args


def _find_run_to_resume(args):
    """The run folder --resume names (or the lesson's latest with a checkpoint), checked."""
    if args.resume == "latest":
        run_dir = summaries.latest_run_dir(args.logdir, args.lesson)
        if run_dir is None:
            raise TfgraphError(
                f"There is no run of {args.lesson} with a checkpoint under {Path(args.logdir) / args.lesson} "
                "to resume. Start a new run without --resume, or name a run folder: --resume RUN_DIR.")
        return run_dir
    run_dir = Path(args.resume)
    if not (run_dir / "run.json").is_file():
        raise TfgraphError(
            f"{run_dir} is not a run folder of a lesson (it has no run.json). Give the folder a lesson "
            f"printed as its TensorBoard run, e.g. {Path(args.logdir) / args.lesson / '<run>'}.")
    return run_dir


def open_run(args, graph, settings=None):
    """The lesson's TensorBoard run: a new folder, or with --resume the one being continued (every lesson)."""
    resume_command = None
    if getattr(args, "resume", None):
        run_dir = Path(args.resume)
        print(f"Continuing the run in {run_dir}")
    else:
        run_dir = summaries.make_run_dir(args.logdir, args.lesson, settings)
        write_json_atomically(run_dir / "run.json", {"lesson": args.lesson, "argv": args.argv,
                                                    "tensorflow": tf.__version__})
    if hasattr(args, "resume"):
        resume_command = f"python -m lessons.{args.lesson} --logdir {shlex.quote(args.logdir)} " \
                         f"--resume {shlex.quote(str(run_dir))}"
    run = summaries.Run(run_dir, graph, resuming=bool(getattr(args, "resume", None)),
                        checkpoint_seconds=getattr(args, "checkpoint_every", 60.0),
                        resume_command=resume_command)
    if not run.resuming and not getattr(args, "graph_only", False):
        run.write_settings({key: value for key, value in vars(args).items()
                            if key not in NOT_HYPERPARAMETERS and isinstance(value, (bool, int, float, str))})
    return run


def show_graph(args, graph):
    """--graph-only: write the graph to a new run, print its variables and FLOPs and how to open it (every lesson)."""
    with open_run(args, graph, {"graph_only": 1}) as run:
        pass
    print("\n".join(graphinfo.describe(graph)))
    print_closing(run)
    return run


def load_mnist(args, reshape=True):
    """MNIST as the article used it: (train_X, train_Y, test_X, test_Y), one-hot labels (introduced by logistic regression).

    55,000 training and 10,000 test images from the full set, or the shipped sample
    with --sample; --dry-run keeps only a few batches of it.
    """
    from tfgraph import mnist

    if args.sample:
        data = mnist.load_sample(one_hot=True, reshape=reshape)
    else:
        data = mnist.read_data_sets(args.data_dir, one_hot=True, reshape=reshape)
    train_X, train_Y = data.train.images, data.train.labels
    test_X, test_Y = data.test.images, data.test.labels
    if args.dry_run:
        keep = DRY_RUN_BATCHES * getattr(args, "batch_size", 100)
        train_X, train_Y = train_X[:keep], train_Y[:keep]
        test_X, test_Y = test_X[:DRY_RUN_TEST_IMAGES], test_Y[:DRY_RUN_TEST_IMAGES]
    return train_X, train_Y, test_X, test_Y


def new_graph(args):
    """An empty graph seeded with --seed, so initial weights and dropout repeat (introduced by every lesson)."""
    graph = tf.Graph()
    graph.seed = args.seed
    return graph


def device_scope(args):
    """A context placing the ops built inside it on the --device (introduced by every lesson)."""
    return tf.device("/device:GPU:0" if args.device == "gpu" else "/device:CPU:0")


def session(args, graph):
    """A tf.compat.v1.Session for `graph` on the --device; on 'cpu' no GPU is used (introduced by every lesson)."""
    config = tf1.ConfigProto(allow_soft_placement=True)
    if args.device == "cpu":
        config.device_count["GPU"] = 0
    return tf1.Session(graph=graph, config=config)


def print_closing(run, plots=()):
    """Print where the plots and the TensorBoard run were saved and the command that opens them."""
    for plot in plots:
        print(f"Saved plot: {plot}")
    print(f"TensorBoard run: {run.dir}")
    print("See the graph and the curves with:")
    print(f"  {summaries.tensorboard_command(run.dir.parent)}")


def run(main, argv=None):
    """Call `main(argv)`; print a learner's mistake as one paragraph and exit non-zero, no traceback."""
    try:
        main(argv)
    except TfgraphError as error:
        status = getattr(error, "exit_status", 1)
        print(f"\n{'error' if status == 1 else 'stopped'}: {error}", file=sys.stderr)
        sys.exit(status)
    except KeyboardInterrupt:
        print("\nInterrupted.", file=sys.stderr)
        sys.exit(130)
    except Exception as error:  # not `except tf.errors...`: that would import TensorFlow for --help
        if not isinstance(error, tf.errors.ResourceExhaustedError):
            raise
        print("\nerror: TensorFlow ran out of memory. Try a smaller --batch-size or --test-size.",
              file=sys.stderr)
        sys.exit(1)
