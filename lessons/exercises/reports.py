"""A class's results written for a teacher's tools: CSV and JSON tables, and Gradescope's results.json.

Every writer takes the Reports `grade` returned (no TensorFlow here) and writes its file
whole or not at all: to a temporary file beside it, renamed into place at the end.
"""
import csv
import io
import json
import os
import tempfile
from pathlib import Path

CSV_COLUMNS = ("student", "exercise", "status", "passed", "total", "first_hint")
#: The `exercise` column of a student's total row in the CSV.
TOTAL_ROW = "(total)"


class OutputError(Exception):
    """A results file that cannot be written; the message says why."""


def write_whole(path, text):
    """Write `text` to `path` atomically (a temporary file renamed into place), or OutputError."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"{path} is a folder; give the name of the file to write.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.replace(temporary, path)
    except OSError as error:
        raise OutputError(f"cannot write {path}: {error.strerror or error}.") from None


def by_student(reports):
    """{student: [reports]} in the order the reports came."""
    students = {}
    for report in reports:
        students.setdefault(report.job.student, []).append(report)
    return students


def one_line(text, limit=300):
    """`text` on one line, cut to `limit` characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def csv_text(reports):
    """One row per student and exercise, then a total row per student."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for student, rows in by_student(reports).items():
        for report in rows:
            writer.writerow([student, report.job.exercise, report.status, report.passed, report.total,
                             one_line(report.first_hint())])
        writer.writerow([student, TOTAL_ROW, "", sum(r.passed for r in rows), sum(r.total for r in rows), ""])
    return out.getvalue()


def json_data(reports, loose=(), unknown=()):
    """The class as a dict: each student's exercises and totals, and the files that were not graded."""
    students = []
    for student, rows in by_student(reports).items():
        students.append({
            "student": student, "passed": sum(r.passed for r in rows), "total": sum(r.total for r in rows),
            "exercises": [{"exercise": r.job.exercise, "status": r.status, "passed": r.passed, "total": r.total,
                           "first_hint": one_line(r.first_hint(), 1000), "seconds": round(r.seconds, 2),
                           "checks": [{"description": c.description, "passed": c.passed, "hint": c.hint}
                                      for c in r.results]} for r in rows]})
    return {"students": students, "loose_files": [str(path) for path in loose],
            "not_exercises": [str(path) for path in unknown]}


def gradescope_data(reports):
    """Gradescope's results.json: one test per check (1 point each), a file not handed in scoring 0."""
    tests = []
    for report in reports:
        for index, description in enumerate(report.checks or ["(the checks)"]):
            result = report.results[index] if index < len(report.results) else None
            passed = bool(result and result.passed)
            output = (result.hint if result is not None else report.problem) or ""
            tests.append({"name": f"{report.job.exercise}: {description}", "score": 1.0 if passed else 0.0,
                          "max_score": 1.0, "status": "passed" if passed else "failed", "output": output})
    score = sum(test["score"] for test in tests)
    return {"score": score, "output": f"{score:g} of {len(tests)} checks passed.", "tests": tests,
            "visibility": "visible", "stdout_visibility": "hidden"}


def write_json(path, data):
    """`data` as indented JSON, written whole."""
    write_whole(path, json.dumps(data, indent=2) + "\n")
