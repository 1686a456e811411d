"""What a student's code produced, turned into plain data in the student's process and back into values in the judge's.

`Encoder` runs in the student's process: numbers, strings, NumPy arrays, lists, tuples and
dicts become JSON; a graph (or a tensor, op or Variable in one) becomes its MetaGraphDef
(graph, collections, Variable definitions), serialised. `Decoder` runs in the judge's
process, which never imports the student's file: it rebuilds the values, imports the
graphs (or merges the ops the student added into the judge's copy of the checker's own
graph) and refuses ops that reach outside a Session (files, Python callbacks). Nothing
is unpickled, so data cannot run code in the judge.
"""
import base64
import builtins
import hashlib

import numpy as np
import tensorflow as tf
from tensorflow.core.framework import variable_pb2
from tensorflow.core.protobuf import meta_graph_pb2

from lessons.exercises.checks import CheckFailed

tf1 = tf.compat.v1

#: Op types whose names contain one of these reach outside the Session (files, Python, writers); never run.
FORBIDDEN_OP_PARTS = ("PyFunc", "File", "Save", "Restore", "Checkpoint", "Summary", "Writer", "Reader",
                      "Dataset", "Iterator", "Print", "Load", "ImmutableConst", "Debug")
_VARIABLE_COLLECTIONS = (tf1.GraphKeys.GLOBAL_VARIABLES, tf1.GraphKeys.TRAINABLE_VARIABLES,
                         tf1.GraphKeys.LOCAL_VARIABLES, tf1.GraphKeys.MODEL_VARIABLES)
_MAX_DEPTH = 20


class Tampered(Exception):
    """What the student's process sent is not what the checker's own code records there: the checker was changed."""


class StudentRaised(Exception):
    """The student's code raised an exception the checker does not catch; the message is the verdict's text."""


def _b64(data):
    return base64.b64encode(data).decode("ascii")


def host_graphs(*values):
    """The graphs of the TensorFlow objects in `values` (nested), then the default graph: where added ops go."""
    found = []

    def walk(value, depth=0):
        if depth > 3:
            return
        if isinstance(value, (list, tuple)):
            for item in value:
                walk(item, depth + 1)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item, depth + 1)
        elif isinstance(value, (tf.Tensor, tf.Operation, tf.Variable, tf.Graph, tf1.Session)):
            graph = value if isinstance(value, tf.Graph) else value.graph
            if all(graph is not seen for seen in found):
                found.append(graph)
    walk(values)
    default = tf1.get_default_graph()
    if all(default is not seen for seen in found):
        found.append(default)
    return found


def signature(args, kwargs):
    """A text naming a call's arguments, computed alike in both processes, to match a recorded call."""
    def one(value):
        if isinstance(value, tf.Variable):
            return f"variable {value.name}"
        if isinstance(value, (tf.Tensor, tf.Operation)):
            return f"{type(value).__name__} {value.name}"
        if isinstance(value, (tf.Graph, tf1.Session)):
            return type(value).__name__
        if isinstance(value, np.ndarray):
            return f"array {value.dtype.str}{value.shape} {hashlib.sha1(value.tobytes()).hexdigest()[:12]}"
        if isinstance(value, (list, tuple)):
            return "[" + ", ".join(map(one, value)) + "]"
        if value is None or isinstance(value, (bool, int, float, str)):
            return repr(value)
        return "callable" if callable(value) else type(value).__name__
    return ", ".join([one(value) for value in args] + [f"{key}={one(value)}" for key, value in sorted(kwargs.items())])


