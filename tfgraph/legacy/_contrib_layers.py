"""`tf.contrib.layers`: its table of names, and its layers rebuilt from `get_variable` and raw ops (no Keras).

The layers take defaults from `tf.contrib.framework.arg_scope`, as in TensorFlow 1.x.
"""
import numbers

import tensorflow as tf

from tfgraph.legacy._contrib_framework import add_arg_scope
from tfgraph.legacy._layer_parts import (
    _Variables, _affine, _batch_norm, _check_channels_last, _convolution, _dropout, _finish,
    _flatten, _input, _pool)
from tfgraph.legacy._namespace import Namespace
from tfgraph.legacy._notes import LegacyError

v1 = tf.compat.v1


def xavier_initializer(uniform=True, seed=None, dtype=tf.float32):
    """tf.contrib.layers.xavier_initializer: Glorot (Xavier) initialization, uniform or normal."""
    return v1.variance_scaling_initializer(
        scale=1.0, mode="fan_avg", distribution="uniform" if uniform else "truncated_normal",
        seed=seed)


def variance_scaling_initializer(factor=2.0, mode="FAN_IN", uniform=False, seed=None,
                                 dtype=tf.float32):
    """tf.contrib.layers.variance_scaling_initializer (He initialization by default)."""
    if str(mode).upper() not in ("FAN_IN", "FAN_OUT", "FAN_AVG"):
        raise LegacyError(f"variance_scaling_initializer's mode must be 'FAN_IN', 'FAN_OUT' or "
                          f"'FAN_AVG', got {mode!r}.")
    return v1.variance_scaling_initializer(
        scale=factor, mode=str(mode).lower(),
        distribution="uniform" if uniform else "truncated_normal", seed=seed)


def _regularizer(kind, scale, scope, penalty):
    if not isinstance(scale, numbers.Real) or scale < 0:
        raise LegacyError(f"{kind}_regularizer's scale must be a number of at least 0, got "
                          f"{scale!r}.")
    if scale == 0:
        return lambda weights: None

    def regularize(weights):
        with v1.name_scope(scope, f"{kind}_regularizer", [weights]) as name:
            return tf.multiply(tf.cast(scale, weights.dtype.base_dtype), penalty(weights),
                               name=name)
    return regularize


def l2_regularizer(scale, scope=None):
    """tf.contrib.layers.l2_regularizer: weights -> scale * sum(weights ** 2) / 2."""
    return _regularizer("l2", scale, scope, tf.nn.l2_loss)


def l1_regularizer(scale, scope=None):
    """tf.contrib.layers.l1_regularizer: weights -> scale * sum(|weights|)."""
    return _regularizer("l1", scale, scope, lambda w: tf.reduce_sum(tf.abs(w)))


def _contrib_variables(weights_initializer, weights_regularizer, biases_initializer,
                       biases_regularizer, normalizer_fn, trainable, variables_collections):
    return _Variables("weights", "biases", weights_initializer,
                      biases_initializer if normalizer_fn is None else None,
                      weights_regularizer, biases_regularizer, trainable=trainable,
                      collections=variables_collections)


def _normalizer(normalizer_fn, normalizer_params):
    if normalizer_fn is None:
        return None
    return lambda outputs: normalizer_fn(outputs, **(normalizer_params or {}))


@add_arg_scope
def fully_connected(inputs, num_outputs, activation_fn=tf.nn.relu, normalizer_fn=None,
                    normalizer_params=None, weights_initializer=None, weights_regularizer=None,
                    biases_initializer=v1.zeros_initializer(), biases_regularizer=None,
                    reuse=None, variables_collections=None, outputs_collections=None,
                    trainable=True, scope=None):
    """tf.contrib.layers.fully_connected: a dense layer (ReLU by default), fully_connected/weights."""
    spec = _contrib_variables(weights_initializer, weights_regularizer, biases_initializer,
                              biases_regularizer, normalizer_fn, trainable, variables_collections)
    return _affine(inputs, num_outputs, spec, scope, "fully_connected", reuse, activation_fn,
                   "tf.contrib.layers.fully_connected",
                   normalizer=_normalizer(normalizer_fn, normalizer_params),
                   outputs_collections=outputs_collections)


def linear(inputs, num_outputs, scope=None, **kwargs):
    """tf.contrib.layers.linear: fully_connected without an activation."""
    return fully_connected(inputs, num_outputs, activation_fn=None, scope=scope, **kwargs)


@add_arg_scope
def contrib_conv2d(inputs, num_outputs, kernel_size, stride=1, padding="SAME", data_format=None,
                   rate=1, activation_fn=tf.nn.relu, normalizer_fn=None, normalizer_params=None,
                   weights_initializer=None, weights_regularizer=None,
                   biases_initializer=v1.zeros_initializer(), biases_regularizer=None,
                   reuse=None, variables_collections=None, outputs_collections=None,
                   trainable=True, scope=None):
    """tf.contrib.layers.conv2d: a 2-D convolution (ReLU, 'SAME' by default), Conv/weights."""
    _check_channels_last(data_format, "tf.contrib.layers.conv2d")
    spec = _contrib_variables(weights_initializer, weights_regularizer, biases_initializer,
                              biases_regularizer, normalizer_fn, trainable, variables_collections)
    return _convolution(inputs, num_outputs, kernel_size, stride, padding, rate, spec, scope,
                        "Conv", reuse, activation_fn, "tf.contrib.layers.conv2d",
                        normalizer=_normalizer(normalizer_fn, normalizer_params),
                        outputs_collections=outputs_collections)


