"""tfgraph.legacy: old TensorFlow code run unchanged, checked against NumPy and by its outputs.

Three old-style scripts (tests/legacy_scripts/) run through `python -m tfgraph.legacy`
in subprocesses started together, since each pays for a TensorFlow import; the rest
runs in this process with `import tfgraph.legacy as tf`, each check in a fresh graph.
The first `tf.<name>` turns eager execution off for the whole process, so the `tf`
fixture gives the module, and eager execution is restored once this module is done.
"""
import builtins
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import restore_eager_tensorflow, start_python
from tfgraph.legacy import input_data
from tfgraph.legacy._notes import LegacyError, UnsupportedError

REPO = Path(__file__).resolve().parent.parent
SCRIPTS = Path(__file__).resolve().parent / "legacy_scripts"
NO_SAMPLE = {"TFGRAPH_MNIST_SAMPLE": "0"}  # the full data set unless a run asks for --sample
TF_LOG_LINE = re.compile(r"^([IWE]\d{4} |WARNING: All log messages|To enable the following)")


@pytest.fixture(scope="module")
def tf():
    """tfgraph.legacy; TensorFlow's eager mode and TensorShape come back after this module."""
    import tfgraph.legacy
    yield tfgraph.legacy
    restore_eager_tensorflow()


def new_graph(tf):
    """A fresh default graph with a seed, so random ops run even under op determinism."""
    graph = tf.Graph()
    graph.seed = 1
    return graph.as_default()


@pytest.fixture(autouse=True)
def fresh_notes():
    """Each test sees every note again, and notes are on."""
    if "tfgraph.legacy._notes" in sys.modules:
        from tfgraph.legacy._notes import reset_notes, set_quiet
        reset_notes()
        set_quiet(False)


def notes(text):
    """The [legacy] notes in ``text`` (stderr), without the prefix."""
    return [line[len("[legacy] "):] for line in text.splitlines() if line.startswith("[legacy] ")]


def stderr_lines(text):
    """stderr without TensorFlow's C++ start-up chatter."""
    return [line for line in text.splitlines() if line.strip() and not TF_LOG_LINE.match(line)]


# --------------------------------------------------------------------------
# Old scripts through `python -m tfgraph.legacy`, in subprocesses run side by side
# --------------------------------------------------------------------------

class Run:
    """A `python -m tfgraph.legacy ...` subprocess; ``result()`` waits for it once."""

    def __init__(self, args, cwd):
        self.cwd = cwd
        self.out, self.err = open(cwd / "stdout.txt", "w+"), open(cwd / "stderr.txt", "w+")
        self.process = start_python("-m", "tfgraph.legacy", *args, cwd=cwd, env=NO_SAMPLE,
                                    stdout=self.out, stderr=self.err, stdin=subprocess.DEVNULL)
        self.done = None

    def result(self):
        if self.done is None:
            try:
                code = self.process.wait(timeout=180)
            except subprocess.TimeoutExpired:
                self.process.kill()
                raise
            self.out.seek(0)
            self.err.seek(0)
            self.done = code, self.out.read(), self.err.read()
            self.out.close()
            self.err.close()
        return self.done


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Start the three script runs at once; each test waits for its own."""
    folders = {name: tmp_path_factory.mktemp(name) for name in ("basics", "logreg", "cnn")}
    (folders["basics"] / "numbers.txt").write_text("1.5 2.5\n6\n")
    started = {
        "basics": Run([str(SCRIPTS / "old_basics.py"), "--exit_code=3", "extra"],
                      folders["basics"]),
        "logreg": Run(["--sample", str(SCRIPTS / "old_logistic_regression.py"), "1000"],
                      folders["logreg"]),
        "cnn": Run(["--sample", "--quiet", str(SCRIPTS / "old_cnn.py"), "400"], folders["cnn"]),
    }
    yield started
    for run in started.values():
        if run.process.poll() is None:
            run.process.kill()


def test_old_script_runs_as_it_would_with_python(runs):
    code, out, err = runs["basics"].result()
    folder = runs["basics"].cwd
    assert code == 3, err  # tf.app.run() exits with main's return value, from --exit_code=3
    lines = out.splitlines()
    assert "name: __main__" in lines
    assert "args: ['extra']" in lines  # flags parsed away, the rest left to main
    assert "product: 6.0" in lines
    slope, offset = map(float, re.search(r"fit: y = (\S+) x \+ (\S+)", out).groups())
    assert abs(slope - 3) < 0.1 and abs(offset + 1) < 0.1
    assert "glued: 5" in lines  # tf.concat(1, [2x2, 2x3]), and shape[1].value
    assert "halves: [[[0, 1, 2]], [[3, 4, 5]]]" in lines  # tf.split(0, 2, value)
    assert "total: 12.0" in lines  # from old_helpers.py, beside the script
    assert f"restored: {slope:.2f}" in lines
    assert "numbers: 10.0" in lines  # numbers.txt read relative to the working folder
    # Relative paths were written in the working folder.
    assert list((folder / "old_logs").glob("events.out.tfevents.*"))
    assert (folder / "checkpoints" / "checkpoint").exists()
    # Notes: on stderr, with the script's file and line, once per name.
    found = notes(err)
    script = str(SCRIPTS / "old_basics.py")
    assert f"{script}, line 24: tf.mul is tf.multiply since TensorFlow 1.0" in found
    assert sum("tf.mul is" in n for n in found) == 1  # used twice, noted once
    assert any(n.startswith(str(SCRIPTS / "old_helpers.py") + ", line 8: reduction_indices=")
               for n in found)
    assert any("tf.train.SummaryWriter is tf.summary.FileWriter since TensorFlow 1.0" in n
               for n in found)
    assert any("tf.initialize_all_variables is tf.global_variables_initializer" in n
               for n in found)
    assert "Traceback" not in err


def final_accuracy(out):
    match = re.search(r"Final accuracy was (\d\.\d+)", out)
    assert match, out
    return float(match.group(1))


def test_old_logistic_regression_learns_on_the_sample(runs):
    code, out, err = runs["logreg"].result()
    assert code == 0, err
    assert final_accuracy(out) > 0.88  # about 0.92 on the sample's 1,000 test images
    assert not (runs["logreg"].cwd / "MNIST_data").exists()  # --sample: no download
    assert any("TFGRAPH_MNIST_SAMPLE is set" in n for n in notes(err))


def test_old_cnn_learns_on_the_sample(runs):
    code, out, err = runs["cnn"].result()
    assert code == 0, err
    assert final_accuracy(out) > 0.93  # about 0.97 after 400 steps
    assert notes(err) == []  # --quiet


# --------------------------------------------------------------------------
# The runner, in this process
# --------------------------------------------------------------------------

def write_script(folder, name, source):
    path = folder / name
    path.write_text(textwrap.dedent(source).lstrip())
    return path


def run_main(tf, *argv):
    """tfgraph.legacy's runner in this process, in a fresh graph; returns its status."""
    from tfgraph.legacy.__main__ import main
    with new_graph(tf):
        return main([str(a) for a in argv])


