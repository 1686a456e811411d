"""Checks for the tf_function lesson's exercises: traced_multiply_add and port_fully_connected.

TensorFlow 2 code runs eagerly in the student's sandbox, and an eager tensor cannot travel
to the judge: the checks reach the student's functions as the grader lets them. A
`tf.function` is called with placeholders of a graph the checker sent (there, a call is one
`PartitionedCall` op, whose result a Session runs), and trace counts and a module's values
come back as plain numbers and NumPy arrays from the student file's own functions.
"""
from types import SimpleNamespace

import numpy as np
import tensorflow as tf

from lessons import fully_connected
from lessons.exercises.checkers import (array, close, finite, kind, mnist_sample, new_graph, session, show, tensor,
                                        unpack)
from lessons.exercises.grader.box.wire import Opaque
from lessons.exercises.grader.checks import CheckFailed, check, expect, reference
from lessons.exercises.grader.remote import StudentRaised

tf1 = tf.compat.v1


# --- traced_multiply_add ---------------------------------------------------------------------

def _arrays(shape, dtype, start):
    """(x, y, z): three NumPy arrays of `shape` and `dtype`, counting up from `start`."""
    size = int(np.prod(shape))
    return tuple((np.arange(size) * 0.5 + start + k).reshape(shape).astype(dtype) for k in range(3))


#: (what a call passes, its (x, y, z)), in the order new_traces gets them: first arrays, then Python numbers.
TENSOR_CALLS = [
    ("float32 arrays of shape (3,)", _arrays((3,), np.float32, 1.0)),
    ("float32 arrays of shape (3,) with other values", _arrays((3,), np.float32, 4.0)),
    ("float32 arrays of shape (2, 3)", _arrays((2, 3), np.float32, 1.0)),
    ("float64 arrays of shape (3,)", _arrays((3,), np.float64, 1.0)),
    ("float32 arrays of shape (3,) once more", _arrays((3,), np.float32, -2.0)),
]
NUMBER_CALLS = [
    ("the Python numbers (1.5, 2.25, 0.75)", (1.5, 2.25, 0.75)),
    ("the same Python numbers again", (1.5, 2.25, 0.75)),
    ("the Python numbers (1.5, 2.25, 3.75)", (1.5, 2.25, 3.75)),
    ("the Python numbers (-1.5, 2.25, 3.75)", (-1.5, 2.25, 3.75)),
]
CALLS = TENSOR_CALLS + NUMBER_CALLS

#: (x, y, z) fed to the placeholders of the checker's graph, one element each.
FEEDS = (np.array([2.0, 1.5, 0.0, -1.0], np.float32), np.array([3.0, -2.0, 5.0, 4.0], np.float32),
         np.array([4.0, 0.5, 7.0, 2.0], np.float32))

#: Wrong formulas students write, to name the mistake in a hint.
LOOKALIKES = {
    "x * y * z": lambda x, y, z: x * y * z,
    "x + y + z": lambda x, y, z: x + y + z,
    "(x + y) * z": lambda x, y, z: (x + y) * z,
    "x * (y + z)": lambda x, y, z: x * (y + z),
    "x * y (z is not used)": lambda x, y, z: x * y,
}

CALL_OPS = ("PartitionedCall", "StatefulPartitionedCall")

NOT_A_FUNCTION = ("multiply_add has no experimental_get_tracing_count(): it is a plain Python function, which "
                  "runs its Python lines at every call and is never traced. Make it a tf.function.")


@reference("traced_multiply_add", [()])
def reference_traces():
    """The new traces each of CALLS causes, in order, for the judge's own x * y + z as a fresh tf.function."""
    function = tf.function(lambda x, y, z: x * y + z)
    counts = []
    for _, arguments in CALLS:
        before = function.experimental_get_tracing_count()
        function(*arguments)
        counts.append(function.experimental_get_tracing_count() - before)
    return counts


