"""`tf.layers` and `tf.contrib.layers` pieces rebuilt from `get_variable` and raw ops (no Keras).

TensorFlow 1.x's layers were Keras layers underneath, which Keras 3 no longer offers
to graph code. The common ones are simple enough to rebuild faithfully: the same
variables (`dense/kernel`, `fully_connected/weights`, ...) with the same default
initializers, and the same ops. Only channels-last (NHWC) images are supported.
"""
import math
import numbers
from typing import NamedTuple

import tensorflow as tf

from tfgraph.legacy._core import LegacyError

v1 = tf.compat.v1


class _Variables(NamedTuple):
    """How a layer makes its weights: names, initializers (bias None: no bias), regularizers, ..."""

    kernel_name: str
    bias_name: str
    kernel_initializer: object
    bias_initializer: object
    kernel_regularizer: object = None
    bias_regularizer: object = None
    kernel_constraint: object = None
    bias_constraint: object = None
    trainable: bool = True
    collections: object = None


def _make_variables(spec, kernel_shape, dtype):
    """The kernel and the bias (or None) of a layer, in the current variable scope."""
    def make(name, shape, initializer, regularizer, constraint):
        variable = v1.get_variable(name, shape, dtype=dtype, initializer=initializer,
                                   regularizer=regularizer, constraint=constraint,
                                   trainable=spec.trainable)
        if spec.collections:
            v1.add_to_collections(spec.collections, variable)
        return variable

    kernel = make(spec.kernel_name, kernel_shape, spec.kernel_initializer,
                  spec.kernel_regularizer, spec.kernel_constraint)
    bias = None
    if spec.bias_initializer is not None:
        bias = make(spec.bias_name, kernel_shape[-1:], spec.bias_initializer,
                    spec.bias_regularizer, spec.bias_constraint)
    return kernel, bias


def _finish(outputs, bias, activation, normalizer=None, activity_regularizer=None,
            outputs_collections=None):
    """Add the bias (or normalize), apply the activation, record regularization and outputs."""
    if normalizer is not None:
        outputs = normalizer(outputs)
    elif bias is not None:
        outputs = tf.nn.bias_add(outputs, bias)
    if activation is not None:
        outputs = activation(outputs)
    if activity_regularizer is not None:
        v1.add_to_collection(v1.GraphKeys.REGULARIZATION_LOSSES, activity_regularizer(outputs))
    if outputs_collections:
        v1.add_to_collections(outputs_collections, outputs)
    return outputs


def _input(inputs, what, rank=None):
    """``inputs`` as a tensor whose last dimension is known (and of ``rank``, if given)."""
    inputs = tf.convert_to_tensor(inputs)
    shape = inputs.shape
    if shape.rank is None or (rank is not None and shape.rank != rank):
        raise LegacyError(
            f"{what} needs an input of {rank or 'known'} dimensions, got shape {shape}. "
            f"Give the placeholder its full shape, e.g. [None, 28, 28, 1] for images.")
    if tf.compat.dimension_value(shape[-1]) is None:
        raise LegacyError(
            f"{what} needs its input's last dimension known when the graph is built, got shape "
            f"{shape}. Give the placeholder its full shape, e.g. [None, 784].")
    return inputs


def _pair(value, argument, what):
    """An int or a pair of ints as a pair."""
    pair = (value, value) if isinstance(value, numbers.Integral) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, numbers.Integral) and v > 0 for v in pair):
        raise LegacyError(f"{what}'s {argument} must be a positive whole number or a pair of "
                          f"them, got {value!r}.")
    return pair


def _padding(padding, what):
    if str(padding).upper() not in ("SAME", "VALID"):
        raise LegacyError(f"{what}'s padding must be 'same' or 'valid', got {padding!r}.")
    return str(padding).upper()


def _check_channels_last(data_format, what):
    if data_format not in (None, "channels_last", "NHWC"):
        raise LegacyError(
            f"{what} with data_format={data_format!r} is not supported: tfgraph.legacy builds "
            f"channels-last (NHWC) layers only, the only layout TensorFlow convolves on a CPU. "
            f"Transpose the images to (batch, height, width, channels).")


