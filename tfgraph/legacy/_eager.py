"""`tf.contrib.eager` (``tfe``) and `tf.enable_eager_execution`: scripts written for TF 1.5-1.x's eager mode.

``tfe.enable_eager_execution()`` (or ``tf.enable_eager_execution()``) at the top of a
script turns eager execution back on, as TensorFlow 1.x did, and the script runs
eagerly from then on. tfe's names map to TensorFlow 2's: ``tfe.Variable`` is
`tf.Variable`, ``gradients_function`` and ``implicit_gradients`` run a
`tf.GradientTape`, ``tfe.Iterator(dataset)`` iterates the dataset, ``tfe.Network`` is a
`tf.Module` that tracks its layers. Any other tfe name stops the script with one line
naming it.
"""
import inspect

import tensorflow as tf

from tfgraph.legacy._namespace import Namespace
from tfgraph.legacy._notes import LegacyError, note

v1 = tf.compat.v1


def enable_eager_execution(config=None, device_policy=None, execution_mode=None):
    """tf.enable_eager_execution: eager execution from here on (call it before building any graph)."""
    if tf.executing_eagerly():
        return
    try:
        v1.enable_eager_execution(config, device_policy, execution_mode)
    except ValueError:
        raise LegacyError("tf.enable_eager_execution() must be called before the script builds "
                          "any graph, as in TensorFlow 1.x: move it to the top of the script, "
                          "right after the imports.") from None
    note("enable_eager_execution", "eager execution is on for this script: TensorFlow 2 runs "
                                   "eagerly by default, without this call")


def _chosen(f, params, count):
    """The positions of the arguments to differentiate: all, or ``params`` (positions or names)."""
    if params is None:
        return list(range(count))
    names = list(inspect.signature(f).parameters)
    return [names.index(p) if isinstance(p, str) else p for p in params]


def value_and_gradients_function(f, params=None):
    """tfe.value_and_gradients_function: (f(*args), the gradients of f with respect to its arguments)."""
    def value_and_gradients(*args, **kwargs):
        args = [tf.convert_to_tensor(a) for a in args]
        chosen = _chosen(f, params, len(args))
        with tf.GradientTape() as tape:
            for i in chosen:
                tape.watch(args[i])
            value = f(*args, **kwargs)
        return value, tape.gradient(value, [args[i] for i in chosen])
    return value_and_gradients


def gradients_function(f, params=None):
    """tfe.gradients_function: a function giving the gradients of ``f`` with respect to its arguments."""
    def gradients(*args, **kwargs):
        return value_and_gradients_function(f, params)(*args, **kwargs)[1]
    return gradients


def implicit_value_and_gradients(f):
    """tfe.implicit_value_and_gradients: (f(...), [(gradient, variable)] for the variables f used)."""
    def value_and_gradients(*args, **kwargs):
        with tf.GradientTape() as tape:
            value = f(*args, **kwargs)
        variables = [v for v in tape.watched_variables() if v.trainable]
        if not variables:
            raise LegacyError(f"{getattr(f, '__name__', 'the function')} used no trainable "
                              f"variable, so implicit_gradients has nothing to differentiate.")
        return value, list(zip(tape.gradient(value, variables), variables))
    return value_and_gradients


def implicit_gradients(f):
    """tfe.implicit_gradients: a function giving [(gradient, variable)] for the variables ``f`` used."""
    def gradients(*args, **kwargs):
        return implicit_value_and_gradients(f)(*args, **kwargs)[1]
    return gradients


class Iterator:
    """tfe.Iterator(dataset): the dataset's elements, one at a time (``for x in`` or ``.next()``)."""

    def __init__(self, dataset):
        self._elements = iter(dataset)

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._elements)

    next = get_next = __next__


class Network(tf.Module):
    """tfe.Network: a model whose ``call`` uses the layers it tracks (``self.track_layer(layer)``)."""

    def __init__(self, name=None):
        super().__init__(name=name)
        self._tracked_layers = []

    def track_layer(self, layer):
        """Keep ``layer`` (and its variables) as part of this network; returns it."""
        self._tracked_layers.append(layer)
        return layer

    @property
    def layers(self):
        """The tracked layers, in the order they were tracked."""
        return list(self._tracked_layers)

    def __call__(self, *args, **kwargs):
        return self.call(*args, **kwargs)


EAGER = Namespace(
    "tf.contrib.eager",
    members={"enable_eager_execution": enable_eager_execution},
    renames={
        "Variable": (tf.Variable, "tf.Variable", "2.0"),
        "gradients_function": (gradients_function, "tf.GradientTape", "2.0"),
        "value_and_gradients_function": (value_and_gradients_function, "tf.GradientTape", "2.0"),
        "implicit_gradients": (implicit_gradients, "tf.GradientTape", "2.0"),
        "implicit_value_and_gradients": (implicit_value_and_gradients, "tf.GradientTape", "2.0"),
        "Iterator": (Iterator, "iter(dataset)", "2.0"),
        "Network": (Network, "tf.Module (or tf.keras.Model)", "2.0"),
        "GradientTape": (tf.GradientTape, "tf.GradientTape", "2.0"),
        "executing_eagerly": (tf.executing_eagerly, "tf.executing_eagerly", "2.0"),
        "in_eager_mode": (tf.executing_eagerly, "tf.executing_eagerly", "2.0"),
        "defun": (tf.function, "tf.function", "2.0"),
        "Checkpoint": (tf.train.Checkpoint, "tf.train.Checkpoint", "2.0"),
        "num_gpus": (lambda: len(tf.config.list_physical_devices("GPU")),
                     "len(tf.config.list_physical_devices('GPU'))", "2.0"),
    },
    refusal="tfgraph.legacy maps tfe's enable_eager_execution, Variable, gradients_function, "
            "value_and_gradients_function, implicit_gradients, implicit_value_and_gradients, "
            "Iterator, Network, GradientTape, defun, Checkpoint and num_gpus only. In "
            "TensorFlow 2, which runs eagerly, use tf.GradientTape, tf.Module, "
            "tf.train.Checkpoint and tf.keras.metrics.")
