"""
Exercise: multiply_add (lesson: multiplication, about 5 minutes)

Task: add a third placeholder z to the lesson's graph and compute out = x * y + z,
then feed all three in a Session.

Building the graph computes nothing: `out` is only the recipe "multiply x by y, add
z". The numbers arrive through feed_dict each time a Session runs `out`. Afterwards,
open the graph in TensorBoard (the lesson shows how): which ops feed `out`?

Contract: the checker calls build() and expects (graph, x, y, z, out): the tf.Graph you
built in, the three placeholders and the output tensor.
Check: python -m lessons.exercises check multiply_add [this_file.py]
"""
from tfgraph import quiet

quiet.install()  # TensorFlow starts on first use, without its start-up messages
import tensorflow as tf  # noqa: E402

tf1 = tf.compat.v1


def todo(what):
    """A gap for you to fill: replace the call to todo(...) with your code."""
    raise NotImplementedError(what)


def build():
    """Build out = x * y + z in a new graph; return (graph, x, y, z, out)."""
    graph = tf.Graph()
    with graph.as_default():
        x = tf1.placeholder(tf.float32, name="x")
        y = tf1.placeholder(tf.float32, name="y")
        # TODO: a third float32 placeholder named "z", like x and y.
        z = todo("make z, a float32 placeholder named 'z'")
        # TODO: the output x * y + z (tf.multiply and tf.add, or * and +).
        out = todo("compute out = x * y + z")
    return graph, x, y, z, out


def main():
    """Feed x=2, y=3, z=4 and print the result."""
    graph, x, y, z, out = build()
    with tf1.Session(graph=graph) as sess:
        print("2 x 3 + 4 =", sess.run(out, feed_dict={x: 2.0, y: 3.0, z: 4.0}))


if __name__ == "__main__":
    try:
        main()
    except NotImplementedError as gap:
        print(f"Not done yet: {gap}.")
