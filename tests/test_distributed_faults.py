"""The distributed lesson's fault matrix: kill -9 of each kind of task at the start, in the middle and at the
end of a run, and SIGINT, SIGTERM, SIGHUP and kill -9 to the launcher.

Each case must end within --timeout plus a few seconds with a clear last line, leave no
process and no bound port, and leave a run that --resume continues: each chain of cases
runs on one run folder, every case after the first resuming where the one before
stopped (at its newest checkpoint), and the last one training to the end.
"""
import hashlib
import os
import re
import shutil
import signal
import time

import pytest

from tests.test_distributed import FINAL, Lesson, assert_all_gone, assert_launch_gone, only_run
from tfgraph.chief_checkpoints import saved_steps

pytestmark = pytest.mark.slow

TIMEOUT = 10  # --timeout of every case
FEW = 25  # seconds a fault may take beyond --timeout to end everything, on 2 shared cores
FLAGS = ("--how-often", "10", "--test-size", "200", "--checkpoint-every", "1", "--timeout", str(TIMEOUT))
STEPS_PER_EPOCH = 100  # 5,000 sample images in batches of 50, async: one global step per batch


def start(logdir, *flags, resume=None):
    """A launcher on `logdir`: a new run, or with `resume` a --resume of that run folder."""
    return Lesson(*FLAGS, "--logdir", str(logdir), *flags, *(["--resume", str(resume)] if resume else []))


def assert_continues(lesson, run_dir):
    """The resumed run continues in `run_dir` from its newest checkpoint (or from 0 if it had none)."""
    steps = saved_steps(run_dir / "checkpoints")
    at = int(lesson.wait_for(r"\[worker 0\] worker 0 starts at global step (\d+) of").group(1))
    assert at == (steps[0] if steps else 0), (at, steps)
    assert f"Continuing the run in {run_dir}" in lesson.output


def reach(lesson, phase):
    """Wait until the run is at `phase`: start (all tasks started, none serving yet), middle (training), end."""
    if phase == "start":
        lesson.wait_for(r"\[cluster\] started worker 1")
        return
    last = int(lesson.wait_for(r"\[worker 0\] worker 0 starts at global step \d+ of (\d+)").group(1))
    while True:
        step = int(lesson.wait_for(r"\[worker 0\] global step (\d+):", after=lesson.position).group(1))
        if phase == "middle" or step >= 0.8 * last:
            return


def kill(lesson, name):
    """kill -9 task `name` of the launcher; return when it was killed."""
    os.kill(lesson.tasks()[name], signal.SIGKILL)
    return time.monotonic()


def assert_ends_in_time(lesson, since, status):
    """The launcher ends with `status` within --timeout + FEW seconds of the fault, and nothing is left."""
    assert lesson.finish(timeout=TIMEOUT + FEW + 60) == status, lesson.output[-4000:]
    assert time.monotonic() - since < TIMEOUT + FEW, (time.monotonic() - since, lesson.output[-3000:])
    assert "Traceback" not in lesson.output, lesson.output[-4000:]
    assert_launch_gone(lesson)


def assert_task_failed(lesson, since, name, run_dir):
    """The launcher stopped the cluster because `name` was killed, and its last line says how to continue."""
    assert_ends_in_time(lesson, since, 1)
    assert lesson.last_line().startswith(f"error: Task {name} was killed by signal 9, so the cluster was stopped.")
    assert lesson.last_line().endswith(f"Continue from the chief's last checkpoint with: python -m lessons.distributed "
                                       f"--logdir {run_dir.parent.parent} --resume {run_dir}")


def assert_finished(lesson, since):
    """The run trained to its end: the chief's closing lines, exit 0, nothing left."""
    assert_ends_in_time(lesson, since, 0)
    assert FINAL.search(lesson.output), lesson.output[-3000:]


