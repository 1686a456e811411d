"""`tensorflow.examples.tutorials.mnist.input_data`, as TensorFlow 1.x tutorials used it.

``read_data_sets(train_dir, one_hot=...)`` takes TensorFlow 1.x's arguments, in
its order, and serves the data with `tfgraph.mnist` (same DataSet API: ``.train``,
``.validation``, ``.test``, ``.images``, ``.labels``, ``next_batch``):

- when ``train_dir`` holds MNIST files, they are used (and verified), as before;
- otherwise the per-user cache of `tfgraph.mnist` is used, fetched there once, so
  each old script does not download its own copy into its own ``MNIST_data/``;
- with the environment variable ``TFGRAPH_MNIST_SAMPLE=1`` (or `python -m
  tfgraph.legacy --sample`), the small sample shipped with tfgraph is used instead,
  with no network: 5,000 training, 1,000 validation and 1,000 test images.
"""
import os
from pathlib import Path

import numpy as np

from tfgraph import mnist
from tfgraph.legacy._core import LegacyError, note

DataSet = mnist.DataSet

#: Set this environment variable to 1 to read the shipped sample instead of MNIST.
SAMPLE_ENV = "TFGRAPH_MNIST_SAMPLE"
SAMPLE_VALIDATION_SIZE = 1000


def sample_requested():
    """True when ``$TFGRAPH_MNIST_SAMPLE`` asks for the shipped sample."""
    return os.environ.get(SAMPLE_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def _numpy_dtype(dtype):
    """tf.float32 / tf.uint8 (or their NumPy or string spellings) as a NumPy dtype."""
    return np.dtype(getattr(dtype, "as_numpy_dtype", dtype))


def read_data_sets(train_dir, fake_data=False, one_hot=False, dtype=np.float32, reshape=True,
                   validation_size=5000, seed=None, source_url=None):
    """TensorFlow 1.x's read_data_sets: MNIST's train, validation and test splits."""
    if fake_data:
        raise LegacyError(
            "read_data_sets(fake_data=True) is not supported: tfgraph.legacy serves real MNIST "
            f"only. For a small data set that needs no network, set {SAMPLE_ENV}=1.")
    options = dict(one_hot=one_hot, reshape=reshape, seed=seed, dtype=_numpy_dtype(dtype))
    if sample_requested():
        note("mnist-sample", f"{SAMPLE_ENV} is set: reading the MNIST sample shipped with "
                             f"tfgraph, not {train_dir}")
        return mnist.load_sample(validation_size=min(validation_size, SAMPLE_VALIDATION_SIZE),
                                 **options)
    folder = Path(train_dir or mnist.default_data_dir())
    if not any((folder / name).exists() or (folder / (name + ".gz")).exists()
               for name in mnist.FILES):
        folder = mnist.default_data_dir()
        if train_dir:
            note("mnist-cache", f"{train_dir} holds no MNIST files: using tfgraph's MNIST "
                                f"cache, {folder}")
    mirrors = None if source_url is None else [source_url]
    return mnist.read_data_sets(folder, validation_size=validation_size, mirrors=mirrors,
                                **options)
