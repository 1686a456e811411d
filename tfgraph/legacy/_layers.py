"""`tf.layers`: its table of names, and TensorFlow 1.x's layers rebuilt from `get_variable` and raw ops.

Variables are named as TensorFlow 1.x named them (`dense/kernel`, `conv2d/bias`,
`batch_normalization/moving_mean`, ...), so checkpoints of the time still load.
"""
import tensorflow as tf

from tfgraph.legacy._layer_parts import (
    _Variables, _affine, _batch_norm, _check_channels_last, _convolution, _dropout, _finish,
    _flatten, _input, _pair, _padding, _pool)
from tfgraph.legacy._namespace import Namespace
from tfgraph.legacy._notes import LegacyError

v1 = tf.compat.v1


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


def conv2d_transpose(inputs, filters, kernel_size, strides=(1, 1), padding="valid",
                     data_format="channels_last", activation=None, use_bias=True,
                     kernel_initializer=None, bias_initializer=v1.zeros_initializer(),
                     kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                     kernel_constraint=None, bias_constraint=None, trainable=True, name=None,
                     reuse=None):
    """tf.layers.conv2d_transpose: a transposed convolution, variables conv2d_transpose/kernel and /bias."""
    what = "tf.layers.conv2d_transpose"
    _check_channels_last(data_format, what)
    inputs = _input(inputs, what, rank=4)
    height, width = _pair(kernel_size, "kernel_size", what)
    stride = _pair(strides, "strides", what)
    padding = _padding(padding, what)
    spec = _Variables("kernel", "bias", kernel_initializer,
                      (bias_initializer or v1.zeros_initializer()) if use_bias else None,
                      kernel_regularizer, bias_regularizer, kernel_constraint, bias_constraint,
                      trainable)
    channels = tf.compat.dimension_value(inputs.shape[-1])
    with v1.variable_scope(name, default_name="conv2d_transpose", values=[inputs], reuse=reuse):
        kernel = _make_kernel(spec, [height, width, filters, channels], inputs.dtype.base_dtype)
        bias = None if spec.bias_initializer is None else _make_kernel(
            spec._replace(kernel_name=spec.bias_name, kernel_initializer=spec.bias_initializer,
                          kernel_regularizer=spec.bias_regularizer,
                          kernel_constraint=spec.bias_constraint), [filters],
            inputs.dtype.base_dtype)
        size = tf.shape(inputs)
        out_hw = [_transposed_length(size[i + 1], inputs.shape[i + 1], k, s, padding)
                  for i, (k, s) in enumerate(zip((height, width), stride))]
        outputs = tf.nn.conv2d_transpose(
            inputs, kernel, tf.stack([size[0], out_hw[0][0], out_hw[1][0], filters]),
            strides=[1, *stride, 1], padding=padding)
        outputs.set_shape([inputs.shape[0], out_hw[0][1], out_hw[1][1], filters])
        return _finish(outputs, bias, activation, activity_regularizer=activity_regularizer)


def _make_kernel(spec, shape, dtype):
    """One variable of ``spec`` (its kernel fields), in the current variable scope."""
    return v1.get_variable(spec.kernel_name, shape, dtype=dtype,
                           initializer=spec.kernel_initializer,
                           regularizer=spec.kernel_regularizer,
                           constraint=spec.kernel_constraint, trainable=spec.trainable)


def _transposed_length(dynamic, static, kernel, stride, padding):
    """(tensor, int or None): a transposed convolution's output length along one axis, as TF1 had it."""
    static = tf.compat.dimension_value(static)
    def length(n):
        return n * stride + (max(kernel - stride, 0) if padding == "VALID" else 0)
    return length(dynamic), None if static is None else length(static)