def _affine(inputs, units, spec, scope, default_scope, reuse, activation, what,
            normalizer=None, activity_regularizer=None, outputs_collections=None):
    """inputs @ kernel + bias over the last axis, in variable scope ``scope``."""
    inputs = _input(inputs, what)
    depth = tf.compat.dimension_value(inputs.shape[-1])
    with v1.variable_scope(scope, default_name=default_scope, values=[inputs], reuse=reuse):
        kernel, bias = _make_variables(spec, [depth, units], inputs.dtype.base_dtype)
        if inputs.shape.rank > 2:
            outputs = tf.tensordot(inputs, kernel, [[inputs.shape.rank - 1], [0]])
        else:
            outputs = tf.matmul(inputs, kernel)
        return _finish(outputs, bias, activation, normalizer, activity_regularizer,
                       outputs_collections)


def _convolution(inputs, filters, kernel_size, strides, padding, dilation_rate, spec, scope,
                 default_scope, reuse, activation, what, normalizer=None,
                 activity_regularizer=None, outputs_collections=None):
    """A 2-D convolution with a bias, in variable scope ``scope``."""
    inputs = _input(inputs, what, rank=4)
    height, width = _pair(kernel_size, "kernel_size", what)
    stride = _pair(strides, "strides", what)
    dilation = _pair(dilation_rate, "dilation_rate", what)
    channels = tf.compat.dimension_value(inputs.shape[-1])
    with v1.variable_scope(scope, default_name=default_scope, values=[inputs], reuse=reuse):
        kernel, bias = _make_variables(spec, [height, width, channels, filters],
                                       inputs.dtype.base_dtype)
        outputs = tf.nn.conv2d(inputs, kernel, strides=[1, *stride, 1],
                               padding=_padding(padding, what), dilations=[1, *dilation, 1])
        return _finish(outputs, bias, activation, normalizer, activity_regularizer,
                       outputs_collections)


def _pool(pool, inputs, pool_size, strides, padding, scope, default_scope, what,
          outputs_collections=None):
    """Max or average pooling over height and width."""
    inputs = _input(inputs, what, rank=4)
    with v1.name_scope(scope, default_scope, [inputs]) as name:
        outputs = pool(inputs, ksize=[1, *_pair(pool_size, "pool_size", what), 1],
                       strides=[1, *_pair(strides, "strides", what), 1],
                       padding=_padding(padding, what), name=name)
    return _finish(outputs, None, None, outputs_collections=outputs_collections)


def _flatten(inputs, scope, default_scope):
    """Reshape to (batch, everything else), keeping the static size when it is known."""
    inputs = tf.convert_to_tensor(inputs)
    if inputs.shape.rank is None or inputs.shape.rank < 2:
        raise LegacyError(f"flatten needs an input of at least 2 dimensions, got shape "
                          f"{inputs.shape}.")
    with v1.name_scope(scope, default_scope, [inputs]):
        rest = inputs.shape.as_list()[1:]
        if None in rest:
            return tf.reshape(inputs, [tf.shape(inputs)[0], -1])
        return tf.reshape(inputs, [-1, math.prod(rest)])


def _dropout(inputs, rate, noise_shape, seed, training, scope, default_scope):
    """Dropout of ``rate`` while ``training`` (a bool or a boolean tensor), else the identity."""
    inputs = tf.convert_to_tensor(inputs)
    with v1.name_scope(scope, default_scope, [inputs]):
        def dropped():
            return tf.nn.dropout(inputs, rate=rate, noise_shape=noise_shape, seed=seed)
        if isinstance(training, bool):
            return dropped() if training else tf.identity(inputs)
        return tf.cond(tf.cast(training, tf.bool), dropped, lambda: tf.identity(inputs))


# --------------------------------------------------------------------------
# tf.layers (TensorFlow 1.x)
# --------------------------------------------------------------------------

def dense(inputs, units, activation=None, use_bias=True, kernel_initializer=None,
          bias_initializer=v1.zeros_initializer(), kernel_regularizer=None,
          bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
          bias_constraint=None, trainable=True, name=None, reuse=None):
    """tf.layers.dense: a fully connected layer with variables dense/kernel and dense/bias."""
    spec = _Variables("kernel", "bias", kernel_initializer,
                      (bias_initializer or v1.zeros_initializer()) if use_bias else None,
                      kernel_regularizer, bias_regularizer, kernel_constraint, bias_constraint,
                      trainable)
    return _affine(inputs, units, spec, name, "dense", reuse, activation, "tf.layers.dense",
                   activity_regularizer=activity_regularizer)