@pytest.mark.parametrize("line", [
    "from tensorflow.contrib import learn",
    "classifier = tf.contrib.learn.DNNClassifier(hidden_units=[10])",
])
def test_runner_stops_at_the_unsupported_line(tf, tmp_path, monkeypatch, capsys, line):
    write_script(tmp_path, "old_estimator.py", f"""
        import tensorflow as tf
        x = tf.placeholder("float", [None, 4])
        print("before")
        {line}
        print("after")
    """)
    monkeypatch.chdir(tmp_path)
    assert run_main(tf, "--quiet", "old_estimator.py") == 1
    out, err = capsys.readouterr()
    assert out == "before\n"
    assert stderr_lines(err) == [
        "old_estimator.py, line 4: tf.contrib.learn is not supported: tf.contrib.learn (its "
        "Estimators and its own MNIST loader) was removed in TensorFlow 2.0, and tf.estimator "
        "in 2.16. Write the training loop with tf.Session, as the lessons of tfgraph do, or use "
        "tf.estimator's canned DNNClassifier here. In TensorFlow 2, use tf.keras.Model.fit."]


def test_runner_shows_other_errors_as_python_would(tf, tmp_path, monkeypatch, capsys):
    write_script(tmp_path, "old_bug.py", """
        import tensorflow as tf
        def scale(x):
            raise ValueError("no scale for %r" % x)
        scale(2)
    """)
    monkeypatch.chdir(tmp_path)
    assert run_main(tf, "old_bug.py") == 1
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):\n")
    assert 'old_bug.py", line 4, in <module>' in err and 'line 3, in scale' in err
    assert err.rstrip().endswith("ValueError: no scale for 2")
    assert "runpy" not in err and "__main__.py" not in err  # the runner's frames are hidden


def test_runner_gives_argv_name_path_and_exit_status(tf, tmp_path, capsys):
    sub = tmp_path / "old"
    sub.mkdir()
    write_script(sub, "helper.py", """
        import tensorflow
        def kind():
            return tensorflow.__name__
    """)
    write_script(sub, "old_main.py", """
        import sys
        import tensorflow as tf
        import helper
        from tensorflow.examples.tutorials.mnist import input_data
        print(__name__, sys.argv[1:], sys.path[0] == __file__.rsplit("/", 1)[0])
        print(tf.__name__, helper.kind(), input_data.__name__)
        print(sys.modules["tensorflow"].__name__, sys.modules["tensorflow"] is not tf)
        sys.exit(int(sys.argv[1]))
    """)
    argv, path0, original_import = list(sys.argv), sys.path[0], builtins.__import__
    with pytest.raises(SystemExit) as exit_info:
        run_main(tf, sub / "old_main.py", "4", "--flag")
    assert exit_info.value.code == 4
    assert capsys.readouterr().out.splitlines() == [
        "__main__ ['4', '--flag'] True",
        "tfgraph.legacy tfgraph.legacy tfgraph.legacy.input_data",
        "tensorflow True",  # TensorFlow's own modules still see the real TensorFlow
    ]
    assert (sys.argv, sys.path[0], builtins.__import__) == (argv, path0, original_import)


def test_runner_command_line(tf, capsys):
    from tfgraph.legacy.__main__ import parse_command_line
    assert parse_command_line(["--quiet", "a.py", "--quiet", "x"]) == ({"--quiet"}, "a.py",
                                                                       ["--quiet", "x"])
    assert parse_command_line(["--sample", "--quiet", "a.py"]) == ({"--sample", "--quiet"},
                                                                   "a.py", [])
    for argv, message in [(["--fast", "a.py"], "Unknown option '--fast'"),
                          (["--quiet"], "Give the path of the script to run.")]:
        with pytest.raises(SystemExit) as exit_info:
            parse_command_line(argv)
        assert exit_info.value.code == 2
        assert message in capsys.readouterr().err
    assert run_main(tf, "no_such_script.py") == 2
    assert "can't open file 'no_such_script.py'" in capsys.readouterr().err


# --------------------------------------------------------------------------
# The module, in this process
# --------------------------------------------------------------------------

def run(tf, fetches, feed=None):
    """Initialize the variables of the current graph and run ``fetches``."""
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(fetches, feed)


def test_importing_it_turns_on_graph_mode(tf):
    assert not tf.executing_eagerly()
    with new_graph(tf):
        x = tf.placeholder("float", [None, 784])  # at top level, as old scripts did
        assert x.get_shape()[1].value == 784  # 1.x's Dimension
        assert tf.__version__.startswith("2.")


def test_renames_run_the_modern_op_and_note_it_once(tf, capsys):
    a = np.array([[1.0, -2.0], [4.0, 0.5]], np.float32)
    b = np.array([[3.0, 5.0], [-1.0, 2.0]], np.float32)
    with new_graph(tf):
        results = run(tf, {
            "mul": tf.mul(a, b), "mul again": tf.mul(b, a), "sub": tf.sub(a, b),
            "neg": tf.neg(a), "inv": tf.inv(b), "pack": tf.pack([a, b], axis=1),
            "unpack": tf.unpack(a), "select": tf.select([True, False], a, b),
            "listdiff": tf.listdiff([1, 2, 3, 4, 5], [2, 5])[0],
            "batch_matmul": tf.batch_matmul(np.stack([a, b]), np.stack([b, a]), adj_y=True),
            "to_float": tf.to_float(tf.constant([1, 2])),
            "to_int32": tf.to_int32(tf.constant([1.7, -2.2])),
            "arg_max": tf.arg_max(a, 1), "div int": tf.div(7, 2), "div float": tf.div(7.0, 2.0),
            "log": tf.log(b[b > 0]), "random_normal": tf.random_normal([2000], seed=1),
        })
    expected = {
        "mul": a * b, "mul again": a * b, "sub": a - b, "neg": -a, "inv": 1 / b,
        "pack": np.stack([a, b], axis=1), "unpack": list(a),
        "select": np.array([a[0], b[1]]), "listdiff": [1, 3, 4],
        "batch_matmul": np.stack([a @ b.T, b @ a.T]), "to_float": [1.0, 2.0],
        "to_int32": [1, -2], "arg_max": [0, 0], "div int": 3, "div float": 3.5,
        "log": np.log(b[b > 0]),
    }
    for name, value in expected.items():
        np.testing.assert_allclose(results[name], value, rtol=1e-6, err_msg=name)
    assert results["to_float"].dtype == np.float32 and results["to_int32"].dtype == np.int32
    assert abs(results["random_normal"].std() - 1) < 0.1
    found = notes(capsys.readouterr().err)
    from tfgraph.legacy._notes import display_path
    here = f"{display_path(__file__)}, line"
    mul = [n for n in found if "tf.mul" in n]
    assert len(mul) == 1 and mul[0].startswith(here)
    assert mul[0].endswith(": tf.mul is tf.multiply since TensorFlow 1.0")
    for text in ["tf.sub is tf.subtract since TensorFlow 1.0",
                 "tf.pack is tf.stack since TensorFlow 1.0",
                 "tf.to_float is tf.cast(x, tf.float32) since TensorFlow 2.0",
                 "tf.log is tf.math.log since TensorFlow 2.0",
                 "tf.random_normal is tf.random.normal since TensorFlow 2.0"]:
        assert sum(n.endswith(text) for n in found) == 1, text