def batch_normalization(inputs, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                        beta_initializer=v1.zeros_initializer(),
                        gamma_initializer=v1.ones_initializer(),
                        moving_mean_initializer=v1.zeros_initializer(),
                        moving_variance_initializer=v1.ones_initializer(),
                        beta_regularizer=None, gamma_regularizer=None, training=False,
                        trainable=True, name=None, reuse=None, **ignored):
    """tf.layers.batch_normalization: batch statistics while training, moving averages updated in UPDATE_OPS."""
    inputs = _input(inputs, "tf.layers.batch_normalization")
    initializers = {"beta": beta_initializer, "gamma": gamma_initializer,
                    "moving_mean": moving_mean_initializer,
                    "moving_variance": moving_variance_initializer}
    regularizers = {"beta": beta_regularizer, "gamma": gamma_regularizer}
    return _batch_norm(inputs, axis, momentum, epsilon, center, scale, initializers,
                       regularizers, training, trainable, name, "batch_normalization", reuse,
                       v1.GraphKeys.UPDATE_OPS)

class Dense(tf.Module):
    """tf.layers.Dense: a fully connected layer object, its kernel and bias made on the first call.

    The object form that eager scripts (and tfe.Network) used; it also builds graphs.
    """

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer=None,
                 bias_initializer=v1.zeros_initializer(), trainable=True, name=None,
                 **others):
        super().__init__(name=name or "dense")
        unsupported = sorted(key for key, value in others.items() if value is not None)
        if unsupported:
            raise LegacyError(f"tf.layers.Dense({', '.join(unsupported)}=...) is not supported by "
                              f"tfgraph.legacy; leave it out, or use tf.keras.layers.Dense in "
                              f"TensorFlow 2 style code.")
        self.units, self.activation, self.use_bias, self.trainable = (units, activation, use_bias,
                                                                     trainable)
        self._initializers = (kernel_initializer or v1.glorot_uniform_initializer(),
                              bias_initializer or v1.zeros_initializer())
        self.kernel = self.bias = None

    def _build(self, inputs):
        depth = tf.compat.dimension_value(inputs.shape[-1])
        dtype = inputs.dtype.base_dtype
        with tf.name_scope(self.name):
            self.kernel = tf.Variable(self._initializers[0]([depth, self.units], dtype=dtype),
                                      name="kernel", trainable=self.trainable)
            if self.use_bias:
                self.bias = tf.Variable(self._initializers[1]([self.units], dtype=dtype),
                                        name="bias", trainable=self.trainable)

    def __call__(self, inputs):
        inputs = _input(inputs, "tf.layers.Dense")
        if self.kernel is None:
            self._build(inputs)
        if inputs.shape.rank > 2:
            outputs = tf.tensordot(inputs, self.kernel, [[inputs.shape.rank - 1], [0]])
        else:
            outputs = tf.matmul(inputs, self.kernel)
        return _finish(outputs, self.bias, self.activation)


KERAS_LAYERS = (
    "tf.layers was a set of Keras layers, which Keras 3 no longer offers to graph code. "
    "tfgraph.legacy rebuilds dense, conv2d, conv2d_transpose, max_pooling2d, "
    "average_pooling2d, dropout, batch_normalization, flatten and the Dense class; for the "
    "others, use "
    "tf.keras.layers in TensorFlow 2 style code.")

LAYERS = Namespace(
    "tf.layers",
    renames={
        "dense": (dense, "tf.keras.layers.Dense", "2.0"),
        "Dense": (Dense, "tf.keras.layers.Dense", "2.0"),
        "conv2d": (conv2d, "tf.keras.layers.Conv2D", "2.0"),
        "max_pooling2d": (max_pooling2d, "tf.keras.layers.MaxPooling2D", "2.0"),
        "average_pooling2d": (average_pooling2d, "tf.keras.layers.AveragePooling2D", "2.0"),
        "dropout": (dropout, "tf.keras.layers.Dropout", "2.0"),
        "flatten": (flatten, "tf.keras.layers.Flatten", "2.0"),
        "conv2d_transpose": (conv2d_transpose, "tf.keras.layers.Conv2DTranspose", "2.0"),
        "batch_normalization": (batch_normalization, "tf.keras.layers.BatchNormalization",
                                "2.0"),
    },
    refusal=KERAS_LAYERS)
