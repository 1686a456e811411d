"""
Exercise: walk_the_graph (lesson: multiplication, about 15 minutes)

Task: write placeholders_needed(tensor), the names of the placeholders a Session
must feed to compute `tensor`.

A graph is a web of ops. Every tensor is the output of one op (`tensor.op`), and an
op's inputs (`op.inputs`) are tensors again, outputs of earlier ops. Walking back
from a tensor through inputs reaches everything it is computed from; the
placeholders among them (`op.type == "Placeholder"`) are what must be fed. That is
why the lesson's `xy` fails when `y` is not fed, and why a Session never asks for
placeholders the fetched tensor does not depend on.

Careful: the same op can be reached along several paths (in x * x + x, x is reached
three times). Report each placeholder once.

Contract: the checker calls placeholders_needed(tensor) on tensors of its own graphs
and expects a sorted list of op names (for example ["input/x", "input/y"]).
Check: python -m lessons.exercises check walk_the_graph [this_file.py]
"""
from tfgraph import quiet

quiet.install()  # TensorFlow starts on first use, without its start-up messages
import tensorflow as tf  # noqa: E402

tf1 = tf.compat.v1


def todo(what):
    """A gap for you to fill: replace the call to todo(...) with your code."""
    raise NotImplementedError(what)


def placeholders_needed(tensor):
    """The sorted names of the placeholder ops that `tensor` is computed from."""
    # TODO: walk back from tensor.op through op.inputs (each input is a tensor: use its
    # .op), remembering the ops already seen; collect the names of Placeholder ops.
    return todo("walk back from tensor.op and collect the names of the Placeholder ops")


def main():
    """Print what the lesson's xy and a bigger expression need fed."""
    graph = tf.Graph()
    with graph.as_default():
        with tf.name_scope("input"):
            x = tf1.placeholder(tf.float32, name="x")
            y = tf1.placeholder(tf.float32, name="y")
            z = tf1.placeholder(tf.float32, name="z")
        xy = tf.multiply(x, y, name="xy")
        total = xy + z * 2.0
    print("xy needs:", placeholders_needed(xy))
    print("xy + 2z needs:", placeholders_needed(total))


if __name__ == "__main__":
    try:
        main()
    except NotImplementedError as gap:
        print(f"Not done yet: {gap}.")