def counted(submission):
    """new_traces(CALLS) as a list of ints, checked for type (the first thing asked of the file)."""
    def ask():
        try:
            got = submission.function("new_traces")([arguments for _, arguments in CALLS])
        except StudentRaised as raised:
            if raised.type_name == "AttributeError" and "experimental_get_tracing_count" in raised.described:
                raise CheckFailed(NOT_A_FUNCTION) from None
            raise
        expect(isinstance(got, (list, tuple)) and len(got) == len(CALLS),
               f"new_traces(calls) should return one number per call ({len(CALLS)} here), but it returned "
               + (f"{len(got)} values." if isinstance(got, (list, tuple)) else f"{kind(got)}."))
        expect(all(isinstance(count, (int, np.integer)) and not isinstance(count, bool) for count in got),
               f"new_traces(calls) should return whole numbers (traces counted), but it returned {got!r:.200}.")
        return [int(count) for count in got]
    return submission.memo("traces", ask)


def _compare_traces(got, want, calls):
    """CheckFailed unless the counts `got` for `calls` are `want`; the hint names the calls, never `want`."""
    if got == want:
        return
    said = f"For {', then '.join(what for what, _ in calls)}, new_traces returned {got}"
    totals = list(np.cumsum(want))
    if all(count - total == got[0] - totals[0] >= 0 for count, total in zip(got, totals)):
        expect(False, f"{said}: a count that never goes down, like the total number of traces so far. For each "
                      f"call return the traces it added: the count after it minus the count before it.")
    expect(False, f"{said}, which is not how often multiply_add was traced. Read "
                  f"multiply_add.experimental_get_tracing_count() just before and just after each call, call "
                  f"multiply_add once per (x, y, z), and give tf.function no options (input_signature, "
                  f"reduce_retracing) here.")


@check("traced_multiply_add", "new_traces counts the traces of NumPy arrays of repeated and new shapes and dtypes")
def traces_of_tensors(submission):
    _compare_traces(counted(submission)[:len(TENSOR_CALLS)], reference_traces()[:len(TENSOR_CALLS)], TENSOR_CALLS)


@check("traced_multiply_add", "new_traces counts the traces of Python numbers, repeated and new")
def traces_of_numbers(submission):
    _compare_traces(counted(submission)[len(TENSOR_CALLS):], reference_traces()[len(TENSOR_CALLS):], NUMBER_CALLS)


def called_in_graph(submission):
    """(the shipped graph, its placeholders x, y, z of shape (?), multiply_add(x, y, z) called there)."""
    def call():
        graph = new_graph()
        with graph.as_default():
            placeholders = [tf1.placeholder(tf.float32, [None], name=name) for name in "xyz"]
        shipped = submission.send(graph)
        inputs = tuple(shipped[placeholder] for placeholder in placeholders)
        out = submission.function("multiply_add")(*inputs)
        tensor(out, "multiply_add(x, y, z)", shipped.graph)
        return shipped, inputs, out
    return submission.memo("graph", call)


@check("traced_multiply_add", "multiply_add computes x * y + z for the tensors fed")
def computes(submission):
    shipped, inputs, out = called_in_graph(submission)
    got = submission.session(shipped.graph).run(out, feed_dict=dict(zip(inputs, FEEDS)))
    if not close(got, FEEDS[0] * FEEDS[1] + FEEDS[2]):
        names = [name for name, formula in LOOKALIKES.items() if close(got, formula(*FEEDS))]
        guess = f" It computes {names[0]}." if names else ""
        expect(False, f"Fed x={show(FEEDS[0])}, y={show(FEEDS[1])}, z={show(FEEDS[2])}, multiply_add computed "
                      f"{show(got)}, which is not x * y + z.{guess}")


@check("traced_multiply_add", "called in a graph, multiply_add is one op that runs its traced graph on x, y and z")
def one_call_op(submission):
    shipped, inputs, out = called_in_graph(submission)
    structure = submission.structure(shipped.graph)
    upstream = structure.upstream(out.name)
    calls = [op for op in structure.ops if op.name in upstream and op.type in CALL_OPS]
    if not calls:
        added = sorted({op.type for op in structure.ops if op.name in upstream and op.type != "Placeholder"})
        expect(False, f"Calling multiply_add in a graph added its ops there one by one ({', '.join(added) or 'none'}): "
                      f"multiply_add is a plain Python function, not a tf.function. A tf.function is traced into "
                      f"a graph of its own, and a call of it is one op.")
    fed = {name.partition(":")[0] for op in calls for name in op.inputs}
    expect({placeholder.name.partition(":")[0] for placeholder in inputs} <= fed,
           "The traced function is not called on x, y and z themselves: pass multiply_add's arguments to the ops "
           "inside it, not constants or values of your own.")


