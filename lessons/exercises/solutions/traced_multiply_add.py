"""
Solution: traced_multiply_add (lesson: tf_function)

A tf.function keys its traces on what its arguments are: a tensor (a NumPy array is
made one) by dtype and shape, a Python number by its value. So arrays of a shape and
dtype it has seen run the graph traced for them, a new shape or a new dtype traces again,
and every new Python number traces again: a training step called with a Python float
learning rate that changes each epoch is traced each epoch, where a tensor (or a
tf.Variable) would be traced once. Called in a graph, multiply_add is one PartitionedCall
op that runs the traced graph: Placeholder x 3, Mul, AddV2, Identity.
"""
from tfgraph import quiet

quiet.install()  # TensorFlow starts on first use, without its start-up messages
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402


@tf.function
def multiply_add(x, y, z):
    """x * y + z."""
    return x * y + z


def new_traces(calls):
    """Call multiply_add(x, y, z) for each (x, y, z) in `calls`, in order; return the new traces of each call."""
    counts = []
    for x, y, z in calls:
        before = multiply_add.experimental_get_tracing_count()
        multiply_add(x, y, z)
        counts.append(multiply_add.experimental_get_tracing_count() - before)
    return counts


def arrays(shape, dtype):
    """Three NumPy arrays (x, y, z) of `shape` and `dtype`."""
    return tuple(np.full(shape, value, dtype) for value in (2.0, 3.0, 4.0))


#: What this file calls multiply_add with, described.
CALLS = [
    ("float32 arrays of shape (3,)", arrays((3,), np.float32)),
    ("float32 arrays of shape (3,), again", arrays((3,), np.float32)),
    ("float32 arrays of shape (4,)", arrays((4,), np.float32)),
    ("float64 arrays of shape (3,)", arrays((3,), np.float64)),
    ("the Python numbers 2.0, 3.0, 4.0", (2.0, 3.0, 4.0)),
    ("the Python numbers 2.0, 3.0, 4.0, again", (2.0, 3.0, 4.0)),
    ("the Python numbers 2.0, 3.0, 5.0", (2.0, 3.0, 5.0)),
]


def main():
    """Print which calls traced multiply_add, then the ops of one of its traced graphs."""
    counts = new_traces([arguments for _, arguments in CALLS])
    for (what, _), count in zip(CALLS, counts):
        print(f"  {what:<42} {'traced it' if count else 'ran a graph traced before'}")
    print(f"multiply_add was traced {multiply_add.experimental_get_tracing_count()} times.")
    spec = tf.TensorSpec([None], tf.float32)
    graph = multiply_add.get_concrete_function(spec, spec, spec).graph
    print("Its graph for float32 vectors:", ", ".join(f"{op.name} ({op.type})" for op in graph.get_operations()))


if __name__ == "__main__":
    main()
