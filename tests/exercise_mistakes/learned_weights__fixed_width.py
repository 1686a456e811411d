"""Mistake: copies the lesson's shapes (5 inputs, 8 outputs) instead of reading them from the data.

Expected hint: Cannot feed value of shape
"""
import tensorflow as tf

tf1 = tf.compat.v1


def fit(train_X, train_Y, learning_rate, num_steps):
    graph = tf.Graph()
    with graph.as_default():
        X = tf1.placeholder(tf.float32, [None, 5])
        Y = tf1.placeholder(tf.float32, [None, 8])
        w = tf.Variable(tf.zeros([5, 8]))
        cost = tf.reduce_mean(tf.square(Y - tf.matmul(X, w)))
        step = tf1.train.GradientDescentOptimizer(learning_rate).minimize(cost)
        init = tf1.global_variables_initializer()
    with tf1.Session(graph=graph) as sess:
        sess.run(init)
        for _ in range(num_steps):
            sess.run(step, feed_dict={X: train_X, Y: train_Y})
        return sess.run(w)
