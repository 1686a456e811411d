"""The catalogue of bad inputs (README, "When things go wrong"): each gets a clear message, no traceback.

Lessons run in-process through `cli.run`, exactly the path `python -m lessons.<name>`
takes, so each case costs no extra TensorFlow import.
"""
import errno
import gzip
import os
import shutil
import signal
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from lessons import cnn, fully_connected, logistic_regression, modern_net
from tfgraph import cli, mnist, training

ROOT = Path(__file__).resolve().parents[1]


def run_cli(main, argv, capsys):
    """Run a lesson as the command line does; return (exit status, stdout, stderr)."""
    with pytest.raises(SystemExit) as exit_info:
        cli.run(main, argv)
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return exit_info.value.code, out, err


def files_under(folder):
    return sorted(str(path.relative_to(folder)) for path in Path(folder).rglob("*")) if Path(folder).exists() else []


# ---------------------------------------------------------------- MNIST

def test_mnist_truncated_file(tmp_path, capsys):
    (tmp_path / "train-images-idx3-ubyte").write_bytes(b"\x00\x00\x08\x03" + b"\x00" * 100)
    status, _, err = run_cli(logistic_regression.main, ["--data-dir", str(tmp_path), "--logdir", str(tmp_path / "logs")], capsys)
    assert status == 1
    assert "train-images-idx3-ubyte does not match its SHA-256 checksum" in err and "Delete it" in err
    assert not (tmp_path / "logs").exists()


def test_mnist_wrong_magic_number(tmp_path):
    path = tmp_path / "images-idx3-ubyte"
    path.write_bytes(struct.pack(">BBBB3I", 0, 0, 0x08, 1, 1, 28, 28) + bytes(784))
    with pytest.raises(mnist.MNISTError, match=str(path)):
        mnist.read_idx(path, expect_ndim=3, expect_item_shape=(28, 28))


def test_mnist_checksum_mismatch_is_refused_and_kept(tmp_path, capsys):
    damaged = gzip.compress(b"not mnist at all")
    (tmp_path / "t10k-labels-idx1-ubyte.gz").write_bytes(damaged)
    status, _, err = run_cli(logistic_regression.main, ["--data-dir", str(tmp_path), "--logdir", str(tmp_path / "logs")], capsys)
    assert status == 1 and "checksum" in err
    assert (tmp_path / "t10k-labels-idx1-ubyte.gz").read_bytes() == damaged  # the learner's file is not replaced


def test_mnist_labels_and_images_of_different_lengths():
    with pytest.raises(mnist.MNISTError, match="images but .* labels|labels"):
        mnist.DataSet(np.zeros((5, 28, 28), np.uint8), np.zeros(4, np.uint8))


