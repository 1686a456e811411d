"""Attack: a correct graph that also writes a file when the judge runs it. Expected: failed, naming WriteFile."""
import os

import tensorflow as tf

tf1 = tf.compat.v1
TARGET = os.path.join(os.path.dirname(os.path.abspath(__file__)), "written_by_the_judge.txt")


def build():
    graph = tf.Graph()
    with graph.as_default():
        x, y, z = (tf1.placeholder(tf.float32, name=name) for name in "xyz")
        write = tf.io.write_file(TARGET, tf.strings.as_string(x))
        with tf.control_dependencies([write]):
            out = x * y + z
    return graph, x, y, z, out