def test_old_argument_orders_are_recognised(tf, capsys):
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    with new_graph(tf):
        r = run(tf, {
            "concat old": tf.concat(1, [a, a]), "concat new": tf.concat([a, a], 1),
            "concat keyword": tf.concat(concat_dim=0, values=[a, a]),
            "concat tensor axis": tf.concat(tf.constant(0), [a, a]),
            "split old": tf.split(1, 3, a), "split new": tf.split(a, 3, 1),
            "split keywords": tf.split(split_dim=0, num_split=2, value=a),
            "split_v": tf.split_v(a, [1, 2], 1),
            "reverse dims": tf.reverse(a, [False, True]), "reverse axis": tf.reverse(a, [1]),
            "sum old": tf.reduce_sum(a, reduction_indices=[1], keep_dims=True),
            "sum positional": tf.reduce_sum(a, 0, True), "mean new": tf.reduce_mean(a, axis=1),
            "max old": tf.reduce_max(a, reduction_indices=0),
        })
    np.testing.assert_array_equal(r["concat old"], np.concatenate([a, a], 1))
    np.testing.assert_array_equal(r["concat new"], np.concatenate([a, a], 1))
    np.testing.assert_array_equal(r["concat keyword"], np.concatenate([a, a], 0))
    np.testing.assert_array_equal(r["concat tensor axis"], np.concatenate([a, a], 0))
    for key in ("split old", "split new"):
        np.testing.assert_array_equal(np.stack(r[key]), np.stack(np.split(a, 3, 1)))
    np.testing.assert_array_equal(np.stack(r["split keywords"]), np.stack(np.split(a, 2, 0)))
    assert [p.shape for p in r["split_v"]] == [(2, 1), (2, 2)]
    np.testing.assert_array_equal(r["reverse dims"], a[:, ::-1])
    np.testing.assert_array_equal(r["reverse axis"], a[:, ::-1])
    np.testing.assert_array_equal(r["sum old"], a.sum(1, keepdims=True))
    np.testing.assert_array_equal(r["sum positional"], a.sum(0, keepdims=True))
    np.testing.assert_array_equal(r["mean new"], a.mean(1))
    np.testing.assert_array_equal(r["max old"], a.max(0))
    found = notes(capsys.readouterr().err)
    for text in ["tf.concat(concat_dim, values) is tf.concat(values, axis) since TensorFlow 1.0",
                 "tf.split(split_dim, num_split, value) is "
                 "tf.split(value, num_or_size_splits, axis) since TensorFlow 1.0",
                 "reduction_indices= is axis= since TensorFlow 1.0",
                 "keep_dims= is keepdims= since TensorFlow 1.5"]:
        assert sum(n.endswith(text) for n in found) == 1, text
    with new_graph(tf), pytest.raises(LegacyError, match="both axis and reduction"):
        tf.reduce_sum(a, axis=0, reduction_indices=0)


def test_losses_take_logits_and_labels_by_position(tf, capsys):
    logits = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, -1.0]], np.float32)
    labels = np.array([[1.0, 0.0, 0.0], [0.2, 0.8, 0.0]], np.float32)
    log_softmax = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    sigmoid_ce = np.maximum(logits, 0) - logits * labels + np.log1p(np.exp(-np.abs(logits)))
    with new_graph(tf):
        soft_labels = tf.constant(labels)
        old = tf.nn.softmax_cross_entropy_with_logits(logits, soft_labels)
        r = run(tf, {
            "old": old,
            "new": tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits),
            "sigmoid old": tf.nn.sigmoid_cross_entropy_with_logits(logits, labels),
            "sigmoid targets": tf.nn.sigmoid_cross_entropy_with_logits(logits=logits,
                                                                       targets=labels),
            "sparse old": tf.nn.sparse_softmax_cross_entropy_with_logits(logits, [0, 1]),
            "weighted old": tf.nn.weighted_cross_entropy_with_logits(logits, labels, 1.0),
        })
        assert tf.gradients(old, soft_labels) == [None]  # as in 1.x: no gradient into labels
    np.testing.assert_allclose(r["old"], -(labels * log_softmax).sum(1), rtol=1e-5)
    np.testing.assert_allclose(r["new"], r["old"])
    np.testing.assert_allclose(r["sigmoid old"], sigmoid_ce, rtol=1e-5)
    np.testing.assert_allclose(r["sigmoid targets"], sigmoid_ce, rtol=1e-5)
    np.testing.assert_allclose(r["weighted old"], sigmoid_ce, rtol=1e-5)
    np.testing.assert_allclose(r["sparse old"], -log_softmax[[0, 1], [0, 1]], rtol=1e-5)
    found = notes(capsys.readouterr().err)
    assert sum(n.endswith(
        "tf.nn.softmax_cross_entropy_with_logits(logits, labels) is "
        "tf.nn.softmax_cross_entropy_with_logits(labels=..., logits=...) since TensorFlow 1.0")
        for n in found) == 1
    assert sum("(targets=...) is" in n for n in found) == 1
    with new_graph(tf), pytest.raises(LegacyError, match="needs labels"):
        tf.nn.softmax_cross_entropy_with_logits(logits)


