"""`python -m lessons.exercises`: list the exercises, check a student's file, or grade a class.

    python -m lessons.exercises                          list the exercises
    python -m lessons.exercises start NAME [DIR]         copy a fresh student file into DIR (default: here)
    python -m lessons.exercises status [DIR]             which exercises in DIR pass, fail or are not started
    python -m lessons.exercises check NAME [FILE]        check FILE (default: the packaged student file)
    python -m lessons.exercises check --all DIR          grade DIR/<student>/<exercise>.py, print a table
         [--csv FILE] [--json FILE] [--exercises A,B]    ... and write it for a spreadsheet or a script
    python -m lessons.exercises gradescope DIR [FILE]    grade one submission, write Gradescope's results.json

Each file runs in a process of its own; a separate process that never ran it decides
its verdict (docs/teachers.md says how, and what a determined student can still do).
Exit status: 0 when every check passed, 1 when any failed, 2 for a mistake on the command line.
"""
import argparse
import math
import os
import shutil
import sys
import textwrap
from pathlib import Path

from lessons.exercises import EXERCISES, SOLUTIONS_DIR, STUDENT_DIR, UnknownExercise, get, student_file
from lessons.exercises import reports as outputs
from lessons.exercises.runner import DEFAULT_TIMEOUT, Job, WorkerFailed, grade

#: Files checked at once by default: one per core.
DEFAULT_JOBS = max(1, os.cpu_count() or 1)


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


def exercise_files(folder):
    """({exercise: path} for DIR/<exercise>.py, [other .py files]) of one folder."""
    names = {exercise.name for exercise in EXERCISES}
    found, others = {}, []
    for file in sorted(folder.glob("*.py")):
        if file.stem in names:
            found[file.stem] = file
        elif file.name != "__init__.py":
            others.append(file)
    return found, others


def expected_names(text, handed_in):
    """The exercises to expect: those named in `text` (comma-separated), else every one anybody handed in."""
    if not text:
        return [exercise.name for exercise in EXERCISES if exercise.name in handed_in]
    names = [name.strip() for name in text.split(",") if name.strip()]
    return [get(name).name for name in names]


def class_jobs(folder, expect=None):
    """Jobs for DIR/<student>/<exercise>.py (path None where an expected one is missing), loose and other files."""
    students = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith((".", "__")))
    files = {student.name: exercise_files(student) for student in students}
    handed_in = {name for found, _ in files.values() for name in found}
    names = expected_names(expect, handed_in)
    order = {exercise.name: index for index, exercise in enumerate(EXERCISES)}
    jobs, unknown = [], []
    for student, (found, others) in files.items():
        unknown.extend(others)
        for name in sorted(set(found) | set(names), key=order.get):
            path = found.get(name)
            jobs.append(Job(name, str(path.resolve()) if path else None, student))
    loose = sorted(folder.glob("*.py"))
    return jobs, loose, unknown


def plural(count, noun):
    """'1 file', '2 files'."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def summary(report):
    """A one-line note for a class table: the first failing check's hint, cut short."""
    note = report.problem.split(". ")[0] if report.problem is not None else report.first_hint()
    return outputs.one_line(note, 100)


def print_table(reports):
    """The class table: student, exercise, passed/total and a note; then each student's total."""
    rows = [("student", "exercise", "passed", "note")]
    for report in reports:
        passed = "missing" if report.status == "missing" else (
            f"{report.passed}/{report.total}" if report.total else "0/?")
        rows.append((report.job.student, report.job.exercise, passed, "" if report.ok else summary(report)))
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[3])
    totals = outputs.by_student(reports)
    print("\nTotals: " + ", ".join(f"{student} {sum(r.passed for r in rows)}/{sum(r.total for r in rows)}"
                                   for student, rows in totals.items()))


def report_files(loose, unknown):
    """Say which files were not graded: loose at the top of DIR, or not named after an exercise."""
    for file in loose:
        print(f"Not graded: {relative(file)} is loose at the top of the folder; --all expects "
              f"DIR/<student>/<exercise>.py (move it into a student's folder).")
    for file in unknown:
        print(f"Not graded: {relative(file)}: {file.stem!r} is not an exercise's name.")


