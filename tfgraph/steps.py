"""Fast Session calls for the training loop: compiled callables, run where they are faster.

`Session.run(fetches, feed_dict)` works out the same fetches and feeds again on every
call, and `Session.make_callable(fetches, feed_list)` is only a shortcut to it. Below it
TensorFlow has a real compiled call, `Session::MakeCallable` (`TF_SessionMakeCallable`
in its C API): the feeds and fetches are fixed once, and each call hands over the
arrays and gets the results back. `Session._make_callable_from_options` reaches it from
Python, as the Keras 2 backend did; it is the one private TensorFlow name tfgraph uses,
`fast_callable` is the only place that touches it, and without it `fast_callable` falls
back to `sess.run` (same results, slower).

A call's ops can run on TensorFlow's inter-op thread pool (independent ops at the same
time) or one after another in the thread that called (no hand-offs between threads).
On a 2-core Xeon the calling thread was ~10% faster for the fully connected net and
~15-20% slower for the modern net, whose dropout masks are drawn while a matrix product
runs (benchmarks/results.md), so `SessionSteps` times both on the first training steps
and keeps the faster ('auto', train_model's default). A step over 2.5 ms on the pool
keeps the pool untimed (see `TRIAL`): the modern net's and the CNN's steps are that long
here, so only the fully connected net's are timed both ways. Both give the same numbers bit
for bit: the pool's threads flush denormal floats to zero and Python's thread does
not, which once made the calling thread drift over long runs (the modern net's seed 1,
trained as benchmarks/placements.py does, ended 50 epochs at 0.9846 instead of the pool's
0.9855); calling-thread callables now flush denormals for the time of each call
(`tfgraph.denormals`), and the same 50 epochs end with identical weights. Where tfgraph
cannot flush them (anything but Linux x86-64 with glibc), 'calling thread' is refused
and 'auto' keeps the pool, as it does on a session that sees a GPU (not verified there).
"""
import statistics
import time

import numpy as np
import tensorflow as tf
from tensorflow.core.protobuf.config_pb2 import CallableOptions  # the proto behind Session::MakeCallable

from tfgraph import denormals
from tfgraph.errors import TfgraphError

#: The two places a call's ops can run, as `SessionSteps.placement` names them.
PLACEMENTS = ("thread pool", "calling thread")
#: How 'auto' times the two: blocks of calls, each at least this many calls and seconds (see
#: `FasterOf`). Blocks of 0.1 s kept the choice steady on a shared 2-core machine, where the
#: modern net's steps varied by 20% from one 20 ms block to the next. The calling thread can
#: only save the hand-offs between threads, ~22 µs per call there (33 µs against 11 µs for a
#: call without arithmetic); on calls longer than `keep_first_above` seconds that is under 1%,
#: less than the trial can tell apart, while giving up independent ops at once costs more
#: (the CNN's 18 ms steps: 0.96x), so the pool is kept as soon as its first block is that slow.
TRIAL = {"blocks": 8, "min_calls": 5, "min_seconds": 0.1, "keep_first_above": 0.0025}
CALLING_THREAD_UNSUPPORTED = (
    "placement 'calling thread' needs tfgraph to flush denormal numbers to zero in the calling thread, "
    "as TensorFlow's thread pool does, so that both give the same numbers; tfgraph can do that on Linux "
    "x86-64 with glibc only (see tfgraph/denormals.py). Use placement='thread pool' here, or 'auto' (the "
    "default), which keeps the thread pool on such a machine."
)


def fast_callable(sess, fetches, feed_list, calling_thread=False):
    """A function running `fetches` in `sess`, fed positionally in `feed_list`'s order, via a compiled callable.

    `fetches` is a list of tensors and operations; the function returns a list of the
    same length, with NumPy values for tensors and None for operations, as `sess.run`
    does. Fed values are converted to their placeholder's dtype (a no-op for arrays
    that already have it). With `calling_thread`, the ops run in the caller's thread
    instead of the inter-op thread pool.
    """
    graph = sess.graph
    fetches = [graph.as_graph_element(fetch) for fetch in fetches]
    feed_list = [graph.as_graph_element(feed) for feed in feed_list]
    options = CallableOptions()
    options.feed.extend(feed.name for feed in feed_list)
    options.fetch.extend(fetch.name for fetch in fetches if isinstance(fetch, tf.Tensor))
    options.target.extend(fetch.name for fetch in fetches if isinstance(fetch, tf.Operation))
    if calling_thread:
        if not denormals.supported():
            raise TfgraphError(CALLING_THREAD_UNSUPPORTED)
        options.run_options.inter_op_thread_pool = -1  # -1: run in the caller's thread
    make_compiled = getattr(sess, "_make_callable_from_options", None)
    if make_compiled is not None:
        compiled = make_compiled(options)
    else:  # a TensorFlow without it: the same results through sess.run, only slower
        tensors = [fetch for fetch in fetches if isinstance(fetch, tf.Tensor)]

        def compiled(*values):
            return sess.run(tensors, feed_dict=dict(zip(feed_list, values)), options=options.run_options)
    if calling_thread:  # flush denormals to zero as the thread pool's threads do (tfgraph.denormals)
        compiled = denormals.flushed(compiled)
    dtypes = [feed.dtype.as_numpy_dtype for feed in feed_list]
    is_tensor = [isinstance(fetch, tf.Tensor) for fetch in fetches]

    def call(*values):
        if len(values) != len(dtypes):
            raise TypeError(f"expected {len(dtypes)} values to feed, got {len(values)}")
        values = [np.asarray(value, dtype) for value, dtype in zip(values, dtypes)]
        fetched = iter(compiled(*values))
        return [next(fetched) if tensor else None for tensor in is_tensor]

    return call


