"""Before and after a change to the training loop: the same lessons, alternately on two commits.

    python benchmarks/loop_ab.py --before REV [--lessons fully_connected cnn] [--epochs 3] [--rounds 3]

Checks out REV into a temporary git worktree, then runs each lesson on full MNIST for
`--epochs`, alternating the old code and the current working tree `--rounds` times (so
both meet the same load), and reads each run's "training X s (Y s per epoch)" line:
training time only, the accuracy checks left out. Prints the per-epoch medians, their
ratio and the final accuracies, and writes them into benchmarks/results.md between this
script's markers, naming the machine and its load.
"""
import argparse
import datetime
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.machine import describe  # noqa: E402
from benchmarks.sections import write_section  # noqa: E402

TRAINING = re.compile(r"training ([\d.]+) s \(([\d.]+) s per epoch\)")
FINAL = re.compile(r"Final accuracy was ([\d.]+)")


def run_lesson(tree, lesson, epochs, logdir):
    """(training seconds per epoch, final accuracy) of one run of `lesson` from the source tree `tree`."""
    process = subprocess.run([sys.executable, "-m", f"lessons.{lesson}", "--epochs", str(epochs), "--logdir", logdir],
                             cwd=tree, env=dict(os.environ, PYTHONPATH=str(tree)), capture_output=True, text=True)
    if process.returncode != 0:
        raise SystemExit(f"lessons.{lesson} failed in {tree}:\n{process.stderr[-2000:]}")
    return float(TRAINING.search(process.stdout).group(2)), FINAL.search(process.stdout).group(1)


def measure(before, lessons, epochs, rounds):
    """{lesson: {"before"/"after": ([s per epoch per round], final accuracy)}}, alternating the two trees."""
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        old_tree = Path(scratch) / "before"
        subprocess.run(["git", "worktree", "add", "--detach", str(old_tree), before], cwd=ROOT, check=True,
                       capture_output=True)
        try:
            for lesson in lessons:
                runs = {"before": ([], None), "after": ([], None)}
                for round_number in range(rounds):
                    for name, tree in (("before", old_tree), ("after", ROOT)):
                        seconds, final = run_lesson(tree, lesson, epochs, str(Path(scratch) / "logs"))
                        runs[name][0].append(seconds)
                        runs[name] = (runs[name][0], final)
                        print(f"{lesson} round {round_number + 1} {name}: {seconds:.2f} s/epoch, final {final}",
                              flush=True)
                results[lesson] = runs
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old_tree)], cwd=ROOT, capture_output=True)
    return results


def report(results, before, epochs, rounds, loads):
    """Markdown lines: the machine, the command, and a row per lesson."""
    lines = [f"Measured {datetime.date.today()} by `python benchmarks/loop_ab.py --before {before} --epochs {epochs} "
             f"--rounds {rounds}` on: {describe()}; 1-minute load average {loads[0]:.1f} at the start, "
             f"{loads[1]:.1f} at the end (2 cores: above 2, other work shared the CPU).", "",
             "Training time per epoch on full MNIST (accuracy checks left out), median of the rounds, the two "
             "versions alternating:", "",
             "| lesson | before (s/epoch) | after (s/epoch) | after / before | final accuracy before, after |",
             "|---|---|---|---|---|"]
    for lesson, runs in results.items():
        old, new = statistics.median(runs["before"][0]), statistics.median(runs["after"][0])
        lines.append(f"| {lesson} | {old:.2f} ({', '.join(f'{s:.2f}' for s in runs['before'][0])}) | {new:.2f} "
                     f"({', '.join(f'{s:.2f}' for s in runs['after'][0])}) | {new / old:.2f}x | "
                     f"{runs['before'][1]}, {runs['after'][1]} |")
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", required=True, help="the commit to compare against (e.g. HEAD~3)")
    parser.add_argument("--lessons", nargs="+", default=["fully_connected", "cnn"])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    results = measure(args.before, args.lessons, args.epochs, args.rounds)
    lines = report(results, args.before, args.epochs, args.rounds, (load_before, os.getloadavg()[0]))
    print("\n".join(lines))
    write_section("loop_ab.py", lines)


if __name__ == "__main__":
    main()
