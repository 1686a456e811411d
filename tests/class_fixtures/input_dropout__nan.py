"""Weakness (issue 27): NaN satisfied "the logits change from run to run".

Logits that are always NaN. Expected: failed, every check.
"""
import numpy as np
import tensorflow as tf


def model_gen(X, w_h, w_h2, w_o, keep_input, keep_hidden):
    out_X = tf.nn.dropout(X, rate=1 - keep_input)
    out_H = tf.nn.dropout(tf.nn.relu(tf.matmul(out_X, w_h)), rate=1 - keep_hidden)
    out_H2 = tf.nn.relu(tf.matmul(out_H, w_h2))
    return tf.matmul(out_H2, w_o) * np.float32(np.nan)
