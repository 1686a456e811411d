"""Training throughput of the three network lessons: train_model against a bare loop, Keras and PyTorch.

    python benchmarks/throughput.py            # the comparison, about 11 minutes on 2 cores
    python benchmarks/throughput.py --quick    # a smoke test, under 2 minutes; prints, writes nothing
    python benchmarks/throughput.py --levers   # each lever of the training step alone, about 7 minutes

For the fully connected, modern and convolutional lessons, at the article's batch
sizes (50, 100, 50) and on full MNIST's 55,000 training images, it measures training
samples per second of:

  A. the lesson's own `train_model` loop as a learner runs it (progress bar, TensorBoard
     summaries, accuracy checks, checkpoints), training time only, as the loop reports
     it in `history.train_seconds`; the lesson's seconds per epoch with its test-accuracy
     checks are reported beside it;
  B. a bare `Session.run(feed_dict=...)` loop over the same graph and the same batches;
  C. the same model in Keras 3 `model.fit` on in-memory arrays (benchmarks/models_keras.py);
  D. the same model in PyTorch eager on the CPU (benchmarks/models_torch.py), with its
     default threads and with one thread, when torch is installed (pip install -e '.[bench]').

Each implementation runs in its own process (B shares A's), started once, so one
framework's thread pools and settings cannot touch another's. A round measures every
implementation once on the same training work, one after the other, in an order that
rotates from round to round; the tables give medians over rounds and the ratios taken
within each round. Every measurement of a model trains the same samples: whole epochs
over all 55,000 images when the window holds at least one (fully connected, modern),
else one epoch over a seeded random subset of them (CNN). The window (`--seconds`) is
sized from a short calibration of the bare loop; a PyTorch measurement stops early if
it takes more than TORCH_TIME_CAP windows. Results go to benchmarks/results.md between
the throughput.py markers (the rest of the file is kept), and are printed.

`--levers` takes train_model's step apart on the fully connected model (feed dict,
`make_callable`, the cost fetched each step, tqdm updates), measures the compiled
callable train_model uses and where its ops run (thread pool or calling thread) on
every model, and the process-wide Session settings (intra-/inter-op threads, op
determinism) on every model.

The machine may be shared: each measurement also records how many cores other
processes kept busy meanwhile (from /proc/stat), and the load average is printed and
noted before and after.
"""
import argparse
import collections
import datetime
import importlib
import importlib.util
import multiprocessing
import os
import shutil
import statistics
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

MODELS = ("fully_connected", "modern_net", "cnn")
IMPLEMENTATIONS = ("train_model", "bare", "keras", "torch", "torch_1thread")
LABELS = {"train_model": "lesson's `train_model`", "bare": "bare `Session.run` loop",
          "keras": "Keras 3 `model.fit`", "torch": "PyTorch eager (default threads)",
          "torch_1thread": "PyTorch eager, 1 thread"}
# A PyTorch measurement stops after this many times the window (PyTorch's OpenMP threads
# can slow down tenfold when other processes hold the cores).
TORCH_TIME_CAP = 2.5
TORCH_MISSING = "PyTorch not installed (pip install -e '.[bench]')"
# How the lesson feeds its keep probabilities while training: placeholder attribute -> flag.
KEEP_FEEDS = {"fully_connected": {}, "modern_net": {"keep_input": "keep_input", "keep_hidden": "keep_hidden"},
              "cnn": {"keep_rate_conv": "keep_conv", "keep_rate_hidden": "keep_hidden"}}


def keep_feeds(model, g, args):
    """The lesson's keep-probability feeds (placeholder -> value) for training and for testing (all 1.0)."""
    train_feed = {getattr(g, name): getattr(args, flag) for name, flag in KEEP_FEEDS[model].items()}
    return train_feed, {placeholder: 1.0 for placeholder in train_feed}


SETTINGS = ("batch_size", "learning_rate", "num_hidden", "decay", "keep_input", "keep_hidden", "keep_conv",
            "input_dropout", "block3_dropout", "test_size", "how_often")
SECTION = ("<!-- throughput.py: start -->", "<!-- throughput.py: end -->")
COMPARISON = ("<!-- throughput.py comparison: start -->", "<!-- throughput.py comparison: end -->")
LEVERS = ("<!-- throughput.py levers: start -->", "<!-- throughput.py levers: end -->")


# --------------------------------------------------------------------------------------------
# The machine: fp32 peak and how busy the CPU is


def read_cpuinfo():
    """(flags, clock in MHz or None, where the clock was read): /proc/cpuinfo's 'cpu MHz', else lscpu's."""
    flags, mhz, source = set(), None, "the 'cpu MHz' line of /proc/cpuinfo"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as stream:
            for line in stream:
                key, _, value = line.partition(":")
                key = key.strip()
                if key == "flags" and not flags:
                    flags = set(value.split())
                elif key == "cpu MHz" and mhz is None:
                    mhz = float(value)
    except OSError:
        pass
    if mhz is None:
        try:
            import subprocess
            for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
                if line.startswith(("CPU MHz", "CPU max MHz")):
                    mhz, source = float(line.split(":", 1)[1]), f"lscpu's '{line.split(':', 1)[0]}'"
                    break
        except (OSError, ValueError):
            pass
    return flags, mhz, source


def fp32_peak(fma_units=None):
    """(peak fp32 FLOP/s or None, a sentence saying how it was computed)."""
    flags, mhz, source = read_cpuinfo()
    cores = len(os.sched_getaffinity(0))
    if "avx512f" in flags:
        lanes, isa = 16, "AVX-512 (avx512f)"
    elif "avx2" in flags:
        lanes, isa = 8, "AVX2"
    else:
        lanes, isa = 4, "SSE"
    fma = "fma" in flags or "avx512f" in flags
    assumed = fma_units is None
    units = 2 if assumed else fma_units
    if mhz is None:
        return None, "fp32 peak unknown: no clock reading in /proc/cpuinfo or lscpu"
    peak = cores * lanes * (2 if fma else 1) * units * mhz * 1e6
    units_source = "assumed, as on AVX-512/AVX2 server cores; --fma-units overrides" if assumed else "from --fma-units"
    how = (f"{cores} cores × {lanes} fp32 lanes ({isa} in /proc/cpuinfo flags) × "
           f"{'2 FLOPs per fused multiply-add' if fma else '1 FLOP per instruction (no FMA flag)'} × "
           f"{units} FMA units per core ({units_source}) "
           f"× {mhz:.0f} MHz (the nominal/base reading of {source}, not a measured clock: "
           f"AVX-512 code may run slower, turbo faster) = {peak / 1e9:.1f} GFLOP/s")
    return peak, how


