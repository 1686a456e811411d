"""One process against two async and two sync workers: samples/s and final accuracy, same samples seen, as ranges.

    python benchmarks/distributed.py               # 5 epochs of full MNIST, 3 rounds (about 25 minutes on 2 cores)
    python benchmarks/distributed.py --epochs 1 --sample --repeat 1   # a quick look

Runs `python -m lessons.fully_connected` (one process) and `python -m lessons.distributed`
(a local cluster: one ps, two workers: the lesson's default run, with the chief's accuracy
checks; async without them; --sync; --sync with the learning rate doubled, since averaging
two gradients halves the number of updates) at the article's settings otherwise, each
--repeat times in turn, and reads the numbers they print. Each cell is the range (lowest to
highest) over the rounds: async runs and a shared machine vary. Samples/s is training samples
over training time: the fully connected lesson's own split leaves its accuracy checks out;
the distributed chief checks accuracy only at the end unless said (--how-often beyond the
last step). It rewrites its section of benchmarks/results.md, between
`<!-- distributed: start -->` and `<!-- distributed: end -->`, with the machine and its
load average named.
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
    ("1 ps + 2 workers, async, the lesson's default run (accuracy checks every 100 chief steps)", "distributed", []),
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


def spread(values, form):
    """`low-high` of `values` formatted with `form`, or one value when they agree."""
    low, high = form.format(min(values)), form.format(max(values))
    return low if low == high else f"{low}-{high}"


def measure(args, logdir):
    """Run every configuration --repeat times, round by round; return the table's rows."""
    results = {label: [] for label, _, _ in RUNS}
    for round_number in range(args.repeat):
        for label, lesson, flags in RUNS:
            results[label].append(run(lesson, flags, args.epochs, args.sample, logdir))
            accuracy, samples, seconds, wall, _ = results[label][-1]
            print(f"round {round_number + 1}: {label}: {samples / seconds:,.0f} samples/s, {wall:.0f} s, "
                  f"accuracy {accuracy:.4f}", flush=True)
    rows = []
    for label, measured in results.items():
        accuracy, samples, seconds, wall, steps = zip(*measured)
        per_worker = {}
        for rounds in steps:
            for worker, count, _, rate in rounds:
                per_worker.setdefault(worker, ([], []))[0].append(int(count))
                per_worker[worker][1].append(int(rate))
        workers = "; ".join(f"worker {worker}: {spread(counts, '{:,}')} steps, {spread(rates, '{:,}')} samples/s"
                            for worker, (counts, rates) in sorted(per_worker.items())) or "-"
        rates = [n / t for n, t in zip(samples, seconds)]
        rows.append(f"| {label} | {spread(samples, '{:,}')} | {spread(rates, '{:,.0f}')} "
                    f"| {spread(seconds, '{:.1f}')} | {spread(wall, '{:.0f}')} | {spread(accuracy, '{:.4f}')} "
                    f"| {workers} |")
    return rows


def main():
    """Run the configurations, print the table and write it into results.md."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=5, help="passes over the training set (default: 5)")
    parser.add_argument("--sample", action="store_true", help="the shipped sample instead of full MNIST")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of every configuration (default: 3)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave results.md alone")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as logdir:
        rows = measure(args, logdir)
    load_after = os.getloadavg()[0]
    data = "the shipped sample" if args.sample else "full MNIST (55,000 training images)"
    lines = [
        "## Distributed training: one process, two async workers, two sync workers",
        "",
        f"`python benchmarks/distributed.py --epochs {args.epochs} --repeat {args.repeat}"
        f"{' --sample' if args.sample else ''}`, {datetime.date.today()}, {data}, {args.epochs} epochs each, "
        "batch 50, 620 sigmoid units, learning rate 0.2 unless said. Each cell is the range over "
        f"{args.repeat} round{'' if args.repeat == 1 else 's'} (each configuration once per round, in turn). "
        f"All tasks are processes on this one machine: {describe()}. Load average (1 minute) "
        f"{load_before:.1f} at the start and {load_after:.1f} at the end, other work included: the timings "
        "move with it; the accuracies do not depend on it (async ones vary from run to run).",
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
