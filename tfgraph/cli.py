"""The command line every lesson shares: flag types, flags, settings, data, device, session and errors.

A lesson defines its own knobs (the article's hyperparameters, typed with the flag
types below: `type=cli.positive_int` rejects a bad value in one sentence) and asks
this module for the rest: `--seed`, `--logdir`, `--show`, `--device`, `--dry-run`
and, for the MNIST lessons, `--data-dir` and `--sample`. `run` turns the mistakes a
learner can fix into one clear paragraph and an exit status instead of a traceback.
"""
import argparse
import math
import os
import sys

import tensorflow as tf

from tfgraph import graphinfo, quiet, resume, runs
from tfgraph.errors import TfgraphError

tf1 = tf.compat.v1

#: errno values of a full disk or an exhausted quota.
DISK_FULL = {28, 122}  # ENOSPC, EDQUOT (Linux)

#: On --dry-run: one epoch over `runs.DRY_RUN_BATCHES` batches, and this many test images.
DRY_RUN_TEST_IMAGES = 200
#: Test images in the shipped sample: --sample caps the default --test-size to it.
SAMPLE_TEST_IMAGES = 1000


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
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a number greater than 0, got {text}")
    return value


def non_negative_float(text):
    """A finite number of at least 0."""
    value = _number(text, float, "a number")
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be a number of at least 0, got {text}")
    return value


def seed(text):
    """A random seed NumPy and TensorFlow both take: a whole number from 0 to 2**32 - 1."""
    value = _number(text, int, "a whole number")
    if not 0 <= value < 2 ** 32:
        raise argparse.ArgumentTypeError(f"must be a whole number from 0 to 4294967295, got {value}")
    return value


#: The most units a layer flag takes: any larger layer's weights could not even be described to TensorFlow.
MAX_UNITS = 2 ** 31 - 1


def layer_size(text):
    """Units in a layer: a whole number from 1 to MAX_UNITS (larger is the memory check's business before)."""
    value = positive_int(text)
    if value > MAX_UNITS:
        raise argparse.ArgumentTypeError(
            f"must be at most {MAX_UNITS:,} units, got {text} (no machine holds even a layer that big)")
    return value


