"""`tensorflow.examples.tutorials.mnist`: the MNIST tutorial's two modules, and nothing else.

The modules themselves are `input_data` (the data) and `mnist_tutorial` (the model of
``fully_connected_feed.py``), beside this file.
"""
from tfgraph.legacy import input_data, mnist_tutorial
from tfgraph.legacy._namespace import Namespace

_MNIST = Namespace(
    "tensorflow.examples.tutorials.mnist",
    renames={"input_data": (input_data, "tf.keras.datasets.mnist (tfgraph.mnist here)", "2.0"),
             "mnist": (mnist_tutorial, "tfgraph.legacy.mnist_tutorial (the tutorials left "
                                       "TensorFlow)", "2.0")},
    refusal="tfgraph.legacy provides the MNIST tutorial's input_data and mnist modules only. "
            "In TensorFlow 2, load MNIST with tf.keras.datasets.mnist.load_data().")
_TUTORIALS = Namespace("tensorflow.examples.tutorials", members={"mnist": _MNIST},
                       refusal="tfgraph.legacy provides only the MNIST tutorial's modules. In "
                               "TensorFlow 2, the examples are in the tensorflow/models "
                               "repository.")
EXAMPLES = Namespace("tensorflow.examples", members={"tutorials": _TUTORIALS},
                     refusal="tfgraph.legacy provides only the MNIST tutorial's modules. In "
                               "TensorFlow 2, the examples are in the tensorflow/models "
                               "repository.")
