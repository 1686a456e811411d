"""The TensorFlow 2 lesson: the same step as lessons.cnn, both graphs counted, a TF1 checkpoint crossing over, a
SavedModel another process serves, and tfgraph.function_loop against train_model."""
import collections
import contextlib
import io
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from lessons import cnn, fully_connected, tf_function
from tfgraph import cli, function_loop, mnist, training
from tfgraph.errors import TfgraphError

ROOT = Path(__file__).resolve().parents[1]
tf1 = tf.compat.v1


@pytest.fixture(autouse=True)
def seeded():
    """A seed for TensorFlow's random ops: a lesson's parse_args turns on op determinism, which needs one."""
    tf.random.set_seed(0)


def weights_of(module):
    return [variable.numpy().copy() for variable in module.trainable_variables]


def test_the_step_is_lessons_cnn_step():
    """Same weights and batches, dropout off: the tf.function step moves the weights as lessons.cnn's graph does.

    Keras's own RMSprop (its average starts at 0) would not: tf1_rmsprop is what makes the steps the same."""
    args = tf_function.parse_args(["--dry-run", "--num-hidden", "16", "--learning-rate", "0.05"])
    graph, g = cnn.build_graph(args)
    rng = np.random.default_rng(1)
    batches = [(rng.random((20, 28, 28, 1), dtype=np.float32), np.eye(10, dtype=np.float32)[rng.integers(0, 10, 20)])
               for _ in range(3)]
    with tf1.Session(graph=graph) as sess:
        sess.run(g.init)
        variables = graph.get_collection(tf1.GraphKeys.TRAINABLE_VARIABLES)
        initial = [rng.normal(0, 0.1, variable.shape).astype(np.float32) for variable in variables]  # large
        for variable, value in zip(variables, initial):  # enough to move in three steps
            variable.load(value, sess)
        costs = [sess.run([g.ops.train_operation, g.ops.total_cost],
                          {g.X: X, g.Y: Y, g.keep_rate_conv: 1.0, g.keep_rate_hidden: 1.0})[1] for X, Y in batches]
        trained = sess.run(variables)

    def run_tf2(optimizer):
        tf.random.set_seed(0)
        model = tf_function.build_model(16)
        for variable, value in zip(model.trainable_variables, initial):
            variable.assign(value)
        step = tf_function.make_train_step(model, optimizer, 1.0, 1.0)
        return [float(step(X, Y)[0]) for X, Y in batches], weights_of(model)

    tf2_costs, tf2_trained = run_tf2(tf_function.tf1_rmsprop(0.05, 0.9))
    assert np.allclose(tf2_costs, costs, rtol=0, atol=1e-6)
    moved = max(float(np.abs(after - before).max()) for after, before in zip(trained, initial))
    assert moved > 1e-3  # the comparison below means something
    assert max(float(np.abs(a - b).max()) for a, b in zip(tf2_trained, trained)) < 1e-6
    _, keras_trained = run_tf2(tf.keras.optimizers.RMSprop(0.05, rho=0.9))
    assert max(float(np.abs(a - b).max()) for a, b in zip(keras_trained, trained)) > 1e-3


def parse_op_counts(out):
    """The op counts print_op_counts printed: ({type: TF1 count}, {type: TF2 count}) and the two totals."""
    totals = tuple(map(int, re.search(r"^Ops: (\d+) in lessons\.cnn's graph \(TF1\), (\d+) in the traced", out,
                                      re.M).groups()))
    tf1_counts, tf2_counts = {}, {}
    for kind, first, second in re.findall(r"^  (\w+) +(\d+) -> (\d+)$", out, re.M):
        tf1_counts[kind], tf2_counts[kind] = int(first), int(second)
    same = re.search(r"^  the same in both: (.*)$", out, re.M).group(1)
    for kind, count in re.findall(r"(\w+) (\d+)", same):
        tf1_counts[kind] = tf2_counts[kind] = int(count)
    return {k: v for k, v in tf1_counts.items() if v}, {k: v for k, v in tf2_counts.items() if v}, totals


