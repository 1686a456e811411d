"""How long a class takes to grade in sandboxes: 30 students x every exercise (19 files each).

    python benchmarks/grading.py                  # 30 students, --jobs 2 (goal: under 5 minutes on 2 cores)
    python benchmarks/grading.py --students 3     # a smoke test

Builds a class folder in a temporary directory: each student hands in every exercise, two
thirds of them the reference solution and one third the untouched student file (so both
passing and failing verdicts are timed), then grades it as `python -m lessons.exercises
check --all DIR --jobs N` does: every file in a bubblewrap sandbox of its own (forked from
the students' fork server), every verdict decided by a judge in a sandbox of its own (forked
from the judges'). Prints the time (the fork servers' start-up apart), files per second, the
verdicts' counts and the machine, and with --record writes them to benchmarks/results.md
between the grading markers.
"""
import argparse
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.machine import cpu_model, memory_gib  # noqa: E402
from lessons.exercises import EXERCISES, solution_file, student_file  # noqa: E402
from lessons.exercises.grader.files import Job  # noqa: E402
from lessons.exercises.grader.runner import Grader  # noqa: E402
from lessons.exercises.grader.sandbox import BWRAP  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results.md"
START, END = "<!-- grading: start -->", "<!-- grading: end -->"


def build_class(folder, students):
    """DIR/<student>/<exercise>.py for every student and exercise; return the Jobs."""
    jobs = []
    for number in range(students):
        student = folder / f"student{number:02d}"
        student.mkdir()
        for index, exercise in enumerate(EXERCISES):
            source = student_file(exercise.name) if (number + index) % 3 == 0 else solution_file(exercise.name)
            shutil.copyfile(source, student / f"{exercise.name}.py")
            jobs.append(Job(exercise.name, str(folder), (student.name, f"{exercise.name}.py"), student.name))
    return jobs


def machine():
    """The CPU, cores, memory and load when the run ended."""
    memory = memory_gib()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{cpu_model()}, {os.cpu_count()} cores" + (f", {memory:.0f} GiB" if memory else "")
            + f", Python {sys.version.split()[0]}, load average {load:.1f} at the end")


def record(lines):
    """Replace the grading section of results.md (appended at the end the first time)."""
    text = RESULTS.read_text(encoding="utf-8")
    section = "\n".join([START, *lines, END])
    if START in text and END in text:
        text = text[:text.index(START)] + section + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    RESULTS.write_text(text, encoding="utf-8")


def main(argv=None):
    """Grade a made-up class, print what it took; --record writes it to results.md."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=30, help="students in the class (default: 30)")
    parser.add_argument("--jobs", type=int, default=2, help="files checked at once (default: 2)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per file (default: 60)")
    parser.add_argument("--record", action="store_true", help="write the result to benchmarks/results.md")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        jobs = build_class(Path(folder), args.students)
        started = time.monotonic()
        with Grader(BWRAP) as grader:
            ready = time.monotonic()
            reports = grader.grade(jobs, timeout=args.timeout, workers=args.jobs)
            done = time.monotonic()
    statuses = Counter(report.status for report in reports)
    slowest = max(reports, key=lambda report: report.seconds)
    lines = [
        "## Grading a class (benchmarks/grading.py)",
        "",
        f"{args.students} students x {len(EXERCISES)} files = {len(jobs)} files, `--jobs {args.jobs}`, every file "
        f"and its judge in bubblewrap sandboxes of their own (forked from two sandboxed fork servers).",
        "",
        f"- Total: **{done - started:.1f} s** ({ready - started:.1f} s starting the two fork servers, "
        f"{done - ready:.1f} s checking: {len(jobs) / (done - ready):.1f} files/s)",
        "- Verdicts: " + ", ".join(f"{count} {status}" for status, count in sorted(statuses.items())),
        f"- Slowest file: {slowest.job.exercise} ({slowest.seconds:.1f} s)",
        f"- Machine: {machine()}",
        f"- Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
    ]
    print("\n".join(lines))
    if args.record:
        record(lines)
        print(f"Wrote the grading section of {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
