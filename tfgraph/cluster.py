"""TensorFlow's own distributed runtime on one machine: cluster specs, servers and local task processes.

The distributed lesson trains one graph on parameter-server (`ps`) and `worker` tasks
of a `tf.train.ClusterSpec`, each task a gRPC server in its own process. This module
checks a cluster a learner describes with `--ps-hosts`/`--worker-hosts`/`--task-index`,
starts a task's server, waits for hosts that should answer, and runs a whole cluster
as local processes on free 127.0.0.1 ports (`LocalCluster`): it watches them and
stops every one by its process group, at the end, on Ctrl-C and when one fails.
"""
import errno
import os
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time

import tensorflow as tf

from tfgraph import quiet
from tfgraph.errors import TfgraphError

tf1 = tf.compat.v1

#: Seconds to wait for a host that does not answer, unless --timeout says otherwise.
DEFAULT_TIMEOUT = 30.0


def free_ports(count):
    """`count` distinct TCP ports on 127.0.0.1 that nothing listens on right now (distributed lesson)."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def split_hosts(text, flag):
    """The `host:port` entries of a comma-separated flag value, each checked (distributed lesson)."""
    hosts = [entry.strip() for entry in (text or "").split(",") if entry.strip()]
    for host in hosts:
        name, _, port = host.rpartition(":")
        if not name or not port.isdigit() or not 0 < int(port) < 65536:
            raise TfgraphError(
                f"{flag} has {host!r}, which is not host:port. Give a comma-separated list such as "
                f"{flag} 10.0.0.1:2222,10.0.0.2:2222 (a host name or address, a colon, a port number).")
    return hosts


def check_task(ps_hosts, worker_hosts, job_name, task_index):
    """Raise a TfgraphError unless `job_name`/`task_index` name a task of the cluster (distributed lesson)."""
    hosts = {"ps": ps_hosts, "worker": worker_hosts}
    if not ps_hosts or not worker_hosts:
        raise TfgraphError(
            "A task of a cluster needs both --ps-hosts and --worker-hosts (at least one host:port each), "
            "the same lists on every machine. Without --job-name the lesson starts a whole cluster locally.")
    if task_index < 0 or task_index >= len(hosts[job_name]):
        raise TfgraphError(
            f"--task-index {task_index} is outside the cluster: the {job_name} job has "
            f"{len(hosts[job_name])} task(s) in --{job_name}-hosts, numbered 0 to {len(hosts[job_name]) - 1}. "
            "Give each machine the index of its own entry in that list.")


def check_port_free(host):
    """Raise a TfgraphError if `host`'s port is already in use on this machine (distributed lesson)."""
    name, _, port = host.rpartition(":")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("0.0.0.0", int(port)))
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise
            raise TfgraphError(
                f"Port {port} of {host} is already in use on this machine, so this task's server cannot "
                "listen on it. Stop whatever holds it (an earlier task still running? `ss -ltnp` shows it) "
                "or give this task another port in --ps-hosts/--worker-hosts, on every machine.") from None


def wait_for_hosts(hosts, timeout):
    """Return once every `host:port` accepts a connection; a TfgraphError after `timeout` s (distributed lesson)."""
    deadline = time.monotonic() + timeout
    waiting = list(hosts)
    while waiting:
        name, _, port = waiting[0].rpartition(":")
        try:
            with socket.create_connection((name, int(port)), timeout=1.0):
                waiting.pop(0)
                continue
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TfgraphError(
                f"{waiting[0]} did not answer within {timeout:g} seconds (--timeout). Start that task "
                "first (its machine runs the lesson with its --job-name and --task-index), check the "
                "address and that no firewall blocks the port, or wait longer with a larger --timeout.")
        time.sleep(0.2)


def start_server(ps_hosts, worker_hosts, job_name, task_index):
    """This task's gRPC server in the cluster (tf.distribute.Server), its port checked first (distributed lesson)."""
    check_task(ps_hosts, worker_hosts, job_name, task_index)
    check_port_free((ps_hosts if job_name == "ps" else worker_hosts)[task_index])
    spec = tf.train.ClusterSpec({"ps": ps_hosts, "worker": worker_hosts})
    config = tf1.ConfigProto(device_filters=["/job:ps", f"/job:{job_name}/task:{task_index}"])
    return tf.distribute.Server(spec, job_name=job_name, task_index=task_index, config=config, start=True)


