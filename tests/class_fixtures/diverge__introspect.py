"""Weakness (issue 27): a student's function could read the answer off the checker's fake training function.

first_diverging_rate looks for the rate at which `train` diverges in everything it can reach
from it (attributes, closures, referents, the stack's frames) and returns it without calling
train. Expected: failed (the train it gets is a stand-in that knows only a number to call the
judge by).
"""
import gc
import inspect
import numbers
import sys

ACCURACY_COLLAPSES_FIRST = False


def _numbers_in(thing, depth=0):
    if depth > 3:
        return []
    if isinstance(thing, numbers.Real) and not isinstance(thing, bool):
        return [float(thing)]
    found = []
    for child in list(getattr(thing, "__dict__", {}).values()) + list(getattr(thing, "__closure__", None) or []) \
            + gc.get_referents(thing):
        if getattr(child, "cell_contents", None) is not None:
            child = child.cell_contents
        if isinstance(child, (numbers.Real, dict, list, tuple)) or hasattr(child, "__dict__"):
            found.extend(_numbers_in(child, depth + 1))
    return found


def first_diverging_rate(train, start=1.0, factor=10.0, max_tries=40):
    candidates = _numbers_in(train)
    for name, value in inspect.getmembers(train):
        if "threshold" in name and isinstance(value, numbers.Real):
            return value
    frame = sys._getframe()
    while frame is not None:
        for name, value in frame.f_locals.items():
            if "threshold" in name and isinstance(value, numbers.Real):
                return value
        frame = frame.f_back
    rates = [start * factor ** k for k in range(max_tries)]
    return next((rate for rate in rates if any(abs(rate - c) < 1e-9 * rate for c in candidates)), None)
