"""Attack: replace checks.Result (and the runner's) with one that always passes.

Expected (round 2): failed: the grader's modules do not exist in the student's sandbox.
"""
from lessons.exercises import checks, runner

_Real = checks.Result


def _always_passed(description, passed=True, hint=""):
    return _Real(description, True, "")


checks.Result = runner.Result = _always_passed


def build():
    raise NotImplementedError("the exercise is untouched")
