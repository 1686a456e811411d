"""
Exercise: batched_accuracy (lesson: fully_connected, about 10 minutes)

Task: write batched_accuracy(sess, accuracy_operation, X, Y, images, labels,
batch_size): the accuracy over all the images, computed by running
accuracy_operation on consecutive batches of at most batch_size images.

The article fed the whole test set to the network at once; for the CNN that takes
gigabytes. Feeding batches bounds the memory, but accuracy_operation returns the
mean over the batch it was fed, and the last batch may be shorter than the others:
a plain mean of the batches' accuracies then gives the short batch too much weight.
Weight each batch by its number of images.

Contract: the checker calls batched_accuracy(...) with a Session and a graph of its
own and expects a float between 0 and 1.
Check: python -m lessons.exercises check batched_accuracy [this_file.py]
"""
import numpy as np

from tfgraph import quiet

quiet.install()  # TensorFlow starts on first use, without its start-up messages
import tensorflow as tf  # noqa: E402

tf1 = tf.compat.v1


def todo(what):
    """A gap for you to fill: replace the call to todo(...) with your code."""
    raise NotImplementedError(what)


def batched_accuracy(sess, accuracy_operation, X, Y, images, labels, batch_size):
    """Accuracy over all images, run batch_size images at a time, each batch weighted by its size."""
    # TODO: run accuracy_operation on each batch (feed X and Y their slices), add up
    # accuracy times batch length, and divide by the number of images.
    return todo("run the accuracy batch by batch and weight each batch by its length")


def main():
    """Compare the batched accuracy with the accuracy of all 1,050 made-up predictions at once."""
    rng = np.random.RandomState(0)
    labels = np.eye(10, dtype=np.float32)[rng.randint(10, size=1050)]
    scores = labels + 1.5 * rng.rand(1050, 10).astype(np.float32)  # often right, like a model in training
    graph = tf.Graph()
    with graph.as_default():
        X = tf1.placeholder(tf.float32, [None, 10], name="X")  # here X holds a model's scores directly
        Y = tf1.placeholder(tf.float32, [None, 10], name="Y")
        correct = tf.equal(tf.argmax(X, 1), tf.argmax(Y, 1))
        accuracy_operation = tf.reduce_mean(tf.cast(correct, tf.float32))
    with tf1.Session(graph=graph) as sess:
        whole = sess.run(accuracy_operation, feed_dict={X: scores, Y: labels})
        batched = batched_accuracy(sess, accuracy_operation, X, Y, scores, labels, batch_size=100)
    print(f"all at once: {whole:.4f}, in batches of 100: {batched:.4f}")


if __name__ == "__main__":
    try:
        main()
    except NotImplementedError as gap:
        print(f"Not done yet: {gap}.")
