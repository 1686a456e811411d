"""Mistake: builds a new ReLU on top of conv1's convolution at every call.

Expected hint: added 2 ops to the graph
"""
import tensorflow as tf


def conv1_activations(sess, X, images):
    with sess.graph.as_default():
        relu = tf.nn.relu(sess.graph.get_tensor_by_name("model/conv1/Conv2D:0"))
    return sess.run(relu, feed_dict={X: images})
