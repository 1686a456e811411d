"""Mistake: z is a constant holding the example's value, not a placeholder.

Expected hint: should be a placeholder
"""
import tensorflow as tf

tf1 = tf.compat.v1


def build():
    graph = tf.Graph()
    with graph.as_default():
        x = tf1.placeholder(tf.float32, name="x")
        y = tf1.placeholder(tf.float32, name="y")
        z = tf.constant(4.0, name="z")
        out = x * y + z
    return graph, x, y, z, out
