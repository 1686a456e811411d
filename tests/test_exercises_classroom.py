"""Grades a teacher can trust, and the tools around `check`: attacks, Gradescope, GitHub Classroom, start/status.

A file cannot fake its own pass, nor change another file's verdict.

Each attack in tests/class_fixtures/attacks is an untouched multiply_add with a trick
that used to turn into "3 of 3 checks passed" (or changed other students' verdicts when
the checker shared one process). Each is checked alone, then all of them inside one
class run between two correct solutions and an untouched file. One Checker (one zygote,
one judge) serves every batch and every command-line test here.
"""
import json
import re
import shutil
import threading
from pathlib import Path

import pytest

import lessons.exercises.__main__ as cli
from lessons.exercises import solution_file, student_file
from lessons.exercises.runner import TAMPERED, Checker, Job, WorkerFailed, check_timeout, grade

ROOT = Path(__file__).resolve().parents[1]
MISTAKES = ROOT / "tests" / "exercise_mistakes"

ATTACKS = Path(__file__).resolve().parent / "class_fixtures" / "attacks"
NAMES = sorted(path.stem for path in ATTACKS.glob("*.py"))
#: The verdict each attack must end in (never 'passed').
EXPECTED = {"code_swap": {"tampered"}, "frame_reply": {"tampered"}, "fake_result": {"failed"},
            "helper_patch": {"failed"}, "global_patch": {"failed"}, "file_op": {"failed"},
            "fd_spray": {"failed", "tampered"}, "crash_later": {"failed", "stopped"}}


def describe(report):
    lines = [f"{'PASS' if r.passed else 'FAIL'} {r.description}: {r.hint}" for r in report.results]
    return "\n".join(lines + [f"STOPPED: {report.problem}"] if report.problem else lines)


@pytest.fixture(scope="module")
def checker():
    """One zygote and one judge for every test in this file."""
    with Checker() as started:
        yield started


@pytest.fixture
def shared(checker, monkeypatch):
    """The command line, grading with the shared Checker instead of starting its own."""
    def grade_here(jobs, timeout=60.0, workers=1, on_result=None, on_report=None):
        return checker.grade(jobs, timeout, workers, on_result, on_report)
    monkeypatch.setattr(cli, "grade", grade_here)
    return cli.main


@pytest.fixture(scope="module")
def graded(checker, tmp_path_factory):
    """{'alone': {attack: Report}, 'class': {student: Report}} from one Checker."""
    folder = tmp_path_factory.mktemp("attacks")
    for name in NAMES:  # copies: some attacks write beside themselves
        (folder / name).mkdir()
        shutil.copyfile(ATTACKS / f"{name}.py", folder / name / "multiply_add.py")
    jobs = {name: Job("multiply_add", str(folder / name / "multiply_add.py"), name) for name in NAMES}
    reference = Job("multiply_add", str(solution_file("multiply_add")), "reference")
    untouched = Job("multiply_add", str(student_file("multiply_add")), "untouched")
    late = Job("multiply_add", str(solution_file("multiply_add")), "reference_after")
    late_untouched = Job("multiply_add", str(student_file("multiply_add")), "untouched_after")
    alone = {name: checker.grade([job], timeout=60)[0] for name, job in jobs.items()}
    order = [reference, untouched, *jobs.values(), late, late_untouched]
    together = checker.grade(order, timeout=60, workers=2)
    return {"alone": alone, "class": {job.student: report for job, report in zip(order, together)}}


def test_every_attack_has_an_expected_verdict():
    assert set(EXPECTED) == set(NAMES)


@pytest.mark.parametrize("where", ["alone", "class"])
@pytest.mark.parametrize("name", NAMES)
def test_attack_never_passes(graded, where, name):
    report = graded[where][name]
    assert not report.ok and report.passed == 0, describe(report)
    assert report.status in EXPECTED[name], (report.status, describe(report))
    if report.status == "tampered":
        assert report.problem.startswith(TAMPERED) and not report.results


@pytest.mark.parametrize("student", ["untouched", "untouched_after"])
def test_the_untouched_file_fails_with_its_own_hint(graded, student):
    report = graded["class"][student]
    assert report.status == "failed" and report.passed == 0, describe(report)
    assert all("Not done yet: make z" in result.hint for result in report.results), describe(report)


def test_correct_files_pass_whatever_the_others_did(graded):
    for student in ("reference", "reference_after"):
        report = graded["class"][student]
        assert report.ok and report.passed == report.total == 3, describe(report)


def test_a_graph_that_reaches_outside_the_session_is_not_run_by_the_judge(graded):
    for where in ("alone", "class"):
        report = graded[where]["file_op"]
        assert any("WriteFile" in result.hint for result in report.results), describe(report)


# --- the tools around check ----------------------------------------------------------------