def check_class(args):
    """Grade every student's files in `args.all`, print a table, write --csv/--json; return the exit status."""
    folder = Path(args.all)
    if not folder.is_dir():
        raise CommandLineError(f"{folder} is not a folder. --all expects DIR/<student>/<exercise>.py.")
    jobs, loose, unknown = class_jobs(folder, args.exercises)
    report_files(loose, unknown)
    if not jobs:
        raise CommandLineError(f"found no exercise files in {folder}. Expected DIR/<student>/<exercise>.py, "
                               f"for example {folder / 'alice' / EXERCISES[0].name}.py.")
    students = len({job.student for job in jobs})
    print(f"Checking {plural(sum(job.path is not None for job in jobs), 'file')} of {plural(students, 'student')} "
          f"in {relative(folder)} ...\n", flush=True)
    reports = grade(jobs, timeout=args.timeout, workers=args.jobs)
    print_table(reports)
    if args.csv:
        outputs.write_whole(args.csv, outputs.csv_text(reports))
        print(f"Wrote {args.csv}")
    if args.json:
        outputs.write_json(args.json, outputs.json_data(reports, loose, unknown))
        print(f"Wrote {args.json}")
    failed = [report for report in reports if not report.ok]
    print(f"\n{len(reports) - len(failed)} of {plural(len(reports), 'file')} passed every check"
          f"{'' if not any(r.status == 'missing' for r in reports) else ' (missing files count as failed)'}.")
    if args.verbose:
        for report in failed:
            print(f"\n{report.job.student} / {report.job.exercise}"
                  + (f" ({relative(report.job.path)}):" if report.job.path else ":"))
            for result in report.results:
                print_result(report, result)
            print_stopped(report)
    elif failed:
        print("Add --verbose to see every hint.")
    return 1 if failed else 0


def gradescope(args):
    """Grade one submission folder (DIR/<exercise>.py) and write Gradescope's results.json; return 0."""
    folder = Path(args.dir)
    if not folder.is_dir():
        raise CommandLineError(f"{folder} is not a folder. Gradescope puts a submission in /autograder/submission.")
    found, others = exercise_files(folder)
    names = expected_names(args.exercises, found)
    if not names:
        raise CommandLineError(f"found no exercise files in {folder}, and --exercises names none to expect.")
    jobs = [Job(name, str(found[name].resolve()) if name in found else None, "submission") for name in names]
    reports = grade(jobs, timeout=args.timeout, workers=args.jobs)
    data = outputs.gradescope_data(reports)
    outputs.write_json(args.results, data)
    print(f"{data['output']} Wrote {args.results}")
    return 0


def start(name, folder):
    """Copy exercise `name`'s fresh student file into `folder`; refuse to overwrite; return the exit status."""
    source = student_file(name)
    folder = Path(folder or ".")
    target = folder / source.name
    if target.exists():
        raise CommandLineError(f"{relative(target)} already exists, and start never overwrites your work. "
                               f"Rename or move it first if you want a fresh copy.")
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    exercise = get(name)
    print(f"Wrote {relative(target)}: {exercise.task}\nFill in its # TODO gaps, then: "
          f"python -m lessons.exercises check {name} {relative(target)}")
    return 0


def status(args):
    """Check every exercise file in a folder; print which pass, fail or are not started; return 0."""
    folder = Path(args.dir or ".")
    if not folder.is_dir():
        raise CommandLineError(f"{folder} is not a folder.")
    found, _ = exercise_files(folder)
    reports = {report.job.exercise: report for report in
               grade([Job(name, str(path.resolve())) for name, path in found.items()], timeout=args.timeout,
                     workers=args.jobs)} if found else {}
    width = max(len(exercise.name) for exercise in EXERCISES)
    for exercise in EXERCISES:
        report = reports.get(exercise.name)
        state = "not started" if report is None else (
            "pass" if report.ok else f"fail  {report.passed}/{report.total}  {summary(report)}")
        print(f"  {exercise.name:<{width}}  {state}")
    done = sum(report.ok for report in reports.values())
    print(f"\n{done} of {len(EXERCISES)} exercises pass; {len(EXERCISES) - len(found)} not started. "
          f"Start one with: python -m lessons.exercises start NAME {relative(folder)}")
    return 0


