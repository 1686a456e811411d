"""Attack on other students: patch NumPy, TensorFlow and the checkers for whoever runs next. Expected: failed."""
import numpy as np
import tensorflow as tf

from lessons.exercises import checks

np.allclose = lambda *args, **kwargs: False  # every later student would fail
tf.compat.v1.Session.run = lambda self, *args, **kwargs: 0.0
for registered in checks._CHECKS.values():
    registered.reverse()  # verdicts would shift by one check


def build():
    raise NotImplementedError("the exercise is untouched")
