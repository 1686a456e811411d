"""
Exercise: port_fully_connected (lesson: tf_function, about 20 minutes)

Task: port the fully connected lesson's network to TensorFlow 2 and load a checkpoint
that lessons.fully_connected saved. 1. FullyConnected(num_hidden): a tf.Module holding
the two weight matrices as tf.Variables, named as the TF1 graph named them, whose call
returns the logits for a batch of images (?, 784), computed as the lesson's graph computes
them. 2. load_tf1(model, path): give each of its Variables the tensor that the TF1
checkpoint at `path` holds under that Variable's name. 3. Train a TF1 run
(`python -m lessons.fully_connected --sample --epochs 1` prints its folder at the end)
and run this file on it: `python port_fully_connected.py RUN_DIR`.

A TF1 Saver saved each variable under its graph name, scopes and all;
`tf.train.list_variables(path)` lists them with their shapes, and
`tf.train.load_checkpoint(path).get_tensor(name)` reads one. In TF2 the Variables belong to
an object: `with self.name_scope:` in a tf.Module's __init__ prefixes their names with the
module's name, and tf.name_scope adds more (lessons/tf_function.py's `build_model` and
`load_tf1_weights` do the same for the CNN).

Contract: the checker writes a checkpoint of the lesson's graph (trained a few steps, with
a --num-hidden of its own) and calls variables(num_hidden) and port(path, images,
num_hidden), both given below: they build your module, load it and return plain values.
Check: python -m lessons.exercises check port_fully_connected [this_file.py]
"""
import sys
from pathlib import Path

from tfgraph import quiet

quiet.install()  # TensorFlow starts on first use, without its start-up messages
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from tfgraph import mnist  # noqa: E402


def todo(what):
    """A gap for you to fill: replace the call to todo(...) with your code."""
    raise NotImplementedError(what)


class FullyConnected(tf.Module):
    """lessons.fully_connected's network: W_h and W_o as tf.Variables, a call giving the logits."""

    def __init__(self, num_hidden=620):
        super().__init__(name="model")
        with self.name_scope:
            # TODO: self.W_h (784, num_hidden) and self.W_o (num_hidden, 10) as tf.Variables (their initial
            # values do not matter: load_tf1 replaces them), named as in the TF1 graph: name=..., name scopes.
            self.W_h = todo("make W_h, named as lessons.fully_connected's graph named it")
            self.W_o = todo("make W_o, named as lessons.fully_connected's graph named it")

    def __call__(self, images):
        """The logits (?, 10) for images (?, 784)."""
        # TODO: what lessons.fully_connected's graph computes from X.
        return todo("compute the logits, as the TF1 graph does")


def load_tf1(model, path):
    """Give each Variable of `model` the tensor its name holds in the TF1 checkpoint `path`."""
    # TODO: read the checkpoint (tf.train.load_checkpoint) and assign each of model.trainable_variables
    # the tensor of its name (a Variable's name ends in ':0'; the checkpoint's names do not).
    todo("assign each Variable the checkpoint's tensor of the same name")


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
    try:
        main(sys.argv[1:])
    except NotImplementedError as gap:
        print(f"Not done yet: {gap}.")
