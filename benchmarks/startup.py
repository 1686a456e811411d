"""How long a learner waits for help, for a flag mistake and for the lesson index (goal: under 0.5 s each).

    python benchmarks/startup.py            # 7 runs of each command, the median and the range
    python benchmarks/startup.py --runs 3

Each command runs in a fresh Python process, as a learner types it, and is timed from
start to exit. A lesson's `--help` and a mistyped flag need no TensorFlow (imported on
first use, `tfgraph.quiet`); for scale, the last row times importing TensorFlow itself.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import machine  # noqa: E402

GOAL = 0.5  # seconds
COMMANDS = (
    ("a lesson's --help", ["-m", "lessons.cnn", "--help"], 0),
    ("a mistyped flag", ["-m", "lessons.cnn", "--epochs", "ten"], 2),
    ("the lesson index", ["-m", "lessons"], 0),
    ("lessons.notebook --help", ["-m", "lessons.notebook", "--help"], 0),
    ("(for scale) import tensorflow", ["-c", "import tensorflow"], 0),
)


def time_command(arguments, status, runs):
    """Wall-clock seconds of `runs` runs of `python arguments`, each checked to exit with `status`."""
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        process = subprocess.run([sys.executable, *arguments], cwd=ROOT, capture_output=True, text=True,
                                 env=dict(os.environ, PYTHONPATH=str(ROOT)))
        seconds.append(time.perf_counter() - started)
        if process.returncode != status:
            raise SystemExit(f"python {' '.join(arguments)} exited {process.returncode}:\n{process.stderr[-2000:]}")
    return seconds


def main(argv=None):
    """Time each command and print a Markdown table with the machine and the load."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="runs of each command (default: 7)")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    rows = [(label, time_command(arguments, status, args.runs)) for label, arguments, status in COMMANDS]
    print(f"Measured by `python benchmarks/startup.py` on: {machine.describe()}; 1-minute load average "
          f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after.\n")
    print("| command | median | fastest - slowest | goal |")
    print("|---|---|---|---|")
    for label, seconds in rows:
        goal = "" if label.startswith("(") else ("✓" if statistics.median(seconds) < GOAL else "✗") + f" < {GOAL} s"
        print(f"| {label} | {statistics.median(seconds):.2f} s | {min(seconds):.2f} - {max(seconds):.2f} s | {goal} |")


if __name__ == "__main__":
    main()
