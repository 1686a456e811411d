"""
Solution: batched_accuracy (lesson: fully_connected)

Accuracy times batch length is the number of correct predictions in the batch; their
sum over all batches divided by the number of images is the accuracy of the whole
set, exactly as if it had been fed at once. tfgraph.training.evaluate does the same.
"""
import numpy as np

from tfgraph import quiet

quiet.install()  # TensorFlow starts on first use, without its start-up messages
import tensorflow as tf  # noqa: E402

tf1 = tf.compat.v1


def batched_accuracy(sess, accuracy_operation, X, Y, images, labels, batch_size):
    """Accuracy over all images, run batch_size images at a time, each batch weighted by its size."""
    correct = 0.0
    for start in range(0, len(images), batch_size):
        batch_images = images[start:start + batch_size]
        accuracy = sess.run(accuracy_operation, feed_dict={X: batch_images, Y: labels[start:start + batch_size]})
        correct += float(accuracy) * len(batch_images)  # the batch's number of correct predictions
    return correct / len(images)


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
    main()
