"""Mistake: counts every Variable, the optimizer's slot variables included.

Expected hint: slot variables
"""
import tensorflow as tf


def count_parameters(graph):
    variables = graph.get_collection(tf.compat.v1.GraphKeys.GLOBAL_VARIABLES)
    return sum(v.shape.num_elements() for v in variables)
