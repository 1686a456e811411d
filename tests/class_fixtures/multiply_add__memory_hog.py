"""Weakness (issue 27): nothing bounded a student's memory but the machine.

Tries to take 8 GB, then answers correctly. Expected: passed (the allocation fails at the
sandbox's memory limit, and the code goes on), and the machine is left alone.
"""
import tensorflow as tf

tf1 = tf.compat.v1
try:
    HOARD = bytearray(8 * 2 ** 30)
except MemoryError:
    HOARD = None


def build():
    graph = tf.Graph()
    with graph.as_default():
        x, y, z = (tf1.placeholder(tf.float32, name=name) for name in "xyz")
        out = x * y + z
    return graph, x, y, z, out
