"""What each `tf.*` name of TensorFlow 0.x/1.x means here: the tables of renames and refusals.

A rename is ``old name: (what runs now, modern spelling, TensorFlow version that
renamed it[, its TensorFlow 2 spelling])``; its first use prints "tf.mul is
tf.multiply since TensorFlow 1.0". A refusal is ``old name: why it cannot run and
what to use instead``. Names in neither table fall through to `tf.compat.v1`
unchanged (see `_core.Namespace`).
"""
import importlib
import sys
from operator import attrgetter

import tensorflow as tf

from tfgraph.legacy import _estimator, _nn, _ops, _train
from tfgraph.legacy._contrib import CONTRIB, EXAMPLES, LAYERS
from tfgraph.legacy._rnn import RNN
from tfgraph.legacy._core import Namespace, UnsupportedError, note, unsupported

v1 = tf.compat.v1
VERSION = tf.__version__

# --------------------------------------------------------------------------
# tf.nn
# --------------------------------------------------------------------------

NN = Namespace(
    "tf.nn", fallback=v1.nn, modern=tf.nn,
    members={
        "softmax_cross_entropy_with_logits": _nn.softmax_cross_entropy_with_logits,
        "sparse_softmax_cross_entropy_with_logits": _nn.sparse_softmax_cross_entropy_with_logits,
        "sigmoid_cross_entropy_with_logits": _nn.sigmoid_cross_entropy_with_logits,
        "weighted_cross_entropy_with_logits": _nn.weighted_cross_entropy_with_logits,
        "dropout": _nn.dropout,
        "nce_loss": _nn.nce_loss,
        "sampled_softmax_loss": _nn.sampled_softmax_loss,
        "rnn_cell": RNN["rnn_cell"],
        **RNN["nn"],
    },
    renames={
        **RNN.get("nn_renames", {}),
        "softmax_cross_entropy_with_logits_v2": (
            tf.nn.softmax_cross_entropy_with_logits,
            "tf.nn.softmax_cross_entropy_with_logits", "2.0"),
    },
    refused={
        **RNN["nn_refused"],
        "seq2seq": "tf.nn.seq2seq moved to tf.contrib in TensorFlow 1.0 and was removed in 2.0. "
                   "Use tf.keras layers in TensorFlow 2 style code.",
    },
    refusal=f"TensorFlow {VERSION}'s tf.compat.v1.nn has no such name, nor has tfgraph.legacy. "
            "Check the spelling.")

# --------------------------------------------------------------------------
# tf.train, tf.summary, tf.gfile
# --------------------------------------------------------------------------

TRAIN = Namespace(
    "tf.train", fallback=v1.train, modern=tf.train,
    members={"SyncReplicasOptimizer": _train.SyncReplicasOptimizer},
    renames={
        "SummaryWriter": (v1.summary.FileWriter, "tf.summary.FileWriter", "1.0",
                          "tf.compat.v1.summary.FileWriter"),
    },
    refusal=f"TensorFlow {VERSION}'s tf.compat.v1.train has no such name, nor has "
            "tfgraph.legacy. Check the spelling.")

SUMMARY = Namespace(
    "tf.summary", fallback=v1.summary, modern=tf.summary,
    refusal=f"TensorFlow {VERSION}'s tf.compat.v1.summary has no such name. Check the spelling.")

_GFILE_MODERN = {
    "Copy": "copy", "DeleteRecursively": "rmtree", "Exists": "exists", "FastGFile": "GFile",
    "GFile": "GFile", "Glob": "glob", "IsDirectory": "isdir", "ListDirectory": "listdir",
    "MakeDirs": "makedirs", "MkDir": "mkdir", "Open": "GFile", "Remove": "remove",
    "Rename": "rename", "Stat": "stat", "Walk": "walk",
}

GFILE = Namespace(
    "tf.gfile", fallback=v1.gfile,
    renames={old: (getattr(v1.gfile, old), f"tf.io.gfile.{new}", "2.0")
             for old, new in _GFILE_MODERN.items()},
    refusal="tf.gfile had no such name. Its functions are now in tf.io.gfile.")

