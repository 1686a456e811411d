"""Checks for the CNN lesson's exercises: pooling_size, fourth_block and conv1_activations."""
import itertools

import numpy as np
import tensorflow as tf

from lessons.exercises.checkers import array, close, kind, new_graph, session, tensor
from lessons.exercises.grader.checks import check, expect, reference

tf1 = tf.compat.v1


# --- pooling_size ------------------------------------------------------------------------

LESSON_SAME = [(28, 2, 2, "SAME"), (14, 2, 2, "SAME"), (7, 2, 2, "SAME"), (4, 2, 2, "SAME")]
VALID = [(28, 3, 1, "VALID"), (7, 2, 2, "VALID"), (28, 2, 2, "VALID")]
GRID = [(size, window, stride, padding)
        for size, window, stride, padding in itertools.product(range(1, 13), range(1, 5), range(1, 4), ("SAME", "VALID"))
        if window <= size and stride <= window]


@reference("pooling_size", LESSON_SAME + VALID + GRID)
def tensorflow_size(size, window, stride, padding):
    """The width TensorFlow's graph infers for a max pooling, built on a placeholder of that width."""
    with new_graph().as_default():
        inputs = tf1.placeholder(tf.float32, [None, size, size, 1])
        return int(tf.nn.max_pool2d(inputs, ksize=window, strides=stride, padding=padding).shape[1])


def compare_sizes(submission, cases):
    function = submission.function("output_size")
    for size, window, stride, padding in cases:
        got = submission.memo(("size", size, window, stride, padding), lambda: function(size, window, stride, padding))
        want = tensorflow_size(size, window, stride, padding)
        call = f"output_size({size}, {window}, {stride}, {padding!r})"
        expect(isinstance(got, (int, np.integer)) and not isinstance(got, bool),
               f"{call} should be an int, but it is {kind(got)}" + (" (use // for whole-number division)."
                                                                    if isinstance(got, float) else "."))
        if got != want and padding == "SAME" and got == size // stride:
            expect(False, f"{call} returned {got}, which is not what TensorFlow infers: 'SAME' rounds up, so a "
                          f"last, partial window still makes an output.")
        if got != want and padding == "VALID" and got == (size - window) // stride:
            expect(False, f"{call} returned {got}, which is not what TensorFlow infers: count the window at "
                          f"position 0 too (one more than the number of moves).")
        expect(got == want, f"{call} returned {got}, which is not the size TensorFlow infers.")


@check("pooling_size", "'SAME' follows the lesson's CNN (28 wide, then three 2x2 poolings of stride 2)")
def same_lesson(submission):
    compare_sizes(submission, LESSON_SAME)


@check("pooling_size", "'VALID' counts the windows that fit")
def valid_basic(submission):
    compare_sizes(submission, VALID)


@check("pooling_size", "agrees with TensorFlow for every size 1-12, window 1-4, stride 1-3, both paddings")
def grid(submission):
    compare_sizes(submission, GRID)


# --- fourth_block ------------------------------------------------------------------------

def four_blocks(submission):
    """(graph, X, keeps, logits) from the student's model_gen in the checker's graph."""
    def build():
        graph = new_graph()
        with graph.as_default():
            X = tf1.placeholder(tf.float32, [None, 28, 28, 1], name="X")
            keep_conv = tf1.placeholder(tf.float32, name="keep_conv")
            keep_hidden = tf1.placeholder(tf.float32, name="keep_hidden")
        shipped = submission.send(graph)
        keeps = shipped[keep_conv], shipped[keep_hidden]
        return shipped.graph, shipped[X], keeps, submission.function("model_gen")(shipped[X], *keeps)
    graph, X, keeps, logits = submission.memo("model", build)
    tensor(logits, "model_gen(X, keep_conv, keep_hidden)", graph)
    return graph, X, keeps, logits


@check("fourth_block", "FOURTH_BLOCK_SHAPE is the fourth block's output shape (height, width, channels)")
def worked_out(submission):
    answer = submission.constant("FOURTH_BLOCK_SHAPE", "(height, width, channels), worked out by hand")
    expect(isinstance(answer, (tuple, list)) and len(answer) == 3,
           f"FOURTH_BLOCK_SHAPE should be three numbers, (height, width, channels), not {kind(answer)}.")
    answer = tuple(answer)
    expect(answer != (4, 4, 256), "FOURTH_BLOCK_SHAPE is (4, 4, 256): that is the convolution's output. The block's "
                                  "2x2 max pooling comes after it.")
    expect(answer[2] == 256, f"FOURTH_BLOCK_SHAPE has {answer[2]!r} channels; a convolution makes one channel per "
                             f"filter.")
    expect(answer == (2, 2, 256), f"FOURTH_BLOCK_SHAPE is {answer}: work it out from the third block's output, "
                                  f"through the fourth block's convolution ('SAME') and its 2x2 pooling.")


@check("fourth_block", "the model has a 3x3 convolution from 128 to 256 channels, and four poolings")
def has_fourth_conv(submission):
    graph, _, _, logits = four_blocks(submission)
    structure = submission.structure(graph)
    upstream = structure.upstream(logits.name)
    filters = [structure.shape(op.inputs[1]) for op in structure.of_type("Conv2D") if op.name in upstream]
    expect((3, 3, 128, 256) in filters,
           f"Expected a convolution on the way to the logits whose filters have shape (3, 3, 128, 256): 3x3, over "
           f"the third block's 128 channels, making 256. Those convolutions' filter shapes are: "
           f"{', '.join(map(str, filters)) or 'none'}.")
    pools = [op for op in structure.of_type("MaxPool") if op.name in upstream]
    last = structure.shape(pools[-1].name) if pools else None
    expect(len(pools) == 4 and last is not None and last[-1] == 256,
           f"Expected four max poolings on the way to the logits, the last one after the 256-channel convolution; "
           f"found {len(pools)}, giving {', '.join(str(structure.shape(op.name)) for op in pools) or 'nothing'}.")


