# The canned Estimators on MNIST as TensorFlow 1.3-1.8 tutorials used them, for
# tests/test_legacy_scripts.py (with --sample) and benchmarks/legacy_estimator.py (full
# MNIST):  python -m tfgraph.legacy old_canned.py MODEL_DIR [STEPS]
# A DNNClassifier and a LinearClassifier trained and evaluated from numpy_input_fn.
from __future__ import print_function

import os
import sys

import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

model_dir = sys.argv[1]
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 300
tf.logging.set_verbosity(tf.logging.WARN)

mnist = input_data.read_data_sets("MNIST_data")
train_x, train_y = mnist.train.images, mnist.train.labels.astype(np.int32)
test_x, test_y = mnist.test.images, mnist.test.labels.astype(np.int32)

feature_columns = [tf.feature_column.numeric_column("x", shape=[784])]
train_input_fn = tf.estimator.inputs.numpy_input_fn(
    x={"x": train_x}, y=train_y, batch_size=100, num_epochs=None, shuffle=True)
test_input_fn = tf.estimator.inputs.numpy_input_fn(
    x={"x": test_x}, y=test_y, num_epochs=1, shuffle=False)

dnn = tf.estimator.DNNClassifier(
    feature_columns=feature_columns, hidden_units=[128, 64], n_classes=10,
    optimizer=tf.train.AdamOptimizer(1e-3), model_dir=os.path.join(model_dir, "dnn"))
dnn.train(input_fn=train_input_fn, steps=steps)
results = dnn.evaluate(input_fn=test_input_fn)
print("dnn accuracy: %.3f" % results["accuracy"])
print("dnn global_step:", results["global_step"])

linear = tf.estimator.LinearClassifier(
    feature_columns=feature_columns, n_classes=10, model_dir=os.path.join(model_dir, "linear"))
linear.train(input_fn=train_input_fn, steps=steps)
print("linear accuracy: %.3f" % linear.evaluate(input_fn=test_input_fn)["accuracy"])

predictions = list(dnn.predict(input_fn=tf.estimator.inputs.numpy_input_fn(
    x={"x": test_x[:10]}, num_epochs=1, shuffle=False)))
print("predicted classes:", " ".join(p["classes"][0].decode() for p in predictions))
print("true classes:     ", " ".join(str(label) for label in test_y[:10]))
print("dnn variables:", " ".join(sorted(name for name in dnn.get_variable_names()
                                        if "Adam" not in name and "power" not in name)))
