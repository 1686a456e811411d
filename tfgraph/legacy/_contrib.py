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
        "style code. tfgraph.legacy runs the pieces of slim that tf.contrib.layers and "
        "tf.contrib.framework had (fully_connected, conv2d, batch_norm, arg_scope, ...): "
        "import them from there. In TensorFlow 2, use tf.keras.layers.")

CONTRIB = Namespace(
    "tf.contrib",
    members={"layers": CONTRIB_LAYERS, "framework": CONTRIB_FRAMEWORK, "rnn": RNN["contrib_rnn"],
             "seq2seq": SEQ2SEQ, "legacy_seq2seq": LEGACY_SEQ2SEQ, "eager": EAGER},
    refused={
        "learn": "tf.contrib.learn (its Estimators and its own MNIST loader) was removed in "
                 "TensorFlow 2.0, and tf.estimator in 2.16. Write the training loop with "
                 "tf.Session, as the lessons of tfgraph do, or use tf.estimator's canned "
                 "DNNClassifier here. In TensorFlow 2, use tf.keras.Model.fit.",
        "slim": SLIM,
        "factorization": "tf.contrib.factorization (k-means, WALS) was removed in TensorFlow "
                         "2.0. In TensorFlow 2, use scikit-learn's KMeans, or write the "
                         "updates with tf ops.",
        "tensor_forest": "tf.contrib.tensor_forest was removed in TensorFlow 2.0. In TensorFlow "
                         "2, use TensorFlow Decision Forests (tfdf.keras.RandomForestModel) or "
                         "scikit-learn's RandomForestClassifier.",
        "keras": "tf.contrib.keras became tf.keras in TensorFlow 1.4; it is Keras 3 today, "
                 "which works eagerly, not in tf.Session graphs. In TensorFlow 2, use "
                 "tf.keras (Keras 3) in TensorFlow 2 style code.",
        "distributions": "tf.contrib.distributions became the TensorFlow Probability package. "
                         "In TensorFlow 2, use tfp.distributions.",
        "losses": "tf.contrib.losses became tf.losses (tf.compat.v1.losses here): use that; "
                  "mind that its softmax_cross_entropy takes (onehot_labels, logits), the "
                  "reverse of tf.contrib.losses' order. In TensorFlow 2, use tf.keras.losses.",
        "metrics": "tf.contrib.metrics became tf.metrics (tf.compat.v1.metrics here), which "
                   "has most of them. In TensorFlow 2, use tf.keras.metrics.",
        "data": "tf.contrib.data became tf.data in TensorFlow 1.4: use tf.data, as in "
                "TensorFlow 2.",
        "tensorboard": "tf.contrib.tensorboard's projector moved to TensorBoard. In TensorFlow "
                       "2, use tensorboard.plugins.projector.",
        "crf": "tf.contrib.crf was removed in TensorFlow 2.0. In TensorFlow 2, use "
               "tensorflow_addons.text.crf_log_likelihood (TensorFlow Addons), or write the "
               "forward algorithm with tf ops.",
        "training": "tf.contrib.training (HParams, bucketing, ...) was removed in TensorFlow "
                    "2.0. In TensorFlow 2, use a dict or argparse for hyperparameters and "
                    "tf.data's bucket_by_sequence_length.",
    },
    refusal="tf.contrib was removed in TensorFlow 2.0. tfgraph.legacy rebuilds only the basic "
            "pieces of tf.contrib.layers, tf.contrib.framework's arg_scope and "
            "get_or_create_global_step, tf.contrib.rnn's basic cells and loops, "
            "tf.contrib.seq2seq's sequence_loss, tf.contrib.legacy_seq2seq and "
            "tf.contrib.eager. In TensorFlow 2, find the module's successor in the TensorFlow "
            "2 migration guide (most are in tf.keras, TensorFlow Addons or TensorFlow "
            "Probability).")
