"""What `python -m tfgraph.legacy` changes around an old script, for its run only, and undoes after.

- NumPy 1.x names that old scripts used beside TensorFlow and that NumPy 1.24/2.0
  removed (``np.int``, ``np.float``, ``np.bool``, ``np.object``, ``np.str``,
  ``np.long``, ...; ``np.reshape(a, newshape=...)``), each with a note;
- display calls under a non-interactive Matplotlib backend (Agg, as on a server or
  in CI): ``plt.show()`` and ``plt.waitforbuttonpress()`` (which would wait
  forever) return at once, with a note.
"""
import contextlib
import functools
import sys

import numpy as np

from tfgraph.legacy._notes import note

# NumPy 1.x alias -> (what it meant, its spelling today, the NumPy version that removed it).
NUMPY_ALIASES = {
    "int": (int, "int (or np.int64)", "1.24"), "float": (float, "float (or np.float64)", "1.24"),
    "bool": (bool, "bool (or np.bool_)", "1.24"), "object": (object, "object", "1.24"),
    "str": (str, "str", "1.24"), "long": (int, "int", "1.24"),
    "unicode": (str, "str", "1.24"), "complex": (complex, "complex", "1.24"),
    "bool8": (np.bool_, "np.bool_", "2.0"), "float_": (np.float64, "np.float64", "2.0"),
    "int0": (np.intp, "np.intp", "2.0"), "unicode_": (np.str_, "np.str_", "2.0"),
    "string_": (np.bytes_, "np.bytes_", "2.0"), "NaN": (np.nan, "np.nan", "2.0"),
    "Inf": (np.inf, "np.inf", "2.0"), "infty": (np.inf, "np.inf", "2.0"),
}

NON_INTERACTIVE = ("agg", "cairo", "pdf", "pgf", "ps", "svg", "template")
DISPLAY_CALLS = ("show", "waitforbuttonpress")


def _numpy_getattr(original):
    """NumPy's module ``__getattr__``, answering the removed aliases (with a note) first."""
    def __getattr__(name):
        if name in NUMPY_ALIASES and name not in np.__dict__:
            value, modern, removed = NUMPY_ALIASES[name]
            note(f"np.{name}", f"np.{name} is {modern} since NumPy {removed} removed it; "
                               f"restored for this script only")
            return value
        return original(name)
    return __getattr__


def _reshape(original):
    """np.reshape also taking NumPy 1.x's ``newshape=`` keyword."""
    @functools.wraps(original)
    def reshape(a, shape=None, order="C", *, newshape=None, **kwargs):
        if newshape is not None:
            note("np.reshape(newshape=)", "np.reshape(a, newshape=...) is np.reshape(a, "
                                          "shape=...) since NumPy 2.1")
            shape = newshape
        return original(a, shape, order=order, **kwargs)
    return reshape


@contextlib.contextmanager
def numpy_1_names():
    """Inside: NumPy answers its removed 1.x names. After: NumPy exactly as it was."""
    saved = {key: np.__dict__[key] for key in ("__getattr__", "reshape")}
    np.__getattr__ = _numpy_getattr(saved["__getattr__"])
    np.reshape = _reshape(saved["reshape"])
    try:
        yield
    finally:
        np.__dict__.update(saved)


def _no_display(name, pyplot):
    """A pyplot display call that returns at once under a non-interactive backend (with a note)."""
    original = getattr(pyplot, name)

    @functools.wraps(original)
    def call(*args, **kwargs):
        backend = str(pyplot.get_backend()).lower()
        if backend.split("backend_")[-1] not in NON_INTERACTIVE:
            return original(*args, **kwargs)
        note(f"plt.{name}", f"plt.{name}() does nothing under Matplotlib's non-interactive "
                            f"backend {pyplot.get_backend()!r} (no display): skipped")
        return None
    call._legacy_original = original
    return call


class Display:
    """Patches pyplot's display calls once the script imports pyplot; ``undo`` restores them."""

    def __init__(self):
        self.pyplot = None

    def check(self):
        """Patch pyplot if it was imported since the last check."""
        pyplot = sys.modules.get("matplotlib.pyplot")
        if pyplot is None or self.pyplot is not None:
            return
        self.pyplot = pyplot
        for name in DISPLAY_CALLS:
            setattr(pyplot, name, _no_display(name, pyplot))

    def undo(self):
        """Give pyplot back its own display calls."""
        if self.pyplot is not None:
            for name in DISPLAY_CALLS:
                setattr(self.pyplot, name, getattr(self.pyplot, name)._legacy_original)
            self.pyplot = None
