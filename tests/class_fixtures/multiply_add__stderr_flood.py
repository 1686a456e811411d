"""Weakness (issue 27): the zygote's memory grew 8 bytes for every byte a student wrote to stderr.

Writes 200 MB to stderr, then answers correctly. Expected: passed; the grader keeps only the
last lines of a process's stderr.
"""
import os

import tensorflow as tf

tf1 = tf.compat.v1
CHUNK = b"flood " * 170_000 + b"\n"
for _ in range(200):
    os.write(2, CHUNK)


def build():
    graph = tf.Graph()
    with graph.as_default():
        x, y, z = (tf1.placeholder(tf.float32, name=name) for name in "xyz")
        out = x * y + z
    return graph, x, y, z, out
