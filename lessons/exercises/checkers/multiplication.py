"""Checks for the multiplication lesson's exercises: multiply_add and walk_the_graph."""
import tensorflow as tf

from lessons.exercises.checkers import close, differs, is_graph, kind, new_graph, placeholder, show, tensor, unpack
from lessons.exercises.grader.checks import check, expect

tf1 = tf.compat.v1

# (x, y, z) fed to out.
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
    expect(is_graph(graph), f"build()'s first value should be the tf.Graph you built in, but it is {kind(graph)}.")
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
    sess = submission.session(graph)
    outputs = [sess.run(out, feed_dict=dict(zip((x, y, z), values))) for values in FEEDS]
    for values, got in zip(FEEDS, outputs):
        if not close(got, values[0] * values[1] + values[2]):
            names = [name for name, formula in LOOKALIKES.items()
                     if all(close(output, formula(*feed)) for feed, output in zip(FEEDS, outputs))]
            guess = f" It computes {names[0]}." if names else ""
            expect(False, f"For x={values[0]:g}, y={values[1]:g}, z={values[2]:g} your graph computed {show(got)}, "
                          f"which is not x * y + z.{guess}")


@check("multiply_add", "out is computed from x, y and z, all three fed at run time")
def depends_on_all_three(submission):
    graph, x, y, z, out = built(submission)
    sess = submission.session(graph)
    base = sess.run(out, feed_dict={x: 2.0, y: 3.0, z: 4.0})
    for changed, name in ((x, "x"), (y, "y"), (z, "z")):
        feed = {x: 2.0, y: 3.0, z: 4.0, changed: 10.0}
        expect(differs(sess.run(out, feed_dict=feed), base),
               f"Feeding a different {name} does not change out (or out is not a finite number): out is not "
               f"computed from {name}. Use the placeholder {name} itself in the expression (not a constant with "
               f"its value).")


def example_graphs():
    """(graph, {description: (tensor, the placeholder names it needs)}) built by the checker."""
    graph = new_graph()
    with graph.as_default():
        with tf.name_scope("input"):
            x = tf1.placeholder(tf.float32, name="x")
            y = tf1.placeholder(tf.float32, name="y")
            z = tf1.placeholder(tf.float32, name="z")
            tf1.placeholder(tf.float32, name="unused")
        xy = tf.multiply(x, y, name="xy")
        deep = tf.square(tf.exp(xy) + 1.0) - z
        reused = x * x + x
        constant = tf.constant(3.0) * 2.0
        weights = tf.Variable(1.0, name="weights")
        with_variable = weights * y
        ladder = x
        for _ in range(10):
            ladder = ladder + ladder
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


def answer(submission, description):
    """(placeholders_needed(tensor) as a list of strings, the right names) for one of the examples."""
    def ship():
        graph, cases = example_graphs()
        shipped = submission.send(graph)
        return shipped, {name: (shipped[local], want) for name, (local, want) in cases.items()}

    def ask():
        remote, want = submission.memo("examples", ship)[1][description]
        got = submission.function("placeholders_needed")(remote)
        expect(isinstance(got, (list, tuple)) and all(isinstance(name, str) for name in got),
               f"placeholders_needed should return a list of op names (strings), but for {description} it "
               f"returned {kind(got)}.")
        return list(got), want
    return submission.memo(("answer", description), ask)


def _difference(description, got, want):
    missing, extra = set(want) - set(got), set(got) - set(want)
    parts = ([f"it leaves out {len(missing)} placeholder(s) that {description} needs"] if missing else []) + (
        [f"it names {len(extra)} op(s) that are not placeholders {description} needs"] if extra else [])
    return f"For {description} you returned {sorted(got)}: " + " and ".join(parts) + "."


@check("walk_the_graph", "finds the placeholders of x * y and of a tensor several ops further on")
def finds_direct_and_deep(submission):
    for description in ("xy = x * y", "(exp(x * y) + 1)^2 - z"):
        got, want = answer(submission, description)
        if sorted(set(got)) != want and set(got) < set(want):
            expect(False, _difference(description, got, want) + " Walk on past the direct inputs, through the "
                                                                "inputs of the inputs, until no op is left.")
        expect(sorted(set(got)) == want, _difference(description, got, want))


@check("walk_the_graph", "names each placeholder once, sorted, however many paths reach it")
def once_and_sorted(submission):
    for description in ("x * x + x", "x doubled ten times", "(exp(x * y) + 1)^2 - z"):
        got, want = answer(submission, description)
        expect(len(got) == len(set(got)), f"For {description} you returned {got}: each placeholder should "
                                          f"appear once. Remember the ops you have seen (a set).")
        expect(got == sorted(got), f"For {description} you returned {got}; return the names sorted.")
        expect(got == want, _difference(description, got, want))


@check("walk_the_graph", "handles a placeholder itself, a constant and a Variable")
def edge_cases(submission):
    advice = {
        "x itself": "A placeholder depends on itself: start the walk at tensor.op, and check it too.",
        "a constant times 2": "Only Placeholder ops are fed: a constant holds its value in the graph.",
        "a Variable times y": "A Variable is not fed: it holds its own value (its ops are VarHandleOp and "
                              "ReadVariableOp, not Placeholder).",
    }
    for description, hint in advice.items():
        got, want = answer(submission, description)
        expect(sorted(set(got)) == want, f"{_difference(description, got, want)} {hint}")
