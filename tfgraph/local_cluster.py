"""A whole cluster as local processes: start each task, relay its output, watch it, stop them all.

Without `--job-name` the distributed lesson is a launcher: `LocalCluster` starts each
task as `python -m lessons.distributed ... --job-name J --task-index N` in a process
group of its own (so Ctrl-C in the terminal reaches only the launcher) and prints its
output prefixed with `[ps 0]`, `[worker 1]`, ... A task that fails stops them all; a
killed non-chief worker is reported with the command that restarts it. Ctrl-C,
SIGTERM and SIGHUP ask the chief to save a checkpoint and stop, then stop the rest.
Leaving the `with` block stops every process it started, by process group, and the
tasks themselves die with the launcher (`tfgraph.task_lifetime`).
"""
import os
import shlex
import signal
import subprocess
import sys
import threading
import time

from tfgraph import quiet
from tfgraph.errors import TfgraphError
from tfgraph.task_lifetime import LAUNCHER_PID

#: The signals that ask the launcher to stop the cluster after the chief's checkpoint.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class LocalCluster:
    """Tasks of one cluster run as local processes, each in its own process group (distributed lesson).

    `start(name, argv)` launches `python argv...` with its output prefixed by `[name]`;
    `watch()` waits until the chief finishes ("finished") or, after a stop signal, has
    saved its checkpoint and stopped ("stopped"); leaving the `with` block stops every
    process it started. `timeout` bounds the chief's stop.
    """

    def __init__(self, chief="worker 0", timeout=30.0, grace=5.0, continue_hint=""):
        self.chief, self.timeout, self.grace, self.continue_hint = chief, timeout, grace, continue_hint
        self.processes, self.commands, self.last_error = {}, {}, {}
        self.stop_signal = None
        self._stopping = False  # while stopping, a second Ctrl-C must not interrupt the stop itself
        self._threads, self._previous = [], {}

    def start(self, name, argv):
        """Start task `name` as `python argv...`, in a new session, told to die with this process."""
        env = {**os.environ, LAUNCHER_PID: str(os.getpid())}
        env.pop("TF_CONFIG", None)  # the task's flags say which task it is
        if not quiet.verbose():
            env["TF_CPP_MIN_LOG_LEVEL"] = "2"  # gRPC's rendezvous warnings at every step's cleanup
        process = subprocess.Popen([sys.executable, *argv], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, text=True, bufsize=1, start_new_session=True, env=env)
        self.processes[name], self.commands[name] = process, argv
        print(f"[cluster] started {name} (pid {process.pid})", flush=True)
        thread = threading.Thread(target=self._relay, args=(name, process), daemon=True)
        thread.start()
        self._threads.append(thread)
        return process

    def _relay(self, name, process):
        """Print each line task `name` writes, prefixed with its name; remember its last error paragraph."""
        for line in process.stdout:
            if line.startswith(("error: ", "stopped: ")):
                self.last_error[name] = line.split(": ", 1)[1].strip()
            try:
                print(f"[{name}] {line}", end="", flush=True)
            except OSError:
                pass  # the terminal is gone (SIGHUP): keep reading, or the task would block writing

    def _on_signal(self, signum, frame):
        """A stop signal: the first asks for a checkpoint and a stop, a second Ctrl-C stops everything now."""
        if self.stop_signal is not None and signum == signal.SIGINT and not self._stopping:
            raise KeyboardInterrupt
        self.stop_signal = self.stop_signal or signum
        try:
            print(f"\n[cluster] {signal.Signals(signum).name}: asking the chief to save a checkpoint and stop "
                  "(Ctrl-C again to stop at once)...", flush=True)
        except OSError:
            pass

    def watch(self, poll=0.2):
        """Wait for the chief: "finished", or "stopped" after a stop signal; a task that fails stops them all."""
        reported, asked = set(), None
        while True:
            if self.stop_signal is not None and asked is None:
                asked = time.monotonic()
                _signal_group(self.processes[self.chief], signal.SIGINT)  # the chief saves, then stops
            if asked is not None and time.monotonic() - asked > self.timeout + self.grace:
                return "stopped"  # it did not stop in time: leaving the block stops it
            for name, process in self.processes.items():
                status = process.poll()
                if status is None or name in reported:
                    continue
                reported.add(name)
                if name == self.chief and (status == 0 or self.stop_signal is not None):
                    return "stopped" if self.stop_signal is not None else "finished"
                if self.stop_signal is not None or (status == 0 and name.startswith("worker")):
                    continue  # a worker that saw the last step, or any task while stopping
                if status < 0 and name.startswith("worker") and name != self.chief:
                    print(f"[cluster] {name} was killed by signal {-status}; the other workers go on. "
                          f"Restart it with: python {shlex.join(self.commands[name])}", flush=True)
                    continue
                raise self._failed(name, status)
            time.sleep(poll)

    def _failed(self, name, status):
        """The TfgraphError for task `name` ending with `status`: what it said, and how to continue."""
        how = f"was killed by signal {-status}" if status < 0 else f"stopped with exit status {status}"
        said = f" It said: {self.last_error[name]}" if name in self.last_error else \
            f" Its output is above, prefixed [{name}]."
        return TfgraphError(f"Task {name} {how}, so the cluster was stopped.{said} {self.continue_hint}".strip())

    def wait_for(self, names, timeout):
        """Give tasks `names` up to `timeout` seconds to finish on their own (their closing lines)."""
        deadline = time.monotonic() + timeout
        for name in names:
            try:
                self.processes[name].wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass

    def restart(self, name):
        """Start task `name` again with the command it was started with (a rejoining worker)."""
        return self.start(name, self.commands[name])

    def stop(self):
        """Stop every process started, by process group: SIGTERM, then SIGKILL after `grace` seconds."""
        self._stopping = True
        deadline = time.monotonic() + self.grace
        for process in self.processes.values():
            _signal_group(process, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait()
        for thread in self._threads:
            thread.join(timeout=1.0)

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self._previous = {signum: signal.signal(signum, self._on_signal) for signum in STOP_SIGNALS}
        return self

    def __exit__(self, *exc_info):
        try:
            self.stop()
        finally:
            for signum, handler in self._previous.items():
                signal.signal(signum, handler)


def _signal_group(process, signum):
    """Send `signum` to `process`'s process group, if it still has one."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:
        pass