# --------------------------------------------------------------------------
# tf itself
# --------------------------------------------------------------------------

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
        "contrib": CONTRIB, "examples": EXAMPLES, "estimator": _estimator.ESTIMATOR,
        "models": Namespace("tensorflow.models", members={"rnn": RNN["models_rnn"]},
                            refusal="tensorflow.models held TensorFlow 0.x's tutorial models; "
                                    "tfgraph.legacy provides only its rnn and rnn_cell."),
        **{name: importlib.import_module(f"tensorflow.{name}") for name in PRIVATE},
        "concat": _ops.concat, "split": _ops.split, "reverse": _ops.reverse,
        "Variable": _train.Variable,
        **_ops.REDUCERS,
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
        "listdiff": (_ops.listdiff, "tf.setdiff1d", "1.0", "tf.compat.v1.setdiff1d"),
        "batch_matmul": (_ops.batch_matmul, "tf.matmul(x, y, adjoint_a=adj_x, adjoint_b=adj_y)",
                         "1.0"),
        "concat_v2": (_ops.concat, "tf.concat", "1.0"),
        "split_v": (_ops.split_v, "tf.split", "1.0"),
        "reverse_v2": (tf.reverse, "tf.reverse", "1.0"),
        **{old: (attrgetter(modern)(tf), f"tf.{one}", "1.0", f"tf.{modern}")
           for old, (one, modern) in _BATCH_OPS.items()},
        # TensorFlow 1.0: summaries moved to tf.summary
        "scalar_summary": (_ops.scalar_summary, "tf.summary.scalar", "1.0",
                           "tf.compat.v1.summary.scalar"),
        "histogram_summary": (_ops.histogram_summary, "tf.summary.histogram", "1.0",
                              "tf.compat.v1.summary.histogram"),
        "image_summary": (_ops.image_summary, "tf.summary.image(..., max_outputs=...)", "1.0",
                          "tf.compat.v1.summary.image"),
        "audio_summary": (_ops.audio_summary, "tf.summary.audio", "1.0",
                          "tf.compat.v1.summary.audio"),
        "merge_summary": (_ops.merge_summary, "tf.summary.merge", "1.0",
                          "tf.compat.v1.summary.merge"),
        "merge_all_summaries": (_ops.merge_all_summaries, "tf.summary.merge_all", "1.0",
                                "tf.compat.v1.summary.merge_all"),
        # TensorFlow 2.0: names that left the API (the rest are found by tf.compat.v1 fallback)
        "div": (_ops.div, "tf.math.divide (tf.math.floordiv for integers)", "2.0"),
        "to_float": (_ops.to_float, "tf.cast(x, tf.float32)", "2.0"),
        "to_double": (_ops.to_double, "tf.cast(x, tf.float64)", "2.0"),
        "to_int32": (_ops.to_int32, "tf.cast(x, tf.int32)", "2.0"),
        "to_int64": (_ops.to_int64, "tf.cast(x, tf.int64)", "2.0"),
        "to_bfloat16": (_ops.to_bfloat16, "tf.cast(x, tf.bfloat16)", "2.0"),
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


# TensorFlow 0.x/1.x's private RNN modules, which old scripts imported by name.
_OLD_RNN_MODULES = {"tensorflow.python.ops.rnn": RNN["ops_rnn"],
                    "tensorflow.python.ops.rnn_cell": RNN["rnn_cell"]}


def _private(name):
    """TensorFlow's private module ``name``; for its old RNN modules, tfgraph.legacy's stand-ins."""
    if name in _OLD_RNN_MODULES:
        return _OLD_RNN_MODULES[name]
    try:
        found = importlib.import_module(name)
    except ImportError as e:
        raise unsupported(name, f"TensorFlow {VERSION} has no such module ({e}).") from None
    if name == "tensorflow.python.ops":  # from tensorflow.python.ops import rnn, rnn_cell
        return Namespace(name, members={"rnn": RNN["ops_rnn"], "rnn_cell": RNN["rnn_cell"]},
                         fallback=found, refusal=f"TensorFlow {VERSION} has no such module.")
    return found


def resolve_import(name, fromlist=()):
    """What ``import name`` (or ``from name import ...``) gives an old script; name is tensorflow[.*]."""
    legacy = sys.modules["tfgraph.legacy"]
    parts = name.split(".")
    if len(parts) > 1 and parts[1] in PRIVATE:
        note(f"tensorflow.{parts[1]}",
             f"tensorflow.{parts[1]} is TensorFlow's private code, which changes in every "
             f"release: it is imported unchanged from TensorFlow {VERSION}; prefer tf.* names")
        found = _private(name)
    else:
        found = legacy
        for depth, part in enumerate(parts[1:], start=2):
            try:
                found = getattr(found, part)
            except UnsupportedError:
                raise
            except AttributeError:
                raise unsupported(".".join(parts[:depth]),
                                  f"TensorFlow {VERSION} has no such module.") from None
    if not fromlist:
        return legacy
    for item in fromlist:
        if item == "*":
            continue
        try:
            getattr(found, item)  # a refused name raises its own UnsupportedError here
        except UnsupportedError:
            raise
        except AttributeError:  # a submodule of TensorFlow's private code not imported yet?
            try:
                importlib.import_module(f"{found.__name__}.{item}")
            except ImportError:
                raise unsupported(f"{name}.{item}",
                                  f"TensorFlow {VERSION} has no such module or name.") from None
    return found
