"""`tf.contrib.seq2seq`: its table of names and `sequence_loss`; its decoders are refused.

Character-level RNN course scripts computed their loss with ``sequence_loss(logits,
targets, weights)`` right after ``dynamic_rnn``: the cross entropy at each step,
weighted, then averaged over the time steps, the batch, both, or neither.
"""
import tensorflow as tf

from tfgraph.legacy._namespace import Namespace
from tfgraph.legacy._notes import LegacyError

VERSION = tf.__version__


def _per_entry(logits, targets, softmax_loss_function):
    """The cross entropy of each (batch, step) entry, flattened to (batch * steps,)."""
    classes = tf.shape(logits)[2]
    flat_logits = tf.reshape(logits, [-1, classes])
    flat_targets = tf.reshape(targets, [-1])
    if softmax_loss_function is None:
        return tf.nn.sparse_softmax_cross_entropy_with_logits(labels=flat_targets,
                                                              logits=flat_logits)
    return softmax_loss_function(labels=flat_targets, logits=flat_logits)


def _reduce(losses, weights, axis, average):
    """Weighted average (sum of losses / sum of weights) or sum per nonzero weight, over ``axis``.

    An axis whose weights are all 0 gives 0, not NaN.
    """
    total = tf.reduce_sum(losses, axis=axis)
    if average:
        return tf.math.divide_no_nan(total, tf.reduce_sum(weights, axis=axis))
    return tf.math.divide_no_nan(total, tf.cast(tf.math.count_nonzero(weights, axis=axis),
                                                total.dtype))


def sequence_loss(logits, targets, weights, average_across_timesteps=True,
                  average_across_batch=True, sum_over_timesteps=False, sum_over_batch=False,
                  softmax_loss_function=None, name=None):
    """tf.contrib.seq2seq.sequence_loss: weighted cross entropy of (batch, steps, classes) logits.

    Averaged over the steps, the batch or both (the sum of the weighted losses over
    the sum of the weights), or summed over them and divided by the number of nonzero
    weights (``sum_over_*``, TensorFlow 1.8); with neither, the (batch, steps) losses
    times their weights. ``softmax_loss_function(labels=..., logits=...)`` replaces the
    sparse softmax cross entropy.
    """
    if (average_across_timesteps and sum_over_timesteps) or (average_across_batch and
                                                             sum_over_batch):
        raise LegacyError("sequence_loss can average or sum over an axis, not both: set "
                          "average_across_timesteps=False to use sum_over_timesteps (and "
                          "average_across_batch=False for sum_over_batch).")
    with tf.name_scope(name or "sequence_loss"):
        logits = tf.convert_to_tensor(logits)
        if logits.shape.rank != 3:
            raise LegacyError(f"sequence_loss needs logits of shape (batch, steps, classes), got "
                              f"{logits.shape}.")
        weights = tf.convert_to_tensor(weights, dtype=logits.dtype)
        losses = _per_entry(logits, targets, softmax_loss_function) * tf.reshape(weights, [-1])
        if average_across_timesteps and average_across_batch:
            return _reduce(losses, weights, None, average=True)
        if sum_over_timesteps and sum_over_batch:
            return _reduce(losses, weights, None, average=False)
        losses = tf.reshape(losses, tf.shape(logits)[:2])
        if average_across_timesteps or average_across_batch:
            return _reduce(losses, weights, 0 if average_across_batch else 1, average=True)
        if sum_over_timesteps or sum_over_batch:
            return _reduce(losses, weights, 0 if sum_over_batch else 1, average=False)
        return losses


SEQ2SEQ = Namespace(
    "tf.contrib.seq2seq",
    renames={"sequence_loss": (sequence_loss, "tfa.seq2seq.sequence_loss (TensorFlow Addons), or "
                                              "tf.keras.losses.SparseCategoricalCrossentropy "
                                              "with sample weights", "2.0")},
    refusal=f"TensorFlow 1.x's seq2seq decoders (BasicDecoder, dynamic_decode, the attention "
            f"mechanisms, BeamSearchDecoder) are not in TensorFlow {VERSION}, and tfgraph.legacy "
            f"provides only sequence_loss. In TensorFlow 2, write the decoder as a loop over "
            f"tf.keras.layers.LSTMCell steps, with tf.keras.layers.Attention for attention.")
