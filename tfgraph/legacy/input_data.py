"""`tensorflow.examples.tutorials.mnist.input_data`, as TensorFlow 1.x tutorials used it.

``read_data_sets(train_dir, one_hot=...)`` takes TensorFlow 1.x's arguments, in
its order, and serves the data with `tfgraph.mnist`: ``.train``, ``.validation``,
``.test``, each a `DataSet` whose ``next_batch(batch_size, fake_data=False,
shuffle=True)`` takes TensorFlow 1.x's arguments in TensorFlow 1.x's order:

- when ``train_dir`` holds MNIST files, they are used (and verified), as before;
- otherwise the per-user cache of `tfgraph.mnist` is used, fetched there once, so
  each old script does not download its own copy into its own ``MNIST_data/``;
- with the environment variable ``TFGRAPH_MNIST_SAMPLE=1`` (or `python -m
  tfgraph.legacy --sample`), the small sample shipped with tfgraph is used instead,
  with no network: 5,000 training, 1,000 validation and 1,000 test images;
- with ``fake_data=True``, TensorFlow 1.x's fake data sets: every image all ones,
  every label 0 (one-hot: class 0), 10,000 of them, as ``fully_connected_feed.py
  --fake_data`` used them for a quick check of the graph.
"""
import os
from pathlib import Path

import numpy as np

from tfgraph import mnist
from tfgraph.legacy._notes import note

FAKE_SIZE = 10000

#: Set this environment variable to 1 to read the shipped sample instead of MNIST.
SAMPLE_ENV = "TFGRAPH_MNIST_SAMPLE"
SAMPLE_VALIDATION_SIZE = 1000


def sample_requested():
    """True when ``$TFGRAPH_MNIST_SAMPLE`` asks for the shipped sample."""
    return os.environ.get(SAMPLE_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def _numpy_dtype(dtype):
    """tf.float32 / tf.uint8 (or their NumPy or string spellings) as a NumPy dtype."""
    return np.dtype(getattr(dtype, "as_numpy_dtype", dtype))


class DataSet(mnist.DataSet):
    """tfgraph.mnist's DataSet with TensorFlow 1.x's constructor and next_batch argument order."""

    _fake = False
    _fake_one_hot = False

    def __init__(self, images, labels, fake_data=False, one_hot=False, dtype=np.float32,
                 reshape=True, seed=None):
        """TensorFlow 1.x's DataSet(images, labels, fake_data, one_hot, dtype, reshape, seed)."""
        if fake_data:
            images, labels = np.zeros((0, mnist.ROWS * mnist.COLS)), np.zeros(0, np.int64)
            self._fake, self._fake_one_hot, one_hot = True, one_hot, False
        super().__init__(images, labels, one_hot=one_hot, reshape=reshape,
                         dtype=_numpy_dtype(dtype), seed=seed)

    @property
    def num_examples(self):
        """How many examples this split holds (10,000 for fake data, as in TensorFlow 1.x)."""
        return FAKE_SIZE if self._fake else super().num_examples

    def next_batch(self, batch_size, fake_data=False, shuffle=True):
        """The next ``(images, labels)`` batch; with ``fake_data``, TensorFlow 1.x's fake one."""
        if fake_data or self._fake:
            image = [1.0] * (mnist.ROWS * mnist.COLS)
            label = [1] + [0] * (mnist.NUM_CLASSES - 1) if self._fake_one_hot else 0
            return [image] * batch_size, [label] * batch_size
        return super().next_batch(batch_size, shuffle=shuffle)


def _adopted(datasets, one_hot):
    """The splits of tfgraph.mnist as this module's DataSet (same data, TensorFlow 1.x's next_batch)."""
    for split in datasets if isinstance(datasets, tuple) else ():
        split.__class__ = DataSet
        split._fake_one_hot = one_hot
    return datasets


def read_data_sets(train_dir, fake_data=False, one_hot=False, dtype=np.float32, reshape=True,
                   validation_size=5000, seed=None, source_url=None):
    """TensorFlow 1.x's read_data_sets: MNIST's train, validation and test splits."""
    if fake_data:
        fake = [DataSet([], [], fake_data=True, one_hot=one_hot, seed=seed) for _ in range(3)]
        return mnist.Datasets(*fake)
    options = dict(one_hot=one_hot, reshape=reshape, seed=seed, dtype=_numpy_dtype(dtype))
    if sample_requested():
        note("mnist-sample", f"{SAMPLE_ENV} is set: reading the MNIST sample shipped with "
                             f"tfgraph, not {train_dir}")
        return _adopted(mnist.load_sample(
            validation_size=min(validation_size, SAMPLE_VALIDATION_SIZE), **options), one_hot)
    folder = Path(train_dir or mnist.default_data_dir())
    if not any((folder / name).exists() or (folder / (name + ".gz")).exists()
               for name in mnist.FILES):
        folder = mnist.default_data_dir()
        if train_dir:
            note("mnist-cache", f"{train_dir} holds no MNIST files: using tfgraph's MNIST "
                                f"cache, {folder}")
    mirrors = None if source_url is None else [source_url]
    return _adopted(mnist.read_data_sets(folder, validation_size=validation_size,
                                         mirrors=mirrors, **options), one_hot)
