"""Mistake: wires in the input dropout but loses the hidden layer's.

Expected hint: the hidden layer's dropout is gone
"""
import tensorflow as tf


def model_gen(X, w_h, w_h2, w_o, keep_input, keep_hidden):
    out_X = tf.nn.dropout(X, rate=1 - keep_input)
    out_H = tf.nn.relu(tf.matmul(out_X, w_h))
    out_H2 = tf.nn.relu(tf.matmul(out_H, w_h2))
    return tf.matmul(out_H2, w_o)
