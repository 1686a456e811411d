"""The tables for `tf.layers`, `tf.contrib` and `tensorflow.examples`: what runs, renamed or refused.

The same table form as `_api`: renames are ``old name: (what runs now, modern
spelling, TensorFlow version that renamed it)``, refusals ``old name: why it cannot
run and what to use instead``.
"""
import tensorflow as tf

from tfgraph.legacy import _contrib_layers, _layers, input_data, mnist_tutorial
from tfgraph.legacy._core import Namespace
from tfgraph.legacy._rnn import RNN

v1 = tf.compat.v1
VERSION = tf.__version__

# --------------------------------------------------------------------------
# Reasons for refusing, shared by several names
# --------------------------------------------------------------------------

SEQ2SEQ = (f"TensorFlow 1.x's seq2seq code is not in TensorFlow {VERSION}, and tfgraph.legacy "
           "runs only the basic RNN cells and loops (tf.contrib.rnn, tf.nn.rnn_cell, "
           "tf.nn.dynamic_rnn). Write the decoder with tf.keras.layers in TensorFlow 2 style.")

CONTRIB = (
    "tf.contrib was removed in TensorFlow 2.0. tfgraph.legacy rebuilds only the basic "
    "pieces of tf.contrib.layers (xavier_initializer, variance_scaling_initializer, "
    "l1_regularizer, l2_regularizer, fully_connected, linear, conv2d, max_pool2d, "
    "avg_pool2d, dropout, flatten), tf.contrib.rnn's basic cells and loops, and "
    "tf.contrib.framework.get_or_create_global_step.")

SLIM = ("tf.contrib.slim became the separate tf-slim package, which needs TensorFlow 2 "
        "style code; rewrite the model with tf.layers-like pieces (tf.layers.dense, "
        "tf.layers.conv2d) or tf.keras.")

KERAS_LAYERS = (
    "tf.layers was a set of Keras layers, which Keras 3 no longer offers to graph code. "
    "tfgraph.legacy rebuilds dense, conv2d, conv2d_transpose, max_pooling2d, "
    "average_pooling2d, dropout, batch_normalization and flatten; for the others, use "
    "tf.keras.layers in TensorFlow 2 style code.")

# --------------------------------------------------------------------------
# tf.layers and tf.contrib
# --------------------------------------------------------------------------

LAYERS = Namespace(
    "tf.layers",
    renames={
        "dense": (_layers.dense, "tf.keras.layers.Dense", "2.0"),
        "conv2d": (_layers.conv2d, "tf.keras.layers.Conv2D", "2.0"),
        "max_pooling2d": (_layers.max_pooling2d, "tf.keras.layers.MaxPooling2D", "2.0"),
        "average_pooling2d": (_layers.average_pooling2d, "tf.keras.layers.AveragePooling2D",
                              "2.0"),
        "dropout": (_layers.dropout, "tf.keras.layers.Dropout", "2.0"),
        "flatten": (_layers.flatten, "tf.keras.layers.Flatten", "2.0"),
        "conv2d_transpose": (_layers.conv2d_transpose, "tf.keras.layers.Conv2DTranspose", "2.0"),
        "batch_normalization": (_layers.batch_normalization,
                                "tf.keras.layers.BatchNormalization", "2.0"),
    },
    refusal=KERAS_LAYERS)

CONTRIB_LAYERS = Namespace(
    "tf.contrib.layers",
    renames={
        "xavier_initializer": (_contrib_layers.xavier_initializer,
                               "tf.keras.initializers.GlorotUniform", "2.0"),
        "xavier_initializer_conv2d": (_contrib_layers.xavier_initializer,
                                      "tf.keras.initializers.GlorotUniform", "2.0"),
        "variance_scaling_initializer": (_contrib_layers.variance_scaling_initializer,
                                         "tf.keras.initializers.VarianceScaling", "2.0"),
        "l2_regularizer": (_contrib_layers.l2_regularizer,
                           "tf.keras.regularizers.l2 (without the 1/2 of tf.nn.l2_loss)", "2.0"),
        "l1_regularizer": (_contrib_layers.l1_regularizer, "tf.keras.regularizers.l1", "2.0"),
        "fully_connected": (_contrib_layers.fully_connected,
                            "tf.keras.layers.Dense(..., activation='relu')", "2.0"),
        "linear": (_contrib_layers.linear, "tf.keras.layers.Dense", "2.0"),
        "conv2d": (_contrib_layers.contrib_conv2d,
                   "tf.keras.layers.Conv2D(..., padding='same', activation='relu')", "2.0"),
        "max_pool2d": (_contrib_layers.max_pool2d, "tf.keras.layers.MaxPooling2D", "2.0"),
        "avg_pool2d": (_contrib_layers.avg_pool2d, "tf.keras.layers.AveragePooling2D", "2.0"),
        "dropout": (_contrib_layers.contrib_dropout, "tf.keras.layers.Dropout(rate=1 - keep_prob)",
                    "2.0"),
        "flatten": (_contrib_layers.contrib_flatten, "tf.keras.layers.Flatten", "2.0"),
    },
    refused={
        "batch_norm": (
            "it needs moving averages updated through tf.GraphKeys.UPDATE_OPS, which "
            "tfgraph.legacy does not rebuild. Use tf.nn.moments with "
            "tf.nn.batch_normalization, or tf.keras.layers.BatchNormalization in TensorFlow 2 "
            "style code."),
    },
    refusal=CONTRIB)

