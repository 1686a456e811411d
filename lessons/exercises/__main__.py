"""`python -m lessons.exercises`: list the exercises, check a student's file, or grade a class.

    python -m lessons.exercises                          list the exercises
    python -m lessons.exercises check NAME [FILE]        check FILE (default: the packaged student file)
    python -m lessons.exercises check --all DIR          grade DIR/<student>/<exercise>.py, print a table

Exit status: 0 when every check passed, 1 when any failed, 2 for a mistake on the command line.
"""
import argparse
import os
import sys
import textwrap
from pathlib import Path

from lessons.exercises import EXERCISES, SOLUTIONS_DIR, STUDENT_DIR, UnknownExercise, get, student_file
from lessons.exercises.runner import DEFAULT_TIMEOUT, Job, WorkerFailed, grade


class CommandLineError(Exception):
    """A file or folder on the command line that cannot be used; the message says why."""


def relative(path):
    """`path` relative to the working directory when it is inside it, for shorter output."""
    try:
        shorter = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if shorter.startswith("..") else shorter


def list_exercises():
    """Print the exercises by lesson: name, minutes and task."""
    print("Exercises for the lessons. Check one with: python -m lessons.exercises check <name> [your_file.py]")
    print(f"Student files: {relative(STUDENT_DIR)}{os.sep}<name>.py   "
          f"(solutions, for teachers: {relative(SOLUTIONS_DIR)}{os.sep})\n")
    width = max(len(exercise.name) for exercise in EXERCISES)
    lesson = None
    for exercise in EXERCISES:
        if exercise.lesson != lesson:
            lesson = exercise.lesson
            print(f"{'' if exercise is EXERCISES[0] else chr(10)}{lesson}")
        print(f"  {exercise.name:<{width}}  {exercise.minutes:>2} min  {exercise.task}")
    total = sum(exercise.minutes for exercise in EXERCISES)
    print(f"\n{len(EXERCISES)} exercises, about {total / 60:.1f} hours in all.")


def indented(text, prefix="        "):
    """`text` wrapped and indented under a check's line."""
    lines = []
    for paragraph in text.splitlines():
        lines.extend(textwrap.wrap(paragraph, width=100, initial_indent=prefix, subsequent_indent=prefix,
                                   break_long_words=False, break_on_hyphens=False) or [prefix])
    return "\n".join(lines)


def print_result(report, result):
    """One check's line, PASS or FAIL, with its hint under a FAIL."""
    print(f"  {'PASS' if result.passed else 'FAIL'}  {result.description}", flush=True)
    if not result.passed:
        index = next(i for i, one in enumerate(report.results) if one is result)
        previous = report.results[index - 1] if index else None
        same = previous is not None and not previous.passed and previous.hint == result.hint
        print(indented("(the same as above)" if same else result.hint), flush=True)


def print_stopped(report):
    """The checks that did not run, and why."""
    if report.problem is None:
        return
    for description in report.unfinished() or ["(the checks)"]:
        print(f"  STOP  {description}")
    print(indented(report.problem))


def check_one(name, path, timeout):
    """Check one file against one exercise's checks, printing each verdict; return the exit status."""
    exercise = get(name)
    path = Path(path) if path else student_file(name)
    if not path.is_file():
        raise CommandLineError(f"there is no file {path}.")
    print(f"{exercise.name} (lesson: {exercise.lesson}): {exercise.task}")
    print(f"Checking {relative(path)}\n", flush=True)
    [report] = grade([Job(exercise.name, str(path.resolve()))], timeout=timeout, on_result=print_result)
    print_stopped(report)
    print(f"\n{report.passed} of {report.total} checks passed.", end=" ")
    if report.ok:
        print("Well done!")
        return 0
    print("Fix the first FAIL, then check again." if report.problem is None else "")
    return 1


def class_jobs(folder):
    """One Job per DIR/<student>/<exercise>.py, by student then exercise; and the files that are not exercises."""
    names = {exercise.name for exercise in EXERCISES}
    order = {exercise.name: index for index, exercise in enumerate(EXERCISES)}
    jobs, skipped = [], []
    for student in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith((".", "__"))):
        files = sorted(student.glob("*.py"), key=lambda p: (order.get(p.stem, len(order)), p.name))
        for file in files:
            if file.stem in names:
                jobs.append(Job(file.stem, str(file.resolve()), student.name))
            elif file.name != "__init__.py":
                skipped.append(file)
    return jobs, skipped


