"""
Exercise: conv1_activations (lesson: cnn, about 15 minutes)

Task: write conv1_activations(sess, X, images): find, in the graph the Session runs
(sess.graph), the ReLU of the first convolution block (in the lesson's graph it sits
in the scope model/conv1), fetch it for `images` and return the NumPy array of
feature maps, one 28 x 28 map per filter for each image.

Every tensor in a graph can be fetched, not only the ones a function returned: find
it by name (graph.get_tensor_by_name("scope/op_name:0"), the ":0" is the op's first
output) or by looking through graph.get_operations() at op.name and op.type.
TensorBoard shows the same names. Feed only what the tensor depends on: conv1 needs
the images, not the keep probabilities of later dropouts. And build nothing new: a
function that adds ops each time it is called makes the graph grow without end.

Contract: the checker builds a graph laid out like the lesson's (the scopes input,
model/conv1, model/conv2, ...), and calls conv1_activations(sess, X, images) with
images of shape (n, 28, 28, 1); it expects an array of shape (n, 28, 28, 32).
Check: python -m lessons.exercises check conv1_activations [this_file.py]
"""
import numpy as np

from tfgraph import quiet

quiet.install()  # TensorFlow starts on first use, without its start-up messages
import tensorflow as tf  # noqa: E402
from tfgraph import mnist, training  # noqa: E402

tf1 = tf.compat.v1


def todo(what):
    """A gap for you to fill: replace the call to todo(...) with your code."""
    raise NotImplementedError(what)


def conv1_activations(sess, X, images):
    """The ReLU outputs of the block in scope model/conv1 for `images`, as a NumPy array (n, 28, 28, 32)."""
    graph = sess.graph
    # TODO: find conv1's ReLU tensor in graph (print the names of its ops to look around).
    relu = todo("find the output of the ReLU op under model/conv1")
    # TODO: fetch it, feeding X the images.
    return todo("run it with sess.run, feeding X")


def lesson_like_graph():
    """The lesson's first two blocks under the lesson's names (without training ops)."""
    graph = tf.Graph()
    graph.seed = 0
    with graph.as_default():
        with tf.name_scope("input"):
            X = tf1.placeholder(tf.float32, [None, 28, 28, 1], name="X")
            keep_conv = tf1.placeholder(tf.float32, name="keep_rate_conv")
        with tf.name_scope("model"):
            inputs = X
            for scope, shape in (("conv1", [3, 3, 1, 32]), ("conv2", [3, 3, 32, 64])):
                with tf.name_scope(scope):
                    convolved = tf.nn.relu(tf.nn.conv2d(inputs, training.init_weights(shape), strides=1,
                                                        padding="SAME"))
                    pooled = tf.nn.max_pool2d(convolved, ksize=2, strides=2, padding="SAME")
                    inputs = tf.nn.dropout(pooled, rate=1 - keep_conv)
        init = tf1.global_variables_initializer()
    return graph, X, init


def main():
    """Fetch conv1's feature maps for two sample digits and describe them."""
    graph, X, init = lesson_like_graph()
    images = mnist.load_sample(reshape=False).test.images[:2]
    with tf1.Session(graph=graph) as sess:
        sess.run(init)
        maps = conv1_activations(sess, X, images)
    print(f"feature maps: {maps.shape}, {np.mean(maps > 0):.0%} of the values positive, largest {maps.max():.3f}")


if __name__ == "__main__":
    try:
        main()
    except NotImplementedError as gap:
        print(f"Not done yet: {gap}.")
