"""The distributed lesson on real gRPC servers on 127.0.0.1: its flags, TF_CONFIG, and a run to its last step.

`Lesson` (a running launcher or task, its output read line by line) and `assert_all_gone`
are shared with the slow fault tests in test_distributed_faults.py and test_distributed_cluster.py.
"""
import json
import re
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
import yaml
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from tests.helpers import ROOT, run_python, start_python
from tfgraph import cluster, tf_config
from tfgraph.errors import TfgraphError

STARTED = re.compile(r"\[cluster\] started (\w+ \d+) \(pid (\d+)\)")
FINAL = re.compile(r"Final accuracy was (0\.\d+|1\.0000)")


class Lesson:
    """`python -m lessons.distributed flags...` running, its output collected line by line by a thread."""

    def __init__(self, *flags, env=None, sample=True):
        self.flags = flags
        self.process = start_python("-m", "lessons.distributed", *(["--sample"] if sample else []), *flags,
                                    env=env, stderr=subprocess.STDOUT, bufsize=1)
        self.pid = self.process.pid
        self.lines, self.changed = [], threading.Condition()
        self.position = 0  # the line after the last match of wait_for
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            with self.changed:
                self.lines.append(line)
                self.changed.notify_all()
        with self.changed:
            self.lines.append(None)  # end of output
            self.changed.notify_all()

    @property
    def output(self):
        return "".join(line for line in self.lines if line is not None)

    def wait_for(self, pattern, timeout=240, after=0):
        """The first match of `pattern` in a line (from line number `after` on), waiting for it; fails at the end."""
        deadline = time.monotonic() + timeout
        index = after
        with self.changed:
            while True:
                while index < len(self.lines):
                    line = self.lines[index]
                    index += 1
                    if line is None:
                        pytest.fail(f"ended before {pattern!r}:\n{self.output[-4000:]}")
                    match = re.search(pattern, line)
                    if match:
                        self.position = index
                        return match
                if not self.changed.wait(timeout=max(0.0, deadline - time.monotonic())):
                    pytest.fail(f"no {pattern!r} within {timeout} s:\n{self.output[-4000:]}")

    def finish(self, timeout=240):
        """Wait for the process to end; return its exit status (it is killed and the test fails after `timeout`)."""
        try:
            status = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"still running after {timeout} s:\n{self.output[-4000:]}")
        with self.changed:
            self.changed.wait_for(lambda: self.lines and self.lines[-1] is None, timeout=10)
        return status

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def tasks(self):
        """{task name: pid} of the tasks the launcher said it started."""
        return {name: int(pid) for name, pid in STARTED.findall(self.output)}

    def ports(self):
        hosts = re.search(r"Cluster: ps (\S+); workers (\S+)", self.output)
        return [int(host.rpartition(":")[2]) for host in f"{hosts.group(1)},{hosts.group(2)}".split(",")]

    def last_line(self):
        return [line for line in self.output.splitlines() if line.strip()][-1]


def alive(pid):
    """Whether process `pid` exists and is not a zombie waiting to be reaped."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stream:
            return stream.read().rpartition(")")[2].split()[0] != "Z"
    except FileNotFoundError:
        return False


def listening(port):
    """Whether something accepts connections on 127.0.0.1:`port`."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        return True
    except ConnectionRefusedError:
        return False


def assert_all_gone(pids, ports, wait=10):
    """Every pid has exited and nothing listens on the ports (within `wait` s), and a server could bind each again.

    A process killed with many threads shows as a zombie while its last threads exit and
    release its sockets: the wait covers that moment.
    """
    deadline = time.monotonic() + wait
    while (any(alive(pid) for pid in pids) or any(listening(port) for port in ports)) \
            and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in pids if alive(pid)], pids
    for port in ports:
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
        with socket.socket() as sock:  # closed connections may linger in TIME_WAIT; servers bind past them
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", port))
            sock.listen()


def assert_launch_gone(lesson):
    """The launcher and every task it started have exited, and their ports are free."""
    tasks = lesson.tasks()
    assert tasks, lesson.output[-3000:]
    assert_all_gone([lesson.pid, *tasks.values()], lesson.ports())


def only_run(logdir):
    run_dir, = (Path(logdir) / "distributed").iterdir()
    return run_dir


