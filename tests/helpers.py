"""What the tests share: this project's Python run as a learner runs it, from the project root."""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Settings of the developer's shell that would change what a learner sees.
UNSET = ("TFGRAPH_VERBOSE", "TF_CPP_MIN_LOG_LEVEL")


def python_env(env=None):
    """The environment a learner's shell gives: the project importable, none of `UNSET`, plus `env`."""
    clean = {key: value for key, value in os.environ.items() if key not in UNSET}
    return {**clean, "PYTHONPATH": str(ROOT), **(env or {})}


def command(args, code=None):
    """`python args...`, or `python -c code` with `code` dedented."""
    return [sys.executable, *(["-c", textwrap.dedent(code)] if code is not None else args)]


def run_python(*args, code=None, cwd=ROOT, env=None, timeout=300, **options):
    """Run `python args...` (or `-c code`) to the end; return the finished process, its output as text."""
    return subprocess.run(command(args, code), cwd=cwd, env=python_env(env), capture_output=True, text=True,
                          timeout=timeout, **options)


def start_python(*args, code=None, cwd=ROOT, env=None, **options):
    """Start `python args...` (or `-c code`) with its output piped as text; return the running process."""
    options = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **options}
    return subprocess.Popen(command(args, code), cwd=cwd, env=python_env(env), text=True, **options)


def restore_eager_tensorflow():
    """Eager execution and TensorFlow 2's TensorShape back on, after `tfgraph.legacy` ran old code in this process.

    TensorFlow refuses to turn eager execution back on once graph mode made a global
    default graph; forgetting that graph (a private attribute, in tests only) lets it.
    """
    import tensorflow as tf
    from tensorflow.python.framework import ops

    if not tf.compat.v1.executing_eagerly_outside_functions():
        ops._default_graph_stack._global_default_graph = None
        tf.compat.v1.enable_eager_execution()
    tf.compat.v1.enable_v2_tensorshape()
    legacy = sys.modules.get("tfgraph.legacy._tf")
    if legacy is not None:
        legacy._started.clear()  # its next `tf.<name>` puts TensorFlow in graph mode again