@check("fourth_block", "it runs: 5 images give logits of shape (5, 10)")
def runs(submission):
    graph, X, keeps, logits = four_blocks(submission)
    images = np.random.RandomState(8).rand(5, 28, 28, 1).astype(np.float32)
    sess = submission.session(graph)
    sess.initialize()
    got = np.asarray(sess.run(logits, feed_dict={X: images, keeps[0]: 1.0, keeps[1]: 1.0}))
    expect(got.shape == (5, 10), f"For 5 images the logits have shape {got.shape}; expected (5, 10). Does the "
                                 f"dense layer's weight matrix have as many rows as the fourth block's output has "
                                 f"numbers?")


# --- conv1_activations -------------------------------------------------------------------

def lesson_like_graph(seed=9):
    """The lesson's scopes and blocks (input, model/conv1, model/conv2, model/dense, model/output); returns handles."""
    graph = new_graph(seed)
    with graph.as_default():
        with tf.name_scope("input"):
            X = tf1.placeholder(tf.float32, [None, 28, 28, 1], name="X")
            keep_conv = tf1.placeholder(tf.float32, name="keep_rate_conv")
            keep_hidden = tf1.placeholder(tf.float32, name="keep_rate_hidden")
        with tf.name_scope("model"):
            inputs, handles = X, {}
            for scope, shape in (("conv1", [3, 3, 1, 32]), ("conv2", [3, 3, 32, 64])):
                with tf.name_scope(scope):
                    filters = tf.Variable(tf1.random_normal(shape, stddev=0.3), name="w")
                    convolved = tf.nn.conv2d(inputs, filters, strides=[1, 1, 1, 1], padding="SAME")
                    relu = tf.nn.relu(convolved)
                    pooled = tf.nn.max_pool2d(relu, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
                    inputs = tf.nn.dropout(pooled, rate=1 - keep_conv)
                    handles[scope] = (convolved, relu, pooled)
            with tf.name_scope("dense"):
                hidden = tf.nn.relu(tf.matmul(tf.reshape(inputs, [-1, 7 * 7 * 64]),
                                              tf.Variable(tf1.random_normal([7 * 7 * 64, 16], stddev=0.01))))
                hidden = tf.nn.dropout(hidden, rate=1 - keep_hidden)
            with tf.name_scope("output"):
                tf.matmul(hidden, tf.Variable(tf1.random_normal([16, 10], stddev=0.01)), name="logits")
        init = tf1.global_variables_initializer()
    return graph, X, handles, init


def fetched(submission, count=3):
    """The student's array for `count` images, the reference (conv, relu, pooled) values, and the ops added."""
    graph, X, handles, init = lesson_like_graph()
    images = np.random.RandomState(10).rand(count, 28, 28, 1).astype(np.float32) - 0.3
    shipped = submission.send(graph)
    sess = submission.session(shipped.graph)
    sess.run(shipped[init])
    before = len(submission.structure(shipped.graph).ops)
    function = submission.function("conv1_activations")
    got = function(sess.remote, shipped[X], images)
    function(sess.remote, shipped[X], images[:1])
    added = len(submission.structure(shipped.graph).ops) - before
    with session(graph) as own:
        own.run(init)
        reference_ = own.run(handles["conv1"], feed_dict={X: images})
    return got, reference_, added


@check("conv1_activations", "returns an array of shape (n, 28, 28, 32) for n images")
def activation_shape(submission):
    got, (convolved, relu, pooled), _ = submission.memo("fetch", lambda: fetched(submission))
    got = array(got, "conv1_activations(...)")
    expect(got.shape != pooled.shape, f"conv1_activations returned shape {got.shape}: that is after the 2x2 max "
                                      f"pooling. The ReLU comes before it, at the full 28 x 28.")
    expect(got.shape == relu.shape, f"conv1_activations should return shape {relu.shape} (3 images, 28 x 28, 32 "
                                    f"filters), but it returned {got.shape}.")


@check("conv1_activations", "the values are conv1's ReLU outputs")
def activation_values(submission):
    got, (convolved, relu, pooled), _ = submission.memo("fetch", lambda: fetched(submission))
    got = array(got, "conv1_activations(...)", relu.shape)
    expect(not (got.min() < 0 and close(got, convolved, atol=1e-5)),
           "Your array has negative values: it is the convolution's output before the ReLU (the Conv2D op). "
           "Fetch the Relu op's output.")
    expect(close(got, relu, atol=1e-5), "Your feature maps differ from conv1's ReLU outputs. Did you fetch "
                                        "conv2's by mistake?")


@check("conv1_activations", "fetching adds no op to the graph")
def adds_nothing(submission):
    _, _, added = submission.memo("fetch", lambda: fetched(submission))
    expect(added == 0, f"Two calls of conv1_activations added {added} ops to the graph. Fetch the tensor that is "
                       f"already there instead of building new ops: a graph that grows at every call gets slower "
                       f"and never gives its memory back.")