def test_one_worker_ends_at_its_last_step_with_one_run_named_by_its_flags(tmp_path):
    # 100 steps, an accuracy check due at the last one: it used to raise "Run called even after should_stop".
    lesson = Lesson("--workers", "1", "--epochs", "1", "--how-often", "50", "--logdir", str(tmp_path))
    assert lesson.finish() == 0, lesson.output[-3000:]
    assert FINAL.search(lesson.last_line() + lesson.output), lesson.output[-3000:]
    assert "Traceback" not in lesson.output and "should_stop" not in lesson.output
    assert "worker 0: 100 steps in" in lesson.output
    assert_launch_gone(lesson)
    run_dir = only_run(tmp_path)
    assert run_dir.name.split(",", 1)[1] == "epochs=1,how-often=50,workers=1,sample"  # every non-default flag, no host
    assert (run_dir / "accuracy.png").is_file()
    # TensorBoard sees one run with a graph (train) and its test scalars; checkpoints/ holds no events.
    event_folders = {path.parent.name for path in run_dir.rglob("events.out.tfevents.*")}
    assert event_folders == {"train", "test", run_dir.name}, event_folders  # the run's root: its HParams
    assert sorted(path.name for path in (run_dir / "checkpoints").iterdir())[0] == "checkpoint"
    state = (run_dir / "checkpoints" / "checkpoint").read_text()
    assert 'model_checkpoint_path: "model.ckpt-100"' in state and str(tmp_path) not in state  # relative paths
    events = EventAccumulator(str(run_dir / "train"))
    events.Reload()
    devices = {node.name: node.device for node in events.Graph().node}
    assert devices["model/W_h"].startswith("/job:ps/task:0")
    assert devices["model/logits"].startswith("/job:worker/task:0")


@pytest.mark.parametrize("host, said", [
    ("127.0.0.1:{port}", "127.0.0.1:{port} did not answer within 2 seconds (--timeout)"),
    ("no-such-host.invalid:{port}", "The host name 'no-such-host.invalid' of no-such-host.invalid:{port} does not "
                                    "resolve to an address"),
])
def test_a_ps_that_does_not_answer_or_resolve_stops_the_worker_after_the_timeout(host, said):
    ps_port, worker_port = cluster.free_ports(2)
    started = time.monotonic()
    process = run_python("-m", "lessons.distributed", "--sample", "--job-name", "worker", "--task-index", "0",
                         "--ps-hosts", host.format(port=ps_port), "--worker-hosts", f"127.0.0.1:{worker_port}",
                         "--timeout", "2", timeout=120)
    assert process.returncode == 1, process.stderr[-3000:]
    assert said.format(port=ps_port) in process.stderr
    assert "Traceback" not in process.stderr
    assert time.monotonic() - started < 60
    assert_all_gone([], [worker_port])


def test_a_timeout_beyond_a_day_is_a_flag_error_not_a_traceback():
    process = run_python("-m", "lessons.distributed", "--timeout", "1e300", timeout=60)
    assert process.returncode == 2
    assert "argument --timeout: must be a number of seconds greater than 0 and at most 86400" in process.stderr
    assert "Traceback" not in process.stderr


def test_a_phase_that_hangs_ends_the_task_with_a_line_naming_it():
    process = run_python(code="""
        import time
        from tfgraph.task_lifetime import Watchdog
        guard = Watchdog("worker 3")
        with guard.limit(5, "in a quick step"):
            time.sleep(0.5)  # within its limit
        print("the quick step ended", flush=True)
        with guard.limit(1, "closing its session"):
            time.sleep(60)  # as stuck as a C++ call Python cannot interrupt
        print("never printed")
        """, timeout=30)
    assert process.returncode == 1 and process.stdout == "the quick step ended\n"
    assert process.stderr.strip().startswith("error: worker 3 was stuck closing its session for more than 1 seconds")


@pytest.fixture(scope="module")
def lesson():
    from lessons import distributed
    return distributed


def test_a_port_in_use_is_one_paragraph(lesson):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(TfgraphError, match=f"Port {port} of 127.0.0.1:{port} is already in use"):
            lesson.main(["--job-name", "ps", "--ps-hosts", f"127.0.0.1:{port}", "--worker-hosts", "127.0.0.1:1"])


@pytest.mark.parametrize("flags, message", [
    (["--job-name", "worker", "--task-index", "2", "--ps-hosts", "127.0.0.1:1", "--worker-hosts",
      "127.0.0.1:2,127.0.0.1:3"], "--task-index 2 is outside the cluster: the worker job has 2 task"),
    (["--job-name", "ps", "--task-index", "-1", "--ps-hosts", "127.0.0.1:1", "--worker-hosts", "127.0.0.1:2"],
     "--task-index -1 is outside the cluster"),
    (["--sync", "--replicas-to-aggregate", "3"], "the cluster has 2 worker"),
    (["--job-name", "worker", "--ps-hosts", "localhost", "--worker-hosts", "127.0.0.1:2"], "is not host:port"),
])
def test_bad_cluster_flags_are_one_paragraph(lesson, flags, message):
    with pytest.raises(TfgraphError, match=re.escape(message)):
        lesson.main(flags)


CLUSTER = {"chief": ["c:1"], "worker": ["w0:2", "w1:3"], "ps": ["p0:4", "p1:5"]}


@pytest.mark.parametrize("task, expected", [
    ({"type": "chief", "index": 0}, ("worker", 0)),
    ({"type": "worker", "index": 0}, ("worker", 1)),  # after the chief
    ({"type": "worker", "index": 1}, ("worker", 2)),
    ({"type": "ps", "index": 1}, ("ps", 1)),
])
def test_tf_config_chief_is_worker_0_and_the_workers_follow_it(task, expected):
    read = tf_config.read({"TF_CONFIG": json.dumps({"cluster": CLUSTER, "task": task})})
    assert (read.job_name, read.task_index) == expected
    assert read.worker_hosts == ["c:1", "w0:2", "w1:3"] and read.ps_hosts == ["p0:4", "p1:5"]


