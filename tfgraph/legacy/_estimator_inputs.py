"""`tf.estimator.inputs`: its table, and `numpy_input_fn`, whose arrays are fed from outside the graph.

TensorFlow 1.x fed the arrays through a queue, from a Python thread: the graph held
none of the data. A `Dataset.from_tensor_slices` of the arrays would put them in the
graph as constants, so every graph.pbtxt, .meta file and events file in model_dir would
carry a copy (gigabytes for MNIST). Here a generator hands out the batches (NumPy
slices) and the graph only holds the op that asks it for the next one.
"""
import numpy as np
import tensorflow as tf

from tfgraph.legacy._namespace import Namespace
from tfgraph.legacy._notes import LegacyError

v1 = tf.compat.v1


def _as_dict(arrays, what):
    """``arrays`` (an array or a dict of arrays) as a dict of NumPy arrays of one length."""
    named = dict(arrays) if isinstance(arrays, dict) else {None: arrays}
    named = {key: np.asarray(value) for key, value in named.items()}
    lengths = {len(value) for value in named.values()}
    if len(lengths) != 1:
        raise LegacyError(f"numpy_input_fn's {what} arrays must all have the same length (one "
                          f"row per example), got lengths {sorted(lengths)}.")
    return named


def _batches(x, y, batch_size, num_epochs, shuffle, seed):
    """A generator of (features, labels) batches: epochs of the rows, shuffled if asked."""
    length = len(next(iter(x.values())))
    def generate():
        rng, epoch = np.random.RandomState(seed), 0
        while num_epochs is None or epoch < num_epochs:
            order = rng.permutation(length) if shuffle else np.arange(length)
            for start in range(0, length, batch_size):
                rows = order[start:start + batch_size]
                features = tuple(value[rows] for value in x.values())
                yield features if y is None else (features, tuple(v[rows] for v in y.values()))
            epoch += 1
    return generate


def _signature(arrays):
    return tuple(tf.TensorSpec((None, *value.shape[1:]), tf.as_dtype(value.dtype))
                 for value in arrays.values())


def _unpack(arrays, tensors):
    """The tensors of a batch, as the arrays were given: one tensor, or a dict of them."""
    if list(arrays) == [None]:
        return tensors[0]
    return dict(zip(arrays, tensors))


def numpy_input_fn(x, y=None, batch_size=128, num_epochs=1, shuffle=None, queue_capacity=1000,
                   num_threads=1):
    """tf.estimator.inputs.numpy_input_fn: an input_fn giving batches of (features, labels) from arrays."""
    if shuffle is None:
        raise LegacyError("numpy_input_fn needs shuffle=True or shuffle=False, as in "
                          "TensorFlow 1.x (shuffle for training, not for evaluation).")
    features = _as_dict(x, "x")
    labels = None if y is None else _as_dict(y, "y")
    if labels is not None and len(next(iter(labels.values()))) != len(next(iter(features.values()))):
        raise LegacyError("numpy_input_fn's x and y must have one row per example each, got "
                          "different lengths.")

    def input_fn():
        seed = v1.get_default_graph().seed
        signature = _signature(features)
        if labels is not None:
            signature = (signature, _signature(labels))
        dataset = v1.data.Dataset.from_generator(
            _batches(features, labels, batch_size, num_epochs, shuffle, seed),
            output_signature=signature)
        batch = v1.data.make_one_shot_iterator(dataset.prefetch(2)).get_next()
        if labels is None:
            return _unpack(features, batch), None
        return _unpack(features, batch[0]), _unpack(labels, batch[1])
    return input_fn


INPUTS = Namespace(
    "tf.estimator.inputs",
    renames={"numpy_input_fn": (numpy_input_fn, "tf.data.Dataset.from_tensor_slices((x, y))"
                                                ".shuffle(n).batch(size), given to "
                                                "tf.keras.Model.fit", "2.0")},
    refusal="tfgraph.legacy provides numpy_input_fn only. In TensorFlow 2, read the data "
            "with tf.data (pandas: tf.data.Dataset.from_tensor_slices(dict(frame))).")
