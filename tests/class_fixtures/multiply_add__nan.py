"""Weakness (issue 27): NaN satisfied "changes from run to run" (`not np.allclose`).

out is x * y + z times NaN: never a number. Expected: failed, no check passed but the first.
"""
import numpy as np
import tensorflow as tf

tf1 = tf.compat.v1


def build():
    graph = tf.Graph()
    with graph.as_default():
        x, y, z = (tf1.placeholder(tf.float32, name=name) for name in "xyz")
        out = (x * y + z) * np.float32(np.nan)
    return graph, x, y, z, out