class Encoder:
    """Turns one value the student's code produced into JSON-ready data, with the graphs it refers to."""

    def __init__(self, hosts=()):
        self.hosts = list(hosts)
        self.graphs = []

    def _graph(self, graph):
        for index, known in enumerate(self.graphs):
            if known is graph:
                return index
        self.graphs.append(graph)
        return len(self.graphs) - 1

    def value(self, value, depth=0):
        """`value` as JSON-ready data."""
        if depth > _MAX_DEPTH:
            return {"t": "object", "type": "deeply nested value"}
        if value is None or isinstance(value, (bool, str, float)):
            return value
        if isinstance(value, int):
            return value if abs(value) < 2 ** 53 else {"t": "object", "type": "int"}
        if isinstance(value, (np.ndarray, np.generic)) and value.dtype.kind in "biufc":
            return {"t": "np", "dtype": value.dtype.str, "shape": list(np.shape(value)),
                    "scalar": isinstance(value, np.generic), "data": _b64(np.ascontiguousarray(value).tobytes())}
        if isinstance(value, (list, tuple)):
            return {"t": type(value).__name__, "v": [self.value(item, depth + 1) for item in value]}
        if isinstance(value, dict):
            return {"t": "dict", "v": [[self.value(key, depth + 1), self.value(item, depth + 1)]
                                       for key, item in value.items()]}
        if isinstance(value, tf.Variable) and type(value).__name__ == "_UnreadVariable":
            value = value.op  # what assign_add returns: run, it runs the assignment
        if isinstance(value, tf.Variable):
            return {"t": "variable", "g": self._graph(value.graph), "name": value.name}
        if isinstance(value, (tf.Tensor, tf.Operation)):
            kind = "Tensor" if isinstance(value, tf.Tensor) else "Operation"
            return {"t": kind, "g": self._graph(value.graph), "name": value.name}
        if isinstance(value, tf.Graph):
            return {"t": "graph", "g": self._graph(value)}
        return {"t": "object", "type": type(value).__name__[:80]}

    def graphs_data(self):
        """The graphs referred to, each a serialised MetaGraphDef and its place among the call's host graphs."""
        data = []
        for graph in self.graphs:
            with graph.as_default():  # export refuses to run eagerly
                meta = tf1.train.export_meta_graph(graph=graph, clear_devices=True)
            host = next((index for index, known in enumerate(self.hosts) if known is graph), None)
            data.append({"meta": _b64(meta.SerializeToString()), "host": host})
        return data


def encode(value, hosts=()):
    """{"value": ..., "graphs": [...]}: `value` and the graphs it refers to, as JSON-ready data."""
    encoder = Encoder(hosts)
    payload = encoder.value(value)
    return {"value": payload, "graphs": encoder.graphs_data()}


def _forbidden(meta):
    nodes = list(meta.graph_def.node)
    for function in meta.graph_def.library.function:
        nodes.extend(function.node_def)
    types = sorted({node.op for node in nodes if any(part in node.op for part in FORBIDDEN_OP_PARTS)})
    if types:
        raise CheckFailed(f"Your graph holds {', '.join(types)} ops, which the checker does not run (they reach "
                          f"outside the Session: files or Python). Remove them and check again.")


def _keep_collections(meta, names):
    """Drop from `meta` the collection entries that do not name one of the ops `names`."""
    for key in list(meta.collection_def):
        collection = meta.collection_def[key]
        kind = collection.WhichOneof("kind")
        if kind == "node_list":
            kept = [item for item in collection.node_list.value if item.lstrip("^").split(":")[0] in names]
            del collection.node_list.value[:]
            collection.node_list.value.extend(kept)
        elif kind == "bytes_list" and key in _VARIABLE_COLLECTIONS:
            kept = [item for item in collection.bytes_list.value
                    if variable_pb2.VariableDef.FromString(item).variable_name.split(":")[0] in names]
            del collection.bytes_list.value[:]
            collection.bytes_list.value.extend(kept)
        else:
            del meta.collection_def[key]


def merge(meta, host):
    """Import into `host` the ops of `meta` that `host` lacks, wired to the ops it has (same names)."""
    existing = {op.name for op in host.get_operations()}
    new = [node for node in meta.graph_def.node if node.name not in existing]
    if not new:
        return
    names = {node.name for node in new}
    input_map = {}
    for node in new:
        for name in node.input:
            op_name = name.lstrip("^").split(":")[0]
            if op_name in names:
                continue
            if op_name not in existing:
                raise Tampered(f"an op the student added reads {op_name!r}, which the checker's graph lacks")
            if name.startswith("^"):
                outputs = host.get_operation_by_name(op_name).outputs
                if not outputs:
                    raise CheckFailed(f"Your ops wait on the checker's op {op_name!r}, which the checker cannot "
                                      f"rebuild: remove that control dependency.")
                input_map[name] = outputs[0]
            else:
                input_map[name] = host.get_tensor_by_name(name if ":" in name else name + ":0")
    for node in new:  # colocation with the checker's ops: dropped, placement is not what is checked
        if "_class" in node.attr:
            del node.attr["_class"]
    trimmed = meta_graph_pb2.MetaGraphDef()
    trimmed.CopyFrom(meta)
    del trimmed.graph_def.node[:]
    trimmed.graph_def.node.extend(new)
    _keep_collections(trimmed, names)
    with host.as_default():
        tf1.train.import_meta_graph(trimmed, input_map=input_map, import_scope=None)


