"""Weakness (issue 27): the judge's default graph was shared, so one student's ops decided another's verdict.

A correct solution that also fills a graph made the default for the whole process with ops
named like the checker's (x, y, z, out, a wrong out). Expected: passed, and the files checked
after it keep their verdicts.
"""
import tensorflow as tf

tf1 = tf.compat.v1
POLLUTED = tf.Graph()
DEFAULT = POLLUTED.as_default()
DEFAULT.__enter__()  # stays the default graph of this process
for name in ("x", "y", "z"):
    tf1.placeholder(tf.float32, name=name)
tf.constant(24.0, name="out")


def build():
    graph = tf.Graph()
    with graph.as_default():
        x, y, z = (tf1.placeholder(tf.float32, name=name) for name in "xyz")
        out = x * y + z
    return graph, x, y, z, out
