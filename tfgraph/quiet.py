"""TensorFlow imported on first use and without its start-up chatter, so a lesson's first line is its own.

Importing TensorFlow 2.21 takes seconds and writes 5-7 lines to the terminal (the absl
notice, oneDNN, "Could not find cuda drivers", the CPU-instructions notice), and its first
look for a GPU adds `failed call to cuInit` on a machine without one. They come from
C++ before `TF_CPP_MIN_LOG_LEVEL` is read, so that setting cannot stop them. Two fixes:

- `install()` (the `lessons` package calls it) puts a stand-in for `tensorflow` in
  `sys.modules`. `import tensorflow as tf` and `tf1 = tf.compat.v1` cost nothing; the
  first real use (`tf.Graph()`, `tf1.placeholder`) imports TensorFlow. So `--help` and a
  mistyped flag answer at once.
- `import_tensorflow()` sends what the import and the first GPU query write to the
  terminal (file descriptor 2) through a small filter process that writes on every line
  that is not known start-up noise (`NOISE`): TensorFlow's real errors and warnings
  still reach you, even when the import kills this process (an abort, a segfault, an
  `_exit`), because the filter outlives it. A failed import is one paragraph. Later
  messages go through `TF_CPP_MIN_LOG_LEVEL=1` (warnings and errors shown, information
  hidden).

`TFGRAPH_VERBOSE=1` in the environment shows everything TensorFlow writes.
"""
import contextlib
import importlib
import importlib.util
import os
import subprocess
import sys
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


#: The filter process: reads what TensorFlow writes (its stdin), writes each line that is no known
#: noise (its arguments) to the terminal. It ignores Ctrl-C and ends when the last writer is gone.
_FILTER = r"""
import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)
noise = [os.fsencode(known) for known in sys.argv[1:]]
def write(line):
    if line and not any(known in line for known in noise):
        while line:
            line = line[os.write(2, line):]
pending = b""
while True:
    chunk = os.read(0, 65536)
    if not chunk:
        break
    *lines, pending = (pending + chunk).split(b"\n")
    for line in lines:
        write(line + b"\n")
write(pending)
"""


@contextlib.contextmanager
def filtered_stderr(noise=NOISE):
    """Send file descriptor 2 through a filter process for the block; each line that is not in `noise` goes on.

    The filter runs apart, so what was written before this process died in the block
    (TensorFlow's import aborting, say) still reaches the terminal, once.
    """
    sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:  # no terminal to write to: nothing to filter
        yield
        return
    try:
        flt = subprocess.Popen([sys.executable, "-I", "-S", "-c", _FILTER, *noise], stdin=subprocess.PIPE,
                               stdout=subprocess.DEVNULL)
    except (OSError, ValueError):  # no interpreter to start (an embedded Python): nothing is filtered
        os.close(saved)
        yield
        return
    os.dup2(flt.stdin.fileno(), 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        flt.stdin.close()  # the filter's last writer: it writes what it has left and ends
        flt.wait()


class TensorFlowImportError(ImportError):
    """TensorFlow is installed but could not be imported; the message is one paragraph (`cli.run` prints it alone)."""


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
    except BaseException as error:
        if stand_in is not None and "tensorflow" not in sys.modules:
            sys.modules["tensorflow"] = stand_in
        if not isinstance(error, Exception):
            raise
        reason = (str(error).strip().splitlines() or [""])[0][:300]
        raise TensorFlowImportError(
            f"TensorFlow could not be imported ({type(error).__name__}: {reason}). Whatever it wrote while "
            "starting is above. python -c \"import tensorflow\" shows the whole error; reinstalling often "
            "helps: pip install --force-reinstall \"tensorflow>=2.16,<3\".") from error
    tf.get_logger().setLevel("ERROR")  # compat.v1's notices about its own deprecation
    return tf


def imported():
    """Whether the real TensorFlow is imported (not only the stand-in)."""
    module = sys.modules.get("tensorflow")
    return module is not None and not isinstance(module, LazyTensorFlow)


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
