"""What a check may ask of a student's file: its functions and constants, graphs sent there, Sessions, structure.

Every method here is a request to the student's sandbox (`lessons.exercises.grader.remote`).
The checker's own graphs are built in the judge, sent as MetaGraphDefs and imported there
(`send`); what the student's code returns comes back as plain values or `Remote`
references. Reference values (what a correct answer gives) are computed in the judge and
never sent.
"""
import base64
import itertools
from typing import NamedTuple

from lessons.exercises.grader.box import wire
from lessons.exercises.grader.checks import CheckFailed, expect
from lessons.exercises.grader.remote import Callback, Remote, Stopped, StudentRaised, outgoing


class _Raised(NamedTuple):
    error: BaseException


class Submission:
    """One student's file, as the checks see it; `name` is its file name (for hints)."""

    def __init__(self, student, name):
        self.student, self.name = student, name
        self._memo = {}
        self._numbers = itertools.count(1)

    def function(self, name):
        """The student's function `name` (a stand-in that calls it there), or CheckFailed saying it is missing."""
        found = self.student.ask({"op": "attr", "name": name})
        expect(found.get("callable") is True, f"Your file defines no function {name}(). The checker calls {name}(...): "
                                              f"keep the name and the arguments the student file gave it.")

        def call(*args, **kwargs):
            return self.student.value({"op": "call", "name": name, "args": outgoing(list(args)),
                                       "kwargs": outgoing(dict(kwargs))})
        return call

    def constant(self, name, what):
        """The student's answer `name`, or CheckFailed if it is missing or still None; `what` says what it should be."""
        found = self.student.ask({"op": "attr", "name": name})
        expect(found.get("present") is True, f"Your file has no {name}. Set it to {what}.")
        if found.get("callable") is True:
            return wire.Opaque("function")
        try:
            value = wire.decode(found.get("value"), _no_references)
        except wire.Malformed as error:
            raise Stopped(f"Your code's process sent a value the checker cannot read ({error}).") from None
        expect(value is not None, f"Not done yet: {name} is still None. Set it to {what}.")
        return value

    def memo(self, key, compute):
        """compute() the first time `key` is asked for, its result (or the student's failure) after that."""
        if key not in self._memo:
            try:
                self._memo[key] = compute()
            except (CheckFailed, StudentRaised) as error:  # replayed to every check that asks
                self._memo[key] = _Raised(error)
        value = self._memo[key]
        if isinstance(value, _Raised):
            raise value.error
        return value

    def callback(self, function):
        """`function` as an argument the student's code can call (it learns nothing else about it)."""
        marker = Callback(next(self._numbers), function)
        self.student.callbacks[marker.number] = function
        return marker

    def send(self, graph):
        """Send a graph the checker built to the student's sandbox; the Shipped copy maps its tensors there."""
        import tensorflow as tf
        with graph.as_default():
            meta = tf.compat.v1.train.export_meta_graph(graph=graph, clear_devices=False)
        # A saver_def tells import_meta_graph that a Saver exists, so it builds none: no save/restore ops are
        # added, and the student's copy holds exactly the checker's ops.
        meta.saver_def.filename_tensor_name = meta.saver_def.save_tensor_name = meta.saver_def.restore_op_name = "-"
        remote = self.student.value({"op": "graph", "meta": base64.b64encode(meta.SerializeToString()).decode()})
        _expect_kind(remote, "Graph")
        return Shipped(self, remote)

    def session(self, graph):
        """A new Session in the student's sandbox on `graph` (a Remote graph)."""
        remote = self.student.value({"op": "session", "graph": outgoing(graph)})
        _expect_kind(remote, "Session")
        return Session(self.student, remote)

    def structure(self, graph):
        """The ops and Variables of `graph` (a Remote graph), as the student's sandbox describes them."""
        reply = self.student.ask({"op": "structure", "graph": outgoing(graph)})
        try:
            return Structure(reply.get("value"))
        except (wire.Malformed, TypeError, ValueError) as error:
            raise Stopped(f"Your code's process described a graph in a form the checker cannot read ({error}).") \
                from None

    def variables(self, graph, trainable=False):
        """The Variables of `graph` (global, or only the trainable ones), as Remote references."""
        found = self.student.value({"op": "collection", "graph": outgoing(graph),
                                    "name": "trainable" if trainable else "global"})
        if not isinstance(found, list) or not all(isinstance(v, Remote) and v.kind == "Variable" for v in found):
            raise Stopped("Your code's process listed a graph's Variables in a form the checker cannot read.")
        return found


