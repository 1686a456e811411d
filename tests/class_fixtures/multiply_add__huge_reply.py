"""A reply too large to copy: build() returns five arrays of 30 million numbers.

Expected: failed, with a verdict that says the value is too large; the grader never holds it.
"""
import numpy as np


def build():
    return tuple(np.zeros(30_000_000, np.float32) for _ in range(5))