class StepCounting:
    """An optimizer whose `minimize(loss)` also increments `global_step` (distributed lesson).

    `training.classifier_ops` calls `optimizer.minimize(cost)`; a cluster needs the
    global step counted, and SyncReplicasOptimizer refuses to work without it.
    """

    def __init__(self, optimizer, global_step):
        self.optimizer, self.global_step = optimizer, global_step

    def minimize(self, loss):
        """The optimizer's training op for `loss`, counting the global step."""
        return self.optimizer.minimize(loss, global_step=self.global_step)


class SyncReplicasHook:  # a SessionRunHook by its methods: subclassing would import TensorFlow for --help
    """SyncReplicasOptimizer's session hook, its chief queue runner on a coordinator of its own (distributed lesson).

    The chief's queue runner waits for the next round of gradients, which never comes
    once training stops. MonitoredSession joins its coordinator before closing the
    session; the close then cancels the wait and the runner reports the cancellation
    to the joined coordinator, which raises it in the thread ("Exception in thread
    QueueRunnerThread-sync_token_q..."). On a coordinator of its own, still open, the
    cancellation is recorded and the thread ends quietly.
    """

    def __init__(self, optimizer, is_chief, num_tokens=0):
        self.hook = optimizer.make_session_run_hook(is_chief, num_tokens=num_tokens)
        self.coord = tf1.train.Coordinator()

    def begin(self):
        """Pick the chief's or a worker's init ops, as the optimizer's own hook does."""
        self.hook.begin()

    def after_create_session(self, session, coord):
        """Run the init ops and start the chief's queue runner on this hook's coordinator."""
        self.hook.after_create_session(session, self.coord)

    def end(self, session):
        """Ask the queue runner to stop; closing the session cancels the wait it is in."""
        self.coord.request_stop()

    def before_run(self, run_context):
        """Nothing to add to a step's run (as SessionRunHook)."""

    def after_run(self, run_context, run_values):
        """Nothing to read after a step (as SessionRunHook)."""


class LocalCluster:
    """Tasks of one cluster run as local processes, each in its own process group (distributed lesson).

    `start(name, argv)` launches `python argv...` with its output prefixed by `[name]`;
    `watch()` waits until the chief finishes and reports the others' fates; leaving
    the `with` block (normally, on Ctrl-C, on an error) stops every process it started.
    """

    def __init__(self, chief="worker 0", grace=5.0):
        self.chief, self.grace = chief, grace
        self.processes = {}
        self.commands = {}
        self._threads = []

    def start(self, name, argv):
        """Start task `name` as `python argv...`, in a new session so that Ctrl-C reaches only us."""
        env = dict(os.environ)
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

    @staticmethod
    def _relay(name, process):
        """Print each line task `name` writes, prefixed with its name."""
        for line in process.stdout:
            print(f"[{name}] {line}", end="", flush=True)

    def watch(self, poll=0.2):
        """Wait for the chief; a task that fails stops them all, a killed non-chief worker is reported."""
        reported = set()
        while True:
            for name, process in self.processes.items():
                status = process.poll()
                if status is None or name in reported:
                    continue
                reported.add(name)
                if name == self.chief and status == 0:
                    return
                if status == 0 and name.startswith("worker"):
                    continue  # a worker that saw the last step
                if status < 0 and name.startswith("worker") and name != self.chief:
                    print(f"[cluster] {name} was killed by signal {-status}; the other workers go on. "
                          f"Restart it with: python {shlex.join(self.commands[name])}", flush=True)
                    continue
                how = f"was killed by signal {-status}" if status < 0 else f"stopped with exit status {status}"
                raise TfgraphError(
                    f"Task {name} {how}, so the cluster was stopped (its output is above, prefixed "
                    f"[{name}]). Fix what it reports and run again; a chief killed mid-run continues from "
                    "its last checkpoint with --resume.")
            time.sleep(poll)

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
        return self

    def __exit__(self, *exc_info):
        self.stop()


def _signal_group(process, signum):
    """Send `signum` to `process`'s process group, if it still has one."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:
        pass


def stop_on_sigterm():
    """Turn SIGTERM into SystemExit, so a terminated launcher still stops its tasks on the way out."""
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
