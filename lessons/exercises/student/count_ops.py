"""
Exercise: count_ops (lesson: logistic_regression, about 10 minutes)

Task: 1. write ops_under(graph, scope): how many ops of each type sit under the name
scope `scope`, as a dict {op type: count}, the way TensorBoard groups them into one
box. 2. Run this file to see what is under the lesson's `cost` scope, and set
SOFTMAX_OP_TYPE to the type of the op there that computes the softmax.

`tf.name_scope("cost")` prefixes the names of the ops built inside it with "cost/";
a nested scope adds another level ("train/gradients/..."), and TensorBoard draws
everything under a prefix inside one box. A second scope opened with the same name
gets a new one ("cost_1"): a different box. graph.get_operations() lists every op;
op.name and op.type are what you need.

Contract: the checker calls ops_under(graph, scope) on graphs of its own and expects
a dict mapping op types (strings) to counts; it reads SOFTMAX_OP_TYPE, a string.
Check: python -m lessons.exercises check count_ops [this_file.py]
"""
from tfgraph import quiet

quiet.install()  # TensorFlow starts on first use, without its start-up messages
import tensorflow as tf  # noqa: E402
from tfgraph import training  # noqa: E402

tf1 = tf.compat.v1

# TODO: the type of the op under "cost" that computes the softmax (run this file to see them).
SOFTMAX_OP_TYPE = None


def todo(what):
    """A gap for you to fill: replace the call to todo(...) with your code."""
    raise NotImplementedError(what)


def ops_under(graph, scope):
    """{op type: number of ops of that type} for the ops inside name scope `scope` of `graph`."""
    # TODO: count, by op.type, the ops of graph.get_operations() whose name is inside `scope`.
    return todo("count the ops under scope by their type")


def main():
    """Build the lesson's graph and print what is under each of its top-level scopes."""
    graph = tf.Graph()
    with graph.as_default():
        with tf.name_scope("input"):
            X = tf1.placeholder(tf.float32, shape=[None, 784], name="X")
            Y = tf1.placeholder(tf.float32, shape=[None, 10], name="Y")
        with tf.name_scope("model"):
            w = tf.Variable(tf1.random_normal([784, 10], stddev=0.01), name="weights")
            logits = tf.matmul(X, w, name="logits")
        training.classifier_ops(logits, Y, tf1.train.GradientDescentOptimizer(0.05))
    for scope in ("input", "model", "cost", "train", "accuracy"):
        counts = ops_under(graph, scope)
        print(f"{scope}: {sum(counts.values())} ops", dict(sorted(counts.items())))


if __name__ == "__main__":
    try:
        main()
    except NotImplementedError as gap:
        print(f"Not done yet: {gap}.")
