"""Attack on other students: patch NumPy, TensorFlow and the checkers for whoever runs next.

Expected (round 2): failed: the checkers do not exist in the student's sandbox; a patch could only change this file's own process.
"""
import numpy as np
import tensorflow as tf

from lessons.exercises import checks

np.allclose = lambda *args, **kwargs: False  # every later student would fail
tf.compat.v1.Session.run = lambda self, *args, **kwargs: 0.0
for registered in checks._CHECKS.values():
    registered.reverse()  # verdicts would shift by one check


def build():
    raise NotImplementedError("the exercise is untouched")
