"""Mistake: fetches w before the training loop.

Expected hint: fit returned all zeros
"""
import tensorflow as tf

tf1 = tf.compat.v1


def fit(train_X, train_Y, learning_rate, num_steps):
    n, m = train_X.shape[1], train_Y.shape[1]
    graph = tf.Graph()
    with graph.as_default():
        X = tf1.placeholder(tf.float32, [None, n])
        Y = tf1.placeholder(tf.float32, [None, m])
        w = tf.Variable(tf.zeros([n, m]))
        cost = tf.reduce_mean(tf.square(Y - tf.matmul(X, w)))
        step = tf1.train.GradientDescentOptimizer(learning_rate).minimize(cost)
        init = tf1.global_variables_initializer()
    with tf1.Session(graph=graph) as sess:
        sess.run(init)
        learned = sess.run(w)
        for _ in range(num_steps):
            sess.run(step, feed_dict={X: train_X, Y: train_Y})
        return learned
