"""What a learner reads from tfgraph.legacy: one-time notes on modern spellings, and the two errors.

No TensorFlow here: the runner checks a script and `input_data` reads MNIST before
TensorFlow starts.
"""
import importlib.util
import logging
import os
import sys

from tfgraph.errors import TfgraphError

HERE = os.path.dirname(os.path.abspath(__file__))


def _tensorflow_dir():
    """TensorFlow's folder, found without importing TensorFlow (None if it is not installed)."""
    spec = importlib.util.find_spec("tensorflow")
    return os.path.dirname(os.path.abspath(spec.origin)) if spec and spec.origin else None


_TENSORFLOW_DIR = _tensorflow_dir()


class LegacyError(TfgraphError):
    """Old TensorFlow code that `tfgraph.legacy` cannot run, with the reason and what to use instead."""


class UnsupportedError(LegacyError, AttributeError):
    """A `tf.*` name that `tfgraph.legacy` does not provide (an AttributeError, so `hasattr` is False)."""


def unsupported(what, reason):
    """The error for ``what`` (e.g. ``"tf.contrib.learn"``) that cannot run, and why."""
    return UnsupportedError(f"{what} is not supported: {reason}")


_state = {"quiet": False}
_noted = set()


def set_quiet(quiet=True):
    """Silence (or bring back) the notes that name the modern spelling of each legacy name."""
    _state["quiet"] = bool(quiet)


def reset_notes():
    """Forget which notes were printed, so each is printed again on its next use."""
    _noted.clear()


def inside(path, folder):
    """True when ``path`` is ``folder`` or lies under it."""
    return folder is not None and (path == folder or path.startswith(folder + os.sep))


def is_machinery(filename):
    """True for frames of tfgraph.legacy itself and of TensorFlow (never the learner's code)."""
    path = os.path.abspath(filename)
    return inside(path, HERE) or inside(path, _TENSORFLOW_DIR)


def display_path(filename):
    """``filename`` relative to the working folder when it is inside it, else as it is."""
    path = os.path.abspath(filename)
    cwd = os.getcwd()
    return os.path.relpath(path, cwd) if inside(path, cwd) else path


def caller_location():
    """``"script.py, line 12"`` for the nearest frame outside tfgraph.legacy and TensorFlow, or None."""
    frame = sys._getframe(1)
    while frame is not None and is_machinery(frame.f_code.co_filename):
        frame = frame.f_back
    if frame is None:
        return None
    return f"{display_path(frame.f_code.co_filename)}, line {frame.f_lineno}"


def pending(key):
    """True when the note ``key`` would be printed (notes are on, and it was not printed yet)."""
    return not _state["quiet"] and key not in _noted


def note(key, message):
    """Print ``message`` to stderr, once per ``key`` and run, with the learner's line (unless quiet)."""
    if not pending(key):
        return
    _noted.add(key)
    where = caller_location()
    print(f"[legacy] {where + ': ' if where else ''}{message}", file=sys.stderr, flush=True)


def note_rename(old, modern, since, tf2=None):
    """Note that ``old`` is spelled ``modern`` since TensorFlow ``since`` (and ``tf2`` in TF 2)."""
    note(old, f"{old} is {modern} since TensorFlow {since}"
              + (f"; in TensorFlow 2, {tf2}" if tf2 else ""))


class _NoDeprecations(logging.Filter):
    """Drops TensorFlow's own "is deprecated and will be removed" lines: the notes say it once."""

    def filter(self, record):
        """False for a deprecation message of TensorFlow's."""
        message = record.getMessage()
        return not ("deprecated" in message and "Instructions for updating" in message)


def tensorflow_log_as_in_1x():
    """TensorFlow's Python log at 1.x's default level (WARN), without its deprecation lines."""
    logger = logging.getLogger("tensorflow")
    logger.setLevel(logging.WARNING)
    if not any(isinstance(f, _NoDeprecations) for f in logger.filters):
        logger.addFilter(_NoDeprecations())
