"""`tf.contrib.legacy_seq2seq` (TensorFlow 0.x's `tf.nn.seq2seq`): its table, losses and basic models.

Lists of per-step tensors in and out, as in 0.x's translation tutorial and the
char-rnn ports of the time: ``rnn_decoder`` (with a ``loop_function`` feeding each
output back in), ``basic_rnn_seq2seq``, ``tied_rnn_seq2seq``, ``embedding_rnn_decoder``,
``embedding_rnn_seq2seq``, and the losses ``sequence_loss_by_example`` and
``sequence_loss``. Variables are named as in TensorFlow 1.x
(``embedding_rnn_seq2seq/rnn/embedding_wrapper/embedding``, ...).
"""
import copy

import tensorflow as tf

from tfgraph.legacy._namespace import Namespace
from tfgraph.legacy._notes import LegacyError, unsupported
from tfgraph.legacy._rnn import RNN

v1 = tf.compat.v1
VERSION = tf.__version__


def _rnn(name):
    """static_rnn or a cell wrapper of TensorFlow 1.x, or the refusal when TensorFlow lost them."""
    if RNN["dropped"]:
        raise unsupported("tf.contrib.legacy_seq2seq", RNN["dropped"])
    return RNN["parts"][name]


def rnn_decoder(decoder_inputs, initial_state, cell, loop_function=None, scope=None):
    """The decoder of 0.x's seq2seq: ``cell`` over ``decoder_inputs`` from ``initial_state``.

    With ``loop_function(prev_output, i)``, each step after the first reads that
    instead of its decoder input (greedy decoding). Returns (outputs, final state).
    """
    with v1.variable_scope(scope or "rnn_decoder"):
        state, outputs, previous = initial_state, [], None
        for i, step_input in enumerate(decoder_inputs):
            if loop_function is not None and previous is not None:
                with v1.variable_scope("loop_function", reuse=True):
                    step_input = loop_function(previous, i)
            if i > 0:
                v1.get_variable_scope().reuse_variables()
            output, state = cell(step_input, state)
            outputs.append(output)
            if loop_function is not None:
                previous = output
        return outputs, state


def basic_rnn_seq2seq(encoder_inputs, decoder_inputs, cell, dtype=tf.float32, scope=None):
    """Encode with a copy of ``cell``, decode with ``cell`` from the encoder's final state."""
    with v1.variable_scope(scope or "basic_rnn_seq2seq"):
        _, state = _rnn("static_rnn")(copy.deepcopy(cell), encoder_inputs, dtype=dtype)
        return rnn_decoder(decoder_inputs, state, cell)


def tied_rnn_seq2seq(encoder_inputs, decoder_inputs, cell, loop_function=None, dtype=tf.float32,
                     scope=None):
    """basic_rnn_seq2seq with one set of weights for the encoder and the decoder."""
    with v1.variable_scope("combined_tied_rnn_seq2seq"):
        scope = scope or "tied_rnn_seq2seq"
        _, state = _rnn("static_rnn")(cell, encoder_inputs, dtype=dtype, scope=scope)
        v1.get_variable_scope().reuse_variables()
        return rnn_decoder(decoder_inputs, state, cell, loop_function=loop_function, scope=scope)


def _argmax_and_embed(embedding, output_projection, update_embedding):
    """A loop_function feeding back the embedding of the previous step's most likely symbol."""
    def loop_function(previous, _):
        if output_projection is not None:
            previous = tf.compat.v1.nn.xw_plus_b(previous, *output_projection)
        embedded = tf.nn.embedding_lookup(embedding, tf.argmax(previous, 1))
        return embedded if update_embedding else tf.stop_gradient(embedded)
    return loop_function


def embedding_rnn_decoder(decoder_inputs, initial_state, cell, num_symbols, embedding_size,
                          output_projection=None, feed_previous=False,
                          update_embedding_for_previous=True, scope=None):
    """rnn_decoder on embedded integer inputs; with ``feed_previous``, greedy decoding."""
    with v1.variable_scope(scope or "embedding_rnn_decoder"):
        embedding = v1.get_variable("embedding", [num_symbols, embedding_size])
        loop_function = _argmax_and_embed(embedding, output_projection,
                                          update_embedding_for_previous) if feed_previous else None
        embedded = [tf.nn.embedding_lookup(embedding, i) for i in decoder_inputs]
        return rnn_decoder(embedded, initial_state, cell, loop_function=loop_function)


