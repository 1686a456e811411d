"""A lever measured by `benchmarks/levers.py`: `sess.run` through one compiled Session callable.

tfgraph's loop used this until issue 23; it now runs `sess.run` as the lessons teach,
since the gain (1.11x on the fully connected net, 1.00x on the CNN) did not reach the
1.2x a speed trick needs to earn its place in the core. The benchmark keeps it so the
lever stays measured.

`Session.run(fetches, feed_dict)` works out its fetches and feeds again on every call.
TensorFlow can fix them once (`Session::MakeCallable`, reached from Python by
`Session._make_callable_from_options`, the one private TensorFlow name tfgraph uses);
each call then only hands over the arrays. On the fully connected net that made a
training step 1.14-1.20x faster than `sess.run` (`python benchmarks/throughput.py
--levers`, benchmarks/results.md). Without that name, `CompiledRun` falls back to
`sess.run`: the same results, only slower.
"""
import numpy as np
import tensorflow as tf


class CompiledRun:
    """Call it like `sess.run(fetches, feed_dict=...)`, for the `fetches` and feed keys given once (fully connected net).

    `run(feed_dict)` returns a list with a NumPy value for each tensor in `fetches` and
    None for each operation, as `sess.run` does. `feed_dict` must feed exactly the
    placeholders in `feeds`; values are converted to each placeholder's dtype.
    """

    def __init__(self, sess, fetches, feeds):
        from tensorflow.core.protobuf.config_pb2 import CallableOptions  # the proto behind Session::MakeCallable

        graph = sess.graph
        self.fetches = [graph.as_graph_element(fetch) for fetch in fetches]
        self.feeds = [graph.as_graph_element(feed) for feed in feeds]
        options = CallableOptions()
        options.feed.extend(feed.name for feed in self.feeds)
        options.fetch.extend(fetch.name for fetch in self.fetches if isinstance(fetch, tf.Tensor))
        options.target.extend(fetch.name for fetch in self.fetches if isinstance(fetch, tf.Operation))
        make_compiled = getattr(sess, "_make_callable_from_options", None)
        if make_compiled is not None:
            self._call = make_compiled(options)
        else:  # a TensorFlow without it: the same results through sess.run
            tensors = [fetch for fetch in self.fetches if isinstance(fetch, tf.Tensor)]
            self._call = lambda *values: sess.run(tensors, feed_dict=dict(zip(self.feeds, values)))
        self._dtypes = [feed.dtype.as_numpy_dtype for feed in self.feeds]

    def __call__(self, feed_dict):
        if len(feed_dict) != len(self.feeds):
            raise TypeError(f"expected values for {[feed.name for feed in self.feeds]}, got {len(feed_dict)} values")
        values = [np.asarray(feed_dict[feed], dtype) for feed, dtype in zip(self.feeds, self._dtypes)]
        fetched = iter(self._call(*values))
        return [next(fetched) if isinstance(fetch, tf.Tensor) else None for fetch in self.fetches]