# --- port_fully_connected --------------------------------------------------------------------

#: The lesson's network at a tiny size, trained a few steps: the checkpoint the student's module loads.
HIDDEN, SEED, STEPS, BATCH, LEARNING_RATE = 16, 7, 40, 50, 0.2
#: Sample test images whose logits are compared, and how far apart they may be (float32 rounding).
IMAGES, TOLERANCE = 100, 1e-5
#: The checkpoint's prefix in the student's sandbox (relative: the folder each sandbox has to itself).
CHECKPOINT = "model.ckpt-40"


def tf1_graph():
    """lessons.fully_connected's graph with HIDDEN units, and a Saver over its variables as the lesson's runs use."""
    graph, ops = fully_connected.build_graph(SimpleNamespace(seed=SEED, device="cpu", num_hidden=HIDDEN,
                                                             learning_rate=LEARNING_RATE))
    with graph.as_default():
        saver = tf1.train.Saver()
    return graph, ops, saver


@reference("port_fully_connected", [()])
def tf1_run():
    """The TF1 graph after STEPS steps on the sample: its variables' values by name, trainable names, test logits."""
    data = mnist_sample()
    graph, g, _ = tf1_graph()
    with graph.as_default():
        variables, trainable = tf1.global_variables(), [v.op.name for v in tf1.trainable_variables()]
    with session(graph) as sess:
        sess.run(g.init)
        for start in range(0, STEPS * BATCH, BATCH):
            sess.run(g.ops.train_operation, {g.X: data.train.images[start:start + BATCH],
                                             g.Y: data.train.labels[start:start + BATCH]})
        values = sess.run({v.op.name: v for v in variables})
        logits = sess.run(graph.get_tensor_by_name("model/output/logits:0"), {g.X: data.test.images[:IMAGES]})
    return {"values": {name: value.tolist() for name, value in values.items()}, "trainable": trainable,
            "logits": logits.tolist()}


def write_checkpoint(submission):
    """Save tf1_run's values as a TF1 checkpoint in the student's sandbox, by the lesson's own graph and Saver."""
    def write():
        values = tf1_run()["values"]
        graph, _, saver = tf1_graph()
        shipped = submission.send(graph)
        sess = submission.session(shipped.graph)
        sess.initialize()
        with graph.as_default():
            for variable in tf1.global_variables():
                sess.load(shipped[variable], np.asarray(values[variable.op.name], np.float32))
        save, filename = (graph.get_tensor_by_name(name) for name in (saver.saver_def.save_tensor_name,
                                                                      saver.saver_def.filename_tensor_name))
        sess.run(shipped[save], feed_dict={shipped[filename]: CHECKPOINT})
        return CHECKPOINT
    return submission.memo("checkpoint", write)


def module_variables(submission):
    """variables(HIDDEN): [(name, shape)] of a new FullyConnected, checked for type."""
    def ask():
        got = submission.function("variables")(HIDDEN)
        expect(isinstance(got, (list, tuple)) and all(
            isinstance(pair, (list, tuple)) and len(pair) == 2 and isinstance(pair[0], str)
            and isinstance(pair[1], (list, tuple)) for pair in got),
            f"variables(num_hidden) should return a list of (name, shape) pairs, but it returned {kind(got)}.")
        return [(name, tuple(shape)) for name, shape in got]
    return submission.memo("variables", ask)


@check("port_fully_connected", "FullyConnected holds W_h and W_o, named and shaped as lessons.fully_connected's")
def named_as_in_tf1(submission):
    got = module_variables(submission)
    run = tf1_run()
    want = {f"{name}:0": np.shape(run["values"][name]) for name in run["trainable"]}
    names = [name for name, _ in got]
    missing = [name for name in want if name not in names]
    expect(not missing, f"FullyConnected({HIDDEN})'s Variables are named {', '.join(names) or '(none)'}: "
                        f"{len(missing)} of the checkpoint's names match none of them. Name them as "
                        f"lessons.fully_connected's graph did (tf.train.list_variables(path) lists a checkpoint's "
                        f"names); the module's name_scope and tf.name_scope make the prefixes.")
    expect(len(got) == len(want), f"FullyConnected holds {len(got)} trainable Variables ({', '.join(names)}), but "
                                  f"the TF1 graph trains {len(want)}.")
    for name, shape in got:
        expect(shape == want[name], f"In FullyConnected({HIDDEN}), {name} has shape {shape}, which is not the "
                                    f"shape of the checkpoint's tensor of that name (tf.train.list_variables(path) "
                                    f"lists each name with its shape).")


