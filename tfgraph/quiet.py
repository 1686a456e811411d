"""TensorFlow imported on first use and without its start-up chatter, so a lesson's first line is its own.

Importing TensorFlow 2.21 takes seconds and writes 5-7 lines to the terminal (the absl
notice, oneDNN, "Could not find cuda drivers", the CPU-instructions notice), and its first
look for a GPU adds `failed call to cuInit` on a machine without one. They come from
C++ before `TF_CPP_MIN_LOG_LEVEL` is read, so that setting cannot stop them. Two fixes:

- `install()` (the `lessons` package calls it) puts a stand-in for `tensorflow` in
  `sys.modules`. `import tensorflow as tf` and `tf1 = tf.compat.v1` cost nothing; the
  first real use (`tf.Graph()`, `tf1.placeholder`) imports TensorFlow. So `--help` and a
  mistyped flag answer at once.
- `import_tensorflow()` captures what the import and the first GPU query write to the
  terminal (file descriptor 2) and writes back every line that is not known start-up
  noise (`NOISE`): TensorFlow's real errors and warnings still reach you. Later messages
  go through `TF_CPP_MIN_LOG_LEVEL=1` (warnings and errors shown, information hidden).

`TFGRAPH_VERBOSE=1` in the environment shows everything TensorFlow writes.
"""
import contextlib
import importlib
import importlib.util
import os
import sys
import tempfile
import types

#: Lines TensorFlow writes while starting that tell a learner nothing they can act on.
NOISE = (
    "All log messages before absl::InitializeLog() is called",
    "oneDNN custom operations are on",
    "Could not find cuda drivers",
    "failed call to cuInit",
    "This TensorFlow binary is optimized to use available CPU instructions",
    "To enable the following instructions:",
    "Unable to register cuDNN factory", "Unable to register cuFFT factory", "Unable to register cuBLAS factory",
    "computation placer already registered",
    "TF-TRT Warning: Could not find TensorRT",
)
VERBOSE = "TFGRAPH_VERBOSE"


def verbose():
    """Whether the user asked to see everything TensorFlow writes (`TFGRAPH_VERBOSE=1`)."""
    return os.environ.get(VERBOSE, "").strip() not in ("", "0")


@contextlib.contextmanager
def filtered_stderr(noise=NOISE):
    """Capture file descriptor 2 for the block, then write back each line that is not in `noise`."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            lines = capture.read().decode("utf-8", "replace").splitlines(keepends=True)
            kept = "".join(line for line in lines if not any(known in line for known in noise))
            if kept:
                sys.stderr.write(kept)
                sys.stderr.flush()


def import_tensorflow():
    """Import TensorFlow with its start-up noise filtered out (unless TFGRAPH_VERBOSE), and return it."""
    stand_in = sys.modules.get("tensorflow")
    if isinstance(stand_in, LazyTensorFlow):
        del sys.modules["tensorflow"]  # make room for the real module
    if verbose():
        return importlib.import_module("tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")  # later: warnings and errors, not information
    try:
        with filtered_stderr():
            tf = importlib.import_module("tensorflow")
            tf.config.list_physical_devices("GPU")  # CUDA's start-up messages come with the first query
    except BaseException:
        if stand_in is not None and "tensorflow" not in sys.modules:
            sys.modules["tensorflow"] = stand_in
        raise
    tf.get_logger().setLevel("ERROR")  # compat.v1's notices about its own deprecation
    return tf


def _still_lazy():
    """Whether `sys.modules` still holds the stand-in rather than TensorFlow."""
    return isinstance(sys.modules.get("tensorflow"), LazyTensorFlow)


def _real():
    """The real TensorFlow module, imported now if it was not yet."""
    return import_tensorflow() if _still_lazy() or "tensorflow" not in sys.modules else sys.modules["tensorflow"]


class LazyTensorFlow(types.ModuleType):
    """Stands in for `tensorflow` until one of its names is used, then imports it and becomes it."""

    def __getattr__(self, name):
        if name == "compat" and _still_lazy():
            return _LazyPath(("compat",))  # `tf1 = tf.compat.v1` at the top of a module stays free
        real = _real()
        self.__dict__.update(real.__dict__)  # from now on the stand-in answers like the real module
        return getattr(real, name)


class _LazyPath:
    """`tf.compat` or `tf.compat.v1` before TensorFlow is imported: any other name imports it."""

    def __init__(self, names):
        self._names = names

    def __getattr__(self, name):
        if self._names + (name,) == ("compat", "v1") and _still_lazy():
            return _LazyPath(("compat", "v1"))
        target = _real()
        for part in self._names + (name,):
            target = getattr(target, part)
        self.__dict__[name] = target  # TensorFlow is imported now: later uses of `name` skip this method
        return target

    def __repr__(self):
        return f"<tensorflow.{'.'.join(self._names)}, imported on first use>"


def install():
    """Put the stand-in for `tensorflow` in `sys.modules`, unless TensorFlow is already imported."""
    if "tensorflow" in sys.modules:
        return
    spec = importlib.util.find_spec("tensorflow")
    if spec is None:
        return  # not installed: the first `import tensorflow` says so as usual
    stand_in = LazyTensorFlow("tensorflow")
    stand_in.__spec__, stand_in.__file__ = spec, spec.origin  # no __path__: importing a submodule imports it
    sys.modules["tensorflow"] = stand_in
