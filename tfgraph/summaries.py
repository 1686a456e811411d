"""TensorBoard output: event writers, scalars, histograms, images, embeddings and HParams.

Every lesson run (`tfgraph.runs`) has two event-file folders, `train/` (which also
holds the graph) and `test/`, so that TensorBoard overlays a run's training and
test curves; the run folder itself holds the run's settings for the HParams
dashboard, as Keras's TensorBoard callback lays them out.

Histograms, images and the embedding are computed with NumPy from values the
Session fetched and written as summary protos: they add no ops to the lesson's
graph, so the graph a learner sees in TensorBoard is the article's.
"""
import io
import math
import os
import shlex
from pathlib import Path

import numpy as np
import tensorflow as tf
from PIL import Image

from tfgraph.atomic import write_atomically, write_text_atomically


tf1 = tf.compat.v1


def open_writers(run_dir, graph):
    """The run's two event writers: `train/` (with `graph`, for the graph dashboard) and `test/`."""
    # FileWriter refuses to work eagerly; building it inside a graph context is enough.
    with graph.as_default():
        return (tf1.summary.FileWriter(str(Path(run_dir) / "train"), graph=graph),
                tf1.summary.FileWriter(str(Path(run_dir) / "test")))


def write_hparams(run_dir, settings):
    """Record a run's settings for TensorBoard's HParams dashboard, in the run folder itself (every lesson)."""
    from tensorboard.plugins.hparams import summary_v2 as hparams

    values = {key: (value if isinstance(value, (bool, int, float, str)) else str(value))
              for key, value in settings.items()}
    with tf.Graph().as_default():
        writer = tf1.summary.FileWriter(str(run_dir))
    writer.add_summary(hparams.hparams_pb(values, trial_id=Path(run_dir).name).SerializeToString())
    writer.close()


def mark_restart(writers, step):
    """Tell TensorBoard that training restarts at `step`, so it drops events a killed run wrote after it."""
    for writer in writers:
        writer.add_session_log(tf1.SessionLog(status=tf1.SessionLog.START), step)


def add_scalars(writer, step, **values):
    """Write each `tag=value` as a scalar summary at `step` (introduced by linear regression)."""
    summary = tf1.Summary(value=[tf1.Summary.Value(tag=tag, simple_value=float(value))
                                 for tag, value in values.items()])
    writer.add_summary(summary, step)


def add_histograms(writer, step, **arrays):
    """Write each `tag=array` as a histogram summary at `step` (introduced by the fully connected net).

    NaN and infinite values are left out (a histogram has no bucket for them); an array
    with no finite value at all writes no histogram.
    """
    values = []
    for tag, array in arrays.items():
        array = np.asarray(array, dtype=np.float64).ravel()
        array = array[np.isfinite(array)]
        if not array.size:
            continue
        counts, edges = np.histogram(array, bins=30)
        histogram = tf1.HistogramProto(min=float(array.min()), max=float(array.max()), num=array.size,
                                       sum=float(array.sum()), sum_squares=float(np.dot(array, array)))
        histogram.bucket_limit.extend(edges[1:].tolist())
        histogram.bucket.extend(counts.astype(float).tolist())
        values.append(tf1.Summary.Value(tag=tag, histo=histogram))
    if values:
        writer.add_summary(tf1.Summary(value=values), step)


def png_bytes(image):
    """PNG bytes of a greyscale image given as floats in [0, 1] (any other range is stretched to it; NaN is black)."""
    image = np.asarray(image, dtype=np.float64).squeeze()
    finite = np.isfinite(image)
    image = np.where(finite, image, 0.0)
    low, high = (image[finite].min(), image[finite].max()) if finite.any() else (0.0, 0.0)
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
    sprite = Image.fromarray(np.round(tile(images, pad=0) * 255).astype(np.uint8), mode="L")
    write_atomically(folder / "sprite.png", lambda stream: sprite.save(stream, format="PNG"), binary=True)
    write_text_atomically(folder / "metadata.tsv",
                          "".join(f"{label}\n" for label in np.argmax(test_Y[:len(vectors)], 1)))
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
