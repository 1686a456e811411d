"""tfgraph.legacy, issue 28 and the runner's part of issue 25: old scripts of our own, run unchanged.

Each script of tests/legacy_scripts/ used here (written in the style of 2016-18 course
code) runs through `python -m tfgraph.legacy` in a subprocess; they all start at once,
since each pays for a TensorFlow import, and each test then reads its run's outputs.
Those that train a model are marked slow (together about a minute of CPU). Ctrl-C is
sent to one run by its own process id.
"""
import signal
import subprocess
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import run_python, start_python

SCRIPTS = Path(__file__).resolve().parent / "legacy_scripts"


ENV = {"MPLBACKEND": "Agg", "TFGRAPH_MNIST_SAMPLE": "0"}  # full MNIST unless --sample


class Run:
    """``python -m tfgraph.legacy args`` started in ``folder``; ``result()`` waits for it once."""

    def __init__(self, args, folder, name):
        self.folder = folder
        self.out = open(folder / f"{name}.out", "w+")
        self.err = open(folder / f"{name}.err", "w+")
        self.process = start_python("-m", "tfgraph.legacy", *map(str, args), cwd=folder, env=ENV,
                                    stdout=self.out, stderr=self.err, stdin=subprocess.DEVNULL)
        self.done = None

    def result(self, timeout=300):
        """(exit status, stdout, stderr)."""
        if self.done is None:
            try:
                status = self.process.wait(timeout=timeout)
            finally:
                if self.process.poll() is None:
                    self.process.kill()
                    self.process.wait()
            self.out.seek(0)
            self.err.seek(0)
            self.done = status, self.out.read(), self.err.read()
            self.out.close()
            self.err.close()
        return self.done


def write(folder, name, source):
    path = folder / name
    path.write_text(textwrap.dedent(source).lstrip())
    return path


def interrupt_when_ready(run, timeout=120):
    """Send SIGINT (Ctrl-C) to ``run`` once its script printed "ready"."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and run.process.poll() is None:
        if "ready" in (run.folder / "ctrl_c.out").read_text():
            run.process.send_signal(signal.SIGINT)
            return True
        time.sleep(0.2)
    return False


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The course-style scripts' runs, started side by side (each trains a small model)."""
    folder = tmp_path_factory.mktemp("legacy_scripts")
    (folder / "restore").mkdir()
    started = {
        "char_rnn": Run([SCRIPTS / "old_char_rnn.py"], folder, "char_rnn"),
        "seq2seq": Run(["--quiet", SCRIPTS / "old_seq2seq.py"], folder, "seq2seq"),
        "arg_scope": Run(["--quiet", "--sample", SCRIPTS / "old_arg_scope.py"], folder,
                         "arg_scope"),
        "restore": Run([SCRIPTS / "old_restore.py", folder / "restore"], folder, "restore"),
        "eager": Run(["--quiet", SCRIPTS / "old_eager.py"], folder, "eager"),
        "canned": Run(["--quiet", "--sample", SCRIPTS / "old_canned.py", folder / "canned",
                       "200"], folder, "canned"),
    }
    yield {"runs": started, "folder": folder}
    for run in started.values():
        if run.process.poll() is None:
            run.process.kill()
            run.process.wait()


@pytest.fixture(scope="module")
def stops(tmp_path_factory):
    """Two runs that stop on KeyboardInterrupt: raised by the script, and Ctrl-C sent to the runner."""
    folder = tmp_path_factory.mktemp("legacy_stops")
    own = write(folder, "own_stderr.py", """
        import sys
        print("the script's own first line", file=sys.stderr)
        import tensorflow as tf
        print(tf.Session().run(tf.constant(2) * 3))
        raise KeyboardInterrupt
    """)
    waits = write(folder, "waits.py", """
        import time
        import tensorflow as tf
        print(tf.Session().run(tf.constant(1)), "ready", flush=True)
        time.sleep(120)
    """)
    started = {"own_stderr": Run(["--quiet", own], folder, "own_stderr"),
               "ctrl_c": Run(["--quiet", waits], folder, "ctrl_c")}
    sent = interrupt_when_ready(started["ctrl_c"])
    yield {"runs": started, "sent": sent}
    for run in started.values():
        if run.process.poll() is None:
            run.process.kill()
            run.process.wait()


