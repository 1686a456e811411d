"""Classroom exercises: solutions pass, untouched and mistaken student files fail with the right hint, the CLI.

All the checks of solutions, student files and mistakes run in one batch on the session's
Grader (two fork servers in bubblewrap sandboxes, a fresh child of each per file), so
TensorFlow is imported a handful of times for the whole session, never once per file.
"""
import ast
import csv
import json
import os
import runpy
import sys
import textwrap
from pathlib import Path

import pytest

import lessons
from lessons import exercises
from lessons.exercises import EXERCISES, solution_file, student_file
from lessons.exercises.grader.cli import main as cli_main
from lessons.exercises.grader.files import Job, one_file
from tfgraph import quiet
from tests.helpers import run_python, start_python

pytestmark = pytest.mark.grading

ROOT = Path(__file__).resolve().parents[1]
MISTAKES = ROOT / "tests" / "exercise_mistakes"
NAMES = [exercise.name for exercise in EXERCISES]
MISTAKE_FILES = sorted(MISTAKES.glob("*.py"))
CHECKED_LESSONS = list(lessons.LESSONS)

#: What an untouched student file's checks say. Most stop at a gap; input_dropout runs, wrongly.
UNTOUCHED_HINT = {"input_dropout": "the input dropout has no effect"}


def expected_hint(path):
    """The 'Expected hint:' line of a mistake file's docstring."""
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    return doc.split("Expected hint:", 1)[1].strip()


CRASH = """
import os
import runpy


def output_size(size, window, stride, padding):
    os._exit(3)
"""


#: Wrong answers to exercises whose answer is a value: (exercise, what replaces the solution's line, the answer
#: no description or hint may show while the answer is wrong).
WRONG_ANSWERS = {
    "fourth_block": ("FOURTH_BLOCK_SHAPE = (2, 2, 256)", "FOURTH_BLOCK_SHAPE = (3, 3, 256)", ["(2, 2, 256)", "2 x 2"]),
    "diverge": ("ACCURACY_COLLAPSES_FIRST = False", "ACCURACY_COLLAPSES_FIRST = True", ["False"]),
    "relu_hidden": ('FASTER_IN_FIRST_EPOCH = "relu"', 'FASTER_IN_FIRST_EPOCH = "sigmoid"', ["'relu'", '"relu"']),
    "count_ops": ('SOFTMAX_OP_TYPE = "SoftmaxCrossEntropyWithLogits"', 'SOFTMAX_OP_TYPE = "Softmax"',
                  ["SoftmaxCrossEntropyWithLogits"]),
    "count_parameters": ("return sum(", "return 1 + sum(", ["492,280", "492280", "79,400", "79400"]),
    "traced_multiply_add": ("counts.append(multiply_add.experimental_get_tracing_count() - before)",
                            "counts.append(1)", ["[1, 0, 1, 1, 0]", "[1, 0, 1, 1]"]),
}


@pytest.fixture(scope="module")
def reports(grader, tmp_path_factory):
    """Every solution, untouched student file, mistake and wrong answer, checked in one batch: {(kind, key): Report}.

    The crash job ends only its own process: every file runs in a sandbox of its own.
    """
    crash = tmp_path_factory.mktemp("crash") / "pooling_size.py"
    crash.write_text(CRASH, encoding="utf-8")
    wrong = tmp_path_factory.mktemp("wrong")
    for name, (right, replacement, _) in WRONG_ANSWERS.items():
        source = solution_file(name).read_text(encoding="utf-8")
        assert right in source, (name, right)
        (wrong / name).mkdir()
        (wrong / name / f"{name}.py").write_text(source.replace(right, replacement), encoding="utf-8")
    jobs = ([Job(name, *one_file(solution_file(name)), "solution") for name in NAMES]
            + [Job(name, *one_file(student_file(name)), "student") for name in NAMES]
            + [Job(path.name.split("__")[0], *one_file(path), path.name) for path in MISTAKE_FILES]
            + [Job(name, *one_file(wrong / name / f"{name}.py"), "wrong") for name in WRONG_ANSWERS]
            + [Job("pooling_size", *one_file(crash), "crash")])
    found = grader.grade(jobs, timeout=120, workers=2)
    return {(job.student if job.student in ("solution", "student", "crash", "wrong") else "mistake",
             job.exercise if job.student in ("solution", "student", "wrong") else job.student): report
            for job, report in zip(jobs, found)}


