"""MNIST's IDX files read into arrays, and the DataSet that serves them in mini-batches.

The part of ``tfgraph.mnist`` that needs no network: reading and checking IDX
files, checksums of their content, and TensorFlow 1.x's ``DataSet`` /
``read_data_sets`` splits. Import it through ``tfgraph.mnist``, which re-exports
every public name; like it, this module needs only the standard library and numpy.
"""
import gzip
import hashlib
import numbers
import struct
import zlib
from pathlib import Path
from typing import NamedTuple

import numpy as np

from tfgraph.errors import MNISTError

FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)
TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS = FILES
ROWS = COLS = 28
NUM_CLASSES = 10
_UBYTE = 0x08          # IDX type code for unsigned bytes


def _read_bytes(path):
    """Return the (uncompressed) content of ``path``, or raise MNISTError."""
    path = Path(path)
    try:
        if path.name.endswith(".gz"):
            with gzip.open(path, "rb") as f:
                return f.read()
        return path.read_bytes()
    except FileNotFoundError:
        raise MNISTError(f"The MNIST file {path} does not exist. Check the path.") from None
    except IsADirectoryError:
        raise MNISTError(
            f"{path} is a folder, but an MNIST file should be there. Move the folder "
            f"away, or give the path of the file itself.") from None
    except (OSError, EOFError, zlib.error) as e:
        raise MNISTError(
            f"The MNIST file {path} cannot be read: it is not a valid gzip file or "
            f"is cut short ({e}). Delete it so it is fetched again.") from None


def _dims_text(dims):
    return " x ".join(str(d) for d in dims)


def read_idx(path, *, expect_ndim=None, expect_item_shape=None):
    """Read an IDX file of unsigned bytes (gzipped if its name ends in .gz) into a uint8 array.

    ``expect_ndim`` and ``expect_item_shape`` (the shape after the first
    dimension, e.g. ``(28, 28)`` for images) make a file of the wrong kind, such
    as a labels file saved under an images file's name, a clear error.
    """
    path = Path(path)
    data = _read_bytes(path)
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise MNISTError(
            f"{path} is not an IDX file: it does not start with the IDX magic "
            f"number (two zero bytes, a type code, a dimension count). Delete it so "
            f"it is fetched again, or replace it with the original MNIST file.")
    dtype_code, ndim = data[2], data[3]
    if dtype_code != _UBYTE:
        raise MNISTError(
            f"{path} holds IDX data of type 0x{dtype_code:02x}, but MNIST files hold "
            f"unsigned bytes (type 0x08). Replace it with the original MNIST file.")
    header = 4 + 4 * ndim
    if ndim == 0 or len(data) < header:
        raise MNISTError(
            f"{path} has a damaged IDX header ({ndim} dimensions declared, "
            f"{len(data)} bytes in all). Delete it so it is fetched again.")
    dims = struct.unpack(f">{ndim}I", data[4:header])
    expected = int(np.prod(dims, dtype=np.int64))
    if len(data) - header != expected:
        what = "is cut short" if len(data) - header < expected else "has extra bytes at the end"
        raise MNISTError(
            f"{path} {what}: its header says {_dims_text(dims)} = {expected} bytes of "
            f"data, but it holds {len(data) - header}. Delete it so it is fetched again.")
    if expect_ndim is not None and ndim != expect_ndim:
        kind = "labels" if ndim == 1 else "images" if ndim == 3 else "IDX data"
        raise MNISTError(
            f"{path} holds {kind} with {ndim} dimension(s) ({_dims_text(dims)}), but "
            f"{expect_ndim} were expected here. Is it another MNIST file under this "
            f"name? Put the right file in its place.")
    if expect_item_shape is not None and tuple(dims[1:]) != tuple(expect_item_shape):
        raise MNISTError(
            f"{path} holds items of {_dims_text(dims[1:])}, but "
            f"{_dims_text(expect_item_shape)} were expected (MNIST images are "
            f"{ROWS} x {COLS} pixels). Put the right file in its place.")
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims).copy()


def read_images(path):
    """Read an IDX file of 28 x 28 images (logistic_regression onwards)."""
    return read_idx(path, expect_ndim=3, expect_item_shape=(ROWS, COLS))


def read_labels(path):
    """Read an IDX file of digit labels 0 to 9 (logistic_regression onwards)."""
    labels = read_idx(path, expect_ndim=1)
    if labels.size and labels.max() >= NUM_CLASSES:
        raise MNISTError(
            f"{path} holds a label {int(labels.max())}, but MNIST labels are digits "
            f"0 to 9. Put the original MNIST labels file in its place.")
    return labels


