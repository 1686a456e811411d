"""Grades a teacher can trust: each weakness of issue 27 as a fixture, graded alone and inside a class.

Each tests/class_fixtures/<exercise>__<name>.py is one way a determined student tried to fake
a pass or to hurt a classmate, the teacher or the run (its docstring says which, and what
must happen now). Each is graded alone, then all of them in one class between correct and
untouched files, through the command line's own code (`check --all --csv --json`) and the
session's Grader (bubblewrap sandboxes). For every run the tests assert the verdicts, the
CSV, that no process is left in the sandboxes, and that no file outside the run's output
changed (the checkout, the class folder and the teacher's ~/.bashrc, hashed before and after).
"""
import contextlib
import csv
import hashlib
import io
import json
import os
import resource
import secrets
import shutil
import time
from pathlib import Path

import pytest

from lessons.exercises import solution_file, student_file

pytestmark = [pytest.mark.grading, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "class_fixtures"
NAMES = sorted(path.stem for path in FIXTURES.glob("*.py"))
#: Seconds each file's code may run in these runs.
TIMEOUT = 6.0
#: What each fixture's own row must say: the statuses it may end in, and the checks it may pass at most.
EXPECTED = {
    "multiply_add__code_swap": ({"failed"}, 0), "multiply_add__crash_later": ({"failed", "stopped"}, 0),
    "multiply_add__fake_result": ({"failed"}, 0), "multiply_add__fd_spray": ({"stopped"}, 0),
    "multiply_add__file_op": ({"passed", "failed"}, 3), "multiply_add__frame_reply": ({"failed"}, 0),
    "multiply_add__global_patch": ({"failed"}, 0), "multiply_add__helper_patch": ({"failed"}, 0),
    "multiply_add__graph_writes": ({"failed"}, 1), "multiply_add__graph_abort": ({"stopped"}, 1),
    "multiply_add__graph_reads": ({"failed"}, 1), "multiply_add__signal_classmates": ({"passed"}, 3),
    "multiply_add__daemon": ({"passed"}, 3), "multiply_add__marked": ({"passed"}, 3),
    "multiply_add__memory_peek": ({"failed"}, 0), "multiply_add__fork_bomb": ({"passed", "failed", "stopped"}, 3),
    "multiply_add__memory_hog": ({"passed"}, 3), "multiply_add__default_graph": ({"passed"}, 3),
    "multiply_add__deep_reply": ({"failed"}, 0), "multiply_add__raw_frame": ({"stopped"}, 0),
    "multiply_add__huge_reply": ({"failed"}, 0), "multiply_add__escape_and_loop": ({"stopped"}, 0),
    "multiply_add__endless_while_loop": ({"stopped"}, 1), "multiply_add__stderr_flood": ({"passed"}, 3),
    "multiply_add__environment": ({"failed"}, 0), "multiply_add__rewrite_everything": ({"passed"}, 3),
    "multiply_add__terminal_escapes": ({"failed"}, 0), "multiply_add__nan": ({"failed"}, 1),
    "input_dropout__nan": ({"failed"}, 0), "gradient_by_hand__momentum": ({"failed"}, 3),
    "gradient_by_hand__proximal": ({"failed"}, 3), "diverge__introspect": ({"failed"}, 3),
    "multiply_add__imports_checkers": ({"failed"}, 0),
}
EXERCISES = "multiply_add,input_dropout,gradient_by_hand,diverge"
#: Students graded with correct files beside the fixtures: names a spreadsheet would run, and one not UTF-8.
ODD_NAMES = ['=HYPERLINK("evil","3 of 3")', "+1", "-1", "@SUM(A1)",
             os.fsdecode(b"\xff\xfe-not-utf8")]


def fingerprint(*places):
    """{path: sha256} of every file under `places` (caches left out), to compare before and after a run."""
    found = {}
    for place in places:
        place = Path(place)
        paths = [place] if place.is_file() or not place.exists() else sorted(
            path for path in place.rglob("*") if path.is_file() and not path.is_symlink()
            and not {"__pycache__", ".pytest_cache", ".git"} & set(path.parts))
        for path in paths:
            found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "missing"
    return found


def children():
    """{pid: parent pid} of every process on the machine."""
    found = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat", encoding="utf-8", errors="replace") as stat:
                    found[int(name)] = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    return found


def sandbox_processes(grader):
    """The processes below each fork server's bubblewrap (its sandbox's init and the server count as two)."""
    parents = children()
    found = []
    for top in grader.sandboxes():
        below, todo = [], [top]
        while todo:
            pid = todo.pop()
            kids = [child for child, parent in parents.items() if parent == pid]
            below += kids
            todo += kids
        found.append(below)
    return found


def assert_nothing_left(grader):
    """Within a few seconds, each sandbox holds only its init and its fork server again."""
    deadline = time.monotonic() + 10
    while True:
        found = sandbox_processes(grader)
        if all(len(below) <= 2 for below in found) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert all(len(below) <= 2 for below in found), found


def materialize(name, folder, student, places):
    """Write fixture `name` as folder/student/<exercise>.py, with its @PLACEHOLDERS@ filled in."""
    text = (FIXTURES / f"{name}.py").read_text(encoding="utf-8")
    for key, value in places.items():
        text = text.replace(f"@{key}@", str(value))
    target = folder / student / f"{name.split('__')[0]}.py"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A secret only the grader's user may read, and the places the fixtures attack."""
    base = tmp_path_factory.mktemp("world")
    secret = base / "secret.txt"
    token = secrets.token_hex(16)
    secret.write_text(f"SECRET-{token}\n", encoding="utf-8")
    secret.chmod(0o600)
    return {"secret": secret, "token": f"SECRET-{token}", "base": base}


def run_class(cli_on, grader, folder, out, printed, exercises=EXERCISES):
    """Grade `folder` with check --all; return (exit status, printed text, CSV rows, JSON), checking no leftovers.

    `printed()` returns what the run printed, (stdout, stderr).
    """
    home_rc = Path(os.path.expanduser("~")) / ".bashrc"
    before = fingerprint(ROOT, folder, home_rc)
    status = cli_on(["check", "--all", str(folder), "--csv", str(out / "grades.csv"), "--json",
                     str(out / "grades.json"), "--timeout", str(TIMEOUT), "--jobs", "2", "--exercises", exercises,
                     "--verbose"])
    text = "".join(printed())
    assert_nothing_left(grader)
    time.sleep(1.0)  # a process left behind would keep writing
    assert fingerprint(ROOT, folder, home_rc) == before
    with (out / "grades.csv").open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    return status, text, rows, json.loads((out / "grades.json").read_text(encoding="utf-8"))


def places(world, folder, out):
    return {"CLASS": folder, "CHECKOUT": ROOT, "HOME": os.path.expanduser("~"), "SECRET": world["secret"],
            "OUTPUT": out / "grades.csv", "CLASSMATE": folder / "000_reference" / "multiply_add.py"}


def row_of(rows, student, exercise):
    return next(row for row in rows if row["student"] == student and row["exercise"] == exercise)


def exercise_of(data, student, exercise):
    entry = next(one for one in data["students"] if one["student"] == student)
    return next(one for one in entry["exercises"] if one["exercise"] == exercise)


def assert_fixture(name, student, rows, data, printed, world):
    """The fixture's own row in the CSV and the JSON: an expected status, no more passes than allowed, no leaks."""
    exercise = name.split("__")[0]
    row, entry = row_of(rows, student, exercise), exercise_of(data, student, exercise)
    statuses, most = EXPECTED[name]
    assert row["status"] == entry["status"] and row["status"] in statuses, (name, row)
    assert int(row["passed"]) <= most and int(row["passed"]) == entry["passed"], (name, row)
    everything = printed + json.dumps(data) + json.dumps(rows)
    assert world["token"] not in everything
    assert os.environ["TFGRAPH_TEST_SECRET_TOKEN"] not in everything
    assert "MARKER-" + "7f3a9c1e" not in everything.replace(FIXTURES.name, "")
    assert "\x1b" not in everything and "\x9b" not in everything
    if name.endswith(("escape_and_loop", "endless_while_loop")):
        assert "time limit" in row["first_hint"] and entry["seconds"] < TIMEOUT + 8, entry
    if name in ("gradient_by_hand__momentum", "gradient_by_hand__proximal"):
        failed = [check["description"] for check in entry["checks"] if not check["passed"]]
        assert failed == ["no optimizer does the work (no optimizer's update op, slot or step counter in the "
                          "graph)"], entry
    if name == "diverge__introspect":
        assert not entry["checks"][0]["passed"], entry


@pytest.fixture(scope="module")
def class_run(grader, world, tmp_path_factory):
    """All fixtures in one class between correct and untouched files, graded once (through the CLI's code)."""
    folder, out = tmp_path_factory.mktemp("class"), tmp_path_factory.mktemp("class_out")
    where = places(world, folder, out)
    for student, source in (("000_reference", solution_file("multiply_add")),
                            ("001_untouched", student_file("multiply_add")),
                            ("900_reference_after", solution_file("multiply_add")),
                            ("901_untouched_after", student_file("multiply_add"))):
        (folder / student).mkdir()
        shutil.copyfile(source, folder / student / "multiply_add.py")
    for odd in ODD_NAMES:
        (folder / odd).mkdir()
        shutil.copyfile(solution_file("multiply_add"), folder / odd / "multiply_add.py")
    for name in NAMES:
        materialize(name, folder, f"5{name}", where)
    return folder, out


@pytest.fixture(scope="module")
def class_result(class_run, grader):
    """(exit status, printed text, CSV rows, JSON) of the class run."""
    import lessons.exercises.grader.classroom as classroom
    import lessons.exercises.grader.cli as cli
    folder, out = class_run

    def grade_here(jobs, timeout=60.0, workers=1, on_result=None, on_report=None, mode=None, exercises=None):
        return grader.grade(jobs, timeout, workers, on_result, on_report)
    printed_out, printed_err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(classroom, "grade", grade_here)
        patch.setattr(cli, "grade", grade_here)
        with contextlib.redirect_stdout(printed_out), contextlib.redirect_stderr(printed_err):
            return run_class(cli.main, grader, folder, out, lambda: (printed_out.getvalue(), printed_err.getvalue()))


def test_every_fixture_has_an_expectation():
    assert set(EXPECTED) == set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_fixture_alone(name, cli_on, grader, world, tmp_path, capsys):
    folder, out = tmp_path / "class", tmp_path / "out"
    folder.mkdir()
    out.mkdir()
    materialize(name, folder, "student", places(world, folder, out))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    status, printed, rows, data = run_class(cli_on, grader, folder, out, lambda: tuple(capsys.readouterr()),
                                            name.split("__")[0])
    assert status == (0 if rows[0]["status"] == "passed" else 1)
    assert_fixture(name, "student", rows, data, printed, world)
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak  # KiB: what the grader kept of the file
    assert grown < 64 * 1024, f"the grader's peak memory grew {grown // 1024} MB"


@pytest.mark.parametrize("name", NAMES)
def test_fixture_in_a_class(name, class_result, world):
    status, printed, rows, data = class_result
    assert status == 1
    assert_fixture(name, f"5{name}", rows, data, printed, world)


@pytest.mark.parametrize("student", ["000_reference", "900_reference_after"] + ODD_NAMES)
def test_correct_files_pass_whatever_the_others_did(student, class_result):
    _, printed, rows, data = class_result
    shown = student.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    entry = exercise_of(data, shown, "multiply_add")
    assert entry["status"] == "passed" and entry["passed"] == entry["total"] == 3, entry


@pytest.mark.parametrize("student", ["001_untouched", "901_untouched_after"])
def test_untouched_files_fail_with_their_own_hint(student, class_result):
    _, _, _, data = class_result
    entry = exercise_of(data, student, "multiply_add")
    assert entry["status"] == "failed" and entry["passed"] == 0, entry
    assert all("Not done yet: make z" in check["hint"] for check in entry["checks"]), entry


def test_names_a_spreadsheet_would_run_are_text_and_odd_bytes_are_escaped(class_result):
    _, printed, rows, _ = class_result
    students = {row["student"] for row in rows}
    for odd in ODD_NAMES[:4]:
        assert "'" + odd in students and odd not in students
    assert "\\xff\\xfe-not-utf8" in students
    assert all(not row[column].startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for column in row)
