"""The throughput benchmark's TensorFlow side: the lessons' graphs in tf.compat.v1 Sessions.

`SessionBackend` runs in a worker process of its own (benchmarks/workers.py). It builds
each lesson's graph and Session exactly as the lesson does, and measures the lesson's
`train_model` (A) and a bare `sess.run(feed_dict=...)` loop over the same batches (B).
"""
import importlib
import os
import time
from types import SimpleNamespace

from benchmarks.machine import Stopwatch

# How the lesson feeds its keep probabilities while training: placeholder attribute -> flag.
KEEP_FEEDS = {"fully_connected": {}, "modern_net": {"keep_input": "keep_input", "keep_hidden": "keep_hidden"},
              "cnn": {"keep_rate_conv": "keep_conv", "keep_rate_hidden": "keep_hidden"}}
SETTINGS = ("batch_size", "learning_rate", "num_hidden", "decay", "keep_input", "keep_hidden", "keep_conv",
            "input_dropout", "block3_dropout", "test_size", "how_often")


def keep_feeds(model, g, args):
    """The lesson's keep-probability feeds (placeholder -> value) for training and for testing (all 1.0)."""
    train_feed = {getattr(g, name): getattr(args, flag) for name, flag in KEEP_FEEDS[model].items()}
    return train_feed, {placeholder: 1.0 for placeholder in train_feed}


def load_training_set(reshape):
    """Full MNIST's 55,000 training images and one-hot labels, without TensorFlow."""
    from tfgraph import mnist

    data = mnist.read_data_sets(None, one_hot=True, reshape=reshape)
    return data.train.images, data.train.labels


def training_subset(images, labels, size, seed):
    """All the training set, or `size` images of it drawn at random (seeded), in MNIST's order."""
    import numpy as np

    if size >= len(images):
        return images, labels
    chosen = np.sort(np.random.default_rng(10_000 + seed).permutation(len(images))[:size])
    return images[chosen], labels[chosen]


def threads_in_process():
    """How many threads this process runs now."""
    return len(os.listdir("/proc/self/task"))


