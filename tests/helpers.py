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