def test_dropout_second_argument_is_the_keep_probability(tf, capsys):
    with new_graph(tf):
        keep = tf.placeholder("float")
        ones = tf.ones([20000])
        dropped = tf.nn.dropout(ones, keep)
        by_rate = tf.nn.dropout(ones, rate=0.75)
        with tf.Session() as sess:
            kept_all = sess.run(dropped, {keep: 1.0})
            quarter = sess.run(dropped, {keep: 0.25})
            by_rate = sess.run(by_rate)
    np.testing.assert_array_equal(kept_all, 1.0)
    for values in (quarter, by_rate):  # keep 1 in 4 units, scaled by 4
        assert set(np.unique(values)) == {0.0, 4.0}
        assert abs((values > 0).mean() - 0.25) < 0.02
    found = notes(capsys.readouterr().err)
    assert [n.split(": ", 1)[1] for n in found if "dropout" in n] == [
        "tf.nn.dropout(x, keep_prob) is tf.nn.dropout(x, rate=1 - keep_prob) since TensorFlow 2.0"]


def test_variables_initializers_and_scopes(tf):
    with new_graph(tf):
        with tf.variable_scope("model"):
            w = tf.get_variable("w", [3, 2], initializer=tf.constant_initializer(0.5))
        with tf.variable_scope("model", reuse=True):
            assert tf.get_variable("w") is w
        counter = tf.Variable(0, name="counter", collections=[tf.GraphKeys.LOCAL_VARIABLES])
        step = tf.Variable(1.0, name="step")
        assert [v.name for v in tf.all_variables()] == ["model/w:0", "step:0"]
        with tf.Session() as sess:
            sess.run([tf.initialize_all_variables(), tf.initialize_local_variables()])
            assert sess.run(counter) == 0
            np.testing.assert_array_equal(sess.run(w), np.full([3, 2], 0.5))
            sess.run(tf.assign(step, 5.0))
            sess.run(tf.initialize_variables([step]))
            assert sess.run(step) == 1.0


