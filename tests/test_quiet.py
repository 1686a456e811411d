"""A quiet, fast start: TensorFlow imported on first use, its start-up noise filtered, real errors kept."""
import os
import threading
from pathlib import Path

import pytest

from tfgraph import quiet
from tests.helpers import run_python, start_python

ROOT = Path(__file__).resolve().parents[1]
STARTUP_LOG = ("I0000 ", "W0000 ", "E0000 ")  # how absl's lines begin


def test_a_lesson_starts_with_its_own_line_and_no_tensorflow_noise(tmp_path):
    process = run_python("-m", "lessons.multiplication", "--logdir", str(tmp_path))
    assert process.returncode == 0, process.stderr
    assert process.stdout.startswith("Settings: ")
    assert not any(noise in process.stderr for noise in quiet.NOISE), process.stderr
    assert not any(line.startswith(STARTUP_LOG) for line in process.stderr.splitlines()), process.stderr


@pytest.mark.slow
def test_tfgraph_verbose_shows_everything(tmp_path):
    process = run_python("-m", "lessons.multiplication", "--logdir", str(tmp_path), env={"TFGRAPH_VERBOSE": "1"})
    assert process.returncode == 0, process.stderr
    assert any(noise in process.stderr for noise in quiet.NOISE), process.stderr  # on every machine: absl's notice


@pytest.mark.parametrize("flags", [["--help"], ["--epochs", "x"], ["--no-such-flag"]])
def test_help_and_flag_errors_do_not_import_tensorflow(flags):
    process = run_python("-X", "importtime", "-m", "lessons.cnn", *flags)
    imported = {line.split("|")[-1].strip() for line in process.stderr.splitlines() if line.startswith("import time:")}
    assert "numpy" in imported and not any(name.startswith("tensorflow.") for name in imported)
    messages = [line for line in process.stderr.splitlines() if not line.startswith("import time:")]
    if flags == ["--help"]:
        assert process.returncode == 0 and process.stdout.startswith("usage: python -m lessons.cnn")
    else:  # the error first, then where the rest is: not the whole usage
        assert process.returncode == 2 and process.stdout == ""
        assert messages[0].startswith("python -m lessons.cnn: error: ")
        assert messages[1:] == ["See the flags and their defaults with: python -m lessons.cnn --help"]


def test_the_stand_in_becomes_tensorflow_on_first_use():
    process = run_python(code="""
        import sys, lessons
        import tensorflow as tf
        tf1 = tf.compat.v1
        print(type(sys.modules["tensorflow"]).__name__, repr(tf1))
        graph = tf.Graph()
        with graph.as_default():
            x = tf1.placeholder(tf.float32, [None, 2])
            y = tf.reduce_sum(x * 3)
            with tf1.Session() as sess:
                print(sess.run(y, {x: [[1, 2]]}))
        import tensorflow.compat.v1 as direct
        print(type(sys.modules["tensorflow"]).__name__, direct.placeholder is tf1.placeholder, tf.Graph is type(graph))
        """)
    assert process.returncode == 0, process.stderr
    assert process.stdout.splitlines() == [
        "LazyTensorFlow <tensorflow.compat.v1, imported on first use>", "9.0", "module True True"]
    assert process.stderr == ""


@pytest.mark.slow
def test_real_tensorflow_errors_and_warnings_still_reach_the_user():
    process = run_python(code="""
        import lessons
        import tensorflow as tf
        graph = tf.Graph()
        with graph.as_default():
            a = tf.compat.v1.placeholder(tf.float32, [None, None])
            product = tf.matmul(a, a)
            with tf.compat.v1.Session() as sess:
                sess.run(product, {a: [[1.0, 2.0, 3.0]]})  # (1, 3) x (1, 3): a shape error at run time
        """)
    assert process.returncode == 1
    assert "InvalidArgumentError" in process.stderr and "Matrix size-incompatible" in process.stderr
    assert any(line.startswith("W0000 ") and "INVALID_ARGUMENT" in line  # TensorFlow's own C++ warning
               for line in process.stderr.splitlines()), process.stderr


