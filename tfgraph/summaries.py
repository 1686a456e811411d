"""TensorBoard output: run folders, their writers, scalars, histograms, images and embeddings.

Every lesson run gets `logs/<lesson>/<run>/` with two event-file folders, `train/`
(which also holds the graph) and `test/`, so that TensorBoard overlays a run's
training and test curves; the run folder itself holds the run's settings for the
HParams dashboard, as Keras's TensorBoard callback lays them out. Run names start
with the time and then say what was set (learning rate, seed, ...), so runs with
different settings compare side by side.

Histograms, images and the embedding are computed with NumPy from values the
Session fetched and written as summary protos: they add no ops to the lesson's
graph, so the graph a learner sees in TensorBoard is the article's.
"""
import datetime
import io
import json
import math
import os
import shlex
from pathlib import Path

import numpy as np
import tensorflow as tf
from PIL import Image

from tfgraph.checkpoints import Checkpoints
from tfgraph.errors import TfgraphError
from tfgraph.runs import lock_run

tf1 = tf.compat.v1


def run_name(settings=None, now=None):
    """A run folder name: the time, then `key=value` for each setting, `key` alone for a True one (every lesson)."""
    stamp = (now or datetime.datetime.now()).strftime("%Y%m%d-%H%M%S")
    parts = [stamp] + [key if value is True else f"{key}={value:g}" if isinstance(value, float) else f"{key}={value}"
                       for key, value in (settings or {}).items()]
    return ",".join(parts)


def make_run_dir(logdir, lesson, settings=None):
    """Create and return a new, unique `logdir/lesson/<run>` folder (introduced by every lesson).

    Two runs started in the same second get different folders (`...-2`, `...-3`):
    the folder is claimed with an exclusive `mkdir`, so racing runs cannot share one.
    """
    parent = Path(logdir) / lesson
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise TfgraphError(
            f"Cannot create the log folder {parent}: {error.strerror or error}. Choose a folder you can "
            "write to with --logdir (for example --logdir ~/tfgraph-logs).") from None
    base = run_name(settings)
    for attempt in range(1, 1000):
        candidate = parent / (base if attempt == 1 else f"{base}-{attempt}")
        try:
            candidate.mkdir()
            return candidate
        except FileExistsError:
            continue
        except OSError as error:
            raise TfgraphError(
                f"Cannot create the run folder {candidate}: {error.strerror or error}. Choose a folder you "
                "can write to with --logdir.") from None
    raise TfgraphError(f"Too many runs named {base} under {parent}; remove some of them.")


