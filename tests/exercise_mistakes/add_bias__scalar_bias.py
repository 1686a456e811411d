"""Mistake: one bias number shared by all ten logits.

Expected hint: changes no softmax probability
"""
import tensorflow as tf

tf1 = tf.compat.v1


def model(X):
    w = tf.Variable(tf1.random_normal([784, 10], stddev=0.01))
    b = tf.Variable(0.0)
    return tf.matmul(X, w) + b
