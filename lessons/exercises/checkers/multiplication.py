"""Checks for the multiplication lesson's exercises: multiply_add and walk_the_graph."""
import numpy as np
import tensorflow as tf

from lessons.exercises.checkers import new_graph, placeholder, session, show, tensor, unpack
from lessons.exercises.checks import check, expect

tf1 = tf.compat.v1

# (x, y, z) fed to out, and what x * y + z is.
FEEDS = [(2.0, 3.0, 4.0), (1.5, -2.0, 0.5), (0.0, 5.0, 7.0)]

# Wrong formulas students write, to name the mistake in a hint.
LOOKALIKES = {
    "x * y * z": lambda x, y, z: x * y * z,
    "x + y + z": lambda x, y, z: x + y + z,
    "(x + y) * z": lambda x, y, z: (x + y) * z,
    "x * (y + z)": lambda x, y, z: x * (y + z),
    "x * y (z is not used)": lambda x, y, z: x * y,
}


def built(submission):
    """build()'s five values, checked for type."""
    def build():
        return submission.function("build")()
    graph, x, y, z, out = unpack(submission.memo("build", build), ["graph", "x", "y", "z", "out"], "build()")
    expect(isinstance(graph, tf.Graph), f"build()'s first value should be the tf.Graph you built in, "
                                        f"but it is a {type(graph).__name__}.")
    for value, name in ((x, "x"), (y, "y"), (z, "z")):
        placeholder(value, name, graph)
    tensor(out, "out", graph)
    return graph, x, y, z, out


@check("multiply_add", "build() returns the graph, three placeholders x, y, z and a tensor out")
def returns_placeholders(submission):
    built(submission)


@check("multiply_add", "out computes x * y + z for the values fed")
def computes(submission):
    graph, x, y, z, out = built(submission)
    with session(graph) as sess:
        for values in FEEDS:
            got = sess.run(out, feed_dict=dict(zip((x, y, z), values)))
            want = values[0] * values[1] + values[2]
            if not np.allclose(got, want):
                names = [name for name, formula in LOOKALIKES.items()
                         if all(np.allclose(sess.run(out, dict(zip((x, y, z), v))), formula(*v)) for v in FEEDS)]
                guess = f" It computes {names[0]}." if names else ""
                expect(False, f"For x={values[0]:g}, y={values[1]:g}, z={values[2]:g} out should be {want:g}, "
                              f"but your graph computed {show(got)}.{guess}")


@check("multiply_add", "out is computed from x, y and z, all three fed at run time")
def depends_on_all_three(submission):
    graph, x, y, z, out = built(submission)
    with session(graph) as sess:
        base = sess.run(out, feed_dict={x: 2.0, y: 3.0, z: 4.0})
        for changed, name in ((x, "x"), (y, "y"), (z, "z")):
            feed = {x: 2.0, y: 3.0, z: 4.0, changed: 10.0}
            expect(not np.allclose(sess.run(out, feed_dict=feed), base),
                   f"Feeding a different {name} does not change out: out is not computed from {name}. "
                   f"Use the placeholder {name} itself in the expression (not a constant with its value).")


def example_graphs():
    """(graph, {description: (tensor, expected placeholder names)}) built by the checker."""
    graph = new_graph()
    with graph.as_default():
        with tf.name_scope("input"):
            x = tf1.placeholder(tf.float32, name="x")
            y = tf1.placeholder(tf.float32, name="y")
            z = tf1.placeholder(tf.float32, name="z")
            unused = tf1.placeholder(tf.float32, name="unused")
        xy = tf.multiply(x, y, name="xy")
        deep = tf.square(tf.exp(xy) + 1.0) - z
        reused = x * x + x
        constant = tf.constant(3.0) * 2.0
        weights = tf.Variable(1.0, name="weights")
        with_variable = weights * y
        ladder = x
        for _ in range(10):
            ladder = ladder + ladder
        del unused
    names = ["input/x", "input/y", "input/z"]
    return graph, {
        "xy = x * y": (xy, names[:2]),
        "(exp(x * y) + 1)^2 - z": (deep, names),
        "x * x + x": (reused, ["input/x"]),
        "x itself": (x, ["input/x"]),
        "a constant times 2": (constant, []),
        "a Variable times y": (with_variable, ["input/y"]),
        "x doubled ten times": (ladder, ["input/x"]),
    }


def answer(submission, tensor_):
    """placeholders_needed(tensor_) checked to be a list of strings."""
    got = submission.function("placeholders_needed")(tensor_)
    expect(isinstance(got, (list, tuple)) and all(isinstance(name, str) for name in got),
           f"placeholders_needed should return a list of op names (strings), but it returned {got!r:.200}.")
    return list(got)


@check("walk_the_graph", "finds the placeholders of x * y and of a tensor several ops further on")
def finds_direct_and_deep(submission):
    graph, cases = example_graphs()
    for description in ("xy = x * y", "(exp(x * y) + 1)^2 - z"):
        want = cases[description][1]
        got = answer(submission, cases[description][0])
        if sorted(set(got)) != want and set(got) < set(want):
            expect(False, f"For {description} expected {want} but got {sorted(got)}: walk on past the direct "
                          f"inputs, through the inputs of the inputs, until no op is left.")
        expect(sorted(set(got)) == want, f"For {description} expected {want} but got {sorted(got)}.")


@check("walk_the_graph", "names each placeholder once, sorted, however many paths reach it")
def once_and_sorted(submission):
    graph, cases = example_graphs()
    for description in ("x * x + x", "x doubled ten times", "(exp(x * y) + 1)^2 - z"):
        want = cases[description][1]
        got = answer(submission, cases[description][0])
        expect(len(got) == len(set(got)), f"For {description} you returned {got}: each placeholder should "
                                          f"appear once. Remember the ops you have seen (a set).")
        expect(got == sorted(got), f"For {description} you returned {got}; return the names sorted.")
        expect(got == want, f"For {description} expected {want} but got {got}.")


@check("walk_the_graph", "handles a placeholder itself, a constant and a Variable")
def edge_cases(submission):
    graph, cases = example_graphs()
    advice = {
        "x itself": "A placeholder depends on itself: start the walk at tensor.op, and check it too.",
        "a constant times 2": "A constant needs nothing fed.",
        "a Variable times y": "A Variable is not fed: it holds its own value (its ops are VarHandleOp and "
                              "ReadVariableOp, not Placeholder).",
    }
    for description, hint in advice.items():
        tensor_, want = cases[description]
        got = answer(submission, tensor_)
        expect(sorted(set(got)) == want, f"For {description} expected {want} but got {got}. {hint}")
