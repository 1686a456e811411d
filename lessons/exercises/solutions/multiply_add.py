"""
Solution: multiply_add (lesson: multiplication)

z is a third placeholder; out adds it to the product. TensorBoard shows x and y
entering a Mul op, whose result enters an Add (AddV2) op together with z.
"""
from tfgraph import quiet

quiet.install()  # TensorFlow starts on first use, without its start-up messages
import tensorflow as tf  # noqa: E402

tf1 = tf.compat.v1


def build():
    """Build out = x * y + z in a new graph; return (graph, x, y, z, out)."""
    graph = tf.Graph()
    with graph.as_default():
        x = tf1.placeholder(tf.float32, name="x")
        y = tf1.placeholder(tf.float32, name="y")
        z = tf1.placeholder(tf.float32, name="z")
        out = tf.add(tf.multiply(x, y), z, name="out")
    return graph, x, y, z, out


def main():
    """Feed x=2, y=3, z=4 and print the result."""
    graph, x, y, z, out = build()
    with tf1.Session(graph=graph) as sess:
        print("2 x 3 + 4 =", sess.run(out, feed_dict={x: 2.0, y: 3.0, z: 4.0}))


if __name__ == "__main__":
    main()
