"""
Exercise: traced_multiply_add (lesson: tf_function, about 15 minutes)

Task: 1. write multiply_add(x, y, z) = x * y + z as a tf.function. 2. write
new_traces(calls): call multiply_add with each (x, y, z) of `calls` in turn, and say for
each call how many new traces it caused (multiply_add.experimental_get_tracing_count()
counts them). 3. Run this file: which calls traced, which ran a graph traced before?

The multiplication lesson built x * y in a graph by hand, then ran it in a Session. A
tf.function runs its Python body only while it traces it into a graph (once per kind of
arguments), then runs that graph. What makes two calls "the same kind" for NumPy arrays,
and for Python numbers? What does that mean for a training step called with a new
learning rate, as a Python float, at every epoch?

Contract: the checker calls new_traces(calls), `calls` a list of (x, y, z) tuples of NumPy
arrays and Python numbers, and expects one whole number per call. Then it calls
multiply_add(x, y, z) with three float32 placeholders of a graph of its own (called in a
graph, a tf.function is one op there) and runs the result in a Session.
Check: python -m lessons.exercises check traced_multiply_add [this_file.py]
"""
from tfgraph import quiet

quiet.install()  # TensorFlow starts on first use, without its start-up messages
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402


def todo(what):
    """A gap for you to fill: replace the call to todo(...) with your code."""
    raise NotImplementedError(what)


# TODO: make multiply_add a tf.function (a decorator on the line above `def`).
def multiply_add(x, y, z):
    """x * y + z."""
    # TODO: x * y + z (tf.multiply and tf.add, or * and +).
    return todo("return x * y + z, and make multiply_add a tf.function")


def new_traces(calls):
    """Call multiply_add(x, y, z) for each (x, y, z) in `calls`, in order; return the new traces of each call."""
    counts = []
    for x, y, z in calls:
        # TODO: read multiply_add.experimental_get_tracing_count() before and after multiply_add(x, y, z);
        # append the difference to counts.
        todo("count the traces that the call multiply_add(x, y, z) adds")
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
    try:
        main()
    except NotImplementedError as gap:
        print(f"Not done yet: {gap}.")
