"""Check that where train_model runs its steps changes no number, over a whole training run.

    python benchmarks/placements.py                          # modern net, seed 1, 50 epochs
    python benchmarks/placements.py --lesson cnn --epochs 10

Trains one lesson's model at the article's settings once per placement ('thread pool',
'calling thread'), each from the same seed in the same process, and compares the trained
weights bit for bit. `tests/test_steps.py` does this over a few steps; a difference that
only rare values trigger (denormal floats, say: tfgraph/denormals.py) can need many
epochs to show, so run this before making a placement or another lever the default.
Prints each run's final accuracy and time and exits 1 if any weight differs.
"""
import argparse
import contextlib
import importlib
import io
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.machine import describe  # noqa: E402
from benchmarks.throughput import MODELS, keep_feeds  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lesson", choices=MODELS, default="modern_net")
    parser.add_argument("--epochs", type=int, default=None, help="default: the lesson's (the article's) epochs")
    parser.add_argument("--seed", type=int, default=1, help="default 1: the seed whose drift was first seen")
    parser.add_argument("--placements", nargs="+", default=["thread pool", "calling thread"],
                        choices=["thread pool", "calling thread", "auto"])
    parser.add_argument("--sample", action="store_true", help="the shipped MNIST sample (a quick check)")
    parser.add_argument("--logdir", default=str(ROOT / "logs" / "benchmarks"))
    return parser.parse_args(argv)


def train(lesson, module, lesson_args, data, placement):
    """Train the lesson's model from its seed with `placement`; return (history, trained weights)."""
    from tfgraph import cli, training

    graph, g = module.build_graph(lesson_args)
    train_X, train_Y, test_X, test_Y = data
    train_feed, test_feed = keep_feeds(lesson, g, lesson_args)
    with cli.session(lesson_args, graph) as sess:
        sess.run(g.init)
        with contextlib.redirect_stdout(io.StringIO()):
            history = training.train_model(
                sess, train_X, train_Y, test_X, test_Y, g.ops.train_operation, g.ops.accuracy_operation,
                lesson_args.num_epochs, lesson_args.batch_size, lesson_args.test_size, train_feed,
                test_feed, lesson_args.how_often, X=g.X, Y=g.Y,
                cost_operation=g.ops.total_cost, seed=lesson_args.seed, progress=False, placement=placement)
        weights = sess.run(graph.get_collection("trainable_variables"))
    return history, weights


def main(argv=None):
    args = parse_args(argv)
    from tfgraph import cli, denormals

    if "calling thread" in args.placements and not denormals.supported():
        print("The calling thread cannot be compared on this machine: tfgraph flushes denormals in the calling "
              "thread on Linux x86-64 with glibc only (tfgraph/denormals.py), and elsewhere train_model keeps "
              "its steps on the thread pool. Nothing to compare here.", file=sys.stderr)
        return 2

    module = importlib.import_module(f"lessons.{args.lesson}")
    flags = ["--seed", str(args.seed), "--logdir", args.logdir] + (["--sample"] if args.sample else [])
    if args.epochs is not None:
        flags += ["--epochs", str(args.epochs)]
    lesson_args = module.parse_args(flags)
    data = cli.load_mnist(lesson_args, reshape=args.lesson != "cnn")
    print(f"Machine: {describe()}")
    print(f"{args.lesson}, seed {args.seed}, {lesson_args.num_epochs} epochs of {len(data[0])} images, "
          f"batch {lesson_args.batch_size}")
    runs = []
    for placement in args.placements:
        started = time.perf_counter()
        history, weights = train(args.lesson, module, lesson_args, data, placement)
        runs.append((placement, history, weights))
        print(f"  {placement:15s} final accuracy {history.final_accuracy:.4f}, steps ran in the "
              f"{history.placement}, {history.train_seconds / lesson_args.num_epochs:.2f} s/epoch training, "
              f"{time.perf_counter() - started:.0f} s in all", flush=True)
    reference = runs[0]
    differing = []
    for placement, _, weights in runs[1:]:
        for variable, (got, expected) in enumerate(zip(weights, reference[2])):
            if not np.array_equal(got, expected):
                differing.append(f"{placement} vs {reference[0]}: variable {variable} differs in "
                                 f"{np.count_nonzero(got != expected)} of {got.size} values")
    if differing:
        print("DIFFERENT weights:\n  " + "\n  ".join(differing))
        return 1
    print(f"Identical: every trained weight bit for bit equal across {', '.join(args.placements)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
