"""Run a TensorFlow 0.x/1.x script unchanged: ``python -m tfgraph.legacy [options] script.py [args]``.

The script runs as ``python script.py [args]`` would run it: its own ``sys.argv``,
``__name__ == "__main__"``, the working folder unchanged, its folder first on
``sys.path``, and its exit status. The difference: in the script, and in the
modules it imports from its own folder, ``import tensorflow as tf`` gives
`tfgraph.legacy`, and ``tensorflow.examples.tutorials.mnist.input_data`` gives
`tfgraph.legacy.input_data`. Everything else (TensorFlow itself, Keras, NumPy, ...)
still imports the real TensorFlow.

Options, before the script's path:
  --quiet    do not print the notes that name each legacy name's modern spelling
  --sample   read the MNIST sample shipped with tfgraph (TFGRAPH_MNIST_SAMPLE=1)

What tfgraph.legacy cannot run stops the script with one line, its place and the
reason: ``old_script.py, line 12: tf.contrib.learn is not supported: ...`` (exit 1).
"""
import builtins
import os
import runpy
import sys
import traceback

import tfgraph.legacy as legacy  # already imported (with TensorFlow) as this module's package
from tfgraph.errors import TfgraphError
from tfgraph.legacy._core import _HERE, display_path
from tfgraph.legacy._script_env import Display, numpy_1_names

USAGE = "usage: python -m tfgraph.legacy [--quiet] [--sample] script.py [args ...]"
OPTIONS = ("--quiet", "--sample")


def usage_error(message):
    """Print the usage line and ``message`` to stderr; exit with status 2, as argparse does."""
    print(f"{USAGE}\n{message}", file=sys.stderr)
    raise SystemExit(2)


def parse_command_line(argv):
    """Split ``argv`` into (set of options, script path, the script's arguments)."""
    options = set()
    for i, arg in enumerate(argv):
        if arg in ("-h", "--help"):
            print(f"{USAGE}\n\n{__doc__}")
            raise SystemExit(0)
        if arg in OPTIONS:
            options.add(arg)
        elif arg.startswith("-"):
            usage_error(f"Unknown option {arg!r}: the options are {', '.join(OPTIONS)}, "
                        f"before the script's path.")
        else:
            return options, arg, argv[i + 1:]
    usage_error("Give the path of the script to run.")


class UserCode:
    """Tells the learner's files (the script's folder, outside installed packages) from the rest."""

    def __init__(self, script):
        self.folder = os.path.dirname(os.path.realpath(script))
        self.tfgraph = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))

    def __contains__(self, filename):
        if not filename or filename.startswith("<"):
            return False
        path = os.path.realpath(filename)
        if path == self.tfgraph or path.startswith(self.tfgraph + os.sep):
            return False
        parts = path.split(os.sep)
        if "site-packages" in parts or "dist-packages" in parts:
            return False
        return path.startswith(self.folder + os.sep)


def legacy_import_hook(user_code, original_import, display):
    """An ``__import__`` giving `tfgraph.legacy` for tensorflow[.*] imported by user code.

    After each import by user code, ``display`` patches pyplot if it just arrived.
    """
    def __import__(name, globals=None, locals=None, fromlist=(), level=0):
        if globals is None or globals.get("__file__") not in user_code:
            return original_import(name, globals, locals, fromlist, level)
        if level == 0 and (name == "tensorflow" or name.startswith("tensorflow.")):
            return legacy.resolve_import(name, fromlist)
        module = original_import(name, globals, locals, fromlist, level)
        if name.startswith("matplotlib") or name == "pylab":
            display.check()
        return module
    return __import__


def report(error, user_code):
    """Print a TfgraphError as one line: the learner's file and line, then the message."""
    where = [frame for frame in traceback.extract_tb(error.__traceback__)
             if frame.filename in user_code]
    prefix = f"{display_path(where[-1].filename)}, line {where[-1].lineno}: " if where else ""
    print(f"{prefix}{error}", file=sys.stderr, flush=True)


def print_traceback(error, user_code):
    """Print ``error``'s traceback from the learner's code on, as Python would (not this runner's).

    An error met before the script's first line ran (a SyntaxError, such as Python 2's
    ``print "..."``) is printed alone, with its file and line, as Python prints it.
    """
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename not in user_code:
        tb = tb.tb_next
    frames = [frame for frame in traceback.extract_tb(tb)
              if not frame.filename.startswith(_HERE + os.sep)]  # not this runner's import hook
    lines = ["Traceback (most recent call last):\n", *traceback.format_list(frames)] if frames else []
    print("".join(lines + traceback.format_exception_only(type(error), error)), end="",
          file=sys.stderr, flush=True)


def main(argv=None):
    """Run the script named in ``argv`` (default ``sys.argv[1:]``); return its exit status."""
    options, script, script_args = parse_command_line(sys.argv[1:] if argv is None else argv)
    if not os.path.exists(script):
        print(f"python -m tfgraph.legacy: can't open file {script!r}: no such file",
              file=sys.stderr)
        return 2
    if os.path.isdir(script) and not os.path.isfile(os.path.join(script, "__main__.py")):
        print(f"python -m tfgraph.legacy: can't find '__main__' module in {script!r}",
              file=sys.stderr)
        return 1
    if "--sample" in options:
        os.environ[legacy.input_data.SAMPLE_ENV] = "1"
    legacy.set_quiet("--quiet" in options)

    user_code = UserCode(script)
    original_import = builtins.__import__
    saved_argv, saved_path0 = sys.argv, sys.path[0]
    sys.argv = [script, *script_args]
    sys.path[0] = user_code.folder
    display = Display()
    builtins.__import__ = legacy_import_hook(user_code, original_import, display)
    try:
        with numpy_1_names():
            runpy.run_path(script, run_name="__main__")
    except TfgraphError as e:
        report(e, user_code)
        return 1
    except Exception as e:  # noqa: BLE001 -- shown as Python would show it
        print_traceback(e, user_code)
        return 1
    finally:
        builtins.__import__ = original_import
        display.undo()
        sys.argv, sys.path[0] = saved_argv, saved_path0
    return 0


if __name__ == "__main__":
    sys.exit(main())
