"""The checker's machinery: declaring checks, loading a student's file and running the checks on it.

A check is a function of one `Submission`. It returns when the student's code does what
the task asks and raises `CheckFailed(hint)` when it does not; the hint teaches (what was
expected, what was found and, when a common mistake explains the difference, which one).
When the student's own code raises, the verdict names the exception, its message and the
student's line instead of printing a traceback. The checks of lesson L's exercises live
in `lessons.exercises.checkers.L` and register themselves with `@check`.

This module runs checks in the current process; `lessons.exercises.runner` runs them in
a worker process with a time limit, which is what the command line uses.
"""
import contextlib
import importlib
import importlib.util
import io
import itertools
import linecache
import os
import sys
import traceback
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
_module_numbers = itertools.count()


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


class _Raised(NamedTuple):
    error: BaseException


class Submission:
    """A student's file loaded as a module, with a memo so that several checks can share one slow call."""

    def __init__(self, module, path):
        self.module = module
        self.path = path
        self._memo = {}

    def function(self, name):
        """The student's function `name`, or CheckFailed saying it is missing."""
        value = getattr(self.module, name, None)
        expect(callable(value), f"Your file defines no function {name}(). The checker calls {name}(...): "
                                f"keep the name and the arguments the student file gave it.")
        return value

    def constant(self, name, what):
        """The student's answer `name`, or CheckFailed if it is missing or still None; `what` says what it should be."""
        expect(hasattr(self.module, name), f"Your file has no {name}. Set it to {what}.")
        value = getattr(self.module, name)
        expect(value is not None, f"Not done yet: {name} is still None. Set it to {what}.")
        return value

    def memo(self, key, compute):
        """compute() the first time `key` is asked for, its result (or exception) after that."""
        if key not in self._memo:
            try:
                self._memo[key] = compute()
            except Exception as error:  # replayed to every check that asks
                self._memo[key] = _Raised(error)
        value = self._memo[key]
        if isinstance(value, _Raised):
            raise value.error
        return value


def _same_file(a, b):
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _clean_message(error):
    """The part of an exception's message a student needs (TensorFlow's stack dumps removed)."""
    text = getattr(error, "message", None) or str(error) or type(error).__name__
    keep = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("Original stack trace"):
            break
        if (not stripped or stripped.startswith(("Graph execution error", "Detected at node", "File ", "Node:",
                                                 "[[", "defined at"))):
            continue
        keep.append(stripped)
    text = " ".join(keep) or type(error).__name__
    return text if len(text) <= 400 else text[:397] + "..."


def _student_frames(frames, path):
    return [frame for frame in frames if _same_file(frame.filename, path)]


def _where(frame, name):
    """'line 12 of name: the code on that line'."""
    line = (frame.line or linecache.getline(frame.filename, frame.lineno)).strip()
    return f"line {frame.lineno} of {name}: {line}"


def describe_exception(error, path):
    """What to tell a student whose code raised `error`: type, message and their line, never a traceback."""
    name = os.path.basename(path)
    if isinstance(error, SyntaxError) and error.filename and _same_file(error.filename, path):
        line = (error.text or "").strip()
        return f"Python cannot read your file: {error.msg} (line {error.lineno} of {name}: {line})."
    frames = _student_frames(traceback.extract_tb(error.__traceback__), path)
    if isinstance(error, NotImplementedError):
        gaps = [frame for frame in frames if frame.name != "todo"] or frames
        where = f" (line {gaps[-1].lineno} of {name}, under its # TODO)" if gaps else ""
        return f"Not done yet: {_clean_message(error)}{where}."
    op = getattr(error, "op", None)
    built_at = _student_frames(getattr(op, "traceback", None) or [], path) if op is not None else []
    who = "Your graph" if built_at and not frames else "Your code"
    text = f"{who} raised {type(error).__name__}: {_clean_message(error)}"
    if frames:
        text += f"\nat {_where(frames[-1], name)}"
    if built_at:
        text += (f"\nTensorFlow raised it while running the op {op.name!r}, built at "
                 f"{_where(built_at[-1], name)}")
    if not frames and not built_at:
        text += ("\nIt was raised while the checker used what your code returned: check the types and "
                 "shapes your function returns against its docstring.")
    return text


@contextlib.contextmanager
def _quiet():
    """Keep what the student's code prints out of the checker's report."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        yield


def load_student(path):
    """Import the student's file at `path` as a fresh module (its prints are discarded)."""
    name = f"student_{os.path.splitext(os.path.basename(path))[0]}_{next(_module_numbers)}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None:
        raise CheckFailed(f"{path} is not a Python file the checker can import.")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # some code (dataclasses, pickle) looks itself up there
    try:
        with _quiet():
            spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def run_checks(checks, path):
    """Yield one Result per check of the student's file at `path`, in order; never raises for the student's code."""
    path = os.path.abspath(path)
    try:
        module = load_student(path)
    except (KeyboardInterrupt, GeneratorExit):
        raise
    except CheckFailed as failure:
        problem = str(failure)
    except FileNotFoundError:
        problem = f"There is no file {path}."
    except BaseException as error:  # SystemExit too: a student's sys.exit() must not end the checker
        problem = "Importing your file failed. " + describe_exception(error, path)
    else:
        problem = None
    if problem is not None:
        for one in checks:
            yield Result(one.description, False, problem)
        return
    submission = Submission(module, path)
    try:
        for one in checks:
            try:
                with _quiet():
                    one.function(submission)
            except CheckFailed as failure:
                yield Result(one.description, False, str(failure))
            except (KeyboardInterrupt, GeneratorExit):
                raise
            except BaseException as error:
                yield Result(one.description, False, describe_exception(error, path))
            else:
                yield Result(one.description, True)
    finally:
        sys.modules.pop(module.__name__, None)
