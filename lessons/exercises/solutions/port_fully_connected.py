"""
Solution: port_fully_connected (lesson: tf_function)

The TF1 graph made W_h under the name scopes model/hidden and W_o under model/output, so
its Saver saved them as model/hidden/W_h and model/output/W_o. The module's name_scope
(model) and a tf.name_scope per layer give its Variables the same names plus ':0', so
load_tf1 finds each one's tensor by the Variable's own name. The call is the TF1 graph's,
op for op: sigmoid(images W_h) W_o. The module's logits then match the graph's to float32
rounding (about 1e-7), and so does the test accuracy.
"""
import sys
from pathlib import Path

from tfgraph import quiet

quiet.install()  # TensorFlow starts on first use, without its start-up messages
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from tfgraph import mnist, training  # noqa: E402


class FullyConnected(tf.Module):
    """lessons.fully_connected's network: W_h and W_o as tf.Variables, a call giving the logits."""

    def __init__(self, num_hidden=620):
        super().__init__(name="model")
        with self.name_scope:
            with tf.name_scope("hidden"):
                self.W_h = training.init_weights([784, num_hidden], name="W_h")  # model/hidden/W_h:0
            with tf.name_scope("output"):
                self.W_o = training.init_weights([num_hidden, 10], name="W_o")  # model/output/W_o:0

    def __call__(self, images):
        """The logits (?, 10) for images (?, 784)."""
        return tf.matmul(tf.nn.sigmoid(tf.matmul(images, self.W_h)), self.W_o)


def load_tf1(model, path):
    """Give each Variable of `model` the tensor its name holds in the TF1 checkpoint `path`."""
    reader = tf.train.load_checkpoint(path)
    for variable in model.trainable_variables:
        variable.assign(reader.get_tensor(variable.name.split(":")[0]))  # model/hidden/W_h:0 -> model/hidden/W_h


def variables(num_hidden):
    """What the checker calls first: each Variable of a new FullyConnected(num_hidden), as (name, shape)."""
    model = FullyConnected(num_hidden)
    return [(variable.name, variable.shape.as_list()) for variable in model.trainable_variables]


def port(path, images, num_hidden):
    """What the checker calls next: load `path` into a new FullyConnected; each Variable's (name, value), the logits."""
    model = FullyConnected(num_hidden)
    load_tf1(model, path)
    values = [(variable.name, variable.numpy()) for variable in model.trainable_variables]
    return values, np.asarray(model(images))


def main(argv):
    """Show the module's Variables; given a lessons.fully_connected run, load it and measure the test accuracy."""
    for name, shape in variables(620):
        print(f"  {name:<22} {shape}")
    if not argv:
        print("Now train a TF1 run (python -m lessons.fully_connected --sample --epochs 1) and run this file on "
              "its folder: python port_fully_connected.py RUN_DIR")
        return
    path = tf.train.latest_checkpoint(str(Path(argv[0]) / "checkpoints"))
    if path is None:
        raise SystemExit(f"{argv[0]} holds no checkpoint: give the folder a lessons.fully_connected run printed.")
    data = mnist.load_sample(one_hot=True)
    hidden = next(shape[1] for _, shape in tf.train.list_variables(path) if shape[:1] == [784])  # its --num-hidden
    _, logits = port(path, data.test.images, hidden)
    accuracy = np.mean(np.argmax(logits, 1) == np.argmax(data.test.labels, 1))
    print(f"Loaded {path}: accuracy {accuracy:.4f} on the sample's {len(logits):,} test images.")


if __name__ == "__main__":
    main(sys.argv[1:])
