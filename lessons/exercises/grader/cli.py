"""`python -m lessons.exercises`: list the exercises, check a student's file, or grade a class.

    python -m lessons.exercises                          list the exercises
    python -m lessons.exercises start NAME [DIR]         copy a fresh student file into DIR (default: here)
    python -m lessons.exercises status [DIR]             which exercises in DIR pass, fail or are not started
    python -m lessons.exercises check NAME [FILE]        check FILE (default: the packaged student file)
    python -m lessons.exercises check --all DIR          grade DIR/<student>/<exercise>.py, print a table
         [--csv FILE] [--json FILE] [--exercises A,B]    ... and write it for a spreadsheet or a script
    python -m lessons.exercises gradescope DIR [FILE]    grade one submission, write Gradescope's results.json

Each file runs in a sandbox of its own (bubblewrap), and a judge in another sandbox,
which never runs the student's code, decides its verdict: docs/teachers.md says what
that guarantees and what it does not. Without bubblewrap, checking your own files still
works; grading other people's files needs --no-sandbox, which gives that isolation up.
Exit status: 0 when every check passed, 1 when any failed, 2 for a mistake on the command line.
"""
import argparse
import math
import os
import shutil
import sys
from pathlib import Path

from lessons.exercises import EXERCISES, SOLUTIONS_DIR, STUDENT_DIR, UnknownExercise, get, student_file
from lessons.exercises.grader import classroom, reports, sandbox
from lessons.exercises.grader.classroom import CommandLineError, relative
from lessons.exercises.grader.files import Job, one_file
from lessons.exercises.grader.runner import DEFAULT_TIMEOUT, grade
from lessons.exercises.grader.runtime import WorkerFailed

#: Files checked at once by default: one per core.
DEFAULT_JOBS = max(1, os.cpu_count() or 1)

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


def check_one(args):
    """Check one file against one exercise's checks, printing each verdict; return the exit status."""
    exercise = get(args.name)
    path = Path(args.path) if args.path else student_file(exercise.name)
    if not os.path.lexists(path):
        raise CommandLineError(f"there is no file {path}.")
    mode = sandbox.choose(args.no_sandbox, f"{relative(path)}, which is not yours,", sandbox.owned([path]))
    print(f"{exercise.name} (lesson: {exercise.lesson}): {exercise.task}")
    print(f"Checking {relative(path)}\n", flush=True)
    [report] = grade([Job(exercise.name, *one_file(path))], timeout=args.timeout, on_result=classroom.print_result,
                     mode=mode)
    classroom.print_stopped(report)
    print(f"\n{report.passed} of {report.total} checks passed.", end=" ")
    if report.ok:
        print("Well done!")
        return 0
    print("Fix the first FAIL, then check again." if report.problem is None else "")
    return 1


def start(name, folder):
    """Copy exercise `name`'s fresh student file into `folder`; refuse to overwrite; return the exit status."""
    source = student_file(name)
    folder = Path(folder or ".")
    target = folder / source.name
    if os.path.lexists(target):
        raise CommandLineError(f"{relative(target)} already exists, and start never overwrites your work. "
                               f"Rename or move it first if you want a fresh copy.")
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    exercise = get(name)
    print(f"Wrote {relative(target)}: {exercise.task}\nFill in its # TODO gaps, then: "
          f"python -m lessons.exercises check {name} {relative(target)}")
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
    """--timeout, --jobs and --no-sandbox, which every command that checks files takes."""
    parser.add_argument("--timeout", type=positive_seconds, default=DEFAULT_TIMEOUT,
                        help=f"seconds one file's code may run (default: {DEFAULT_TIMEOUT:g})")
    parser.add_argument("--jobs", type=int, default=DEFAULT_JOBS,
                        help=f"how many files to check at once (default: {DEFAULT_JOBS}, one per core)")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="check without bubblewrap's isolation (the students' code runs as you)")


def parse_args(argv):
    """The command line: no command (list), `list`, `start`, `status`, `check` or `gradescope`."""
    parser = argparse.ArgumentParser(prog="python -m lessons.exercises", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("list", help="list the exercises (the default)")
    starter = commands.add_parser("start", help="copy a fresh student file into a folder (never overwrites)")
    starter.add_argument("name", help="the exercise's name (see the list)")
    starter.add_argument("dir", nargs="?", help="where to put it (default: the current folder)")
    state = commands.add_parser("status", help="which exercises in a folder pass, fail or are not started "
                                               "(exit status 1 if one fails)")
    state.add_argument("dir", nargs="?", help="the folder holding your <exercise>.py files (default: here)")
    checker = commands.add_parser("check", help="check a student's file, or a class folder with --all")
    checker.add_argument("name", nargs="?", help="the exercise's name (see the list)")
    checker.add_argument("path", nargs="?", help="the file to check (default: the packaged student file)")
    checker.add_argument("--all", metavar="DIR", help="grade DIR/<student>/<exercise>.py and print a table")
    checker.add_argument("--csv", metavar="FILE", help="with --all: also write the table as CSV")
    checker.add_argument("--json", metavar="FILE", help="with --all: also write every verdict as JSON")
    checker.add_argument("--exercises", metavar="A,B", help="with --all: grade these exercises only, and expect "
                                                            "every student to hand them in (default: every one "
                                                            "anybody handed in)")
    checker.add_argument("-v", "--verbose", action="store_true", help="with --all: print every failing hint")
    scope = commands.add_parser("gradescope", help="grade one submission folder, write Gradescope's results.json")
    scope.add_argument("dir", help="the submission folder, holding <exercise>.py files")
    scope.add_argument("results", nargs="?", default="/autograder/results/results.json",
                       help="where to write (default: /autograder/results/results.json)")
    scope.add_argument("--exercises", metavar="A,B", help="grade these exercises only (default: those present)")
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


def run(args):
    """Run the parsed command; return the exit status."""
    if args.command == "check" and args.all:
        return classroom.check_class(args)
    if args.command == "check":
        return check_one(args)
    if args.command == "gradescope":
        return classroom.gradescope(args)
    if args.command == "start":
        return start(args.name, args.dir)
    if args.command == "status":
        return classroom.status(args)
    list_exercises()
    return 0


def main(argv=None):
    """Run the command line; return the exit status."""
    args = parse_args(argv)
    try:
        return run(args)
    except (UnknownExercise, CommandLineError, sandbox.Refused, reports.OutputError) as error:
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
