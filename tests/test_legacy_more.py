"""tfgraph.legacy, issue 20 and 19.7: RNNs, NumPy 1.x names, tf.layers, Estimators, the MNIST
tutorial's modules, 0.x nce_loss, display calls, messages, and a ps + worker cluster.

Each script of tests/legacy_scripts/ (written for these tests in the style of 2016-18
tutorials) runs through `python -m tfgraph.legacy` in a subprocess; they start together
since each pays for a TensorFlow import. Fake data and the runner's
messages are checked in tests/test_legacy.py, in its process.
"""
import socket
import subprocess
from pathlib import Path

import pytest

from tests.helpers import start_python

SCRIPTS = Path(__file__).resolve().parent / "legacy_scripts"


def free_port():
    """A port of 127.0.0.1 nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(args, cwd, name):
    """``python -m tfgraph.legacy args`` in ``cwd``, output to files named after ``name``."""
    out, err = open(cwd / f"{name}.out", "w+"), open(cwd / f"{name}.err", "w+")
    process = start_python("-m", "tfgraph.legacy", *args, cwd=cwd,
                           env={"MPLBACKEND": "Agg", "TFGRAPH_MNIST_SAMPLE": "0"},
                           stdout=out, stderr=err, stdin=subprocess.DEVNULL)
    return process, out, err


def finish(run, timeout=240):
    """(exit status, stdout, stderr) of a started run."""
    process, out, err = run
    process.wait(timeout=timeout)
    out.seek(0)
    err.seek(0)
    return process.returncode, out.read(), err.read()


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """Every script's run, started side by side; the ps task is killed by its pid at the end."""
    folder = tmp_path_factory.mktemp("legacy_more")
    ps_port, worker_port = free_port(), free_port()
    hosts = [f"--ps_hosts=127.0.0.1:{ps_port}", f"--worker_hosts=127.0.0.1:{worker_port}"]
    replica = str(SCRIPTS / "old_replica.py")
    ps = start(["--quiet", replica, "--job_name=ps", "--task_index=0", *hosts], folder, "ps")
    ps2_port, worker2_port = free_port(), free_port()
    hosts2 = [f"--ps_hosts=127.0.0.1:{ps2_port}", f"--worker_hosts=127.0.0.1:{worker2_port}"]
    ps2 = start(["--quiet", replica, "--job_name=ps", "--task_index=0", *hosts2], folder, "ps2")
    runs = {
        "worker": start(["--quiet", replica, "--job_name=worker", "--task_index=0",
                         "--sync_replicas", "--train_steps=150", *hosts], folder, "worker"),
        "monitored": start(["--quiet", replica, "--job_name=worker", "--task_index=0",
                            "--sync_replicas", "--monitored", "--train_steps=150", *hosts2],
                           folder, "monitored"),
        "rnn": start([str(SCRIPTS / "old_rnn.py")], folder, "rnn"),
        "estimator": start([str(SCRIPTS / "old_estimator.py"), str(folder / "model")], folder,
                           "estimator"),
        "feed": start(["--sample", str(SCRIPTS / "old_feed.py")], folder, "feed"),
    }
    done = {}
    try:
        for name, run in runs.items():
            done[name] = finish(run)
    finally:
        for task in (ps, ps2):
            task[0].kill()  # server.join() never returns: stopped by its own pid
            task[0].wait(timeout=30)
    done["ps_ports_free"] = _port_free(ps_port) and _port_free(ps2_port)
    return done


def _port_free(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def lines(text, start):
    """The lines of ``text`` that start with ``start``, without it."""
    return [line[len(start):].strip() for line in text.splitlines() if line.startswith(start)]


@pytest.mark.slow
def test_rnn_cells_and_loops_train_with_tf1_variable_names(results):
    status, out, err = results["rnn"]
    assert status == 0, err[-2000:]
    assert lines(out, "shapes:") == ["(3, 8) (3, 8) (3, 6, 5)"]
    names = lines(out, "variables:")[0].split()
    assert "lstm/rnn/basic_lstm_cell/kernel:0" in names
    assert "gru/rnn/multi_rnn_cell/cell_1/gru_cell/gates/kernel:0" in names
    assert "bi/bidirectional_rnn/fw/lstm_cell/kernel:0" in names
    assert "shared/rnn/multi_rnn_cell/cell_1/basic_lstm_cell/kernel:0" in names
    assert "MultiRNNCell([cell] * n) shares one cell since TensorFlow 1.1" in err
    assert float(lines(out, "accuracy:")[0]) > 0.85  # a coin would give 0.5
    assert "tf.nn.rnn is tf.nn.static_rnn since TensorFlow 1.0" not in err  # rnn.rnn, not tf.nn.rnn
    assert "tensorflow.python.ops.rnn.rnn is tf.nn.static_rnn" in err
    assert "is deprecated" not in err  # TensorFlow's own RNN deprecation lines are filtered


@pytest.mark.slow
def test_estimator_layers_numpy_names_and_display(results):
    status, out, err = results["estimator"]
    assert status == 0, err[-2000:]
    assert lines(out, "dtypes:") == ["True True True True"]
    assert lines(out, "global_step:") == ["120"]  # the second train() resumed from the first
    assert float(lines(out, "accuracy:")[0]) > 0.7
    assert lines(out, "predicted:") == ["5 ['classes', 'probabilities']"]
    assert lines(out, "moving_mean saved:") == ["(4,)"]
    assert lines(out, "done") == [""]  # waitforbuttonpress returned
    for text in ("np.float is float", "np.reshape(a, newshape=...)",
                 "plt.waitforbuttonpress() does nothing", "plt.show() does nothing",
                 "tf.layers.batch_normalization is tf.keras.layers.BatchNormalization"):
        assert text in err


@pytest.mark.slow
def test_mnist_tutorial_modules_and_nce_old_order(results):
    status, out, err = results["feed"]
    assert status == 0, err[-2000:]
    assert lines(out, "test examples:") == ["1000"]
    assert float(lines(out, "precision:")[0]) > 0.8
    assert lines(out, "nce fell:") == ["True"]
    assert "tf.nn.nce_loss(weights, biases, inputs, labels) is" in err


@pytest.mark.slow
@pytest.mark.parametrize("run", ["worker", "monitored"])
def test_distributed_script_in_the_official_style(results, run):
    """Supervisor (worker) or MonitoredTrainingSession, both with SyncReplicasOptimizer."""
    status, out, err = results[run]
    assert status == 0, err[-3000:]
    assert lines(out, "w on") == ["/job:ps/task:0 | train on /job:worker/task:0"]
    assert int(lines(out, "steps:")[0]) >= 150
    assert lines(out, "w:") == ["2.00 -3.00"]  # y = 2 x1 - 3 x2 + 0.5, learned on the ps
    assert "Coordinator stopped with threads still running" not in err
    assert results["ps_ports_free"]
