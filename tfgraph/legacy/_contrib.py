"""`tf.contrib`: which of its parts run here (each from its own file), and why the others cannot.

Refusals are ``name: why it cannot run and what to use instead in TensorFlow 2``.
"""
import tensorflow as tf

from tfgraph.legacy._contrib_framework import CONTRIB_FRAMEWORK
from tfgraph.legacy._contrib_layers import CONTRIB_LAYERS
from tfgraph.legacy._eager import EAGER
from tfgraph.legacy._legacy_seq2seq import LEGACY_SEQ2SEQ
from tfgraph.legacy._namespace import Namespace
from tfgraph.legacy._rnn import RNN
from tfgraph.legacy._seq2seq import SEQ2SEQ

VERSION = tf.__version__

SLIM = ("tf.contrib.slim became the separate tf-slim package, which needs TensorFlow 2 "
        "style code; rewrite the model with tf.layers-like pieces (tf.layers.dense, "
        "tf.layers.conv2d) or tf.keras.")

CONTRIB = Namespace(
    "tf.contrib",
    members={"layers": CONTRIB_LAYERS, "framework": CONTRIB_FRAMEWORK, "rnn": RNN["contrib_rnn"],
             "seq2seq": SEQ2SEQ, "legacy_seq2seq": LEGACY_SEQ2SEQ, "eager": EAGER},
    refused={
        "learn": "tf.contrib.learn (its Estimators and its own MNIST loader) was removed in "
                 "TensorFlow 2.0, and tf.estimator in 2.16. Write the training loop with "
                 "tf.Session, as the lessons of tfgraph do, or use tf.keras.Model.fit.",
        "slim": SLIM,
        "factorization": "tf.contrib.factorization (k-means, WALS) was removed in TensorFlow "
                         "2.0; use scikit-learn's KMeans, or write the updates with tf ops.",
        "tensor_forest": "tf.contrib.tensor_forest was removed in TensorFlow 2.0; use "
                         "scikit-learn's RandomForestClassifier.",
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
    refusal="tf.contrib was removed in TensorFlow 2.0. tfgraph.legacy rebuilds only the basic "
            "pieces of tf.contrib.layers, tf.contrib.framework's arg_scope and "
            "get_or_create_global_step, and tf.contrib.rnn's basic cells and loops.")