class SessionBackend:
    """The lessons' graphs in tf.compat.v1 Sessions: train_model (A) and the bare loop (B)."""

    def __init__(self, logdir, intra=None, inter=None, determinism=True):
        import numpy as np
        import tensorflow as tf

        self.np, self.tf, self.tf1 = np, tf, tf.compat.v1
        self.threads, self.determinism = (intra, inter), determinism
        self.logdir = logdir  # the TensorBoard runs train_model writes
        self.models, self._data = {}, {}

    def info(self):
        """Machine, versions and the process's TensorFlow thread settings."""
        import keras

        from benchmarks.machine import describe

        tf = self.tf
        return {"machine": describe(), "tensorflow": tf.__version__, "keras": keras.__version__,
                "intra": tf.config.threading.get_intra_op_parallelism_threads(),
                "inter": tf.config.threading.get_inter_op_parallelism_threads()}

    def session(self, args, graph):
        """The lesson's Session (`cli.session`), or one with this worker's thread settings."""
        from tfgraph import cli

        intra, inter = self.threads
        if intra is None and inter is None:
            return cli.session(args, graph)  # exactly the lessons' session
        config = self.tf1.ConfigProto(allow_soft_placement=True, intra_op_parallelism_threads=intra or 0,
                                      inter_op_parallelism_threads=inter or 0)
        if args.device == "cpu":
            config.device_count["GPU"] = 0
        return self.tf1.Session(graph=graph, config=config)

    def setup(self, model):
        """Build the lesson's graph and session as the lesson does, and warm them up."""
        from tfgraph import cli, graphinfo

        module = importlib.import_module(f"lessons.{model}")
        args = module.parse_args(["--seed", "0", "--logdir", self.logdir])  # the article's settings
        if not self.determinism:  # undo what the lesson's parse_args turned on (not exported under tf.config)
            from tensorflow.python.framework import config

            config.disable_op_determinism()
        graph, g = module.build_graph(args)
        reshape = model != "cnn"
        if reshape not in self._data:
            self._data[reshape] = cli.load_mnist(args, reshape=reshape)
        train_X, train_Y, test_X, test_Y = self._data[reshape]
        sess = self.session(args, graph)
        sess.run(g.init)
        train_feed, test_feed = keep_feeds(model, g, args)
        m = SimpleNamespace(args=args, graph=graph, g=g, sess=sess, train_X=train_X, train_Y=train_Y,
                            test_X=test_X, test_Y=test_Y, train_feed=train_feed, test_feed=test_feed)
        self.models[model] = m
        # Warm up train_model (its callable, summaries, histogram gradients) on a few batches.
        batch = args.batch_size
        self._train_model(m, train_X[:4 * batch], train_Y[:4 * batch], 1, 0, test_size=min(args.test_size, 1000),
                          how_often=2, test_set=1000)
        settings = {key: getattr(args, key) for key in SETTINGS if hasattr(args, key)}
        return {"settings": settings, "forward_flops": graphinfo.forward_flops(graph), "num_train": len(train_X),
                "train_megabytes": (train_X.nbytes + train_Y.nbytes) / 1e6, "threads_in_process": threads_in_process()}

    def _train_model(self, m, images, labels, epochs, seed, test_size=None, how_often=None, test_set=None):
        """The lesson's `train_model` call, with a TensorBoard run, inside its session and graph; (history, stats)."""
        from tfgraph import runs, training

        args, g = m.args, m.g
        # Inside the session and its graph, as in the lesson's `with cli.session(...) as sess:` block.
        with runs.open_run(args, m.graph, {"seed": seed}) as run, m.sess.as_default(), m.graph.as_default(), \
                Stopwatch() as watch:
            history = training.train_model(
                m.sess, images, labels, m.test_X[:test_set], m.test_Y[:test_set], g.ops.train_operation,
                g.ops.accuracy_operation, epochs, args.batch_size, test_size or args.test_size, m.train_feed,
                m.test_feed, how_often or args.how_often, X=g.X, Y=g.Y, cost_operation=g.ops.total_cost, run=run,
                shuffle=args.shuffle, seed=seed)
        return history, watch.stats

    def matmul_ceiling(self, size=2048, runs=10):
        """GFLOP/s of the best of `runs` square fp32 matrix products in a lesson-style Session: a practical ceiling."""
        tf, tf1, np = self.tf, self.tf1, self.np
        graph = tf.Graph()
        with graph.as_default():
            left = tf.Variable(np.random.default_rng(0).random((size, size), dtype=np.float32))
            right = tf.Variable(np.random.default_rng(1).random((size, size), dtype=np.float32))
            product = tf.reduce_sum(tf.matmul(left, right))  # fetch a scalar, not the whole product
            init = tf1.global_variables_initializer()
        args = next(iter(self.models.values())).args
        with self.session(args, graph) as sess:
            sess.run(init)
            sess.run(product)
            best = float("inf")
            for _ in range(runs):
                started = time.perf_counter()
                sess.run(product)
                best = min(best, time.perf_counter() - started)
        return 2 * size ** 3 / best / 1e9

    def calibrate(self, model, seconds):
        """Samples per second of the bare loop over about `seconds`, to size the measurements."""
        m = self.models[model]
        batch, images, labels = m.args.batch_size, m.train_X, m.train_Y
        self._bare_steps(m, images, labels, 10)
        steps, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds:
            offset = steps * batch % (len(images) - 10 * batch)
            self._bare_steps(m, images[offset:], labels[offset:], 5)
            steps += 5
        return steps * batch / (time.perf_counter() - started)

    def _bare_steps(self, m, images, labels, steps):
        """`steps` bare training steps over consecutive batches of `images`."""
        batch = m.args.batch_size
        for index in range(steps):
            feed = {m.g.X: images[index * batch:(index + 1) * batch], m.g.Y: labels[index * batch:(index + 1) * batch]}
            feed.update(m.train_feed)
            m.sess.run(m.g.ops.train_operation, feed_dict=feed)

    def measure(self, impl, model, size, epochs, seed):
        """One measurement of `impl` ('train_model' or 'bare') on `size` training images for `epochs`."""
        m = self.models[model]
        images, labels = training_subset(m.train_X, m.train_Y, size, seed)
        return self.measure_train_model(m, images, labels, epochs, seed) if impl == "train_model" \
            else self.measure_bare(m, images, labels, epochs, seed)

    def measure_train_model(self, m, images, labels, epochs, seed):
        """A: the lesson's loop exactly as the lesson calls it, with a TensorBoard run in a temporary folder."""
        history, stats = self._train_model(m, images, labels, epochs, seed)
        return dict(stats, samples=epochs * len(images), seconds=history.train_seconds,
                    eval_seconds=history.eval_seconds, history_seconds=history.seconds)

    def measure_bare(self, m, images, labels, epochs, seed):
        """B: the same batches in the same order as train_model's, through sess.run(feed_dict) and nothing else.

        Each batch is gathered from the epoch's permutation (`images[order[start:end]]`),
        which the levers measure against copying the whole shuffled set at each epoch.
        """
        np = self.np
        g, batch, count = m.g, m.args.batch_size, len(images)
        order_rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(2)[0])  # train_model's order
        train_operation, X, Y, extra = g.ops.train_operation, g.X, g.Y, m.train_feed
        with Stopwatch() as watch:
            for _ in range(epochs):
                order = order_rng.permutation(count)
                for start in range(0, count, batch):
                    rows = order[start:start + batch]
                    feed = {X: images[rows], Y: labels[rows]}
                    feed.update(extra)
                    m.sess.run(train_operation, feed_dict=feed)
        return dict(watch.stats, samples=epochs * count, seconds=watch.wall)
