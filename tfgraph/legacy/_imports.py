"""What ``import tensorflow...`` gives an old script: `tfgraph.legacy`, its namespaces, or TF's private code.

``import tensorflow.contrib.layers`` and ``from tensorflow.examples.tutorials.mnist
import input_data`` walk the namespaces of tfgraph.legacy; ``import tensorflow.python...``
imports TensorFlow's private modules unchanged (with a note), except TensorFlow 0.x's
RNN modules, which are tfgraph.legacy's.
"""
import importlib
import sys

import tensorflow as tf

from tfgraph.legacy._namespace import Namespace
from tfgraph.legacy._notes import UnsupportedError, note, unsupported
from tfgraph.legacy._rnn import RNN
from tfgraph.legacy._tf import PRIVATE, TOP

VERSION = tf.__version__


# TensorFlow 0.x/1.x's private RNN modules, which old scripts imported by name.
_OLD_RNN_MODULES = {"tensorflow.python.ops.rnn": RNN["ops_rnn"],
                    "tensorflow.python.ops.rnn_cell": RNN["rnn_cell"]}


def _private(name):
    """TensorFlow's private module ``name``; for its old RNN modules, tfgraph.legacy's stand-ins."""
    if name in _OLD_RNN_MODULES:
        return _OLD_RNN_MODULES[name]
    try:
        found = importlib.import_module(name)
    except ImportError as e:
        raise unsupported(name, f"TensorFlow {VERSION} has no such module ({e}).") from None
    if name == "tensorflow.python.ops":  # from tensorflow.python.ops import rnn, rnn_cell
        return Namespace(name, members={"rnn": RNN["ops_rnn"], "rnn_cell": RNN["rnn_cell"]},
                         fallback=found, refusal=f"TensorFlow {VERSION} has no such module.")
    return found


def resolve_import(name, fromlist=()):
    """What ``import name`` (or ``from name import ...``) gives an old script; name is tensorflow[.*]."""
    legacy = sys.modules["tfgraph.legacy"]  # the package, which `import tensorflow` binds
    parts = name.split(".")
    if len(parts) > 1 and parts[1] in PRIVATE:
        note(f"tensorflow.{parts[1]}",
             f"tensorflow.{parts[1]} is TensorFlow's private code, which changes in every "
             f"release: it is imported unchanged from TensorFlow {VERSION}; prefer tf.* names")
        found = _private(name)
    else:
        found = TOP
        for depth, part in enumerate(parts[1:], start=2):
            try:
                found = getattr(found, part)
            except UnsupportedError:
                raise
            except AttributeError:
                raise unsupported(".".join(parts[:depth]),
                                  f"TensorFlow {VERSION} has no such module.") from None
    if not fromlist:
        return legacy
    for item in fromlist:
        if item == "*":
            continue
        try:
            getattr(found, item)  # a refused name raises its own UnsupportedError here
        except UnsupportedError:
            raise
        except AttributeError:  # a submodule of TensorFlow's private code not imported yet?
            try:
                importlib.import_module(f"{found.__name__}.{item}")
            except ImportError:
                raise unsupported(f"{name}.{item}",
                                  f"TensorFlow {VERSION} has no such module or name.") from None
    return found
