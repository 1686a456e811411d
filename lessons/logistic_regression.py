"""
Title: Logistic regression
Description: Classify MNIST digits with one linear layer and softmax cross-entropy, in minibatches.
Article section: Logistic Regression
Run: python -m lessons.logistic_regression
Expected: "Final accuracy was 0.9193" after 30 epochs; about 10 to 20 s on a 2-core CPU.

Logistic regression models the logits as a linear function of the pixels, and
maximum likelihood is the same as minimising the cross-entropy between the softmax
of those logits and the one-hot labels. `tf.nn.softmax_cross_entropy_with_logits`
computes both in one numerically stable op, so the model never applies softmax itself.

Changed from the article: `tensorflow.examples.tutorials.mnist` is gone, so the data
comes from `tfgraph.mnist` (the same `read_data_sets`, with a cache and a shipped
sample); the cost takes `labels=` and `logits=` by keyword since TensorFlow 1.0; the
whole test set is measured in batches of 1,000 images.
"""
# %% [markdown]
# ## Setup

# %%
from types import SimpleNamespace

import tensorflow as tf

from tfgraph import cli, evaluation, plotting, runs, summaries, training
from tfgraph.resume import resumable_epochs

tf1 = tf.compat.v1


def parse_args(argv=None):
    """The lesson's flags, defaulting to the article's values."""
    parser = cli.lesson_parser(__doc__, "logistic_regression")
    cli.add_training_flags(parser, num_epochs=30, batch_size=200, learning_rate=0.05)
    cli.add_common_flags(parser)
    return cli.parse_args(parser, argv)


# %% [markdown]
# ## Build the graph
#
# One weight matrix maps 784 pixels to 10 logits; there is no bias, as in the article.
# `training.classifier_ops` adds the cost (mean softmax cross-entropy), the
# gradient-descent step and the accuracy, each under its own name scope; every MNIST
# lesson after this one reuses it.

# %%
def build_graph(args):
    """Placeholders for images and one-hot labels, the linear model and its training ops."""
    graph = cli.new_graph(args)
    with graph.as_default(), cli.device_scope(args):
        with tf.name_scope("input"):
            X = tf1.placeholder(tf.float32, shape=[None, 784], name="X")  # (?, 784) flattened images
            Y = tf1.placeholder(tf.float32, shape=[None, 10], name="Y")  # (?, 10) one-hot labels
        with tf.name_scope("model"):
            w = tf.Variable(tf1.random_normal([784, 10], stddev=0.01), name="weights")
            pred_logit = tf.matmul(X, w, name="logits")  # (?, 10)
        ops = training.classifier_ops(pred_logit, Y, tf1.train.GradientDescentOptimizer(args.learning_rate))
        init = tf1.global_variables_initializer()
    return graph, SimpleNamespace(X=X, Y=Y, w=w, ops=ops, init=init)


# %% [markdown]
# ## Train
#
# Minibatch gradient descent: walk the training set in order, `batch_size` images a
# step, and measure accuracy on the whole test set after each epoch.

# %%
def main(argv=None):
    """Train, print the accuracy after each epoch and at the end, save the curve and the TensorBoard run."""
    args = parse_args(argv)
    graph, g = build_graph(args)
    if args.graph_only:
        return cli.show_graph(args, graph)
    train_X, train_Y, test_X, test_Y = cli.load_mnist(args)
    accuracies = []
    with runs.open_run(args, graph, {"lr": args.learning_rate, "seed": args.seed}) as run:
        with cli.session(args, graph) as sess:
            sess.run(g.init)
            for epoch in resumable_epochs(sess, run, args.num_epochs, {"accuracies": accuracies},
                                                   steps_per_epoch=len(train_X)):
                samples_seen = epoch * len(train_X)
                for batch_index, start in enumerate(range(0, len(train_X), args.batch_size)):
                    end = start + args.batch_size
                    _, cost = sess.run([g.ops.train_operation, g.ops.total_cost],
                                       feed_dict={g.X: train_X[start:end], g.Y: train_Y[start:end]})
                    samples_seen += len(train_X[start:end])
                    training.check_cost(cost, epoch, batch_index, samples_seen)  # stop if it became NaN
                training.check_weights(sess, epoch, batch_index, samples_seen)  # the last step's, too
                accuracies.append(training.evaluate(sess, g.ops.accuracy_operation, g.X, g.Y, test_X, test_Y))
                print("Epoch %d: test accuracy %.4f" % (epoch + 1, accuracies[-1]))
                summaries.add_scalars(run.train, samples_seen, cost=cost)
                summaries.add_scalars(run.test, samples_seen, accuracy=accuracies[-1])
                summaries.add_histograms(run.train, samples_seen, weights=sess.run(g.w))

            # ## Evaluate
            #
            # TensorBoard also gets the test digits this model gets wrong.
            print("Final accuracy was %.04f" % accuracies[-1])
            run.last_step = samples_seen
            evaluation.log_test_views(run, sess, g.X, test_X, test_Y, g.ops.predict_operation)
        plots = [plotting.plot_curve(accuracies, run.dir / "accuracy.png", xlabel="Epoch",
                                     ylabel="Test accuracy", show=args.show)]
    runs.print_closing(run, plots)
    return accuracies


# %% [markdown]
# ## Exercises
#
# 1. Add a bias vector `b` of 10 zeros to the logits. Does accuracy improve?
# 2. Raise the learning rate (`--learning-rate`; in a notebook, `learning_rate`) until training
#    falls apart. What do the accuracies do?
# 3. Open TensorBoard and count the ops under the `cost` scope. Which one is the softmax?
#
# Checked exercises for this lesson: `add_bias`, `count_ops`, `diverge`. Each is a file
# of your own that a checker grades. In a terminal (in a notebook, start the line with `!`):
#
#     python -m lessons.exercises start add_bias              # a fresh add_bias.py here
#     python -m lessons.exercises check add_bias add_bias.py  # check your work

# %%
if __name__ == "__main__":
    cli.run(main)
