# RNNs as 2016-17 tutorials wrote them, for tests/test_legacy_more.py: an LSTM reads a
# sequence of 6 numbers and says whether their sum is positive; a GRU stack, a 0.x
# bidirectional net (tf.nn.bidirectional_rnn) and tf.nn.dynamic_rnn share the data.
from __future__ import print_function

import numpy as np
import tensorflow as tf
from tensorflow.python.ops import rnn, rnn_cell

steps, n_input, n_hidden, n_classes = 6, 1, 16, 2
rng = np.random.RandomState(1)
data = rng.randn(512, steps, n_input).astype(np.float32)
labels = np.eye(n_classes)[(data.sum(axis=(1, 2)) > 0).astype(int)]

x = tf.placeholder("float", [None, steps, n_input])
y = tf.placeholder("float", [None, n_classes])
xs = tf.unpack(tf.transpose(x, [1, 0, 2]))          # 0.x: a list of steps tensors

with tf.variable_scope("lstm"):
    cell = rnn_cell.BasicLSTMCell(n_hidden, forget_bias=1.0)
    outputs, states = rnn.rnn(cell, xs, dtype=tf.float32)
    w = tf.Variable(tf.random_normal([n_hidden, n_classes], stddev=0.1))
    b = tf.Variable(tf.zeros([n_classes]))
    logits = tf.matmul(outputs[-1], w) + b

with tf.variable_scope("gru"):
    stack = tf.contrib.rnn.MultiRNNCell([tf.contrib.rnn.GRUCell(8) for _ in range(2)])
    gru_out, _ = tf.contrib.rnn.static_rnn(stack, tf.unstack(x, steps, 1), dtype=tf.float32)

with tf.variable_scope("bi"):
    bi_out, _, _ = tf.nn.bidirectional_rnn(tf.nn.rnn_cell.LSTMCell(4), tf.nn.rnn_cell.LSTMCell(4),
                                           xs, dtype=tf.float32)

with tf.variable_scope("dyn"):
    dyn_out, dyn_state = tf.nn.dynamic_rnn(tf.contrib.rnn.BasicRNNCell(5), x, dtype=tf.float32)

with tf.variable_scope("shared"):  # TensorFlow 1.0: each layer its own variables
    one_cell = tf.contrib.rnn.BasicLSTMCell(3)
    shared_out, _ = tf.nn.dynamic_rnn(tf.contrib.rnn.MultiRNNCell([one_cell] * 2), x,
                                      dtype=tf.float32)

cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits, y))
train = tf.train.AdamOptimizer(0.01).minimize(cost)
accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1)), tf.float32))

with tf.Session() as sess:
    sess.run(tf.initialize_all_variables())
    for epoch in range(60):
        sess.run(train, feed_dict={x: data, y: labels})
    print("shapes:", sess.run(gru_out[-1], {x: data[:3]}).shape,
          sess.run(bi_out[-1], {x: data[:3]}).shape, sess.run(dyn_out, {x: data[:3]}).shape)
    print("variables:", " ".join(sorted(v.name for v in tf.trainable_variables()
                                        if "kernel" in v.name)))
    print("accuracy: %.3f" % sess.run(accuracy, feed_dict={x: data, y: labels}))
