"""The checks, one module per lesson, and the helpers they share to test what a student's code returned.

Checks run in the judge; what the student's code returns arrives as plain values (numbers,
strings, NumPy arrays, lists) or as `Remote` references to TensorFlow objects that stay in
the student's sandbox (`lessons.exercises.grader.remote`). Each helper raises
`CheckFailed` with a hint that says what was expected and what was found, so a check
never fails with a bare AttributeError on a value of the wrong type. Comparisons are
NaN-safe: a value that is not finite is never "close to" nor "different from" another.
"""
import numpy as np
import tensorflow as tf

from lessons.exercises.grader.box.wire import Opaque
from lessons.exercises.grader.checks import CheckFailed, expect
from lessons.exercises.grader.remote import Remote

tf1 = tf.compat.v1


def kind(value):
    """A short description of a value's type for a hint ('a float', 'a tf.Tensor from a Mul op', 'None')."""
    if value is None:
        return "None"
    if isinstance(value, Remote):
        return {"Variable": "a tf.Variable", "Tensor": f"a tf.Tensor from a {value.op_type} op",
                "Operation": f"a tf.Operation of type {value.op_type}", "Graph": "a tf.Graph",
                "Session": "a tf.Session"}[value.kind]
    if isinstance(value, np.ndarray):
        return f"a NumPy array of shape {value.shape}"
    if isinstance(value, Opaque):
        return f"a {value.type_name}"
    return f"a {type(value).__name__}"


def unpack(value, names, call):
    """Check that `call` returned a tuple of len(names) values; return them as a list."""
    expect(isinstance(value, (tuple, list)) and len(value) == len(names),
           f"{call} should return {len(names)} values, ({', '.join(names)}), but it returned "
           + (f"{len(value)} values." if isinstance(value, (tuple, list)) else f"{kind(value)}."))
    return list(value)


def is_graph(value):
    """Whether `value` is a tf.Graph (in the student's sandbox)."""
    return isinstance(value, Remote) and value.kind == "Graph"


def tensor(value, name, graph=None):
    """Check that `value` is a tf.Tensor or Variable (in `graph`, if given) and return it."""
    expect(value is not None, f"{name} is None: fill in the gap that makes it.")
    expect(isinstance(value, Remote) and value.kind in ("Tensor", "Variable"),
           f"{name} should be a tf.Tensor, but it is {kind(value)}.")
    if graph is not None:
        expect(value.graph == graph.handle, f"{name} belongs to another graph than the one returned: build every op "
                                            f"inside the same `with graph.as_default():` block.")
    return value


def placeholder(value, name, graph=None):
    """Check that `value` is a placeholder tensor and return it."""
    tensor(value, name, graph)
    expect(value.kind == "Tensor" and value.op_type == "Placeholder",
           f"{name} should be a placeholder (tf.compat.v1.placeholder), but it is {kind(value)}. A constant's "
           f"value is fixed when the graph is built; a placeholder gets its value from feed_dict at each run.")
    return value


def runnable(value, name):
    """Check that `value` is something Session.run accepts (an op, a tensor, or a list of them)."""
    items = value if isinstance(value, (list, tuple)) else [value]
    expect(len(items) > 0 and all(isinstance(item, Remote) and item.kind in ("Operation", "Tensor", "Variable")
                                  for item in items),
           f"{name} should be an op or a tensor a Session can run (or a list of them), but it is {kind(value)}.")
    return value


def number(value, name):
    """Check that `value` is a real number (Python or NumPy) and return it as a float."""
    expect(isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
           or isinstance(value, np.ndarray) and value.shape == () and value.dtype.kind in "iuf",
           f"{name} should be a number, but it is {kind(value)}.")
    return float(value)


def array(value, name, shape=None):
    """Check that `value` converts to a float NumPy array (of `shape`, if given) and return it."""
    expect(value is not None, f"{name} is None.")
    expect(not isinstance(value, Remote),
           f"{name} should hold numbers, but it is {kind(value)}: run it in a Session (sess.run) to get its value.")
    try:
        result = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise CheckFailed(f"{name} should be an array of numbers, but it is {kind(value)}.") from None
    if shape is not None:
        expect(result.shape == tuple(shape), f"{name} should have shape {tuple(shape)}, but it has shape "
                                             f"{result.shape}.")
    return result


def finite(values):
    """Whether every number in `values` is finite (no NaN, no infinity)."""
    try:
        return bool(np.all(np.isfinite(np.asarray(values, dtype=np.float64))))
    except (TypeError, ValueError):
        return False


def close(got, want, rtol=1e-5, atol=1e-8):
    """NaN-safe np.allclose: False whenever a value is not finite."""
    return finite(got) and finite(want) and bool(np.allclose(np.asarray(got, dtype=np.float64),
                                                             np.asarray(want, dtype=np.float64), rtol=rtol, atol=atol))


def differs(got, other, rtol=1e-5, atol=1e-8):
    """NaN-safe 'not np.allclose': True only for finite values that really differ."""
    return finite(got) and finite(other) and not close(got, other, rtol, atol)


def new_graph(seed=0):
    """An empty graph with a fixed seed, for the checker's own models."""
    graph = tf.Graph()
    graph.seed = seed
    return graph


def session(graph):
    """A Session on the CPU for `graph` (the judge's own)."""
    return tf1.Session(graph=graph, config=tf1.ConfigProto(device_count={"GPU": 0}))


def show(values, digits=4):
    """Numbers rounded for a hint."""
    if np.ndim(values) == 0:
        return f"{round(float(values), digits):g}"
    return np.array2string(np.round(np.asarray(values, dtype=np.float64), digits), separator=", ",
                           threshold=12, edgeitems=3)


_sample = None


def mnist_sample():
    """The MNIST sample shipped with tfgraph (one-hot labels, flat images), loaded once per process."""
    global _sample
    if _sample is None:
        from tfgraph import mnist
        _sample = mnist.load_sample(one_hot=True)
    return _sample