def test_op_counts_printed_are_the_two_graphs(capsys):
    args = tf_function.parse_args(["--dry-run"])
    tf1_graph = cnn.build_graph(args)[0]
    model = tf_function.build_model()
    optimizer = tf_function.tf1_rmsprop(0.001, 0.9)
    optimizer.build(model.trainable_variables)
    traced = tf_function.make_train_step(model, optimizer, 0.8, 0.5).get_concrete_function().graph
    tf_function.print_op_counts(tf1_graph, traced)
    printed_tf1, printed_tf2, totals = parse_op_counts(capsys.readouterr().out)
    tf1_ops = collections.Counter(op.type for op in tf1_graph.get_operations())
    tf2_ops = collections.Counter(op.type for op in traced.get_operations())
    assert printed_tf1 == dict(tf1_ops) and printed_tf2 == dict(tf2_ops)
    assert totals == (len(tf1_graph.get_operations()), len(traced.get_operations()))
    # What the lesson says differs, and why.
    assert {"VarIsInitializedOp", "RandomStandardNormal", "ResourceApplyRMSProp"} <= set(tf1_ops)
    assert not {"VarIsInitializedOp", "RandomStandardNormal", "ResourceApplyRMSProp", "VarHandleOp"} & set(tf2_ops)
    assert tf2_ops["ReadVariableOp"] >= len(model.trainable_variables)
    captured = len(traced.captures)
    assert tf2_ops["Placeholder"] == len(traced.inputs) == 2 + captured  # X, Y and the captured variables
    assert all(output.op.type == "Identity" for output in traced.outputs) and tf2_ops["NoOp"] == 1


@pytest.fixture(scope="module")
def cnn_run(tmp_path_factory):
    """A lessons.cnn run (dry run) with its checkpoint."""
    logdir = tmp_path_factory.mktemp("logs")
    cnn.main(["--dry-run", "--logdir", str(logdir)])
    return next((logdir / "cnn").iterdir())


@pytest.fixture(scope="module")
def served(tmp_path_factory, cnn_run):
    """A dry run exported with --export, and --from-tf1 of the CNN run exported too, each with what it printed."""
    out = tmp_path_factory.mktemp("served")
    results = {}
    for name, flags in (("trained", ["--trace"]), ("from_tf1", ["--from-tf1", str(cnn_run)])):
        logdir = out / f"logs-{name}"
        argv = ["--dry-run", "--logdir", str(logdir), "--export", str(out / name)] + flags
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            result = tf_function.main(argv)
        results[name] = (out / name, result, printed.getvalue(), logdir)
    return results


def test_from_tf1_loads_by_name_and_matches_the_tf1_graph(served, cnn_run):
    _, result, out, logdir = served["from_tf1"]
    for name, shape in (("model/w", [3, 3, 1, 32]), ("model/w4", [2048, 625]), ("model/w_o", [625, 10])):
        assert re.search(rf"^  {name} +{re.escape(str(shape))} +-> model\.{name[6:]}$", out, re.M), out
    assert result["difference"] <= 1e-5
    assert f"Logits differ by at most {result['difference']:.1e} on 200 test images" in out
    assert f"{result['tf1_accuracy']:.4f} with the TF1 graph" in out and f"{result['tf2_accuracy']:.4f} with" in out
    assert result["tf1_accuracy"] == result["tf2_accuracy"]
    assert not logdir.exists()  # it trains nothing: no run


def test_trained_run_holds_both_graphs_and_the_trace(served):
    _, history, out, logdir = served["trained"]
    run_dir = next((logdir / "tf_function").iterdir())
    train, tf1_events = EventAccumulator(str(run_dir / "train")), EventAccumulator(str(run_dir / "tf1"))
    train.Reload()
    tf1_events.Reload()
    _, _, (tf1_total, tf2_total) = parse_op_counts(out)
    assert (len(tf1_events.Graph().node), len(train.Graph().node)) == (tf1_total, tf2_total)
    assert "train_step" in train.Tags()["tensors"]  # tf.summary.trace_export
    assert list((run_dir / "train" / "plugins" / "profile").glob("*/*.xplane.pb"))  # --trace
    assert sorted(path.name for path in (run_dir / "checkpoints").iterdir()) == [
        "checkpoint", "model.ckpt-100.data-00000-of-00001", "model.ckpt-100.index", "position-100.json"]
    assert json.loads((run_dir / "checkpoints" / "position-100.json").read_text())["epoch"] == 1
    assert len(history) >= 2 and history.final_accuracy == history[-1]


