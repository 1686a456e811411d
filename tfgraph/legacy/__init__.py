"""TensorFlow 0.x/1.x as tutorials of 2016-2018 used it, on TensorFlow 2: ``import tfgraph.legacy as tf``.

Old code runs unchanged in two ways:

- ``python -m tfgraph.legacy old_script.py [args]`` runs a script whose
  ``import tensorflow as tf`` (and ``from tensorflow.examples.tutorials.mnist import
  input_data``) then gives this package (see ``__main__.py``);
- ``import tfgraph.legacy as tf`` in place of ``import tensorflow as tf``, and
  ``from tfgraph.legacy import input_data``.

The first ``tf.<name>`` starts TensorFlow quietly (`tfgraph.quiet`) and in graph mode,
as 1.x was: eager execution off (old scripts create placeholders at their top level)
and 1.x's TensorShape, whose ``shape[1].value`` old code reads. ``tf.<name>`` is then
an adapted function where the call changed (``tf.concat(1, [a, b])``), a renamed or
rebuilt name whose first use prints how it is written today ("tf.mul is tf.multiply
since TensorFlow 1.0"), or ``tf.compat.v1.<name>`` unchanged. What cannot run raises
`UnsupportedError` naming the symbol, the reason and what to use instead in
TensorFlow 2 (`_namespace.py` says how a name is looked up).

Where each old namespace lives (its table of names beside the functions it points to):

- ``tf`` itself (renamed ops, old argument orders, ``tf.Variable``): ``_tf.py``
- ``tf.nn`` (and 0.x's ``tf.nn.seq2seq``): ``_nn.py``
- ``tf.nn.rnn_cell``, ``tf.contrib.rnn`` and TensorFlow 0.x's RNN modules: ``_rnn.py``
- ``tf.train``: ``_train.py``
- ``tf.summary`` and 0.x's ``tf.scalar_summary`` and friends: ``_summary.py``
- ``tf.gfile``: ``_gfile.py``
- ``tf.layers``: ``_layers.py`` (the parts it shares with contrib: ``_layer_parts.py``)
- ``tf.contrib`` (what runs, and why the rest is refused): ``_contrib.py``
- ``tf.contrib.layers``: ``_contrib_layers.py``
- ``tf.contrib.framework`` (``arg_scope``): ``_contrib_framework.py``
- ``tf.contrib.seq2seq``: ``_seq2seq.py``
- ``tf.contrib.legacy_seq2seq``: ``_legacy_seq2seq.py``
- ``tf.contrib.eager`` (``tfe``) and ``tf.enable_eager_execution``: ``_eager.py``
- ``tf.estimator`` (custom and canned): ``_estimator.py``
- ``tf.estimator.inputs``: ``_estimator_inputs.py``
- ``tensorflow.examples.tutorials.mnist``: ``_examples.py``, with ``input_data.py`` and
  ``mnist_tutorial.py``
- ``import tensorflow.x.y``: ``_imports.py``

How a name is looked up is in ``_namespace.py``; notes and errors in ``_notes.py``;
variables fetched by their tensor name (``"w:0"``) in ``_variables_by_name.py``; what
the runner changes around a script (NumPy 1.x names, display calls) in
``_script_env.py``.
"""
import importlib
import os
import sys

from tfgraph import quiet as _quiet

# Dunder names that are TensorFlow's (``tf.__version__``); others are Python's business.
_TF_DUNDERS = ("__version__", "__git_version__", "__compiler_version__")

# This package's public modules (input_data, mnist_tutorial): imported without starting TensorFlow.
_MODULES = {name[:-3] for name in os.listdir(os.path.dirname(__file__))
            if name.endswith(".py") and not name.startswith("_")}


def start_tensorflow():
    """The ``tf`` namespace; on first use, TensorFlow is imported quietly and put in graph mode."""
    if "tfgraph.legacy._tf" not in sys.modules:
        _quiet.import_tensorflow()
    from tfgraph.legacy._tf import TOP, start
    start()
    return TOP


def __getattr__(name):
    """``tf.<name>``: TensorFlow 0.x/1.x's name, as the index above says where it comes from."""
    if name.startswith("_") and name not in _TF_DUNDERS:
        raise AttributeError(name)
    if name in _MODULES:
        return importlib.import_module(f"{__name__}.{name}")
    return getattr(start_tensorflow(), name)


def __dir__():
    """This package's own names and TensorFlow 0.x/1.x's."""
    return sorted(set(globals()) | set(dir(start_tensorflow())))
