"""Attack: a correct graph that also writes into the class folder when it runs.

Round 1: the judge ran it as root. Expected (round 2): whatever its verdict, nothing is written
outside its sandbox: the graph runs there, and TensorFlow's write_file makes the folders it
needs in the sandbox's own tmpfs, which vanishes with it. The class folder is unchanged.
"""
import tensorflow as tf

tf1 = tf.compat.v1
TARGET = "@CLASS@/written_by_the_judge.txt"


def build():
    graph = tf.Graph()
    with graph.as_default():
        x, y, z = (tf1.placeholder(tf.float32, name=name) for name in "xyz")
        write = tf.io.write_file(TARGET, tf.strings.as_string(x))
        with tf.control_dependencies([write]):
            out = x * y + z
    return graph, x, y, z, out
