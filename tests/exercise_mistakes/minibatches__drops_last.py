"""Mistake: counts whole batches only, so the last, shorter batch is never fed.

Expected hint: the last, shorter batch was dropped
"""


def train_one_epoch(sess, train_operation, X, Y, train_X, train_Y, batch_size):
    for i in range(len(train_X) // batch_size):
        start = i * batch_size
        sess.run(train_operation, feed_dict={X: train_X[start:start + batch_size],
                                             Y: train_Y[start:start + batch_size]})
