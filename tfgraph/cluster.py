"""TensorFlow's own distributed runtime: a cluster's hosts, each task's server and sessions, and their agreement.

The distributed lesson trains one graph on parameter-server (`ps`) and `worker` tasks
of a `tf.train.ClusterSpec`, each task a gRPC server in its own process. This module
checks a cluster a learner describes with `--ps-hosts`/`--worker-hosts`/`--task-index`
(or `TF_CONFIG`, `tfgraph.tf_config`), starts a task's server, waits for hosts that
should answer, and gives each worker sessions that never wait forever: every session
sees only the ps tasks and its own worker (`device_filters`), a worker's session waits
for the ps and for the chief's variables at most `--timeout` seconds, and the chief
publishes the settings every task must share so that a worker started with other
flags stops instead of silently training the chief's variables.
"""
import errno
import json
import math
import os
import socket
import time

import tensorflow as tf

from tfgraph import tf_config
from tfgraph.errors import TfgraphError

tf1 = tf.compat.v1

#: Seconds to wait for a host or a step that does not answer, unless --timeout says otherwise.
DEFAULT_TIMEOUT = 30.0
#: Flags that say where a task is and how long it waits, not what the run learns: never in a run's name.
TASK_FLAGS = {"ps-hosts", "worker-hosts", "job-name", "task-index", "run-dir", "timeout"}
#: The longest --timeout: a day (RunOptions counts milliseconds in 64 bits; a day is plenty).
MAX_TIMEOUT = 86400.0


def timeout_seconds(text):
    """A --timeout: a number of seconds greater than 0 and at most a day (distributed lesson)."""
    import argparse

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not math.isfinite(value) or not 0 < value <= MAX_TIMEOUT:
        raise argparse.ArgumentTypeError(
            f"must be a number of seconds greater than 0 and at most {MAX_TIMEOUT:g} (a day), got {text}")
    return value


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
    """The `host:port` entries of a comma-separated flag value (or a list), each checked (distributed lesson)."""
    entries = text if isinstance(text, list) else (text or "").split(",")
    hosts = [entry.strip() for entry in entries if entry.strip()]
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


def resolve_task(parser, args):
    """Fill `args`' task from the task flags, else from TF_CONFIG, and check it (distributed lesson).

    Without either, `args` stays a launcher's. With a task, `args.ps` and
    `args.workers` become the cluster's numbers of ps and worker tasks, and name the
    run as the launcher's --ps and --workers would; the task flags never do.
    """
    if args.job_name is None and tf_config.given():
        args.ps_hosts, args.worker_hosts, args.job_name, args.task_index = tf_config.read()
    args.ps_hosts = split_hosts(args.ps_hosts, "--ps-hosts")
    args.worker_hosts = split_hosts(args.worker_hosts, "--worker-hosts")
    if args.job_name:
        check_task(args.ps_hosts, args.worker_hosts, args.job_name, args.task_index)
        args.ps, args.workers = len(args.ps_hosts), len(args.worker_hosts)
    args.non_default = {key: value for key, value in args.non_default.items() if key not in TASK_FLAGS}
    if args.job_name:
        args.non_default.update((key, getattr(args, key)) for key in ("ps", "workers")
                                if getattr(args, key) != parser.get_default(key))
    return args


def check_port_free(host):
    """Raise a TfgraphError if `host`'s port is already in use on this machine (distributed lesson)."""
    port = host.rpartition(":")[2]
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


def wait_for_hosts(hosts, timeout, lost=False):
    """Return once every `host:port` accepts a connection; a TfgraphError after `timeout` s (distributed lesson).

    A name that does not resolve is retried too (a cluster manager's names appear as
    its tasks start), and reported as such if it still does not at the end. `lost`:
    the hosts answered before and stopped during training.
    """
    deadline = time.monotonic() + timeout
    waiting = list(hosts)
    while waiting:
        name, _, port = waiting[0].rpartition(":")
        try:
            with socket.create_connection((name, int(port)), timeout=1.0):
                waiting.pop(0)
                continue
        except socket.gaierror as error:
            unresolved = error
        except OSError:
            unresolved = None
        if time.monotonic() > deadline:
            if unresolved is not None:
                raise TfgraphError(
                    f"The host name {name!r} of {waiting[0]} does not resolve to an address ({unresolved.strerror}), "
                    f"still after {timeout:g} seconds (--timeout). Check its spelling in --ps-hosts/--worker-hosts "
                    "(or TF_CONFIG), or give an IP address.")
            if lost:
                raise TfgraphError(
                    f"The ps task {waiting[0]} stopped answering during training and was not back within "
                    f"{timeout:g} seconds (--timeout). Restart it (a cluster manager does), then the chief with "
                    "--resume: it continues from its last checkpoint.")
            raise TfgraphError(
                f"{waiting[0]} did not answer within {timeout:g} seconds (--timeout). Start that task "
                "first (its machine runs the lesson with its --job-name and --task-index), check the "
                "address and that no firewall blocks the port, or wait longer with a larger --timeout.")
        time.sleep(0.2)


def start_server(ps_hosts, worker_hosts, job_name, task_index):
    """This task's gRPC server in the cluster (tf.distribute.Server), its port checked first (distributed lesson).

    Its calls to a task that is gone fail at once (`GRPC_FAIL_FAST`) instead of waiting
    for it to come back, which would leave a worker stuck closing its session after a
    ps died: the lesson's own waits for a task are bounded by --timeout.
    """
    os.environ.setdefault("GRPC_FAIL_FAST", "true")
    check_task(ps_hosts, worker_hosts, job_name, task_index)
    check_port_free((ps_hosts if job_name == "ps" else worker_hosts)[task_index])
    spec = tf.train.ClusterSpec({"ps": ps_hosts, "worker": worker_hosts})
    return tf.distribute.Server(spec, job_name=job_name, task_index=task_index,
                                config=session_config(job_name, task_index), start=True)


