"""`tf.nn`: its table of names, and the functions whose signature changed (losses, dropout, nce_loss).

Before TensorFlow 1.0 the cross-entropy losses took ``(logits, labels)`` (or
``(logits, targets)``) by position; 1.0 made them keyword-only so the two could not
be swapped silently. Before 2.0, ``dropout``'s second argument was the probability
to KEEP a unit; today it is the rate to drop one.
"""
import tensorflow as tf

from tfgraph.legacy._legacy_seq2seq import LEGACY_SEQ2SEQ
from tfgraph.legacy._namespace import Namespace
from tfgraph.legacy._notes import LegacyError, note_rename
from tfgraph.legacy._rnn import RNN

v1 = tf.compat.v1
VERSION = tf.__version__


def _old_call(function, args, order, given):
    """Merge the positional ``args`` of an old call (in ``order``) with the keywords ``given``."""
    if len(args) > len(order):
        raise LegacyError(f"tf.nn.{function} takes at most {len(order)} arguments "
                          f"({', '.join(order)}), got {len(args)}.")
    if args:
        note_rename(f"tf.nn.{function}({', '.join(order[:2])})",
                    f"tf.nn.{function}(labels=..., logits=...)", "1.0")
    merged = dict(given)
    for key, value in zip(order, args):
        key = "labels" if key == "targets" else key  # 0.x's name for the labels
        if merged.get(key) is not None:
            raise LegacyError(f"tf.nn.{function} got {key} twice (by position and by name).")
        merged[key] = value
    if merged.get("targets") is not None:
        if merged.get("labels") is not None:
            raise LegacyError(f"tf.nn.{function} got both labels and targets; keep only labels.")
        note_rename(f"tf.nn.{function}(targets=...)", f"tf.nn.{function}(labels=...)", "1.0")
        merged["labels"] = merged["targets"]
    for key in ("labels", "logits"):
        if merged.get(key) is None:
            raise LegacyError(f"tf.nn.{function} needs {key}.")
    return merged


def softmax_cross_entropy_with_logits(*args, labels=None, logits=None, dim=None, name=None,
                                      axis=None, _sentinel=None):
    """Softmax cross entropy, also by position (logits, labels) as before 1.0; no gradient into labels."""
    c = _old_call("softmax_cross_entropy_with_logits", args, ("logits", "labels", "dim", "name"),
                  dict(labels=labels, logits=logits, dim=dim, name=name))
    return tf.nn.softmax_cross_entropy_with_logits(
        labels=tf.stop_gradient(c["labels"]), logits=c["logits"],
        axis=next((a for a in (axis, c["dim"]) if a is not None), -1), name=c["name"])


def sparse_softmax_cross_entropy_with_logits(*args, labels=None, logits=None, name=None,
                                             _sentinel=None):
    """Sparse softmax cross entropy, also by position (logits, labels) as before 1.0."""
    c = _old_call("sparse_softmax_cross_entropy_with_logits", args, ("logits", "labels", "name"),
                  dict(labels=labels, logits=logits, name=name))
    return tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=c["labels"], logits=c["logits"], name=c["name"])


def sigmoid_cross_entropy_with_logits(*args, labels=None, logits=None, name=None, targets=None,
                                      _sentinel=None):
    """Sigmoid cross entropy, also by position (logits, targets) as before 1.0."""
    c = _old_call("sigmoid_cross_entropy_with_logits", args, ("logits", "targets", "name"),
                  dict(labels=labels, logits=logits, name=name, targets=targets))
    return tf.nn.sigmoid_cross_entropy_with_logits(
        labels=c["labels"], logits=c["logits"], name=c["name"])


def weighted_cross_entropy_with_logits(*args, labels=None, logits=None, pos_weight=None,
                                       name=None, targets=None):
    """Weighted sigmoid cross entropy, also by position (logits, targets, pos_weight) as before 1.0."""
    c = _old_call("weighted_cross_entropy_with_logits", args,
                  ("logits", "targets", "pos_weight", "name"),
                  dict(labels=labels, logits=logits, pos_weight=pos_weight, name=name,
                       targets=targets))
    if c["pos_weight"] is None:
        raise LegacyError("tf.nn.weighted_cross_entropy_with_logits needs pos_weight.")
    return tf.nn.weighted_cross_entropy_with_logits(
        labels=c["labels"], logits=c["logits"], pos_weight=c["pos_weight"], name=c["name"])