def folder(text):
    """A folder name that is not empty and that TensorFlow can be given (UTF-8)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("needs a folder name, got an empty one")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise argparse.ArgumentTypeError(
            f"the name {text.encode('utf-8', 'backslashreplace').decode('ascii')} is not text in this terminal's "
            f"encoding ({sys.getfilesystemencoding()}; LC_ALL or LANG is probably C), and TensorFlow takes "
            "file names in UTF-8. Use a UTF-8 locale (export LC_ALL=C.UTF-8) or PYTHONUTF8=1, or a folder "
            "name in plain ASCII") from None
    return text


def probability(text):
    """A keep probability in (0, 1]."""
    value = _number(text, float, "a number")
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(
            f"a keep probability must be greater than 0 and at most 1, got {text} (1 keeps every unit)")
    return value


def decay_rate(text):
    """A decay of a running average: at least 0 and below 1 (RMSProp's, in the CNN and the modern net)."""
    value = _number(text, float, "a number")
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 0 and below 1, got {text}")
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
    parser.add_argument("--checkpoint-every", type=non_negative_float, default=60.0, metavar="SECONDS",
                        help="save a checkpoint when this many seconds have passed (at an accuracy check "
                             "or an epoch's end), and at the end; 0 saves at every chance (default: 60)")
    parser.add_argument("--resume", nargs="?", const="latest", default=None, metavar="RUN_DIR", type=folder,
                        help="continue the latest run of this lesson under --logdir (or RUN_DIR) from "
                             "its last checkpoint, with its flags; flags given now override them")


def add_common_flags(parser, *, uses_mnist=True):
    """Add the flags every lesson shares (introduced by every lesson)."""
    parser.add_argument("--seed", type=seed, default=0,
                        help="seed for data, initial weights, dropout and shuffling; the same seed on "
                             "CPU prints the same numbers (default: 0)")
    if uses_mnist:
        parser.add_argument("--data-dir", type=folder, default=None,
                            help="where MNIST is cached (default: $TFGRAPH_DATA_DIR, else "
                                 "~/.cache/tfgraph/mnist)")
        parser.add_argument("--sample", action="store_true",
                            help="use the small MNIST sample shipped with tfgraph (no download)")
    parser.add_argument("--logdir", type=folder, default="logs",
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
                        help=f"fast check: the shipped sample, one epoch of {runs.DRY_RUN_BATCHES} batches; "
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


def parse_args(parser, argv=None):
    """Parse the flags, apply --dry-run, check the device and print the settings (introduced by every lesson)."""
    if argv is None and runs.in_jupyter_kernel():
        argv = ["--show"]  # sys.argv holds the kernel's own arguments; use the defaults, plots under the cell
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    args.argv = argv
    if getattr(args, "resume", None):
        if args.dry_run:
            parser.error("--dry-run makes a new run of a few batches and cannot continue the run --resume "
                         "names: leave one of the two out")
        args = resume.resume_args(parser, args, argv)
    if not 0 <= getattr(args, "decay", 0) < 1:
        parser.error(f"argument --decay: must be at least 0 and below 1, got {args.decay}")
    args.non_default = runs.non_default_settings(parser, args)
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
                        if value is not None and key not in ("argv", "lesson", "non_default"))
    print(f"Settings: {settings}")
    return args


def show_graph(args, graph):
    """--graph-only: write the graph to a new run, print its variables and FLOPs and how to open it (every lesson)."""
    with runs.open_run(args, graph) as run:  # a new folder named `...,graph-only`
        pass
    print("\n".join(graphinfo.describe(graph)))
    runs.print_closing(run, curves=False)
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
    _check_sizes(args, len(train_X), len(test_X))
    if args.dry_run:
        keep = runs.DRY_RUN_BATCHES * getattr(args, "batch_size", 100)
        train_X, train_Y = train_X[:keep], train_Y[:keep]
        test_X, test_Y = test_X[:DRY_RUN_TEST_IMAGES], test_Y[:DRY_RUN_TEST_IMAGES]
    return train_X, train_Y, test_X, test_Y


def _check_sizes(args, num_train, num_test):
    """Refuse a --batch-size or --test-size larger than the data, before any run folder is made."""
    data = "the shipped sample" if args.sample else "MNIST"
    if getattr(args, "batch_size", 0) > num_train:
        raise TfgraphError(f"--batch-size {args.batch_size} is larger than the {num_train} training images of "
                           f"{data}; use a batch size of at most {num_train}.")
    if getattr(args, "test_size", 0) > num_test:
        raise TfgraphError(f"--test-size {args.test_size} is too large: the test set has only {num_test} images "
                           f"({data}); use a test size of at most {num_test}.")


def require_memory(nbytes, flags):
    """Raise a TfgraphError if `nbytes` cannot fit in this machine's memory, naming the `flags` that ask for it."""
    import os

    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return
    if nbytes > total:
        raise TfgraphError(f"{flags} would need about {nbytes / 1e9:,.1f} GB of memory, but this machine has "
                           f"{total / 1e9:,.1f} GB. Choose smaller sizes.")


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
    variables = graph.get_collection(tf1.GraphKeys.GLOBAL_VARIABLES)
    sizes = [v.shape.num_elements() * v.dtype.size for v in variables if v.shape.is_fully_defined()]
    # Each weight is held, initialized and updated: count three copies before TensorFlow tries.
    require_memory(3 * sum(sizes), f"The model's {sum(sizes) // 4:,} weights (the flags that size its layers)")
    config = tf1.ConfigProto(allow_soft_placement=True)
    if args.device == "cpu":
        config.device_count["GPU"] = 0
    return tf1.Session(graph=graph, config=config)


def run(main, argv=None):
    """Call `main(argv)`; print a learner's mistake as one paragraph and exit non-zero, no traceback."""
    for stream in (sys.stdout, sys.stderr):  # a character the terminal cannot show is escaped, not fatal
        if getattr(stream, "errors", None) == "strict" and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        try:
            _explain_errors(main, argv)
        finally:
            sys.stdout.flush()  # output cut off by a closed pipe (`| head`) shows here, not at exit
    except BrokenPipeError:
        try:  # the reader is gone: drop what is left, as `head` users expect, without a traceback
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        sys.exit(141)  # 128 + SIGPIPE, what a program stopped by a closed pipe reports


def _explain_errors(main, argv):
    """Call `main(argv)`, turning the errors a learner can act on into one paragraph and an exit status."""
    try:
        main(argv)
    except (TfgraphError, quiet.TensorFlowImportError) as error:
        status = getattr(error, "exit_status", 1)
        if status == 0:
            print(error)
            return
        print(f"\n{'error' if status == 1 else 'stopped'}: {error}", file=sys.stderr)
        sys.exit(status)
    except OSError as error:
        if error.errno not in DISK_FULL:
            raise
        print(f"\nerror: the disk is full: cannot write {error.filename or 'a file'}. Free some space or choose "
              "another --logdir; the checkpoints saved so far are whole.", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("\nInterrupted.", file=sys.stderr)
        sys.exit(130)
    except Exception as error:
        # Only an imported TensorFlow can have raised its own errors: asking `tf.errors` otherwise would
        # import it (slow for --help, and a second report of an import that failed).
        if not quiet.imported() or not isinstance(error, tf.errors.ResourceExhaustedError):
            raise
        full = [line for line in str(error).splitlines() if "space left" in line or "quota" in line.lower()]
        if full:  # TensorFlow reports a full disk as a ResourceExhaustedError too
            print(f"\nerror: the disk is full: {full[0].strip()[:300]}. Free some space or choose another "
                  "--logdir; the checkpoints saved so far are whole.", file=sys.stderr)
            sys.exit(1)
        print("\nerror: TensorFlow ran out of memory. Try a smaller --batch-size or --test-size.",
              file=sys.stderr)
        sys.exit(1)