def outcome(runs, name):
    status, out, err = runs["runs"][name].result()
    assert status == 0, err[-3000:]
    return out, err


def line(out, start):
    """The rest of the one line of ``out`` that starts with ``start``."""
    found = [text[len(start):].strip() for text in out.splitlines() if text.startswith(start)]
    assert len(found) == 1, out
    return found[0]


@pytest.mark.slow
def test_char_rnn_with_sequence_loss_learns_its_string(runs):
    out, err = outcome(runs, "char_rnn")
    assert line(out, "sampled:") == "hello, old tensorflow!"
    assert float(line(out, "loss:")) < 0.05
    assert "tf.contrib.seq2seq.sequence_loss is" in err
    # TensorFlow started quietly: the first line on stderr is the runner's own note.
    assert err.splitlines()[0].startswith("[legacy] ")


@pytest.mark.slow
def test_legacy_seq2seq_and_output_projection(runs):
    out, err = outcome(runs, "seq2seq")
    assert err == ""  # --quiet, and TensorFlow's start-up lines filtered
    assert line(out, "char-rnn:") == "to be or not to be"
    assert line(out, "wave loss fell:") == "True"
    assert line(out, "seq2seq loss fell:") == "True"
    names = line(out, "variables:").split()
    for name in ("wave/rnn/output_projection_wrapper/kernel",
                 "wave/rnn/output_projection_wrapper/basic_rnn_cell/kernel",
                 "rnnlm/rnnlm/multi_rnn_cell/cell_1/basic_lstm_cell/kernel",
                 "embedding_rnn_seq2seq/rnn/embedding_wrapper/embedding",
                 "embedding_rnn_seq2seq/embedding_rnn_decoder/embedding",
                 "embedding_rnn_seq2seq/embedding_rnn_decoder/rnn_decoder/"
                 "output_projection_wrapper/kernel"):
        assert name in names


@pytest.mark.slow
def test_arg_scope_and_batch_norm_in_place_and_in_update_ops(runs):
    out, _ = outcome(runs, "arg_scope")
    assert float(line(out, "in place accuracy:")) > 0.85  # 10 classes: chance is 0.1
    assert float(line(out, "update_ops accuracy:")) > 0.85
    assert line(out, "update ops:") == "2"  # the second net's two moving averages only
    assert line(out, "moving mean moved:") == "True"


@pytest.mark.slow
def test_variable_fetched_by_name_gives_its_saved_value(runs):
    import tensorflow as tf
    out, err = outcome(runs, "restore")
    assert line(out, "kernel:") == "float32 (3, 4)"
    assert line(out, "theta:") == "float32 (4, 1)"
    assert line(out, "sum matches:") == "True"
    assert float(line(out, "mse:")) < 1.0
    fetched = np.load(runs["folder"] / "restore" / "fetched.npz")
    saved = tf.train.load_checkpoint(str(runs["folder"] / "restore" / "model.ckpt"))
    for key, name in (("kernel", "hidden1/kernel"), ("bias", "hidden1/bias"),
                      ("theta", "theta")):
        np.testing.assert_array_equal(fetched[key], saved.get_tensor(name))
    assert "hidden1/kernel:0 names a variable: its value is fetched" in err


@pytest.mark.slow
def test_eager_script_runs_eagerly(runs):
    out, _ = outcome(runs, "eager")
    assert line(out, "grad:") == "6.0 gradgrad: 2.0"
    assert line(out, "fit:") == "W = 3.00, B = 2.00"
    assert float(line(out, "accuracy:")) > 0.9
    assert line(out, "variables:") == "4 eager: True"