def conv2d(inputs, filters, kernel_size, strides=(1, 1), padding="valid",
           data_format="channels_last", dilation_rate=(1, 1), activation=None, use_bias=True,
           kernel_initializer=None, bias_initializer=v1.zeros_initializer(),
           kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
           kernel_constraint=None, bias_constraint=None, trainable=True, name=None, reuse=None):
    """tf.layers.conv2d: a 2-D convolution with variables conv2d/kernel and conv2d/bias."""
    _check_channels_last(data_format, "tf.layers.conv2d")
    spec = _Variables("kernel", "bias", kernel_initializer,
                      (bias_initializer or v1.zeros_initializer()) if use_bias else None,
                      kernel_regularizer, bias_regularizer, kernel_constraint, bias_constraint,
                      trainable)
    return _convolution(inputs, filters, kernel_size, strides, padding, dilation_rate, spec, name,
                        "conv2d", reuse, activation, "tf.layers.conv2d",
                        activity_regularizer=activity_regularizer)


def max_pooling2d(inputs, pool_size, strides, padding="valid", data_format="channels_last",
                  name=None):
    """tf.layers.max_pooling2d: max pooling over height and width."""
    _check_channels_last(data_format, "tf.layers.max_pooling2d")
    return _pool(tf.nn.max_pool2d, inputs, pool_size, strides, padding, name, "max_pooling2d",
                 "tf.layers.max_pooling2d")


def average_pooling2d(inputs, pool_size, strides, padding="valid",
                      data_format="channels_last", name=None):
    """tf.layers.average_pooling2d: average pooling over height and width."""
    _check_channels_last(data_format, "tf.layers.average_pooling2d")
    return _pool(tf.nn.avg_pool2d, inputs, pool_size, strides, padding, name,
                 "average_pooling2d", "tf.layers.average_pooling2d")


def dropout(inputs, rate=0.5, noise_shape=None, seed=None, training=False, name=None):
    """tf.layers.dropout: drops a fraction ``rate`` of units, only when ``training`` is true."""
    return _dropout(inputs, rate, noise_shape, seed, training, name, "dropout")


def flatten(inputs, name=None, data_format="channels_last"):
    """tf.layers.flatten: reshape to (batch, all other dimensions)."""
    _check_channels_last(data_format, "tf.layers.flatten")
    return _flatten(inputs, name, "flatten")


# --------------------------------------------------------------------------
# tf.contrib.layers (TensorFlow 0.x/1.x)
# --------------------------------------------------------------------------

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


def max_pool2d(inputs, kernel_size, stride=2, padding="VALID", data_format="NHWC",
               outputs_collections=None, scope=None):
    """tf.contrib.layers.max_pool2d: max pooling ('VALID', stride 2 by default)."""
    _check_channels_last(data_format, "tf.contrib.layers.max_pool2d")
    return _pool(tf.nn.max_pool2d, inputs, kernel_size, stride, padding, scope, "MaxPool2D",
                 "tf.contrib.layers.max_pool2d", outputs_collections)


def avg_pool2d(inputs, kernel_size, stride=2, padding="VALID", data_format="NHWC",
               outputs_collections=None, scope=None):
    """tf.contrib.layers.avg_pool2d: average pooling ('VALID', stride 2 by default)."""
    _check_channels_last(data_format, "tf.contrib.layers.avg_pool2d")
    return _pool(tf.nn.avg_pool2d, inputs, kernel_size, stride, padding, scope, "AvgPool2D",
                 "tf.contrib.layers.avg_pool2d", outputs_collections)


def contrib_dropout(inputs, keep_prob=0.5, noise_shape=None, is_training=True,
                    outputs_collections=None, scope=None, seed=None):
    """tf.contrib.layers.dropout: keeps each unit with probability ``keep_prob`` while training."""
    outputs = _dropout(inputs, 1 - keep_prob, noise_shape, seed, is_training, scope, "Dropout")
    return _finish(outputs, None, None, outputs_collections=outputs_collections)


def contrib_flatten(inputs, outputs_collections=None, scope=None):
    """tf.contrib.layers.flatten: reshape to (batch, all other dimensions)."""
    return _finish(_flatten(inputs, scope, "Flatten"), None, None,
                   outputs_collections=outputs_collections)