class Decoder:
    """Rebuilds, in the judge's process, a value that an Encoder wrote; `hosts` are the replayed call's graphs."""

    def __init__(self, record, hosts=()):
        self.hosts = list(hosts)
        self.graph_data = record.get("graphs", [])
        self.graphs = {}
        self.record = record

    def _graph(self, index):
        if index not in self.graphs:
            try:
                data = self.graph_data[index]
                meta = meta_graph_pb2.MetaGraphDef.FromString(base64.b64decode(data["meta"]))
            except (IndexError, KeyError, TypeError, ValueError) as error:
                raise Tampered(f"a graph that cannot be read ({type(error).__name__})") from None
            _forbidden(meta)
            if data.get("host") is not None:
                if not isinstance(data["host"], int) or not 0 <= data["host"] < len(self.hosts):
                    raise Tampered("a graph said to be the checker's own, which the checker did not pass")
                graph = self.hosts[data["host"]]
                merge(meta, graph)
            else:
                graph = tf.Graph()
                with graph.as_default():
                    tf1.train.import_meta_graph(meta, import_scope=None)
            self.graphs[index] = graph
        return self.graphs[index]

    def value(self, data, depth=0):
        """The value `data` (a part of the record) stands for."""
        if data is None or isinstance(data, (bool, str, int, float)):
            return data
        if not isinstance(data, dict) or depth > _MAX_DEPTH + 1:
            raise Tampered("a value in an unknown form")
        kind = data.get("t")
        try:
            if kind == "np":
                array = np.frombuffer(base64.b64decode(data["data"]), dtype=np.dtype(data["dtype"]))
                if np.dtype(data["dtype"]).kind not in "biufc":
                    raise ValueError(data["dtype"])
                array = array.reshape(data["shape"]).copy()
                return array[()] if data["scalar"] else array
            if kind in ("list", "tuple"):
                items = [self.value(item, depth + 1) for item in data["v"]]
                return items if kind == "list" else tuple(items)
            if kind == "dict":
                return {self.value(key, depth + 1): self.value(item, depth + 1) for key, item in data["v"]}
            if kind == "object":
                return type(str(data["type"]), (Opaque,), {})()
            if kind in ("Tensor", "Operation", "variable", "graph"):
                return self._graph_value(kind, data)
        except (KeyError, TypeError, ValueError) as error:
            raise Tampered(f"a value that cannot be read ({type(error).__name__}: {error})") from None
        raise Tampered(f"a value of unknown kind {kind!r}")

    def _graph_value(self, kind, data):
        graph = self._graph(data["g"])
        if kind == "graph":
            return graph
        if kind == "Tensor":
            return graph.get_tensor_by_name(data["name"])
        if kind == "Operation":
            return graph.get_operation_by_name(data["name"])
        for variable in graph.get_collection(tf1.GraphKeys.GLOBAL_VARIABLES) + graph.get_collection(
                tf1.GraphKeys.LOCAL_VARIABLES):
            if variable.name == data["name"]:
                return variable
        raise CheckFailed(f"The Variable {data['name']} is in none of the graph's collections, so the checker "
                          f"cannot rebuild it: create Variables with tf.Variable(...) and default arguments.")


class Opaque:
    """A value the student's code returned that the checker cannot copy (a function, an object of its own class)."""

    def __repr__(self):
        return f"<a {type(self).__name__}>"


def decode(record, hosts=()):
    """The value an `encode` record stands for, rebuilt in this process; `hosts` as `host_graphs` gives them."""
    if not isinstance(record, dict):
        raise Tampered("a value in an unknown form")
    return Decoder(record, hosts).value(record.get("value"))


def rebuild_exception(record):
    """The exception a recorded student call raised: TrainingDiverged or a built-in type, else StudentRaised."""
    name, message, described = record.get("type", ""), str(record.get("message", "")), str(record.get("described"))
    error = None
    if name == "TrainingDiverged":
        from tfgraph.training import TrainingDiverged
        error = TrainingDiverged(message)
    elif isinstance(getattr(builtins, name, None), type) and issubclass(getattr(builtins, name), Exception):
        try:
            error = getattr(builtins, name)(message)
        except TypeError:
            error = None
    if error is None:
        error = StudentRaised(described)
    error.described = described
    return error
