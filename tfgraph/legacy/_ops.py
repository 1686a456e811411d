"""Top-level `tf.*` functions whose signature changed: old calls are recognised and adapted.

Each function accepts both the TensorFlow 0.x/1.x call and today's, and notes (once)
how the old call is written now.
"""
import numbers

import numpy as np
import tensorflow as tf

from tfgraph.legacy._core import LegacyError, note_rename

v1 = tf.compat.v1


def _is_axis(value):
    """True for a plain integer (Python or NumPy), which in an old call is the axis."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def concat(values=None, axis=None, name="concat", concat_dim=None):
    """tf.concat(values, axis), also taking TensorFlow 0.x's concat(concat_dim, values)."""
    if concat_dim is not None:
        axis, old = concat_dim, True
    elif _is_axis(values) or isinstance(axis, (list, tuple)):
        values, axis, old = axis, values, True
    else:
        old = False
    if old:
        note_rename("tf.concat(concat_dim, values)", "tf.concat(values, axis)", "1.0")
    return tf.concat(values, axis, name=name)


def split(value=None, num_or_size_splits=None, axis=0, num=None, name="split",
          split_dim=None, num_split=None):
    """tf.split(value, num_or_size_splits, axis), also taking 0.x's split(split_dim, num_split, value)."""
    if split_dim is not None or num_split is not None or _is_axis(value):
        note_rename("tf.split(split_dim, num_split, value)",
                    "tf.split(value, num_or_size_splits, axis)", "1.0")
        if split_dim is None and num_split is None:      # split(split_dim, num_split, value[, name])
            split_dim, num_split, value = value, num_or_size_splits, axis
            if isinstance(num, str):
                name, num = num, None
        else:                                            # keywords, old names
            split_dim = 0 if split_dim is None else split_dim
            num_split = num_or_size_splits if num_split is None else num_split
        num_or_size_splits, axis = num_split, split_dim
    return tf.split(value, num_or_size_splits, axis=axis, num=num, name=name)


def split_v(value=None, size_splits=None, split_dim=0, num=None, name="split_v"):
    """TensorFlow 0.12's split_v(value, size_splits, split_dim): tf.split with a list of sizes."""
    return tf.split(value, size_splits, axis=split_dim, num=num, name=name)


def reverse(tensor, axis=None, name=None, dims=None):
    """tf.reverse(tensor, axis), also taking 0.x's reverse(tensor, dims) with one boolean per axis."""
    if dims is not None:
        axis = dims
    flags = np.asarray(axis) if isinstance(axis, (list, tuple, np.ndarray)) else None
    if flags is not None and flags.dtype == np.bool_:
        note_rename("tf.reverse(tensor, dims) with one boolean per axis",
                    "tf.reverse(tensor, axis) with a list of axes", "1.0")
        axis = [i for i, flag in enumerate(flags) if flag]
    return tf.reverse(tensor, axis, name=name)


def _reducer(name, modern):
    """A tf.reduce_* that also takes 0.x's reduction_indices= and 1.x's keep_dims=."""
    def reduce(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None):
        if reduction_indices is not None:
            if axis is not None:
                raise LegacyError(f"tf.{reduce.__name__} got both axis and reduction_indices, "
                                  f"which are the same argument; keep only axis.")
            note_rename("reduction_indices=", "axis=", "1.0")
            axis = reduction_indices
        if keep_dims is not None:
            if keepdims is not None:
                raise LegacyError(f"tf.{reduce.__name__} got both keepdims and keep_dims, which "
                                  f"are the same argument; keep only keepdims.")
            note_rename("keep_dims=", "keepdims=", "1.5")
            keepdims = keep_dims
        return modern(input_tensor, axis=axis, keepdims=bool(keepdims), name=name)
    reduce.__name__ = reduce.__qualname__ = name
    reduce.__doc__ = f"tf.{name}(input_tensor, axis, keepdims), also taking reduction_indices and keep_dims."
    return reduce


