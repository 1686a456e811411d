"""How a task of a cluster ends: with its launcher, after a checkpoint when asked to stop, and never hung.

A task of the distributed lesson is a process that spends most of its time inside
TensorFlow's C++ runtime, waiting on other processes over gRPC. Three things keep
it from outliving its purpose:

- `die_with_launcher`: a task the local launcher started is killed when the launcher
  ends, however it ends (kill -9 included): Linux's `PR_SET_PDEATHSIG`, and a thread
  that checks the parent every half second (other systems, and the moment between
  start and `prctl`).
- `StopSignals`: Ctrl-C, SIGTERM (what a cluster manager sends before it deletes a
  task) and SIGHUP ask the chief to stop after its current step and save a checkpoint.
- `Watchdog`: a phase that should take seconds (starting or closing a session, a
  step, the final evaluation) is given a limit; past it, the task says which phase
  hung and ends, instead of waiting forever for a task that is gone.
"""
import contextlib
import ctypes
import os
import signal
import sys
import threading
import time

from tfgraph.errors import TfgraphError

#: The environment variable through which the launcher tells a task its pid.
LAUNCHER_PID = "TFGRAPH_LAUNCHER_PID"
#: prctl's option "send me this signal when my parent dies" (linux/prctl.h).
PR_SET_PDEATHSIG = 1


def die_with_launcher(poll=0.5):
    """If the local launcher started this task, make sure it ends when the launcher does (distributed lesson)."""
    text = os.environ.pop(LAUNCHER_PID, "")
    if not text.isdigit():
        return False  # started by hand or by a cluster manager: it lives on its own
    launcher = int(text)
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):
            pass  # the parent check below still ends it, within `poll` seconds
    if os.getppid() != launcher:  # the launcher died before prctl: nobody would send the signal
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(launcher, poll), name="watch-launcher", daemon=True).start()
    return True


def _watch_parent(launcher, poll):
    """Kill this process once its parent is no longer `launcher` (the launcher died; the task was re-parented)."""
    while os.getppid() == launcher:
        time.sleep(poll)
    os.kill(os.getpid(), signal.SIGKILL)


class Stopped(TfgraphError):
    """A stop signal (Ctrl-C, SIGTERM, SIGHUP) ended training after a checkpoint: exit 128 + the signal's number."""

    def __init__(self, message, signum):
        super().__init__(message)
        self.exit_status = 128 + signum


class StopSignals:
    """While active, SIGINT, SIGTERM and SIGHUP only set `requested`; a second Ctrl-C interrupts at once.

    The chief checks `requested` between steps, leaves its training loop, and its
    session saves a checkpoint as it closes (distributed lesson).
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

    def __init__(self, enabled=True):
        self.enabled = enabled  # False: signals keep their usual effect (a worker that is not the chief)
        self.requested = None  # the signal number received, if any
        self._previous = {}

    def _handle(self, signum, frame):
        if self.requested is not None and signum == signal.SIGINT:
            raise KeyboardInterrupt
        self.requested = self.requested or signum
        print(f"\n{signal.Signals(signum).name} received: stopping after this step to save a checkpoint "
              "(Ctrl-C again to quit at once)...", file=sys.stderr, flush=True)

    def __enter__(self):
        if self.enabled and threading.current_thread() is threading.main_thread():
            self._previous = {signum: signal.signal(signum, self._handle) for signum in self.SIGNALS}
        return self

    def __exit__(self, *exc_info):
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous = {}


class Watchdog:
    """Ends this task, saying which phase hung, when a phase outlasts its limit (distributed lesson).

    `with watchdog.limit(seconds, "starting its session"):` arms it for the block. The
    check runs in a thread of its own, so it fires even while the main thread is stuck
    in TensorFlow's C++ code, where no Python exception can reach it.
    """

    def __init__(self, task, poll=0.2):
        self.task, self.poll = task, poll
        self._armed = None  # (deadline, seconds, what)
        threading.Thread(target=self._watch, name="watchdog", daemon=True).start()

    @contextlib.contextmanager
    def limit(self, seconds, what):
        """Allow the block `seconds` at most; `what` names it in the last line if it hangs."""
        previous, self._armed = self._armed, (time.monotonic() + seconds, seconds, what)
        try:
            yield
        finally:
            self._armed = previous

    @contextlib.contextmanager
    def closing(self, context, seconds, what):
        """Enter `context` (a session); leave it, normally or on an error, within `seconds`."""
        value = context.__enter__()
        try:
            yield value
        except BaseException:
            with self.limit(seconds, what):
                if not context.__exit__(*sys.exc_info()):
                    raise
        else:
            with self.limit(seconds, what):
                context.__exit__(None, None, None)

    def _watch(self):
        """Wait for an armed limit to pass; then write the last line and end the process with status 1."""
        while True:
            time.sleep(self.poll)
            armed = self._armed
            if armed is not None and time.monotonic() > armed[0]:
                self._fire(*armed[1:])

    def _fire(self, seconds, what):
        """End the process now: its main thread is stuck where Python cannot interrupt it."""
        with contextlib.suppress(Exception):
            sys.stdout.flush()
        message = (f"\nerror: {self.task} was stuck {what} for more than {seconds:g} seconds: a task it needs "
                   "(a ps, or with --sync another worker) is gone or not answering. It stops here; restart the "
                   "missing task, and the chief continues from its last checkpoint with --resume.\n")
        with contextlib.suppress(OSError):
            os.write(2, message.encode())
        os._exit(1)
