"""
Solution: second_dropout (lesson: modern_net)

A second tf.nn.dropout with its own keep placeholder, between the second hidden
layer's ReLU and the output layer. Reusing keep_hidden would work too while training
with equal values, but the two rates could then never be tuned apart, and the
checker feeds them differently to tell.
"""
import numpy as np

from tfgraph import quiet

quiet.install()  # TensorFlow starts on first use, without its start-up messages
import tensorflow as tf  # noqa: E402

tf1 = tf.compat.v1


def model_gen(X, w_h, w_h2, w_o, keep_input, keep_hidden, keep_hidden2):
    """The article's model (its unused input dropout included), with dropout after the second hidden layer too."""
    out_X = tf.nn.dropout(X, rate=1 - keep_input)  # the article's: computed, never used
    in_H = tf.matmul(X, w_h)
    out_H = tf.nn.dropout(tf.nn.relu(in_H), rate=1 - keep_hidden)
    out_H2 = tf.nn.relu(tf.matmul(out_H, w_h2))
    dropped_H2 = tf.nn.dropout(out_H2, rate=1 - keep_hidden2)
    return tf.matmul(dropped_H2, w_o)


def main():
    """Run the model three times on one image with keep_hidden2 = 0.5 and the other keeps at 1."""
    rng = np.random.RandomState(0)
    graph = tf.Graph()
    with graph.as_default():
        X = tf1.placeholder(tf.float32, [None, 784], name="X")
        keeps = [tf1.placeholder(tf.float32, name=name) for name in ("keep_input", "keep_hidden", "keep_hidden2")]
        weights = [tf.constant(rng.randn(*shape).astype(np.float32) * 0.05)
                   for shape in ((784, 625), (625, 625), (625, 10))]
        logits = model_gen(X, *weights, *keeps)
    image = rng.rand(1, 784)
    with tf1.Session(graph=graph) as sess:
        runs = []
        for run in range(3):
            got = sess.run(logits, feed_dict={X: image, keeps[0]: 1.0, keeps[1]: 1.0, keeps[2]: 0.5})
            print(f"run {run + 1}: first logits {np.round(got[0, :3], 3)}")
            runs.append(got)
    if all(np.allclose(got, runs[0]) for got in runs):
        print("The same numbers in every run: the second dropout has no effect yet.")
    else:
        print("Different numbers in each run: the second dropout works.")


if __name__ == "__main__":
    main()
