"""Mistake: `total + amount` computes a new tensor but never stores it.

Expected hint: stores nothing
"""
import tensorflow as tf

tf1 = tf.compat.v1


def build():
    graph = tf.Graph()
    with graph.as_default():
        amount = tf1.placeholder(tf.float32, name="amount")
        total = tf.Variable(0.0, name="total")
        add = total + amount
        init = tf1.global_variables_initializer()
    return graph, amount, add, total, init
