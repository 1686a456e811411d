"""`train_model`'s loop for a `tf.function` training step, without a Session (the tf_function lesson).

The same epochs and batches in the same order, the same test subsets (two NumPy streams
spawned from `seed`, drawn as `train_model` draws them) and the article's closing lines,
so a TensorFlow 2 lesson prints what its TensorFlow 1 twin prints. TensorBoard is written
through TF2's `tf.summary` writers; checkpoints through a `tf.train.CheckpointManager`, with
a position file beside each (written whole first), so `--resume` continues at the last saved
epoch with the same order and test subsets as an uninterrupted run.
"""
import json
import time
from pathlib import Path

import numpy as np
import tensorflow as tf

from tfgraph.atomic import write_json_atomically
from tfgraph.errors import TfgraphError
from tfgraph.training import AccuracyHistory, check_cost


def save_checkpoint(manager, position):
    """Save `position` (a JSON-able dict), then the manager's checkpoint, both numbered by samples seen."""
    folder, step = Path(manager.directory), position["samples_seen"]
    folder.mkdir(parents=True, exist_ok=True)
    write_json_atomically(folder / f"position-{step}.json", position)
    manager.save(checkpoint_number=step)
    kept = {f"position-{path.rsplit('-', 1)[1]}.json" for path in manager.checkpoints}
    for path in folder.glob("position-*.json"):
        if path.name not in kept:  # its checkpoint went beyond max_to_keep
            path.unlink()


def restore_checkpoint(manager):
    """Restore the manager's newest checkpoint; return the position saved with it, or explain why not."""
    path = manager.latest_checkpoint
    try:
        if path is None:
            raise ValueError(f"{manager.directory} holds none")
        position_file = Path(manager.directory) / f"position-{path.rsplit('-', 1)[1]}.json"
        position = json.loads(position_file.read_text(encoding="utf-8"))
        manager.checkpoint.restore(path).assert_existing_objects_matched()
    except (OSError, ValueError, AssertionError, tf.errors.OpError) as error:
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0][:300]
        raise TfgraphError(f"Cannot resume from the checkpoint {path or manager.directory}: {first_line}. Resume "
                           "with the original run's flags, or start a new run without --resume.") from None
    print(f"Resuming from {path} (epoch {position['epoch'] + 1}, {position['samples_seen']} samples seen)")
    return position


def train_function(train_step, accuracy_of, train_X, train_Y, test_X, test_Y, num_epochs, batch_size, test_size,
                   how_often, *, run_dir, manager, resuming=False, shuffle=True, seed=None, checkpoint_every=60.0,
                   trace=False):
    """Train with `train_step(X, Y) -> (cost, batch accuracy)`, measuring `accuracy_of(images, labels)` as it goes.

    `train_model`'s loop and closing lines (tf_function lesson). Scalars go to `run_dir`'s
    `train/` (cost, batch accuracy) and `test/` (accuracy); the second step runs under
    `tf.summary.trace_on`, and its graph (with `trace`, its profile too) goes to `train/`.
    A checkpoint is saved at an epoch's end once `checkpoint_every` seconds have passed,
    and at the end; with `resuming`, the newest one is restored first. Returns the
    accuracies (a `training.AccuracyHistory`).
    """
    order_rng, test_rng = (np.random.default_rng(stream) for stream in np.random.SeedSequence(seed).spawn(2))
    history, position = AccuracyHistory(), {"epoch": 0, "samples_seen": 0, "seconds": 0.0, "eval_seconds": 0.0}
    if resuming:
        position = restore_checkpoint(manager)
        order_rng.bit_generator.state, test_rng.bit_generator.state = position["order_rng"], position["test_rng"]
        for samples, accuracy in zip(position["samples"], position["accuracies"]):
            history.record(samples, accuracy)
    writers = {name: tf.summary.create_file_writer(str(Path(run_dir) / name)) for name in ("train", "test")}
    samples_seen, steps = position["samples_seen"], 0
    started, saved = time.perf_counter() - position["seconds"], time.monotonic()

    def measure():
        began = time.perf_counter()
        subset = test_rng.choice(len(test_X), test_size, replace=False) if test_size < len(test_X) else slice(None)
        history.record(samples_seen, accuracy_of(test_X[subset], test_Y[subset]))
        position["eval_seconds"] += time.perf_counter() - began
        with writers["test"].as_default(step=samples_seen):
            tf.summary.scalar("accuracy", history[-1])

    for epoch in range(position["epoch"], num_epochs):
        order = order_rng.permutation(len(train_X)) if shuffle else np.arange(len(train_X))
        for batch, first in enumerate(range(0, len(train_X), batch_size)):
            rows = order[first:first + batch_size]
            if steps == 1:  # the first step traced the function; the second shows it running
                tf.summary.trace_on(graph=True, profiler=trace,
                                    profiler_outdir=str(Path(run_dir) / "train") if trace else None)
            cost, batch_accuracy = train_step(train_X[rows], train_Y[rows])
            samples_seen, steps = samples_seen + len(rows), steps + 1
            if steps == 2:
                with writers["train"].as_default():
                    tf.summary.trace_export("train_step", step=samples_seen)
                if trace:
                    print(f"Profiled one training step into {Path(run_dir) / 'train' / 'plugins' / 'profile'}: "
                          "TensorBoard's Profile dashboard shows it (pip install tensorboard-plugin-profile)")
            if batch % how_often == 0:
                check_cost(cost, epoch, batch, samples_seen)
                with writers["train"].as_default(step=samples_seen):
                    tf.summary.scalar("cost", cost)
                    tf.summary.scalar("accuracy", batch_accuracy)
                measure()
        measure()
        print(f"Epoch {epoch + 1}: test accuracy {history[-1]:.4f}")
        position.update(epoch=epoch + 1, samples_seen=samples_seen, seconds=time.perf_counter() - started,
                        order_rng=order_rng.bit_generator.state, test_rng=test_rng.bit_generator.state,
                        accuracies=list(history), samples=list(history.samples))
        if epoch + 1 == num_epochs or time.monotonic() - saved >= checkpoint_every:
            save_checkpoint(manager, position)
            saved = time.monotonic()
    _closing(history, position, num_epochs, time.perf_counter() - started)
    history.final_accuracy = accuracy_of(test_X, test_Y)
    history.record(samples_seen, history.final_accuracy)
    with writers["test"].as_default(step=samples_seen):
        tf.summary.scalar("final_accuracy", history.final_accuracy)
    for writer in writers.values():
        writer.close()
    print("Final accuracy was %.04f" % history.final_accuracy)
    return history


def _closing(history, position, num_epochs, seconds):
    """Fill in the history's times and print `train_model`'s "Finished", "Took" and time-split lines."""
    history.seconds, history.eval_seconds, history.num_epochs = seconds, position["eval_seconds"], num_epochs
    history.train_seconds = seconds - history.eval_seconds
    print("Finished training for %d epoch%s" % (num_epochs, "" if num_epochs == 1 else "s"))
    print("Took %.02f seconds (%.02f s per epoch)" % (seconds, seconds / num_epochs))
    print("  training %.02f s (%.02f s per epoch), measuring test accuracy %.02f s"
          % (history.train_seconds, history.train_seconds / num_epochs, history.eval_seconds))
