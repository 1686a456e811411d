"""`tf.summary`, and TensorFlow 0.x's summary functions at the top of `tf` (`tf.scalar_summary`, ...).

The 0.x ops still exist: unlike tf.summary.scalar, they keep the tag as written (no
name scope in front) and take a list of tags for a vector of values.
"""
import tensorflow as tf

from tfgraph.legacy._namespace import Namespace

v1 = tf.compat.v1
VERSION = tf.__version__


def _collected(summary, collections):
    """Add ``summary`` to ``collections`` (default: tf.GraphKeys.SUMMARIES) and return it."""
    for key in [v1.GraphKeys.SUMMARIES] if collections is None else collections:
        v1.add_to_collection(key, summary)
    return summary


def scalar_summary(tags, values, collections=None, name=None):
    """TensorFlow 0.x's scalar_summary(tag or tags, values): the scalars under exactly those tags."""
    return _collected(tf.raw_ops.ScalarSummary(tags=tags, values=values, name=name), collections)


def histogram_summary(tag, values, collections=None, name=None):
    """TensorFlow 0.x's histogram_summary(tag, values)."""
    return _collected(tf.raw_ops.HistogramSummary(tag=tag, values=values, name=name),
                      collections)


def image_summary(tag, tensor, max_images=3, collections=None, name=None):
    """TensorFlow 0.x's image_summary(tag, images, max_images): tags tag/image/0, ..."""
    return _collected(tf.raw_ops.ImageSummary(tag=tag, tensor=tensor, max_images=max_images,
                                              name=name), collections)


def audio_summary(tag, tensor, sample_rate, max_outputs=3, collections=None, name=None):
    """TensorFlow 0.x's audio_summary(tag, audio, sample_rate, max_outputs)."""
    return _collected(tf.raw_ops.AudioSummaryV2(tag=tag, tensor=tensor, sample_rate=sample_rate,
                                                max_outputs=max_outputs, name=name), collections)


def merge_summary(inputs, collections=None, name=None):
    """TensorFlow 0.x's merge_summary(summaries): tf.summary.merge."""
    return v1.summary.merge(inputs, collections=collections, name=name)


def merge_all_summaries(key=v1.GraphKeys.SUMMARIES):
    """TensorFlow 0.x's merge_all_summaries(): tf.summary.merge_all."""
    return v1.summary.merge_all(key)


#: The top-level `tf.*` names of TensorFlow 0.x's summaries (merged into `tf`'s renames).
OLD_SUMMARIES = {
    "scalar_summary": (scalar_summary, "tf.summary.scalar", "1.0", "tf.compat.v1.summary.scalar"),
    "histogram_summary": (histogram_summary, "tf.summary.histogram", "1.0",
                          "tf.compat.v1.summary.histogram"),
    "image_summary": (image_summary, "tf.summary.image(..., max_outputs=...)", "1.0",
                      "tf.compat.v1.summary.image"),
    "audio_summary": (audio_summary, "tf.summary.audio", "1.0", "tf.compat.v1.summary.audio"),
    "merge_summary": (merge_summary, "tf.summary.merge", "1.0", "tf.compat.v1.summary.merge"),
    "merge_all_summaries": (merge_all_summaries, "tf.summary.merge_all", "1.0",
                            "tf.compat.v1.summary.merge_all"),
}

SUMMARY = Namespace(
    "tf.summary", fallback=v1.summary, modern=tf.summary,
    refusal=f"TensorFlow {VERSION}'s tf.compat.v1.summary has no such name. Check the spelling.")
