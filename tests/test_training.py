"""tfgraph.training against NumPy, on a tiny linear classifier with synthetic data."""
import numpy as np
import pytest
import tensorflow as tf
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from tfgraph import callbacks, runs, training
from tfgraph.errors import TfgraphError

tf1 = tf.compat.v1


def make_problem(num_train=230, num_test=97, seed=0):
    """Ten linearly separable classes in 20 dimensions, one-hot labels."""
    rng = np.random.default_rng(seed)
    W_true = rng.normal(size=(20, 10))
    X_all = rng.normal(size=(num_train + num_test, 20)).astype(np.float32)
    Y_all = np.eye(10, dtype=np.float32)[np.argmax(X_all @ W_true, axis=1)]
    return X_all[:num_train], Y_all[:num_train], X_all[num_train:], Y_all[num_train:]


def build_linear(learning_rate=0.5, seed=1):
    """A linear softmax classifier built with classifier_ops; returns the graph and its handles."""
    graph = tf.Graph()
    graph.seed = seed
    with graph.as_default():
        X = tf1.placeholder(tf.float32, [None, 20], name="X")
        Y = tf1.placeholder(tf.float32, [None, 10], name="Y")
        with tf.name_scope("model"):
            w = training.init_weights([20, 10], name="w")
            model = tf.matmul(X, w)
        ops = training.classifier_ops(model, Y, tf1.train.GradientDescentOptimizer(learning_rate))
        init = tf1.global_variables_initializer()
    return graph, X, Y, w, ops, init


def numpy_accuracy(weights, images, labels):
    return float(np.mean(np.argmax(images @ weights, 1) == np.argmax(labels, 1)))


def test_update_d_returns_a_merged_copy():
    prev = {"a": 1, "b": 2}
    merged = training.update_d(prev, {"b": 3, "c": 4})
    assert merged == {"a": 1, "b": 3, "c": 4}
    assert prev == {"a": 1, "b": 2}
    assert training.update_d(None, {"x": 1}) == {"x": 1}


def test_init_weights_shape_and_spread():
    graph = tf.Graph()
    with graph.as_default():
        w = training.init_weights([300, 200])
        with tf1.Session() as sess:
            sess.run(tf1.global_variables_initializer())
            values = sess.run(w)
    assert values.shape == (300, 200)
    assert abs(values.mean()) < 0.001
    assert 0.009 < values.std() < 0.011


def test_evaluate_matches_numpy_with_uneven_batches():
    train_X, train_Y, test_X, test_Y = make_problem()
    graph, X, Y, w, ops, init = build_linear()
    with tf1.Session(graph=graph) as sess:
        sess.run(init)
        weights = sess.run(w)
        got = training.evaluate(sess, ops.accuracy_operation, X, Y, test_X, test_Y, batch_size=10)
    assert got == pytest.approx(numpy_accuracy(weights, test_X, test_Y), abs=1e-6)


class Recorder(callbacks.Callback):
    """Records (samples seen, accuracy) at each periodic test-accuracy check."""

    def __init__(self, seen):
        self.seen = seen

    def on_test_end(self, state):
        self.seen.append((state.samples_seen, state.accuracy))


def test_train_model_learns_logs_and_reports(tmp_path, capsys):
    train_X, train_Y, test_X, test_Y = make_problem()
    graph, X, Y, w, ops, init = build_linear()
    with runs.Run(tmp_path / "run", graph) as run:
        with tf1.Session(graph=graph) as sess:
            sess.run(init)
            cost_before = sess.run(ops.total_cost, {X: train_X, Y: train_Y})
            seen = []
            history = training.train_model(
                sess, train_X, train_Y, test_X, test_Y, ops.train_operation, ops.accuracy_operation,
                num_epochs=3, batch_size=50, test_size=40, how_often=2, X=X, Y=Y,
                cost_operation=ops.total_cost, seed=0,
                callbacks=training.default_callbacks(run, ops.total_cost, progress=False) + [Recorder(seen)])
            cost_after = sess.run(ops.total_cost, {X: train_X, Y: train_Y})
            weights = sess.run(w)
    out = capsys.readouterr().out
    assert cost_after < 0.7 * cost_before
    # The final entry is the whole test set, and agrees with NumPy on the learned weights.
    assert history[-1] == history.final_accuracy
    assert history.final_accuracy == pytest.approx(numpy_accuracy(weights, test_X, test_Y), abs=1e-6)
    assert history.final_accuracy > 0.6
    # 230 samples a epoch in batches of 50: the last partial batch (30) is trained on and counted.
    assert history.samples[-1] == 3 * 230
    # Batches 0, 2, 4 of each epoch plus the end of each epoch, then the final measurement.
    assert len(history) == 3 * (3 + 1) + 1
    assert seen == list(zip(history.samples[:-1], history[:-1]))
    assert "Finished training for 3 epochs" in out
    assert "Final accuracy was %.04f" % history.final_accuracy in out
    assert "s per epoch" in out

    train_events = EventAccumulator(str(tmp_path / "run" / "train"))
    train_events.Reload()
    assert train_events.Tags()["graph"]
    assert {"cost", "accuracy"} <= set(train_events.Tags()["scalars"])
    costs = [event.value for event in train_events.Scalars("cost")]
    assert costs[-1] < costs[0]
    assert [event.step for event in train_events.Scalars("cost")][:3] == [50, 150, 230]  # batch 4 is the partial one
    test_events = EventAccumulator(str(tmp_path / "run" / "test"))
    test_events.Reload()
    accuracy_events = test_events.Scalars("accuracy")
    assert [event.value for event in accuracy_events] == pytest.approx(list(history[:-1]))
    assert test_events.Scalars("final_accuracy")[0].value == pytest.approx(history.final_accuracy)