def describe(report):
    lines = [f"{'PASS' if r.passed else 'FAIL'} {r.description}: {r.hint}" for r in report.results]
    return "\n".join(lines + ([f"STOPPED: {report.problem}"] if report.problem else []))


# --- the registry and the files, read without TensorFlow -----------------------------------

def test_every_lesson_has_two_to_four_exercises():
    per_lesson = {lesson: [e.name for e in EXERCISES if e.lesson == lesson] for lesson in CHECKED_LESSONS}
    beyond_the_article = {"distributed"}  # one exercise is enough there
    assert all((1 if lesson in beyond_the_article else 2) <= len(names) <= 4
               for lesson, names in per_lesson.items()), per_lesson
    assert set(e.lesson for e in EXERCISES) == set(CHECKED_LESSONS)
    assert len(set(NAMES)) == len(NAMES)
    for exercise in EXERCISES:
        assert exercise.minutes > 0 and "\n" not in exercise.task and len(exercise.task) < 100
        assert (ROOT / "lessons" / "exercises" / "checkers" / f"{exercise.lesson}.py").is_file()


@pytest.mark.parametrize("name", NAMES)
def test_student_and_solution_files_follow_the_contract(name):
    student = student_file(name).read_text(encoding="utf-8")
    solution = solution_file(name).read_text(encoding="utf-8")
    doc = ast.get_docstring(ast.parse(student))
    assert doc.startswith(f"Exercise: {name} (lesson: {exercises.get(name).lesson}, about ")
    for field in ("Task:", "Contract:", f"Check: python -m lessons.exercises check {name}"):
        assert field in doc, field
    assert "# TODO" in student and 'if __name__ == "__main__":' in student
    assert "# TODO" not in solution and "todo(" not in solution
    assert ast.get_docstring(ast.parse(solution)).startswith(f"Solution: {name} ")
    for source in (student, solution):  # standalone: TensorFlow and tfgraph only, never the lessons
        imported = {node.module if isinstance(node, ast.ImportFrom) else alias.name
                    for node in ast.walk(ast.parse(source)) if isinstance(node, (ast.Import, ast.ImportFrom))
                    for alias in node.names}
        assert not any(module.split(".")[0] == "lessons" for module in imported), imported


def test_every_exercise_has_a_plausible_mistake():
    covered = {path.name.split("__")[0] for path in MISTAKE_FILES}
    assert covered == set(NAMES), set(NAMES) - covered


# --- behaviour: one batch of checks ---------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_reference_solution_passes_every_check(reports, name):
    report = reports["solution", name]
    assert report.ok and report.total >= 2, describe(report)


@pytest.mark.parametrize("name", NAMES)
def test_untouched_student_file_fails_with_the_intended_hint(reports, name):
    report = reports["student", name]
    assert report.problem is None, report.problem
    failed = [result for result in report.results if not result.passed]
    assert failed, describe(report)
    hint = UNTOUCHED_HINT.get(name, "Not done yet")
    assert hint in failed[0].hint or any(hint in result.hint for result in failed), describe(report)
    if name not in UNTOUCHED_HINT:  # the verdict points at the gap's line
        assert "under its # TODO" in describe(report) or "is still None" in describe(report)


@pytest.mark.parametrize("path", MISTAKE_FILES, ids=[path.stem for path in MISTAKE_FILES])
def test_plausible_mistake_fails_with_a_specific_hint(reports, path):
    report = reports["mistake", path.name]
    assert report.problem is None, report.problem
    assert not report.ok
    assert any(expected_hint(path) in result.hint for result in report.results if not result.passed), \
        describe(report)


