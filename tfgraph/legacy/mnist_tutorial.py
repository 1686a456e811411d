"""`tensorflow.examples.tutorials.mnist.mnist`: the model module of TensorFlow 1.x's MNIST tutorial.

TensorFlow 1.x's ``fully_connected_feed.py`` imported it for a two-hidden-layer
network built in four steps: `inference` (the logits), `loss`, `training` (the
train op, which counts ``global_step``) and `evaluation` (how many predictions in a
batch are right). Same names, arguments and variable names
(``hidden1/weights``, ``softmax_linear/biases``, ...), built on tf.compat.v1.
"""
import math

import tensorflow as tf

v1 = tf.compat.v1

NUM_CLASSES = 10
IMAGE_SIZE = 28
IMAGE_PIXELS = IMAGE_SIZE * IMAGE_SIZE


def _layer(scope, inputs, fan_in, units, activation):
    """One fully connected layer in name scope ``scope``: weights ~ N(0, 1/fan_in) truncated, zero biases."""
    with v1.name_scope(scope):
        weights = tf.Variable(v1.truncated_normal([fan_in, units],
                                                  stddev=1.0 / math.sqrt(float(fan_in))),
                              name="weights")
        biases = tf.Variable(tf.zeros([units]), name="biases")
        outputs = tf.matmul(inputs, weights) + biases
        return activation(outputs) if activation else outputs


def inference(images, hidden1_units, hidden2_units):
    """The logits of a 784 -> hidden1 -> hidden2 -> 10 ReLU network for ``images`` (batch, 784)."""
    hidden1 = _layer("hidden1", images, IMAGE_PIXELS, hidden1_units, tf.nn.relu)
    hidden2 = _layer("hidden2", hidden1, hidden1_units, hidden2_units, tf.nn.relu)
    return _layer("softmax_linear", hidden2, hidden2_units, NUM_CLASSES, None)


def loss(logits, labels):
    """The mean softmax cross entropy of ``logits`` against integer ``labels``."""
    labels = tf.cast(labels, tf.int64)
    return v1.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)


def training(loss, learning_rate):
    """A gradient descent train op on ``loss`` that increments ``global_step``; a 'loss' scalar summary."""
    v1.summary.scalar("loss", loss)
    optimizer = v1.train.GradientDescentOptimizer(learning_rate)
    global_step = tf.Variable(0, name="global_step", trainable=False)
    return optimizer.minimize(loss, global_step=global_step)


def evaluation(logits, labels):
    """How many of the batch's ``labels`` are the top prediction of ``logits`` (an int32 scalar)."""
    correct = tf.nn.in_top_k(predictions=logits, targets=labels, k=1)
    return tf.reduce_sum(tf.cast(correct, tf.int32))
