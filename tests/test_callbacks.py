"""train_model's callbacks, each alone, the bare state with none, and resuming bit for bit."""
import os
import signal
from types import SimpleNamespace

import numpy as np
import pytest
import tensorflow as tf
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from tests.test_training import build_linear, make_problem
from benchmarks.compiled_run import CompiledRun
from tfgraph import callbacks, resume, runs, training
from tfgraph.errors import TfgraphError

tf1 = tf.compat.v1


def train(callback_list, num_epochs=2, batch_size=50, how_often=2, cost=True, sess_and_graph=None, **kwargs):
    """Train the tiny linear classifier with `callback_list`; return (history, final weights)."""
    train_X, train_Y, test_X, test_Y = make_problem()
    graph, X, Y, w, ops, init = build_linear()
    if callable(callback_list):  # callbacks that need the graph, such as a run's checkpoints
        callback_list = callback_list(graph)
    with tf1.Session(graph=graph) as sess:
        sess.run(init)
        history = training.train_model(
            sess, train_X, train_Y, test_X, test_Y, ops.train_operation, ops.accuracy_operation,
            num_epochs, batch_size, 40, how_often=how_often, X=X, Y=Y,
            cost_operation=ops.total_cost if cost else None, seed=0, callbacks=callback_list, **kwargs)
        return history, sess.run(w)


class Events(callbacks.Callback):
    """Records every event the state announces, with the samples seen then."""

    def __init__(self):
        self.log = []

    def __getattribute__(self, name):
        if name.startswith("on_"):
            return lambda state: object.__getattribute__(self, "log").append((name[3:], state.samples_seen))
        return object.__getattribute__(self, name)


def test_bare_loop_prints_the_articles_lines_and_nothing_else(capsys):
    history, weights = train([])
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0] == "Finished training for 2 epochs"
    assert lines[1].startswith("Took ") and lines[1].endswith(" s per epoch)")
    assert lines[2] == "Final accuracy was %.04f" % history.final_accuracy
    assert len(lines) == 3 and captured.err == ""  # no progress bar, no time split
    assert history.samples[-1] == 2 * 230 and len(history) == 2 * (3 + 1) + 1


def test_the_loop_announces_its_events_in_order():
    recorder = Events()
    train([recorder], num_epochs=2, how_often=2)
    names = [name for name, _ in recorder.log]
    assert names[0] == "train_begin" and names[-2:] == ["train_end", "closing"]
    assert names.count("batch_end") == 2 * 5  # 230 examples in batches of 50: 5 a epoch
    assert names.count("test_end") == 2 * (3 + 1) and names.count("epoch_end") == 2
    # Each epoch: a check after batches 0, 2 and 4 (before their batch_end), then the epoch's own check.
    first_epoch = names[1:names.index("epoch_end") + 1]
    assert first_epoch == ["test_end", "batch_end", "batch_end", "test_end", "batch_end", "batch_end",
                           "test_end", "batch_end", "test_end", "epoch_end"]
    assert [samples for name, samples in recorder.log if name == "epoch_end"] == [230, 460]


def test_train_end_runs_after_an_error_and_the_error_goes_on():
    recorder = Events()

    class Fail(callbacks.Callback):
        def on_batch_end(self, state):
            if state.batch == 1:
                raise RuntimeError("stop here")

    with pytest.raises(RuntimeError, match="stop here"):
        train([recorder, Fail()])
    assert [name for name, _ in recorder.log][-1] == "train_end"


def test_progress_bar_alone_counts_samples_and_shows_the_accuracy(capsys):
    train([callbacks.ProgressBar()], num_epochs=1)
    err = capsys.readouterr().err
    assert "230/230" in err and "Test Accuracy: 0." in err


def test_nan_check_alone_stops_a_diverging_run_and_only_it():
    poisoned = Events()
    train_X = make_problem()[0]

    class Poison(callbacks.Callback):  # makes every weight NaN after the first step
        def on_batch_end(self, state):
            if state.batch == 0:
                with state.sess.graph.as_default():
                    variable = tf1.trainable_variables()[0]
                    state.sess.run(variable.assign(tf.fill(variable.shape, np.nan)))

    with pytest.raises(training.TrainingDiverged, match="became nan in epoch 1, batch 2"):
        train([Poison(), training.NaNCheck()], num_epochs=1)
    history, weights = train([Poison(), poisoned], num_epochs=1)  # without the check it trains on
    assert np.isnan(weights).all() and len(train_X) == 230


def test_time_split_alone_prints_training_and_measuring(capsys):
    history, _ = train([callbacks.TimeSplit()], num_epochs=2)
    out = capsys.readouterr().out.splitlines()
    assert out[2] == "  training %.02f s (%.02f s per epoch), measuring test accuracy %.02f s" % (
        history.train_seconds, history.train_seconds / 2, history.eval_seconds)
    assert history.train_seconds + history.eval_seconds == pytest.approx(history.seconds)
    assert out[3].startswith("Final accuracy was")


def test_scalars_alone_log_cost_accuracy_and_final_accuracy(tmp_path):
    graph = tf.Graph()
    with runs.Run(tmp_path, graph) as run:
        history, _ = train([callbacks.TensorBoardScalars(run)], num_epochs=1, how_often=2)
    train_events, test_events = EventAccumulator(str(tmp_path / "train")), EventAccumulator(str(tmp_path / "test"))
    train_events.Reload(), test_events.Reload()
    assert [event.step for event in train_events.Scalars("cost")] == [50, 150, 230]
    assert [event.step for event in train_events.Scalars("accuracy")] == [50, 150, 230]
    assert [event.value for event in test_events.Scalars("accuracy")] == pytest.approx(list(history[:-1]))
    assert test_events.Scalars("final_accuracy")[0].value == pytest.approx(history.final_accuracy)
    assert run.last_step == 230


