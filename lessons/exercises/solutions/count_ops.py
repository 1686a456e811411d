"""
Solution: count_ops (lesson: logistic_regression)

The prefix must end with "/": otherwise "cost" also matches "cost_1/..." (a second
scope of the same name) and "costly/...". Under the lesson's cost scope are the
cross-entropy op, SoftmaxCrossEntropyWithLogits (softmax and cross-entropy fused into
one numerically stable op, which is why the model never applies softmax itself), the
reshapes around it and the Mean. The train box is the largest: it holds the
gradients of those ops, which the optimizer built, and the update of the weights.
"""
from collections import Counter

from tfgraph import quiet

quiet.install()  # TensorFlow starts on first use, without its start-up messages
import tensorflow as tf  # noqa: E402
from tfgraph import training  # noqa: E402

tf1 = tf.compat.v1

SOFTMAX_OP_TYPE = "SoftmaxCrossEntropyWithLogits"


def ops_under(graph, scope):
    """{op type: number of ops of that type} for the ops inside name scope `scope` of `graph`."""
    prefix = scope.rstrip("/") + "/"  # "cost/", so that "cost_1/..." and "costly/..." stay out
    return dict(Counter(op.type for op in graph.get_operations() if op.name.startswith(prefix)))


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
    main()
