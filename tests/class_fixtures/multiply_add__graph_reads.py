"""Weakness (issue 27): ops off the judge's blocklist could test the contents of root-only files.

A graph that reads a file only the grader's user may read (the test puts a secret there) and
feeds its first byte into the output. Expected: failed (the file does not exist in the
student's sandbox), and the secret appears in no verdict.
"""
import tensorflow as tf

tf1 = tf.compat.v1


def build():
    graph = tf.Graph()
    with graph.as_default():
        x, y, z = (tf1.placeholder(tf.float32, name=name) for name in "xyz")
        secret = tf.io.read_file("@SECRET@")
        first = tf.cast(tf.strings.unicode_decode(tf.strings.substr(secret, 0, 1), "UTF-8")[0], tf.float32)
        out = x * y + z + 0.0 * first
    return graph, x, y, z, out