def test_histograms_alone_log_weights_and_gradients_at_start_and_each_epoch(tmp_path):
    with runs.Run(tmp_path, tf.Graph()) as run:
        train_X, train_Y, test_X, test_Y = make_problem()
        graph, X, Y, w, ops, init = build_linear()
        with tf1.Session(graph=graph) as sess:
            sess.run(init)
            training.train_model(sess, train_X, train_Y, test_X, test_Y, ops.train_operation,
                                 ops.accuracy_operation, 2, 50, 40, X=X, Y=Y, seed=0,
                                 callbacks=[callbacks.TensorBoardHistograms(run, ops.total_cost)])
    events = EventAccumulator(str(tmp_path / "train"), size_guidance={"histograms": 0})  # 0: keep them all
    events.Reload()
    assert set(events.Tags()["histograms"]) == {"weights/model/w", "gradients/model/w"}
    assert [event.step for event in events.Histograms("weights/model/w")] == [0, 230, 460]
    assert [event.step for event in events.Histograms("gradients/model/w")] == [230, 460]


def test_trace_alone_traces_the_second_step_without_changing_a_number(tmp_path, capsys):
    _, plain = train([])
    with runs.Run(tmp_path, tf.Graph()) as run:
        _, traced = train([callbacks.TraceStep(run)])
    events = EventAccumulator(str(tmp_path / "train"))
    events.Reload()
    assert events.Tags()["run_metadata"] == ["step 100"]
    assert "Traced one training step" in capsys.readouterr().out
    assert np.array_equal(plain, traced)


class CtrlC(callbacks.Callback):
    """Sends this process a real SIGINT after batch `at` of the first epoch."""

    def __init__(self, at):
        self.at = at

    def on_batch_end(self, state):
        if state.epoch == 0 and state.batch == self.at:
            os.kill(os.getpid(), signal.SIGINT)


def run_in(tmp_path, opened, *first, **options):
    """A function giving `first` callbacks + Checkpointing on a Run of the graph in `tmp_path` (kept in `opened`)."""
    def make(graph):
        opened.append(runs.Run(tmp_path, graph, **options))
        return [*first, resume.Checkpointing(opened[-1])]
    return make


def test_checkpointing_stops_on_ctrl_c_and_resumes_bit_for_bit(tmp_path, capsys):
    uninterrupted_history, uninterrupted = train([], num_epochs=3, how_often=1)
    handler, opened = signal.getsignal(signal.SIGINT), []
    with pytest.raises(resume.TrainingInterrupted, match="epoch 1, batch 3.*Continue with: resume me"):
        train(run_in(tmp_path, opened, CtrlC(at=2), resume_command="resume me"), num_epochs=3, how_often=1)
    opened[-1].close()
    assert signal.getsignal(signal.SIGINT) is handler  # Ctrl-C works again
    history, resumed = train(run_in(tmp_path, opened, resuming=True), num_epochs=3, how_often=1)
    opened[-1].close()
    assert "Resuming from" in capsys.readouterr().out
    assert np.array_equal(resumed, uninterrupted)
    assert list(history) == list(uninterrupted_history)
    assert history.samples == uninterrupted_history.samples


def test_checkpointing_refuses_a_run_saved_with_other_batches(tmp_path):
    opened = []
    train(run_in(tmp_path, opened), num_epochs=1)
    opened[-1].close()
    with pytest.raises(TfgraphError, match="in batches of 50 .*not 230 in batches of 25"):
        train(run_in(tmp_path, opened, resuming=True), num_epochs=1, batch_size=25)
    opened[-1].close()


def test_default_callbacks_keep_the_lessons_order():
    run = object()  # default_callbacks only hands the run on
    kinds = [type(callback).__name__ for callback in training.default_callbacks(run, trace=True)]
    assert kinds == ["NaNCheck", "TensorBoardScalars", "Checkpointing", "ProgressBar", "TimeSplit",
                     "TensorBoardHistograms", "TraceStep"]
    assert [type(c).__name__ for c in training.default_callbacks(None)] == ["NaNCheck", "ProgressBar", "TimeSplit"]


def test_compiled_run_matches_sess_run_with_and_without_the_compiled_api():
    train_X, train_Y, _, _ = make_problem()
    graph, X, Y, w, ops, init = build_linear()
    with tf1.Session(graph=graph) as sess:
        sess.run(init)
        feed = {X: train_X[:7], Y: train_Y[:7]}
        expected = sess.run([ops.total_cost, ops.accuracy_operation], feed_dict=feed)
        assert CompiledRun(sess, [ops.total_cost, ops.accuracy_operation], [X, Y])(feed) == expected
        step = CompiledRun(sess, [ops.train_operation, ops.total_cost], [Y, X])  # any order of feeds
        assert step(feed) == [None, expected[0]]
        without_api = SimpleNamespace(graph=sess.graph, run=sess.run)  # a Session without the compiled API
        slow = CompiledRun(without_api, [ops.train_operation, ops.total_cost], [X, Y])
        assert slow(feed)[0] is None and slow(feed)[1] < expected[0]  # steps were taken
        with pytest.raises(TypeError, match="expected values for"):
            slow({X: train_X[:7]})