@add_arg_scope
def max_pool2d(inputs, kernel_size, stride=2, padding="VALID", data_format="NHWC",
               outputs_collections=None, scope=None):
    """tf.contrib.layers.max_pool2d: max pooling ('VALID', stride 2 by default)."""
    _check_channels_last(data_format, "tf.contrib.layers.max_pool2d")
    return _pool(tf.nn.max_pool2d, inputs, kernel_size, stride, padding, scope, "MaxPool2D",
                 "tf.contrib.layers.max_pool2d", outputs_collections)


@add_arg_scope
def avg_pool2d(inputs, kernel_size, stride=2, padding="VALID", data_format="NHWC",
               outputs_collections=None, scope=None):
    """tf.contrib.layers.avg_pool2d: average pooling ('VALID', stride 2 by default)."""
    _check_channels_last(data_format, "tf.contrib.layers.avg_pool2d")
    return _pool(tf.nn.avg_pool2d, inputs, kernel_size, stride, padding, scope, "AvgPool2D",
                 "tf.contrib.layers.avg_pool2d", outputs_collections)


@add_arg_scope
def contrib_dropout(inputs, keep_prob=0.5, noise_shape=None, is_training=True,
                    outputs_collections=None, scope=None, seed=None):
    """tf.contrib.layers.dropout: keeps each unit with probability ``keep_prob`` while training."""
    outputs = _dropout(inputs, 1 - keep_prob, noise_shape, seed, is_training, scope, "Dropout")
    return _finish(outputs, None, None, outputs_collections=outputs_collections)


@add_arg_scope
def contrib_flatten(inputs, outputs_collections=None, scope=None):
    """tf.contrib.layers.flatten: reshape to (batch, all other dimensions)."""
    return _finish(_flatten(inputs, scope, "Flatten"), None, None,
                   outputs_collections=outputs_collections)


@add_arg_scope
def batch_norm(inputs, decay=0.999, center=True, scale=False, epsilon=0.001, activation_fn=None,
               param_initializers=None, param_regularizers=None,
               updates_collections=v1.GraphKeys.UPDATE_OPS, is_training=True, reuse=None,
               variables_collections=None, outputs_collections=None, trainable=True,
               batch_weights=None, fused=None, data_format="NHWC",
               zero_debias_moving_mean=False, scope=None, renorm=False, **ignored):
    """tf.contrib.layers.batch_norm: BatchNorm/beta, moving averages updated in UPDATE_OPS or in place.

    With ``updates_collections=None`` the moving averages are updated as the output
    is computed; otherwise their update ops go to that collection (UPDATE_OPS by
    default) and must run with the train op, as in TensorFlow 1.x.
    """
    what = "tf.contrib.layers.batch_norm"
    _check_channels_last(data_format, what)
    for given, argument in ((batch_weights is not None, "batch_weights"), (renorm, "renorm"),
                            (zero_debias_moving_mean, "zero_debias_moving_mean")):
        if given:
            raise LegacyError(f"{what}({argument}=...) is not supported by tfgraph.legacy. Leave "
                              f"it out, or use tf.keras.layers.BatchNormalization in "
                              f"TensorFlow 2 style code.")
    initializers = {"beta": v1.zeros_initializer(), "gamma": v1.ones_initializer(),
                    "moving_mean": v1.zeros_initializer(),
                    "moving_variance": v1.ones_initializer(), **(param_initializers or {})}
    outputs = _batch_norm(_input(inputs, what), -1, decay, epsilon, center, scale, initializers,
                          param_regularizers or {}, is_training, trainable, scope, "BatchNorm",
                          reuse, updates_collections, variables_collections)
    return _finish(outputs, None, activation_fn, outputs_collections=outputs_collections)


CONTRIB_LAYERS = Namespace(
    "tf.contrib.layers",
    renames={
        "xavier_initializer": (xavier_initializer, "tf.keras.initializers.GlorotUniform", "2.0"),
        "xavier_initializer_conv2d": (xavier_initializer, "tf.keras.initializers.GlorotUniform",
                                      "2.0"),
        "variance_scaling_initializer": (variance_scaling_initializer,
                                         "tf.keras.initializers.VarianceScaling", "2.0"),
        "l2_regularizer": (l2_regularizer,
                           "tf.keras.regularizers.l2 (without the 1/2 of tf.nn.l2_loss)", "2.0"),
        "l1_regularizer": (l1_regularizer, "tf.keras.regularizers.l1", "2.0"),
        "fully_connected": (fully_connected, "tf.keras.layers.Dense(..., activation='relu')",
                            "2.0"),
        "linear": (linear, "tf.keras.layers.Dense", "2.0"),
        "conv2d": (contrib_conv2d,
                   "tf.keras.layers.Conv2D(..., padding='same', activation='relu')", "2.0"),
        "max_pool2d": (max_pool2d, "tf.keras.layers.MaxPooling2D", "2.0"),
        "avg_pool2d": (avg_pool2d, "tf.keras.layers.AveragePooling2D", "2.0"),
        "dropout": (contrib_dropout, "tf.keras.layers.Dropout(rate=1 - keep_prob)", "2.0"),
        "flatten": (contrib_flatten, "tf.keras.layers.Flatten", "2.0"),
        "batch_norm": (batch_norm, "tf.keras.layers.BatchNormalization(momentum=decay)", "2.0"),
    },
    refusal="tf.contrib was removed in TensorFlow 2.0. tfgraph.legacy rebuilds only the basic "
            "pieces of tf.contrib.layers (xavier_initializer, variance_scaling_initializer, "
            "l1_regularizer, l2_regularizer, fully_connected, linear, conv2d, max_pool2d, "
            "avg_pool2d, dropout, flatten, batch_norm); in TensorFlow 2, use tf.keras.layers.")
