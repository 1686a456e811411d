"""Mistake: averages the batches' accuracies without weighting them by size.

Expected hint: the plain mean of the 11 batches
"""
import numpy as np


def batched_accuracy(sess, accuracy_operation, X, Y, images, labels, batch_size):
    return float(np.mean([sess.run(accuracy_operation, feed_dict={X: images[s:s + batch_size],
                                                                  Y: labels[s:s + batch_size]})
                          for s in range(0, len(images), batch_size)]))
