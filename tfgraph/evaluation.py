"""After training: a tensor's values over the test set in batches, and TensorBoard's test views (digits, projector)."""
import numpy as np

from tfgraph import graphinfo
from tfgraph.summaries import log_embedding, log_test_digits


def run_in_batches(sess, tensor, X, images, feed=None, batch_size=None):
    """`tensor`'s values for all of `images`, fed `batch_size` at a time and joined (fully connected net).

    By default a batch is sized to fit in memory (`graphinfo.eval_batch_size`).
    """
    if batch_size is None:
        batch_size = graphinfo.eval_batch_size(tensor)
    return np.concatenate([sess.run(tensor, feed_dict={**(feed or {}), X: images[start:start + batch_size]})
                           for start in range(0, len(images), batch_size)])


def log_test_views(run, sess, X, test_X, test_Y, predict_operation, hidden=None, test_feed=None,
                   num_embedded=1000):
    """After training: log test digits, the misclassified ones, and the `hidden` layer for the projector (fully connected net)."""
    step = run.last_step
    predictions = run_in_batches(sess, predict_operation, X, test_X, test_feed)
    wrong = log_test_digits(run, test_X, test_Y, predictions, step)
    if hidden is not None:
        embedded = test_X[:num_embedded]
        vectors = run_in_batches(sess, hidden, X, embedded, test_feed)
        log_embedding(run, vectors, embedded, test_Y[:num_embedded])
    run.flush()
    print(f"TensorBoard images: {min(wrong, 12)} of the {wrong} misclassified test digits"
          + (f"; projector: the {hidden.op.name} layer of {len(test_X[:num_embedded])} test digits"
             if hidden is not None else ""))
    return wrong
