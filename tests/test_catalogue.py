"""The catalogue of bad inputs (README, "When things go wrong"): each gets a clear message, no traceback.

Lessons run in-process through `cli.run`, exactly the path `python -m lessons.<name>`
takes, so each case costs no extra TensorFlow import.
"""
import argparse
import contextlib
import errno
import gzip
import io
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from lessons import (cnn, fully_connected, linear_regression, logistic_regression, modern_net, multiplication,
                     multivariable_regression)
from tfgraph import atomic, callbacks, checkpoints, cli, mnist, runs, summaries
from tfgraph.errors import TfgraphError
from tests.helpers import run_python, start_python

ROOT = Path(__file__).resolve().parents[1]


def run_cli(main, argv, capsys):
    """Run a lesson as the command line does; return (exit status, None if it returned, stdout, stderr)."""
    try:
        cli.run(main, argv)
        status = None  # returned: exit status 0
    except SystemExit as exit_info:
        status = exit_info.code
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return status, out, err


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
    process = start_python(code=code, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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


def test_resume_with_nothing_to_resume(tmp_path, capsys):
    status, _, err = run_cli(fully_connected.main, ["--sample", "--logdir", str(tmp_path), "--resume"], capsys)
    assert status == 1 and "no run of fully_connected with a checkpoint" in err
    status, _, err = run_cli(fully_connected.main, ["--sample", "--resume", str(tmp_path)], capsys)
    assert status == 1 and "is not a run folder" in err


def test_resume_of_a_run_without_checkpoint(tmp_path, capsys):
    fully_connected.main(["--dry-run", "--logdir", str(tmp_path)])
    run_dir = next((tmp_path / "fully_connected").iterdir())
    shutil.rmtree(run_dir / "checkpoints")
    capsys.readouterr()
    status, _, err = run_cli(fully_connected.main, ["--resume", str(run_dir)], capsys)
    assert status == 1 and "There is no checkpoint to resume from" in err


def test_resume_with_a_checkpoint_from_a_different_graph(tmp_path, capsys):
    fully_connected.main(["--sample", "--epochs", "1", "--batch-size", "1000", "--logdir", str(tmp_path)])
    run_dir = next((tmp_path / "fully_connected").iterdir())
    capsys.readouterr()
    status, _, err = run_cli(fully_connected.main, ["--resume", str(run_dir), "--num-hidden", "100", "--epochs", "2"],
                             capsys)
    assert status == 1 and "does not fit the graph built now" in err and "run.json" in err


def test_a_cost_that_turns_nan(tmp_path, capsys):
    status, _, err = run_cli(modern_net.main, ["--sample", "--epochs", "1", "--learning-rate", "1e20",
                                               "--logdir", str(tmp_path)], capsys)
    assert status == 1
    assert "the cost became nan" in err and "smaller learning rate" in err


# ---------------------------------------------------------------- second pass (issues 18 and 16)

LINEAR = ["--device", "cpu", "--checkpoint-every", "0"]


def only_run(logdir, lesson):
    runs = list((Path(logdir) / lesson).iterdir())
    assert len(runs) == 1, runs
    return runs[0]


def test_flags_given_with_resume_are_kept_for_the_next_resume(tmp_path, capsys):
    assert run_cli(linear_regression.main, [*LINEAR, "--epochs", "3", "--logdir", str(tmp_path)], capsys)[0] is None
    status, out, _ = run_cli(linear_regression.main, ["--logdir", str(tmp_path), "--resume", "--epochs", "5"], capsys)
    assert status is None and "Resuming from" in out and "(epoch 4 of 5)" in out
    run_dir = only_run(tmp_path, "linear_regression")
    saved = json.loads((run_dir / "run.json").read_text())["argv"]
    assert saved[-2:] == ["--epochs", "5"] and saved.count("--epochs") == 1 and "--resume" not in saved
    # A plain --resume now knows the run trained 5 epochs: nothing to do, nothing rewritten, exit 0.
    before = {path: path.stat().st_mtime_ns for path in run_dir.rglob("*") if path.name != ".lock"}
    status, out, err = run_cli(linear_regression.main, ["--logdir", str(tmp_path), "--resume"], capsys)
    assert status is None and out.splitlines()[0].startswith(f"Resuming the run {run_dir}")
    assert "This run already finished its 5 epochs; add --epochs N" in out and "Finished" not in out
    assert {path: path.stat().st_mtime_ns for path in run_dir.rglob("*") if path.name != ".lock"} == before


@pytest.mark.parametrize("main, flags", [
    (lambda argv: linear_regression.main(argv), ["--learning-rate", "1e10"]),
    (lambda argv: multivariable_regression.main(argv), ["--learning-rate", "1e10"]),
])
def test_regressions_that_diverge_stop_with_the_nan_paragraph(main, flags, tmp_path, capsys):
    status, out, err = run_cli(main, [*LINEAR, *flags, "--logdir", str(tmp_path)], capsys)
    assert status == 1 and "the cost became" in err and "smaller learning rate" in err
    assert "Predicting" not in out and "Final Error" not in out


@pytest.mark.parametrize("lesson, flags, message", [
    (linear_regression, ["--noise", "nan"], "--noise: must be a number of at least 0"),
    (linear_regression, ["--seed", "-1"], "--seed: must be a whole number from 0 to 4294967295"),
    (fully_connected, ["--checkpoint-every", "-1"], "--checkpoint-every: must be a number of at least 0"),
    (fully_connected, ["--checkpoint-every", "often"], "--checkpoint-every: expected a number"),
    (modern_net, ["--decay", "1"], "--decay: must be at least 0 and below 1"),
    (cnn, ["--decay", "-0.5"], "--decay"),
    (fully_connected, ["--data-dir", ""], "--data-dir: needs a folder name"),
])
def test_second_pass_flags_are_refused_before_anything_is_written(lesson, flags, message, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        lesson.main([*flags, "--logdir", str(tmp_path)])
    assert exit_info.value.code == 2 and message in capsys.readouterr().err
    assert files_under(tmp_path) == []


def test_batch_larger_than_the_sample_in_logistic_regression(tmp_path, capsys):
    status, _, err = run_cli(logistic_regression.main, ["--sample", "--batch-size", "6000", "--logdir", str(tmp_path)],
                             capsys)
    assert status == 1 and "--batch-size 6000 is larger than the 5000 training images" in err
    assert files_under(tmp_path) == []  # refused before a run folder was made


def test_sizes_that_cannot_fit_in_memory(tmp_path, capsys):
    status, _, err = run_cli(linear_regression.main, ["--num-points", str(10 ** 13), "--logdir", str(tmp_path)], capsys)
    assert status == 1 and "--num-points 10000000000000 would need about 640,000.0 GB" in err
    status, _, err = run_cli(multivariable_regression.main, ["--n", str(10 ** 7), "--m", str(10 ** 7)], capsys)
    assert status == 1 and "GB of memory" in err
    status, _, err = run_cli(fully_connected.main, ["--sample", "--num-hidden", str(10 ** 8), "--logdir", str(tmp_path)],
                             capsys)
    assert status == 1 and "The model's 79,400,000,000 weights" in err and "GB of memory" in err
    assert only_run(tmp_path, "fully_connected").name.endswith(",num-hidden=100000000,sample,failed")


def damage(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def test_resume_with_damaged_checkpoints_falls_back_then_explains(tmp_path, capsys):
    run_cli(linear_regression.main, [*LINEAR, "--epochs", "4", "--logdir", str(tmp_path)], capsys)
    folder = only_run(tmp_path, "linear_regression") / "checkpoints"
    damage(folder / "model.ckpt-4.data-00000-of-00001")
    status, out, _ = run_cli(linear_regression.main, ["--logdir", str(tmp_path), "--resume", "--epochs", "6"], capsys)
    assert status is None and "model.ckpt-4 is damaged" in out and "resuming from the previous one" in out
    assert "(epoch 4 of 6)" in out  # from the checkpoint after epoch 3
    for index in folder.glob("model.ckpt-*.index"):
        index.write_bytes(index.read_bytes()[:10])  # a cut .index
    status, _, err = run_cli(linear_regression.main, ["--logdir", str(tmp_path), "--resume", "--epochs", "9"], capsys)
    assert status == 1 and "No checkpoint in" in err and "start a new run without --resume" in err


def test_resume_with_a_malformed_run_json(tmp_path, capsys):
    run_cli(linear_regression.main, [*LINEAR, "--epochs", "2", "--logdir", str(tmp_path)], capsys)
    run_dir = only_run(tmp_path, "linear_regression")
    (run_dir / "run.json").write_text('{"argv": ["--epo')
    status, _, err = run_cli(linear_regression.main, ["--resume", str(run_dir)], capsys)
    assert status == 1 and "damaged run.json" in err and "checkpoints were not touched" in err


def test_a_second_resume_of_a_run_in_use_is_refused(tmp_path, capsys):
    run_cli(linear_regression.main, [*LINEAR, "--epochs", "2", "--logdir", str(tmp_path)], capsys)
    run_dir = only_run(tmp_path, "linear_regression")
    saved = (run_dir / "run.json").read_text()
    holder = runs.lock_run(run_dir)  # as the first --resume's process holds it
    try:
        status, _, err = run_cli(linear_regression.main, ["--resume", str(run_dir), "--epochs", "4"], capsys)
    finally:
        holder.close()
    assert status == 1 and "Another process is training the run" in err
    assert (run_dir / "run.json").read_text() == saved  # nothing rewritten
    status, out, _ = run_cli(linear_regression.main, ["--resume", str(run_dir), "--epochs", "4"], capsys)
    assert status is None and "Resuming from" in out  # once the first one let go


def test_resuming_another_lessons_run_names_the_lesson(tmp_path, capsys):
    run_dir = tmp_path / "fully_connected" / "20260101-000000"
    run_dir.mkdir(parents=True)
    (run_dir / "run.json").write_text(json.dumps({"lesson": "fully_connected", "argv": ["--sample"]}))
    status, _, err = run_cli(modern_net.main, ["--resume", str(run_dir)], capsys)
    assert status == 1 and "is a run of the lesson fully_connected, not modern_net" in err
    assert "python -m lessons.fully_connected --resume" in err and "--keep" not in err and "batch" not in err


def test_a_folder_where_an_mnist_file_belongs(tmp_path, capsys):
    (tmp_path / "train-images-idx3-ubyte").mkdir()
    status, _, err = run_cli(logistic_regression.main, ["--data-dir", str(tmp_path), "--logdir", str(tmp_path / "L")],
                             capsys)
    assert status == 1 and "train-images-idx3-ubyte is a folder" in err


def test_a_full_disk_says_so_and_keeps_the_last_checkpoint(tmp_path, capsys, monkeypatch):
    run_cli(linear_regression.main, [*LINEAR, "--epochs", "2", "--logdir", str(tmp_path)], capsys)
    run_dir = only_run(tmp_path, "linear_regression")

    def full_for_checkpoints(path, data, **options):
        if Path(path).name.startswith("position-"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return atomic.write_json_atomically(path, data, **options)

    monkeypatch.setattr(checkpoints, "write_json_atomically", full_for_checkpoints)
    status, _, err = run_cli(linear_regression.main, ["--resume", str(run_dir), "--epochs", "4"], capsys)
    assert status == 1 and "Cannot save a checkpoint" in err and "disk may be full" in err
    assert "out of memory" not in err
    monkeypatch.undo()
    assert sorted(path.name for path in (run_dir / "checkpoints").glob("position-*")) == ["position-1.json",
                                                                                          "position-2.json"]
    status, out, _ = run_cli(linear_regression.main, ["--resume", str(run_dir), "--epochs", "4"], capsys)
    assert status is None and "(epoch 3 of 4)" in out


@pytest.mark.parametrize("error", [
    tf.errors.ResourceExhaustedError(None, None, "/logs/x/events.out.tfevents; No space left on device"),
    OSError(errno.ENOSPC, "No space left on device", "/logs/x/train/events"),
])
def test_full_disk_errors_are_not_called_out_of_memory(error, capsys):
    def main(argv):
        raise error

    status, _, err = run_cli(main, [], capsys)
    assert status == 1 and "the disk is full" in err and "memory" not in err


def test_an_event_writer_that_fails_on_close_does_not_hide_the_first_error(tmp_path):
    run = runs.Run(tmp_path / "run")
    run.train.close = lambda: (_ for _ in ()).throw(RuntimeError("No space left on device"))
    with pytest.raises(TfgraphError, match="the checkpoint"):
        with run:
            raise TfgraphError("the checkpoint message")
    run = runs.Run(tmp_path / "run2")
    run.train.close = lambda: (_ for _ in ()).throw(RuntimeError("No space left on device"))
    with pytest.raises(TfgraphError, match="Cannot write the TensorBoard events .*disk may be full"):
        run.close()


# ---------------------------------------------------------------- run folders (issue 16)

def test_run_names_say_every_setting_and_dry_runs_are_never_resumed(tmp_path, capsys):
    run_cli(linear_regression.main, [*LINEAR, "--epochs", "3", "--num-points", "50", "--logdir", str(tmp_path)], capsys)
    name = only_run(tmp_path, "linear_regression").name
    assert name.endswith(",lr=0.01,seed=0,epochs=3,num-points=50")
    status, out, _ = run_cli(fully_connected.main, ["--dry-run", "--logdir", str(tmp_path)], capsys)
    assert status is None and "This was a dry run" in out and "say nothing about the lesson" in out
    assert only_run(tmp_path, "fully_connected").name.endswith(",dry-run")
    status, _, err = run_cli(fully_connected.main, ["--logdir", str(tmp_path), "--resume"], capsys)
    assert status == 1 and "dry runs are not picked" in err


def test_a_run_that_fails_before_its_first_checkpoint_is_marked_failed(tmp_path, capsys):
    status, _, _ = run_cli(linear_regression.main, ["--learning-rate", "1e10", "--logdir", str(tmp_path)], capsys)
    assert status == 1 and only_run(tmp_path, "linear_regression").name.endswith(",failed")


def test_run_files_get_the_umasks_modes(tmp_path, capsys):
    previous = os.umask(0o002)
    try:
        run_cli(linear_regression.main, [*LINEAR, "--epochs", "2", "--logdir", str(tmp_path)], capsys)
    finally:
        os.umask(previous)
    run_dir = only_run(tmp_path, "linear_regression")
    for path in [run_dir / "run.json", run_dir / "cost.png", run_dir / "fit.png",
                 *(run_dir / "checkpoints").glob("position-*.json")]:
        assert path.stat().st_mode & 0o777 == 0o664, path
    assert not [path for path in run_dir.rglob("*.tmp")]


def test_the_multiplication_lesson_promises_no_curves(tmp_path, capsys):
    status, out, _ = run_cli(multiplication.main, ["--logdir", str(tmp_path)], capsys)
    assert status is None and "See the graph with:" in out and "curves" not in out


def test_a_decay_rate_flag_type_takes_0_and_refuses_1():
    assert cli.decay_rate("0") == 0 and cli.decay_rate("0.9") == 0.9
    for bad in ("1", "-0.1", "nan", "x"):
        with pytest.raises(argparse.ArgumentTypeError):
            cli.decay_rate(bad)


# ---------------------------------------------------------------- the reliability pass (issue 25)

def tree(folder):
    """Every file under `folder` (the lock file aside) with its bytes: to show that nothing changed."""
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(Path(folder).rglob("*"))
            if path.is_file() and path.name != ".lock"}


def test_every_checkpoint_damaged_changes_nothing_in_the_run(tmp_path, capsys):
    run_cli(linear_regression.main, [*LINEAR, "--epochs", "3", "--logdir", str(tmp_path)], capsys)
    run_dir = only_run(tmp_path, "linear_regression")
    for data in (run_dir / "checkpoints").glob("*.data-*"):
        data.write_bytes(data.read_bytes()[:2])
    before = tree(run_dir)
    status, _, err = run_cli(linear_regression.main, ["--logdir", str(tmp_path), "--resume", "--epochs", "9"], capsys)
    assert status == 1 and "No checkpoint in" in err and "Nothing in the run folder was changed" in err
    assert tree(run_dir) == before  # no run.json rewritten, no events file added


@pytest.mark.parametrize("refused, message", [
    (["--num-hidden", "100"], "does not fit the graph built now"),
    (["--batch-size", "500"], "in batches of 1000"),
])
def test_flags_a_resume_was_refused_for_are_not_saved(refused, message, tmp_path, capsys):
    flags = ["--sample", "--epochs", "1", "--batch-size", "1000", "--test-size", "100", "--logdir", str(tmp_path)]
    run_cli(fully_connected.main, flags, capsys)
    run_dir = only_run(tmp_path, "fully_connected")
    before = tree(run_dir)
    status, _, err = run_cli(fully_connected.main, ["--logdir", str(tmp_path), "--resume", "--epochs", "2", *refused],
                             capsys)
    assert status == 1 and message in err
    assert tree(run_dir) == before
    status, out, _ = run_cli(fully_connected.main, ["--logdir", str(tmp_path), "--resume", "--epochs", "2"], capsys)
    assert status is None and "Resuming from" in out and "Finished training for 2 epochs" in out
    assert json.loads((run_dir / "run.json").read_text())["argv"][-2:] == ["--epochs", "2"]  # saved once it trained


def test_graph_only_and_dry_run_with_resume_leave_the_run_alone(tmp_path, capsys):
    run_cli(linear_regression.main, [*LINEAR, "--epochs", "2", "--logdir", str(tmp_path)], capsys)
    run_dir = only_run(tmp_path, "linear_regression")
    before = tree(run_dir)
    status, out, _ = run_cli(linear_regression.main, ["--logdir", str(tmp_path), "--resume", "--graph-only"], capsys)
    assert status is None and f"the graph of the run {run_dir}" in out
    assert tree(run_dir) == before
    drawn = [path for path in (tmp_path / "linear_regression").iterdir() if path != run_dir]
    assert len(drawn) == 1 and drawn[0].name.endswith(",graph-only") and "=1" not in drawn[0].name
    with pytest.raises(SystemExit) as exit_info:
        linear_regression.main(["--logdir", str(tmp_path), "--resume", "--dry-run"])
    assert exit_info.value.code == 2 and "--dry-run makes a new run" in capsys.readouterr().err
    status, out, _ = run_cli(linear_regression.main, ["--logdir", str(tmp_path), "--resume", "--epochs", "3"], capsys)
    assert status is None and "Resuming from" in out and "(epoch 3 of 3)" in out  # it trains: nothing was saved
    assert tree(run_dir) != before


@pytest.mark.parametrize("lesson, value", [
    (cnn, "99999999999999999999"), (modern_net, "99999999999999999999"), (fully_connected, "9223372036854775808"),
])
def test_a_layer_too_big_to_describe_is_a_flag_error(lesson, value, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        lesson.main(["--num-hidden", value, "--logdir", str(tmp_path)])
    assert exit_info.value.code == 2 and "--num-hidden: must be at most 2,147,483,647 units" in capsys.readouterr().err
    assert files_under(tmp_path) == []


@pytest.mark.parametrize("lesson", [cnn, modern_net])
def test_the_largest_layer_the_flag_takes_meets_the_memory_check(lesson, tmp_path, capsys):
    status, _, err = run_cli(lesson.main, ["--sample", "--num-hidden", "2147483647", "--logdir", str(tmp_path)], capsys)
    assert status == 1 and "GB of memory" in err


def as_nobody_cannot_write(folder):
    """A context in which this process cannot write into `folder`: its mode for a user, nobody's uid for root."""
    @contextlib.contextmanager
    def context():
        if os.geteuid() != 0:
            modes = {path: path.stat().st_mode for path in [folder, *folder.rglob("*")] if path.is_dir()}
            for path in modes:
                path.chmod(0o555)
            try:
                yield
            finally:
                for path, mode in modes.items():
                    path.chmod(mode)
        else:  # root writes anywhere: be nobody for a moment (the folder stays root's)
            os.seteuid(65534)
            try:
                yield
            finally:
                os.seteuid(0)
    return context()


def test_resuming_a_run_folder_that_cannot_be_written(capsys):
    logdir = Path(tempfile.mkdtemp(prefix="tfgraph-read-only-"))  # outside pytest's root-only folders
    try:
        logdir.chmod(0o755)
        run_cli(linear_regression.main, [*LINEAR, "--epochs", "2", "--logdir", str(logdir)], capsys)
        run_dir = only_run(logdir, "linear_regression")
        for path in [run_dir, *run_dir.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        before = tree(run_dir)
        with as_nobody_cannot_write(run_dir):
            status, _, err = run_cli(linear_regression.main, ["--resume", str(run_dir), "--epochs", "4"], capsys)
        assert status == 1 and f"Cannot write in the run folder {run_dir}" in err and "chmod -R u+w" in err
        assert tree(run_dir) == before
    finally:
        shutil.rmtree(logdir)


def test_a_name_the_locale_cannot_encode_is_one_paragraph(tmp_path):
    logdir = os.fsencode(str(tmp_path)) + "/r\u00e9sultats".encode("utf-8")
    process = run_python("-m", "lessons.multiplication", "--logdir", logdir, timeout=120,
                         env={"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"})
    assert process.returncode == 2 and "Traceback" not in process.stderr
    assert "--logdir: the name" in process.stderr and "export LC_ALL=C.UTF-8" in process.stderr
    assert files_under(tmp_path) == []


def test_a_terminal_that_cannot_show_a_character_gets_it_escaped(tmp_path, capsys, monkeypatch):
    ascii_out = io.TextIOWrapper(io.BytesIO(), encoding="ascii", errors="strict", write_through=True)
    monkeypatch.setattr(sys, "stdout", ascii_out)
    status, _, _ = run_cli(multiplication.main, ["--logdir", str(tmp_path / "r\u00e9sultats")], capsys)
    text = ascii_out.buffer.getvalue().decode("ascii")
    assert status is None and "Settings: " in text and "r\\xe9sultats" in text and "6.000000" in text


def test_output_cut_by_a_closed_pipe_ends_quietly(capsys, monkeypatch):
    class ClosedPipe(io.StringIO):
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    with pytest.raises(SystemExit) as exit_info:
        cli.run(lambda argv: print("Settings: ..."), [])
    assert exit_info.value.code == 141 and capsys.readouterr().err == ""


def test_a_reader_gone_before_the_lesson_writes_ends_it_quietly():
    """`... | head -1` for real: the pipe is closed before anything is written (and nothing at exit either)."""
    process = start_python(code="import lessons\nfrom tfgraph import cli\ncli.run(lambda argv: print('Settings: seed=0'))")
    process.stdout.close()
    assert process.wait(timeout=60) == 141
    assert process.stderr.read() == ""


@pytest.mark.slow
def test_head_on_a_lessons_output_ends_it_quietly(tmp_path):
    process = start_python("-m", "lessons.multiplication", "--logdir", str(tmp_path))
    process.stdout.close()
    assert process.wait(timeout=120) == 141
    assert process.stderr.read() == ""


def test_noise_too_large_for_float32_is_not_blamed_on_the_learning_rate(tmp_path, capsys):
    status, _, err = run_cli(linear_regression.main, ["--noise", "1e20", "--logdir", str(tmp_path)], capsys)
    assert status == 1 and "--noise 1e+20" in err and "whatever the learning rate" in err and "about 1e+17" in err
    assert "smaller learning rate" not in err and files_under(tmp_path) == []
    status, out, _ = run_cli(linear_regression.main, ["--noise", "1e17", "--logdir", str(tmp_path)], capsys)
    assert status is None and "Predicting y =" in out  # the largest noise it names still trains


@pytest.mark.parametrize("lesson, flags, logger", [
    (linear_regression, [*LINEAR, "--epochs", "5"], (summaries, "add_scalars")),
    (fully_connected, ["--sample", "--epochs", "2", "--batch-size", "1000", "--test-size", "100"],
     (callbacks, "add_scalars")),
])
def test_a_run_folder_deleted_mid_run_is_not_a_success(lesson, flags, logger, tmp_path, capsys, monkeypatch):
    module, name = logger
    log = getattr(module, name)

    def log_then_delete(writer, step, **values):
        log(writer, step, **values)
        for run_dir in (tmp_path / lesson.__name__.split(".")[-1]).iterdir():
            shutil.rmtree(run_dir)

    monkeypatch.setattr(module, name, log_then_delete)
    status, out, err = run_cli(lesson.main, [*flags, "--logdir", str(tmp_path)], capsys)
    assert status == 1 and "was deleted or moved while the lesson ran" in err
    assert "TensorBoard run:" not in out and "disk may be full" not in err
    assert files_under(tmp_path / lesson.__name__.split(".")[-1]) == []  # nothing made again


def test_a_long_data_dir_is_shortened_in_the_run_name_and_kept_in_run_json(tmp_path, capsys):
    data_dir = "/nowhere/" + "mnist-" * 60  # a 360-character folder name
    status, out, _ = run_cli(fully_connected.main, ["--graph-only", "--data-dir", data_dir, "--logdir", str(tmp_path)],
                             capsys)
    run_dir = only_run(tmp_path, "fully_connected")
    assert status is None and len(os.fsencode(run_dir.name)) <= runs.LONGEST_NAME
    assert re.search(r",data=mnist-mnist-mni~[0-9a-f]{8},graph-only$", run_dir.name), run_dir.name
    assert json.loads((run_dir / "run.json").read_text())["argv"][2] == data_dir


@pytest.mark.parametrize("lesson, note", [
    (linear_regression, "This was a dry run (one epoch): its numbers say nothing about the lesson. "
                        "To train for real, run without --dry-run."),
    (logistic_regression, "This was a dry run (one epoch of 2 batches on the MNIST sample shipped with tfgraph)"),
    (multiplication, "This was a dry run, but this lesson has nothing to shorten: it ran in full."),
])
def test_the_dry_run_closing_line_says_what_the_lesson_shortened(lesson, note, tmp_path, capsys):
    status, out, _ = run_cli(lesson.main, ["--dry-run", "--logdir", str(tmp_path)], capsys)
    assert status is None and note in out


def test_a_dry_run_that_diverges_stops_before_any_summary(tmp_path, capsys):
    status, out, err = run_cli(cnn.main, ["--dry-run", "--learning-rate", "1e30", "--logdir", str(tmp_path)], capsys)
    assert status == 1 and "Training stopped:" in err and "smaller learning rate" in err
    assert "Final accuracy" not in out and "ValueError" not in err


# ---------------------------------------------------------------- the learning-rate table of the troubleshooting page

TROUBLESHOOTING = ROOT / "docs" / "troubleshooting.md"
LESSON_MAINS = {module.__name__.split(".")[-1]: module.main for module in (
    linear_regression, multivariable_regression, logistic_regression, fully_connected, modern_net, cnn)}


def learning_rate_rows():
    """(command, what happens) for each row of the page's "How large a learning rate each lesson takes" table."""
    section = TROUBLESHOOTING.read_text(encoding="utf-8").split("### How large a learning rate each lesson takes")[1]
    section = section.split("\n### ")[0]
    return re.findall(r"^\| `(python -m lessons\.[^`]+)` \| (.+) \|$", section, re.M)


def as_param(command, outcome):
    slow = "lessons.cnn --sample" in command  # a CNN epoch on the sample takes tens of seconds
    return pytest.param(command, outcome, id=command.split("lessons.")[1], marks=[pytest.mark.slow] if slow else [])


def test_the_learning_rate_table_names_every_lesson_that_trains():
    assert {command.split()[2].split(".")[1] for command, _ in learning_rate_rows()} == set(LESSON_MAINS)


@pytest.mark.parametrize("command, outcome", [as_param(*row) for row in learning_rate_rows()])
def test_each_documented_learning_rate_does_what_the_page_says(command, outcome, tmp_path, capsys):
    lesson, *flags = command.split()[2:]
    status, out, err = run_cli(LESSON_MAINS[lesson.split(".")[1]], [*flags, "--device", "cpu", "--logdir",
                                                                      str(tmp_path)], capsys)
    quoted = re.findall(r"`([^`]+)`", outcome)
    if outcome.startswith("**stops**"):
        assert status == 1 and "smaller learning rate" in err and "Final" not in out, err[-500:]
        assert all(text in err for text in quoted), (quoted, err[-500:])
    else:
        assert outcome.startswith("**trains to the end** (exit 0)") and status is None, err[-500:]
        assert all(text in out for text in quoted), (quoted, out[-500:])
        final = [float(value) for value in re.findall(r"^Final accuracy was ([\d.]+)$", out, re.M)]
        for side, bound in re.findall(r"final accuracy (above|below) ([\d.]+)", outcome):
            assert final and (final[-1] > float(bound) if side == "above" else final[-1] < float(bound)), final
