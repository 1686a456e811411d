"""Mistake: the hidden layer is still sigmoid.

Expected hint: Swap tf.nn.sigmoid for tf.nn.relu
"""
import tensorflow as tf

FASTER_IN_FIRST_EPOCH = "sigmoid"


def model(X, W_h, W_o):
    return tf.matmul(tf.nn.sigmoid(tf.matmul(X, W_h)), W_o)
