"""The test suite's counts and wall times: the two steps CI runs, each timed over several runs.

    python benchmarks/suite.py             # each step 3 times (about 3 x the suite's time)
    python benchmarks/suite.py --runs 1    # once, for a quick record

Runs `python -m pytest -m "not slow"` and then `python -m pytest -m slow` from the repository's
root, as .ci/run does, and reads pytest's own summary of each (setup.cfg's `-ra` lists every
skip with its reason): passed, skipped and why, failed, errors. It writes them, the wall time of
each step (the range over the runs, and the median), the machine (benchmarks/machine.py) and the
load between its markers in benchmarks/results.md; the README's Tests section links there.
Run it on a quiet machine (load average under 1): other work stretches the times.
"""
import argparse
import datetime
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import machine, sections  # noqa: E402

NAME = "suite.py"  # its section of results.md: <!-- suite.py: start --> ... <!-- suite.py: end -->
#: (name, pytest's -m expression): the two steps of .ci/run, in its order.
STEPS = (("fast", "not slow"), ("slow", "slow"))
KINDS = ("passed", "skipped", "failed", "errors", "xfailed", "xpassed", "deselected")
SUMMARY = re.compile(r"^=*\s*((?:\d+ [a-z]+(?:, )?)+|no tests ran) in ([\d.]+)s\b.*$", re.M)
COUNT = re.compile(r"(\d+) ([a-z]+)")
SKIPPED = re.compile(r"^SKIPPED \[(\d+)\] (.+?:\d+): (.*)$", re.M)
FAILED = re.compile(r"^(FAILED|ERROR) (\S+)(?: - (.*))?$", re.M)


class SuiteError(Exception):
    """pytest's output could not be read: what was expected and where the output ended."""


def parse(output):
    """pytest's summary of one step: counts by kind, its own seconds, skips with reasons, failures."""
    summaries = SUMMARY.findall(output)
    if not summaries:
        raise SuiteError("pytest's output has no summary line ('... passed ... in 12.34s'); it ended with:\n"
                         + "\n".join(output.strip().splitlines()[-15:]))
    text, seconds = summaries[-1]
    counts = dict.fromkeys(KINDS, 0)
    for number, kind in COUNT.findall(text):
        kind = {"error": "errors", "warning": "warnings"}.get(kind, kind)
        if kind in counts:
            counts[kind] += int(number)
    skipped = [(int(number), where, reason.strip()) for number, where, reason in SKIPPED.findall(output)]
    failed = [(kind, test) for kind, test, _ in FAILED.findall(output)]
    return {"counts": counts, "pytest_seconds": float(seconds), "skipped": skipped, "failed": failed}


def command(expression):
    """The step's command line, as .ci/run writes it."""
    return f'python -m pytest -m "{expression}"' if " " in expression else f"python -m pytest -m {expression}"


def run_step(expression, cwd=ROOT):
    """Run one step of the suite; its parsed summary, wall seconds, load and the other processes' cores."""
    load_before = os.getloadavg()[0]
    busy_before, children_before = machine.cpu_seconds(), os.times()
    started = time.perf_counter()
    process = subprocess.run([sys.executable, "-m", "pytest", "-m", expression], cwd=cwd,
                             capture_output=True, text=True)
    wall = time.perf_counter() - started
    busy_after, children_after = machine.cpu_seconds(), os.times()
    result = parse(process.stdout + process.stderr)
    own = (children_after.children_user + children_after.children_system
           - children_before.children_user - children_before.children_system)
    others = (max(0.0, busy_after[0] - busy_before[0] - own) / wall) if busy_before and busy_after else None
    result.update(status=process.returncode, wall=wall, load=(load_before, os.getloadavg()[0]), others=others)
    return result


def span(values, text):
    """"low - high" of `values` formatted by `text`, or the one value when they are all equal."""
    low, high = text(min(values)), text(max(values))
    return low if low == high else f"{low} - {high}"


def duration(seconds):
    """Seconds as a person reads them: "48 s", "3.2 min"."""
    return f"{seconds:.0f} s" if seconds < 100 else f"{seconds / 60:.1f} min"


def step_row(label, runs):
    """One table row: the step's counts (a range if runs differ), wall times, pytest's time and load."""
    walls = [run["wall"] for run in runs]
    counts = " | ".join("-" if runs[0]["counts"].get(kind) is None else span([run["counts"][kind] for run in runs], str)
                        for kind in ("passed", "skipped", "failed", "errors", "deselected"))
    wall = span(walls, duration) + (f" (median {duration(statistics.median(walls))})" if len(runs) > 2 else "")
    others = [run["others"] for run in runs if run.get("others") is not None]
    return (f"| {label} | {counts} | {wall} | {span([run['pytest_seconds'] for run in runs], duration)} | "
            + span([load for run in runs for load in run["load"]], lambda value: f"{value:.1f}")
            + f" | {span(others, lambda value: f'{value:.2f}') if others else '-'} |")