class Run:
    """One lesson run's folder, its two event writers (`train` with the graph, `test`) and its checkpoints.

    `resuming` says that the folder holds an earlier run to continue; `resume_command`
    is what a learner types to continue it (printed when training is interrupted).
    """

    def __init__(self, directory, graph=None, *, resuming=False, checkpoint_seconds=60.0, resume_command=None):
        self.dir = Path(directory)
        self.graph = graph or tf.Graph()
        self.resuming = resuming
        self.resume_command = resume_command
        self.dry_run = False  # set by cli.open_run: the closing lines say what a dry run's numbers mean
        self._lock = lock_run(self.dir)  # before anything is written: a second process must not write too
        self.checkpoints = Checkpoints(self.dir / "checkpoints", self.graph, checkpoint_seconds)
        self.last_step = 0  # samples seen when training ended, the step of the final summaries
        self.gradient_tensors = None  # built by training.log_histograms on first use
        self.cleanups = []  # called once when the run is closed
        # FileWriter refuses to work eagerly; building it inside a graph context is enough.
        with self.graph.as_default():
            self.train = tf1.summary.FileWriter(str(self.dir / "train"), graph=graph)
            self.test = tf1.summary.FileWriter(str(self.dir / "test"))

    def write_settings(self, settings):
        """Record the run's settings for TensorBoard's HParams dashboard (in the run folder itself)."""
        from tensorboard.plugins.hparams import summary_v2 as hparams

        values = {key: (value if isinstance(value, (bool, int, float, str)) else str(value))
                  for key, value in settings.items()}
        with self.graph.as_default():
            writer = tf1.summary.FileWriter(str(self.dir))
        writer.add_summary(hparams.hparams_pb(values, trial_id=self.dir.name).SerializeToString())
        writer.close()

    def restart_at(self, step):
        """Tell TensorBoard that training restarts at `step`, so it drops events the killed run wrote after it."""
        for writer in (self.train, self.test):
            writer.add_session_log(tf1.SessionLog(status=tf1.SessionLog.START), step)

    def flush(self):
        """Write pending events of both writers to disk."""
        self.train.flush()
        self.test.flush()

    def close(self, error_in_flight=False):
        """Flush and close both writers, run the cleanups registered on the run and let go of it.

        A writer that cannot write (a full disk) raises a TfgraphError, unless another
        error is already on its way (`error_in_flight`): that one says what went wrong first.
        """
        problems = []
        for writer in (self.train, self.test):
            try:
                writer.close()
            except Exception as error:  # TensorFlow raises RuntimeError or an OpError here
                problems.append(error)
        while self.cleanups:
            self.cleanups.pop()()
        if self._lock is not None:
            self._lock.close()  # closing the file lets go of its lock
            self._lock = None
        if problems and not error_in_flight:
            message = str(getattr(problems[0], "message", None) or problems[0]).strip().splitlines()[0][:200]
            raise TfgraphError(
                f"Cannot write the TensorBoard events in {self.dir}: {message}. The disk may be full: free some "
                "space or choose another --logdir. The checkpoints saved so far are whole; --resume "
                "continues from the last one.")

    def __enter__(self):
        return self

    def __exit__(self, exc_type, error, traceback):
        self.close(error_in_flight=error is not None)
        stopped_by_user = exc_type is KeyboardInterrupt or getattr(error, "exit_status", 1) == 130
        if error is not None and not self.resuming and not stopped_by_user \
                and not (self.checkpoints.dir / "checkpoint").exists():
            self._mark_failed()

    def _mark_failed(self):
        """Rename a new run that failed before saving a checkpoint to `<name>,failed`, so it looks like no real run."""
        failed = self.dir.with_name(self.dir.name + ",failed")
        try:
            self.dir.rename(failed)
            self.dir = failed
        except OSError:
            pass  # the error being raised matters more than the folder's name


def start_run(logdir, lesson, graph, settings=None):
    """Make a new run folder for `lesson` and open its writers with `graph` (introduced by every lesson)."""
    return Run(make_run_dir(logdir, lesson, settings), graph)


def add_scalars(writer, step, **values):
    """Write each `tag=value` as a scalar summary at `step` (introduced by linear regression)."""
    summary = tf1.Summary(value=[tf1.Summary.Value(tag=tag, simple_value=float(value))
                                 for tag, value in values.items()])
    writer.add_summary(summary, step)


def latest_run_dir(logdir, lesson):
    """The newest run folder of `lesson` under `logdir` that has a checkpoint and is no dry run, or None."""
    parent = Path(logdir) / lesson
    runs = [path for path in parent.iterdir() if (path / "checkpoints" / "checkpoint").exists()
            and not is_dry_run(path)] if parent.is_dir() else []
    return max(runs, key=lambda path: (path / "checkpoints" / "checkpoint").stat().st_mtime, default=None)


def is_dry_run(run_dir):
    """Whether the run in `run_dir` was a --dry-run (its run.json says so; an unreadable one counts as no)."""
    try:
        with open(Path(run_dir) / "run.json", encoding="utf-8") as stream:
            saved = json.load(stream)
        return bool(saved.get("dry_run")) or "--dry-run" in saved.get("argv", [])
    except (OSError, ValueError, AttributeError):
        return False


def add_histograms(writer, step, **arrays):
    """Write each `tag=array` as a histogram summary at `step` (introduced by the fully connected net)."""
    values = []
    for tag, array in arrays.items():
        array = np.asarray(array, dtype=np.float64).ravel()
        counts, edges = np.histogram(array, bins=30)
        histogram = tf1.HistogramProto(min=float(array.min()), max=float(array.max()), num=array.size,
                                       sum=float(array.sum()), sum_squares=float(np.dot(array, array)))
        histogram.bucket_limit.extend(edges[1:].tolist())
        histogram.bucket.extend(counts.astype(float).tolist())
        values.append(tf1.Summary.Value(tag=tag, histo=histogram))
    writer.add_summary(tf1.Summary(value=values), step)