def test_mnist_no_network_and_no_cache(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TFGRAPH_MNIST_MIRRORS", "http://127.0.0.1:9/")  # nothing listens there
    monkeypatch.setattr(mnist.shutil, "which", lambda name: None)  # and no npm
    status, _, err = run_cli(fully_connected.main, ["--data-dir", str(tmp_path / "data"), "--logdir", str(tmp_path / "logs")], capsys)
    assert status == 1
    for name in mnist.FILES:
        assert name in err
    assert "--sample" in err
    assert files_under(tmp_path / "data") == []


def test_mnist_data_dir_that_cannot_be_written(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    status, _, err = run_cli(cnn.main, ["--data-dir", str(blocker / "mnist"), "--logdir", str(tmp_path / "logs")], capsys)
    assert status == 1 and "--data-dir" in err and "TFGRAPH_DATA_DIR" in err


def test_mnist_full_disk_during_download(tmp_path, monkeypatch):
    def full_disk(source, target, length=0):
        target.write(b"some")
        raise OSError(errno.ENOSPC, "No space left on device")

    class Response:
        def __enter__(self):
            return self

        def __exit__(self, *exc_info):
            return False

    monkeypatch.setattr(mnist.urllib.request, "urlopen", lambda url, timeout: Response())
    monkeypatch.setattr(mnist.shutil, "copyfileobj", full_disk)
    with pytest.raises(mnist.MNISTError, match="No space left on device.*--data-dir"):
        mnist.read_data_sets(tmp_path, mirrors=["https://mirror.invalid/"], use_npm=False)
    assert files_under(tmp_path) == []


def test_mnist_download_killed_then_next_run_starts_clean(tmp_path):
    """SIGKILL a process mid-download from a slow local server; nothing it left is used as data."""
    import http.server

    payload = os.urandom(200_000)

    class Slow(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            for start in range(0, len(payload), 1000):
                self.wfile.write(payload[start:start + 1000])
                time.sleep(0.05)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    code = f"from tfgraph import mnist; mnist.read_data_sets({str(tmp_path)!r}, mirrors=[{url!r}], use_npm=False)"
    process = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 20
        while not list(tmp_path.glob(".*.part")) and time.time() < deadline:
            time.sleep(0.05)
        assert list(tmp_path.glob(".*.part")), "the download never started"
        process.send_signal(signal.SIGKILL)
        process.wait()
    finally:
        server.shutdown()
    assert not any((tmp_path / name).exists() or (tmp_path / (name + ".gz")).exists() for name in mnist.FILES)
    # The next run ignores the leftover and goes on to the next source (none here: a clear error).
    with pytest.raises(mnist.MNISTError, match="train-images-idx3-ubyte"):
        mnist.read_data_sets(tmp_path, mirrors=[], use_npm=False)


# ---------------------------------------------------------------- flags

@pytest.mark.parametrize("flags, message", [
    (["--epochs", "0"], "--epochs: must be at least 1"),
    (["--epochs", "-2"], "--epochs: must be at least 1"),
    (["--batch-size", "0"], "--batch-size: must be at least 1"),
    (["--batch-size", "-3"], "--batch-size: must be at least 1"),
    (["--keep-conv", "0"], "--keep-conv: a keep probability must be greater than 0"),
    (["--keep-hidden", "1.5"], "--keep-hidden: a keep probability"),
    (["--learning-rate", "-0.1"], "--learning-rate: must be a number greater than 0"),
    (["--learning-rate", "nan"], "--learning-rate: must be a number greater than 0"),
    (["--test-size", "0"], "--test-size: must be at least 1"),
    (["--device", "tpu"], "--device: invalid choice"),
])
def test_bad_flag_values_are_refused_with_the_reason(flags, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cnn.main(flags)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_batch_larger_than_the_training_set(tmp_path, capsys):
    status, _, err = run_cli(fully_connected.main, ["--sample", "--batch-size", "6000", "--logdir", str(tmp_path)], capsys)
    assert status == 1 and "batch size of at most 5000" in err


def test_test_size_larger_than_the_test_set(tmp_path, capsys):
    status, _, err = run_cli(fully_connected.main, ["--sample", "--test-size", "2000", "--logdir", str(tmp_path)], capsys)
    assert status == 1 and "test set has only 1000 images" in err


def test_gpu_asked_for_where_none_exists(tmp_path, capsys):
    if tf.config.list_physical_devices("GPU"):
        pytest.skip("this machine has a GPU; the error is for machines without one")
    status, _, err = run_cli(cnn.main, ["--dry-run", "--device", "gpu", "--logdir", str(tmp_path)], capsys)
    assert status == 1 and "TensorFlow sees no GPU" in err and "--device cpu" in err
    assert files_under(tmp_path) == []


# ---------------------------------------------------------------- runs

def test_log_directory_that_cannot_be_written(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    status, _, err = run_cli(fully_connected.main, ["--dry-run", "--logdir", str(blocker / "logs")], capsys)
    assert status == 1 and "Cannot create the log folder" in err and "--logdir" in err


def test_two_runs_in_the_same_second_keep_their_own_folders(tmp_path):
    command = [sys.executable, "-m", "lessons.multiplication", "--logdir", str(tmp_path)]
    processes = [subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
                 for _ in range(2)]
    assert [process.wait(timeout=120) for process in processes] == [0, 0]
    runs = list((tmp_path / "multiplication").iterdir())
    assert len(runs) == 2
    for run in runs:
        assert len(list((run / "train").glob("events.out.tfevents.*"))) == 1


def test_resume_with_nothing_to_resume(tmp_path, capsys):
    status, _, err = run_cli(fully_connected.main, ["--dry-run", "--logdir", str(tmp_path), "--resume"], capsys)
    assert status == 1 and "no run of fully_connected with a checkpoint" in err
    status, _, err = run_cli(fully_connected.main, ["--dry-run", "--resume", str(tmp_path)], capsys)
    assert status == 1 and "is not a run folder" in err


def test_resume_of_a_run_without_checkpoint(tmp_path, capsys):
    fully_connected.main(["--dry-run", "--logdir", str(tmp_path)])
    run_dir = next((tmp_path / "fully_connected").iterdir())
    shutil.rmtree(run_dir / "checkpoints")
    capsys.readouterr()
    status, _, err = run_cli(fully_connected.main, ["--resume", str(run_dir)], capsys)
    assert status == 1 and "There is no checkpoint to resume from" in err


def test_resume_with_a_checkpoint_from_a_different_graph(tmp_path, capsys):
    fully_connected.main(["--dry-run", "--logdir", str(tmp_path)])
    run_dir = next((tmp_path / "fully_connected").iterdir())
    capsys.readouterr()
    status, _, err = run_cli(fully_connected.main, ["--resume", str(run_dir), "--num-hidden", "100"], capsys)
    assert status == 1 and "does not fit the graph built now" in err and "run.json" in err


def test_a_cost_that_turns_nan(tmp_path, capsys):
    status, _, err = run_cli(modern_net.main, ["--sample", "--epochs", "1", "--learning-rate", "1e20",
                                               "--logdir", str(tmp_path)], capsys)
    assert status == 1
    assert "the cost became nan" in err and "smaller learning rate" in err
