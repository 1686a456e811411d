# The char-rnn port of 2016 (legacy_seq2seq.rnn_decoder, a loop_function for sampling,
# sequence_loss_by_example), an OutputProjectionWrapper regression from 2017 books, and
# a toy embedding_rnn_seq2seq, for tests/test_legacy_scripts.py.
from __future__ import print_function

import numpy as np
import tensorflow as tf
from tensorflow.contrib import legacy_seq2seq, rnn

text = "to be or not to be"
chars = sorted(set(text))
vocab = {c: i for i, c in enumerate(chars)}
data = np.array([vocab[c] for c in text])
seq_length, vocab_size, rnn_size = len(text) - 1, len(chars), 32
tf.set_random_seed(2016)

# --- char-rnn: one model for training, the same weights for sampling ------------------
input_data = tf.placeholder(tf.int32, [1, seq_length])
targets = tf.placeholder(tf.int32, [1, seq_length])
cell = rnn.MultiRNNCell([rnn.BasicLSTMCell(rnn_size) for _ in range(2)])
with tf.variable_scope("rnnlm"):
    softmax_w = tf.get_variable("softmax_w", [rnn_size, vocab_size])
    softmax_b = tf.get_variable("softmax_b", [vocab_size])
    embedding = tf.get_variable("embedding", [vocab_size, rnn_size])
    inputs = tf.split(tf.nn.embedding_lookup(embedding, input_data), seq_length, 1)
    inputs = [tf.squeeze(input_, [1]) for input_ in inputs]


def loop(prev, _):
    prev_symbol = tf.stop_gradient(tf.argmax(tf.matmul(prev, softmax_w) + softmax_b, 1))
    return tf.nn.embedding_lookup(embedding, prev_symbol)


with tf.variable_scope("rnnlm"):
    outputs, last_state = legacy_seq2seq.rnn_decoder(
        inputs, cell.zero_state(1, tf.float32), cell, scope="rnnlm")
with tf.variable_scope("rnnlm", reuse=True):
    sampled, _ = legacy_seq2seq.rnn_decoder(
        inputs, cell.zero_state(1, tf.float32), cell, loop_function=loop, scope="rnnlm")
output = tf.reshape(tf.concat(outputs, 1), [-1, rnn_size])
logits = tf.matmul(output, softmax_w) + softmax_b
loss = legacy_seq2seq.sequence_loss_by_example(
    [logits], [tf.reshape(targets, [-1])], [tf.ones([seq_length])])
cost = tf.reduce_sum(loss) / seq_length
train_op = tf.train.AdamOptimizer(0.01).minimize(cost)
sampled_ids = [tf.argmax(tf.matmul(o, softmax_w) + softmax_b, 1) for o in sampled]

# --- OutputProjectionWrapper: predict the next value of a sine wave --------------------
t = np.linspace(0, 6, 41)
wave = np.sin(t).reshape(1, -1, 1).astype(np.float32)
X = tf.placeholder(tf.float32, [None, 40, 1])
y = tf.placeholder(tf.float32, [None, 40, 1])
with tf.variable_scope("wave"):
    wave_cell = tf.contrib.rnn.OutputProjectionWrapper(
        tf.contrib.rnn.BasicRNNCell(num_units=16, activation=tf.nn.relu), output_size=1)
    wave_out, _ = tf.nn.dynamic_rnn(wave_cell, X, dtype=tf.float32)
wave_loss = tf.reduce_mean(tf.square(wave_out - y))
wave_train = tf.train.AdamOptimizer(0.01).minimize(wave_loss)

# --- embedding_rnn_seq2seq: repeat a sequence of 3 symbols ------------------------------
enc = [tf.placeholder(tf.int32, [None]) for _ in range(3)]
dec = [tf.placeholder(tf.int32, [None]) for _ in range(3)]
seq_out, _ = legacy_seq2seq.embedding_rnn_seq2seq(enc, dec, rnn.GRUCell(16), 5, 5, 8)
seq_loss = legacy_seq2seq.sequence_loss(seq_out, dec, [tf.ones([8])] * 3)
seq_train = tf.train.AdamOptimizer(0.05).minimize(seq_loss)
symbols = np.random.RandomState(0).randint(1, 5, size=(8, 3))

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    feed = {input_data: [data[:-1]], targets: [data[1:]]}
    for _ in range(150):
        c, _ = sess.run([cost, train_op], feed)
    ids = sess.run(sampled_ids, feed)
    print("char-rnn:", text[0] + "".join(chars[i[0]] for i in ids))
    first = sess.run(wave_loss, {X: wave[:, :-1], y: wave[:, 1:]})
    for _ in range(100):
        sess.run(wave_train, {X: wave[:, :-1], y: wave[:, 1:]})
    last = sess.run(wave_loss, {X: wave[:, :-1], y: wave[:, 1:]})
    print("wave loss fell:", last < first / 5)
    seq_feed = {p: symbols[:, i] for i, p in enumerate(enc)}
    seq_feed.update({p: symbols[:, i] for i, p in enumerate(dec)})
    before = sess.run(seq_loss, seq_feed)
    for _ in range(60):
        sess.run(seq_train, seq_feed)
    print("seq2seq loss fell:", sess.run(seq_loss, seq_feed) < before / 3)
    print("variables:", " ".join(sorted(v.op.name for v in tf.trainable_variables()
                                        if "kernel" in v.op.name or "embedding" in v.op.name)))
