"""Grading many files: a class folder (`check --all`), one's own folder (`status`), a Gradescope submission.

Every name and hint printed or written here went through `reports.clean` or `reports.name`:
a folder called `=HYPERLINK(...)` or a hint with terminal escapes shows as plain text.
`--exercises` limits what is graded: other files are listed as not graded, and count
for nothing.
"""
import os
import textwrap
from pathlib import Path

from lessons.exercises import EXERCISES, get
from lessons.exercises.grader import files, reports, sandbox
from lessons.exercises.grader.files import Job
from lessons.exercises.grader.runner import grade


class CommandLineError(Exception):
    """A file, folder or option on the command line that cannot be used; the message says why."""


def relative(path):
    """`path` relative to the working directory when it is inside it, shown safely."""
    try:
        shorter = os.path.relpath(path)
    except ValueError:
        shorter = str(path)
    return reports.name(str(path) if shorter.startswith("..") else shorter)


def plural(count, noun):
    """'1 file', '2 files'."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def indented(text, prefix="        "):
    """`text` cleaned, wrapped and indented under a check's line."""
    lines = []
    for paragraph in reports.clean(text, newlines=True).splitlines():
        lines.extend(textwrap.wrap(paragraph, width=100, initial_indent=prefix, subsequent_indent=prefix,
                                   break_long_words=False, break_on_hyphens=False) or [prefix])
    return "\n".join(lines)


def print_result(report, result):
    """One check's line, PASS or FAIL, with its hint under a FAIL."""
    print(f"  {'PASS' if result.passed else 'FAIL'}  {reports.one_line(result.description)}", flush=True)
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
        print(f"  STOP  {reports.one_line(description)}")
    print(indented(report.problem))


def summary(report):
    """A one-line note for a class table: the first failing check's hint, cut short."""
    note = report.problem.split(". ")[0] if report.problem is not None else report.first_hint()
    return reports.one_line(note, 100)


def expected_names(text, handed_in):
    """The exercises to grade: those named in `text` (comma-separated), else every one anybody handed in."""
    if not text:
        return [exercise.name for exercise in EXERCISES if exercise.name in handed_in]
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise CommandLineError("--exercises names no exercise.")
    return [get(name).name for name in names]


def class_jobs(folder, assigned):
    """(jobs for DIR/<student>/<exercise>.py, [(path, why)] of the files that are not graded)."""
    students, loose, links = files.class_folder(folder)
    found = {student: files.exercise_files(folder, (student,)) for student in students}
    names = expected_names(assigned, {name for exercises, _ in found.values() for name in exercises})
    order = {exercise.name: index for index, exercise in enumerate(EXERCISES)}
    jobs, not_graded = [], []
    for student, (exercises, others) in found.items():
        for name in sorted(set(exercises) | set(names), key=order.get):
            if name in names:
                jobs.append(Job(name, str(folder), exercises.get(name), student))
            else:
                not_graded.append((os.path.join(folder, *exercises[name]), "not among the --exercises graded"))
        not_graded += [(os.path.join(folder, *other), f"{files.shown(other[-1][:-3])!r} is not an exercise's name")
                       for other in others]
    not_graded += [(os.path.join(folder, name), "loose at the top of the folder; --all expects "
                                                "DIR/<student>/<exercise>.py (move it into a student's folder)")
                   for name in loose]
    not_graded += [(os.path.join(folder, name), "a symbolic link where a student's folder should be; the grader "
                                                "does not follow links") for name in links]
    return jobs, not_graded


def print_table(reports_):
    """The class table: student, exercise, passed/total and a note; then each student's total."""
    rows = [("student", "exercise", "passed", "note")]
    for report in reports_:
        passed = "missing" if report.status == "missing" else (
            f"{report.passed}/{report.total}" if report.total else "0/?")
        rows.append((reports.name(report.job.student), report.job.exercise, passed,
                     "" if report.ok else summary(report)))
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[3])
    totals = reports.by_student(reports_)
    print("\nTotals: " + ", ".join(f"{reports.name(student)} {sum(r.passed for r in rows)}/"
                                   f"{sum(r.total for r in rows)}" for student, rows in totals.items()))


