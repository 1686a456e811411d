"""Run folders, writers and scalars, read back from the event files."""
import datetime
import threading

import pytest
import tensorflow as tf
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from tfgraph import resume, runs, summaries
from tfgraph.errors import TfgraphError


def test_run_name_says_when_and_what():
    when = datetime.datetime(2026, 11, 27, 9, 5, 3)
    assert runs.run_name({"lr": 0.001, "seed": 3}, now=when) == "20261127-090503,lr=0.001,seed=3"
    assert runs.run_name(now=when) == "20261127-090503"


def test_runs_started_together_get_their_own_folders(tmp_path):
    folders = []
    threads = [threading.Thread(target=lambda: folders.append(runs.make_run_dir(tmp_path, "cnn", {"seed": 0})))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(folders)) == 8
    assert all(folder.is_dir() and folder.parent == tmp_path / "cnn" for folder in folders)


def test_a_log_folder_that_cannot_be_made_is_explained(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(TfgraphError, match=r"Cannot create the log folder .*--logdir"):
        runs.make_run_dir(blocker / "logs", "cnn")


def test_run_writes_graph_to_train_and_scalars_to_both(tmp_path):
    graph = tf.Graph()
    with graph.as_default():
        with tf.name_scope("model"):
            tf.constant(1.0, name="one")
    with runs.Run(runs.make_run_dir(tmp_path, "lesson"), graph) as run:
        summaries.add_scalars(run.train, 10, cost=2.5, accuracy=0.5)
        summaries.add_scalars(run.test, 10, accuracy=0.25)
    train = EventAccumulator(str(run.dir / "train"))
    train.Reload()
    assert [node.name for node in train.Graph().node] == ["model/one"]
    assert [(e.step, e.value) for e in train.Scalars("cost")] == [(10, 2.5)]
    test = EventAccumulator(str(run.dir / "test"))
    test.Reload()
    assert not test.Tags()["graph"]
    assert [(e.step, e.value) for e in test.Scalars("accuracy")] == [(10, 0.25)]


def test_tensorboard_command_quotes_paths():
    assert summaries.tensorboard_command("logs/cnn") == "tensorboard --logdir logs/cnn"
    assert summaries.tensorboard_command("my logs/cnn") == "tensorboard --logdir 'my logs/cnn'"


def test_run_name_writes_a_true_setting_as_its_name():
    when = datetime.datetime(2026, 11, 27, 9, 5, 3)
    assert runs.run_name({"epochs": 3, "sample": True}, now=when) == "20261127-090503,epochs=3,sample"


def test_a_dry_run_is_not_resumed_by_a_plain_resume(tmp_path):
    for name, dry in (("20260101-000000", False), ("20260101-000001,dry-run", True)):
        (tmp_path / "cnn" / name / "checkpoints").mkdir(parents=True)
        (tmp_path / "cnn" / name / "checkpoints" / "checkpoint").write_text("")
        (tmp_path / "cnn" / name / "run.json").write_text('{"argv": [], "dry_run": %s}' % str(dry).lower())
    assert resume.latest_run_dir(tmp_path, "cnn").name == "20260101-000000"


def test_a_new_run_that_fails_before_a_checkpoint_is_marked_failed(tmp_path):
    with pytest.raises(TfgraphError):
        with runs.Run(tmp_path / "20260101-000000") as run:
            raise TfgraphError("the batch does not fit")
    assert run.dir.name == "20260101-000000,failed" and run.dir.is_dir()
    assert not (tmp_path / "20260101-000000").exists()


def test_flags_given_again_with_resume_replace_the_saved_ones():
    from tfgraph import cli

    parser = cli.lesson_parser("", "linear_regression")
    cli.add_training_flags(parser, num_epochs=200, learning_rate=0.01)
    cli.add_common_flags(parser, uses_mnist=False)
    saved = ["--epochs", "3", "--show", "--logdir", "L", "--seed=4"]
    now = ["--logdir", "L", "--resume", "--epochs", "5", "--seed", "5"]
    assert resume.merge_argv(parser, saved, now) == ["--show", *now]
    assert resume.without_resume(["--resume", "R", "--epochs", "5", "--resume=R", "--resume"]) == ["--epochs", "5"]


def test_histograms_and_images_of_weights_that_are_no_numbers(tmp_path):
    """A diverged run's weights: histograms keep the finite values, skip an array with none, images stay PNGs."""
    import numpy as np

    with runs.Run(tmp_path, tf.Graph()) as run:
        summaries.add_histograms(run.train, 1, mixed=np.array([1.0, np.nan, 3.0, np.inf, -np.inf]),
                                 lost=np.full((2, 3), np.nan), huge=np.array([3e38, -3e38], np.float32))
        summaries.add_images(run.train, 1, {"filters": np.array([[np.nan, 0.0], [2.0, np.inf]])})
    events = EventAccumulator(str(tmp_path / "train"), size_guidance={"histograms": 0, "images": 0})
    events.Reload()
    assert set(events.Tags()["histograms"]) == {"mixed", "huge"}
    mixed = events.Histograms("mixed")[0].histogram_value
    assert (mixed.num, mixed.min, mixed.max, mixed.sum) == (2, 1.0, 3.0, 4.0)
    assert events.Images("filters")[0].encoded_image_string[:8] == b"\x89PNG\r\n\x1a\n"