def test_old_summaries_are_written_and_read_back(tf, tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    with new_graph(tf):
        x = tf.placeholder("float", [None, 4])
        with tf.name_scope("stats"):
            loss = tf.scalar_summary("loss", tf.reduce_mean(x))
        tf.histogram_summary("values", x)
        tf.image_summary("picture", tf.reshape(x, [-1, 2, 2, 1]), max_images=2)
        everything = tf.merge_all_summaries()
        only_loss = tf.merge_summary([loss])
        with tf.Session() as sess:
            writer = tf.train.SummaryWriter(str(tmp_path), sess.graph)
            for step in range(3):
                feed = {x: np.full([2, 4], step, np.float32)}
                writer.add_summary(sess.run(everything, feed), step)
                writer.add_summary(sess.run(only_loss, feed), step + 10)
            writer.close()
    events = EventAccumulator(str(tmp_path))
    events.Reload()
    tags = events.Tags()
    assert tags["scalars"] == ["loss"]  # the name scope is not part of the tag, as in 0.x
    assert tags["histograms"] == ["values"]
    assert sorted(tags["images"]) == ["picture/image/0", "picture/image/1"]
    assert sorted((e.step, e.value) for e in events.Scalars("loss")) == [
        (0, 0.0), (1, 1.0), (2, 2.0), (10, 0.0), (11, 1.0), (12, 2.0)]
    assert events.Graph() is not None
    with new_graph(tf):  # 0.x's vector form: one tag per value
        pair = tf.Session().run(tf.scalar_summary(["a", "b"], tf.constant([1.0, 2.0])))
    assert [(v.tag, v.simple_value) for v in tf.Summary.FromString(pair).value] == [
        ("a", 1.0), ("b", 2.0)]


def conv2d_numpy(images, kernel, stride):
    """'VALID' cross-correlation, as tf.nn.conv2d computes it."""
    n, h, w, _ = images.shape
    kh, kw, _, filters = kernel.shape
    rows, cols = (h - kh) // stride + 1, (w - kw) // stride + 1
    out = np.zeros([n, rows, cols, filters], np.float32)
    for i in range(rows):
        for j in range(cols):
            patch = images[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
            out[:, i, j, :] = np.tensordot(patch, kernel, axes=3)
    return out


def test_layers_match_numpy(tf):
    rng = np.random.default_rng(0)
    rows = rng.normal(size=(5, 3)).astype(np.float32)
    images = rng.normal(size=(2, 6, 6, 2)).astype(np.float32)
    with new_graph(tf):
        hidden = tf.layers.dense(rows, 4, activation=tf.nn.relu,
                                 bias_initializer=tf.constant_initializer(0.1))
        again = tf.layers.dense(rows, 4, name="dense", reuse=True)
        second = tf.layers.dense(hidden, 2, use_bias=False)
        conv = tf.layers.conv2d(images, 3, [3, 3], strides=1)
        strided = tf.layers.conv2d(images, 2, 2, strides=(2, 2), padding="same")
        pooled = tf.layers.max_pooling2d(images, 2, 2)
        averaged = tf.layers.average_pooling2d(images, [3, 3], 3)
        flat = tf.layers.flatten(pooled)
        off = tf.layers.dropout(rows, rate=0.9)
        training = tf.placeholder(tf.bool)
        switched = tf.layers.dropout(tf.ones([5000]), rate=0.5, training=training)
        names = sorted(v.name for v in tf.global_variables())
        assert names == ["conv2d/bias:0", "conv2d/kernel:0", "conv2d_1/bias:0",
                         "conv2d_1/kernel:0", "dense/bias:0", "dense/kernel:0",
                         "dense_1/kernel:0"]
        assert strided.get_shape().as_list() == [2, 3, 3, 2]
        assert flat.get_shape().as_list() == [2, 18]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            values = {v.name: sess.run(v) for v in tf.global_variables()}
            r = sess.run({"hidden": hidden, "again": again, "second": second, "conv": conv,
                          "pooled": pooled, "averaged": averaged, "flat": flat, "off": off})
            on = sess.run(switched, {training: True})
            not_training = sess.run(switched, {training: False})
    expected_hidden = np.maximum(rows @ values["dense/kernel:0"] + values["dense/bias:0"], 0)
    np.testing.assert_allclose(r["hidden"], expected_hidden, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(r["again"], rows @ values["dense/kernel:0"] + 0.1, rtol=1e-5)
    np.testing.assert_allclose(r["second"], expected_hidden @ values["dense_1/kernel:0"],
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(r["conv"], conv2d_numpy(images, values["conv2d/kernel:0"], 1),
                               rtol=1e-4, atol=1e-5)
    np.testing.assert_array_equal(r["pooled"], images.reshape(2, 3, 2, 3, 2, 2).max((2, 4)))
    np.testing.assert_allclose(r["averaged"], images.reshape(2, 2, 3, 2, 3, 2).mean((2, 4)),
                               rtol=1e-5)
    np.testing.assert_array_equal(r["flat"], r["pooled"].reshape(2, -1))
    np.testing.assert_array_equal(r["off"], rows)  # training=False by default: no dropout
    assert abs((on == 0).mean() - 0.5) < 0.05 and set(np.unique(on)) == {0.0, 2.0}
    np.testing.assert_array_equal(not_training, 1.0)
    # Glorot uniform by default, as tf.get_variable's default initializer
    limit = np.sqrt(6 / (3 * 3 * 2 + 3 * 3 * 3))
    kernel = values["conv2d/kernel:0"]
    assert np.abs(kernel).max() <= limit and np.abs(kernel).max() > 0.8 * limit


def test_contrib_layers_pieces(tf):
    with new_graph(tf):
        x = tf.placeholder("float", [None, 8, 8, 1])
        reg = tf.contrib.layers.l2_regularizer(0.5)
        conv = tf.contrib.layers.conv2d(x, 4, 3, weights_regularizer=reg)  # 'SAME', ReLU
        pooled = tf.contrib.layers.max_pool2d(conv, 2)  # stride 2, 'VALID'
        flat = tf.contrib.layers.flatten(pooled)
        dense = tf.contrib.layers.fully_connected(
            flat, 300, weights_initializer=tf.contrib.layers.xavier_initializer(uniform=False))
        he = tf.get_variable("he", [400, 300],
                             initializer=tf.contrib.layers.variance_scaling_initializer())
        logits = tf.contrib.layers.linear(tf.contrib.layers.dropout(dense, 0.5), 10)
        assert pooled.get_shape().as_list() == [None, 4, 4, 4]
        assert flat.get_shape().as_list() == [None, 64]
        assert logits.get_shape().as_list() == [None, 10]
        assert sorted(v.name for v in tf.global_variables()) == [
            "Conv/biases:0", "Conv/weights:0", "fully_connected/biases:0",
            "fully_connected/weights:0", "fully_connected_1/biases:0",
            "fully_connected_1/weights:0", "he:0"]
        penalty = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
        assert len(penalty) == 1
        variables = {v.name: v for v in tf.global_variables()}
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            weights, conv_weights, he_values, penalty = sess.run([
                variables["fully_connected/weights:0"], variables["Conv/weights:0"], he,
                penalty[0]])
    assert abs(penalty - 0.5 * (conv_weights ** 2).sum() / 2) < 1e-4
    assert abs(weights.std() - np.sqrt(2 / (64 + 300))) < 0.01  # Xavier normal
    assert abs(he_values.std() - np.sqrt(2 / 400)) < 0.005  # He: factor 2, fan in


def test_tf_layers_network_learns(tf):
    rng = np.random.default_rng(1)
    points = rng.normal(size=(400, 2)).astype(np.float32)
    classes = (points[:, 0] * points[:, 1] > 0).astype(np.int64)  # XOR of the signs
    with new_graph(tf):
        tf.set_random_seed(0)
        x = tf.placeholder("float", [None, 2])
        y = tf.placeholder(tf.int64, [None])
        hidden = tf.layers.dense(x, 16, activation=tf.nn.tanh)
        logits = tf.layers.dense(hidden, 2)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(logits, y))
        train = tf.train.AdamOptimizer(0.05).minimize(loss)
        accuracy = tf.reduce_mean(tf.to_float(tf.equal(tf.argmax(logits, 1), y)))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(200):
                sess.run(train, {x: points, y: classes})
            assert sess.run(accuracy, {x: points, y: classes}) > 0.95


@pytest.mark.parametrize("expression, message", [
    ("tf.contrib.learn", "tf.contrib.learn is not supported: tf.contrib.learn (its Estimators"),
    ("tf.contrib.slim", "tf.contrib.slim is not supported: tf.contrib.slim became the separate "
                        "tf-slim package"),
    ("tf.contrib.rnn.LayerNormBasicLSTMCell", "tf.contrib.rnn.LayerNormBasicLSTMCell is not "
                                              "supported: tfgraph.legacy runs TensorFlow 1.x's basic cells"),
    ("tf.contrib.seq2seq.dynamic_decode", "tf.contrib.seq2seq.dynamic_decode is not supported: "
                                          "TensorFlow 1.x's seq2seq decoders"),
    ("tf.contrib.factorization", "tf.contrib.factorization is not supported: tf.contrib.factorization"),
    ("tf.contrib.graph_editor", "tf.contrib.graph_editor is not supported: tf.contrib was "
                                "removed in TensorFlow 2.0. tfgraph.legacy rebuilds only the basic pieces"),
    ("tf.contrib.layers.layer_norm", "tf.contrib.layers.layer_norm is not supported: "
                                     "tf.contrib was removed in TensorFlow 2.0"),
    ("tf.layers.conv3d", "tf.layers.conv3d is not supported: tf.layers was a set of Keras "
                         "layers, which Keras 3 no longer offers to graph code"),
    ("tf.estimator.DNNLinearCombinedClassifier", "tf.estimator.DNNLinearCombinedClassifier is "
                                                 "not supported: tfgraph.legacy runs custom Estimators"),
    ("tf.no_such_thing", "tf.no_such_thing is not supported: neither tfgraph.legacy nor "
                         "TensorFlow"),
    ("tf.nn.no_such_thing", "tf.nn.no_such_thing is not supported"),
])
def test_what_cannot_run_is_refused_by_name(tf, expression, message):
    from tfgraph.errors import TfgraphError
    with pytest.raises(UnsupportedError) as error:
        eval(expression, {"tf": tf})
    assert str(error.value).startswith(message)
    assert isinstance(error.value, (TfgraphError, AttributeError))
    owner, name = expression.rsplit(".", 1)
    assert not hasattr(eval(owner, {"tf": tf}), name)


def test_names_kept_in_compat_v1_note_where_they_live(tf, tmp_path, capsys):
    import tensorflow
    v1 = tensorflow.compat.v1
    assert tf.float32 is v1.float32 and tf.matmul is v1.matmul
    assert tf.Session is v1.Session
    assert tf.train.GradientDescentOptimizer is v1.train.GradientDescentOptimizer
    assert tf.app.flags.DEFINE_integer is v1.app.flags.DEFINE_integer
    assert tf.summary.FileWriter is v1.summary.FileWriter
    tf.logging.set_verbosity(tf.logging.WARN)
    folder = tmp_path / "a" / "b"
    tf.gfile.MakeDirs(str(folder))
    with tf.gfile.Open(str(folder / "f.txt"), "w") as f:
        f.write("old")
    assert tf.gfile.Exists(str(folder / "f.txt")) and tf.gfile.GFile(str(folder / "f.txt")).read() == "old"
    assert tf.gfile.ListDirectory(str(folder)) == ["f.txt"]
    found = [n.split(": ", 1)[1] for n in notes(capsys.readouterr().err)]
    assert found == [
        "tf.Session is tf.compat.v1.Session since TensorFlow 2.0",
        "tf.train.GradientDescentOptimizer is tf.compat.v1.train.GradientDescentOptimizer "
        "since TensorFlow 2.0",
        "tf.app is tf.compat.v1.app since TensorFlow 2.0",
        "tf.summary.FileWriter is tf.compat.v1.summary.FileWriter since TensorFlow 2.0",
        "tf.logging is tf.compat.v1.logging, or Python's logging module since TensorFlow 2.0",
        "tf.gfile.MakeDirs is tf.io.gfile.makedirs since TensorFlow 2.0",
        "tf.gfile.Open is tf.io.gfile.GFile since TensorFlow 2.0",
        "tf.gfile.Exists is tf.io.gfile.exists since TensorFlow 2.0",
        "tf.gfile.GFile is tf.io.gfile.GFile since TensorFlow 2.0",
        "tf.gfile.ListDirectory is tf.io.gfile.listdir since TensorFlow 2.0",
    ]


def test_quiet_silences_the_notes(tf, capsys):
    from tfgraph.legacy._notes import set_quiet
    set_quiet()
    with new_graph(tf):
        tf.mul(2, 3)
        tf.nn.dropout(tf.ones([2]), 0.5)
    assert capsys.readouterr().err == ""


def test_imports_of_tensorflow_submodules(tf, capsys):
    from tfgraph.legacy._imports import resolve_import
    assert resolve_import("tensorflow") is tf
    assert resolve_import("tensorflow.contrib.layers") is tf  # `import a.b.c` binds a
    mnist = resolve_import("tensorflow.examples.tutorials.mnist", ["input_data"])
    assert mnist.input_data is input_data
    layers = resolve_import("tensorflow.contrib.layers", ["xavier_initializer", "flatten"])
    assert layers.flatten is tf.contrib.layers.flatten
    framework = resolve_import("tensorflow.python.framework", ["ops", "dtypes"])
    assert framework.ops.Graph is tf.Graph
    assert any("tensorflow.python is TensorFlow's private code" in n
               for n in notes(capsys.readouterr().err))
    refusals = {
        ("tensorflow.contrib.slim", ()): "tf.contrib.slim is not supported",
        ("tensorflow.contrib", ("learn",)): "tf.contrib.learn is not supported",
        ("tensorflow.examples.tutorials.mnist", ("fully_connected_feed",)):
            "tensorflow.examples.tutorials.mnist.fully_connected_feed is not supported: "
            "tfgraph.legacy provides the MNIST tutorial's input_data and mnist modules only",
        ("tensorflow.python.no_such_module", ()): "tensorflow.python.no_such_module is not "
                                                  "supported: TensorFlow 2",
        ("tensorflow.python.framework", ("no_such_name",)):
            "tensorflow.python.framework.no_such_name is not supported",
    }
    for (name, fromlist), message in refusals.items():
        with pytest.raises(UnsupportedError) as error:
            resolve_import(name, fromlist)
        assert str(error.value).startswith(message)


def test_input_data_reads_the_sample_offline(tf, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TFGRAPH_MNIST_SAMPLE", "1")
    data = input_data.read_data_sets("MNIST_data/", one_hot=True)
    assert (data.train.num_examples, data.validation.num_examples,
            data.test.num_examples) == (5000, 1000, 1000)
    assert data.train.images.shape == (5000, 784) and data.train.labels.shape == (5000, 10)
    images, labels = data.train.next_batch(100)
    assert images.shape == (100, 784) and labels.sum() == 100
    raw = input_data.read_data_sets("MNIST_data/", reshape=False, dtype=tf.uint8,
                                       validation_size=0)
    assert raw.train.images.shape == (6000, 28, 28, 1) and raw.train.images.dtype == np.uint8
    assert not (tmp_path / "MNIST_data").exists()
    first = data.train.images[:100]
    shuffled, _ = data.test.next_batch(100, False)  # TF1's order: False is fake_data
    assert not np.array_equal(shuffled, data.test.images[:100])  # shuffling stayed on
    in_order, _ = raw.test.next_batch(50, False, False)
    assert np.array_equal(in_order, raw.test.images[:50])
    assert images.shape == first.shape
    fake = input_data.read_data_sets("MNIST_data/", fake_data=True, one_hot=True)
    fake_images, fake_labels = fake.train.next_batch(3)
    assert fake.train.num_examples == 10000
    assert np.array_equal(fake_images, np.ones((3, 784)))
    assert np.array_equal(fake_labels, np.eye(10)[[0, 0, 0]])


def test_input_data_uses_the_folder_or_the_cache(tf, tmp_path, monkeypatch):
    from tfgraph import mnist
    calls = []
    monkeypatch.delenv("TFGRAPH_MNIST_SAMPLE", raising=False)
    monkeypatch.setenv("TFGRAPH_DATA_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(mnist, "read_data_sets",
                        lambda folder, **options: calls.append((Path(folder), options)))
    empty, holding = tmp_path / "MNIST_data", tmp_path / "mine"
    holding.mkdir()
    (holding / "train-images-idx3-ubyte.gz").write_bytes(b"")
    input_data.read_data_sets(str(empty), one_hot=True)
    input_data.read_data_sets(str(holding), False, False, tf.float32, True, 100, 7)
    assert calls[0][0] == tmp_path / "cache"  # nothing in MNIST_data/: the shared cache
    assert calls[0][1]["one_hot"] is True and calls[0][1]["validation_size"] == 5000
    assert calls[1][0] == holding
    assert calls[1][1]["validation_size"] == 100 and calls[1][1]["seed"] == 7
    assert not empty.exists()


def test_numpy_names_only_for_the_script(tf, tmp_path, capsys):
    write_script(tmp_path, "old_numpy.py", """
        import numpy as np
        assert np.int is int and np.float is float and np.object is object
        print(np.reshape(np.arange(6), newshape=(2, 3)).shape)
        print(np.array([1.5], dtype=np.float).dtype)
    """)
    reshape = np.reshape
    assert run_main(tf, str(tmp_path / "old_numpy.py")) == 0
    captured = capsys.readouterr()
    assert "(2, 3)\nfloat64" in captured.out
    assert "np.int is int (or np.int64) since NumPy 1.24 removed it" in captured.err
    assert not any(hasattr(np, name) for name in ("int", "float", "unicode", "float_", "NaN"))
    assert np.reshape is reshape
    with pytest.raises(TypeError):
        np.reshape(np.arange(6), newshape=(2, 3))


def test_rnn_names_refused_if_tensorflow_drops_the_private_modules(tf):
    from tfgraph.legacy import _rnn
    spaces = _rnn.namespaces(ImportError("No module named 'rnn_cell_impl'"), object())
    with pytest.raises(UnsupportedError, match=r"tf.contrib.rnn.BasicLSTMCell is not "
                       r"supported: .*private modules .*rnn_cell_impl'"):
        spaces["contrib_rnn"].BasicLSTMCell
    assert "dynamic_rnn" in spaces["nn_refused"]


def test_nce_loss_old_and_new_orders_agree(tf, capsys):
    with new_graph(tf):
        weights = tf.constant(np.random.RandomState(0).randn(20, 4).astype(np.float32))
        biases = tf.zeros([20])
        inputs = tf.constant(np.random.RandomState(1).randn(8, 4).astype(np.float32))
        labels = tf.constant(np.arange(8, dtype=np.int64)[:, None])
        sampled = (tf.constant([1, 2, 3], tf.int64), tf.ones([8, 1]), tf.ones([3]))
        new = tf.nn.nce_loss(weights, biases, labels, inputs, 3, 20, sampled_values=sampled)
        old = tf.nn.nce_loss(weights, biases, inputs, labels, 3, 20, sampled_values=sampled)
        new_value, old_value = run(tf, [new, old])
    assert np.allclose(new_value, old_value)
    assert "tf.nn.nce_loss(weights, biases, inputs, labels) is" in capsys.readouterr().err


def test_runner_messages_as_python_gives_them(tf, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    write_script(tmp_path, "bad_import.py", """
        import tensorflow as tf
        import no_such_module_here
    """)
    assert run_main(tf, "bad_import.py") == 1
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):")
    assert "ModuleNotFoundError: No module named 'no_such_module_here'" in err
    assert 'bad_import.py", line 2' in err
    assert "tfgraph" not in err  # no frame of the runner's import hook
    (tmp_path / "pkg").mkdir()
    assert run_main(tf, "pkg") == 1
    assert capsys.readouterr().err == ("python -m tfgraph.legacy: can't find '__main__' module "
                                       "in 'pkg'\n")


def test_mnist_tutorial_with_fake_data(tf, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    script = Path(__file__).resolve().parent / "legacy_scripts" / "old_feed.py"
    assert run_main(tf, "--quiet", script, "fake") == 0
    out = capsys.readouterr().out
    assert "test examples: 10000" in out
    assert "first label: 0 image sum: 784.0" in out
    assert "nce fell: True" in out


def test_variable_named_global_step_is_the_global_step(tf):
    with new_graph(tf):
        assert tf.train.get_global_step() is None
        weights = tf.Variable(tf.zeros([2]), name="weights")
        step = tf.Variable(0, name="global_step", trainable=False)
        assert isinstance(weights, tf.Variable) and isinstance(step, tf.Variable)
        assert tf.train.get_global_step() is step
        assert tf.get_collection(tf.GraphKeys.GLOBAL_STEP) == [step]
        train = tf.train.GradientDescentOptimizer(0.1).minimize(
            tf.reduce_sum(weights), global_step=step)
        with tf.train.MonitoredTrainingSession(
                hooks=[tf.train.StopAtStepHook(last_step=3)]) as sess:
            runs = 0
            while not sess.should_stop():
                sess.run(train)
                runs += 1
        assert runs == 3


# --------------------------------------------------------------------------
# seq2seq losses, arg_scope and batch_norm, against NumPy
# --------------------------------------------------------------------------

def numpy_sequence_losses(logits, targets, weights):
    """Each (batch, step) entry's weighted softmax cross entropy, computed with NumPy."""
    shifted = logits - logits.max(-1, keepdims=True)
    log_softmax = shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))
    picked = np.take_along_axis(log_softmax, targets[..., None], -1)[..., 0]
    return -picked * weights


def test_sequence_loss_matches_numpy(tf):
    rng = np.random.default_rng(28)
    logits = rng.normal(size=(4, 6, 5)).astype(np.float32)
    targets = rng.integers(0, 5, size=(4, 6)).astype(np.int32)
    weights = (rng.random((4, 6)) > 0.3).astype(np.float32) * rng.random((4, 6)).astype(np.float32)
    weights[2] = 0  # one sequence fully masked: sums over the batch still defined
    losses = numpy_sequence_losses(logits, targets, weights)
    nonzero = (weights != 0).astype(np.float32)
    expected = {
        (True, True, False, False): losses.sum() / weights.sum(),
        (True, False, False, False): np.divide(losses.sum(1), weights.sum(1),
                                               out=np.zeros(4, np.float32), where=weights.sum(1) > 0),
        (False, True, False, False): losses.sum(0) / weights.sum(0),
        (False, False, False, False): losses,
        (False, False, True, True): losses.sum() / nonzero.sum(),
        (False, True, True, False): losses.sum(0) / weights.sum(0),  # averaging wins, as in 1.13
        (False, False, False, True): losses.sum(0) / nonzero.sum(0),
    }
    seq2seq = tf.contrib.seq2seq
    with new_graph(tf):
        got = run(tf, {flags: seq2seq.sequence_loss(
            logits, targets, weights, average_across_timesteps=flags[0],
            average_across_batch=flags[1], sum_over_timesteps=flags[2], sum_over_batch=flags[3])
            for flags in expected})
        custom = run(tf, seq2seq.sequence_loss(
            logits, targets, weights, softmax_loss_function=lambda labels, logits: tf.square(
                tf.reduce_sum(logits, 1) - tf.cast(labels, tf.float32))))
        with pytest.raises(LegacyError, match="average or sum over an axis, not both"):
            seq2seq.sequence_loss(logits, targets, weights, sum_over_batch=True)
    for flags, value in expected.items():
        np.testing.assert_allclose(got[flags], value, rtol=1e-5, atol=1e-6, err_msg=str(flags))
    squared = (logits.sum(-1) - targets) ** 2 * weights
    np.testing.assert_allclose(custom, squared.sum() / weights.sum(), rtol=1e-5)


def test_legacy_seq2seq_losses_match_numpy(tf):
    rng = np.random.default_rng(16)
    logits = rng.normal(size=(3, 4, 5)).astype(np.float32)  # 3 steps of (batch 4, 5 classes)
    targets = rng.integers(0, 5, size=(3, 4)).astype(np.int32)
    weights = rng.random((3, 4)).astype(np.float32)
    per_entry = numpy_sequence_losses(logits, targets, weights)  # (steps, batch)
    by_example = per_entry.sum(0) / (weights.sum(0) + 1e-12)
    legacy = tf.contrib.legacy_seq2seq
    with new_graph(tf):
        r = run(tf, {
            "by example": legacy.sequence_loss_by_example(list(logits), list(targets),
                                                          list(weights)),
            "summed steps": legacy.sequence_loss_by_example(
                list(logits), list(targets), list(weights), average_across_timesteps=False),
            "loss": legacy.sequence_loss(list(logits), list(targets), list(weights)),
            "batch sum": legacy.sequence_loss(list(logits), list(targets), list(weights),
                                              average_across_batch=False),
            "tf.nn.seq2seq": tf.nn.seq2seq.sequence_loss(list(logits), list(targets),
                                                         list(weights)),
        })
    np.testing.assert_allclose(r["by example"], by_example, rtol=1e-5)
    np.testing.assert_allclose(r["summed steps"], per_entry.sum(0), rtol=1e-5)
    np.testing.assert_allclose(r["loss"], by_example.sum() / 4, rtol=1e-5)
    np.testing.assert_allclose(r["batch sum"], by_example.sum(), rtol=1e-5)
    np.testing.assert_allclose(r["tf.nn.seq2seq"], r["loss"])


def test_arg_scope_sets_defaults_that_calls_override(tf):
    layers, framework = tf.contrib.layers, tf.contrib.framework
    with new_graph(tf):
        x = tf.placeholder("float", [None, 4])
        with framework.arg_scope([layers.fully_connected], activation_fn=None,
                                 weights_initializer=tf.constant_initializer(0.5)) as outer:
            with framework.arg_scope([layers.fully_connected], num_outputs=3):
                inner = layers.fully_connected(x)  # num_outputs from the inner scope
            explicit = layers.fully_connected(x, 2, activation_fn=tf.nn.relu)
        again = None
        with framework.arg_scope(outer):
            again = layers.fully_connected(x, 2)
        plain = layers.fully_connected(x, 2)  # outside: ReLU and its own initializer
        with pytest.raises(LegacyError, match="cannot take defaults from arg_scope"):
            with framework.arg_scope([tf.nn.relu], name="r"):
                pass
        features = np.array([[1.0, -2.0, 0.5, -1.0]], np.float32)  # sum -1.5
        r = run(tf, {"inner": inner, "explicit": explicit, "again": again, "plain": plain},
                {x: features})
    np.testing.assert_allclose(r["inner"], [[-0.75] * 3])  # 0.5 * sum, no activation
    np.testing.assert_allclose(r["explicit"], [[0.0, 0.0]])  # ReLU(-0.75), as written
    np.testing.assert_allclose(r["again"], [[-0.75, -0.75]])  # the saved scope re-entered
    assert not np.allclose(r["plain"], -0.75)


def test_contrib_batch_norm_updates_in_place_or_through_update_ops(tf):
    batch = np.random.default_rng(3).normal(2.0, 3.0, size=(64, 5)).astype(np.float32)
    mean, variance = batch.mean(0), batch.var(0)
    with new_graph(tf):
        x = tf.placeholder("float", [None, 5])
        in_place = tf.contrib.layers.batch_norm(x, decay=0.9, updates_collections=None,
                                                scope="in_place")
        collected = tf.contrib.layers.batch_norm(x, decay=0.9, scale=True, scope="collected")
        frozen = tf.contrib.layers.batch_norm(x, is_training=False, scope="in_place", reuse=True)
        names = sorted(v.op.name for v in tf.global_variables())
        update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        moving = {v.op.name: v for v in tf.global_variables()}
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            normalized = sess.run(in_place, {x: batch})
            sess.run(collected, {x: batch})
            after_one = sess.run({n: v for n, v in moving.items() if "moving" in n})
            sess.run(update_ops, {x: batch})
            after_update_ops = sess.run(moving["collected/moving_mean"])
            inference = sess.run(frozen, {x: batch})
    assert names == ["collected/beta", "collected/gamma", "collected/moving_mean",
                     "collected/moving_variance", "in_place/beta", "in_place/moving_mean",
                     "in_place/moving_variance"]
    assert len(update_ops) == 2  # only the collected layer's
    np.testing.assert_allclose(normalized, (batch - mean) / np.sqrt(variance + 1e-3), rtol=1e-4,
                               atol=1e-4)
    np.testing.assert_allclose(after_one["in_place/moving_mean"], 0.1 * mean, rtol=1e-5)
    np.testing.assert_allclose(after_one["in_place/moving_variance"], 0.9 + 0.1 * variance,
                               rtol=1e-5)
    np.testing.assert_allclose(after_one["collected/moving_mean"], 0)  # not yet: UPDATE_OPS
    np.testing.assert_allclose(after_update_ops, 0.1 * mean, rtol=1e-5)
    moving_mean = 0.1 * mean
    moving_variance = 0.9 + 0.1 * variance
    np.testing.assert_allclose(inference, (batch - moving_mean) / np.sqrt(moving_variance + 1e-3),
                               rtol=1e-4, atol=1e-4)


def refused_in_the_docs():
    """The names in the table of docs/old-code.md's "What is refused" section."""
    text = (REPO / "docs" / "old-code.md").read_text(encoding="utf-8")
    section = text.split("## What is refused", 1)[1]
    return [re.match(r"\| `([^`]+)`", row).group(1) for row in section.splitlines()
            if re.match(r"\| `", row)]


def test_each_refusal_in_the_docs_says_what_to_use_in_tensorflow_2(tf):
    names = refused_in_the_docs()
    assert len(names) >= 20
    for name in names:
        expression = "tf." + name[len("tensorflow."):] if name.startswith("tensorflow.") else name
        with pytest.raises(UnsupportedError) as error:
            eval(expression, {"tf": tf})
        message = str(error.value)
        assert message.split(" is not supported: ")[0].endswith(name.split(".", 1)[1]), message
        assert "TensorFlow 2" in message.split(" is not supported: ")[1], message


def test_unmapped_tfe_name_stops_the_script_with_one_line(tf, tmp_path, monkeypatch, capsys):
    write_script(tmp_path, "old_tfe.py", """
        import tensorflow as tf
        import tensorflow.contrib.eager as tfe
        print("imported")
        accuracy = tfe.metrics.Accuracy()
    """)
    monkeypatch.chdir(tmp_path)
    assert run_main(tf, "--quiet", "old_tfe.py") == 1
    out, err = capsys.readouterr()
    assert out == "imported\n"
    assert stderr_lines(err) == [
        "old_tfe.py, line 4: tf.contrib.eager.metrics is not supported: tfgraph.legacy maps "
        "tfe's enable_eager_execution, Variable, gradients_function, value_and_gradients_function, "
        "implicit_gradients, implicit_value_and_gradients, Iterator, Network, GradientTape, "
        "defun, Checkpoint and num_gpus only. In TensorFlow 2, which runs eagerly, use "
        "tf.GradientTape, tf.Module, tf.train.Checkpoint and tf.keras.metrics."]
