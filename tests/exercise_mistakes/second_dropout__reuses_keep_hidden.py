"""Mistake: the second dropout reuses keep_hidden instead of keep_hidden2.

Expected hint: keep_hidden2 changes nothing
"""
import tensorflow as tf


def model_gen(X, w_h, w_h2, w_o, keep_input, keep_hidden, keep_hidden2):
    out_H = tf.nn.dropout(tf.nn.relu(tf.matmul(X, w_h)), rate=1 - keep_hidden)
    out_H2 = tf.nn.dropout(tf.nn.relu(tf.matmul(out_H, w_h2)), rate=1 - keep_hidden)
    return tf.matmul(out_H2, w_o)