def dropout(x, keep_prob=None, noise_shape=None, seed=None, name=None, rate=None):
    """tf.nn.dropout whose second argument is the probability to KEEP a unit, as before 2.0."""
    if (keep_prob is None) == (rate is None):
        raise LegacyError("tf.nn.dropout needs either keep_prob (the old second argument) or "
                          "rate= (the probability to drop a unit, 1 - keep_prob), not both.")
    if keep_prob is not None:
        note_rename("tf.nn.dropout(x, keep_prob)", "tf.nn.dropout(x, rate=1 - keep_prob)", "2.0")
        rate = 1 - keep_prob
    return tf.nn.dropout(x, rate=rate, noise_shape=noise_shape, seed=seed, name=name)


def _integer(value):
    """True when ``value`` converts to a tensor of integers (class ids, as labels are)."""
    return tf.convert_to_tensor(value).dtype.is_integer


def _labels_and_inputs(function, weights, labels, inputs):
    """(labels, inputs) of a sampled loss, swapped back when the call used 0.x's (inputs, labels) order.

    Before TensorFlow 1.0 the third argument was ``inputs`` (float activations of
    the embedding's width) and the fourth ``labels`` (integer class ids, one
    column per true class). An integer third argument with a float fourth, or,
    for float labels, a third argument as wide as the weights and a fourth of
    one column, is the old order.
    """
    if labels is None or inputs is None:
        raise LegacyError(f"tf.nn.{function} needs labels and inputs.")
    labels, inputs = tf.convert_to_tensor(labels), tf.convert_to_tensor(inputs)
    old = not labels.dtype.is_integer and inputs.dtype.is_integer
    if not old and not labels.dtype.is_integer and not inputs.dtype.is_integer:
        width = tf.compat.dimension_value(tf.convert_to_tensor(weights).shape[-1]) \
            if not isinstance(weights, (list, tuple)) else None
        last = [tf.compat.dimension_value(t.shape[-1]) if t.shape.rank else None
                for t in (labels, inputs)]
        old = width is not None and last[0] == width and last[1] == 1 and width != 1
    if old:
        note_rename(f"tf.nn.{function}(weights, biases, inputs, labels)",
                    f"tf.nn.{function}(weights, biases, labels, inputs)", "1.0")
        return inputs, labels
    return labels, inputs


def nce_loss(weights, biases, labels=None, inputs=None, *args, **kwargs):
    """tf.nn.nce_loss, also with 0.x's (weights, biases, inputs, labels) order, told apart by dtype and shape."""
    labels, inputs = _labels_and_inputs("nce_loss", weights, labels, inputs)
    return v1.nn.nce_loss(weights, biases, labels, inputs, *args, **kwargs)


def sampled_softmax_loss(weights, biases, labels=None, inputs=None, *args, **kwargs):
    """tf.nn.sampled_softmax_loss, also with 0.x's (weights, biases, inputs, labels) order."""
    labels, inputs = _labels_and_inputs("sampled_softmax_loss", weights, labels, inputs)
    return v1.nn.sampled_softmax_loss(weights, biases, labels, inputs, *args, **kwargs)


NN = Namespace(
    "tf.nn", fallback=v1.nn, modern=tf.nn,
    members={
        "softmax_cross_entropy_with_logits": softmax_cross_entropy_with_logits,
        "sparse_softmax_cross_entropy_with_logits": sparse_softmax_cross_entropy_with_logits,
        "sigmoid_cross_entropy_with_logits": sigmoid_cross_entropy_with_logits,
        "weighted_cross_entropy_with_logits": weighted_cross_entropy_with_logits,
        "dropout": dropout,
        "nce_loss": nce_loss,
        "sampled_softmax_loss": sampled_softmax_loss,
        "rnn_cell": RNN["rnn_cell"],
        **RNN["nn"],
    },
    renames={
        **RNN.get("nn_renames", {}),
        "seq2seq": (LEGACY_SEQ2SEQ, "tf.contrib.legacy_seq2seq", "1.0"),
        "softmax_cross_entropy_with_logits_v2": (
            tf.nn.softmax_cross_entropy_with_logits,
            "tf.nn.softmax_cross_entropy_with_logits", "2.0"),
    },
    refused={
        **RNN["nn_refused"],
    },
    refusal=f"TensorFlow {VERSION}'s tf.compat.v1.nn has no such name, nor has tfgraph.legacy. "
            "Check the spelling.")
