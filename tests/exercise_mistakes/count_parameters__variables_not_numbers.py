"""Mistake: counts the trainable Variables, not the numbers inside them.

Expected hint: the number of trainable Variables
"""
import tensorflow as tf


def count_parameters(graph):
    return len(graph.get_collection(tf.compat.v1.GraphKeys.TRAINABLE_VARIABLES))
