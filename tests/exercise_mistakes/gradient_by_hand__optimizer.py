"""Mistake: lets the optimizer take the step instead of writing it.

Expected hint: an optimizer took the step
"""
import tensorflow as tf

tf1 = tf.compat.v1


def gradient_step(cost, variables, learning_rate):
    return tf1.train.GradientDescentOptimizer(learning_rate).minimize(cost, var_list=variables)
