"""Mistake: the bias is a tensor of zeros, which no optimizer can change.

Expected hint: A tensor made with tf.zeros is a constant
"""
import tensorflow as tf

tf1 = tf.compat.v1


def model(X):
    w = tf.Variable(tf1.random_normal([784, 10], stddev=0.01))
    return tf.matmul(X, w) + tf.zeros([10])
