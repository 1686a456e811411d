"""`tf.contrib.framework`: its table of names, `arg_scope` and `add_arg_scope`.

``with arg_scope([fully_connected, conv2d], activation_fn=tf.nn.elu): ...`` gives
those functions new defaults inside the block; arguments written in a call still
win, and nested scopes add to the outer ones. A function takes part only when it is
decorated with `add_arg_scope`, as tf.contrib.layers' functions are here.
"""
import contextlib
import functools

import tensorflow as tf

from tfgraph.legacy._namespace import Namespace
from tfgraph.legacy._notes import LegacyError

v1 = tf.compat.v1

_stack = [{}]  # the arg scopes in force: function -> its defaults, innermost last


def add_arg_scope(function):
    """tf.contrib.framework.add_arg_scope: ``function`` takes defaults from the arg_scopes around its call."""
    @functools.wraps(function)
    def scoped(*args, **kwargs):
        return function(*args, **{**_stack[-1].get(scoped, {}), **kwargs})
    scoped._legacy_arg_scope = True
    return scoped


def has_arg_scope(function):
    """True when ``function`` was decorated with add_arg_scope."""
    return getattr(function, "_legacy_arg_scope", False)


def current_arg_scope():
    """The arg scope in force: {function: its defaults}."""
    return _stack[-1]


def arg_scoped_arguments(function):
    """The names of the arguments ``function`` can take from an arg_scope."""
    code = function.__wrapped__.__code__
    return list(code.co_varnames[:code.co_argcount])


def _name(function):
    return getattr(function, "__name__", repr(function))


@contextlib.contextmanager
def arg_scope(list_ops_or_scope, **kwargs):
    """tf.contrib.framework.arg_scope: new defaults for the listed functions inside the ``with`` block.

    Given a scope kept from ``with arg_scope(...) as scope``, enters that scope again.
    """
    if isinstance(list_ops_or_scope, dict):
        if kwargs:
            raise LegacyError("arg_scope(scope, ...) re-enters a saved scope and takes no other "
                              "arguments; open a nested arg_scope for new defaults.")
        scope = list_ops_or_scope
    elif isinstance(list_ops_or_scope, (list, tuple)):
        scope = dict(_stack[-1])
        for function in list_ops_or_scope:
            if not has_arg_scope(function):
                raise LegacyError(
                    f"{_name(function)} cannot take defaults from arg_scope: only functions "
                    f"decorated with tf.contrib.framework.add_arg_scope can (tf.contrib.layers' "
                    f"fully_connected, conv2d, max_pool2d, avg_pool2d, dropout, flatten, "
                    f"batch_norm here). Pass the argument in the call instead.")
            scope[function] = {**scope.get(function, {}), **kwargs}
    else:
        raise LegacyError(f"arg_scope needs a list or tuple of functions (or a saved scope), got "
                          f"{type(list_ops_or_scope).__name__}.")
    _stack.append(scope)
    try:
        yield scope
    finally:
        _stack.pop()


_NO_SCOPES = "functools.partial(function, **defaults), or tf_slim.arg_scope"

CONTRIB_FRAMEWORK = Namespace(
    "tf.contrib.framework",
    renames={
        "get_or_create_global_step": (v1.train.get_or_create_global_step,
                                      "tf.train.get_or_create_global_step", "1.0",
                                      "tf.compat.v1.train.get_or_create_global_step"),
        "get_global_step": (v1.train.get_global_step, "tf.train.get_global_step", "1.0",
                            "tf.compat.v1.train.get_global_step"),
        "arg_scope": (arg_scope, _NO_SCOPES, "2.0"),
        "add_arg_scope": (add_arg_scope, _NO_SCOPES, "2.0"),
        "has_arg_scope": (has_arg_scope, _NO_SCOPES, "2.0"),
        "current_arg_scope": (current_arg_scope, _NO_SCOPES, "2.0"),
        "arg_scoped_arguments": (arg_scoped_arguments, _NO_SCOPES, "2.0"),
    },
    refusal="tf.contrib was removed in TensorFlow 2.0. tfgraph.legacy provides only "
            "arg_scope, add_arg_scope and get_or_create_global_step of tf.contrib.framework; "
            "the variable helpers of TF-Slim are in the tf-slim package. In TensorFlow 2, "
            "pass arguments explicitly and list variables with tf.Module.trainable_variables.")
