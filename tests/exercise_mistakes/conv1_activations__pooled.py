"""Mistake: fetches the block's pooled output instead of its ReLU.

Expected hint: after the 2x2 max pooling
"""


def conv1_activations(sess, X, images):
    return sess.run(sess.graph.get_tensor_by_name("model/conv1/MaxPool2d:0"), feed_dict={X: images})
