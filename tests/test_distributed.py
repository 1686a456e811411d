"""The distributed lesson on real gRPC servers on 127.0.0.1: async, sync, faults, and nothing left behind."""
import os
import re
import shlex
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from tfgraph import cluster
from tfgraph.errors import TfgraphError
from tests.helpers import start_python

ROOT = Path(__file__).resolve().parents[1]
STARTED = re.compile(r"\[cluster\] started (\w+ \d+) \(pid (\d+)\)")
FINAL = re.compile(r"\[worker 0\] Final accuracy was (0\.\d+)")


def start_lesson(*flags):
    """`python -m lessons.distributed --sample flags...` as a learner starts it, output piped line by line."""
    return start_python("-m", "lessons.distributed", "--sample", *flags, stderr=subprocess.STDOUT, bufsize=1)


def run_lesson(*flags, timeout=120):
    """Run the lesson to its end; return (exit status, everything it printed)."""
    process = start_lesson(*flags)
    output, _ = process.communicate(timeout=timeout)
    return process.returncode, output


def assert_all_gone(output):
    """Every task the launcher started has exited, and nothing listens on its port (a server could bind it)."""
    tasks = {name: int(pid) for name, pid in STARTED.findall(output)}
    assert len(tasks) >= 3, output[-2000:]
    for name, pid in tasks.items():
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    hosts = re.search(r"Cluster: ps (\S+); workers (\S+)", output)
    for host in (hosts.group(1) + "," + hosts.group(2)).split(","):
        port = int(host.rpartition(":")[2])
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
        with socket.socket() as sock:  # closed connections may linger in TIME_WAIT; servers bind past them
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", port))
            sock.listen()


def worker_steps(output):
    """{worker index: steps it made}, from each worker's closing line."""
    return {int(index): int(steps) for index, steps in re.findall(r"\] worker (\d+): (\d+) steps in", output)}


def test_async_run_learns_logs_the_placement_and_stops_every_task(tmp_path):
    status, output = run_lesson("--epochs", "5", "--logdir", str(tmp_path))
    assert status == 0, output[-3000:]
    assert float(FINAL.search(output).group(1)) > 0.75  # the single-process net: 0.75 after 3 epochs
    steps = worker_steps(output)
    assert set(steps) == {0, 1} and min(steps.values()) > 50 and sum(steps.values()) >= 500, steps
    assert_all_gone(output)
    run_dir, = (tmp_path / "distributed").iterdir()
    assert (run_dir / "checkpoints" / "checkpoint").is_file()
    events = EventAccumulator(str(run_dir / "train"))
    events.Reload()
    devices = {node.name: node.device for node in events.Graph().node}
    assert devices["model/W_h"].startswith("/job:ps/task:0")
    assert devices["model/logits"].startswith("/job:worker/task:0")
    test_events = EventAccumulator(str(run_dir / "test"))
    test_events.Reload()
    assert "accuracy" in test_events.Tags()["scalars"]


def test_sync_run_shares_the_steps_between_the_workers(tmp_path):
    status, output = run_lesson("--sync", "--epochs", "5", "--logdir", str(tmp_path))
    assert status == 0, output[-3000:]
    assert "(25000 samples, sync)" in output  # 250 global steps of 2 gradients of 50 samples
    assert float(FINAL.search(output).group(1)) > 0.6
    steps = worker_steps(output)
    assert sum(steps.values()) >= 500 and min(steps.values()) > 200, steps  # the issue saw 401 and 1
    assert "Traceback" not in output and "Exception in thread" not in output
    assert_all_gone(output)


def wait_for_line(process, pattern, lines, deadline=90):
    """Read the process's output until a line matches `pattern`; return the match."""
    stop = time.monotonic() + deadline
    for line in process.stdout:
        lines.append(line)
        match = re.search(pattern, line)
        if match or time.monotonic() > stop:
            return match
    return None


def test_killed_worker_does_not_stop_the_chief_a_killed_chief_resumes_and_ctrl_c_stops_all(tmp_path):
    flags = ["--epochs", "40", "--how-often", "20", "--checkpoint-every", "0.5", "--logdir", str(tmp_path)]
    process, lines = start_lesson(*flags), []
    try:
        pids = {}
        while len(pids) < 3:
            name, pid = wait_for_line(process, STARTED.pattern, lines).groups()
            pids[name] = int(pid)
        assert wait_for_line(process, r"\[worker 0\] global step", lines), "".join(lines)
        os.kill(pids["worker 1"], signal.SIGKILL)
        killed = wait_for_line(process, r"worker 1 was killed by signal 9; the other workers go on\. "
                                        r"Restart it with: python (.*)$", lines)
        assert killed, "".join(lines)
        rejoined = start_python(*shlex.split(killed.group(1)), stderr=subprocess.STDOUT, bufsize=1)
        checkpoint = wait_for_line(process, r"\[worker 0\] global step (\d+)", lines)
        run_dir, = (tmp_path / "distributed").iterdir()
        while not (run_dir / "checkpoints" / "checkpoint").exists():
            assert wait_for_line(process, r"\[worker 0\] global step", lines), "".join(lines)
        rejoined_lines = []
        rejoined_at = wait_for_line(rejoined, r"worker 1 starts at global step (\d+)", rejoined_lines)
        assert rejoined_at and int(rejoined_at.group(1)) > 0, "".join(rejoined_lines)  # a worker rejoins
        os.kill(pids["worker 0"], signal.SIGKILL)
        lines.extend(process.stdout)
        assert process.wait(timeout=30) == 1, "".join(lines)
    finally:
        for started in (process, locals().get("rejoined")):
            if started is not None and started.poll() is None:
                started.kill()
                started.wait()
    output = "".join(lines)
    assert "Task worker 0 was killed by signal 9, so the cluster was stopped" in output
    assert int(checkpoint.group(1)) > 0 and "Final accuracy" not in output
    assert_all_gone(output)

    # --resume: the chief restores the checkpoint; then Ctrl-C stops the launcher and every task.
    process, lines = start_lesson(*flags, "--resume"), []
    try:
        resumed = wait_for_line(process, r"\[worker 0\] worker 0 starts at global step (\d+)", lines)
        assert resumed and int(resumed.group(1)) > 0, "".join(lines)
        assert wait_for_line(process, r"\[worker 0\] global step", lines), "".join(lines)
        process.send_signal(signal.SIGINT)
        lines.extend(process.stdout)
        assert process.wait(timeout=30) == 130, "".join(lines)
    finally:
        if process.poll() is None:
            process.kill()
    output = "".join(lines)
    assert f"Continuing the run in {run_dir}" in output
    assert "Interrupted." in output
    assert_all_gone(output)


def test_a_host_that_does_not_answer_stops_the_task_after_the_timeout():
    ps_port, worker_port = cluster.free_ports(2)
    started = time.monotonic()
    status, output = run_lesson("--job-name", "worker", "--task-index", "0", "--ps-hosts", f"127.0.0.1:{ps_port}",
                                "--worker-hosts", f"127.0.0.1:{worker_port}", "--timeout", "2", timeout=60)
    assert status == 1, output[-3000:]
    assert f"127.0.0.1:{ps_port} did not answer within 2 seconds (--timeout)" in output
    assert "Traceback" not in output
    assert time.monotonic() - started < 40


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
