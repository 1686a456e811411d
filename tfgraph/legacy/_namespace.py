"""`Namespace`: one `tf.*` module of TensorFlow 0.x/1.x (`tf`, `tf.nn`, `tf.train`, ...).

Looking a name up in a namespace tries, in order:

1. its own members (adapted functions and sub-namespaces), found like any attribute;
2. its renames: old name -> (what runs now, the modern spelling, the TensorFlow
   version that renamed it[, its TensorFlow 2 spelling]); the first use prints a
   note naming the modern spelling ("tf.mul is tf.multiply since TensorFlow 1.0");
3. its refusals: old name -> why it cannot run and what to use instead;
4. its fallback module (for `tf`, `tf.compat.v1`), unchanged. When the name left
   the TensorFlow 2 API, the first use prints a note saying where it lives now;
5. otherwise `UnsupportedError`, with the namespace's general reason.

Each file of tfgraph.legacy builds the namespaces of one old module with this class:
their tables of names beside the functions they point to.
"""
import types

import tensorflow as tf

from tfgraph.legacy._notes import note_rename, pending, unsupported

# Where a name that left the top level of the TensorFlow 2 API may live now.
_MODERN_HOMES = ("math", "linalg", "random", "nn", "io", "strings", "sparse", "image",
                 "dtypes", "debugging", "bitwise", "signal")

# Dunder names that may be looked up in the fallback (others are the import system's business).
_DUNDERS = ("__version__", "__git_version__", "__compiler_version__")


def _modern_home(value, name):
    """The TensorFlow 2 spelling of ``value`` (the same object), preferring its own ``name``."""
    homes = [(home, getattr(tf, home)) for home in _MODERN_HOMES if hasattr(tf, home)]
    for home, module in homes:
        if getattr(module, name, None) is value:
            return f"tf.{home}.{name}"
    for home, module in homes:
        for other in dir(module):
            if not other.startswith("_") and getattr(module, other, None) is value:
                return f"tf.{home}.{other}"
    return None


class Namespace(types.ModuleType):
    """One `tf.*` namespace of TensorFlow 0.x/1.x, resolved as the module docstring says."""

    def __init__(self, path, *, members=None, renames=None, refused=None, fallback=None,
                 modern=None, refusal):
        """Build ``path`` (e.g. ``"tf.nn"``) from its parts; ``modern`` is its TensorFlow 2 module."""
        super().__init__(path, f"TensorFlow 0.x/1.x's {path}, as tfgraph.legacy provides it.")
        self.__dict__.update(members or {})
        self.__dict__["_legacy_spec"] = dict(
            path=path, renames=renames or {}, refused=refused or {}, fallback=fallback,
            modern=modern, refusal=refusal)

    def __getattr__(self, name):
        return resolve(self, name)

    def __dir__(self):
        spec = self.__dict__["_legacy_spec"]
        names = set(self.__dict__) | set(spec["renames"])
        if spec["fallback"] is not None:
            names |= {n for n in dir(spec["fallback"]) if not n.startswith("_")}
        return sorted(n for n in names if not n.startswith("_"))


def resolve(namespace, name):
    """Look ``name`` up in ``namespace`` past its own members (steps 2 to 5 of the module docstring)."""
    if name.startswith("_") and name not in _DUNDERS:
        raise AttributeError(name)  # private names and the import system's own dunders
    spec = namespace.__dict__["_legacy_spec"]
    path = f"{spec['path']}.{name}"
    if name in spec["renames"]:
        value, *spelling = spec["renames"][name]
        note_rename(path, *spelling)
        return value
    if name in spec["refused"]:
        raise unsupported(path, spec["refused"][name])
    fallback = spec["fallback"]
    if fallback is not None:
        try:
            value = getattr(fallback, name)
        except AttributeError:
            pass  # e.g. tf.compat.v1.layers.dense, which Keras 3 removed: refused below
        else:
            modern = spec["modern"]
            if modern is not None and pending(path) and not hasattr(modern, name):
                home = _modern_home(value, name) if spec["path"] == "tf" else None
                note_rename(path, home or f"tf.compat.v1{path[len('tf'):]}", "2.0")
            return value
    raise unsupported(path, spec["refusal"])
