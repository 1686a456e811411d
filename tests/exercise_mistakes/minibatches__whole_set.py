"""Mistake: loops over the batches but feeds the whole set each time.

Expected hint: feed slices, not the whole array
"""


def train_one_epoch(sess, train_operation, X, Y, train_X, train_Y, batch_size):
    for _ in range(0, len(train_X), batch_size):
        sess.run(train_operation, feed_dict={X: train_X, Y: train_Y})