def ported(submission):
    """port(checkpoint, images, HIDDEN): ({name: value}, logits) after load_tf1, checked for type."""
    def ask():
        path = write_checkpoint(submission)
        images = mnist_sample().test.images[:IMAGES]
        values, logits = unpack(submission.function("port")(path, images, HIDDEN), ["variables", "logits"],
                                "port(path, images, num_hidden)")
        expect(isinstance(values, (list, tuple)) and all(
            isinstance(pair, (list, tuple)) and len(pair) == 2 and isinstance(pair[0], str) for pair in values),
            f"port's first value should be a list of (name, value) pairs, but it is {kind(values)}.")
        expect(not any(isinstance(value, Opaque) and value.type_name == "eager tf.Tensor"
                       for value in [logits] + [value for _, value in values]),
               "port returned an eager tf.Tensor, which stays in your process: the checker gets numbers only. "
               "Return its .numpy() (a NumPy array) instead.")
        return {name: array(value, name) for name, value in values}, array(logits, "port's logits", (IMAGES, 10))
    return submission.memo("port", ask)


@check("port_fully_connected", "load_tf1 gives each Variable the tensor its TF1 name holds in the checkpoint")
def loads_by_name(submission):
    values, _ = ported(submission)
    run = tf1_run()
    for name in run["trainable"]:
        got = values.get(f"{name}:0")
        expect(got is not None, f"After load_tf1 the module has no Variable named {name}:0, a name the checkpoint "
                                f"holds: see the first check.")
        want = np.asarray(run["values"][name], np.float32)
        expect(got.shape == want.shape and close(got, want, rtol=0, atol=0),
               f"After load_tf1, {name}:0 does not hold the checkpoint's tensor {name}: load_tf1 should assign "
               f"each Variable the value the checkpoint holds under that Variable's name.")


def _lookalikes(weights_h, weights_o, images, logits):
    """{what a student's module computed instead: its logits}, from the checkpoint's weights, in float64."""
    entering = images.astype(np.float64) @ weights_h
    sigmoid = 1 / (1 + np.exp(-entering))
    probabilities = np.exp(logits - logits.max(1, keepdims=True))
    return {
        "ReLU hidden units": np.maximum(entering, 0) @ weights_o,
        "tanh hidden units": np.tanh(entering) @ weights_o,
        "no activation on the hidden layer": entering @ weights_o,
        "probabilities (a softmax on the logits)": probabilities / probabilities.sum(1, keepdims=True),
        "a sigmoid on the logits too": 1 / (1 + np.exp(-(sigmoid @ weights_o))),
    }


@check("port_fully_connected", "the module's logits match the TF1 graph's within 1e-5 on 100 test images")
def same_logits(submission):
    _, got = ported(submission)
    run = tf1_run()
    want = np.asarray(run["logits"], np.float64)
    expect(finite(got), "Your module's logits are not all finite numbers (NaN or infinity).")
    if close(got, want, rtol=0, atol=TOLERANCE):
        return
    weights = [np.asarray(run["values"][name], np.float64) for name in ("model/hidden/W_h", "model/output/W_o")]
    images = mnist_sample().test.images[:IMAGES]
    names = [name for name, logits in _lookalikes(*weights, images, want).items()
             if close(got, logits, rtol=1e-4, atol=1e-4)]
    guess = f" They are what {names[0]} would give." if names else ""
    expect(False, f"Your module's logits differ from the TF1 graph's by up to {np.max(np.abs(got - want)):.1e} "
                  f"(first image: {show(got[0])}).{guess} The module should compute, op for op, what "
                  f"lessons.fully_connected's graph computes with the same weights.")
