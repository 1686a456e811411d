"""Weakness (issue 27): a tf.while_loop that never ends held the serial judge for everyone.

out waits on a tf.while_loop whose condition is always true. Expected: stopped at the time
limit, and the files checked beside it are not held up.
"""
import tensorflow as tf

tf1 = tf.compat.v1


def build():
    graph = tf.Graph()
    with graph.as_default():
        x, y, z = (tf1.placeholder(tf.float32, name=name) for name in "xyz")
        forever = tf.while_loop(lambda i: tf.constant(True), lambda i: i + 1.0, [x])[0]
        out = x * y + z + 0.0 * forever
    return graph, x, y, z, out
