"""`tf` itself: its table of names, and the top-level functions whose signature or behaviour changed.

Old calls (``tf.concat(1, [a, b])``, ``tf.split(1, 2, x)``, ``reduction_indices=``,
...) are recognised by their arguments and adapted, with a note (once) on how the
call is written now. The sub-namespaces (`tf.nn`, `tf.train`, ...) come from their
own files; a name in no table is `tf.compat.v1`'s.
"""
import importlib
import numbers
from operator import attrgetter

import numpy as np
import tensorflow as tf

from tfgraph.legacy._contrib import CONTRIB
from tfgraph.legacy._eager import enable_eager_execution
from tfgraph.legacy._estimator import ESTIMATOR
from tfgraph.legacy._examples import EXAMPLES
from tfgraph.legacy._gfile import GFILE
from tfgraph.legacy._layers import LAYERS
from tfgraph.legacy._namespace import Namespace
from tfgraph.legacy._nn import NN
from tfgraph.legacy._notes import LegacyError, note_rename, tensorflow_log_as_in_1x
from tfgraph.legacy._rnn import RNN
from tfgraph.legacy._summary import OLD_SUMMARIES, SUMMARY
from tfgraph.legacy._train import TRAIN
from tfgraph.legacy._variables_by_name import install as fetch_variables_by_name

v1 = tf.compat.v1
VERSION = tf.__version__


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


def _register_global_step(variable):
    """Put an integer variable named global_step in tf.GraphKeys.GLOBAL_STEP, as TF1 code expects."""
    if tf.executing_eagerly():  # a script in eager mode has no graph, nor collections
        return variable
    graph = variable.graph
    if (variable.op.name.split("/")[-1] == "global_step" and variable.dtype.base_dtype.is_integer
            and not graph.get_collection(v1.GraphKeys.GLOBAL_STEP)):
        graph.add_to_collection(v1.GraphKeys.GLOBAL_STEP, variable)
    return variable


class _VariableType(type):
    """Makes `Variable` below build tf.compat.v1.Variable objects and pass isinstance checks as one."""

    def __call__(cls, *args, **kwargs):
        return _register_global_step(v1.Variable(*args, **kwargs))

    def __instancecheck__(cls, instance):  # tf.Variable: the base of v1's and v2's variables
        return isinstance(instance, (tf.Variable, v1.Variable))

    def __subclasscheck__(cls, subclass):
        return issubclass(subclass, (tf.Variable, v1.Variable))

    def __getattr__(cls, name):
        return getattr(v1.Variable, name)


class Variable(metaclass=_VariableType):
    """tf.Variable as TensorFlow 1.x code used it; ``tf.Variable(0, name="global_step")`` is the global step.

    In TensorFlow 1.x, `tf.train.get_global_step()` (and so `StopAtStepHook` and
    `MonitoredTrainingSession`) found such a variable by its tensor name; TensorFlow
    2's resource variables hide it behind a handle, so it is put in
    tf.GraphKeys.GLOBAL_STEP when it is made, unless the graph has one already.
    """


_started = []


def start():
    """Run TensorFlow as 1.x did, once per process: graph mode, 1.x's TensorShape and log level, variables by name."""
    if _started:
        return
    _started.append(True)
    v1.disable_eager_execution()
    v1.disable_v2_tensorshape()
    fetch_variables_by_name()
    tensorflow_log_as_in_1x()


# TensorFlow 0.x's batch_* ops: their TensorFlow 1.0 name, and where they are in TensorFlow 2.
_BATCH_OPS = {
    "batch_matrix_determinant": ("matrix_determinant", "linalg.det"),
    "batch_matrix_inverse": ("matrix_inverse", "linalg.inv"),
    "batch_matrix_solve": ("matrix_solve", "linalg.solve"),
    "batch_matrix_triangular_solve": ("matrix_triangular_solve", "linalg.triangular_solve"),
    "batch_cholesky": ("cholesky", "linalg.cholesky"),
    "batch_matrix_diag": ("matrix_diag", "linalg.diag"),
    "batch_matrix_diag_part": ("matrix_diag_part", "linalg.diag_part"),
    "batch_matrix_band_part": ("matrix_band_part", "linalg.band_part"),
    "batch_matrix_set_diag": ("matrix_set_diag", "linalg.set_diag"),
    "batch_fft": ("fft", "signal.fft"),
    "batch_ifft": ("ifft", "signal.ifft"),
}

# TensorFlow's private packages, imported as they are (with a note) by `import tensorflow.python...`.
PRIVATE = ("python", "core")

