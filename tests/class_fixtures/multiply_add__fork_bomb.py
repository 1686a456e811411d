"""Weakness (issue 27): students shared an identity, so one could starve the others of processes.

Forks until the system refuses (every child sleeps), then answers correctly. Expected: passed
or failed, quickly (the process limit stops the bomb), and every file beside it keeps its
verdict.
"""
import os
import time

import tensorflow as tf

tf1 = tf.compat.v1
for _ in range(2000):
    try:
        if os.fork() == 0:
            time.sleep(120)
            os._exit(0)
    except OSError:
        break


def build():
    graph = tf.Graph()
    with graph.as_default():
        x, y, z = (tf1.placeholder(tf.float32, name=name) for name in "xyz")
        out = x * y + z
    return graph, x, y, z, out