def test_filtered_stderr_keeps_every_line_that_is_not_known_noise(capfd):
    with quiet.filtered_stderr():
        os.write(2, b"I0000 00:00 port.cc:153] oneDNN custom operations are on. You may see...\n")
        os.write(2, b"E0000 something real went wrong\n")
        os.write(2, b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n")
    assert capfd.readouterr().err == "E0000 something real went wrong\n"


def test_filtered_stderr_gives_the_terminal_back_after_an_error(capfd):
    with pytest.raises(ImportError):
        with quiet.filtered_stderr():
            os.write(2, b"the reason it failed\n")
            raise ImportError("broken install")
    os.write(2, b"after\n")
    assert capfd.readouterr().err == "the reason it failed\nafter\n"


# A TensorFlow whose import dies: what it wrote before dying must reach the user, once, without the noise.
FAKE_TENSORFLOW = '''
import os
os.write(2, b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\\n")
os.write(2, b"F0000 00:00 cpu_feature_guard.cc:1] The TensorFlow library was compiled to use AVX512 instructions\\n")
how = os.environ["FAKE_TF_DIES"]
if how == "abort":
    os.abort()
elif how == "segfault":
    import ctypes
    ctypes.string_at(0)
elif how == "exit":
    os._exit(1)
raise ImportError("libtensorflow_framework.so.2: cannot open shared object file")
'''
REASON = "The TensorFlow library was compiled to use AVX512 instructions"


def run_with_a_fake_tensorflow(tmp_path, how):
    (tmp_path / "fake" / "tensorflow").mkdir(parents=True)
    (tmp_path / "fake" / "tensorflow" / "__init__.py").write_text(FAKE_TENSORFLOW)
    return run_python("-m", "lessons.multiplication", "--logdir", str(tmp_path / "logs"), timeout=120,
                      env={"PYTHONPATH": f"{tmp_path / 'fake'}{os.pathsep}{ROOT}", "FAKE_TF_DIES": how})


@pytest.mark.parametrize("how, status", [("abort", -6), ("segfault", -11), ("exit", 1)])
def test_an_import_that_kills_the_process_still_shows_why(tmp_path, how, status):
    process = run_with_a_fake_tensorflow(tmp_path, how)
    assert process.returncode == status
    assert process.stderr.count(REASON) == 1, process.stderr
    assert not any(noise in process.stderr for noise in quiet.NOISE)


def test_a_failed_import_is_reported_once_in_one_paragraph(tmp_path):
    process = run_with_a_fake_tensorflow(tmp_path, "raise")
    assert process.returncode == 1 and "Traceback" not in process.stderr
    assert process.stderr.count(REASON) == 1
    assert process.stderr.count("TensorFlow could not be imported (ImportError: libtensorflow_framework.so.2") == 1
    assert not (tmp_path / "logs").exists()


def tensorboard_start_lines(logdir, *flags, env=None):
    """The lines `tensorboard --logdir logdir flags...` writes before its address line, and that line."""
    process = start_python("-m", "tensorboard.main", "--logdir", str(logdir), "--host", "127.0.0.1", "--port", "0",
                           *flags, env=env)
    watchdog = threading.Timer(180, process.kill)
    watchdog.start()
    try:
        lines = []
        for line in process.stderr:
            lines.append(line.rstrip("\n"))
            if line.startswith("TensorBoard ") and " at http://" in line:
                return lines[:-1], lines[-1]
        raise AssertionError(f"TensorBoard never said where it serves:\n{lines}")
    finally:
        watchdog.cancel()
        process.terminate()
        process.wait(timeout=60)
        process.stderr.close()
        process.stdout.close()


@pytest.mark.slow
def test_tensorboards_own_start_up_messages_are_the_ones_the_troubleshooting_page_names(tmp_path):
    named = ("All log messages before absl::InitializeLog()", "oneDNN custom operations are on",
             "Could not find cuda drivers")
    lines, address = tensorboard_start_lines(tmp_path)
    unexplained = [line for line in lines if line.strip() and not any(known in line for known in quiet.NOISE)
                   and not line.startswith(("NOTE: Using experimental fast data loading", '    "--load_fast=false"',
                                            "    https://github.com/tensorflow/tensorboard"))]
    assert not unexplained, unexplained
    assert address.startswith("TensorBoard ") and "127.0.0.1" in address
    lines, _ = tensorboard_start_lines(tmp_path, "--load_fast=false", env={"TF_CPP_MIN_LOG_LEVEL": "3"})
    assert lines and all(any(known in line for known in named) for line in lines if line.strip()), lines