def test_train_model_is_reproducible_with_a_seed():
    train_X, train_Y, test_X, test_Y = make_problem()
    results = []
    for _ in range(2):
        graph, X, Y, w, ops, init = build_linear()
        with tf1.Session(graph=graph) as sess:
            sess.run(init)
            results.append(list(training.train_model(
                sess, train_X, train_Y, test_X, test_Y, ops.train_operation, ops.accuracy_operation,
                2, 32, 50, X=X, Y=Y, seed=7, progress=False)))
    assert results[0] == results[1]


def test_nan_cost_stops_training_with_advice():
    train_X, train_Y, test_X, test_Y = make_problem()
    train_X = train_X.copy()
    train_X[60, 3] = np.nan  # poisons the second batch when not shuffled
    graph, X, Y, w, ops, init = build_linear()
    with tf1.Session(graph=graph) as sess:
        sess.run(init)
        # Batch 2's cost is NaN, and the check after that step stops training.
        with pytest.raises(training.TrainingDiverged, match=r"became nan in epoch 1, batch 2 .*smaller learning rate"):
            training.train_model(sess, train_X, train_Y, test_X, test_Y, ops.train_operation,
                                 ops.accuracy_operation, 1, 50, 10, X=X, Y=Y, cost_operation=ops.total_cost,
                                 shuffle=False, progress=False)


@pytest.mark.parametrize("change, message", [
    ({"num_epochs": 0}, "num_epochs must be a whole number of at least 1"),
    ({"batch_size": -5}, "batch_size must be a whole number of at least 1"),
    ({"batch_size": 1000}, "batch size of at most 230"),
    ({"test_size": 98}, "test set has only 97 images"),
    ({"train_Y": np.zeros((10, 10))}, "train_X has 230 examples but train_Y has 10"),
    ({"eval_batch_size": 0}, "eval_batch_size must be a whole number of at least 1, or None"),
    ({"eval_batch_size": True}, "eval_batch_size must be a whole number of at least 1, or None"),
    ({"num_epochs": 2.0}, "num_epochs must be a whole number of at least 1"),
])
def test_train_model_refuses_bad_arguments(change, message):
    train_X, train_Y, test_X, test_Y = make_problem()
    graph, X, Y, w, ops, init = build_linear()
    arguments = dict(train_X=train_X, train_Y=train_Y, test_X=test_X, test_Y=test_Y,
                     train_operation=ops.train_operation, accuracy_operation=ops.accuracy_operation,
                     num_epochs=1, batch_size=50, test_size=10)
    arguments.update(change)
    with tf1.Session(graph=graph) as sess:
        sess.run(init)
        with pytest.raises(TfgraphError, match=message):
            training.train_model(sess, X=X, Y=Y, progress=False, **arguments)


PATH_TO_FIRST_STEP = """
import inspect, json, sys
from pathlib import Path
root = Path.cwd()
entered, reached = [], []

def profile(frame, event, arg):
    if reached or event != "call":
        return
    code = frame.f_code
    if code.co_name == "run" and frame.f_back is not None and frame.f_back.f_code.co_name == "train_model":
        reached.append(frame.f_back.f_code.co_filename)  # the training step's sess.run
        return
    path = Path(code.co_filename)
    if code.co_flags & inspect.CO_OPTIMIZED and path.is_relative_to(root) \\
            and path.parts[len(root.parts)] in ("tfgraph", "lessons") \\
            and not path.name.startswith(("mnist", "quiet")) and path not in entered:
        entered.append(path)

from lessons import cnn
sys.setprofile(profile)
cnn.main(["--dry-run", "--logdir", sys.argv[1]])
sys.setprofile(None)
print(json.dumps({"reached": reached, "files": [str(path.relative_to(root)) for path in entered]}))
"""


@pytest.mark.slow
def test_the_cnn_lesson_reaches_its_first_training_step_through_at_most_8_files(tmp_path):
    """What a learner steps into, from `lessons.cnn.main` to the training step's `sess.run` in train_model.

    Counted, in a fresh process as a learner starts it: the project files whose functions
    run on the way (module and class bodies left out). Not counted: `tfgraph.mnist*`, the
    MNIST loader that stands in for TF1's `input_data`, and `tfgraph.quiet`, which imports
    TensorFlow on its first use.
    """
    import json
    from pathlib import Path

    from tests.helpers import ROOT, run_python

    process = run_python("-c", PATH_TO_FIRST_STEP, str(tmp_path))
    assert process.returncode == 0, process.stderr[-2000:]
    found = json.loads(process.stdout.strip().splitlines()[-1])
    assert found["reached"] == [str(Path(ROOT) / "tfgraph" / "training.py")]
    files = found["files"]
    assert files[0] == "lessons/cnn.py" and "tfgraph/training.py" in files
    assert len(files) <= 8, f"{len(files)} files before the first training step: {files}"
