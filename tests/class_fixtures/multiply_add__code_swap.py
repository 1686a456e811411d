"""Attack: give every registered check the code of a function that passes.

Expected (round 2): failed: the checks do not exist in the student's sandbox, so the import fails.
"""
from lessons.exercises import checks


def _passes(submission):
    return None


for registered in checks._CHECKS.values():
    for one in registered:
        one.function.__code__ = _passes.__code__


def build():
    raise NotImplementedError("the exercise is untouched")
