"""tfgraph.steps: compiled Session callables, and choosing where their ops run."""
import numpy as np
import pytest
import tensorflow as tf

from tfgraph import denormals, steps, training
from tfgraph.errors import TfgraphError

tf1 = tf.compat.v1


def build_dropout_net(seed=3):
    """A small two-layer net with dropout and RMSProp: random ops and several independent branches."""
    graph = tf.Graph()
    graph.seed = seed
    with graph.as_default():
        X = tf1.placeholder(tf.float32, [None, 30], name="X")
        Y = tf1.placeholder(tf.float32, [None, 4], name="Y")
        keep = tf1.placeholder(tf.float32, name="keep")
        w1 = training.init_weights([30, 40], stddev=0.3, name="w1")
        w2 = training.init_weights([40, 4], stddev=0.3, name="w2")
        hidden = tf.nn.dropout(tf.nn.relu(tf.matmul(X, w1)), rate=1 - keep)
        ops = training.classifier_ops(tf.matmul(hidden, w2), Y, tf1.train.RMSPropOptimizer(0.01, 0.9))
        init = tf1.global_variables_initializer()
    return graph, X, Y, keep, (w1, w2), ops, init


def batches(count=40, size=16, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.normal(size=(count * size, 30)).astype(np.float32)
    labels = np.eye(4, dtype=np.float32)[rng.integers(0, 4, count * size)]
    return [(images[i * size:(i + 1) * size], labels[i * size:(i + 1) * size]) for i in range(count)]


def test_fast_callable_returns_what_session_run_returns():
    graph, X, Y, keep, weights, ops, init = build_dropout_net()
    (images, labels), = batches(1)
    with tf1.Session(graph=graph) as sess:
        sess.run(init)
        call = steps.fast_callable(sess, [ops.total_cost, ops.predict_operation], [X, Y, keep])
        # Python floats and float64 arrays are converted to the placeholders' float32.
        cost, predictions = call(images.astype(np.float64), labels, 1.0)
        expected = sess.run([ops.total_cost, ops.predict_operation], {X: images, Y: labels, keep: 1.0})
        assert cost == pytest.approx(expected[0], rel=1e-6)
        np.testing.assert_array_equal(predictions, expected[1])
        # An operation's place in the results is None, as in sess.run.
        train = steps.fast_callable(sess, [ops.train_operation, ops.total_cost], [X, Y, keep])
        before = sess.run(weights[1])
        results = train(images, labels, 1.0)
        assert results[0] is None and results[1] == pytest.approx(expected[0], rel=1e-6)
        assert not np.array_equal(sess.run(weights[1]), before)
        with pytest.raises(TypeError, match="expected 3 values to feed, got 2"):
            train(images, labels)


@pytest.mark.parametrize("placement", ["thread pool", pytest.param("calling thread", marks=pytest.mark.needs_flushing),
                                       pytest.param("auto", marks=pytest.mark.needs_flushing)])
def test_every_placement_trains_to_the_same_numbers(placement, monkeypatch):
    """Where the ops run changes no number: dropout masks and updates match sess.run's bit for bit."""
    monkeypatch.setattr(steps, "_sees_a_gpu", lambda sess: False)  # 'auto' tries both even on a GPU machine

    def train(use_steps):
        graph, X, Y, keep, weights, ops, init = build_dropout_net()
        with tf1.Session(graph=graph) as sess:
            sess.run(init)
            if use_steps:
                session_steps = steps.SessionSteps(sess, [X, Y, keep], placement)
                if placement == "auto":  # choose within the 40 steps
                    session_steps.chooser = steps.FasterOf(blocks=4, min_calls=3, min_seconds=0.0)
                step = session_steps.callable([ops.train_operation, ops.total_cost], timed=True)
                costs = [step(images, labels, 0.5)[1] for images, labels in batches()]
                if placement == "auto":
                    assert session_steps.chooser.chosen is not None
                    assert session_steps.placement in steps.PLACEMENTS
                else:
                    assert session_steps.placement == placement
            else:
                costs = [sess.run([ops.train_operation, ops.total_cost], {X: images, Y: labels, keep: 0.5})[1]
                         for images, labels in batches()]
            return costs, sess.run(list(weights))

    reference_costs, reference_weights = train(use_steps=False)
    costs, weights = train(use_steps=True)
    assert costs == reference_costs
    for got, expected in zip(weights, reference_weights):
        np.testing.assert_array_equal(got, expected)


def test_faster_of_alternates_skips_warm_up_and_keeps_the_faster():
    chooser = steps.FasterOf(blocks=4, min_calls=2, min_seconds=0.0)
    took = {0: 0.003, 1: 0.002}
    ways = []
    while chooser.chosen is None:
        way = chooser.way()
        ways.append(way)
        # The first call of each way (compilation) is very slow and must not count.
        first_call = ways.count(way) == 1
        chooser.record(way, 5.0 if first_call else took[way])
    # Blocks of 2 timed calls, 0 1 0 1, each way's first call extra: 3 + 3 + 2 + 2 calls.
    assert ways == [0, 0, 0, 1, 1, 1, 0, 0, 1, 1]
    assert chooser.chosen == 1
    assert chooser.speedup() == pytest.approx(1.5)
    assert chooser.way() == 1
    chooser.record(0, 0.0)  # after choosing, calls no longer count
    assert chooser.chosen == 1


def test_faster_of_waits_for_the_minimum_time_per_block():
    chooser = steps.FasterOf(blocks=2, min_calls=1, min_seconds=0.01)
    chooser.record(0, 1.0)  # warm-up
    for _ in range(9):
        chooser.record(0, 0.001)
    assert chooser.way() == 0  # 9 ms so far: the block is not over
    chooser.record(0, 0.001)
    assert chooser.way() == 1
    assert chooser.speedup() is None


def test_faster_of_keeps_way_0_untimed_against_way_1_when_its_first_block_is_slow():
    chooser = steps.FasterOf(blocks=4, min_calls=2, min_seconds=0.0, keep_first_above=0.01)
    chooser.record(0, 1.0)  # warm-up
    chooser.record(0, 0.02)
    assert chooser.way() == 0 and chooser.chosen is None
    chooser.record(0, 0.02)
    assert chooser.chosen == 0 and chooser.kept_first
    assert chooser.speedup() is None  # way 1 was never timed
    assert chooser.block_means == ([0.02], [])


def test_faster_of_times_both_when_way_0_is_fast_enough():
    chooser = steps.FasterOf(blocks=4, min_calls=2, min_seconds=0.0, keep_first_above=0.01)
    for seconds in (1.0, 0.005, 0.005):
        chooser.record(0, seconds)
    assert chooser.chosen is None and not chooser.kept_first
    assert chooser.way() == 1


def test_faster_of_needs_a_block_of_each_way():
    with pytest.raises(ValueError, match="at least 2 blocks"):
        steps.FasterOf(blocks=1)


def test_session_steps_refuses_an_unknown_placement():
    graph, X, Y, keep, weights, ops, init = build_dropout_net()
    with tf1.Session(graph=graph) as sess:
        with pytest.raises(TfgraphError, match="placement must be 'auto', 'thread pool' or 'calling thread'"):
            steps.SessionSteps(sess, [X, Y, keep], "gpu")


def train_briefly(**options):
    """train_model on the dropout net for one epoch of 64 samples (4 steps); returns the history."""
    graph, X, Y, keep, weights, ops, init = build_dropout_net()
    data = batches(4)
    images = np.concatenate([b[0] for b in data])
    labels = np.concatenate([b[1] for b in data])
    with tf1.Session(graph=graph) as sess:
        sess.run(init)
        return training.train_model(sess, images, labels, images, labels, ops.train_operation,
                                    ops.accuracy_operation, 1, 16, 16, {keep: 0.5}, {keep: 1.0},
                                    X=X, Y=Y, progress=False, **options)


def test_train_model_runs_steps_where_it_is_told(capsys):
    history = train_briefly(placement="thread pool")
    assert history.placement == "thread pool"
    assert "steps ran in the thread pool\n" in capsys.readouterr().out


@pytest.mark.needs_flushing
def test_train_model_chooses_by_default_and_says_when_training_was_too_short_to_choose(capsys, monkeypatch):
    monkeypatch.setattr(steps, "_sees_a_gpu", lambda sess: False)
    history = train_briefly()
    assert history.placement == "measuring"
    assert "steps ran both in the thread pool and in the calling thread (too few steps to time them)" \
        in capsys.readouterr().out


@pytest.mark.needs_flushing
def test_train_model_keeps_the_pool_untried_when_steps_are_long(capsys, monkeypatch):
    monkeypatch.setattr(steps, "_sees_a_gpu", lambda sess: False)
    monkeypatch.setitem(steps.TRIAL, "min_calls", 1)
    monkeypatch.setitem(steps.TRIAL, "min_seconds", 0.0)
    monkeypatch.setitem(steps.TRIAL, "keep_first_above", 0.0)  # every step counts as long
    history = train_briefly()
    assert history.placement == "thread pool"
    out = capsys.readouterr().out
    assert "steps ran in the thread pool (a step took " in out
    assert "ms: too long for the calling thread's saving per call to matter, so it was not tried)" in out


def test_fast_callable_falls_back_to_session_run_without_the_compiled_api():
    """Should a TensorFlow release drop Session._make_callable_from_options, the numbers stay the same."""
    graph, X, Y, keep, weights, ops, init = build_dropout_net()
    (images, labels), = batches(1)

    class PlainSession:  # only what a Session without the compiled-callable API offers
        def __init__(self, sess):
            self.graph, self.run = sess.graph, sess.run

    with tf1.Session(graph=graph) as sess:
        sess.run(init)
        for calling_thread in (False, True):
            call = steps.fast_callable(PlainSession(sess), [ops.train_operation, ops.total_cost], [X, Y, keep],
                                       calling_thread=calling_thread)
            expected = sess.run(ops.total_cost, {X: images, Y: labels, keep: 1.0})
            results = call(images, labels, 1.0)
            assert results[0] is None and results[1] == pytest.approx(expected, rel=1e-6)


def tiny_product_graph():
    """x * 1e-20 as a graph: fed 1e-20, its exact result 1e-40 is a denormal float32."""
    graph = tf.Graph()
    with graph.as_default():
        x = tf1.placeholder(tf.float32, [None], name="x")
        product = x * np.float32(1e-20)
    return graph, x, product


@pytest.mark.needs_flushing
def test_the_calling_thread_flushes_denormals_as_the_thread_pool_does():
    """The cause of the calling thread's drift over long runs, and its cure."""
    graph, x, product = tiny_product_graph()
    tiny = np.full(3, 1e-20, np.float32)
    with tf1.Session(graph=graph) as sess:
        # TensorFlow's own pool threads flush denormals to zero; Python's thread does not, so the
        # same op run in the calling thread without tfgraph's help keeps 1e-40.
        assert steps.fast_callable(sess, [product], [x])(tiny)[0].tolist() == [0.0] * 3
        options = steps.CallableOptions(feed=[x.name], fetch=[product.name])
        options.run_options.inter_op_thread_pool = -1
        unflushed = sess._make_callable_from_options(options)(tiny)[0]
        assert np.all(unflushed > 0), "TensorFlow now flushes in the calling thread: tfgraph.denormals may go"
        # tfgraph's calling-thread callable flushes, and leaves the thread's setting as it was.
        assert denormals.flushing() is False, "something in this process turned flushing on (a -ffast-math library?)"
        assert steps.fast_callable(sess, [product], [x], calling_thread=True)(tiny)[0].tolist() == [0.0] * 3
        assert denormals.flushing() is False
        assert np.float32(1e-20) * np.float32(1e-20) > 0  # NumPy in this thread still keeps denormals


@pytest.mark.needs_flushing
def test_flushed_restores_the_setting_even_when_the_call_raises():
    def fails():
        assert denormals.flushing() is True
        assert np.float32(1e-20) * np.float32(1e-20) == 0
        raise ValueError("inside")

    assert denormals.flushed(denormals.flushing)() is True
    with pytest.raises(ValueError, match="inside"):
        denormals.flushed(fails)()
    assert denormals.flushing() is False


def test_without_denormal_flushing_the_calling_thread_is_refused_and_auto_keeps_the_pool(monkeypatch):
    """Where tfgraph cannot flush denormals (not Linux x86-64 glibc), only the thread pool is reproducible."""
    monkeypatch.setattr(denormals, "_LIBM", None)
    graph, X, Y, keep, weights, ops, init = build_dropout_net()
    with tf1.Session(graph=graph) as sess:
        with pytest.raises(TfgraphError, match="needs tfgraph to flush denormal numbers .* Use placement='thread pool'"):
            steps.SessionSteps(sess, [X, Y, keep], "calling thread")
        with pytest.raises(TfgraphError, match="Linux x86-64 with glibc only"):
            steps.fast_callable(sess, [ops.total_cost], [X, Y, keep], calling_thread=True)
        auto = steps.SessionSteps(sess, [X, Y, keep], "auto")
        assert auto.placement == "thread pool" and auto.chooser is None


def test_auto_keeps_the_thread_pool_on_a_session_that_sees_a_gpu():
    """The calling thread was not verified with a GPU, so 'auto' does not try it there."""
    class Device:
        def __init__(self, device_type):
            self.device_type = device_type

    class SessionWithDevices:
        def __init__(self, *types):
            self.devices = [Device(t) for t in types]

        def list_devices(self):
            return self.devices

    assert steps.SessionSteps(SessionWithDevices("CPU", "GPU"), []).placement == "thread pool"
    cpu_only = steps.SessionSteps(SessionWithDevices("CPU"), [])  # measuring: about to time both
    assert cpu_only.placement == ("measuring" if denormals.supported() else "thread pool")