def plural(count, noun):
    """'1 file', '2 files'."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def summary(report):
    """A one-line note for a class table: the first failing check's hint, cut short."""
    if report.problem is not None:
        note = report.problem.split(". ")[0]
    else:
        failed = next((result for result in report.results if not result.passed), None)
        note = failed.hint if failed else ""
    note = " ".join(note.split())
    return note if len(note) <= 100 else note[:97] + "..."


def check_class(folder, timeout, workers, verbose):
    """Grade every student's files in `folder`, print a table; return the exit status."""
    folder = Path(folder)
    if not folder.is_dir():
        raise CommandLineError(f"{folder} is not a folder. --all expects DIR/<student>/<exercise>.py.")
    jobs, skipped = class_jobs(folder)
    for file in skipped:
        print(f"Skipping {relative(file)}: {file.stem!r} is not an exercise's name.")
    if not jobs:
        raise CommandLineError(f"found no exercise files in {folder}. Expected DIR/<student>/<exercise>.py, "
                         f"for example {folder / 'alice' / EXERCISES[0].name}.py.")
    students = len({job.student for job in jobs})
    print(f"Checking {plural(len(jobs), 'file')} of {plural(students, 'student')} in {relative(folder)} ...\n",
          flush=True)
    reports = grade(jobs, timeout=timeout, workers=workers)
    rows = [("student", "exercise", "passed", "note")]
    for report in reports:
        passed = f"{report.passed}/{report.total}" if report.total else "0/?"
        rows.append((report.job.student, report.job.exercise, passed, "" if report.ok else summary(report)))
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[3])
    failed = [report for report in reports if not report.ok]
    print(f"\n{len(reports) - len(failed)} of {plural(len(reports), 'file')} passed every check.")
    if verbose:
        for report in failed:
            print(f"\n{report.job.student} / {report.job.exercise} ({relative(report.job.path)}):")
            for result in report.results:
                print_result(report, result)
            print_stopped(report)
    elif failed:
        print("Add --verbose to see every hint.")
    return 1 if failed else 0


def positive_seconds(text):
    """A number of seconds greater than 0, for --timeout."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds, got {text}")
    return value


def parse_args(argv):
    """The command line: no command (list), `list`, or `check`."""
    parser = argparse.ArgumentParser(prog="python -m lessons.exercises", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("list", help="list the exercises (the default)")
    checker = commands.add_parser("check", help="check a student's file, or a class folder with --all")
    checker.add_argument("name", nargs="?", help="the exercise's name (see the list)")
    checker.add_argument("path", nargs="?", help="the file to check (default: the packaged student file)")
    checker.add_argument("--all", metavar="DIR", help="grade DIR/<student>/<exercise>.py and print a table")
    checker.add_argument("--timeout", type=positive_seconds, default=DEFAULT_TIMEOUT,
                         help=f"seconds one exercise's checks may take (default: {DEFAULT_TIMEOUT:g})")
    checker.add_argument("--jobs", type=int, default=1,
                         help="with --all: how many files to check at once (default: 1)")
    checker.add_argument("-v", "--verbose", action="store_true", help="with --all: print every failing hint")
    args = parser.parse_args(argv)
    if args.command == "check":
        if args.all and args.name:
            parser.error("give either an exercise's name (and a file) or --all DIR, not both")
        if not args.all and not args.name:
            parser.error("give an exercise's name (python -m lessons.exercises lists them) or --all DIR")
        if args.jobs < 1:
            parser.error("--jobs must be at least 1")
    return args


def main(argv=None):
    """Run the command line; return the exit status."""
    args = parse_args(argv)
    try:
        if args.command == "check" and args.all:
            return check_class(args.all, args.timeout, args.jobs, args.verbose)
        if args.command == "check":
            return check_one(args.name, args.path, args.timeout)
        list_exercises()
        return 0
    except (UnknownExercise, CommandLineError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except WorkerFailed as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nInterrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the output was piped into `head` or similar, which stopped reading
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
