"""The student's side of a check: load the student's file, run each check on it, write down what its code produced.

This runs in a process of its own for each file (forked by `lessons.exercises.sandbox`).
Nothing here decides a verdict: the record (JSON lines: which functions exist, what
each call returned or raised, the constants, facts measured after a call) goes to the
judge, which replays the same checks from it (`lessons.exercises.replay`).
"""
import os

from lessons.exercises import checks
from lessons.exercises.checks import (CheckFailed, EndOfRecording, Submission, _quiet, checks_for,
                                      describe_exception, load_student)
from lessons.exercises.evidence import StudentRaised, encode, host_graphs, signature


class RecordingSubmission(Submission):
    """A Submission that runs the student's code and writes down what it produced with `write(message)`."""

    def __init__(self, module, path, write):
        super().__init__(path)
        self.module = module
        self.write = write

    def _raised(self, entry, error):
        described = describe_exception(error, self.path)
        self.write({**entry, "raise": {"type": type(error).__name__, "message": str(error)[:4000],
                                       "described": described}})
        return error if isinstance(error, Exception) else StudentRaised(described)

    def _encoded(self, entry, value, hosts=()):
        try:
            encoded = encode(value, hosts)
        except Exception as error:  # what the student returned could not be copied out
            raise self._raised(entry, StudentRaised(f"The checker could not copy what your code returned "
                                                    f"({type(error).__name__}: {error})."))
        self.write({**entry, "value": encoded})

    def _has_function(self, name):
        found = callable(getattr(self.module, name, None))
        self.write({"kind": "function", "name": name, "callable": found})
        return found

    def _call(self, name, args, kwargs):
        entry = {"kind": "call", "name": name, "args": signature(args, kwargs)}
        hosts = host_graphs(args, kwargs)
        try:
            result = getattr(self.module, name)(*args, **kwargs)
        except BaseException as error:  # a student's sys.exit() too: it ends this check, not the process
            raise self._raised(entry, error)
        self._encoded(entry, result, hosts)
        return result

    def _constant(self, name):
        present = hasattr(self.module, name)
        value = getattr(self.module, name, None)
        self._encoded({"kind": "constant", "name": name, "present": present}, value)
        return present, value

    def _observed(self, key, compute):
        entry = {"kind": "observed", "key": repr(key)}
        try:
            value = compute()
        except BaseException as error:
            raise self._raised(entry, error)
        self._encoded(entry, value)
        return value


def record(exercise, path, write, source=None):
    """Run `exercise`'s checks on the file at `path` (its text: `source`), writing the record; decide nothing."""
    checks.RECORDING = True
    path = os.path.abspath(path)
    found = checks_for(exercise)
    try:
        if source is not None and not isinstance(source, str):
            raise source  # the file could not be read
        module = load_student(path, source)
    except CheckFailed as failure:
        problem = str(failure)
    except FileNotFoundError:
        problem = f"There is no file {path}."
    except BaseException as error:  # SystemExit too: a student's sys.exit() must not end the checker
        problem = "Importing your file failed. " + describe_exception(error, path)
    else:
        problem = None
    if problem is not None:
        write({"load_failed": problem})
        return
    submission = RecordingSubmission(module, path, write)
    for index, one in enumerate(found):
        write({"begin": index})
        try:
            with _quiet():
                one.function(submission)
        except (EndOfRecording, Exception, SystemExit, KeyboardInterrupt):
            pass  # the judge decides; this process only records
        write({"end": index})
