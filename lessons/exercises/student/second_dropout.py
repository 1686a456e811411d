"""
Exercise: second_dropout (lesson: modern_net, about 10 minutes)

Task: the article's text says the second hidden layer has dropout, but its code does
not. Add it: model_gen gets a third keep probability, keep_hidden2, and drops the
second hidden layer's outputs (after its ReLU) with it, before the output layer.
Keep everything else as it is.

Each dropout gets its own keep probability, a placeholder fed at every run: while
training, the training values; while testing, 1.0 for each, which turns them off.

Contract: the checker calls model_gen(X, w_h, w_h2, w_o, keep_input, keep_hidden,
keep_hidden2) inside its graph, with weights and placeholders of its own, and
expects the logits.
Check: python -m lessons.exercises check second_dropout [this_file.py]
"""
import numpy as np

from tfgraph import quiet

quiet.install()  # TensorFlow starts on first use, without its start-up messages
import tensorflow as tf  # noqa: E402

tf1 = tf.compat.v1


def todo(what):
    """A gap for you to fill: replace the call to todo(...) with your code."""
    raise NotImplementedError(what)


def model_gen(X, w_h, w_h2, w_o, keep_input, keep_hidden, keep_hidden2):
    """The article's model (its unused input dropout included), with dropout after the second hidden layer too."""
    out_X = tf.nn.dropout(X, rate=1 - keep_input)  # the article's: computed, never used
    in_H = tf.matmul(X, w_h)
    out_H = tf.nn.dropout(tf.nn.relu(in_H), rate=1 - keep_hidden)
    out_H2 = tf.nn.relu(tf.matmul(out_H, w_h2))
    # TODO: drop out_H2's units with keep probability keep_hidden2, and use the result below.
    dropped_H2 = todo("apply dropout with keep_hidden2 to out_H2")
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
    try:
        main()
    except NotImplementedError as gap:
        print(f"Not done yet: {gap}.")