def session_config(job_name, task_index, timeout=None):
    """A session config that sees only the ps tasks and this task, so a dead other worker cannot block it.

    Without `device_filters` a session on a worker's server asks every task of the
    cluster for its devices when it starts, and waits for one that is gone. With
    `timeout`, every blocking operation of the session fails after that many seconds.
    """
    config = tf1.ConfigProto(device_filters=["/job:ps", f"/job:{job_name}/task:{task_index}"])
    if timeout is not None:
        config.operation_timeout_in_ms = int(timeout * 1000)
    return config


def serve_forever():
    """Keep a ps task's process alive while its server serves (Ctrl-C stops it; `join` would ignore Ctrl-C)."""
    while True:
        time.sleep(0.5)


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


class Agreement:
    """The settings every task must share: the chief publishes them on the ps, each worker checks (distributed lesson).

    `settings` maps flags (`--num-hidden`) to this task's values. The variable is in no
    collection: it is not saved in checkpoints, the chief sets it each time its session
    starts (`chief_init_op`, part of its local init), and the other workers read it once
    the chief's variables are ready.
    """

    def __init__(self, settings):
        self.settings = dict(settings)
        self.variable = tf1.Variable(json.dumps(self.settings, sort_keys=True), trainable=False, collections=[],
                                     name="cluster_settings")
        self.chief_init_op = self.variable.initializer
        with tf.name_scope("not_ready"):  # what a worker polls: the chief's variables and this one
            self.not_ready = tf1.report_uninitialized_variables(tf1.global_variables() + [self.variable])  # (?,)
        self.not_ready.mark_used()  # only non-chief workers run it

    def check(self, published, task):
        """Raise a TfgraphError naming each flag whose value differs from the chief's `published` settings."""
        chief = json.loads(published.decode() if isinstance(published, bytes) else published)
        differing = [flag for flag in sorted(set(chief) | set(self.settings))
                     if chief.get(flag) != self.settings.get(flag)]
        if differing:
            listed = "; ".join(f"{flag} is {_flag_value(chief.get(flag))} on the chief and "
                               f"{_flag_value(self.settings.get(flag))} here" for flag in differing)
            raise TfgraphError(
                f"{task} was started with other settings than the chief (worker 0): {listed}. Every task of a "
                "cluster builds the same graph and trains the same variables, so they must agree. Start this task "
                "again with the chief's flags (only --job-name and --task-index differ).")


def _flag_value(value):
    """A setting as a learner would type it: `on`/`off` for a switch, `0.2` for a number."""
    if isinstance(value, bool) or value is None:
        return {True: "on", False: "off", None: "not set"}[value]
    return f"{value:g}" if isinstance(value, float) else str(value)


class ClusterSessionCreator:
    """A worker's MonitoredSession creator that never waits forever (distributed lesson; a tf1.train.SessionCreator).

    Before each session (the first one, and each new one after a ps task came back),
    it waits up to `timeout` seconds for the ps tasks to answer. The chief then
    restores its last checkpoint or initializes (`ChiefSessionCreator`); another worker
    polls every 0.2 s until the chief's variables are ready (TensorFlow's own wait
    sleeps 30 s between looks), checks that it agrees with the chief's settings, and
    joins (`WorkerSessionCreator`).
    """

    def __init__(self, server, scaffold, agreement, *, is_chief, task, ps_hosts, config, timeout,
                 checkpoint_dir=None, before_restore=None):
        self.server, self.scaffold, self.agreement, self.is_chief = server, scaffold, agreement, is_chief
        self.task, self.ps_hosts, self.config, self.timeout = task, ps_hosts, config, timeout
        self.before_restore = before_restore  # the chief's: called before each restore (checkpoint checks)
        self.sessions = 0  # created so far: the next one follows a lost ps task
        if is_chief:
            self.creator = tf1.train.ChiefSessionCreator(scaffold=scaffold, master=server.target, config=config,
                                                         checkpoint_dir=checkpoint_dir)
        else:
            self.creator = tf1.train.WorkerSessionCreator(scaffold=scaffold, master=server.target, config=config,
                                                          max_wait_secs=timeout)

    def create_session(self):
        """A new session on this task's server, once the ps (and, for a worker, the chief) is ready."""
        wait_for_hosts(self.ps_hosts, self.timeout, lost=self.sessions > 0)
        self.sessions += 1
        if self.is_chief:
            if self.before_restore is not None:
                self.before_restore()
        else:
            self.agreement.check(self._wait_for_chief(), self.task)
        return self.creator.create_session()

    def _wait_for_chief(self):
        """Poll until the chief has initialized (or restored) the variables; return its published settings."""
        deadline = time.monotonic() + self.timeout
        options = tf1.RunOptions(timeout_in_ms=int(self.timeout * 1000))
        with tf1.Session(self.server.target, graph=self.agreement.variable.graph, config=self.config) as sess:
            while True:
                try:
                    if not len(sess.run(self.agreement.not_ready, options=options)):
                        return sess.run(self.agreement.variable, options=options)
                except (tf.errors.UnavailableError, tf.errors.AbortedError):
                    pass  # a ps task restarting
                if time.monotonic() > deadline:
                    raise TfgraphError(
                        f"The chief (worker 0) did not initialize the variables within {self.timeout:g} seconds "
                        f"(--timeout), so {self.task} cannot join. Start worker 0 too, or give it longer with a "
                        "larger --timeout.")
                time.sleep(0.2)


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
