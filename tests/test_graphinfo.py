"""tfgraph.graphinfo's memory estimate, and the evaluation batch size train_model takes from it."""
import importlib

import pytest
import tensorflow as tf

from tfgraph import graphinfo

tf1 = tf.compat.v1


def small_classifier(width=4, classes=3, known=True):
    """X [None, width] -> logits [None, classes] -> accuracy (a scalar)."""
    graph = tf.Graph()
    with graph.as_default():
        X = tf1.placeholder(tf.float32, [None, width] if known else [None, None], name="X")
        Y = tf1.placeholder(tf.float32, [None, classes], name="Y")
        w = tf.Variable(tf.zeros([width, classes]))
        logits = tf.matmul(X, w)
        correct = tf.equal(tf.argmax(logits, 1), tf.argmax(Y, 1))  # int64 and bool: not counted
        accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
    return accuracy


def test_bytes_per_sample_adds_up_the_batch_shaped_float_tensors():
    accuracy = small_classifier(width=4, classes=3)
    # X: 4 floats, Y: 3, logits: 3, the cast of `correct`: 1 -> 11 float32 values per sample.
    assert graphinfo.bytes_per_sample(accuracy) == 11 * 4
    assert graphinfo.bytes_per_sample(accuracy.op) == 11 * 4


def test_default_eval_batch_size_fills_the_memory_in_hundreds():
    accuracy = small_classifier(width=4, classes=3)  # 44 bytes per image
    assert graphinfo.eval_batch_size(accuracy, memory=44 * 1234) == 1200
    assert graphinfo.eval_batch_size(accuracy, memory=44 * 10) == 100  # never below 100
    # A shape the graph does not know (X of [None, None]) is left out: Y, logits and the cast remain.
    assert graphinfo.eval_batch_size(small_classifier(known=False), memory=28 * 1500) == 1500
    with tf.Graph().as_default():  # nothing batch-shaped at all: a middle size
        assert graphinfo.eval_batch_size(tf.constant(0.5)) == 1000


def test_bytes_per_sample_reads_tf1_shapes_too():
    """tfgraph.legacy turns TF1's TensorShape on, whose dimensions are Dimension objects, not ints."""
    tf1.disable_v2_tensorshape()
    try:
        assert graphinfo.bytes_per_sample(small_classifier(width=4, classes=3)) == 11 * 4
    finally:
        tf1.enable_v2_tensorshape()


def test_default_eval_batch_size_of_a_tensor_named_by_its_name():
    accuracy = small_classifier(width=4, classes=3)
    with tf1.Session(graph=accuracy.graph) as sess:
        assert graphinfo.eval_batch_size(sess.graph.as_graph_element(accuracy.name), memory=44 * 300) == 300


@pytest.mark.parametrize("lesson, expected", [("fully_connected", 10_000), ("modern_net", 10_000), ("cnn", 500)])
def test_the_lessons_evaluate_the_whole_test_set_at_once_except_the_cnn(lesson, expected):
    """The article fed all 10,000 test images at once; the CNN's activations need ~0.5 MB per image."""
    module = importlib.import_module(f"lessons.{lesson}")
    graph, g = module.build_graph(module.parse_args([]))
    assert min(10_000, graphinfo.eval_batch_size(g.ops.accuracy_operation)) == expected
