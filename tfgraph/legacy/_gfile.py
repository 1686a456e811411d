"""`tf.gfile`: TensorFlow 1.x's file functions, each renamed to its `tf.io.gfile` spelling."""
import tensorflow as tf

from tfgraph.legacy._namespace import Namespace

v1 = tf.compat.v1

# tf.gfile's name -> its name in tf.io.gfile.
_MODERN = {
    "Copy": "copy", "DeleteRecursively": "rmtree", "Exists": "exists", "FastGFile": "GFile",
    "GFile": "GFile", "Glob": "glob", "IsDirectory": "isdir", "ListDirectory": "listdir",
    "MakeDirs": "makedirs", "MkDir": "mkdir", "Open": "GFile", "Remove": "remove",
    "Rename": "rename", "Stat": "stat", "Walk": "walk",
}

GFILE = Namespace(
    "tf.gfile", fallback=v1.gfile,
    renames={old: (getattr(v1.gfile, old), f"tf.io.gfile.{new}", "2.0")
             for old, new in _MODERN.items()},
    refusal="tf.gfile had no such name. Its functions are now in tf.io.gfile.")