def embedding_rnn_seq2seq(encoder_inputs, decoder_inputs, cell, num_encoder_symbols,
                          num_decoder_symbols, embedding_size, output_projection=None,
                          feed_previous=False, dtype=None, scope=None):
    """Embed and encode the integer encoder inputs, then embedding_rnn_decoder (logits out)."""
    if not isinstance(feed_previous, bool):
        raise LegacyError("embedding_rnn_seq2seq(feed_previous=<tensor>) is not supported by "
                          "tfgraph.legacy: build the graph twice, with feed_previous=False for "
                          "training and True for decoding, sharing variables (reuse=True).")
    with v1.variable_scope(scope or "embedding_rnn_seq2seq") as outer:
        encoder_cell = _rnn("EmbeddingWrapper")(copy.deepcopy(cell), num_encoder_symbols,
                                                embedding_size)
        _, state = _rnn("static_rnn")(encoder_cell, encoder_inputs, dtype=dtype or outer.dtype)
        if output_projection is None:
            cell = _rnn("OutputProjectionWrapper")(cell, num_decoder_symbols)
        return embedding_rnn_decoder(decoder_inputs, state, cell, num_decoder_symbols,
                                     embedding_size, output_projection=output_projection,
                                     feed_previous=feed_previous)


def sequence_loss_by_example(logits, targets, weights, average_across_timesteps=True,
                             softmax_loss_function=None, name=None):
    """Per example: the weighted cross entropy summed over steps (lists of per-step tensors)."""
    if not len(logits) == len(targets) == len(weights):
        raise LegacyError(f"sequence_loss_by_example needs as many logits, targets and weights "
                          f"(one per step), got {len(logits)}, {len(targets)} and "
                          f"{len(weights)}.")
    with tf.name_scope(name or "sequence_loss_by_example"):
        losses = []
        for logit, target, weight in zip(logits, targets, weights):
            if softmax_loss_function is None:
                loss = tf.nn.sparse_softmax_cross_entropy_with_logits(
                    labels=tf.reshape(target, [-1]), logits=logit)
            else:
                loss = softmax_loss_function(labels=target, logits=logit)
            losses.append(loss * weight)
        total = tf.add_n(losses)
        if average_across_timesteps:
            total /= tf.add_n(weights) + 1e-12
        return total


def sequence_loss(logits, targets, weights, average_across_timesteps=True,
                  average_across_batch=True, softmax_loss_function=None, name=None):
    """sequence_loss_by_example summed over the batch, divided by the batch size if averaging."""
    with tf.name_scope(name or "sequence_loss"):
        cost = tf.reduce_sum(sequence_loss_by_example(
            logits, targets, weights, average_across_timesteps=average_across_timesteps,
            softmax_loss_function=softmax_loss_function))
        if average_across_batch:
            return cost / tf.cast(tf.shape(targets[0])[0], cost.dtype)
        return cost


_MODERN = "a loop over tf.keras.layers.LSTMCell steps (tf.keras.layers.RNN for the encoder)"
_LOSS = "tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True) with sample weights"

LEGACY_SEQ2SEQ = Namespace(
    "tf.contrib.legacy_seq2seq",
    renames={
        "rnn_decoder": (rnn_decoder, _MODERN, "2.0"),
        "basic_rnn_seq2seq": (basic_rnn_seq2seq, _MODERN, "2.0"),
        "tied_rnn_seq2seq": (tied_rnn_seq2seq, _MODERN, "2.0"),
        "embedding_rnn_decoder": (embedding_rnn_decoder, _MODERN, "2.0"),
        "embedding_rnn_seq2seq": (embedding_rnn_seq2seq, _MODERN, "2.0"),
        "sequence_loss_by_example": (sequence_loss_by_example, _LOSS, "2.0"),
        "sequence_loss": (sequence_loss, _LOSS, "2.0"),
    },
    refusal=f"tfgraph.legacy provides legacy_seq2seq's rnn_decoder, basic_rnn_seq2seq, "
            f"tied_rnn_seq2seq, embedding_rnn_decoder, embedding_rnn_seq2seq and its two losses; "
            f"the attention decoders, model_with_buckets and the one-to-many models are not in "
            f"TensorFlow {VERSION}. In TensorFlow 2, write them with tf.keras.layers.LSTMCell and "
            f"tf.keras.layers.Attention.")
