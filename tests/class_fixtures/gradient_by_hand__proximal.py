"""Weakness (issue 27): "no optimizer does the work" looked for one op's name, so another optimizer passed.

ProximalGradientDescentOptimizer without regularization takes gradient descent's step and has
no slots. Expected: failed, on "no optimizer does the work" (its update op is in the graph).
"""
import tensorflow as tf

tf1 = tf.compat.v1


def gradient_step(cost, variables, learning_rate):
    return tf1.train.ProximalGradientDescentOptimizer(learning_rate).minimize(cost, var_list=variables)