@pytest.mark.parametrize("name", sorted(WRONG_ANSWERS))
def test_no_description_or_hint_shows_the_expected_answer(reports, name):
    report = reports["wrong", name]
    assert not report.ok and report.problem is None, describe(report)
    shown = " ".join(report.checks + [result.hint for result in report.results])
    assert not [answer for answer in WRONG_ANSWERS[name][2] if answer in shown], describe(report)


def test_a_hint_says_what_is_wrong_not_the_expected_placeholders(reports):
    report = reports["mistake", "walk_the_graph__direct_inputs.py"]
    assert not any("input/x" in result.hint for result in report.results), describe(report)


@pytest.mark.parametrize("kind", ["student", "solution"])
def test_files_run_on_their_own(kind, monkeypatch, capsys):
    """Each student file says "Not done yet" (input_dropout: "no effect yet"); each solution prints its result.

    Run in this process, as `python FILE` would run it: the test process has TensorFlow
    imported already, and a subprocess per file would import it 36 times.
    """
    for name in NAMES:
        path = student_file(name) if kind == "student" else solution_file(name)
        monkeypatch.setattr(sys, "argv", [str(path)])
        runpy.run_path(str(path), run_name="__main__")
        out = capsys.readouterr().out
        unfinished = "Not done yet" in out or "no effect yet" in out
        assert out.strip() and unfinished == (kind == "student"), (name, out)
        if kind == "solution" and name == "multiply_add":
            assert "2 x 3 + 4 = 10.0" in out


def first_line(name, folder):
    """`python my_work/<name>.py` after `start` copied it there, up to its first line: (that line, its stderr so far)."""
    assert cli_main(["start", name, str(folder / "my_work")]) == 0
    process = start_python(str(Path("my_work") / f"{name}.py"), cwd=folder)
    try:
        line = process.stdout.readline()
    finally:
        process.kill()
        err = process.stderr.read()
        process.communicate()
    return line, err


def test_a_student_file_run_on_its_own_prints_its_own_first_line(tmp_path, capsys):
    """No TensorFlow start-up noise before the file's first line (every file: the slow test below)."""
    line, err = first_line("count_ops", tmp_path)
    assert line.startswith("Not done yet:") and err == "", (line, err)


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_every_student_file_starts_quietly(name, tmp_path, capsys):
    line, err = first_line(name, tmp_path)
    assert line.strip() and err == "" and not any(noise in line for noise in quiet.NOISE), (line, err)


# --- the command line -------------------------------------------------------------------------

def test_list_names_every_exercise_without_importing_tensorflow(capsys):
    assert cli_main([]) == 0
    out = capsys.readouterr().out
    for exercise in EXERCISES:
        assert exercise.name in out and exercise.task in out
    assert all(lesson in out for lesson in CHECKED_LESSONS) and " min " in out
    process = run_python(code="import sys; from lessons.exercises.grader.cli import main; main([]); "
                              "assert 'tensorflow.python' not in sys.modules, 'listing imported TensorFlow'")
    assert process.returncode == 0, process.stderr


def test_unknown_exercise_is_a_clear_error(capsys):
    assert cli_main(["check", "multiply_ad"]) == 2
    assert "Did you mean multiply_add" in capsys.readouterr().err