def skip_lines(results):
    """Each reason tests were skipped for: how many in which step (a range if runs differ), and where."""
    lines = []
    for name, runs in results.items():
        reasons = {}
        for index, run in enumerate(runs):
            for number, where, reason in run["skipped"]:
                counts, places = reasons.setdefault(reason, ([0] * len(runs), []))
                counts[index] += number
                places += [] if where in places else [where]
        lines += [f"- {span(counts, str)} in the {name} step ({', '.join(places)}): {reason}"
                  for reason, (counts, places) in reasons.items()]
    return lines or ["Nothing was skipped."]


def failure_lines(results):
    """Each test that failed or errored, with the step and how many of the runs it failed in."""
    lines = []
    for name, runs in results.items():
        tests = {}
        for run in runs:
            for kind, test in run["failed"]:
                tests.setdefault((kind, test), 0)
                tests[(kind, test)] += 1
        lines += [f"- {kind} {test} (the {name} step, {count} of {len(runs)} runs)"
                  for (kind, test), count in tests.items()]
        lines += [f"- pytest exited with status {run['status']} in run {index} of the {name} step"
                  for index, run in enumerate(runs, start=1) if run.get("status") not in (0, 1)]
    return lines


def weighted_others(runs):
    """The other processes' cores over several runs, weighted by their wall times (None if not known)."""
    if any(run.get("others") is None for run in runs):
        return None
    return sum(run["others"] * run["wall"] for run in runs) / sum(run["wall"] for run in runs)


def section(results, machine_text, runs, today=None):
    """The lines of the section: what ran, on which machine, the table, the skips and the failures."""
    totals = [{"counts": {kind: sum(results[name][index]["counts"][kind] for name, _ in STEPS) for kind in KINDS},
               "wall": sum(results[name][index]["wall"] for name, _ in STEPS),
               "pytest_seconds": sum(results[name][index]["pytest_seconds"] for name, _ in STEPS),
               "load": [load for name, _ in STEPS for load in results[name][index]["load"]],
               "others": weighted_others([results[name][index] for name, _ in STEPS])}
              for index in range(runs)]
    for total in totals:
        total["counts"]["deselected"] = None  # each test is left out by one step and run by the other
    failures = failure_lines(results)
    return [
        "## The test suite",
        "",
        f"Measured {today or datetime.date.today()} by `python benchmarks/suite.py --runs {runs}` on: {machine_text}.",
        f"Each step ran {runs} time{'s' if runs > 1 else ''}, one after the other; where runs differ, the range "
        "is given. Wall time is from start to exit; pytest's own time leaves out Python's start-up and pytest's "
        "plugins. "
        "Load is the 1-minute load average at the start and end of each run (2 cores: above 2, other work "
        "shared the CPU); 'other processes' is how many cores processes outside the suite kept busy meanwhile.",
        "",
        "| step (as `.ci/run` runs it) | passed | skipped | failed | errors | left to the other step "
        "| wall time | pytest's time | load | other processes (cores) |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *(step_row(f"`{command(expression)}`", results[name]) for name, expression in STEPS),
        step_row("both steps", totals),
        "",
        "Skipped, with pytest's reasons:",
        "",
        *skip_lines(results),
        "",
        *(["Failed:", "", *failures] if failures else ["Nothing failed."]),
    ]


def main(argv=None):
    """Run both steps `--runs` times, print what each gave, and write the section."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="runs of each step (default: 3)")
    parser.add_argument("--out", default=str(sections.RESULTS), help="the file to write (default: benchmarks/results.md)")
    parser.add_argument("--no-write", dest="write", action="store_false", help="print the section only")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    machine_text = machine.describe()
    print(f"Machine: {machine_text}", flush=True)
    results = {name: [] for name, _ in STEPS}
    for index in range(args.runs):
        for name, expression in STEPS:
            result = run_step(expression)
            results[name].append(result)
            counts = ", ".join(f"{value} {kind}" for kind, value in result["counts"].items() if value)
            print(f"run {index + 1}, {command(expression)}: {counts}; {duration(result['wall'])} "
                  f"(load {result['load'][0]:.1f} -> {result['load'][1]:.1f}, exit {result['status']})", flush=True)
    lines = section(results, machine_text, args.runs)
    print("\n".join(lines))
    if args.write:
        sections.write_section(NAME, lines, path=args.out)


if __name__ == "__main__":
    try:
        main()
    except SuiteError as error:
        raise SystemExit(f"error: {error}")
