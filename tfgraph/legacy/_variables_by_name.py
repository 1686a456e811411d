"""A variable fetched by its tensor name (``"hidden1/kernel:0"``) gives its value, as in TensorFlow 1.x.

TensorFlow 1.x's variables were tensors: ``graph.get_tensor_by_name("theta:0")`` and
``sess.run("theta:0")`` gave the weights. TensorFlow 2's resource variables answer
that name with a handle, which a Session fetches as meaningless bytes (or refuses to
fetch). Once `install` has run, both give the variable's value again: the name
resolves to the variable's read (``theta/Read/ReadVariableOp:0``, which every
variable and every imported meta graph has, else made once). Only names looked up by
the learner's code change; TensorFlow's own look-ups still get the handle.
"""
import functools
import sys

import tensorflow as tf

from tfgraph.legacy._notes import LegacyError, is_machinery, note

v1 = tf.compat.v1
_VARIABLE_OPS = ("VarHandleOp",)


def value_of(tensor):
    """The read of the variable whose handle is ``tensor``; ``tensor`` itself if it is no handle."""
    if not isinstance(tensor, tf.Tensor) or tensor.dtype != tf.resource or \
            tensor.op.type not in _VARIABLE_OPS:
        return tensor
    graph, scope = tensor.graph, tensor.op.name + "/Read/"
    try:
        read = graph.get_operation_by_name(scope + "ReadVariableOp").outputs[0]
    except KeyError:
        if graph.finalized:
            raise LegacyError(
                f"{tensor.name} is a variable that has no read in this graph, and the graph is "
                f"finalized (a MonitoredSession's), so none can be added. Fetch the variable "
                f"object (tf.global_variables()) instead of its name.") from None
        with graph.as_default(), v1.name_scope(scope):
            read = tf.raw_ops.ReadVariableOp(resource=tensor, dtype=tensor.op.get_attr("dtype"))
    note("variable:0", f"{tensor.name} names a variable: its value is fetched, as in "
                       f"TensorFlow 1.x; in TensorFlow 2, use the variable object")
    return read


def _by_name(graph, fetch):
    """``fetch`` with a variable's tensor name replaced by the variable's read."""
    if not isinstance(fetch, str) or ":" not in fetch:
        return fetch
    try:
        found = graph.as_graph_element(fetch, allow_tensor=True, allow_operation=False)
    except (KeyError, ValueError, TypeError):
        return fetch  # not a tensor name: the Session says why, as usual
    return value_of(found)


def _map_names(graph, fetches):
    """``fetches`` (a name, or lists, tuples and dicts of fetches) with variables' names resolved."""
    if isinstance(fetches, str):
        return _by_name(graph, fetches)
    if isinstance(fetches, dict):
        return type(fetches)((key, _map_names(graph, value)) for key, value in fetches.items())
    if isinstance(fetches, (list, tuple)):
        items = [_map_names(graph, fetch) for fetch in fetches]
        if hasattr(fetches, "_fields"):  # a namedtuple
            return type(fetches)(*items)
        return type(fetches)(items)
    return fetches


def _get_tensor_by_name(original):
    @functools.wraps(original)
    def get_tensor_by_name(self, name):
        found = original(self, name)
        return found if is_machinery(sys._getframe(1).f_code.co_filename) else value_of(found)
    return get_tensor_by_name


def _run(original):
    @functools.wraps(original)
    def run(self, fetches, *args, **kwargs):
        return original(self, _map_names(self.graph, fetches), *args, **kwargs)
    return run


def install():
    """From now on, a variable's tensor name fetched by the learner's code gives its value."""
    if getattr(tf.Graph.get_tensor_by_name, "_legacy", False):
        return
    tf.Graph.get_tensor_by_name = _get_tensor_by_name(tf.Graph.get_tensor_by_name)
    tf.Graph.get_tensor_by_name._legacy = True
    for session in (v1.Session, v1.InteractiveSession):
        session.run = _run(session.run)
