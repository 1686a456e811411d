"""
Solution: conv1_activations (lesson: cnn)

The Relu op under model/conv1 is found by scope and type, which also works when the
op is not called exactly "Relu" (a second ReLU in the scope would be "Relu_1");
graph.get_tensor_by_name("model/conv1/Relu:0") is as good for the lesson's graph.
Only X is fed: a Session runs just the ops the fetched tensor depends on, and the
keep probabilities come later. Fetching an existing tensor adds no op to the graph.
"""
import numpy as np

from tfgraph import quiet

quiet.install()  # TensorFlow starts on first use, without its start-up messages
import tensorflow as tf  # noqa: E402
from tfgraph import mnist, training  # noqa: E402

tf1 = tf.compat.v1


def conv1_activations(sess, X, images):
    """The ReLU outputs of the block in scope model/conv1 for `images`, as a NumPy array (n, 28, 28, 32)."""
    relus = [op for op in sess.graph.get_operations() if op.name.startswith("model/conv1/") and op.type == "Relu"]
    if len(relus) != 1:
        raise ValueError(f"expected one Relu op under model/conv1, found {[op.name for op in relus]}")
    return sess.run(relus[0].outputs[0], feed_dict={X: images})


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
    main()
