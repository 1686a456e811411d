"""Declaring checks: `@check`, `expect`, `CheckFailed`, and the reference values computed once per run.

A check is a function of one `Submission` (`lessons.exercises.grader.remote`). It runs in
the judge's sandbox, never beside the student's code: wherever it needs the student's
code it asks the submission, which asks the student's sandbox. It returns when the
student's code does what the task asks and raises `CheckFailed(hint)` when it does not.
A hint says what is wrong, never the expected answer. The checks of lesson L's exercises
live in `lessons.exercises.checkers.L` and register themselves with `@check`.

A checker's expensive reference computation (training the lesson's model, say) is a
function decorated with `@reference(exercise, arguments)`: the judge's fork server runs it
once for each argument tuple before any submission is judged, so every judge forked from
it finds the values ready.
"""
import importlib
from typing import Callable, NamedTuple

from lessons.exercises import get


class CheckFailed(Exception):
    """The student's code does not do what the task asks; the message is the hint."""


class Check(NamedTuple):
    """One behaviour to test: which exercise, a one-line description, and the function that tests it."""
    exercise: str
    description: str
    function: Callable


class Result(NamedTuple):
    """A check's verdict: passed or not, and the hint when not."""
    description: str
    passed: bool
    hint: str = ""


_CHECKS = {}
_REFERENCES = {}


def check(exercise, description):
    """Decorator: register the function as the next check of `exercise`."""
    def register(function):
        _CHECKS.setdefault(exercise, []).append(Check(exercise, description, function))
        return function
    return register


def checks_for(exercise):
    """The checks of `exercise`, in order (imports its lesson's checker module, hence TensorFlow)."""
    importlib.import_module(f"lessons.exercises.checkers.{get(exercise).lesson}")
    return list(_CHECKS.get(exercise, ()))


def expect(condition, hint):
    """Raise CheckFailed(hint) unless `condition` holds."""
    if not condition:
        raise CheckFailed(hint)


class Reference:
    """A reference computation and its values, by argument tuple; each computed at most once per process."""

    def __init__(self, function, arguments):
        self.function, self.arguments = function, [tuple(args) for args in arguments]
        self.name = f"{function.__module__}.{function.__qualname__}"
        self.values = {}
        self.__doc__ = function.__doc__

    def __call__(self, *args):
        key = repr(args)
        if key not in self.values:
            self.values[key] = self.function(*args)
        return self.values[key]

    def compute_all(self):
        """{repr(args): value} for every argument tuple it was declared with."""
        return {repr(args): self(*args) for args in self.arguments}


def reference(exercise, arguments):
    """Decorator: the function is `exercise`'s reference computation, run once per run for each of `arguments`."""
    def register(function):
        wrapped = Reference(function, arguments)
        _REFERENCES.setdefault(exercise, []).append(wrapped)
        return wrapped
    return register


def references_for(exercise):
    """The reference computations `exercise`'s checks use (imports its checker module)."""
    checks_for(exercise)
    return list(_REFERENCES.get(exercise, ()))
