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
Ctrl-C, or a KeyboardInterrupt raised by the script, stops it with one line (exit 130).

The script's path is checked before TensorFlow starts (a mistyped name is answered at
once), and TensorFlow starts as the lessons start it (`tfgraph.quiet`): its start-up
lines are filtered, so the first line on stderr is the script's or this runner's.
"""
import builtins
import os
import runpy
import sys
import traceback

from tfgraph.errors import TfgraphError
from tfgraph.legacy import start_tensorflow
from tfgraph.legacy._notes import HERE, display_path, set_quiet
from tfgraph.legacy.input_data import SAMPLE_ENV

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


def legacy_import_hook(user_code, original_import, display, resolve_import):
    """An ``__import__`` giving `tfgraph.legacy` for tensorflow[.*] imported by user code.

    After each import by user code, ``display`` patches pyplot if it just arrived.
    """
    def __import__(name, globals=None, locals=None, fromlist=(), level=0):
        if globals is None or globals.get("__file__") not in user_code:
            return original_import(name, globals, locals, fromlist, level)
        if level == 0 and (name == "tensorflow" or name.startswith("tensorflow.")):
            return resolve_import(name, fromlist)
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
              if not frame.filename.startswith(HERE + os.sep)]  # not this runner's import hook
    lines = ["Traceback (most recent call last):\n", *traceback.format_list(frames)] if frames else []
    print("".join(lines + traceback.format_exception_only(type(error), error)), end="",
          file=sys.stderr, flush=True)


def check_script(script):
    """None when ``script`` can be run; else (exit status, the one paragraph saying why not)."""
    if os.path.isdir(script):
        if os.path.isfile(os.path.join(script, "__main__.py")):
            return None
        return 1, f"python -m tfgraph.legacy: can't find '__main__' module in {script!r}"
    try:
        with open(script, "rb"):
            return None
    except FileNotFoundError:
        return 2, (f"python -m tfgraph.legacy: can't open file {script!r}: no such file. Give "
                   f"the path of the script to run, relative to {os.getcwd()} or absolute.")
    except OSError as e:
        return 2, (f"python -m tfgraph.legacy: can't open file {script!r}: {e.strerror}. Check "
                   f"that it is a file you may read (ls -l {script}).")


def interrupted(error, user_code):
    """The one line that says where Ctrl-C (or the script's KeyboardInterrupt) stopped the run."""
    where = [frame for frame in traceback.extract_tb(error.__traceback__)
             if frame.filename in user_code] if user_code else []
    place = f" at {display_path(where[-1].filename)}, line {where[-1].lineno}" if where else ""
    return f"python -m tfgraph.legacy: interrupted{place} (KeyboardInterrupt); exit status 130"


def run_script(script, script_args, user_code):
    """Run ``script`` as ``python script args`` would, with the legacy imports; its exit status."""
    start_tensorflow()
    from tfgraph.legacy._imports import resolve_import
    from tfgraph.legacy._script_env import Display, numpy_1_names
    original_import = builtins.__import__
    saved_argv, saved_path0 = sys.argv, sys.path[0]
    sys.argv = [script, *script_args]
    sys.path[0] = user_code.folder
    display = Display()
    builtins.__import__ = legacy_import_hook(user_code, original_import, display, resolve_import)
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


def main(argv=None):
    """Run the script named in ``argv`` (default ``sys.argv[1:]``); return its exit status."""
    options, script, script_args = parse_command_line(sys.argv[1:] if argv is None else argv)
    problem = check_script(script)
    if problem is not None:
        print(problem[1], file=sys.stderr)
        return problem[0]
    if "--sample" in options:
        os.environ[SAMPLE_ENV] = "1"
    set_quiet("--quiet" in options)
    user_code = UserCode(script)
    try:
        return run_script(script, script_args, user_code)
    except KeyboardInterrupt as e:
        print(interrupted(e, user_code), file=sys.stderr, flush=True)
        return 130


if __name__ == "__main__":
    sys.exit(main())
