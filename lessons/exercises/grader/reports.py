"""A file's verdict (`Report`), and a class's results for a teacher's tools: CSV, JSON, Gradescope's results.json.

Whatever a student controls (folder names, hints quoting the values their code returned,
exception messages) is made harmless before it is shown or written: `clean` drops
terminal escapes and control characters and escapes what is not UTF-8, and `csv_cell`
makes a cell that a spreadsheet would read as a formula (starting with `=`, `+`, `-`,
`@`, a tab or a carriage return) plain text. Files are written whole or not at all, with
the umask's permissions (`tfgraph.atomic`). No TensorFlow here.
"""
import csv
import io
import json
import re
import unicodedata

from lessons.exercises.grader.files import shown
from tfgraph.atomic import write_atomically

CSV_COLUMNS = ("student", "exercise", "status", "passed", "total", "first_hint")
#: The `exercise` column of a student's total row in the CSV.
TOTAL_ROW = "(total)"
#: The problem of a Report whose file was not handed in.
MISSING = "Not handed in"
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]|\x9b[0-?]*[ -/]*[@-~]")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


class OutputError(Exception):
    """A results file that cannot be written; the message says why."""


class Report:
    """What checking one job found: the checks' descriptions, their results, and any reason it stopped early."""

    def __init__(self, job):
        self.job = job
        self.checks = []     # descriptions, in order
        self.results = []    # Result for each check that finished
        self.problem = None  # why the remaining checks did not run (not handed in, time limit, crash), if they did not
        self.seconds = 0.0
        self.judge = None    # the process id of the judge that decided (each file has its own)

    @property
    def passed(self):
        """How many checks passed."""
        return sum(result.passed for result in self.results)

    @property
    def total(self):
        """How many checks the exercise has."""
        return max(len(self.checks), len(self.results))

    @property
    def ok(self):
        """True when every check ran and passed."""
        return self.problem is None and self.total > 0 and self.passed == self.total

    @property
    def status(self):
        """'passed', 'failed', 'missing' or 'stopped' (time limit, crash, unreadable file or reply)."""
        if self.ok:
            return "passed"
        if self.problem is None:
            return "failed"
        return "missing" if self.problem.startswith(MISSING) else "stopped"

    def first_hint(self):
        """The first failing check's hint, or why the checks stopped; '' when all passed."""
        failed = next((result for result in self.results if not result.passed), None)
        return failed.hint if failed else (self.problem or "")

    def unfinished(self):
        """Descriptions of the checks that did not finish."""
        return self.checks[len(self.results):]


def clean(text, newlines=False):
    """`text` safe to show: no terminal escapes, no control or format characters, undecodable bytes escaped."""
    text = str(text).encode("utf-8", "backslashreplace").decode("utf-8")
    text = _ESCAPES.sub("", text)
    kept = []
    for character in text:
        if character == "\n" and newlines:
            kept.append(character)
        elif character in "\t\n\r":
            kept.append(" ")
        elif unicodedata.category(character) not in ("Cc", "Cf", "Cs"):
            kept.append(character)
    return "".join(kept)


def one_line(text, limit=300):
    """`text` cleaned, on one line, cut to `limit` characters."""
    text = " ".join(clean(text).split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def name(value):
    """A student's or file's name as shown: escaped, cleaned."""
    return clean(shown(value))


def csv_cell(value):
    """A CSV cell: numbers as they are; text cleaned, and quoted as text if a spreadsheet would run it."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = one_line(value, 1000)
    return "'" + text if text.startswith(_FORMULA) else text


def by_student(reports):
    """{student: [reports]} in the order the reports came."""
    students = {}
    for report in reports:
        students.setdefault(report.job.student, []).append(report)
    return students


def csv_text(reports):
    """One row per student and exercise, then a total row per student."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for student, rows in by_student(reports).items():
        for report in rows:
            writer.writerow([csv_cell(cell) for cell in (name(student), report.job.exercise, report.status,
                                                         report.passed, report.total, report.first_hint())])
        writer.writerow([csv_cell(cell) for cell in (name(student), TOTAL_ROW, "", sum(r.passed for r in rows),
                                                     sum(r.total for r in rows), "")])
    return out.getvalue()


def json_data(reports, not_graded=()):
    """The class as a dict: each student's exercises and totals, and the files that were not graded (and why)."""
    students = []
    for student, rows in by_student(reports).items():
        students.append({
            "student": name(student), "passed": sum(r.passed for r in rows), "total": sum(r.total for r in rows),
            "exercises": [{"exercise": r.job.exercise, "status": r.status, "passed": r.passed, "total": r.total,
                           "first_hint": one_line(r.first_hint(), 1000), "seconds": round(r.seconds, 2),
                           "checks": [{"description": c.description, "passed": c.passed,
                                       "hint": clean(c.hint, newlines=True)} for c in r.results]} for r in rows]})
    return {"students": students,
            "not_graded": [{"file": name(path), "why": clean(why)} for path, why in not_graded]}


def gradescope_data(reports, note=""):
    """Gradescope's results.json: one test per check (1 point each), a file not handed in scoring 0."""
    tests = []
    for report in reports:
        for index, description in enumerate(report.checks or ["(the checks)"]):
            result = report.results[index] if index < len(report.results) else None
            passed = bool(result and result.passed)
            output = (result.hint if result is not None else report.problem) or ""
            tests.append({"name": f"{report.job.exercise}: {description}", "score": 1.0 if passed else 0.0,
                          "max_score": 1.0, "status": "passed" if passed else "failed",
                          "output": clean(output, newlines=True)})
    score = sum(test["score"] for test in tests)
    summary = f"{score:g} of {len(tests)} checks passed."
    return {"score": score, "output": f"{summary} {note}".strip(), "tests": tests, "visibility": "visible",
            "stdout_visibility": "hidden"}


def write_text(path, text):
    """Write `text` to `path` whole (a temporary file renamed into place) with the umask's mode, or OutputError."""
    try:
        if path.is_dir():
            raise OutputError(f"{path} is a folder; give the name of the file to write.")
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, lambda stream: stream.write(text))
    except OSError as error:
        raise OutputError(f"cannot write {path}: {error.strerror or error}.") from None


def write_json(path, data):
    """`data` as indented JSON, written whole."""
    write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