def check_class(args):
    """Grade every student's files in `args.all`, print a table, write --csv/--json; return the exit status."""
    folder = Path(args.all).absolute()
    if not folder.is_dir():
        raise CommandLineError(f"{relative(folder)} is not a folder. --all expects DIR/<student>/<exercise>.py.")
    jobs, not_graded = class_jobs(folder, args.exercises)
    for path, why in not_graded:
        print(f"Not graded: {relative(path)}: {reports.clean(why)}")
    if not jobs:
        raise CommandLineError(f"found no exercise files to grade in {relative(folder)}. Expected "
                               f"DIR/<student>/<exercise>.py, for example {relative(folder / 'alice')}/"
                               f"{EXERCISES[0].name}.py.")
    mode = sandbox.choose(args.no_sandbox, "a class folder", False)
    students = len({job.student for job in jobs})
    print(f"Checking {plural(sum(job.parts is not None for job in jobs), 'file')} of {plural(students, 'student')} "
          f"in {relative(folder)} ...\n", flush=True)
    found = grade(jobs, timeout=args.timeout, workers=args.jobs, mode=mode)
    print_table(found)
    if args.csv:
        reports.write_text(Path(args.csv), reports.csv_text(found))
        print(f"Wrote {relative(args.csv)}")
    if args.json:
        reports.write_json(Path(args.json), reports.json_data(found, not_graded))
        print(f"Wrote {relative(args.json)}")
    failed = [report for report in found if not report.ok]
    print(f"\n{len(found) - len(failed)} of {plural(len(found), 'file')} passed every check"
          f"{'' if not any(r.status == 'missing' for r in found) else ' (missing files count as failed)'}.")
    if args.verbose:
        for report in failed:
            print(f"\n{reports.name(report.job.student)} / {report.job.exercise}"
                  + (f" ({relative(report.job.path)}):" if report.job.path else ":"))
            for result in report.results:
                print_result(report, result)
            print_stopped(report)
    elif failed:
        print("Add --verbose to see every hint.")
    return 1 if failed else 0


def gradescope_mode(args):
    """(mode, the note results.json gives about it): bubblewrap, else (root) separate users, else none."""
    problem = sandbox.bwrap_problem()
    if args.no_sandbox:
        return sandbox.NONE, "Graded with --no-sandbox: the student's code ran as the grader, without isolation."
    if problem is None:
        return sandbox.BWRAP, ""
    if os.geteuid() == 0:
        return sandbox.USERS, (f"Graded without bubblewrap ({problem}): the student's code ran in this container "
                               f"as the unprivileged user {sandbox.STUDENT_ID}, apart from the judge (user "
                               f"{sandbox.JUDGE_ID}), with resource limits, but with the container's network and "
                               f"files in view.")
    return sandbox.NONE, f"Graded without a sandbox ({problem}): the student's code ran as the grader."


def gradescope(args):
    """Grade one submission folder (DIR/<exercise>.py) and write Gradescope's results.json; return 0."""
    folder = Path(args.dir).absolute()
    if not folder.is_dir():
        raise CommandLineError(f"{relative(folder)} is not a folder. Gradescope puts a submission in "
                               f"/autograder/submission.")
    found, others = files.exercise_files(str(folder))
    names = expected_names(args.exercises, found)
    if not names:
        raise CommandLineError(f"found no exercise files in {relative(folder)}, and --exercises names none to "
                               f"expect.")
    skipped = sorted(files.shown(parts[-1]) for name, parts in found.items() if name not in names)
    skipped += sorted(files.shown(parts[-1]) for parts in others)
    mode, note = gradescope_mode(args)
    jobs = [Job(name, str(folder), found.get(name), "submission") for name in names]
    found_reports = grade(jobs, timeout=args.timeout, workers=args.jobs, mode=mode)
    if skipped:
        note = f"Not graded: {', '.join(skipped)} (not among the exercises of this assignment). {note}".strip()
    data = reports.gradescope_data(found_reports, note)
    reports.write_json(Path(args.results), data)
    print(f"{data['output']} Wrote {relative(args.results)}")
    return 0


def status(args):
    """Check every exercise file in a folder; print which pass, fail or are not started; return 1 if one fails."""
    folder = Path(args.dir or ".").absolute()
    if not folder.is_dir():
        raise CommandLineError(f"{relative(folder)} is not a folder.")
    found, _ = files.exercise_files(str(folder))
    paths = [folder] + [folder.joinpath(*parts) for parts in found.values()]
    mode = sandbox.choose(args.no_sandbox, f"{relative(folder)}, which is not yours,", sandbox.owned(paths))
    jobs = [Job(name, str(folder), parts) for name, parts in found.items()]
    results = {report.job.exercise: report for report in grade(jobs, timeout=args.timeout, workers=args.jobs,
                                                                mode=mode)}
    width = max(len(exercise.name) for exercise in EXERCISES)
    for exercise in EXERCISES:
        report = results.get(exercise.name)
        state = "not started" if report is None else (
            "pass" if report.ok else f"fail  {report.passed}/{report.total}  {summary(report)}")
        print(f"  {exercise.name:<{width}}  {state}")
    done = sum(report.ok for report in results.values())
    print(f"\n{done} of {len(EXERCISES)} exercises pass; {len(EXERCISES) - len(found)} not started. "
          f"Start one with: python -m lessons.exercises start NAME {relative(folder)}")
    return 1 if any(not report.ok for report in results.values()) else 0