REDUCERS = {name: _reducer(name, getattr(tf.math, name)) for name in (
    "reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod",
    "reduce_all", "reduce_any", "reduce_logsumexp")}


def div(x, y, name=None):
    """TensorFlow 1.x's tf.div: floor division for integers, true division otherwise (Python 2's `/`)."""
    x = tf.convert_to_tensor(x)
    y = tf.convert_to_tensor(y, dtype_hint=x.dtype)
    if x.dtype.is_integer:
        return tf.math.floordiv(x, y, name=name)
    return tf.math.divide(x, y, name=name)


def _caster(dtype, default_name):
    def cast(x, name=default_name):
        return tf.cast(x, dtype, name=name)
    cast.__name__ = cast.__qualname__ = f"to_{dtype.name}"
    cast.__doc__ = f"tf.cast(x, tf.{dtype.name})."
    return cast


to_float = _caster(tf.float32, "ToFloat")
to_double = _caster(tf.float64, "ToDouble")
to_int32 = _caster(tf.int32, "ToInt32")
to_int64 = _caster(tf.int64, "ToInt64")
to_bfloat16 = _caster(tf.bfloat16, "ToBFloat16")


def listdiff(x, y, out_idx=tf.int32, name=None):
    """TensorFlow 0.x's listdiff(x, y): the values of x not in y, and their indices in x."""
    return tf.raw_ops.ListDiff(x=x, y=y, out_idx=out_idx, name=name)


def batch_matmul(x, y, adj_x=False, adj_y=False, name=None):
    """TensorFlow 0.x's batch_matmul: tf.matmul over the last two axes, adj_* as adjoint_*."""
    return tf.linalg.matmul(x, y, adjoint_a=adj_x, adjoint_b=adj_y, name=name)


# --------------------------------------------------------------------------
# Summaries of TensorFlow 0.x (tf.scalar_summary and friends)
# --------------------------------------------------------------------------
# Their ops still exist: unlike tf.summary.scalar, they keep the tag as written
# (no name scope in front) and take a list of tags for a vector of values.

def _collected(summary, collections):
    """Add ``summary`` to ``collections`` (default: tf.GraphKeys.SUMMARIES) and return it."""
    for key in [v1.GraphKeys.SUMMARIES] if collections is None else collections:
        v1.add_to_collection(key, summary)
    return summary


def scalar_summary(tags, values, collections=None, name=None):
    """TensorFlow 0.x's scalar_summary(tag or tags, values): the scalars under exactly those tags."""
    return _collected(tf.raw_ops.ScalarSummary(tags=tags, values=values, name=name), collections)


def histogram_summary(tag, values, collections=None, name=None):
    """TensorFlow 0.x's histogram_summary(tag, values)."""
    return _collected(tf.raw_ops.HistogramSummary(tag=tag, values=values, name=name),
                      collections)


def image_summary(tag, tensor, max_images=3, collections=None, name=None):
    """TensorFlow 0.x's image_summary(tag, images, max_images): tags tag/image/0, ..."""
    return _collected(tf.raw_ops.ImageSummary(tag=tag, tensor=tensor, max_images=max_images,
                                              name=name), collections)


def audio_summary(tag, tensor, sample_rate, max_outputs=3, collections=None, name=None):
    """TensorFlow 0.x's audio_summary(tag, audio, sample_rate, max_outputs)."""
    return _collected(tf.raw_ops.AudioSummaryV2(tag=tag, tensor=tensor, sample_rate=sample_rate,
                                                max_outputs=max_outputs, name=name), collections)


def merge_summary(inputs, collections=None, name=None):
    """TensorFlow 0.x's merge_summary(summaries): tf.summary.merge."""
    return v1.summary.merge(inputs, collections=collections, name=name)


def merge_all_summaries(key=v1.GraphKeys.SUMMARIES):
    """TensorFlow 0.x's merge_all_summaries(): tf.summary.merge_all."""
    return v1.summary.merge_all(key)