CONTRIB_FRAMEWORK = Namespace(
    "tf.contrib.framework",
    renames={
        "get_or_create_global_step": (v1.train.get_or_create_global_step,
                                      "tf.train.get_or_create_global_step", "1.0",
                                      "tf.compat.v1.train.get_or_create_global_step"),
    },
    refused={"arg_scope": SLIM},
    refusal=CONTRIB)

CONTRIB = Namespace(
    "tf.contrib",
    members={"layers": CONTRIB_LAYERS, "framework": CONTRIB_FRAMEWORK, "rnn": RNN["contrib_rnn"]},
    refused={
        "learn": "tf.contrib.learn (its Estimators and its own MNIST loader) was removed in "
                 "TensorFlow 2.0, and tf.estimator in 2.16. Write the training loop with "
                 "tf.Session, as the lessons of tfgraph do, or use tf.keras.Model.fit.",
        "slim": SLIM,
        "legacy_seq2seq": SEQ2SEQ,
        "seq2seq": SEQ2SEQ,
        "factorization": "tf.contrib.factorization (k-means, WALS) was removed in TensorFlow "
                         "2.0; use scikit-learn's KMeans, or write the updates with tf ops.",
        "tensor_forest": "tf.contrib.tensor_forest was removed in TensorFlow 2.0; use "
                         "scikit-learn's RandomForestClassifier.",
        "eager": "tf.contrib.eager was TensorFlow 1.x's preview of eager execution, which is "
                 "TensorFlow 2's default; tfgraph.legacy runs graph code only. Run the script "
                 "with TensorFlow 2 itself.",
        "keras": "tf.contrib.keras became tf.keras in TensorFlow 1.4; it is Keras 3 today, "
                 "which works eagerly, not in tf.Session graphs.",
        "distributions": "tf.contrib.distributions became the TensorFlow Probability package "
                         "(tfp.distributions), which needs TensorFlow 2 style code.",
        "losses": "use tf.losses (tf.compat.v1.losses); mind that its softmax_cross_entropy "
                  "takes (onehot_labels, logits), the reverse of tf.contrib.losses' order.",
        "metrics": "use tf.metrics (tf.compat.v1.metrics), which has most of them.",
        "data": "tf.contrib.data became tf.data in TensorFlow 1.4; use tf.data.",
        "tensorboard": "the projector moved to tensorboard.plugins.projector.",
    },
    refusal=CONTRIB)

# --------------------------------------------------------------------------
# tensorflow.examples.tutorials.mnist.input_data
# --------------------------------------------------------------------------

_MNIST = Namespace(
    "tensorflow.examples.tutorials.mnist",
    renames={"input_data": (input_data, "tf.keras.datasets.mnist (tfgraph.mnist here)", "2.0"),
             "mnist": (mnist_tutorial, "tfgraph.legacy.mnist_tutorial (the tutorials left "
                                       "TensorFlow)", "2.0")},
    refusal="tfgraph.legacy provides the MNIST tutorial's input_data and mnist modules only.")
_TUTORIALS = Namespace("tensorflow.examples.tutorials", members={"mnist": _MNIST},
                       refusal="tfgraph.legacy provides only the MNIST tutorial's modules.")
EXAMPLES = Namespace("tensorflow.examples", members={"tutorials": _TUTORIALS},
                     refusal="tfgraph.legacy provides only the MNIST tutorial's modules.")

