"""
Title: Fully connected network
Description: A classic network with one hidden layer of 620 sigmoid units, trained by gradient descent.
Article section: Basic Fully Connected Network
Run: python -m lessons.fully_connected
Expected: "Final accuracy was 0.9797" after 50 epochs (article: 0.9786); about 2 minutes on a 2-core CPU.

The input layer feeds a hidden layer of sigmoid units, whose outputs feed ten output
units; softmax is left to the cost, as in logistic regression. Training goes through
`tfgraph.training.train_model`, the article's shared loop: a progress bar counting
samples, test accuracy every `--how-often` batches, timing, and the final accuracy.

A cost worth knowing: the article's settings measure accuracy on all 10,000 test
images every 100 batches (`--test-size 10000`), about 11 times an epoch. The closing
lines split the time into training and measuring; `--test-size 1000` makes the
measurements ten times cheaper and noisier.

Changed from the article: the cost's `labels=`/`logits=` keywords; the training set
is shuffled each epoch (seeded; `--no-shuffle` keeps the article's fixed order).
"""
# %% [markdown]
# ## Setup

# %%
from types import SimpleNamespace

import tensorflow as tf

from tfgraph import cli, evaluation, plotting, runs, training

tf1 = tf.compat.v1


def parse_args(argv=None):
    """The lesson's flags, defaulting to the article's values."""
    parser = cli.lesson_parser(__doc__, "fully_connected")
    cli.add_training_flags(parser, num_epochs=50, batch_size=50, learning_rate=0.2, test_size=10000,
                           how_often=100)
    parser.add_argument("--num-hidden", type=cli.layer_size, default=620,
                        help="units in the hidden layer (default: 620)")
    cli.add_common_flags(parser)
    return cli.parse_args(parser, argv)


# %% [markdown]
# ## Build the graph
#
# `init_weights` draws each weight matrix from N(0, 0.01^2). The hidden layer is
# `sigmoid(X W_h)`; the model's output is the logits `hidden W_o`.

# %%
def build_graph(args):
    """Input placeholders, the two-layer sigmoid network and its training ops."""
    graph = cli.new_graph(args)
    with graph.as_default(), cli.device_scope(args):
        with tf.name_scope("input"):
            X = tf1.placeholder(tf.float32, shape=[None, 784], name="X")  # (?, 784)
            Y = tf1.placeholder(tf.float32, shape=[None, 10], name="Y")  # (?, 10)
        with tf.name_scope("model"):
            with tf.name_scope("hidden"):
                W_h = training.init_weights([784, args.num_hidden], name="W_h")  # weights entering the hidden layer
                entering_hidden = tf.matmul(X, W_h)  # (?, 620)
                exiting_hidden = tf.nn.sigmoid(entering_hidden)
            with tf.name_scope("output"):
                W_o = training.init_weights([args.num_hidden, 10], name="W_o")  # weights entering the output layer
                model = tf.matmul(exiting_hidden, W_o, name="logits")  # (?, 10)
        ops = training.classifier_ops(model, Y, tf1.train.GradientDescentOptimizer(args.learning_rate))
        init = tf1.global_variables_initializer()
    return graph, SimpleNamespace(X=X, Y=Y, hidden=exiting_hidden, ops=ops, init=init)


# %% [markdown]
# ## Train
#
# `train_model(sess, train_X, train_Y, test_X, test_Y, train_operation,
# accuracy_operation, num_epochs, batch_size, test_size)`, in the article's order;
# the placeholders go by keyword.

# %%
def main(argv=None):
    """Train the network with train_model, save the accuracy curve and the TensorBoard run."""
    args = parse_args(argv)
    graph, g = build_graph(args)
    if args.graph_only:
        return cli.show_graph(args, graph)
    train_X, train_Y, test_X, test_Y = cli.load_mnist(args)
    with runs.open_run(args, graph, {"lr": args.learning_rate, "seed": args.seed}) as run:
        with cli.session(args, graph) as sess:
            sess.run(g.init)
            accuracies = training.train_model(
                sess, train_X, train_Y, test_X, test_Y, g.ops.train_operation, g.ops.accuracy_operation,
                args.num_epochs, args.batch_size, args.test_size, how_often=args.how_often,
                X=g.X, Y=g.Y, cost_operation=g.ops.total_cost, run=run, shuffle=args.shuffle, seed=args.seed,
                trace=args.trace)

            # ## Evaluate
            #
            # The curve zooms on [0.9, 1] as the article's did. TensorBoard also gets the
            # misclassified test digits and the hidden layer's view of them (projector).
            evaluation.log_test_views(run, sess, g.X, test_X, test_Y, g.ops.predict_operation, g.hidden)
        plots = [plotting.plot_accuracies(accuracies, run.dir / "accuracy.png", ylim=(0.9, 1), show=args.show)]
    runs.print_closing(run, plots)
    return accuracies


# %% [markdown]
# ## Exercises
#
# 1. Swap `tf.nn.sigmoid` for `tf.nn.relu`. Which learns faster in the first epoch?
# 2. Halve and double the hidden layer (`--num-hidden`; in a notebook, `num_hidden`). How do
#    accuracy and seconds per epoch change?
# 3. Compare the time split with 1,000 test images per check (`--test-size 1000`, `test_size`)
#    and with the article's 10,000.
#
# Checked exercises for this lesson: `relu_hidden`, `count_parameters`, `batched_accuracy`. Each is a file
# of your own that a checker grades. In a terminal (in a notebook, start the line with `!`):
#
#     python -m lessons.exercises start relu_hidden                 # a fresh relu_hidden.py here
#     python -m lessons.exercises check relu_hidden relu_hidden.py  # check your work

# %%
if __name__ == "__main__":
    cli.run(main)
