"""The distributed lesson's tasks run by hand (flags, or TF_CONFIG only) and --sync under faults.

Every task is a real process on 127.0.0.1; each test checks that it ends as it should,
saying why, within --timeout plus a few seconds, and that no process or port is left.
"""
import json
import os
import re
import shlex
import signal
import subprocess
import time

import pytest

from tests.helpers import start_python
from tests.test_distributed import FINAL, Lesson, alive, assert_all_gone, assert_launch_gone, only_run
from tests.test_distributed_faults import FEW, assert_finished, reach
from tfgraph import cluster

pytestmark = pytest.mark.slow


@pytest.fixture
def started():
    """The processes a test starts by hand; any still running at its end is killed."""
    processes = []
    yield processes
    for lesson in processes:
        lesson.kill()


def worker_steps(output):
    """{worker index: steps it made}, from each worker's closing line."""
    return {int(index): int(steps) for index, steps in re.findall(r"(?:^|\] )worker (\d+): (\d+) steps in",
                                                                           output, re.M)}


def test_sync_run_ends_at_its_last_step(tmp_path):
    # --sync --epochs 2: 100 global steps, the chief's accuracy check due at its 100th step.
    lesson = Lesson("--sync", "--epochs", "2", "--logdir", str(tmp_path))
    assert lesson.finish() == 0, lesson.output[-3000:]
    assert "(10000 samples, sync)" in lesson.output and FINAL.search(lesson.output)
    steps = worker_steps(lesson.output)
    assert sum(steps.values()) >= 200 and min(steps.values()) > 80, steps  # the issue saw 401 and 1
    assert "Traceback" not in lesson.output and "Exception in thread" not in lesson.output
    assert_launch_gone(lesson)


def test_sync_worker_killed_and_restarted_mid_run_trains_to_the_end(tmp_path, started):
    lesson = Lesson("--sync", "--epochs", "8", "--how-often", "10", "--timeout", "90", "--logdir", str(tmp_path))
    started.append(lesson)
    reach(lesson, "middle")
    killed_pid = lesson.tasks()["worker 1"]
    signal_at = time.monotonic()
    os.kill(killed_pid, signal.SIGKILL)
    command = lesson.wait_for(r"\[cluster\] worker 1 was killed by signal 9; the other workers go on\. "
                              r"Restart it with: python (.*)$").group(1)
    rejoined = start_python(*shlex.split(command), stderr=subprocess.STDOUT, bufsize=1)
    try:
        at = int(lesson.wait_for(r"\[worker 0\] global step (\d+):", after=lesson.position).group(1))
        assert_finished(lesson, signal_at)  # the chief waited for the rejoined worker's gradients, then went on
        output = rejoined.communicate(timeout=60)[0]
        assert rejoined.returncode == 0, output[-3000:]
    finally:
        if rejoined.poll() is None:
            rejoined.kill()
            rejoined.wait()
    rejoined_at = int(re.search(r"worker 1 starts at global step (\d+) of 400", output).group(1))
    assert rejoined_at > 0 and worker_steps(output)[1] > 20, output[-2000:]  # it trained again, from mid-run
    assert at > 0 and "(40000 samples, sync)" in lesson.output
    assert_all_gone([rejoined.pid], [])


def test_sync_chief_stops_after_the_timeout_when_a_killed_worker_stays_away(tmp_path):
    lesson = Lesson("--sync", "--epochs", "50", "--how-often", "10", "--timeout", "5", "--logdir", str(tmp_path))
    reach(lesson, "middle")
    os.kill(lesson.tasks()["worker 1"], signal.SIGKILL)
    killed = time.monotonic()
    assert lesson.finish() == 1, lesson.output[-3000:]
    assert time.monotonic() - killed < 5 + FEW
    assert lesson.last_line().startswith("error: Task worker 0 stopped with exit status 1, so the cluster was stopped. "
                                         "It said: Worker 0's training step waited more than 5 seconds (--timeout): "
                                         "with --sync each step waits for a gradient from every replica")
    assert "Traceback" not in lesson.output
    assert_launch_gone(lesson)


def by_hand(started, job, index, ps_hosts, worker_hosts, *flags):
    """Task `job index` of a cluster started by hand, with the official example's flags."""
    lesson = Lesson("--job-name", job, "--task-index", str(index), "--ps-hosts", ",".join(ps_hosts),
                    "--worker-hosts", ",".join(worker_hosts), *flags)
    started.append(lesson)
    return lesson