def test_tf_config_without_a_chief_makes_worker_0_the_chief():
    config = {"cluster": {"worker": ["w0:2", "w1:3"], "ps": ["p:4"]}, "task": {"type": "worker", "index": 1}}
    assert tf_config.read({"TF_CONFIG": json.dumps(config)}) == (["p:4"], ["w0:2", "w1:3"], "worker", 1)


@pytest.mark.parametrize("config, message", [
    ("{not json", "is not JSON"),
    (json.dumps({"cluster": CLUSTER}), "has no \"cluster\" object or no \"task\" object"),
    (json.dumps({"cluster": CLUSTER, "task": {"type": "evaluator", "index": 0}}), "task.type = \"evaluator\""),
    (json.dumps({"cluster": {**CLUSTER, "evaluator": ["e:6"]}, "task": {"type": "ps", "index": 0}}),
     "the job(s) evaluator"),
    (json.dumps({"cluster": CLUSTER, "task": {"type": "worker", "index": 2}}), "lists 2 worker task(s)"),
    (json.dumps({"cluster": {**CLUSTER, "master": ["m:7"]}, "task": {"type": "ps", "index": 0}}), "2 chief tasks"),
    (json.dumps({"cluster": {**CLUSTER, "ps": "p0:4"}, "task": {"type": "ps", "index": 0}}), "cluster.ps ="),
])
def test_a_bad_tf_config_is_one_paragraph(config, message):
    with pytest.raises(TfgraphError, match=re.escape(message)):
        tf_config.read({"TF_CONFIG": config})


def test_tf_config_names_the_task_when_no_task_flag_is_given(lesson, monkeypatch):
    config = {"cluster": {"chief": ["127.0.0.1:1"], "worker": ["127.0.0.1:2"], "ps": ["127.0.0.1:3"]},
              "task": {"type": "worker", "index": 0}}
    monkeypatch.setenv("TF_CONFIG", json.dumps(config))
    args = lesson.parse_args(["--sample", "--sync"])
    assert (args.job_name, args.task_index, args.workers, args.replicas_to_aggregate) == ("worker", 1, 2, 2)
    assert args.ps_hosts == ["127.0.0.1:3"] and args.non_default == {"sample": True, "sync": True}
    flags = lesson.parse_args(["--job-name", "ps", "--ps-hosts", "127.0.0.1:4", "--worker-hosts", "127.0.0.1:5"])
    assert (flags.job_name, flags.ps_hosts) == ("ps", ["127.0.0.1:4"])  # flags win over TF_CONFIG


def tfjob_manifest():
    """The TFJob manifest in docs/distributed.md: the YAML block that follows its 'kubectl apply' line."""
    text = (ROOT / "docs" / "distributed.md").read_text(encoding="utf-8")
    block, = re.findall(r"```yaml\n(.*?)```", text, re.S)
    return yaml.safe_load(block)


def test_the_tfjob_manifest_has_what_tfjob_v1_requires_and_runs_the_lesson(lesson):
    job = tfjob_manifest()
    assert (job["apiVersion"], job["kind"]) == ("kubeflow.org/v1", "TFJob")
    assert re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", job["metadata"]["name"])  # a DNS-1123 name
    replicas = job["spec"]["tfReplicaSpecs"]
    assert set(replicas) <= {"Chief", "PS", "Worker"} and {"PS", "Worker"} <= set(replicas)
    for kind, spec in replicas.items():
        assert isinstance(spec["replicas"], int) and spec["replicas"] >= 1, kind
        assert spec["restartPolicy"] in {"Always", "OnFailure", "Never", "ExitCode"}, kind
        container, = [c for c in spec["template"]["spec"]["containers"] if c["name"] == "tensorflow"]
        assert container["image"] and container["command"] == ["python", "-m", "lessons.distributed"], kind
        assert {"name": "tfjob-port", "containerPort": 2222} in container["ports"], kind
        args = lesson.parse_args(container.get("args", []) + ["--job-name", "worker", "--ps-hosts", "p:1",
                                                               "--worker-hosts", "w:2"])  # its flags parse
        assert args.lesson == "distributed"
    image = replicas["PS"]["template"]["spec"]["containers"][0]["image"]
    assert f"docker build -f docker/lessons/Dockerfile -t {image} ." in \
        (ROOT / "docs" / "distributed.md").read_text(encoding="utf-8")


def test_the_lesson_image_copies_what_the_lesson_needs():
    dockerfile = (ROOT / "docker" / "lessons" / "Dockerfile").read_text(encoding="utf-8")
    copied = [source for line in dockerfile.splitlines() if line.startswith("COPY ")
              for source in line.split()[1:-1]]
    assert {"tfgraph", "lessons", "setup.cfg"} <= set(copied)
    for source in copied:
        assert (ROOT / source).exists(), source