def test_a_fresh_process_serves_the_saved_models_to_the_same_accuracy(served, tmp_path):
    """Only tf.saved_model.load in the child: no lesson, no tfgraph."""
    test = mnist.load_sample(one_hot=True, reshape=False).test
    np.save(tmp_path / "images.npy", test.images[:cli.DRY_RUN_TEST_IMAGES])
    np.save(tmp_path / "labels.npy", np.argmax(test.labels[:cli.DRY_RUN_TEST_IMAGES], 1))
    code = textwrap.dedent(f"""
        import json, sys
        import numpy as np
        import tensorflow as tf
        images, labels = np.load({str(tmp_path / 'images.npy')!r}), np.load({str(tmp_path / 'labels.npy')!r})
        found = {{}}
        for folder in sys.argv[1:]:
            serve = tf.saved_model.load(folder).signatures["serving_default"]
            out = serve(images=tf.constant(images))
            assert np.allclose(out["probabilities"].numpy().sum(1), 1, atol=1e-5)
            assert (out["digit"].numpy() == out["probabilities"].numpy().argmax(1)).all()
            found[folder] = float(np.mean(out["digit"].numpy() == labels))
        assert "lessons" not in sys.modules and "tfgraph" not in sys.modules
        print(json.dumps(found))
        """)
    folders = [str(served[name][0]) for name in ("trained", "from_tf1")]
    process = subprocess.run([sys.executable, "-c", code, *folders], capture_output=True, text=True, timeout=300,
                             cwd=tmp_path)
    assert process.returncode == 0, process.stderr[-3000:]
    found = json.loads(process.stdout.splitlines()[-1])
    assert found[folders[0]] == served["trained"][1].final_accuracy
    assert found[folders[1]] == served["from_tf1"][1]["tf2_accuracy"]


def test_export_shows_what_saved_model_cli_prints(served):
    directory, _, out, _ = served["trained"]
    shown = out[out.index(f"$ saved_model_cli show --dir {directory} --all"):]
    signature = shown[shown.index("signature_def['serving_default']:"):]
    signature = signature[:signature.index("Method name is")]
    assert re.search(r"inputs\['images'\] tensor_info:\s+dtype: DT_FLOAT\s+shape: \(-1, 28, 28, 1\)", signature)
    assert re.search(r"outputs\['digit'\] tensor_info:\s+dtype: DT_INT64\s+shape: \(-1\)", signature)
    assert re.search(r"outputs\['probabilities'\] tensor_info:\s+dtype: DT_FLOAT\s+shape: \(-1, 10\)", signature)
    assert "StatefulPartitionedCall" in signature  # the signature calls `serve` as one op
    assert not list(directory.parent.glob(".*.partial"))


def test_export_refuses_a_folder_with_files_and_writes_nothing(tmp_path):
    folder = tmp_path / "taken"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    with pytest.raises(TfgraphError, match="new or empty folder") as raised:
        tf_function.save_for_serving(tf_function.build_model(8), folder)
    assert "\n" not in str(raised.value)
    with pytest.raises(TfgraphError, match="new or empty folder"):  # said before training, not after
        tf_function.main(["--dry-run", "--export", str(folder), "--logdir", str(tmp_path / "logs")])
    assert [path.name for path in tmp_path.iterdir()] == ["taken"] and (folder / "notes.txt").read_text() == "mine"
    assert [path.name for path in folder.iterdir()] == ["notes.txt"]


def test_checkpoint_restore_falls_back_to_names_and_half_loads_a_mismatch(cnn_run):
    """What the lesson says of tf.train.Checkpoint.restore on a TF1 checkpoint, which --from-tf1 does in the open."""
    path = tf.train.latest_checkpoint(str(cnn_run / "checkpoints"))
    by_hand, by_restore = tf_function.build_model(), tf_function.build_model()
    tf_function.load_tf1_weights(by_hand, path)
    tf.train.Checkpoint(model=by_restore).restore(path)
    assert all((a == b).all() for a, b in zip(weights_of(by_hand), weights_of(by_restore)))
    smaller = tf_function.build_model(num_hidden=20)
    before = weights_of(smaller)
    with pytest.raises(ValueError, match="model/w4"):
        tf.train.Checkpoint(model=smaller).restore(path)
    changed = [bool((a != b).any()) for a, b in zip(weights_of(smaller), before)]
    assert changed == [True, True, True, False, False]  # w, w2, w3 loaded before w4 failed