def positive_seconds(text):
    """A finite number of seconds greater than 0, for --timeout."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number of seconds, got {text}: a file that never "
                                         f"ends would hold up the whole class. Give a generous limit instead, "
                                         f"for example 600")
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds, got {text}")
    return value


def add_common(parser):
    """--timeout and --jobs, which every command that checks files takes."""
    parser.add_argument("--timeout", type=positive_seconds, default=DEFAULT_TIMEOUT,
                        help=f"seconds one file's checks may take (default: {DEFAULT_TIMEOUT:g})")
    parser.add_argument("--jobs", type=int, default=DEFAULT_JOBS,
                        help=f"how many files to check at once (default: {DEFAULT_JOBS}, one per core)")


def parse_args(argv):
    """The command line: no command (list), `list`, `start`, `status`, `check` or `gradescope`."""
    parser = argparse.ArgumentParser(prog="python -m lessons.exercises", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("list", help="list the exercises (the default)")
    starter = commands.add_parser("start", help="copy a fresh student file into a folder (never overwrites)")
    starter.add_argument("name", help="the exercise's name (see the list)")
    starter.add_argument("dir", nargs="?", help="where to put it (default: the current folder)")
    state = commands.add_parser("status", help="which exercises in a folder pass, fail or are not started")
    state.add_argument("dir", nargs="?", help="the folder holding your <exercise>.py files (default: here)")
    checker = commands.add_parser("check", help="check a student's file, or a class folder with --all")
    checker.add_argument("name", nargs="?", help="the exercise's name (see the list)")
    checker.add_argument("path", nargs="?", help="the file to check (default: the packaged student file)")
    checker.add_argument("--all", metavar="DIR", help="grade DIR/<student>/<exercise>.py and print a table")
    checker.add_argument("--csv", metavar="FILE", help="with --all: also write the table as CSV")
    checker.add_argument("--json", metavar="FILE", help="with --all: also write every verdict as JSON")
    checker.add_argument("--exercises", metavar="A,B", help="with --all: the exercises every student should hand "
                                                            "in (default: every one anybody handed in)")
    checker.add_argument("-v", "--verbose", action="store_true", help="with --all: print every failing hint")
    scope = commands.add_parser("gradescope", help="grade one submission folder, write Gradescope's results.json")
    scope.add_argument("dir", help="the submission folder, holding <exercise>.py files")
    scope.add_argument("results", nargs="?", default="/autograder/results/results.json",
                       help="where to write (default: /autograder/results/results.json)")
    scope.add_argument("--exercises", metavar="A,B", help="the exercises to expect (default: those present)")
    for sub in (state, checker, scope):
        add_common(sub)
    args = parser.parse_args(argv)
    if args.command == "check":
        if args.all and args.name:
            parser.error("give either an exercise's name (and a file) or --all DIR, not both")
        if not args.all and not args.name:
            parser.error("give an exercise's name (python -m lessons.exercises lists them) or --all DIR")
        if not args.all and (args.csv or args.json or args.exercises):
            parser.error("--csv, --json and --exercises go with --all DIR")
    if getattr(args, "jobs", 1) < 1:
        parser.error("--jobs must be at least 1")
    return args


def main(argv=None):
    """Run the command line; return the exit status."""
    args = parse_args(argv)
    try:
        if args.command == "check" and args.all:
            return check_class(args)
        if args.command == "check":
            return check_one(args.name, args.path, args.timeout)
        if args.command == "gradescope":
            return gradescope(args)
        if args.command == "start":
            return start(args.name, args.dir)
        if args.command == "status":
            return status(args)
        list_exercises()
        return 0
    except (UnknownExercise, CommandLineError, outputs.OutputError) as error:
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
