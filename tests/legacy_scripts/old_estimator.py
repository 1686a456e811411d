# A 2017-style custom Estimator with tf.layers, NumPy 1.x names and a plot, for
# tests/test_legacy_more.py: tf.layers.dense/conv2d/batch_normalization/..., an
# EstimatorSpec per mode, numpy_input_fn, train twice (the second resumes), evaluate,
# predict; np.float/np.int/np.reshape(newshape=); plt.show() and waitforbuttonpress().
from __future__ import print_function

import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

model_dir = sys.argv[1]
rng = np.random.RandomState(0)
images = rng.rand(256, 64).astype(np.float)
labels = (images.reshape(256, 8, 8)[:, :, :4].mean(axis=(1, 2)) >
          images.reshape(256, 8, 8)[:, :, 4:].mean(axis=(1, 2))).astype(np.int)
images = images.astype(np.float32)
print("dtypes:", np.float is float, np.int is int, np.object is object, np.str is str)


def model_fn(features, labels, mode, params):
    x = np.reshape(np.arange(4), newshape=(2, 2))  # NumPy 1.x keyword
    net = tf.reshape(features["x"], [-1, 8, 8, 1])
    training = mode == tf.estimator.ModeKeys.TRAIN
    net = tf.layers.conv2d(net, 4, 3, padding="same", activation=tf.nn.relu)
    net = tf.layers.batch_normalization(net, momentum=0.9, training=training)
    net = tf.layers.conv2d_transpose(net, 2, 2, strides=2)             # (?, 16, 16, 2)
    net = tf.layers.average_pooling2d(net, 2, 2)                       # (?, 8, 8, 2)
    net = tf.layers.max_pooling2d(net, 2, 2)                           # (?, 4, 4, 2)
    net = tf.layers.flatten(net)
    net = tf.layers.dropout(net, rate=0.1, training=training)
    logits = tf.layers.dense(net, params["classes"])
    predictions = {"classes": tf.argmax(logits, 1), "probabilities": tf.nn.softmax(logits)}
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode=mode, predictions=predictions)
    loss = tf.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        train_op = tf.train.AdamOptimizer(0.01).minimize(
            loss, global_step=tf.train.get_global_step())
    metrics = {"accuracy": tf.metrics.accuracy(labels, predictions["classes"])}
    return tf.estimator.EstimatorSpec(mode=mode, loss=loss, train_op=train_op,
                                      eval_metric_ops=metrics)


classifier = tf.estimator.Estimator(model_fn=model_fn, model_dir=model_dir,
                                    params={"classes": 2},
                                    config=tf.estimator.RunConfig(tf_random_seed=1))
train_input = tf.estimator.inputs.numpy_input_fn(
    x={"x": images}, y=labels, batch_size=32, num_epochs=None, shuffle=True)
classifier.train(input_fn=train_input, steps=60)
classifier.train(input_fn=train_input, steps=60)
eval_input = tf.estimator.inputs.numpy_input_fn(
    x={"x": images}, y=labels, num_epochs=1, shuffle=False)
results = classifier.evaluate(input_fn=eval_input)
print("global_step:", results["global_step"])
print("accuracy: %.3f" % results["accuracy"])
predicted = list(classifier.predict(input_fn=tf.estimator.inputs.numpy_input_fn(
    x={"x": images[:5]}, num_epochs=1, shuffle=False)))
print("predicted:", len(predicted), sorted(predicted[0]))
print("moving_mean saved:", classifier.get_variable_value(
    "batch_normalization/moving_mean").shape)

plt.plot([1, 2, 3])
plt.show()
plt.waitforbuttonpress()
print("done")