@pytest.mark.parametrize("lesson, flags, variable, shapes", [
    ("cnn", ["--num-hidden", "20"], "model/w4", ("[2048, 20]", "[2048, 625]")),
    ("fully_connected", [], "model/w", ("[3, 3, 1, 32]",)),
])
def test_a_mismatched_checkpoint_is_refused_and_nothing_is_loaded(lesson, flags, variable, shapes, tmp_path, capsys):
    module = {"cnn": cnn, "fully_connected": fully_connected}[lesson]
    module.main(["--dry-run", "--logdir", str(tmp_path)] + flags)
    run_dir = next((tmp_path / lesson).iterdir())
    path = tf.train.latest_checkpoint(str(run_dir / "checkpoints"))
    tf.random.set_seed(0)
    model = tf_function.build_model()
    before = weights_of(model)
    with pytest.raises(TfgraphError) as raised:
        tf_function.load_tf1_weights(model, path)
    message = str(raised.value)
    assert variable in message and all(shape in message for shape in shapes) and "\n" not in message
    assert all((a == b).all() for a, b in zip(weights_of(model), before))
    capsys.readouterr()
    with pytest.raises(SystemExit) as exited:  # as a learner runs it: one paragraph, no traceback
        cli.run(tf_function.main, ["--dry-run", "--from-tf1", str(run_dir), "--logdir", str(tmp_path)])
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert err.strip().startswith("error: The checkpoint") and "Traceback" not in err
    assert not (tmp_path / "tf_function").exists()


# tfgraph.function_loop against train_model: a softmax regression small enough to train in a second.

def regression_data():
    data = mnist.load_sample(one_hot=True)
    return data.train.images[:600], data.train.labels[:600], data.test.images[:300], data.test.labels[:300]


def run_function_loop(run_dir, num_epochs, resuming=False, seed=3):
    W = tf.Variable(tf.zeros([784, 10]), name="W")
    optimizer = tf.keras.optimizers.SGD(0.5)

    @tf.function(input_signature=[tf.TensorSpec([None, 784]), tf.TensorSpec([None, 10])])
    def step(X, Y):
        with tf.GradientTape() as tape:
            cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=Y, logits=X @ W))
        optimizer.apply_gradients([(tape.gradient(cost, W), W)])
        return cost, tf.constant(0.0)

    def accuracy_of(images, labels):
        return float(np.mean(np.argmax(images @ W.numpy(), 1) == np.argmax(labels, 1)))

    manager = tf.train.CheckpointManager(tf.train.Checkpoint(W=W, optimizer=optimizer), str(run_dir / "checkpoints"),
                                         2, checkpoint_name="model.ckpt")
    history = function_loop.train_function(step, accuracy_of, *regression_data(), num_epochs, 64, 100, 3,
                                           run_dir=run_dir, manager=manager, resuming=resuming, seed=seed,
                                           checkpoint_every=0)
    return history, W.numpy()


def test_function_loop_trains_in_train_models_order_and_measures_the_same_subsets(tmp_path, capsys):
    train_X, train_Y, test_X, test_Y = regression_data()
    graph = tf.Graph()
    with graph.as_default():
        X, Y = tf1.placeholder(tf.float32, [None, 784]), tf1.placeholder(tf.float32, [None, 10])
        W = tf.Variable(tf.zeros([784, 10]))
        ops = training.classifier_ops(tf.matmul(X, W), Y, tf1.train.GradientDescentOptimizer(0.5))
        init = tf1.global_variables_initializer()
    with tf1.Session(graph=graph) as sess:
        sess.run(init)
        expected = training.train_model(sess, train_X, train_Y, test_X, test_Y, ops.train_operation,
                                        ops.accuracy_operation, 2, 64, 100, how_often=3, X=X, Y=Y, seed=3,
                                        progress=False)
        expected_W = sess.run(W)
    history, trained_W = run_function_loop(tmp_path, 2)
    assert history.samples == expected.samples and len(history) == len(expected) > 10
    assert np.allclose(history, expected, atol=1e-6) and np.allclose(trained_W, expected_W, atol=1e-5)
    out = capsys.readouterr().out
    for line in ("Finished training for 2 epochs\n", "Took ", " s per epoch)\n", "  training ",
                 "measuring test accuracy ", f"Final accuracy was {history.final_accuracy:.4f}"):
        assert line in out


def test_function_loop_resumes_where_it_stopped(tmp_path):
    straight, straight_W = run_function_loop(tmp_path / "straight", 3)
    run_function_loop(tmp_path / "resumed", 1)
    resumed, resumed_W = run_function_loop(tmp_path / "resumed", 3, resuming=True)
    assert list(resumed) == list(straight) and resumed.samples == straight.samples
    assert (resumed_W == straight_W).all()
    kept = sorted(path.name for path in (tmp_path / "resumed" / "checkpoints").glob("position-*.json"))
    assert kept == ["position-1200.json", "position-1800.json"]  # max_to_keep=2, positions go with them
    with pytest.raises(TfgraphError, match="Cannot resume"):
        run_function_loop(tmp_path / "never", 1, resuming=True)
    assert not (tmp_path / "never" / "checkpoints").exists()