def cpu_seconds():
    """(busy, stolen) CPU seconds of the whole machine so far, from /proc/stat."""
    try:
        with open("/proc/stat", encoding="utf-8") as stream:
            fields = [int(value) for value in stream.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    hertz = os.sysconf("SC_CLK_TCK")
    return (user + nice + system + irq + softirq) / hertz, steal / hertz


class Stopwatch:
    """Wall time, this process's CPU time and the rest of the machine's CPU time over a `with` block."""

    def __enter__(self):
        self._machine = cpu_seconds()
        self._cpu = time.process_time()
        self._wall = time.perf_counter()
        return self

    def __exit__(self, *exc_info):
        self.wall = time.perf_counter() - self._wall
        own = time.process_time() - self._cpu
        machine = cpu_seconds()
        self.stats = {"wall": self.wall, "own_cores": own / self.wall}
        if machine and self._machine:
            busy, steal = (after - before for after, before in zip(machine, self._machine))
            self.stats.update(others_cores=max(0.0, busy - own) / self.wall, steal_cores=steal / self.wall)


# --------------------------------------------------------------------------------------------
# Workers: one process per implementation, answering requests from the coordinator


class SessionBackend:
    """The lessons' graphs in tf.compat.v1 Sessions: train_model (A), the bare loop (B) and the levers."""

    def __init__(self, logdir, intra=None, inter=None, determinism=True):
        import numpy as np
        import tensorflow as tf

        self.np, self.tf, self.tf1 = np, tf, tf.compat.v1
        self.threads, self.determinism = (intra, inter), determinism
        self.logdir = logdir  # the TensorBoard runs train_model writes
        self.models, self._data = {}, {}

    def info(self):
        import keras
        from benchmarks.machine import describe

        tf = self.tf
        return {"machine": describe(), "tensorflow": tf.__version__, "keras": keras.__version__,
                "intra": tf.config.threading.get_intra_op_parallelism_threads(),
                "inter": tf.config.threading.get_inter_op_parallelism_threads()}

    def _session(self, args, graph):
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
        from types import SimpleNamespace

        from tfgraph import cli, graphinfo, training

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
        sess = self._session(args, graph)
        sess.run(g.init)
        train_feed, test_feed = keep_feeds(model, g, args)
        m = SimpleNamespace(args=args, graph=graph, g=g, sess=sess, train_X=train_X, train_Y=train_Y,
                            test_X=test_X, test_Y=test_Y, train_feed=train_feed, test_feed=test_feed)
        self.models[model] = m
        # Warm up train_model (its callables, summaries, histogram gradients) on a few batches.
        batch = args.batch_size
        with cli.open_run(args, graph, {"warmup": 1}) as run, sess.as_default(), graph.as_default():
            training.train_model(sess, train_X[:4 * batch], train_Y[:4 * batch], test_X[:1000], test_Y[:1000],
                                 g.ops.train_operation, g.ops.accuracy_operation, 1, batch,
                                 min(args.test_size, 1000), train_feed, test_feed, 2, X=g.X, Y=g.Y,
                                 cost_operation=g.ops.total_cost, run=run, seed=0)
        settings = {key: getattr(args, key) for key in SETTINGS if hasattr(args, key)}
        return {"settings": settings, "forward_flops": graphinfo.forward_flops(graph), "num_train": len(train_X),
                "train_megabytes": (train_X.nbytes + train_Y.nbytes) / 1e6,
                "threads_in_process": len(os.listdir("/proc/self/task"))}

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
        with self._session(args, graph) as sess:
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
        batch = m.args.batch_size
        for index in range(steps):
            feed = {m.g.X: images[index * batch:(index + 1) * batch], m.g.Y: labels[index * batch:(index + 1) * batch]}
            feed.update(m.train_feed)
            m.sess.run(m.g.ops.train_operation, feed_dict=feed)

    def measure(self, impl, model, size, epochs, seed):
        m = self.models[model]
        images, labels = training_subset(m.train_X, m.train_Y, size, seed)
        return self.measure_train_model(m, images, labels, epochs, seed) if impl == "train_model" \
            else self.measure_bare(m, images, labels, epochs, seed)

    def measure_train_model(self, m, images, labels, epochs, seed):
        """A: the lesson's loop exactly as the lesson calls it, with a TensorBoard run in a temporary folder."""
        from tfgraph import cli, training

        args, g = m.args, m.g
        # Inside the session and its graph, as in the lesson's `with cli.session(...) as sess:` block.
        with cli.open_run(args, m.graph, {"seed": seed}) as run, m.sess.as_default(), m.graph.as_default(), \
                Stopwatch() as watch:
            history = training.train_model(
                m.sess, images, labels, m.test_X, m.test_Y, g.ops.train_operation, g.ops.accuracy_operation,
                epochs, args.batch_size, args.test_size, m.train_feed, m.test_feed, args.how_often,
                X=g.X, Y=g.Y, cost_operation=g.ops.total_cost, run=run, shuffle=args.shuffle, seed=seed)
        return dict(watch.stats, samples=epochs * len(images), seconds=history.train_seconds,
                    eval_seconds=history.eval_seconds, history_seconds=history.seconds, placement=history.placement)

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

    # ---- levers (fully connected model) ----

    def lever_prepare(self, model="fully_connected"):
        """Pre-shuffle the training set and build the loop variants' callables for `model`."""
        from tfgraph.steps import fast_callable

        m = self.models[model]
        order = self.np.random.default_rng(7).permutation(len(m.train_X))
        m.lever_X, m.lever_Y = m.train_X[order], m.train_Y[order]
        g, batch = m.g, m.args.batch_size
        feed_list = [g.X, g.Y, *m.train_feed]
        m.extra = list(m.train_feed.values())
        m.step = m.sess.make_callable([g.ops.train_operation], feed_list=feed_list)
        m.step_cost = m.sess.make_callable([g.ops.train_operation, g.ops.total_cost], feed_list=feed_list)
        m.compiled = {where: fast_callable(m.sess, [g.ops.train_operation], feed_list, calling_thread=where)
                      for where in (False, True)}
        for step in (m.step, m.step_cost, *m.compiled.values()):
            step(m.lever_X[:batch], m.lever_Y[:batch], *m.extra)
        return {"threads_in_process": len(os.listdir("/proc/self/task"))}

    def lever(self, variant, steps, model="fully_connected", seed=0):
        """Time `steps` training steps of one loop variant.

        The step variants run over the training set shuffled once beforehand, so they time
        the step alone; the two data variants ('epoch_copy': a shuffled copy of the training
        set per epoch, batches sliced from it; 'batch_gather': each batch gathered from the
        epoch's permutation) run whole epochs, shuffling at each epoch.
        """
        from tqdm.auto import tqdm

        from tfgraph.training import check_cost

        m = self.models[model]
        images, labels, batch, sess, extra = m.lever_X, m.lever_Y, m.args.batch_size, m.sess, m.extra
        starts = [(index * batch) % (len(images) - batch + 1) for index in range(steps)]
        train_operation, X, Y = m.g.ops.train_operation, m.g.X, m.g.Y
        step, step_cost = m.step, m.step_cost
        bar = None
        if variant.startswith("tqdm") or variant in ("epoch_copy", "batch_gather"):
            bar = tqdm(total=steps * batch, unit="samples", dynamic_ncols=True, mininterval=0.5)
        if variant in ("epoch_copy", "batch_gather"):
            train_X, train_Y, num_train = m.train_X, m.train_Y, len(m.train_X)
            num_batches = -(-num_train // batch)
            epochs = max(1, round(steps / num_batches))
            steps = epochs * num_batches
            order_rng = self.np.random.default_rng(seed)
        with Stopwatch() as watch:
            copy_seconds = 0.0
            if variant == "epoch_copy":  # a shuffled copy per epoch, batches are views of it
                for _ in range(epochs):
                    copy_started = time.perf_counter()
                    order = order_rng.permutation(num_train)
                    epoch_X, epoch_Y = train_X[order], train_Y[order]
                    copy_seconds += time.perf_counter() - copy_started
                    for index in range(num_batches):
                        start = index * batch
                        results = step_cost(epoch_X[start:start + batch], epoch_Y[start:start + batch], *extra)
                        check_cost(results[1], 0, index, 0)
                        bar.update(batch)
            elif variant == "batch_gather":  # the same batches, each gathered from the permutation
                for _ in range(epochs):
                    order = order_rng.permutation(num_train)
                    for index in range(num_batches):
                        rows = order[index * batch:(index + 1) * batch]
                        results = step_cost(train_X[rows], train_Y[rows], *extra)
                        check_cost(results[1], 0, index, 0)
                        bar.update(batch)
            elif variant == "feed_dict":
                for start in starts:
                    feed = {X: images[start:start + batch], Y: labels[start:start + batch]}
                    feed.update(m.train_feed)
                    sess.run(train_operation, feed_dict=feed)
            elif variant == "callable":
                for start in starts:
                    step(images[start:start + batch], labels[start:start + batch], *extra)
            elif variant in ("compiled", "compiled_calling_thread"):
                step = m.compiled[variant == "compiled_calling_thread"]
                for start in starts:
                    step(images[start:start + batch], labels[start:start + batch], *extra)
            elif variant == "callable_cost":
                for index, start in enumerate(starts):
                    results = step_cost(images[start:start + batch], labels[start:start + batch], *extra)
                    check_cost(results[1], 0, index, 0)
            elif variant == "callable_cost_every_10":
                for index, start in enumerate(starts):
                    if index % 10 == 0:
                        results = step_cost(images[start:start + batch], labels[start:start + batch], *extra)
                        check_cost(results[1], 0, index, 0)
                    else:
                        step(images[start:start + batch], labels[start:start + batch], *extra)
            elif variant == "tqdm_every_step":
                for index, start in enumerate(starts):
                    results = step_cost(images[start:start + batch], labels[start:start + batch], *extra)
                    check_cost(results[1], 0, index, 0)
                    bar.update(batch)
            elif variant == "tqdm_every_100":
                for index, start in enumerate(starts):
                    results = step_cost(images[start:start + batch], labels[start:start + batch], *extra)
                    check_cost(results[1], 0, index, 0)
                    if index % 100 == 99:
                        bar.update(100 * batch)
            else:
                raise ValueError(variant)
        if bar is not None:
            bar.close()
        result = dict(watch.stats, samples=steps * batch, seconds=watch.wall, steps=steps)
        if variant == "epoch_copy":
            result["copy_seconds_per_epoch"] = copy_seconds / epochs
        return result

    def micro(self, model="fully_connected", calls=2000, repeats=5):
        """Per-call costs, best of `repeats`, in microseconds, on a trivial graph with the FC model's feeds."""
        from tqdm.auto import tqdm

        from tfgraph.steps import fast_callable

        from tfgraph.training import check_cost

        tf, tf1, np = self.tf, self.tf1, self.np
        m = self.models[model]
        batch = m.args.batch_size
        images, labels = m.lever_X[:batch].copy(), m.lever_Y[:batch].copy()
        graph = tf.Graph()
        with graph.as_default():
            X = tf1.placeholder(tf.float32, [None, 784])
            Y = tf1.placeholder(tf.float32, [None, 10])
            total = tf.Variable(0.0)
            scalar = tf.reduce_sum(X[:1, :1]) + tf.reduce_sum(Y[:1, :1])
            target = tf1.assign_add(total, scalar).op
            init = tf1.global_variables_initializer()
        sess = self._session(m.args, graph)
        sess.run(init)
        step = sess.make_callable([target], feed_list=[X, Y])
        step_fetch = sess.make_callable([target, scalar], feed_list=[X, Y])
        compiled = {where: fast_callable(sess, [target], [X, Y], calling_thread=where) for where in (False, True)}

        def best(function, count=calls):
            function()
            times = []
            for _ in range(repeats):
                started = time.perf_counter()
                for _ in range(count):
                    function()
                times.append((time.perf_counter() - started) / count * 1e6)
            return min(times)

        feed = {X: images, Y: labels}
        results = {
            "feed_dict": best(lambda: sess.run(target, feed_dict=feed)),
            "callable": best(lambda: step(images, labels)),
            "compiled": best(lambda: compiled[False](images, labels)),
            "compiled_calling_thread": best(lambda: compiled[True](images, labels)),
            "callable_cost": best(lambda: check_cost(step_fetch(images, labels)[1], 0, 0, 0)),
        }
        with open(os.devnull, "w", encoding="utf-8") as devnull:
            bar = tqdm(total=10 ** 12, unit="samples", dynamic_ncols=True, mininterval=0.5, file=devnull)
            results["tqdm_update"] = best(lambda: bar.update(batch), 50 * calls)
            bar.close()
        results["check_cost"] = best(lambda: check_cost(np.float32(0.5), 0, 0, 0), 50 * calls)
        rng = np.random.default_rng(0)

        def shuffle():
            order = rng.permutation(len(m.train_X))
            return m.train_X[order], m.train_Y[order]

        results["epoch_shuffle"] = best(shuffle, 2)  # microseconds per epoch
        sess.close()
        return results


class KerasBackend:
    """C: the lessons' models in Keras 3, trained with `model.fit` on in-memory arrays."""

    def __init__(self):
        import keras
        import tensorflow as tf

        from benchmarks import models_keras

        keras.utils.set_random_seed(0)
        self.keras, self.tf, self.models_keras = keras, tf, models_keras
        self.models, self._data = {}, {}

    def info(self):
        tf = self.tf
        return {"keras": self.keras.__version__, "backend": self.keras.backend.backend(),
                "intra": tf.config.threading.get_intra_op_parallelism_threads(),
                "inter": tf.config.threading.get_inter_op_parallelism_threads(),
                "determinism": _determinism_enabled()}

    def setup(self, model, settings):
        reshape = model != "cnn"
        if reshape not in self._data:
            self._data[reshape] = load_training_set(reshape)
        images, labels = self._data[reshape]
        net = self.models_keras.build_model(model, settings)
        batch = settings["batch_size"]
        net.fit(images[:3 * batch], labels[:3 * batch], batch_size=batch, epochs=1, verbose=0)  # trace once
        self.models[model] = (net, batch)
        return {"jit_compile": bool(net.jit_compile), "steps_per_execution": int(net.steps_per_execution)}

    def measure(self, impl, model, size, epochs, seed):
        net, batch = self.models[model]
        images, labels = training_subset(*self._data[model != "cnn"], size, seed)
        with Stopwatch() as watch:
            seconds = self.models_keras.train(net, images, labels, batch, epochs)
        return dict(watch.stats, samples=epochs * len(images), seconds=seconds)


class TorchBackend:
    """D: the lessons' models in PyTorch eager on the CPU."""

    def __init__(self, threads=None):
        import torch

        from benchmarks import models_torch

        if threads:
            torch.set_num_threads(threads)
            torch.set_num_interop_threads(threads)
        torch.manual_seed(0)
        self.torch, self.models_torch = torch, models_torch
        self.models, self._data = {}, {}

    def info(self):
        torch = self.torch
        return {"torch": torch.__version__, "threads": torch.get_num_threads(),
                "interop_threads": torch.get_num_interop_threads()}

    def setup(self, model, settings):
        reshape = model != "cnn"
        if reshape not in self._data:
            self._data[reshape] = load_training_set(reshape)
        net, optimizer = self.models_torch.build_model(model, settings)
        batch = settings["batch_size"]
        images, labels = self.models_torch.as_tensors(*self._data[reshape])
        self.models_torch.train(net, optimizer, images[:5 * batch], labels[:5 * batch], batch, 1)  # warm up
        self.models[model] = (net, optimizer, batch)
        return {}

    def measure(self, impl, model, size, epochs, seed, max_seconds=None):
        net, optimizer, batch = self.models[model]
        images, labels = self.models_torch.as_tensors(*training_subset(*self._data[model != "cnn"], size, seed))
        with Stopwatch() as watch:
            seconds, samples = self.models_torch.train(net, optimizer, images, labels, batch, epochs, seed,
                                                       max_seconds)
        return dict(watch.stats, samples=samples, seconds=seconds, capped=samples < epochs * len(images))


def _determinism_enabled():
    """Whether TensorFlow's op determinism is on (not exported under tf.config in this version)."""
    from tensorflow.python.framework import config

    return config.is_op_determinism_enabled()


BACKENDS = {"session": SessionBackend, "keras": KerasBackend, "torch": TorchBackend}


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


def _worker_main(kind, options, connection, log_path):
    """A worker process: output to `log_path`, then answer (method, kwargs) requests until None."""
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        backend = BACKENDS[kind](**options)
        connection.send(("ok", backend.info()))
    except BaseException:  # noqa: BLE001 - reported to the coordinator
        connection.send(("error", traceback.format_exc()))
        return
    while True:
        request = connection.recv()
        if request is None:
            return
        method, kwargs = request
        try:
            connection.send(("ok", getattr(backend, method)(**kwargs)))
        except BaseException:  # noqa: BLE001
            connection.send(("error", traceback.format_exc()))
        sys.stdout.flush()


class Worker:
    """The coordinator's handle on one worker process."""

    def __init__(self, name, kind, logdir, **options):
        if kind == "session":
            options["logdir"] = str(Path(logdir) / f"{name}-runs")
        context = multiprocessing.get_context("spawn")
        self.name, self.log = name, Path(logdir) / f"{name}.log"
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(kind, options, child, str(self.log)), daemon=True)
        self.process.start()
        self._info = None

    def _answer(self):
        status, value = self.connection.recv()
        if status != "ok":
            raise RuntimeError(f"worker {self.name} failed:\n{value}\n(log: {self.log})")
        return value

    @property
    def info(self):
        if self._info is None:
            self._info = self._answer()
        return self._info

    def send(self, method, **kwargs):
        """Queue a request; `receive` returns the answers in the order they were asked."""
        self.info  # noqa: B018 - wait until the worker is up
        self.connection.send((method, kwargs))

    def receive(self):
        return self._answer()

    def call(self, method, **kwargs):
        self.send(method, **kwargs)
        return self._answer()

    def close(self):
        try:
            self.connection.send(None)
        except OSError:
            pass
        self.process.join(timeout=30)
        if self.process.is_alive():
            self.process.terminate()


# --------------------------------------------------------------------------------------------
# The comparison


_STARTED = time.perf_counter()


def say(text):
    """Print a progress line stamped with the minutes and seconds since the benchmark started."""
    minutes, seconds = divmod(int(time.perf_counter() - _STARTED), 60)
    print(f"[{minutes:02d}:{seconds:02d}] {text}", flush=True)


def plan_work(rate, batch, num_train, window):
    """(training-set size, epochs) so that one measurement trains about `window` seconds at `rate`."""
    target = rate * window
    if target >= num_train:
        return num_train, max(1, round(target / num_train))
    return min(num_train, max(20 * batch, int(target // batch) * batch)), 1


def rotated(items, shift):
    shift %= len(items)
    return list(items[shift:]) + list(items[:shift])


def median(values):
    values = [value for value in values if value is not None]
    return statistics.median(values) if values else None


def run_comparison(options, logdir):
    """Run the rounds; return everything the report needs."""
    have_torch = importlib.util.find_spec("torch") is not None
    impls = [impl for impl in options.impls if have_torch or not impl.startswith("torch")]
    workers = {"session": Worker("session", "session", logdir)}
    if "keras" in impls:
        workers["keras"] = Worker("keras", "keras", logdir)
    if "torch" in impls:
        workers["torch"] = Worker("torch", "torch", logdir)
    if "torch_1thread" in impls:
        workers["torch_1thread"] = Worker("torch_1thread", "torch", logdir, threads=1)
    owner = {"train_model": "session", "bare": "session", "keras": "keras", "torch": "torch",
             "torch_1thread": "torch_1thread"}
    try:
        infos = {name: worker.info for name, worker in workers.items()}
        setups, plans, extras = {}, {}, {}
        others = [name for name in ("keras", "torch", "torch_1thread") if name in workers]
        # Set the workers up side by side: each framework's models are built as soon as the
        # lesson (in the session worker) has given its settings.
        for model in options.models:
            workers["session"].send("setup", model=model)
        for model in options.models:
            setups[model] = workers["session"].receive()
            for name in others:
                workers[name].send("setup", model=model, settings=setups[model]["settings"])
        for model in options.models:
            for name in others:
                extras[(name, model)] = workers[name].receive()
        for model in options.models:
            setups[model]["rate"] = workers["session"].call("calibrate", model=model, seconds=options.calibrate)
            batch, num_train = setups[model]["settings"]["batch_size"], setups[model]["num_train"]
            plans[model] = plan_work(setups[model]["rate"], batch, num_train, options.seconds)
            size, epochs = plans[model]
            say(f"{model}: bare loop calibrated at {setups[model]['rate']:,.0f} samples/s; each measurement "
                f"trains {epochs} epoch(s) of {size:,} samples")
        ceilings = []
        results = {(model, impl): [] for model in options.models for impl in impls}
        for round_index in range(options.rounds):
            load = os.getloadavg()[0]
            ceilings.append(workers["session"].call("matmul_ceiling"))
            say(f"a 2048 x 2048 matrix product in a lesson's Session: {ceilings[-1]:.1f} GFLOP/s (best of 10)")
            for model in options.models:
                size, epochs = plans[model]
                for impl in rotated(impls, round_index):
                    cap = {"max_seconds": TORCH_TIME_CAP * options.seconds} if impl.startswith("torch") else {}
                    result = workers[owner[impl]].call("measure", impl=impl, model=model, size=size, epochs=epochs,
                                                       seed=round_index, **cap)
                    results[(model, impl)].append(result)
                    rate = result["samples"] / result["seconds"]
                    say(f"round {round_index + 1} {model:<15} {impl:<13} {rate:>9,.0f} samples/s "
                        f"({result['seconds']:.1f} s training, {result['own_cores']:.2f} cores used, "
                        f"others {result.get('others_cores', float('nan')):.2f} cores"
                        + (f", steps in the {result['placement']})" if result.get("placement") else ")"))
            say(f"round {round_index + 1} done (load average at its start {load:.2f})")
    finally:
        for worker in workers.values():
            worker.close()
    return {"infos": infos, "setups": setups, "plans": plans, "extras": extras, "results": results,
            "impls": impls, "have_torch": have_torch, "ceiling": max(ceilings), "ceilings": ceilings}


def format_cores(value):
    return "-" if value is None else f"{value:.2f}"


def format_rate(value):
    return "-" if value is None else f"{value:,.0f}"


def comparison_report(data, options, peak, peak_how, started_load, finished_load, elapsed):
    """Markdown lines: settings, the throughput table, the lesson's epoch timings and the goals."""
    from benchmarks.reproduce import ARTICLE

    infos, setups, plans, results, impls = data["infos"], data["setups"], data["plans"], data["results"], data["impls"]
    session, keras_info, torch_info = infos["session"], infos.get("keras"), infos.get("torch")
    rounds = options.rounds
    lines = [
        f"Measured {datetime.date.today()} by `python benchmarks/throughput.py{' --quick' if options.quick else ''}` "
        f"on: {session['machine']}.",
        "",
        f"- Versions: TensorFlow {session['tensorflow']}, Keras {session['keras']}"
        + (f" ({keras_info['backend']} backend)" if keras_info else "")
        + (f", PyTorch {torch_info['torch']}" if torch_info else f", {TORCH_MISSING}") + ".",
        f"- Threads: the lessons' Session uses `ConfigProto()` defaults, intra-op {session['intra']} and inter-op "
        f"{session['inter']} (0 lets TensorFlow use one thread per schedulable core: "
        f"{len(os.sched_getaffinity(0))} here), "
        "with op determinism on, as `--device cpu`/`auto` sets it; Keras: intra-op "
        + (f"{keras_info['intra']}, inter-op {keras_info['inter']}, determinism "
           f"{'on' if keras_info['determinism'] else 'off'}" if keras_info else "-")
        + (f"; PyTorch: `torch.get_num_threads()` = {torch_info['threads']}, interop {torch_info['interop_threads']} "
           "by default, and a second process with `torch.set_num_threads(1)`" if torch_info else "") + ".",
        f"- fp32 peak: {peak_how}. For scale, one 2048 × 2048 fp32 matrix product in a lesson's Session reached "
        f"{data['ceiling']:.1f} GFLOP/s (the best of 10 products timed at the start of each round, best round"
        + (f", {100 * data['ceiling'] * 1e9 / peak:.0f}% of that peak" if peak else "")
        + ("; round by round " + ", ".join(f"{value:.1f}" for value in data["ceilings"])
           + ": the compute speed as each round began, which does not show other guests' load on memory "
           "and caches" if len(data.get("ceilings", ())) > 1 else "")
        + ").",
        "- FLOPs per training sample: 3 × `graphinfo.forward_flops(graph)` (matrix products and convolutions "
        "only; a forward pass and two backward passes, though nothing needs the gradient of the input images, "
        "so this slightly overstates the work of the first layer).",
        f"- Work: {rounds} round(s); each round measures every implementation once on the same training work, "
        "in an order that rotates from round to round; each implementation runs in its own process "
        "(the bare loop shares the lesson's). Keras runs with its defaults (no XLA on a CPU: `jit_compile` "
        + ", ".join(f"{model} {data['extras'][('keras', model)]['jit_compile']}" for model in options.models
                     if ("keras", model) in data["extras"])
        + "; one step per execution) and `verbose=0`; the bare loop"
        + (" and PyTorch gather" if data["have_torch"] else " gathers")
        + " each batch from the epoch's permutation of the in-memory training set"
        + (f"; a PyTorch measurement stops after {TORCH_TIME_CAP:g} times the window." if data["have_torch"] else "."),
        f"- The machine is shared: load average {started_load:.2f} before and {finished_load:.2f} after "
        f"(1 minute); 'cores used' is the measuring process's CPU time over the wall time, 'others' how many "
        f"cores other processes kept busy meanwhile (medians). The whole run took {elapsed / 60:.1f} minutes.",
        "",
        f"| model | implementation | samples/s (median of {rounds}) | ms per step | GFLOP/s | % of fp32 peak "
        f"| cores used | others | lesson's `train_model` ÷ this, per round |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    goals = {}
    epoch_rows = []
    for model in options.models:
        setup = setups[model]
        batch = setup["settings"]["batch_size"]
        flops = 3 * setup["forward_flops"]
        size, epochs = plans[model]
        rates = {impl: [result["samples"] / result["seconds"] for result in results[(model, impl)]] for impl in impls}
        first = True
        for impl in IMPLEMENTATIONS:
            label = LABELS[impl]
            lead = f"{model} (batch {batch}; {flops / 1e6:.2f} MFLOP per training sample)" if first else ""
            first = False
            if impl not in impls:
                text = TORCH_MISSING if impl.startswith("torch") and not data["have_torch"] else "not measured"
                lines.append(f"| {lead} | {label} | {text} | | | | | | |")
                continue
            rate = median(rates[impl])
            if any(result.get("capped") for result in results[(model, impl)]):
                label += f" (stopped after {TORCH_TIME_CAP:g}× the window)"
            chosen = collections.Counter(r["placement"] for r in results[(model, impl)] if r.get("placement"))
            if chosen:  # where 'auto' ran the steps, in how many rounds
                label += " (steps in the " + ", ".join(f"{where} {count}×" for where, count in chosen.items()) + ")"
            gflops = rate * flops / 1e9
            share = f"{100 * gflops * 1e9 / peak:.1f}%" if peak else "-"
            own = median([result["own_cores"] for result in results[(model, impl)]])
            others = median([result.get("others_cores") for result in results[(model, impl)]])
            if impl == "train_model":
                ratio_text = "-"
                goals[(model, "rate")] = rate
            else:
                ratios = [a / b for a, b in zip(rates["train_model"], rates[impl])] if "train_model" in rates else []
                goals[(model, impl)] = median(ratios)
                ratio_text = (f"**{median(ratios):.2f}** ({', '.join(f'{r:.2f}' for r in ratios)})" if ratios else "-")
            lines.append(f"| {lead} | {label} | {format_rate(rate)} | {1000 * batch / rate:.2f} | {gflops:.1f} "
                         f"| {share} | {own:.2f} | {format_cores(others)} | {ratio_text} |")
        if "train_model" in impls:
            runs = results[(model, "train_model")]
            num_train = setup["num_train"]
            train_epoch = median([r["seconds"] / r["samples"] * num_train for r in runs])
            eval_epoch = median([r["eval_seconds"] / r["samples"] * num_train for r in runs])
            whole_epoch = median([r["history_seconds"] / r["samples"] * num_train for r in runs])
            how = (f"measured over {epochs} whole epoch(s)" if size == num_train
                   else f"scaled from one epoch of {size:,} of the {num_train:,} images")
            article = ARTICLE.get(model, (None,) * 4)[3]
            epoch_rows.append(f"| {model} | {whole_epoch:.2f} | {train_epoch:.2f} | {eval_epoch:.2f} "
                              f"({100 * eval_epoch / whole_epoch:.0f}%) | {setup['settings']['test_size']:,} images "
                              f"every {setup['settings']['how_often']} batches | {article or '-'} | {how} |")
            goals[(model, "peak")] = median(rates["train_model"]) * flops / peak if peak else None
    lines += ["", "The lesson's own timing of an epoch (what `python -m lessons.<name>` prints as s per epoch), "
              "median over rounds:", "",
              "| lesson | s/epoch with evaluation | training | measuring test accuracy (+ histograms) "
              "| its accuracy checks | article's s/epoch | how |", "|---|---|---|---|---|---|---|", *epoch_rows]
    # Against PyTorch, the faster of its two thread settings in each round.
    for model in options.models:
        torch_runs = [results.get((model, impl)) for impl in ("torch", "torch_1thread") if (model, impl) in results]
        if torch_runs and "train_model" in impls:
            best = [max(r["samples"] / r["seconds"] for r in round_runs) for round_runs in zip(*torch_runs)]
            lesson = [r["samples"] / r["seconds"] for r in results[(model, "train_model")]]
            goals[(model, "best_torch")] = median([a / b for a, b in zip(lesson, best)])
    lines += ["", "Goals (medians of the per-round ratios; against PyTorch, the faster of its two thread settings "
              "in each round):", "",
              "| goal | " + " | ".join(options.models) + " |", "|---|" + "---|" * len(options.models)]
    for key, title, threshold in (("bare", "`train_model` >= 0.95 × the bare Session loop", 0.95),
                                  ("best_torch", "`train_model` >= 1.0 × PyTorch eager", 1.0),
                                  ("keras", "`train_model` >= 1.5 × Keras `fit`", 1.5)):
        cells = []
        for model in options.models:
            value = goals.get((model, key))
            if value is None:
                cells.append(TORCH_MISSING if key == "best_torch" and not data["have_torch"] else "-")
            else:
                cells.append(f"{value:.3f} {'met' if value >= threshold else 'NOT met'}")
        lines.append(f"| {title} | " + " | ".join(cells) + " |")
    cells = []
    for model in options.models:
        value = goals.get((model, "peak"))
        if value is None:
            cells.append("-")
        elif model == "cnn":
            cells.append(f"{100 * value:.0f}% {'met' if value >= 0.5 else 'NOT met'}")
        else:
            cells.append(f"{100 * value:.0f}% (no goal)")
    lines.append("| the CNN at >= 50% of the fp32 peak (`train_model`) | " + " | ".join(cells) + " |")
    return lines, goals


# --------------------------------------------------------------------------------------------
# The levers


LEVER_WORKERS = {"default": {}, "intra2_inter1": {"intra": 2, "inter": 1}, "intra1_inter1": {"intra": 1, "inter": 1},
                 "inter_inline": {"inter": -1}, "no_determinism": {"determinism": False}}
WORKER_TEXT = {"default": "lesson's Session (ConfigProto defaults, determinism on)",
               "intra2_inter1": "intra-op 2, inter-op 1", "intra1_inter1": "intra-op 1, inter-op 1",
               "inter_inline": "inter-op -1 (ops run in the calling thread)", "no_determinism": "op determinism off"}
LOOP_TEXT = {"feed_dict": "`sess.run(train_op, feed_dict=...)`", "callable": "`make_callable([train_op])`",
             "compiled": "`steps.fast_callable([train_op])` (compiled callable, ops on the inter-op thread pool)",
             "compiled_calling_thread": "`steps.fast_callable([train_op], calling_thread=True)` (compiled callable, "
                                        "ops in the calling thread)",
             "callable_cost": "`make_callable([train_op, cost])` + NaN check, every step",
             "callable_cost_every_10": "`make_callable([train_op])`, with the cost and NaN check every 10th step",
             "tqdm_every_step": "cost every step + `bar.update` every step",
             "tqdm_every_100": "cost every step + `bar.update` every 100 steps",
             "epoch_copy": "cost every step + `bar.update`, whole epochs, batches sliced from a shuffled copy of "
                           "the training set made at each epoch",
             "batch_gather": "cost every step + `bar.update`, whole epochs, each batch gathered from the epoch's "
                             "permutation"}
DATA_VARIANTS = ("epoch_copy", "batch_gather")
COMPILED_VARIANTS = ("compiled", "compiled_calling_thread")
# Levers of the training loop itself, on the fully connected model (per-step overhead bound):
# (title, variant, reference variant), all in the lesson's own Session settings.
LOOP_LEVERS = (
    ("`make_callable` instead of a feed dict", "callable", "feed_dict"),
    ("a compiled callable (`Session::MakeCallable`) instead of `make_callable`", "compiled", "callable"),
    ("the compiled callable's ops in the calling thread instead of the thread pool", "compiled_calling_thread",
     "compiled"),
    ("fetch the cost every step (+ NaN check)", "callable_cost", "callable"),
    ("fetch the cost every 10th step (+ NaN check)", "callable_cost_every_10", "callable"),
    ("tqdm `update` every step", "tqdm_every_step", "callable_cost"),
    ("tqdm `update` every 100 steps instead of every step", "tqdm_every_100", "tqdm_every_step"),
    ("gather each batch instead of copying the shuffled training set each epoch", "batch_gather", "epoch_copy"),
)
# Process-wide settings, measured on every model with the callable loop, against the lesson's Session.
SETTING_LEVERS = ("intra2_inter1", "intra1_inter1", "inter_inline", "no_determinism")


def lever_plan(models):
    """The (model, loop variant, worker) measurements of a lever round."""
    plan = [("fully_connected", variant, "default") for variant in LOOP_TEXT]
    for model in models:
        if model != "fully_connected":
            plan += [(model, variant, "default") for variant in ("callable", *COMPILED_VARIANTS)]
            if model == "modern_net":  # an epoch of the CNN is too long to repeat here
                plan += [(model, variant, "default") for variant in DATA_VARIANTS]
        plan += [(model, "callable", worker) for worker in SETTING_LEVERS]
    return plan


def run_levers(options, logdir):
    workers = {name: Worker(f"levers-{name}", "session", logdir, **kwargs) for name, kwargs in LEVER_WORKERS.items()}
    models = [model for model in MODELS if model in options.models]
    if "fully_connected" not in models:
        models.insert(0, "fully_connected")
    try:
        infos = {name: worker.info for name, worker in workers.items()}
        setups, threads, steps = {}, {}, {}
        for name, worker in workers.items():
            for model in models:
                worker.send("setup", model=model)
        for name, worker in workers.items():
            for model in models:
                setups[model] = worker.receive()
                worker.send("lever_prepare", model=model)
            for model in models:
                threads[name] = worker.receive()["threads_in_process"]
        fc_work = setups["fully_connected"]["forward_flops"] * setups["fully_connected"]["settings"]["batch_size"]
        for model in models:  # about the same arithmetic per measurement on every model
            work = setups[model]["forward_flops"] * setups[model]["settings"]["batch_size"]
            steps[model] = max(10, round(options.lever_steps * fc_work / work))
        plan = lever_plan(models)
        results = {key: [] for key in plan}
        for round_index in range(options.rounds):
            for key in rotated(plan, round_index):
                model, variant, worker = key
                result = workers[worker].call("lever", variant=variant, steps=steps[model], model=model,
                                              seed=round_index)
                results[key].append(result)
                say(f"round {round_index + 1} {model:<15} {variant:<16} {worker:<15} "
                    f"{result['samples'] / result['seconds']:>9,.0f} samples/s "
                    f"({1e6 * result['seconds'] / result['steps']:,.0f} µs/step, others "
                    f"{result.get('others_cores', float('nan')):.2f} cores)")
        micro = {name: worker.call("micro") for name, worker in workers.items()}
    finally:
        for worker in workers.values():
            worker.close()
    return {"infos": infos, "threads": threads, "results": results, "micro": micro, "setups": setups,
            "steps": steps, "models": models}


def levers_report(data, options, started_load, finished_load, elapsed):
    results, setups, steps = data["results"], data["setups"], data["steps"]
    per_step = {key: [1e6 * r["seconds"] / r["steps"] for r in runs] for key, runs in results.items()}
    batch = setups["fully_connected"]["settings"]["batch_size"]
    lines = [
        f"Measured {datetime.date.today()} by `python benchmarks/throughput.py --levers"
        f"{' --quick' if options.quick else ''}` on: {data['infos']['default']['machine']}.",
        "",
        f"Each measurement trains the lesson's own graph: the step variants over a copy of the training set "
        f"shuffled beforehand ({', '.join(f'{model} {count:,} steps' for model, count in steps.items())}), the two "
        "data variants whole epochs with a new permutation each; "
        f"{options.rounds} rounds, the "
        "measurements alternating in an order rotated each round. Thread and determinism settings are process-wide in "
        "TensorFlow, so each setting has its own process, whose Session is built the way `cli.session` builds the "
        "lessons' (threads in each process after setup: "
        + ", ".join(f"{name} {count}" for name, count in data["threads"].items())
        + f"). Load average {started_load:.2f} before and {finished_load:.2f} after (1 minute); the run took "
        f"{elapsed / 60:.1f} minutes.",
        "",
        "| model | loop | Session settings | samples/s (median) | µs per step (median) | others (cores) |",
        "|---|---|---|---|---|---|",
    ]
    for key, runs in results.items():
        model, variant, worker = key
        rate = median([r["samples"] / r["seconds"] for r in runs])
        lines.append(f"| {model} | {LOOP_TEXT[variant]} | {WORKER_TEXT[worker]} | {rate:,.0f} | "
                     f"{median(per_step[key]):,.0f} | {format_cores(median([r.get('others_cores') for r in runs]))} |")
    pairs = [(f"{title} (fully_connected)", ("fully_connected", variant, "default"),
              ("fully_connected", reference, "default")) for title, variant, reference in LOOP_LEVERS]
    if "modern_net" in data["models"]:
        pairs.append((f"{LOOP_LEVERS[-1][0]} (modern_net)", ("modern_net", "batch_gather", "default"),
                      ("modern_net", "epoch_copy", "default")))
    for model in data["models"]:
        if model != "fully_connected":
            pairs += [(f"{title} ({model})", (model, variant, "default"), (model, reference, "default"))
                      for title, variant, reference in LOOP_LEVERS if variant in COMPILED_VARIANTS]
    pairs += [(f"{WORKER_TEXT[worker]} ({model})", (model, "callable", worker), (model, "callable", "default"))
              for model in data["models"] for worker in SETTING_LEVERS]
    lines += ["", "Each lever alone: the change in time per step and the ratio of samples/s, taken within each round "
              "(median, then each round):", "",
              "| lever | µs per step | ratio of samples/s | per round |", "|---|---|---|---|"]
    for title, key, reference in pairs:
        differences = [a - b for a, b in zip(per_step[key], per_step[reference])]
        ratios = [b / a for a, b in zip(per_step[key], per_step[reference])]
        lines.append(f"| {title} | {median(differences):+,.0f} | {median(ratios):.3f} | "
                     f"{', '.join(f'{r:.3f}' for r in ratios)} |")
    micro = data["micro"]
    epoch_steps = -(-setups["fully_connected"]["num_train"] // batch)
    names = list(micro)
    lines += ["", f"Per-call costs without the model's arithmetic (a graph that only reads feeds shaped like the "
              f"fully connected model's, batch {batch}; best of 5, µs), in each process:", "",
              "| call | " + " | ".join(WORKER_TEXT[name] for name in names) + " |", "|---|" + "---|" * len(names)]
    for key, text in (("feed_dict", "`sess.run(op, feed_dict=...)`"), ("callable", "`make_callable([op])(x, y)`"),
                      ("compiled", "`steps.fast_callable([op])(x, y)` (thread pool)"),
                      ("compiled_calling_thread", "`steps.fast_callable([op], calling_thread=True)(x, y)`"),
                      ("callable_cost", "`make_callable([op, scalar])(x, y)` + `check_cost`"),
                      ("tqdm_update", "tqdm `bar.update(n)` (mininterval 0.5 s)"),
                      ("check_cost", "`check_cost(np.float32)`")):
        lines.append(f"| {text} | " + " | ".join(f"{micro[name][key]:.2f}" for name in names) + " |")
    lines.append(f"| the epoch's shuffled copy of the training set, alone, once per epoch (per step over "
                 f"{epoch_steps:,} steps) | " + " | ".join(f"{micro[name]['epoch_shuffle']:,.0f} "
                                         f"({micro[name]['epoch_shuffle'] / epoch_steps:.1f})"
                                         for name in names) + " |")
    for model in data["models"]:
        runs = results.get((model, "epoch_copy", "default"))
        if runs:
            copy = median([r["copy_seconds_per_epoch"] for r in runs]) * 1e3
            lines.append(f"\nInside the training loop ({model}), the same shuffled copy took {copy:,.0f} ms per epoch "
                         f"(median): writing a new {setups[model]['train_megabytes']:,.0f} MB array each epoch is "
                         "slower there than alone.")
    return lines


# --------------------------------------------------------------------------------------------
# results.md


def replace_between(text, markers, body):
    """`text` with what lies between `markers` replaced by `body` (markers kept); appended if absent."""
    start, end = markers
    block = f"{start}\n{body.strip()}\n{end}"
    if start in text and end in text:
        return text[:text.index(start)] + block + text[text.index(end) + len(end):]
    return text.rstrip("\n") + "\n\n" + block + "\n"


def write_results(path, markers, body):
    """Put `body` in its subsection of the throughput section of `path`, keeping everything else."""
    path = Path(path)
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    if SECTION[0] not in text:
        skeleton = ("## Training throughput\n\n`python benchmarks/throughput.py` (comparison) and "
                    "`python benchmarks/throughput.py --levers` (the training loop's levers) write this section.\n\n"
                    f"### Against a bare loop, Keras and PyTorch\n\n{COMPARISON[0]}\n{COMPARISON[1]}\n\n"
                    f"### What each part of the training step costs\n\n{LEVERS[0]}\n{LEVERS[1]}")
        text = replace_between(text, SECTION, skeleton)
    section_start, section_end = text.index(SECTION[0]), text.index(SECTION[1])
    section = replace_between(text[section_start:section_end], markers, body)
    text = text[:section_start] + section + text[section_end:]
    temporary = path.with_name("." + path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
    print(f"Wrote {path}")


# --------------------------------------------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: one round, 1.5-second windows (under 2 minutes); prints the table and "
                             "writes results.md only with --out")
    parser.add_argument("--levers", action="store_true",
                        help="measure the training loop's levers one at a time instead (the loop's own on the "
                             "fully connected model, the Session's settings on every model)")
    parser.add_argument("--seconds", type=float, default=None,
                        help="training seconds per measurement, as calibrated on the bare loop (default: 9; "
                             "1.5 with --quick)")
    parser.add_argument("--rounds", type=int, default=None,
                        help="rounds of alternating measurements (default: 3, 5 with --levers, 1 with --quick)")
    parser.add_argument("--models", nargs="+", choices=MODELS, default=list(MODELS))
    parser.add_argument("--impls", nargs="+", choices=IMPLEMENTATIONS, default=list(IMPLEMENTATIONS),
                        help="implementations to measure (train_model must be one for the ratios)")
    parser.add_argument("--lever-steps", type=int, default=None,
                        help="training steps of the fully connected model per lever measurement, scaled to the "
                             "same arithmetic for the other models (default: 2200, two epochs; 300 with --quick)")
    parser.add_argument("--fma-units", type=int, default=None,
                        help="FMA units per core for the fp32 peak (default: 2, assumed)")
    parser.add_argument("--out", default=None,
                        help="the results file (default: benchmarks/results.md; --quick writes only when given)")
    args = parser.parse_args(argv)
    args.seconds = args.seconds or (1.5 if args.quick else 9.0)
    args.rounds = args.rounds or (1 if args.quick else 5 if args.levers else 3)
    args.lever_steps = args.lever_steps or (300 if args.quick else 2200)
    args.calibrate = 0.3 if args.quick else 1.5
    if args.out is None and not args.quick:
        args.out = str(ROOT / "benchmarks" / "results.md")
    return args


def main(argv=None):
    options = parse_args(argv)
    started, started_load = time.perf_counter(), os.getloadavg()[0]
    print(f"Load average (1, 5, 15 min) before: {', '.join(f'{v:.2f}' for v in os.getloadavg())}", flush=True)
    logdir = tempfile.mkdtemp(prefix="tfgraph-throughput-")
    try:
        if options.levers:
            data = run_levers(options, logdir)
            finished_load = os.getloadavg()[0]
            lines = levers_report(data, options, started_load, finished_load, time.perf_counter() - started)
            markers = LEVERS
        else:
            peak, peak_how = fp32_peak(options.fma_units)
            data = run_comparison(options, logdir)
            finished_load = os.getloadavg()[0]
            lines, _ = comparison_report(data, options, peak, peak_how, started_load, finished_load,
                                         time.perf_counter() - started)
            markers = COMPARISON
    except BaseException:
        print(f"Worker logs kept in {logdir}", file=sys.stderr)
        raise
    shutil.rmtree(logdir, ignore_errors=True)
    print(f"Load average (1, 5, 15 min) after: {', '.join(f'{v:.2f}' for v in os.getloadavg())}", flush=True)
    print()
    print("\n".join(lines))
    if options.out:
        write_results(options.out, markers, "\n".join(lines))
    print(f"Took {(time.perf_counter() - started) / 60:.1f} minutes")


if __name__ == "__main__":
    main()
