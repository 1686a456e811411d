"""
Exercise: input_dropout (lesson: modern_net, about 10 minutes)

Task: fix the article's model_gen below so that its input dropout takes effect. It
computes a dropped-out copy of the input, out_X, then multiplies the undropped X
by w_h, so out_X is built into the graph but nothing uses it. (The lesson keeps that
defect by default, because the article's 98.52% came from it; its --input-dropout
flag is the fix you are about to write.)

An op that nothing fetches, directly or through other ops, never runs. Dropout
zeroes each unit with probability 1 - keep and scales the kept ones by 1 / keep, so
with keep = 1 it changes nothing: that is how testing turns it off.

Contract: the checker calls model_gen(X, w_h, w_h2, w_o, keep_input, keep_hidden)
inside its graph, with weights and keep-probability placeholders of its own, and
expects the logits.
Check: python -m lessons.exercises check input_dropout [this_file.py]
"""
import numpy as np

from tfgraph import quiet

quiet.install()  # TensorFlow starts on first use, without its start-up messages
import tensorflow as tf  # noqa: E402

tf1 = tf.compat.v1


def model_gen(X, w_h, w_h2, w_o, keep_input, keep_hidden):
    """The article's model: input dropout, ReLU with dropout, ReLU, logits."""
    out_X = tf.nn.dropout(X, rate=1 - keep_input)
    # TODO: the input dropout is computed above but not used here: fix the next line.
    in_H = tf.matmul(X, w_h)
    out_H = tf.nn.dropout(tf.nn.relu(in_H), rate=1 - keep_hidden)
    out_H2 = tf.nn.relu(tf.matmul(out_H, w_h2))
    return tf.matmul(out_H2, w_o)


def main():
    """Run the model three times on one image with keep_input = 0.5 and keep_hidden = 1."""
    rng = np.random.RandomState(0)
    graph = tf.Graph()
    with graph.as_default():
        X = tf1.placeholder(tf.float32, [None, 784], name="X")
        keep_input = tf1.placeholder(tf.float32, name="keep_input")
        keep_hidden = tf1.placeholder(tf.float32, name="keep_hidden")
        weights = [tf.constant(rng.randn(*shape).astype(np.float32) * 0.05)
                   for shape in ((784, 625), (625, 625), (625, 10))]
        logits = model_gen(X, *weights, keep_input, keep_hidden)
    image = rng.rand(1, 784)
    with tf1.Session(graph=graph) as sess:
        runs = []
        for run in range(3):
            got = sess.run(logits, feed_dict={X: image, keep_input: 0.5, keep_hidden: 1.0})
            print(f"run {run + 1}: first logits {np.round(got[0, :3], 3)}")
            runs.append(got)
    if all(np.allclose(got, runs[0]) for got in runs):
        print("The same numbers in every run: the input dropout has no effect yet.")
    else:
        print("Different numbers in each run: the input dropout works.")


if __name__ == "__main__":
    main()
