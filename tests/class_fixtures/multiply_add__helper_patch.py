"""Attack: make the checker's comparisons always agree.

Expected (round 2): failed: the checkers do not exist in the student's sandbox.
"""
import numpy as np

from lessons.exercises import checkers, checks
from lessons.exercises.checkers import multiplication

np.allclose = lambda *args, **kwargs: True
checks.expect = multiplication.expect = lambda condition, hint: None
checkers.placeholder = checkers.tensor = multiplication.placeholder = multiplication.tensor = lambda value, *a: value


def build():
    return 1, 2, 3, 4, 5
