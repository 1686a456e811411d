"""A correct solution that carries a marker, for the memory_peek fixture to look for.

MARKER-7f3a9c1e: a classmate's text that no other file may ever see.
Expected: passed.
"""
import tensorflow as tf

tf1 = tf.compat.v1
NOTE = "MARKER-7f3a9c1e: a classmate's text that no other file may ever see."


def build():
    graph = tf.Graph()
    with graph.as_default():
        x, y, z = (tf1.placeholder(tf.float32, name=name) for name in "xyz")
        out = x * y + z
    return graph, x, y, z, out