def sha256_of(path, gz):
    """Return the SHA-256 of the uncompressed content of ``path`` (MNISTError if not gzip)."""
    digest = hashlib.sha256()
    try:
        with (gzip.open(path, "rb") if gz else open(path, "rb")) as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
    except (OSError, EOFError, zlib.error) as e:
        raise MNISTError(f"{path} is not a valid gzip file or is cut short ({e}).") from None
    return digest.hexdigest()


class DataSet:
    """One split of MNIST (images and labels) handed out in shuffled mini-batches."""

    def __init__(self, images, labels, *, one_hot=False, reshape=True,
                 dtype=np.float32, seed=None):
        images, labels = np.asarray(images), np.asarray(labels)
        n = len(images)
        if n != len(labels):
            raise MNISTError(
                f"A DataSet needs as many labels as images, but got {n} images and "
                f"{len(labels)} labels. Check that the images and labels files belong "
                f"together.")
        if images.size != n * ROWS * COLS:
            raise MNISTError(
                f"A DataSet needs {ROWS} x {COLS} images, but got an array of shape "
                f"{images.shape}.")
        if (labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer)
                or (n and not 0 <= labels.min() <= labels.max() < NUM_CLASSES)):
            raise MNISTError("A DataSet needs one label per image, each a digit 0 to 9.")
        dtype = np.dtype(dtype)
        if dtype == np.float32:
            images = images.astype(np.float32) / np.float32(255)  # pixels to [0, 1]
        elif dtype == np.uint8:
            images = images.astype(np.uint8)
        else:
            raise MNISTError(f"dtype must be float32 or uint8, not {dtype}.")
        self._images = images.reshape((n, ROWS * COLS) if reshape else (n, ROWS, COLS, 1))
        if one_hot:
            self._labels = np.eye(NUM_CLASSES, dtype=np.float32)[labels]
        else:
            self._labels = labels.astype(np.int64)
        self._rng = np.random.default_rng(seed)
        self._order = np.arange(n)     # the order in which the epoch is walked
        self._index_in_epoch = 0
        self._epochs_completed = 0

    @property
    def images(self):
        """All images, in their original order."""
        return self._images

    @property
    def labels(self):
        """All labels: one-hot float32 rows if ``one_hot``, else int64 digits."""
        return self._labels

    @property
    def num_examples(self):
        """How many examples this split holds."""
        return len(self._images)

    @property
    def epochs_completed(self):
        """How many times ``next_batch`` has walked past the end of the data."""
        return self._epochs_completed

    def next_batch(self, batch_size, shuffle=True):
        """Return the next ``(images, labels)`` batch, moving on to a new epoch as TF1's did.

        With ``shuffle`` the order is shuffled before the first epoch and each new
        one. A batch that crosses the end of an epoch is the rest of that epoch
        followed by the start of the next.
        """
        n = self.num_examples
        if (not isinstance(batch_size, numbers.Integral) or isinstance(batch_size, bool)
                or not 0 < batch_size <= n):
            raise MNISTError(
                f"batch_size must be a whole number from 1 to {n} (the number of "
                f"examples), not {batch_size!r}.")
        start = self._index_in_epoch
        if shuffle and self._epochs_completed == 0 and start == 0:
            self._rng.shuffle(self._order)
        if start + batch_size <= n:
            self._index_in_epoch = start + batch_size
            picked = self._order[start:start + batch_size]
        else:
            rest = self._order[start:].copy()
            self._epochs_completed += 1
            if shuffle:
                self._rng.shuffle(self._order)
            self._index_in_epoch = batch_size - len(rest)
            picked = np.concatenate([rest, self._order[:self._index_in_epoch]])
        return self._images[picked], self._labels[picked]


class Datasets(NamedTuple):
    """The three MNIST splits."""

    train: DataSet
    validation: DataSet
    test: DataSet


def build_datasets(paths, one_hot, reshape, validation_size, seed, dtype):
    """Read the four files ({name: path}) and split off the validation set, as TF1 did."""
    arrays = {}
    for name in FILES:
        print(f"Extracting {paths[name]}", flush=True)
        reader = read_images if "images" in name else read_labels
        arrays[name] = reader(paths[name])
    train_images, train_labels = arrays[TRAIN_IMAGES], arrays[TRAIN_LABELS]
    n = len(train_images)
    if (not isinstance(validation_size, numbers.Integral) or isinstance(validation_size, bool)
            or not 0 <= validation_size <= n):
        raise MNISTError(
            f"validation_size must be a whole number from 0 to {n} (the number of "
            f"training images), not {validation_size!r}.")
    options = dict(one_hot=one_hot, reshape=reshape, dtype=dtype, seed=seed)
    return Datasets(
        train=DataSet(train_images[validation_size:], train_labels[validation_size:], **options),
        validation=DataSet(train_images[:validation_size], train_labels[:validation_size],
                           **options),
        test=DataSet(arrays[TEST_IMAGES], arrays[TEST_LABELS], **options),
    )
