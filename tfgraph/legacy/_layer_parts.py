"""The pieces `tf.layers` and `tf.contrib.layers` are built from: variables, affine maps, pools.

TensorFlow 1.x's layers were Keras layers underneath, which Keras 3 no longer offers
to graph code. The common ones are simple enough to rebuild faithfully from
`get_variable` and raw ops: the same variables (`dense/kernel`,
`fully_connected/weights`, ...) with the same default initializers, and the same
ops. Only channels-last (NHWC) images are supported.
"""
import math
import numbers
from typing import NamedTuple

import tensorflow as tf

from tfgraph.legacy._notes import LegacyError

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


def _batch_norm(inputs, axis, momentum, epsilon, center, scale, initializers, regularizers,
                training, trainable, scope, default_scope, reuse, updates_collections,
                variables_collections=None):
    """Batch normalization over every axis but ``axis``, with moving averages of the batch statistics.

    While ``training`` (a bool or a boolean tensor), the batch's mean and (biased)
    variance normalize, and each moving average moves toward them by ``1 - momentum``;
    otherwise the moving averages normalize. The updates go to ``updates_collections``
    (to be run with the train op), or, when it is None, run with the output itself.
    """
    rank = inputs.shape.rank
    axis = axis % rank
    depth = tf.compat.dimension_value(inputs.shape[axis])
    dtype = inputs.dtype.base_dtype
    with v1.variable_scope(scope, default_name=default_scope, values=[inputs], reuse=reuse):
        def variable(name, train=trainable):
            made = v1.get_variable(name, [depth], dtype=dtype, initializer=initializers[name],
                                   regularizer=regularizers.get(name), trainable=train)
            wanted = variables_collections
            wanted = wanted.get(name) if isinstance(wanted, dict) else wanted
            if wanted:
                v1.add_to_collections(wanted, made)
            return made
        gamma = variable("gamma") if scale else None
        beta = variable("beta") if center else None
        moving_mean = variable("moving_mean", train=False)
        moving_variance = variable("moving_variance", train=False)
        mean, variance = tf.nn.moments(inputs, [i for i in range(rank) if i != axis])
        updates = []
        if isinstance(training, bool) and not training:
            mean, variance = moving_mean, moving_variance
        else:
            is_training = tf.cast(training, dtype)
            updates = [v1.assign_sub(moving, (moving - batch) * (1 - momentum) * is_training)
                       for moving, batch in ((moving_mean, mean), (moving_variance, variance))]
            for update in updates if updates_collections is not None else ():
                v1.add_to_collections(updates_collections, update)
            if not isinstance(training, bool):
                pick = tf.cast(training, tf.bool)
                mean = tf.where(pick, mean, moving_mean)
                variance = tf.where(pick, variance, moving_variance)
        shape = [depth if i == axis else 1 for i in range(rank)]
        def reshaped(v):
            return None if v is None else tf.reshape(v, shape)
        with tf.control_dependencies(updates if updates_collections is None else []):
            return tf.nn.batch_normalization(inputs, reshaped(mean), reshaped(variance),
                                             reshaped(beta), reshaped(gamma), epsilon)
