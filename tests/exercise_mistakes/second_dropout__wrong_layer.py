"""Mistake: the new dropout drops the first layer's outputs a second time.

Expected hint: the dropout acts on the first layer's units
"""
import tensorflow as tf


def model_gen(X, w_h, w_h2, w_o, keep_input, keep_hidden, keep_hidden2):
    out_H = tf.nn.dropout(tf.nn.relu(tf.matmul(X, w_h)), rate=1 - keep_hidden)
    out_H = tf.nn.dropout(out_H, rate=1 - keep_hidden2)
    out_H2 = tf.nn.relu(tf.matmul(out_H, w_h2))
    return tf.matmul(out_H2, w_o)
