"""Mistake: multiplies by z instead of adding it.

Expected hint: It computes x * y * z
"""
import tensorflow as tf

tf1 = tf.compat.v1


def build():
    graph = tf.Graph()
    with graph.as_default():
        x = tf1.placeholder(tf.float32, name="x")
        y = tf1.placeholder(tf.float32, name="y")
        z = tf1.placeholder(tf.float32, name="z")
        out = x * y * z
    return graph, x, y, z, out