def epochs_to_finish_soon(run_dir):
    """--epochs for a resume that ends about two epochs after the run's newest checkpoint."""
    return str(saved_steps(run_dir / "checkpoints")[0] // STEPS_PER_EPOCH + 2)


def test_kill_9_of_each_task_at_the_start(tmp_path):
    lesson = start(tmp_path, "--epochs", "2")
    reach(lesson, "start")
    run_dir = only_run(tmp_path)
    assert_task_failed(lesson, kill(lesson, "ps 0"), "ps 0", run_dir)
    lesson = start(tmp_path, resume=run_dir)
    reach(lesson, "start")
    assert_task_failed(lesson, kill(lesson, "worker 0"), "worker 0", run_dir)
    lesson = start(tmp_path, resume=run_dir)
    reach(lesson, "start")
    killed = kill(lesson, "worker 1")  # before its server answers: the chief must not wait for it
    assert_continues(lesson, run_dir)
    assert_finished(lesson, killed)
    assert "[cluster] worker 1 was killed by signal 9; the other workers go on." in lesson.output
    assert only_run(tmp_path) == run_dir


def test_kill_9_of_each_task_in_the_middle(tmp_path):
    lesson = start(tmp_path, "--epochs", "50")
    reach(lesson, "middle")
    kill(lesson, "worker 1")
    lesson.wait_for(r"\[cluster\] worker 1 was killed by signal 9; the other workers go on")
    reach(lesson, "middle")  # the chief goes on alone
    run_dir = only_run(tmp_path)
    assert_task_failed(lesson, kill(lesson, "ps 0"), "ps 0", run_dir)
    lesson = start(tmp_path, resume=run_dir)
    assert_continues(lesson, run_dir)
    reach(lesson, "middle")
    assert_task_failed(lesson, kill(lesson, "worker 0"), "worker 0", run_dir)
    lesson = start(tmp_path, "--epochs", epochs_to_finish_soon(run_dir), resume=run_dir)
    assert_continues(lesson, run_dir)
    assert_finished(lesson, time.monotonic())


def test_kill_9_of_each_task_at_the_end_and_resume_of_the_finished_run(tmp_path):
    lesson = start(tmp_path, "--epochs", "5")
    reach(lesson, "end")
    run_dir = only_run(tmp_path)
    assert_task_failed(lesson, kill(lesson, "ps 0"), "ps 0", run_dir)
    lesson = start(tmp_path, resume=run_dir)
    assert_continues(lesson, run_dir)
    reach(lesson, "end")
    assert_task_failed(lesson, kill(lesson, "worker 0"), "worker 0", run_dir)
    lesson = start(tmp_path, "--epochs", epochs_to_finish_soon(run_dir), resume=run_dir)
    assert_continues(lesson, run_dir)
    reach(lesson, "end")
    assert_finished(lesson, kill(lesson, "worker 1"))
    # --resume of a finished run starts nothing and changes nothing.
    files = {path: path.read_bytes() for path in run_dir.rglob("*") if path.is_file()}
    lesson = start(tmp_path, resume=run_dir)
    assert lesson.finish() == 0, lesson.output[-3000:]
    assert "This run already finished its" in lesson.last_line() and "[cluster]" not in lesson.output
    assert {path: path.read_bytes() for path in run_dir.rglob("*") if path.is_file()} == files


def digests(folder):
    return {path.relative_to(folder): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in folder.rglob("*") if path.is_file()}


def test_sigint_sigterm_sighup_and_kill_9_to_the_launcher_and_a_copied_run(tmp_path):
    lesson = start(tmp_path / "a", "--epochs", "50", "--workers", "1")  # the chief and the ps: what a stop involves
    reach(lesson, "middle")
    run_dir = only_run(tmp_path / "a")
    for stop, status in ((signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129)):
        lesson.process.send_signal(stop)
        assert_ends_in_time(lesson, time.monotonic(), status)
        saved = saved_steps(run_dir / "checkpoints")[0]
        assert f"[worker 0] stopped: Training stopped at global step {saved} of 5000; a checkpoint is saved" \
            in lesson.output
        assert lesson.last_line() == (f"stopped: The cluster was stopped. The chief's last checkpoint is at global "
                                      f"step {saved} of 5000. Continue with: python -m lessons.distributed "
                                      f"--logdir {tmp_path / 'a'} --resume {run_dir}")
        if stop == signal.SIGINT:
            check_a_copy_resumes_its_own_checkpoints(tmp_path, run_dir)
        lesson = start(tmp_path / "a", resume=run_dir)
        assert_continues(lesson, run_dir)
        reach(lesson, "middle")
    tasks = lesson.tasks()
    lesson.process.kill()  # kill -9 of the launcher: its tasks die with it
    lesson.finish()
    assert_all_gone(tasks.values(), lesson.ports(), wait=5)
    lesson = start(tmp_path / "a", "--epochs", epochs_to_finish_soon(run_dir), resume=run_dir)
    assert_continues(lesson, run_dir)
    assert_finished(lesson, time.monotonic())


def check_a_copy_resumes_its_own_checkpoints(tmp_path, original):
    """A copy of the run, its newest checkpoint damaged, resumes from its own previous one; the original stays."""
    copy = tmp_path / "b" / "distributed" / original.name
    shutil.copytree(original, copy)
    newest, previous = saved_steps(copy / "checkpoints")[:2]
    data, = (copy / "checkpoints").glob(f"model.ckpt-{newest}.data-*")
    data.write_bytes(b"\0" * data.stat().st_size)
    before, copied = digests(original), digests(copy)
    lesson = start(tmp_path / "b", "--num-hidden", "100", resume=copy)  # another graph: refused, nothing changed
    assert lesson.finish() == 1 and "[cluster]" not in lesson.output
    assert lesson.last_line().startswith(f"error: --resume continues {copy} with --num-hidden changed")
    assert digests(copy) == copied
    lesson = start(tmp_path / "b", "--epochs", epochs_to_finish_soon(copy), resume=copy)
    assert_continues_from = int(lesson.wait_for(r"\[worker 0\] worker 0 starts at global step (\d+) of").group(1))
    assert assert_continues_from == previous
    assert re.search(rf"\[worker 0\] The newest checkpoint model.ckpt-{newest} \(.*\) is damaged; restoring the one "
                     rf"before it, {re.escape(str(copy / 'checkpoints' / f'model.ckpt-{previous}'))}", lesson.output)
    assert_finished(lesson, time.monotonic())
    assert digests(original) == before  # not one file of the original read as its own, pruned or rewritten