def _no_references(data):
    raise wire.Malformed(f"a value of kind {str(data.get('t'))[:40]!r} where a constant was expected")


def _expect_kind(value, kind):
    if not (isinstance(value, Remote) and value.kind == kind):
        raise Stopped(f"Your code's process answered with something other than a {kind}.")


class Shipped:
    """A graph the checker built, imported in the student's sandbox: `shipped[x]` is the Remote of its tensor x."""

    def __init__(self, submission, graph):
        self.submission, self.graph = submission, graph
        self._found = {}

    def __getitem__(self, local):
        import tensorflow as tf
        kind = "Variable" if isinstance(local, tf.Variable) else None
        if local.name not in self._found:
            remote = self.submission.student.value({"op": "get", "graph": outgoing(self.graph), "name": local.name,
                                                    "kind": kind})
            if not isinstance(remote, Remote) or remote.name != local.name:
                raise Stopped(f"Your code's process did not find {local.name} in the checker's graph.")
            self._found[local.name] = remote
        return self._found[local.name]


class Session:
    """A Session in the student's sandbox."""

    def __init__(self, student, remote):
        self.student, self.remote = student, remote
        self.graph = remote.graph

    def run(self, fetches, feed_dict=None):
        """session.run there; the values come back as NumPy arrays and numbers."""
        feeds = [[outgoing(key), outgoing(value)] for key, value in (feed_dict or {}).items()]
        return self.student.value({"op": "run", "session": outgoing(self.remote), "fetches": outgoing(fetches),
                                   "feeds": feeds})

    def initialize(self, variables=None):
        """Initialize `variables` (Remote Variables), or every global Variable of the graph."""
        self.student.ask({"op": "initialize", "session": outgoing(self.remote),
                          "variables": None if variables is None else outgoing(list(variables))})

    def load(self, variable, value):
        """Set a Variable's value in this Session."""
        self.student.ask({"op": "assign", "session": outgoing(self.remote), "variable": outgoing(variable),
                          "value": outgoing(value)})


class Op(NamedTuple):
    """One op of a described graph: name, type, input tensor names, control inputs, device, outputs (dtype, shape)."""
    name: str
    type: str
    inputs: tuple
    control: tuple
    device: str
    outputs: tuple


class Structure:
    """A graph as the student's sandbox described it: ops with their dataflow, and the Variables' collections."""

    def __init__(self, data):
        if not isinstance(data, dict) or not isinstance(data.get("ops"), list):
            raise wire.Malformed("no list of ops")
        self.ops = [self._op(item) for item in data["ops"]]
        self.by_name = {op.name: op for op in self.ops}
        variables = data.get("variables") or {}
        self.variables = {key: [(str(v[0]), str(v[1]), _shape(v[2]), str(v[3])) for v in variables.get(key, [])]
                          for key in ("global", "trainable")}

    @staticmethod
    def _op(item):
        name, kind, inputs, control, device, outputs = item
        strings = [name, kind, device, *inputs, *control]
        if not all(isinstance(text, str) for text in strings):
            raise wire.Malformed("an op described with something other than text")
        return Op(name, kind, tuple(inputs), tuple(control), device,
                  tuple((str(dtype), _shape(shape)) for dtype, shape in outputs))

    def of_type(self, *types):
        """The ops of any of these types, in the graph's order."""
        return [op for op in self.ops if op.type in types]

    def shape(self, tensor_name):
        """The static shape of the tensor 'op:index' (None if unknown or not found)."""
        op_name, _, index = tensor_name.partition(":")
        op = self.by_name.get(op_name)
        try:
            return op.outputs[int(index or 0)][1] if op else None
        except (IndexError, ValueError):
            return None

    def upstream(self, *tensor_names, control=True):
        """The names of the ops the tensors (or ops) are computed from, themselves included."""
        seen, todo = set(), [name.lstrip("^").partition(":")[0] for name in tensor_names]
        while todo:
            name = todo.pop()
            if name in seen or name not in self.by_name:
                continue
            seen.add(name)
            op = self.by_name[name]
            todo.extend(item.lstrip("^").partition(":")[0] for item in op.inputs + (op.control if control else ()))
        return seen


def _shape(value):
    if value is None:
        return None
    if not (isinstance(value, list) and all(size is None or type(size) is int for size in value)):
        raise wire.Malformed("a malformed shape")
    return tuple(value)
