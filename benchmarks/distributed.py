"""One process against two async and two sync workers: samples/s and final accuracy, same samples seen.

    python benchmarks/distributed.py               # 5 epochs of full MNIST each (about 6 minutes on 2 cores)
    python benchmarks/distributed.py --epochs 1 --sample   # a quick look

Runs `python -m lessons.fully_connected` (one process) and `python -m lessons.distributed`
(a local cluster: one ps, two workers, async; then --sync; then --sync with the learning
rate doubled, since averaging two gradients halves the number of updates) at the
article's settings otherwise, and reads the numbers they print. Samples/s is training
samples over training time: the fully connected lesson's own split leaves its accuracy
checks out; the distributed chief checks accuracy only at the end (--how-often is set
beyond the last step). It rewrites its section of benchmarks/results.md, between
`<!-- distributed: start -->` and `<!-- distributed: end -->`, with the machine named.
"""
import argparse
import datetime
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.machine import describe  # noqa: E402
from tfgraph.atomic import write_text_atomically  # noqa: E402

MARKER_START = "<!-- distributed: start -->"
MARKER_END = "<!-- distributed: end -->"
RUNS = (  # label, lesson, extra flags
    ("one process (fully_connected)", "fully_connected", ["--test-size", "1000"]),
    ("1 ps + 2 workers, async", "distributed", ["--how-often", "1000000"]),
    ("1 ps + 2 workers, --sync", "distributed", ["--how-often", "1000000", "--sync"]),
    ("1 ps + 2 workers, --sync --learning-rate 0.4", "distributed",
     ["--how-often", "1000000", "--sync", "--learning-rate", "0.4"]),
)


def run(lesson, flags, epochs, sample, logdir):
    """Run one lesson; return (final accuracy, samples seen, training seconds, wall seconds)."""
    argv = [sys.executable, "-m", f"lessons.{lesson}", "--epochs", str(epochs), "--logdir", logdir, *flags]
    argv += ["--sample"] if sample else []
    started = time.perf_counter()
    process = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    wall = time.perf_counter() - started
    output = process.stdout + process.stderr
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{output[-3000:]}")
    accuracy = float(re.search(r"Final accuracy was ([\d.]+)", output).group(1))
    if lesson == "fully_connected":
        seconds = float(re.search(r"training ([\d.]+) s", output).group(1))
        samples = epochs * (5000 if sample else 55000)  # every training image, each epoch
    else:
        seconds = float(re.search(r"Took ([\d.]+) seconds", output).group(1))
        samples = int(re.search(r"\((\d+) samples, ", output).group(1))
    steps = re.findall(r"\] worker (\d+): (\d+) steps in ([\d.]+) s, (\d+) samples/s", output)
    return accuracy, samples, seconds, wall, steps


def write_section(lines):
    """Replace (or append) the marked section of benchmarks/results.md."""
    path = ROOT / "benchmarks" / "results.md"
    text = path.read_text(encoding="utf-8")
    section = "\n".join([MARKER_START, *lines, MARKER_END])
    if MARKER_START in text and MARKER_END in text:
        head, rest = text.split(MARKER_START, 1)
        text = head + section + rest.split(MARKER_END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    write_text_atomically(path, text)


def main():
    """Run the four configurations, print the table and write it into results.md."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=5, help="passes over the training set (default: 5)")
    parser.add_argument("--sample", action="store_true", help="the shipped sample instead of full MNIST")
    parser.add_argument("--no-write", action="store_true", help="print only; leave results.md alone")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as logdir:
        for label, lesson, flags in RUNS:
            accuracy, samples, seconds, wall, steps = run(lesson, flags, args.epochs, args.sample, logdir)
            per_worker = "; ".join(f"worker {w}: {n} steps, {rate} samples/s" for w, n, _, rate in steps) or "-"
            row = f"| {label} | {samples:,} | {samples / seconds:,.0f} | {seconds:.1f} | {wall:.0f} | " \
                  f"{accuracy:.4f} | {per_worker} |"
            print(row, flush=True)
            rows.append(row)
    data = "the shipped sample" if args.sample else "full MNIST (55,000 training images)"
    lines = [
        "## Distributed training: one process, two async workers, two sync workers",
        "",
        f"`python benchmarks/distributed.py --epochs {args.epochs}{' --sample' if args.sample else ''}`, "
        f"{datetime.date.today()}, {data}, {args.epochs} epochs each, batch 50, 620 sigmoid units, "
        "learning rate 0.2 unless said. All tasks are processes on this one machine: "
        f"{describe()}. The machine was shared with other work while this ran, so the timings are "
        "rough; the accuracies do not depend on it (async ones vary from run to run).",
        "",
        "| run | samples seen | samples/s (training) | training s | wall s (start-up included) | "
        "final accuracy | each worker |",
        "|---|---|---|---|---|---|---|",
        *rows,
    ]
    print("\n".join(lines))
    if not args.no_write:
        write_section(lines)


if __name__ == "__main__":
    main()
