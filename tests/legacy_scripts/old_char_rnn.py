# A character-level RNN as 2017 course scripts wrote it, for tests/test_legacy_scripts.py:
# an LSTM reads the text one character at a time, tf.contrib.seq2seq.sequence_loss
# scores its guesses of the next character, and the trained net then prints the text
# back from its first character alone.
from __future__ import print_function

import numpy as np
import tensorflow as tf

text = "hello, old tensorflow!"
chars = sorted(set(text))
char_to_id = {c: i for i, c in enumerate(chars)}
ids = np.array([char_to_id[c] for c in text])
vocab_size, steps, hidden = len(chars), len(text) - 1, 32

tf.set_random_seed(2017)
inputs = tf.placeholder(tf.int32, [None, None], name="inputs")
targets = tf.placeholder(tf.int32, [None, None], name="targets")
one_hot = tf.one_hot(inputs, vocab_size)
cell = tf.contrib.rnn.BasicLSTMCell(hidden)
initial_state = cell.zero_state(tf.shape(inputs)[0], tf.float32)
outputs, final_state = tf.nn.dynamic_rnn(cell, one_hot, initial_state=initial_state)
logits = tf.layers.dense(outputs, vocab_size)
weights = tf.ones_like(targets, dtype=tf.float32)
loss = tf.contrib.seq2seq.sequence_loss(logits, targets, weights)
train_op = tf.train.AdamOptimizer(0.02).minimize(loss)
next_char = tf.argmax(logits[:, -1], axis=1)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(150):
        l, _ = sess.run([loss, train_op], {inputs: [ids[:-1]], targets: [ids[1:]]})
    print("loss: %.3f" % l)
    # Sample: feed one character at a time, carrying the LSTM's state.
    state = sess.run(initial_state, {inputs: [[ids[0]]]})
    current, generated = ids[0], [text[0]]
    for _ in range(steps):
        current, state = sess.run([next_char, final_state],
                                  {inputs: [[current]], initial_state: state})
        current = current[0]
        generated.append(chars[current])
    print("sampled:", "".join(generated))
