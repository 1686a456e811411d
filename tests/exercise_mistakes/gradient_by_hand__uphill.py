"""Mistake: adds the gradient instead of subtracting it.

Expected hint: you stepped uphill
"""
import tensorflow as tf


def gradient_step(cost, variables, learning_rate):
    gradients = tf.gradients(cost, variables)
    return tf.group(*[v.assign_add(learning_rate * g) for v, g in zip(variables, gradients)])
