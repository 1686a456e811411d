"""Weakness (issue 27): "no optimizer does the work" looked for one op's name, so another optimizer passed.

MomentumOptimizer with momentum 0 takes exactly gradient descent's step. Expected: failed, on
"no optimizer does the work" (an optimizer's update op and slot variables are in the graph).
"""
import tensorflow as tf

tf1 = tf.compat.v1


def gradient_step(cost, variables, learning_rate):
    return tf1.train.MomentumOptimizer(learning_rate, momentum=0.0).minimize(cost, var_list=variables)
