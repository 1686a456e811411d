"""Weakness (issue 27): ops off the judge's blocklist could abort the judge, for everyone.

A graph whose output runs TensorFlow's Abort op. Expected: stopped (only this file's own
process ends), and the files checked beside it keep their verdicts.
"""
import tensorflow as tf

tf1 = tf.compat.v1


def build():
    graph = tf.Graph()
    with graph.as_default():
        x, y, z = (tf1.placeholder(tf.float32, name=name) for name in "xyz")
        with tf.control_dependencies([tf.raw_ops.Abort(error_msg="the judge goes down")]):
            out = x * y + z
    return graph, x, y, z, out
