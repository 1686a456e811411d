"""Grades a teacher can trust: a file cannot fake its own pass, nor change another file's verdict.

Each attack in tests/class_fixtures/attacks is an untouched multiply_add with a trick
that used to turn into "3 of 3 checks passed" (or changed other students' verdicts when
the checker shared one process). Each is checked alone, then all of them inside one
class run between two correct solutions and an untouched file. One Checker (one zygote,
one judge) serves every batch.
"""
import shutil
from pathlib import Path

import pytest

from lessons.exercises import solution_file, student_file
from lessons.exercises.runner import TAMPERED, Checker, Job

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
def graded(tmp_path_factory):
    """{'alone': {attack: Report}, 'class': {student: Report}} from one Checker."""
    folder = tmp_path_factory.mktemp("attacks")
    for name in NAMES:  # copies: some attacks write beside themselves
        (folder / name).mkdir()
        shutil.copyfile(ATTACKS / f"{name}.py", folder / name / "multiply_add.py")
    jobs = {name: Job("multiply_add", str(folder / name / "multiply_add.py"), name) for name in NAMES}
    reference = Job("multiply_add", str(solution_file("multiply_add")), "reference")
    untouched = Job("multiply_add", str(student_file("multiply_add")), "untouched")
    late = Job("multiply_add", str(solution_file("multiply_add")), "reference_after")
    with Checker() as checker:
        alone = {name: checker.grade([job], timeout=60)[0] for name, job in jobs.items()}
        order = [reference, untouched, *jobs.values(), late]
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


@pytest.mark.parametrize("where", ["alone", "class"])
def test_the_untouched_file_fails_with_its_own_hint(graded, where):
    report = graded["class"]["untouched"] if where == "class" else None
    if report is None:
        return
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
