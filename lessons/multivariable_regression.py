"""
Title: Multivariable regression
Description: Fit y = W^T x for x in R^5 and y in R^8 by gradient descent, with shaped placeholders.
Article section: Linear Regression (the multivariable case)
Run: python -m lessons.multivariable_regression
Expected: "Final Error is 0.945866" (about the noise's variance, 1) after 1000 steps; about 5 s on a 2-core CPU.

The same recipe as linear regression, now with matrices: placeholders get a shape,
`[None, n]`, whose first dimension is left open for the batch size, and the model
is a matrix product.

Fixed from the article: its data cell computed `X.dot(W)` with `X` the placeholder
from the previous cell, which fails; the data is `train_X.dot(W)`. The noise is
N(0, I), so the best possible mean squared error is about 1, and the 1000 steps of
gradient descent at 0.01 do not quite reach it.
"""
# %% [markdown]
# ## Setup

# %%
import numpy as np
import tensorflow as tf

from lessons import linear_regression
from tfgraph import cli, plotting, runs

tf1 = tf.compat.v1


def parse_args(argv=None):
    """The lesson's flags, defaulting to the article's values."""
    parser = cli.lesson_parser(__doc__, "multivariable_regression")
    cli.add_training_flags(parser, num_epochs=1000, learning_rate=0.01)
    parser.add_argument("--n", type=cli.positive_int, default=5, help="input dimension n (default: 5)")
    parser.add_argument("--m", type=cli.positive_int, default=8, help="output dimension m (default: 8)")
    parser.add_argument("--num-examples", type=cli.positive_int, default=100,
                        help="how many (x, y) examples (default: 100)")
    cli.add_common_flags(parser, uses_mnist=False)
    return cli.parse_args(parser, argv)


# %% [markdown]
# ## Prepare the data
#
# A random true W (n x m), random inputs, and y = x W + N(0, I).

# %%
def make_data(args):
    """Inputs (num_examples, n) and targets (num_examples, m) around a random linear map."""
    cli.require_memory((args.num_examples + args.n) * (args.n + args.m) * 8 * 4,
                       f"--num-examples {args.num_examples} with --n {args.n} and --m {args.m}")
    rng = np.random.RandomState(args.seed)
    W = rng.rand(args.n, args.m)
    train_X = rng.rand(args.num_examples, args.n)  # (100, 5)
    train_Y = train_X.dot(W) + rng.randn(args.num_examples, args.m)  # (100, 8); the article wrote X.dot(W)
    return train_X.astype(np.float32), train_Y.astype(np.float32)


# %% [markdown]
# ## Build the graph

# %%
def build_graph(args):
    """Shaped placeholders, a weight matrix starting at zero, the squared-error cost and a GD step."""
    graph = cli.new_graph(args)
    with graph.as_default(), cli.device_scope(args):
        with tf.name_scope("input"):
            X = tf1.placeholder(tf.float32, shape=[None, args.n], name="X")  # (?, 5)
            Y = tf1.placeholder(tf.float32, shape=[None, args.m], name="Y")  # (?, 8)
        with tf.name_scope("model"):
            w = tf.Variable(tf.zeros([args.n, args.m]), name="weights")  # (5, 8)
            y_hat = tf.matmul(X, w, name="y_hat")  # (?, 8)
        with tf.name_scope("cost"):
            cost = tf.reduce_mean(tf.square(Y - y_hat))  # ()
        with tf.name_scope("train"):
            train_operation = tf1.train.GradientDescentOptimizer(args.learning_rate).minimize(cost)
        init = tf1.global_variables_initializer()
    return graph, dict(X=X, Y=Y, cost=cost, train_operation=train_operation, init=init)


# %% [markdown]
# ## Train
#
# "The rest remains the same": the loop is linear regression's own `train`, full-batch
# steps with the cost recorded after each, imported from that lesson.

# %%
def main(argv=None):
    """Fit W, print the final error, save the cost curve and the TensorBoard run."""
    args = parse_args(argv)
    train_X, train_Y = make_data(args)
    graph, g = build_graph(args)
    if args.graph_only:
        return cli.show_graph(args, graph)
    costs, run, _ = linear_regression.train(args, graph, g, {g["X"]: train_X, g["Y"]: train_Y})

    # ## Evaluate
    print("Final Error is %f" % costs[-1])
    plots = [plotting.plot_curve(costs, run.dir / "cost.png", xlabel="Epoch", ylabel="Mean Squared Error",
                                 show=args.show)]
    runs.print_closing(run, plots)
    return costs


# %% [markdown]
# ## Exercises
#
# 1. Feed the examples in batches of 10 instead of all at once. Does the cost curve change shape?
# 2. Compare the learned weights with the true W: add `w` to the fetched values and print both.
#
# Checked exercises for this lesson: `minibatches`, `learned_weights`. Each is a file
# of your own that a checker grades. In a terminal (in a notebook, start the line with `!`):
#
#     python -m lessons.exercises start minibatches                 # a fresh minibatches.py here
#     python -m lessons.exercises check minibatches minibatches.py  # check your work

# %%
if __name__ == "__main__":
    cli.run(main)