def submission(folder, files):
    """Write {name: source path} as folder/<name>.py; return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, source in files.items():
        shutil.copyfile(source, folder / f"{name}.py")
    return folder


def test_gradescope_results_json_scores_each_check(shared, tmp_path, capsys):
    folder = submission(tmp_path / "submission", {"multiply_add": solution_file("multiply_add"),
                                                  "walk_the_graph": MISTAKES / "walk_the_graph__direct_inputs.py"})
    results = tmp_path / "results" / "results.json"
    assert shared(["gradescope", str(folder), str(results),
                   "--exercises", "multiply_add,walk_the_graph,variable_counter"]) == 0
    data = json.loads(results.read_text(encoding="utf-8"))
    tests = data["tests"]
    assert len(tests) == 9 and all(test["max_score"] == 1.0 for test in tests)
    assert data["score"] == sum(test["score"] for test in tests)
    assert [test["score"] for test in tests[:3]] == [1.0, 1.0, 1.0]  # multiply_add: the solution
    assert tests[3]["score"] == 0.0 and "walk on past the direct inputs" in tests[3]["output"]
    assert all(test["score"] == 0.0 and "Not handed in" in test["output"] for test in tests[6:])
    assert all(test["name"].startswith(("multiply_add: ", "walk_the_graph: ", "variable_counter: ")) for test in tests)
    assert "checks passed" in capsys.readouterr().out


def test_github_classroom_commands_in_the_docs_grade_a_repository(shared, tmp_path, monkeypatch, capsys):
    """Run each `run:` line of the docs' autograding setup in a student's repository: exit status 0 or 1."""
    docs = (ROOT / "docs" / "teachers.md").read_text(encoding="utf-8")
    commands = re.findall(r"(?:run|command): python -m lessons\.exercises (check \S+ \S+)", docs)
    assert len(commands) >= 2, "docs/teachers.md shows no autograding commands"
    repository = submission(tmp_path / "repo", {"multiply_add": solution_file("multiply_add"),
                                                "walk_the_graph": MISTAKES / "walk_the_graph__direct_inputs.py"})
    monkeypatch.chdir(repository)
    statuses = {command.split()[1]: shared(command.split()) for command in commands}
    assert statuses["multiply_add"] == 0 and statuses["walk_the_graph"] == 1, statuses
    assert "3 of 3 checks passed. Well done!" in capsys.readouterr().out


def test_start_copies_a_fresh_file_and_never_overwrites(shared, tmp_path, capsys):
    assert shared(["start", "multiply_add", str(tmp_path)]) == 0
    assert (tmp_path / "multiply_add.py").read_bytes() == student_file("multiply_add").read_bytes()
    (tmp_path / "multiply_add.py").write_text("# my work\n", encoding="utf-8")
    assert shared(["start", "multiply_add", str(tmp_path)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert (tmp_path / "multiply_add.py").read_text(encoding="utf-8") == "# my work\n"
    assert shared(["start", "multiply_ad", str(tmp_path)]) == 2
    assert "Did you mean multiply_add?" in capsys.readouterr().err


def test_status_shows_pass_fail_and_not_started(shared, tmp_path, capsys):
    submission(tmp_path, {"multiply_add": student_file("multiply_add"),
                          "walk_the_graph": solution_file("walk_the_graph")})
    assert shared(["status", str(tmp_path)]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines() if line.startswith("  ")}
    assert "fail  0/3  Not done yet" in lines["multiply_add"]
    assert lines["walk_the_graph"].split()[1:] == ["pass"]
    assert lines["variable_counter"].split()[1:] == ["not", "started"]


def test_an_endless_time_limit_is_refused(capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.main(["check", "multiply_add", "--timeout", "inf"])
    assert stopped.value.code == 2 and "must be a finite number of seconds" in capsys.readouterr().err
    with pytest.raises(ValueError, match="finite"):
        check_timeout(float("inf"))


def test_a_helper_that_cannot_start_gives_its_real_reason(tmp_path, monkeypatch):
    broken = tmp_path / "tensorflow"
    broken.mkdir()
    (broken / "__init__.py").write_text("raise ImportError('TensorFlow is broken on purpose')\n", encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    with pytest.raises(WorkerFailed, match="ImportError: TensorFlow is broken on purpose"):
        grade([Job("multiply_add", str(solution_file("multiply_add")))], timeout=30)


def test_a_zygote_that_dies_is_replaced_and_the_file_checked_again(checker, tmp_path):
    """A file that killed the zygote would fail every file beside it; they are checked again, alone."""
    slow = tmp_path / "slow" / "multiply_add.py"
    slow.parent.mkdir()
    slow.write_text("import time\ntime.sleep(4)\n" + solution_file("multiply_add").read_text(encoding="utf-8"),
                    encoding="utf-8")
    first = checker.zygote.helper.process
    killer = threading.Timer(1.5, first.kill)
    killer.start()
    try:
        report = checker.grade([Job("multiply_add", str(slow), "slow")], timeout=60)[0]
    finally:
        killer.cancel()
    assert first.poll() is not None and checker.zygote.helper.process is not first
    assert report.ok, describe(report)
