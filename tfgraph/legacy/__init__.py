"""TensorFlow 0.x/1.x as tutorials of 2016-2018 used it, on TensorFlow 2: ``import tfgraph.legacy as tf``.

Old code runs unchanged in two ways:

- ``python -m tfgraph.legacy old_script.py [args]`` runs a script whose
  ``import tensorflow as tf`` (and ``from tensorflow.examples.tutorials.mnist import
  input_data``) then gives this module (see ``__main__.py``);
- ``import tfgraph.legacy as tf`` in place of ``import tensorflow as tf``, and
  ``from tfgraph.legacy import input_data``.

Importing this module puts TensorFlow in graph mode, as 1.x was: eager execution
off (old scripts create placeholders at their top level) and 1.x's TensorShape, whose
``shape[1].value`` old code reads. ``tf.<name>`` is then, in order:

- a function adapted to the old signature where the call changed: ``tf.concat(1, [a,
  b])``, ``tf.split(1, 2, x)``, ``tf.reduce_sum(x, reduction_indices=1,
  keep_dims=True)``, ``tf.nn.softmax_cross_entropy_with_logits(logits, labels)``,
  ``tf.nn.dropout(x, keep_prob)``, ...;
- a renamed name (``tf.mul``, ``tf.initialize_all_variables``, ``tf.scalar_summary``,
  ``tf.train.SummaryWriter``, ...), or a rebuilt piece of ``tf.layers`` and
  ``tf.contrib.layers``: it works, and its first use prints to stderr how it is
  written today, e.g. "tf.mul is tf.multiply since TensorFlow 1.0";
- otherwise ``tf.compat.v1.<name>`` unchanged, with the same kind of note when the
  name left the TensorFlow 2 API (``tf.Session``, ``tf.placeholder``, ...).

What cannot run (``tf.contrib.learn``, ``tf.contrib.seq2seq``, ``tf.contrib.slim``,
...) raises `UnsupportedError` naming the symbol, the reason and what to use
instead. The tables of names are in ``_api.py`` and ``_contrib.py``; what each part rests
on is in docs/old-code.md.
"""
import tensorflow as _tf

_tf.compat.v1.disable_eager_execution()
_tf.compat.v1.disable_v2_tensorshape()

from tfgraph.legacy import input_data  # noqa: E402
from tfgraph.legacy._api import TOP as _TOP, resolve_import  # noqa: E402
from tfgraph.legacy._core import (  # noqa: E402
    LegacyError, UnsupportedError, reset_notes, set_quiet)

__all__ = ["LegacyError", "UnsupportedError", "input_data", "reset_notes", "resolve_import",
           "set_quiet"]


def __getattr__(name):
    """``tf.<name>`` for the names this module does not define itself (all of TensorFlow's)."""
    return getattr(_TOP, name)


def __dir__():
    """This module's own names and TensorFlow 0.x/1.x's."""
    return sorted(set(globals()) | set(dir(_TOP)))
