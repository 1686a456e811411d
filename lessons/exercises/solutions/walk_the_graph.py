"""
Solution: walk_the_graph (lesson: multiplication)

A depth-first walk with a stack and a set of ops already seen: each op is visited
once however many paths lead to it, so the walk takes time proportional to the
size of the graph, not to the number of paths through it.
"""
from tfgraph import quiet

quiet.install()  # TensorFlow starts on first use, without its start-up messages
import tensorflow as tf  # noqa: E402

tf1 = tf.compat.v1


def placeholders_needed(tensor):
    """The sorted names of the placeholder ops that `tensor` is computed from."""
    seen = set()
    stack = [tensor.op]
    found = set()
    while stack:
        op = stack.pop()
        if op in seen:
            continue
        seen.add(op)
        if op.type == "Placeholder":
            found.add(op.name)
        stack.extend(inp.op for inp in op.inputs)
    return sorted(found)


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
    main()