def test_check_passes_a_solution_and_exits_zero(cli_on, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    assert cli_on(["check", "multiply_add", str(solution_file("multiply_add").relative_to(ROOT))]) == 0
    out = capsys.readouterr().out
    assert "Checking lessons/exercises/solutions/multiply_add.py" in out.replace(os.sep, "/")
    assert out.count("  PASS  ") == 3 and "3 of 3 checks passed. Well done!" in out


def test_student_code_that_ends_the_process_gets_a_verdict(reports):
    report = reports["crash", "crash"]
    assert report.passed == 0 and report.total == 3 and len(report.unfinished()) == 3
    assert "The process running your code ended (exit status 3)" in report.problem


CLASS = {
    "alice/multiply_add.py": solution_file("multiply_add").read_text(encoding="utf-8"),
    "alice/walk_the_graph.py": (MISTAKES / "walk_the_graph__direct_inputs.py").read_text(encoding="utf-8"),
    "alice/notes.py": "print('not an exercise')\n",
    "bob/multiply_add.py": """
        import tensorflow as tf


        def build():
            scale = 1 / 0
            return scale
    """,
    "bob/variable_counter.py": """
        def build():
            return "a graph, I promise"
    """,
    "carol/pooling_size.py": """
        def output_size(size, window, stride, padding)
            return size
    """,
    "dave/count_parameters.py": """
        import sys
        sys.exit("I give up")
    """,
    "zed/walk_the_graph.py": """
        def placeholders_needed(tensor):
            while True:
                pass
    """,
}


@pytest.mark.slow
def test_check_all_grades_a_class_and_explains_every_failure(tmp_path):
    """The whole command in a process of its own: the grader starts its sandboxes, grades, writes, ends."""
    for relative, source in CLASS.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(textwrap.dedent(source), encoding="utf-8")
    (tmp_path / "loose.py").write_text("x = 1\n", encoding="utf-8")
    csv_path, json_path = tmp_path / "out" / "class.csv", tmp_path / "out" / "class.json"
    process = run_python("-m", "lessons.exercises", "check", "--all", str(tmp_path), "--timeout", "5", "--jobs", "2",
                         "--verbose", "--csv", str(csv_path), "--json", str(json_path), timeout=600)
    out = process.stdout
    assert process.returncode == 1, process.stderr[-3000:]
    assert "Traceback" not in out + process.stderr
    table = {tuple(line.split()[:3]) for line in out.splitlines()}
    for row in [("alice", "multiply_add", "3/3"), ("alice", "walk_the_graph", "0/3"),
                ("bob", "multiply_add", "0/3"), ("bob", "variable_counter", "0/3"),
                ("carol", "pooling_size", "0/3"), ("dave", "count_parameters", "0/2"),
                ("zed", "walk_the_graph", "0/3"), ("carol", "multiply_add", "missing")]:
        assert row in table, (row, out)
    assert out.index("student  exercise") < out.index("alice ")
    assert "notes.py: 'notes' is not an exercise's name" in out
    assert "loose.py: loose at the top of the folder" in out
    assert "Totals: alice 3/14, bob 0/14," in out
    out = " ".join(out.split())  # hints are wrapped at 100 columns
    # Each failure is a verdict, never a traceback: the exception and the student's line ...
    assert "Your code raised ZeroDivisionError: division by zero" in out and "scale = 1 / 0" in out
    # ... the wrong type ...
    assert "build() should return 5 values, (graph, amount, add, total, init), but it returned a str." in out
    # ... a syntax error, a sys.exit and an endless loop, which costs only its own time limit.
    assert "Python cannot read your file: expected ':' (line 2 of pooling_size.py: def output_size(" in out
    assert "Importing your file failed. Your code raised SystemExit: I give up" in out
    assert "Stopped after the time limit of 5 s" in out
    assert "bob / multiply_add" in out and "(the same as above)" in out
    rows = list(csv.DictReader(csv_path.open(encoding="utf-8")))
    assert list(rows[0]) == ["student", "exercise", "status", "passed", "total", "first_hint"]
    by_key = {(row["student"], row["exercise"]): row for row in rows}
    assert by_key["alice", "multiply_add"]["status"] == "passed" and by_key["alice", "(total)"]["passed"] == "3"
    assert by_key["carol", "multiply_add"]["status"] == "missing"
    assert "Stopped after the time limit" in by_key["zed", "walk_the_graph"]["first_hint"]
    assert by_key["zed", "walk_the_graph"]["status"] == "stopped"
    data = json.loads(json_path.read_text(encoding="utf-8"))
    alice = next(student for student in data["students"] if student["student"] == "alice")
    assert (alice["passed"], alice["total"]) == (3, 14)
    assert [e["exercise"] for e in alice["exercises"]] == ["multiply_add", "walk_the_graph", "variable_counter",
                                                           "count_parameters", "pooling_size"]
    assert any(entry["file"].endswith("loose.py") and "loose" in entry["why"] for entry in data["not_graded"])
    assert any(entry["file"].endswith("notes.py") and "not an exercise" in entry["why"]
               for entry in data["not_graded"])
