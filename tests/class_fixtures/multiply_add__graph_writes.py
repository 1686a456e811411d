"""Weakness (issue 27): the judge ran student-made graphs as root, and ops off its blocklist wrote anywhere.

A correct graph whose output waits on writes to a classmate's file, a checker module and the
teacher's ~/.bashrc. Expected: failed (the graph runs in the student's sandbox, where none of
those paths exist), and none of those files changed.
"""
import tensorflow as tf

tf1 = tf.compat.v1
TARGETS = ["@CLASSMATE@", "@CHECKOUT@/lessons/exercises/checkers/multiplication.py",
           "@HOME@/.bashrc"]


def build():
    graph = tf.Graph()
    with graph.as_default():
        x, y, z = (tf1.placeholder(tf.float32, name=name) for name in "xyz")
        writes = [tf.io.write_file(target, "def build():\n    raise SystemExit('overwritten')\n") for target in TARGETS]
        with tf.control_dependencies(writes):
            out = x * y + z
    return graph, x, y, z, out