def largest_constant(folder):
    """Bytes of the largest constant in the graphs written under ``folder`` (.meta files)."""
    import tensorflow as tf
    sizes = [0]
    for meta in folder.rglob("*.meta"):
        graph = tf.compat.v1.MetaGraphDef.FromString(meta.read_bytes()).graph_def
        sizes += [len(node.attr["value"].tensor.SerializeToString()) for node in graph.node
                  if node.op == "Const"]
    return max(sizes)


@pytest.mark.slow
def test_canned_estimators_from_numpy_input_fn_keep_the_data_out_of_the_graph(runs):
    out, _ = outcome(runs, "canned")
    assert float(line(out, "dnn accuracy:")) > 0.85
    assert float(line(out, "linear accuracy:")) > 0.8
    assert line(out, "dnn global_step:") == "200"
    predicted, true = line(out, "predicted classes:").split(), line(out, "true classes:").split()
    assert sum(p == t for p, t in zip(predicted, true)) >= 7
    assert line(out, "dnn variables:").split() == [
        "dnn/hiddenlayer_0/bias", "dnn/hiddenlayer_0/kernel", "dnn/hiddenlayer_1/bias",
        "dnn/hiddenlayer_1/kernel", "dnn/logits/bias", "dnn/logits/kernel", "global_step"]
    model_dir = runs["folder"] / "canned"
    assert list(model_dir.rglob("*.meta")) and list(model_dir.rglob("graph.pbtxt"))
    # The 5,000 training images are 15.7 MB as float32: no graph written holds them.
    assert largest_constant(model_dir) < 1e6
    assert max(path.stat().st_size for path in model_dir.rglob("graph.pbtxt")) < 1e6


def test_first_stderr_line_is_the_scripts_and_keyboard_interrupt_is_one_line(stops):
    status, out, err = stops["runs"]["own_stderr"].result()
    assert status == 130
    assert out == "6\n"
    assert err.splitlines() == [
        "the script's own first line",
        "python -m tfgraph.legacy: interrupted at own_stderr.py, line 5 (KeyboardInterrupt); "
        "exit status 130"]


def test_ctrl_c_on_the_runner_exits_130_with_one_line(stops):
    assert stops["sent"]
    status, out, err = stops["runs"]["ctrl_c"].result()
    assert status == 130
    assert out == "1 ready\n"
    assert err.splitlines() == ["python -m tfgraph.legacy: interrupted at waits.py, line 4 "
                                "(KeyboardInterrupt); exit status 130"]


def test_missing_script_is_answered_before_tensorflow_starts(tmp_path):
    probe = ("import runpy, sys\n"
             "sys.argv = ['tfgraph.legacy', 'no_such_script.py']\n"
             "try:\n"
             "    runpy.run_module('tfgraph.legacy', run_name='__main__', alter_sys=True)\n"
             "except SystemExit as e:\n"
             "    print(e.code, 'tensorflow' in sys.modules)\n")
    checked = run_python(code=probe, cwd=tmp_path, env=ENV, timeout=60)
    assert checked.stdout == "2 False\n"  # exit status 2, and TensorFlow never imported
    run = run_python("-m", "tfgraph.legacy", "no_such_script.py", "x", cwd=tmp_path, env=ENV,
                     timeout=60)
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.splitlines() == [
        f"python -m tfgraph.legacy: can't open file 'no_such_script.py': no such file. Give the "
        f"path of the script to run, relative to {tmp_path} or absolute."]
    assert list(tmp_path.iterdir()) == []  # nothing written
    (tmp_path / "old.py").write_text("print('never run')\n")
    through_a_file = run_python("-m", "tfgraph.legacy", "old.py/x.py", cwd=tmp_path, env=ENV,
                                timeout=60)
    assert through_a_file.returncode == 2 and through_a_file.stdout == ""
    assert through_a_file.stderr.splitlines() == [
        "python -m tfgraph.legacy: can't open file 'old.py/x.py': Not a directory. Check that it "
        "is a file you may read (ls -l old.py/x.py)."]