TOP = Namespace(
    "tf", fallback=v1, modern=tf,
    members={
        "nn": NN, "train": TRAIN, "summary": SUMMARY, "gfile": GFILE, "layers": LAYERS,
        "contrib": CONTRIB, "examples": EXAMPLES, "estimator": ESTIMATOR,
        "models": Namespace("tensorflow.models", members={"rnn": RNN["models_rnn"]},
                            refusal="tensorflow.models held TensorFlow 0.x's tutorial models; "
                                    "tfgraph.legacy provides only its rnn and rnn_cell. In "
                                    "TensorFlow 2, the models are in the tensorflow/models "
                                    "repository (pip install tf-models-official)."),
        **{name: importlib.import_module(f"tensorflow.{name}") for name in PRIVATE},
        "concat": concat, "split": split, "reverse": reverse, "Variable": Variable,
        "enable_eager_execution": enable_eager_execution,
        **REDUCERS,
    },
    renames={
        # TensorFlow 0.12: variables are global or local
        "initialize_all_variables": (v1.global_variables_initializer,
                                     "tf.global_variables_initializer", "0.12",
                                     "tf.compat.v1.global_variables_initializer"),
        "initialize_local_variables": (v1.local_variables_initializer,
                                       "tf.local_variables_initializer", "0.12",
                                       "tf.compat.v1.local_variables_initializer"),
        "initialize_variables": (v1.variables_initializer, "tf.variables_initializer", "0.12",
                                 "tf.compat.v1.variables_initializer"),
        "all_variables": (v1.global_variables, "tf.global_variables", "0.12",
                          "tf.compat.v1.global_variables"),
        # TensorFlow 1.0: NumPy's names
        "mul": (tf.math.multiply, "tf.multiply", "1.0"),
        "sub": (tf.math.subtract, "tf.subtract", "1.0"),
        "neg": (tf.math.negative, "tf.negative", "1.0"),
        "inv": (tf.math.reciprocal, "tf.reciprocal", "1.0", "tf.math.reciprocal"),
        "complex_abs": (tf.math.abs, "tf.abs", "1.0"),
        "select": (v1.where, "tf.where", "1.0", "tf.compat.v1.where (tf.where broadcasts)"),
        "pack": (tf.stack, "tf.stack", "1.0"),
        "unpack": (tf.unstack, "tf.unstack", "1.0"),
        "listdiff": (listdiff, "tf.setdiff1d", "1.0", "tf.compat.v1.setdiff1d"),
        "batch_matmul": (batch_matmul, "tf.matmul(x, y, adjoint_a=adj_x, adjoint_b=adj_y)",
                         "1.0"),
        "concat_v2": (concat, "tf.concat", "1.0"),
        "split_v": (split_v, "tf.split", "1.0"),
        "reverse_v2": (tf.reverse, "tf.reverse", "1.0"),
        **{old: (attrgetter(modern)(tf), f"tf.{one}", "1.0", f"tf.{modern}")
           for old, (one, modern) in _BATCH_OPS.items()},
        **OLD_SUMMARIES,  # TensorFlow 1.0: summaries moved to tf.summary
        # TensorFlow 2.0: names that left the API (the rest are found by tf.compat.v1 fallback)
        "div": (div, "tf.math.divide (tf.math.floordiv for integers)", "2.0"),
        "to_float": (to_float, "tf.cast(x, tf.float32)", "2.0"),
        "to_double": (to_double, "tf.cast(x, tf.float64)", "2.0"),
        "to_int32": (to_int32, "tf.cast(x, tf.int32)", "2.0"),
        "to_int64": (to_int64, "tf.cast(x, tf.int64)", "2.0"),
        "to_bfloat16": (to_bfloat16, "tf.cast(x, tf.bfloat16)", "2.0"),
        "arg_max": (v1.argmax, "tf.argmax", "2.0"),
        "arg_min": (v1.argmin, "tf.argmin", "2.0"),
        "set_random_seed": (v1.set_random_seed, "tf.random.set_seed", "2.0"),
        "Print": (v1.Print, "tf.print (an op that prints, not an identity)", "2.0"),
        "py_func": (v1.py_func, "tf.numpy_function", "2.0"),
        "logging": (v1.logging, "tf.compat.v1.logging, or Python's logging module", "2.0"),
    },
    refused={},
    refusal=f"neither tfgraph.legacy nor TensorFlow {VERSION}'s tf.compat.v1 has this name. "
            "Check the spelling; if it is a TensorFlow 0.x/1.x name, the TensorFlow 1.15 API "
            "documentation gives its later spelling.")
