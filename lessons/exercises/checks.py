"""The checker's machinery: declaring checks, what a check may ask of a student's file, loading it.

A check is a function of one `Submission`. It returns when the student's code does what
the task asks and raises `CheckFailed(hint)` when it does not; the hint teaches (what was
expected, what was found and, when a common mistake explains the difference, which one).
When the student's own code raises, the verdict names the exception, its message and the
student's line instead of printing a traceback. The checks of lesson L's exercises live
in `lessons.exercises.checkers.L` and register themselves with `@check`.

A check runs twice, never deciding where the student's code runs: `lessons.exercises.record`
runs it in the student's process to write down what the code produced, and
`lessons.exercises.replay` runs it again in the judge's process, answering from that
record, to decide. `lessons.exercises.runner` starts both processes.
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
import types
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


#: True in the process that runs a student's code: checks skip what only the judge needs (`judge_only`).
RECORDING = False


class EndOfRecording(Exception):
    """Raised in the student's process where a check needs nothing more from the student's code."""


def judge_only(function):
    """Decorator: the checker's own reference computation, run by the judge only (the student's process stops there)."""
    def wrapper(*args, **kwargs):
        if RECORDING:
            raise EndOfRecording(function.__name__)
        return function(*args, **kwargs)
    wrapper.__name__, wrapper.__doc__ = function.__name__, function.__doc__
    return wrapper


class Submission:
    """What a check asks of a student's file: its functions, its constants, facts measured after its calls.

    `RecordingSubmission` (lessons.exercises.record) answers by running the student's code
    and writing down what it produced; `ReplaySubmission` (lessons.exercises.replay)
    answers from that record, in a process that never ran the student's code.
    """

    def __init__(self, path):
        self.path = path
        self._memo = {}

    def function(self, name):
        """The student's function `name` (a stand-in that calls it), or CheckFailed saying it is missing."""
        expect(self._has_function(name), f"Your file defines no function {name}(). The checker calls {name}(...): "
                                          f"keep the name and the arguments the student file gave it.")

        def call(*args, **kwargs):
            return self._call(name, args, kwargs)
        return call

    def constant(self, name, what):
        """The student's answer `name`, or CheckFailed if it is missing or still None; `what` says what it should be."""
        present, value = self._constant(name)
        expect(present, f"Your file has no {name}. Set it to {what}.")
        expect(value is not None, f"Not done yet: {name} is still None. Set it to {what}.")
        return value

    def observed(self, key, compute):
        """compute() measured right after the student's code ran (state it changed in the checker's objects)."""
        return self._observed(key, compute)

    def memo(self, key, compute):
        """compute() the first time `key` is asked for, its result (or exception) after that."""
        if key not in self._memo:
            try:
                self._memo[key] = compute()
            except EndOfRecording:
                raise
            except Exception as error:  # replayed to every check that asks
                self._memo[key] = _Raised(error)
        value = self._memo[key]
        if isinstance(value, _Raised):
            raise value.error
        return value

    def _has_function(self, name):
        raise NotImplementedError

    def _call(self, name, args, kwargs):
        raise NotImplementedError

    def _constant(self, name):
        raise NotImplementedError

    def _observed(self, key, compute):
        raise NotImplementedError


def _same_file(a, b):
    try:
        return os.path.samefile(a, b)
    except OSError:  # a path this process may not stat (a student's process without privileges)
        return os.path.abspath(a) == os.path.abspath(b)


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


def load_student(path, source=None):
    """Import the student's file at `path` (or its `source` text, read earlier) as a fresh module, quietly."""
    name = f"student_{os.path.splitext(os.path.basename(path))[0]}_{next(_module_numbers)}"
    if source is None:
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None:
            raise CheckFailed(f"{path} is not a Python file the checker can import.")
        module = importlib.util.module_from_spec(spec)
    else:
        spec, module = None, types.ModuleType(name)
        module.__file__ = path
        linecache.cache[path] = (len(source), None, source.splitlines(True), path)  # for the verdict's lines
    sys.modules[name] = module  # some code (dataclasses, pickle) looks itself up there
    try:
        with _quiet():
            if spec is not None:
                spec.loader.exec_module(module)
            else:
                exec(compile(source, path, "exec"), module.__dict__)
    except BaseException:
        del sys.modules[name]
        raise
    return module
