"""The student's side of a check: load the submission, then do what the judge asks, one request at a time.

It runs in the student's sandbox, where neither the checkers nor the solutions exist, and
decides nothing: it calls the student's functions, imports the graphs the judge sends,
opens Sessions and runs fetches, and sends back what came out. TensorFlow objects stay
here, in a table; the judge gets a reference to each with what it may check (kind, name,
op type, dtype, shape). A function of the judge's passed as an argument (a fake `train`,
say) arrives as a `Callback`, which knows only a number: calling it asks the judge.
"""
import base64
import contextlib
import linecache
import os
import sys
import tempfile
import traceback

from . import wire

#: Ops whose graphs a `structure` request describes, at most.
MAX_OPS = 50_000
_module_number = 0


def warm_up(options):
    """Import what every submission needs (TensorFlow, tfgraph), once, in the fork server."""
    import numpy  # noqa: F401
    import tensorflow as tf

    from tfgraph import mnist, training  # noqa: F401  (student files import them)
    tf1 = tf.compat.v1
    graph = tf.Graph()
    with graph.as_default():
        variable = tf.Variable(1.0, name="v")
        tf1.placeholder(tf.float32, name="x") * variable
        meta = tf1.train.export_meta_graph(graph=graph)
    with tf.Graph().as_default():
        tf1.train.import_meta_graph(meta)
    return {}


def serve(channel, request):
    """Answer the judge's requests on `channel` until it closes."""
    server = StudentSide(channel)
    while True:
        try:
            message = wire.receive(channel, server.frames)
        except wire.Malformed:
            return
        if message is None:
            return
        wire.send(channel, {"id": message.get("id"), **server.answer(message)})


def _clean_message(error):
    """The part of an exception's message a student needs (TensorFlow's stack dumps removed)."""
    try:
        text = getattr(error, "message", None) or str(error) or type(error).__name__
    except Exception:  # a message that cannot be made
        text = type(error).__name__
    keep = []
    for line in str(text).splitlines():
        stripped = line.strip()
        if stripped.startswith("Original stack trace"):
            break
        if stripped and not stripped.startswith(("Graph execution error", "Detected at node", "File ", "Node:", "[[",
                                                  "defined at")):
            keep.append(stripped)
    text = " ".join(keep) or type(error).__name__
    return text if len(text) <= 400 else text[:397] + "..."


def _where(frame, name):
    """'line 12 of name: the code on that line'."""
    line = (frame.line or linecache.getline(frame.filename, frame.lineno)).strip()
    return f"line {frame.lineno} of {name}: {line}"


def describe_exception(error, path):
    """What to tell a student whose code raised `error`: type, message and their line, never a traceback."""
    name = os.path.basename(path)
    if isinstance(error, SyntaxError) and error.filename == path:
        return f"Python cannot read your file: {error.msg} (line {error.lineno} of {name}: {(error.text or '').strip()})."
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename == path]
    if isinstance(error, NotImplementedError):
        gaps = [frame for frame in frames if frame.name != "todo"] or frames
        where = f" (line {gaps[-1].lineno} of {name}, under its # TODO)" if gaps else ""
        return f"Not done yet: {_clean_message(error)}{where}."
    op = getattr(error, "op", None)
    built = [frame for frame in (getattr(op, "traceback", None) or []) if frame.filename == path]
    text = f"{'Your graph' if built and not frames else 'Your code'} raised {type(error).__name__}: " \
           f"{_clean_message(error)}"
    if frames:
        text += f"\nat {_where(frames[-1], name)}"
    if built:
        text += f"\nTensorFlow raised it while running the op {op.name!r}, built at {_where(built[-1], name)}"
    if not frames and not built:
        text += ("\nIt was raised while the checker used what your code returned: check the types and shapes your "
                 "function returns against its docstring.")
    return text


class Callback:
    """A function of the judge's, passed to the student's code: calling it asks the judge, which answers."""

    def __init__(self, side, number):
        self._side, self._number = side, number

    def __call__(self, *args, **kwargs):
        return self._side.call_back(self._number, args, kwargs)

    def __repr__(self):
        return "<a function of the checker's>"


def _shape(shape):
    """A TensorShape as a list (None for an unknown size), or None for an unknown rank."""
    return None if shape.rank is None else [None if size is None else int(size) for size in shape.as_list()]


