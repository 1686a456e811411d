"""`tf.nn` functions whose signature changed: losses with positional (logits, labels), and dropout.

Before TensorFlow 1.0 the cross-entropy losses took ``(logits, labels)`` (or
``(logits, targets)``) by position; 1.0 made them keyword-only so the two could not
be swapped silently. Before 2.0, ``dropout``'s second argument was the probability
to KEEP a unit; today it is the rate to drop one.
"""
import tensorflow as tf

from tfgraph.legacy._core import LegacyError, note_rename


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
