"""Checkpoints, resume and Ctrl-C: runs that are killed or interrupted lose nothing."""
import os
import re
import shlex
import signal
import time
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from tfgraph import resume
from tfgraph.checkpoints import Checkpoints
from tfgraph.errors import TfgraphError
from tests.helpers import run_python, start_python

tf1 = tf.compat.v1
ROOT = Path(__file__).resolve().parents[1]
# Fully connected on the sample: no dropout, so every op is deterministic on the CPU and
# a resumed run must end exactly where an uninterrupted one does.
FLAGS = ["--sample", "--epochs", "5", "--how-often", "10", "--checkpoint-every", "0", "--device", "cpu"]


def start_lesson(logdir, *flags):
    return start_python("-m", "lessons.fully_connected", *flags, "--logdir", str(logdir))


def final_accuracy(stdout):
    return re.search(r"Final accuracy was ([\d.]+)", stdout).group(1)


def wait_for_checkpoint(logdir, min_samples, process, timeout=120):
    """Block until the run under logdir saved a checkpoint past `min_samples` samples."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        steps = [int(path.stem.split("-")[1]) for path in Path(logdir).glob("fully_connected/*/checkpoints/position-*.json")]
        if any(step >= min_samples for step in steps):
            return
        assert process.poll() is None, process.communicate()
        time.sleep(0.02)
    raise AssertionError("no checkpoint appeared")


@pytest.mark.slow
def test_sigkill_mid_epoch_then_resume_ends_like_an_uninterrupted_run(tmp_path):
    uninterrupted = start_lesson(tmp_path / "whole", *FLAGS)
    killed = start_lesson(tmp_path / "killed", *FLAGS)
    wait_for_checkpoint(tmp_path / "killed", 7_000, killed)  # in the second epoch of 5,000 samples
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    out, err = uninterrupted.communicate(timeout=300)
    assert uninterrupted.returncode == 0, err[-2000:]

    resumed = start_lesson(tmp_path / "killed", "--resume")  # the run's own flags come from its run.json
    resumed_out, resumed_err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, resumed_err[-2000:]
    assert "Resuming from" in resumed_out
    assert final_accuracy(resumed_out) == final_accuracy(out)

    # One TensorBoard run, its steps continuing: the test accuracies match the uninterrupted run's.
    def accuracies(logdir):
        run_dir = next((logdir / "fully_connected").iterdir())
        events = EventAccumulator(str(run_dir / "test"))
        events.Reload()
        return [(event.step, round(event.value, 6)) for event in events.Scalars("accuracy")]

    assert len(list((tmp_path / "killed" / "fully_connected").iterdir())) == 1
    assert accuracies(tmp_path / "killed") == accuracies(tmp_path / "whole")


@pytest.mark.slow
def test_ctrl_c_saves_a_checkpoint_says_how_to_resume_and_exits_130(tmp_path):
    process = start_lesson(tmp_path, "--sample", "--epochs", "10", "--how-often", "10")
    deadline = time.time() + 120
    while not list(tmp_path.glob("fully_connected/*/train/events.*")) and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(1.5)  # well into training
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 130, err[-2000:]
    assert "Traceback" not in err
    match = re.search(r"Continue with: (python -m lessons.fully_connected .*--resume (.+))$", err, re.M)
    assert match, err[-1000:]
    run_dir = Path(match.group(2).strip("'"))
    assert list((run_dir / "checkpoints").glob("model.ckpt-*.index"))

    resumed = run_python(*shlex.split(match.group(1))[1:])
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "Resuming from" in resumed.stdout and "Finished training for 10 epochs" in resumed.stdout


def test_second_ctrl_c_interrupts_at_once():
    before = signal.getsignal(signal.SIGINT)
    with resume.StopOnInterrupt() as interrupt:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.1)
        assert interrupt.requested
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(1)
    assert signal.getsignal(signal.SIGINT) is before


def test_ctrl_c_handling_ends_with_the_run_even_if_the_loop_raised(tmp_path):
    """A lesson loop that raises leaves its generator open; closing the run restores Ctrl-C."""
    from tfgraph.runs import Run

    graph, weights, bump, init = small_graph()
    before = signal.getsignal(signal.SIGINT)
    with Run(tmp_path, graph) as run, tf1.Session(graph=graph) as sess:
        sess.run(init)
        epochs = resume.resumable_epochs(sess, run, 3, {})
        next(epochs)
        assert signal.getsignal(signal.SIGINT) is not before
    assert signal.getsignal(signal.SIGINT) is before
    del epochs


def small_graph():
    graph = tf.Graph()
    with graph.as_default():
        weights = tf.Variable(np.arange(6, dtype=np.float32).reshape(2, 3), name="weights")
        bump = weights.assign_add(tf.ones([2, 3]))
        init = tf1.global_variables_initializer()
    return graph, weights, bump, init


def test_a_crash_while_saving_leaves_the_last_checkpoint_whole(tmp_path, monkeypatch):
    graph, weights, bump, init = small_graph()
    checkpoints = Checkpoints(tmp_path, graph, every_seconds=0)
    with tf1.Session(graph=graph) as sess:
        sess.run(init)
        checkpoints.save(sess, 1, {"step": 1})
        sess.run(bump)

        def crash(*args, **kwargs):
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(checkpoints.saver, "save", crash)
        with pytest.raises(TfgraphError, match="No space left on device.*previous checkpoint, if any, is still whole"):
            checkpoints.save(sess, 2, {"step": 2})
    path, position = Checkpoints(tmp_path, graph).latest()
    assert position == {"step": 1}
    with tf1.Session(graph=graph) as sess:
        Checkpoints(tmp_path, graph).restore(sess, path)
        assert sess.run(weights).tolist() == [[0, 1, 2], [3, 4, 5]]


def test_only_the_last_two_checkpoints_are_kept(tmp_path):
    graph, weights, bump, init = small_graph()
    checkpoints = Checkpoints(tmp_path, graph)
    with tf1.Session(graph=graph) as sess:
        sess.run(init)
        for step in range(1, 5):
            checkpoints.save(sess, step, {"step": step})
    assert sorted(path.name for path in tmp_path.glob("position-*.json")) == ["position-3.json", "position-4.json"]
    assert sorted(path.name for path in tmp_path.glob("*.index")) == ["model.ckpt-3.index", "model.ckpt-4.index"]


def test_a_lessons_own_loop_resumes_where_it_stopped(tmp_path, capsys):
    """Linear regression stopped at 120 of 200 steps and resumed fits the line an uninterrupted run fits."""
    from lessons import linear_regression
    whole = linear_regression.main(["--logdir", str(tmp_path / "whole")])
    linear_regression.main(["--epochs", "120", "--logdir", str(tmp_path / "parts")])
    resumed = linear_regression.main(["--logdir", str(tmp_path / "parts"), "--resume", "--epochs", "200"])
    assert "Resuming from" in capsys.readouterr().out
    assert resumed[:2] == whole[:2]  # the same w and b
    assert resumed[2] == whole[2]  # and the same 200 costs, the first 120 restored from the checkpoint


def saved_three(tmp_path):
    """Checkpoints 1, 2, 3 of the small graph (2 and 3 kept); returns (graph, weights, checkpoints)."""
    graph, weights, bump, init = small_graph()
    checkpoints = Checkpoints(tmp_path, graph)
    with tf1.Session(graph=graph) as sess:
        sess.run(init)
        for step in (1, 2, 3):
            sess.run(bump)
            checkpoints.save(sess, step, {"step": step})
    return graph, weights, checkpoints


def cut(fraction):
    return lambda path: path.write_bytes(path.read_bytes()[:int(path.stat().st_size * fraction)])


def flip(at):
    def damage(path):
        data = bytearray(path.read_bytes())
        data[int(len(data) * at)] ^= 0xFF
        path.write_bytes(bytes(data))
    return damage


DATA, INDEX, POSITION = "model.ckpt-3.data-00000-of-00001", "model.ckpt-3.index", "position-3.json"


# Every way a disk, a copy or a kill can leave the newest checkpoint: (file, what happens to it, the reason given).
@pytest.mark.parametrize("part, damage, reason", [
    (DATA, cut(1 / 3), "shorter than its .index says"),
    (DATA, cut(0), "shorter than its .index says"),
    (DATA, flip(0.5), "Checksum does not match"),
    (DATA, Path.unlink, "its .data file is missing"),  # an index without its data
    (INDEX, cut(0), "too short"),
    (INDEX, cut(0.5), ""),
    (INDEX, flip(0.3), ""),
    (INDEX, Path.unlink, "its .index file is missing"),  # data without its index
    (POSITION, lambda path: path.write_text("{not json"), "Expecting property name"),
    (POSITION, lambda path: path.write_text("[1, 2]"), "holds no JSON object"),
    (POSITION, Path.unlink, "its position file is missing"),
], ids=["data cut to a third", "data emptied", "data bit flipped", "index without data", "index emptied",
        "index cut in half", "index bit flipped", "data without index", "position not JSON", "position a list",
        "position missing"])
def test_a_damaged_newest_checkpoint_falls_back_to_the_previous_one_and_says_why(tmp_path, capsys, part, damage,
                                                                                 reason):
    graph, weights, checkpoints = saved_three(tmp_path)
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir() if path.name != part}
    damage(tmp_path / part)
    with tf1.Session(graph=graph) as sess:
        path, position = Checkpoints(tmp_path, graph).restore_latest(sess)
        assert position == {"step": 2} and path.endswith("model.ckpt-2")
        assert sess.run(weights).tolist() == [[2, 3, 4], [5, 6, 7]]
    said = capsys.readouterr().out
    assert f"The newest checkpoint {tmp_path / 'model.ckpt-3'} is damaged (" in said and reason in said
    assert f"resuming from the previous one, {tmp_path / 'model.ckpt-2'}." in said
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir() if path.name != part} == before


def test_every_checkpoint_damaged_is_explained_and_nothing_is_deleted(tmp_path):
    graph, weights, checkpoints = saved_three(tmp_path)
    cut(1 / 3)(tmp_path / DATA)
    (tmp_path / "position-2.json").write_text("{not json")
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    with pytest.raises(TfgraphError, match="No checkpoint in .* can be read: .*model.ckpt-3 .*model.ckpt-2 .*"
                                           "start a new run without --resume. Nothing in the run folder was changed"):
        Checkpoints(tmp_path, graph).latest()
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == before


@pytest.mark.parametrize("pointer", [
    'model_checkpoint_path: "model.ckpt-9"\nall_model_checkpoint_paths: "model.ckpt-9"\n',  # names files gone
    "\xff\x00 not a checkpoint state {{",  # not even text
])
def test_a_checkpoint_file_naming_what_is_not_there_is_not_needed(tmp_path, pointer):
    """Resuming reads the files themselves, and the next save still keeps the two newest checkpoints."""
    graph, weights, checkpoints = saved_three(tmp_path)
    (tmp_path / "checkpoint").write_bytes(pointer.encode("latin-1"))
    resumed = Checkpoints(tmp_path, graph, every_seconds=0)
    with tf1.Session(graph=graph) as sess:
        path, position = resumed.restore_latest(sess)
        assert position == {"step": 3} and sess.run(weights).tolist() == [[3, 4, 5], [6, 7, 8]]
        resumed.save(sess, 4, {"step": 4})
    assert sorted(path.name for path in tmp_path.glob("*.index")) == ["model.ckpt-3.index", "model.ckpt-4.index"]
    assert Checkpoints(tmp_path, graph).latest()[1] == {"step": 4}


def test_restore_latest_without_any_checkpoint(tmp_path):
    graph, weights, bump, init = small_graph()
    with tf1.Session(graph=graph) as sess, pytest.raises(TfgraphError, match="There is no checkpoint to resume"):
        Checkpoints(tmp_path, graph).restore_latest(sess)


def test_a_save_clears_what_killed_saves_left_behind(tmp_path):
    graph, weights, checkpoints = saved_three(tmp_path)
    leftovers = [tmp_path / "model.ckpt-7.index", tmp_path / "model.ckpt-7.data-00000-of-00001",
                 tmp_path / ".position-9.jsonab12.tmp", tmp_path / "position-1.json", tmp_path / "checkpoint.tmp5f3e",
                 tmp_path / "model.ckpt-3.data-00000-of-00001.tempstate123"]
    for path in leftovers:
        path.write_bytes(b"x" * 1000)
    (tmp_path / "model.ckpt-8_temp").mkdir()
    (tmp_path / "model.ckpt-8_temp" / "part-00000-of-00001.data-00000-of-00001").write_bytes(b"x")
    with tf1.Session(graph=graph) as sess:
        checkpoints.restore(sess, str(tmp_path / "model.ckpt-3"))
        checkpoints.save(sess, 4, {"step": 4})
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "checkpoint", "model.ckpt-3.data-00000-of-00001", "model.ckpt-3.index", "model.ckpt-4.data-00000-of-00001",
        "model.ckpt-4.index", "position-3.json", "position-4.json"]


def test_position_files_get_the_umasks_mode(tmp_path):
    previous = os.umask(0o027)
    try:
        saved_three(tmp_path)
    finally:
        os.umask(previous)
    assert {path.stat().st_mode & 0o777 for path in tmp_path.glob("position-*.json")} == {0o640}