class StudentSide:
    """The table of objects the judge refers to, and one method per request."""

    def __init__(self, channel):
        self.channel = channel
        self.objects, self.handles = [], {}
        self.module, self.path = None, None
        self.frames = wire.Frames()
        self.quiet = open(os.devnull, "w", encoding="utf-8")

    # --- values out and in ------------------------------------------------------------------

    def handle(self, value):
        """The number the judge uses for `value`, which stays here."""
        key = id(value)
        if key not in self.handles:
            self.handles[key] = len(self.objects)
            self.objects.append(value)
        return self.handles[key]

    def refer(self, value):
        """The wire form of a TensorFlow object (a reference and what the judge may check), or None."""
        import tensorflow as tf
        tf1 = tf.compat.v1
        if isinstance(value, tf.Variable) and type(value).__name__ == "_UnreadVariable":
            value = value.op  # what assign_add returns: run, it runs the assignment
        if isinstance(value, tf.Variable):
            return {"t": "ref", "kind": "Variable", "h": self.handle(value), "name": value.name,
                    "dtype": value.dtype.base_dtype.name, "shape": _shape(value.shape),
                    "graph": self.handle(value.graph), "trainable": bool(value.trainable), "device": value.op.device}
        if isinstance(value, tf.Tensor) and not hasattr(value, "numpy"):
            return {"t": "ref", "kind": "Tensor", "h": self.handle(value), "name": value.name, "op": value.op.type,
                    "dtype": value.dtype.name, "shape": _shape(value.shape), "graph": self.handle(value.graph)}
        if isinstance(value, tf.Operation):
            return {"t": "ref", "kind": "Operation", "h": self.handle(value), "name": value.name, "op": value.type,
                    "graph": self.handle(value.graph), "device": value.device}
        if isinstance(value, tf.Graph):
            return {"t": "ref", "kind": "Graph", "h": self.handle(value)}
        if isinstance(value, tf1.Session):
            return {"t": "ref", "kind": "Session", "h": self.handle(value), "graph": self.handle(value.graph)}
        if isinstance(value, tf.Tensor):
            return {"t": "object", "type": "eager tf.Tensor"}
        return None

    def encode(self, value):
        """`value` as wire data, TensorFlow objects as references."""
        return wire.encode(value, self.refer)

    def resolve(self, data):
        """The value the judge's wire data stands for: references looked up, callbacks made."""
        if data.get("t") == "ref" and type(data.get("h")) is int and 0 <= data["h"] < len(self.objects):
            return self.objects[data["h"]]
        if data.get("t") == "callback" and type(data.get("k")) is int:
            return Callback(self, data["k"])
        raise wire.Malformed(f"an unknown reference {str(data)[:80]}")

    def decode(self, data):
        """A value the judge sent."""
        return wire.decode(data, self.resolve)

    def raised(self, error):
        """The reply for an exception the student's code raised."""
        from tfgraph.training import TrainingDiverged
        return {"raised": {"type": type(error).__name__[:100], "message": _clean_message(error),
                           "described": describe_exception(error, self.path or ""),
                           "diverged": isinstance(error, TrainingDiverged)}}

    # --- requests --------------------------------------------------------------------------------

    def answer(self, message):
        """The reply to one request (a dict without the id)."""
        handler = getattr(self, "do_" + str(message.get("op")), None) if str(message.get("op")).isidentifier() else None
        if handler is None:
            return {"refused": f"no request {str(message.get('op'))[:40]!r}"}
        try:
            with contextlib.redirect_stdout(self.quiet):
                return handler(message)
        except wire.Malformed as error:
            return {"refused": str(error)}
        except wire.TooBig as error:
            return {"raised": {"type": "TooBig", "message": str(error), "diverged": False,
                               "described": f"Your code returned {error}: too much for the checker to copy."}}
        except BaseException as error:  # noqa: B036 - the student's sys.exit() too: it fails a check, not the process
            return self.raised(error)

    def do_load(self, message):
        """Import the submission's source as a fresh module (its text also written to a folder of its own)."""
        global _module_number
        name = os.path.basename(str(message["name"])) or "submission.py"
        source = str(message["source"])
        self.path = os.path.join(tempfile.mkdtemp(prefix="submission-"), name)
        with open(self.path, "w", encoding="utf-8") as stream:
            stream.write(source)
        linecache.cache[self.path] = (len(source), None, source.splitlines(True), self.path)
        _module_number += 1
        module = type(sys)(f"student_{os.path.splitext(name)[0]}_{_module_number}")
        module.__file__ = self.path
        sys.modules[module.__name__] = module
        try:
            exec(compile(source, self.path, "exec"), module.__dict__)
        except BaseException as error:  # noqa: B036 - a student's sys.exit() too
            return {"load_failed": describe_exception(error, self.path) if isinstance(error, SyntaxError)
                    else "Importing your file failed. " + describe_exception(error, self.path)}
        self.module = module
        return {"value": None}

    def do_attr(self, message):
        """Whether the submission has `name`, whether it is callable, and its value when it is not."""
        present = hasattr(self.module, str(message["name"]))
        value = getattr(self.module, str(message["name"]), None)
        return {"present": present, "callable": callable(value), "value": None if callable(value)
                else self.encode(value)}

    def _default_graph(self, values):
        import tensorflow as tf
        tf1 = tf.compat.v1
        for value in values:
            if isinstance(value, (list, tuple)):
                found = self._default_graph(value)
                if found is not None:
                    return found
            elif isinstance(value, tf.Graph):
                return value
            elif isinstance(value, (tf.Operation, tf.Variable, tf1.Session)) or (
                    isinstance(value, tf.Tensor) and not hasattr(value, "numpy")):
                return value.graph
        return None

    def do_call(self, message):
        """Call the student's function with the judge's arguments (the graph of the first one as the default)."""
        function = getattr(self.module, str(message["name"]))
        args = self.decode(message["args"])
        kwargs = self.decode(message["kwargs"])
        graph = self._default_graph(list(args) + list(kwargs.values()))
        with graph.as_default() if graph is not None else contextlib.nullcontext():
            result = function(*args, **kwargs)
        return {"value": self.encode(result)}

    def call_back(self, number, args, kwargs):
        """Ask the judge to run its function `number`; return its value or raise what it raised."""
        wire.send(self.channel, {"callback": number, "args": self.encode(list(args)),
                                 "kwargs": self.encode(dict(kwargs))})
        reply = wire.receive(self.channel, self.frames)
        if reply is None:
            raise SystemExit("the checker went away")
        if "raise" in reply:
            from tfgraph.training import TrainingDiverged
            kinds = {"TrainingDiverged": TrainingDiverged, "ValueError": ValueError, "RuntimeError": RuntimeError}
            raise kinds.get(str(reply["raise"].get("type")), RuntimeError)(str(reply["raise"].get("message")))
        return self.decode(reply.get("value"))

    def do_graph(self, message):
        """Import a MetaGraphDef the judge built into a new graph; reply with it."""
        import tensorflow as tf
        from tensorflow.core.protobuf import meta_graph_pb2
        meta = meta_graph_pb2.MetaGraphDef.FromString(base64.b64decode(str(message["meta"]), validate=True))
        graph = tf.Graph()
        with graph.as_default():
            tf.compat.v1.train.import_meta_graph(meta, clear_devices=False)
        return {"value": self.encode(graph)}

    def do_get(self, message):
        """The tensor, op or Variable called `name` in a graph."""
        import tensorflow as tf
        graph, name = self.decode(message["graph"]), str(message["name"])
        if message.get("kind") == "Variable":
            found = [v for v in graph.get_collection(tf.compat.v1.GraphKeys.GLOBAL_VARIABLES) if v.name == name]
            if not found:
                raise wire.Malformed(f"no Variable {name!r}")
            return {"value": self.encode(found[0])}
        return {"value": self.encode(graph.as_graph_element(name))}

    def do_session(self, message):
        """A new Session on the CPU for a graph."""
        import tensorflow as tf
        tf1 = tf.compat.v1
        graph = self.decode(message["graph"])
        return {"value": self.encode(tf1.Session(graph=graph, config=tf1.ConfigProto(device_count={"GPU": 0})))}

    def do_run(self, message):
        """session.run(fetches, feed_dict)."""
        session = self.decode(message["session"])
        feeds = {self.decode(key): self.decode(value) for key, value in message["feeds"]}
        return {"value": self.encode(session.run(self.decode(message["fetches"]), feed_dict=feeds))}

    def do_initialize(self, message):
        """Run the initializer of some Variables (all global ones when none are named) in a Session."""
        import tensorflow as tf
        tf1 = tf.compat.v1
        session = self.decode(message["session"])
        variables = self.decode(message["variables"])
        with session.graph.as_default():
            initializer = (tf1.global_variables_initializer() if variables is None
                           else tf1.variables_initializer(list(variables)))
        session.run(initializer)
        return {"value": None}

    def do_assign(self, message):
        """Set a Variable's value in a Session (Variable.load)."""
        variable, session = self.decode(message["variable"]), self.decode(message["session"])
        with session.graph.as_default():
            variable.load(self.decode(message["value"]), session)
        return {"value": None}

    def do_structure(self, message):
        """A graph's ops (name, type, inputs, control inputs, device, outputs) and its Variables."""
        import tensorflow as tf
        tf1 = tf.compat.v1
        graph = self.decode(message["graph"])
        operations = graph.get_operations()
        if len(operations) > MAX_OPS:
            raise wire.TooBig(f"a graph of {len(operations):,} ops")
        ops = [[op.name, op.type, [t.name for t in op.inputs], [c.name for c in op.control_inputs], op.device,
                [[t.dtype.name, _shape(t.shape)] for t in op.outputs]] for op in operations]
        variables = {name: [[v.name, v.op.name, _shape(v.shape), v.op.device] for v in graph.get_collection(key)]
                     for name, key in (("global", tf1.GraphKeys.GLOBAL_VARIABLES),
                                       ("trainable", tf1.GraphKeys.TRAINABLE_VARIABLES))}
        return {"value": {"ops": ops, "variables": variables}}

    def do_collection(self, message):
        """The Variables in a graph's collection ('variables' or 'trainable_variables'), as references."""
        import tensorflow as tf
        tf1 = tf.compat.v1
        key = {"global": tf1.GraphKeys.GLOBAL_VARIABLES, "trainable": tf1.GraphKeys.TRAINABLE_VARIABLES}[
            str(message["name"])]
        return {"value": self.encode(list(self.decode(message["graph"]).get_collection(key)))}