def png_bytes(image):
    """PNG bytes of a greyscale image given as floats in [0, 1] (any other range is stretched to it)."""
    image = np.asarray(image, dtype=np.float64).squeeze()
    low, high = image.min(), image.max()
    if low < 0 or high > 1:
        image = (image - low) / (high - low) if high > low else np.zeros_like(image)
    buffer = io.BytesIO()
    Image.fromarray(np.round(image * 255).astype(np.uint8), mode="L").save(buffer, format="PNG")
    return buffer.getvalue()


def add_images(writer, step, images):
    """Write each `tag: image` of the dict `images` as an image summary at `step` (fully connected net)."""
    values = []
    for tag, image in images.items():
        height, width = np.asarray(image).squeeze().shape[:2]
        values.append(tf1.Summary.Value(tag=tag, image=tf1.Summary.Image(
            height=height, width=width, colorspace=1, encoded_image_string=png_bytes(image))))
    writer.add_summary(tf1.Summary(value=values), step)


def tile(images, columns=None, pad=1):
    """One image of `images` (N, h, w) laid out in a grid, `pad` pixels apart, for sprites and filters."""
    images = np.asarray(images, dtype=np.float64)
    count, height, width = images.shape[:3]
    columns = columns or math.ceil(math.sqrt(count))
    rows = math.ceil(count / columns)
    grid = np.zeros((rows * (height + pad) - pad, columns * (width + pad) - pad))
    for index, image in enumerate(images.reshape(count, height, width)):
        row, column = divmod(index, columns)
        grid[row * (height + pad):row * (height + pad) + height,
             column * (width + pad):column * (width + pad) + width] = image
    return grid


def log_test_digits(run, test_X, test_Y, predictions, step, limit=12):
    """Log a few test digits, and the misclassified ones with predicted and true labels (fully connected net)."""
    images = np.asarray(test_X).reshape(-1, 28, 28)
    labels = np.argmax(test_Y, axis=1)
    add_images(run.test, step, {"digits/inputs": tile(images[:limit], columns=limit // 2)})
    wrong = np.flatnonzero(predictions != labels)[:limit]
    add_images(run.test, step, {f"misclassified/{n + 1:02d} predicted {predictions[i]}, true {labels[i]}": images[i]
                                for n, i in enumerate(wrong)})
    return len(np.flatnonzero(predictions != labels))


def log_embedding(run, vectors, test_X, test_Y):
    """Save `vectors` (one row per test digit) for TensorBoard's projector, with a sprite and labels (fully connected net).

    The projector reads `test/projector_config.pbtxt`, the latest checkpoint in `test/`, the
    digits' sprite image and a metadata file with one label per line.
    """
    from tensorboard.plugins import projector

    folder = run.dir / "test"
    folder.mkdir(parents=True, exist_ok=True)
    vectors = np.asarray(vectors, dtype=np.float32).reshape(len(vectors), -1)
    images = np.asarray(test_X[:len(vectors)]).reshape(-1, 28, 28)
    Image.fromarray(np.round(tile(images, pad=0) * 255).astype(np.uint8), mode="L").save(folder / "sprite.png")
    (folder / "metadata.tsv").write_text("".join(f"{label}\n" for label in np.argmax(test_Y[:len(vectors)], 1)))
    graph = tf.Graph()
    with graph.as_default():
        embedding = tf.Variable(vectors, name="embedding")
        saver = tf1.train.Saver([embedding])
        with tf1.Session(graph=graph) as sess:
            sess.run(embedding.initializer)
            saver.save(sess, str(folder / "embedding.ckpt"), write_meta_graph=False)
    config = projector.ProjectorConfig()
    entry = config.embeddings.add()
    entry.tensor_name = "embedding"
    entry.metadata_path = "metadata.tsv"
    entry.sprite.image_path = "sprite.png"
    entry.sprite.single_image_dim.extend([28, 28])
    projector.visualize_embeddings(str(folder), config)


def tensorboard_command(logdir):
    """The shell command that opens `logdir` in TensorBoard."""
    return "tensorboard --logdir " + shlex.quote(os.fspath(logdir))