class FasterOf:
    """Alternates calls between two equivalent ways, times them, then keeps the faster one.

    Call `way()` for the way (0 or 1) to use next, and `record(way, seconds)` after each
    timed call. The first `blocks` blocks alternate 0, 1, 0, 1, ...; a block lasts at
    least `min_calls` timed calls and `min_seconds`. The first call of each way is
    compilation and is not counted. Then `chosen` is the way with the lower median of
    its blocks' mean times per call, and `way()` returns it from then on. With
    `keep_first_above` (seconds), way 0 is chosen at once, without timing way 1, if
    its first block's mean is above it (`kept_first` says so).
    """

    def __init__(self, blocks=8, min_calls=5, min_seconds=0.1, keep_first_above=None):
        if blocks < 2:
            raise ValueError("FasterOf needs at least 2 blocks, one of each way")
        self.blocks, self.min_calls, self.min_seconds = blocks, min_calls, min_seconds
        self.keep_first_above = keep_first_above
        self.chosen = None
        self.kept_first = False
        self.block_means = ([], [])
        self._block, self._calls, self._seconds = 0, 0, 0.0
        self._warmed = [False, False]

    def way(self):
        """The way to make the next call."""
        return self.chosen if self.chosen is not None else self._block % 2

    def record(self, way, seconds):
        """Count one timed call made `way` that took `seconds`."""
        if self.chosen is not None or way != self._block % 2:
            return
        if not self._warmed[way]:
            self._warmed[way] = True
            return
        self._calls += 1
        self._seconds += seconds
        if self._calls >= self.min_calls and self._seconds >= self.min_seconds:
            self.block_means[way].append(self._seconds / self._calls)
            self._block, self._calls, self._seconds = self._block + 1, 0, 0.0
            if self._block == 1 and self.keep_first_above is not None \
                    and self.block_means[0][0] > self.keep_first_above:
                self.chosen, self.kept_first = 0, True
            elif self._block == self.blocks:
                medians = self._medians()
                self.chosen = 0 if medians[0] <= medians[1] else 1

    def speedup(self):
        """How many times faster the chosen way was than the other (None until chosen, or if only one was timed)."""
        if self.chosen is None or self.kept_first:
            return None
        medians = self._medians()
        return medians[1 - self.chosen] / medians[self.chosen]

    def _medians(self):
        return [statistics.median(means) for means in self.block_means]


class SessionSteps:
    """Compiled callables over one feed list, all run on the thread pool or all in the calling thread.

    `placement` is 'auto' (the default: time both on the first calls of the `timed`
    callable, then keep the faster; the pool alone when its first calls take over
    `TRIAL['keep_first_above']` seconds), 'thread pool' or 'calling thread'. 'auto' keeps
    the thread pool where denormals cannot be flushed and on a session that sees a GPU.
    """

    def __init__(self, sess, feed_list, placement="auto"):
        if placement not in ("auto", *PLACEMENTS):
            raise TfgraphError(f"placement must be 'auto', 'thread pool' or 'calling thread', not {placement!r}.")
        if placement == "calling thread" and not denormals.supported():
            raise TfgraphError(CALLING_THREAD_UNSUPPORTED)
        if placement == "auto" and (not denormals.supported() or _sees_a_gpu(sess)):
            placement = "thread pool"  # here the only one known to give the pool's numbers
        self.sess, self.feed_list = sess, list(feed_list)
        self.chooser = FasterOf(**TRIAL) if placement == "auto" else None
        self._fixed = None if placement == "auto" else PLACEMENTS.index(placement)

    @property
    def placement(self):
        """Where the calls run now: 'thread pool', 'calling thread', or 'measuring' while auto is timing."""
        way = self._fixed if self.chooser is None else self.chooser.chosen
        return "measuring" if way is None else PLACEMENTS[way]

    def callable(self, fetches, timed=False, feed_list=None):
        """A function running `fetches` fed by the feed list's values (see `fast_callable`).

        With 'auto', the calls of the one callable made with `timed=True` decide the
        placement; the others follow it. `feed_list` replaces the shared feed list for
        this callable (the test accuracy's, say, whose keep probabilities differ).
        """
        compiled = [None, None]
        feed_list = self.feed_list if feed_list is None else list(feed_list)

        def call(*values):
            chooser = self.chooser
            way = self._fixed if chooser is None else chooser.way()
            if compiled[way] is None:
                compiled[way] = fast_callable(self.sess, fetches, feed_list, calling_thread=bool(way))
            deciding = chooser is not None and chooser.chosen is None
            if chooser is not None and not deciding:
                compiled[1 - way] = None  # release the one not chosen
            if not (timed and deciding):
                return compiled[way](*values)
            started = time.perf_counter()
            results = compiled[way](*values)
            chooser.record(way, time.perf_counter() - started)
            return results

        return call


def _sees_a_gpu(sess):
    """Whether `sess` can place ops on a GPU (the calling thread was not verified with one)."""
    list_devices = getattr(sess, "list_devices", None)
    return list_devices is not None and any(device.device_type == "GPU" for device in list_devices())