def test_by_hand_workers_must_agree_with_the_chief_and_a_killed_ps_stops_both(tmp_path, started):
    ports = cluster.free_ports(17)
    ps_hosts, worker_hosts = [f"127.0.0.1:{ports[0]}"], [f"127.0.0.1:{port}" for port in ports[1:]]  # 16 workers
    flags = ("--epochs", "50", "--how-often", "10", "--timeout", "10", "--logdir", str(tmp_path))
    ps = by_hand(started, "ps", 0, ps_hosts, worker_hosts, *flags)
    chief = by_hand(started, "worker", 0, ps_hosts, worker_hosts, *flags)
    chief.wait_for(r"^global step \d+:")  # the chief trains without the 15 other workers: none of them answers
    for other, said in ((("--num-hidden", "100"), "--num-hidden is 620 on the chief and 100 here"),
                        (("--sync",), "--sync is off on the chief and on here")):
        refused = by_hand(started, "worker", 1, ps_hosts, worker_hosts, *flags, *other)
        assert refused.finish() == 1, refused.output[-3000:]
        assert refused.last_line().startswith("error: worker 1 was started with other settings than the chief")
        assert said in refused.last_line()
    worker = by_hand(started, "worker", 1, ps_hosts, worker_hosts, *flags)
    assert int(worker.wait_for(r"worker 1 starts at global step (\d+) of 5000").group(1)) > 0
    time.sleep(2)
    ps.kill()  # kill -9 of the ps: both workers end, saying so, within --timeout and a few seconds
    killed = time.monotonic()
    for lesson in (chief, worker):
        assert lesson.finish(timeout=10 + FEW + 60) == 1, lesson.output[-3000:]
        assert lesson.last_line().startswith("error: "), lesson.output[-3000:]
        assert "Traceback" not in lesson.output, lesson.output[-3000:]
    assert time.monotonic() - killed < 10 + FEW
    assert_all_gone([lesson.pid for lesson in started], ports)
    run_dir = only_run(tmp_path)
    assert run_dir.name.split(",", 1)[1] == "epochs=50,how-often=10,sample,workers=16"  # no host in the name


def tf_config(cluster_hosts, kind, index):
    return {"TF_CONFIG": json.dumps({"cluster": cluster_hosts, "task": {"type": kind, "index": index}})}


def test_a_tf_config_cluster_outlives_a_restarted_ps_and_its_ps_stops_on_ctrl_c(tmp_path, started):
    ports = cluster.free_ports(3)
    hosts = {"chief": [f"127.0.0.1:{ports[0]}"], "worker": [f"127.0.0.1:{ports[1]}"], "ps": [f"127.0.0.1:{ports[2]}"]}
    flags = ("--epochs", "20", "--how-often", "10", "--checkpoint-every", "1", "--timeout", "60",
             "--logdir", str(tmp_path))
    ps = Lesson(*flags, env=tf_config(hosts, "ps", 0))
    chief = Lesson(*flags, env=tf_config(hosts, "chief", 0))
    worker = Lesson(*flags, env=tf_config(hosts, "worker", 0))
    started.extend([ps, chief, worker])
    assert chief.wait_for(r"^worker 0 serving at grpc://127\.0\.0\.1:(\d+)").group(1) == str(ports[0])
    assert worker.wait_for(r"^worker 1 serving at grpc://127\.0\.0\.1:(\d+)").group(1) == str(ports[1])
    worker.wait_for(r"^worker 1 starts at global step")
    chief.wait_for(r"^global step \d+:")
    ps.kill()
    ps = Lesson(*flags, env=tf_config(hosts, "ps", 0))  # a cluster manager restarts it
    started.append(ps)
    ps.wait_for(r"^ps 0 serving at")
    for lesson in (chief, worker):
        assert lesson.finish() == 0, lesson.output[-3000:]
        assert "Traceback" not in lesson.output
    assert FINAL.search(chief.output)
    assert re.search(r"worker 1: \d+ steps in", worker.output)
    ps.process.send_signal(signal.SIGINT)  # a ps run by hand stops on Ctrl-C
    assert ps.finish(timeout=20) == 130 and ps.last_line() == "Interrupted."
    assert_all_gone([lesson.pid for lesson in started], ports)


def test_a_cost_that_becomes_nan_stops_the_run_with_a_paragraph(tmp_path):
    lesson = Lesson("--workers", "1", "--epochs", "1", "--learning-rate", "1e38", "--logdir", str(tmp_path))
    assert lesson.finish() == 1, lesson.output[-3000:]
    assert lesson.last_line().startswith("error: Task worker 0 stopped with exit status 1, so the cluster was "
                                         "stopped. It said: Training stopped: the cost became nan")
    assert "Final accuracy" not in lesson.output and not (only_run(tmp_path) / "accuracy.png").exists()
    assert_launch_gone(lesson)
    assert not alive(lesson.pid)
