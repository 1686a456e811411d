"""
Title: Linear regression
Description: Fit y = w x + b to noisy points by gradient descent on the mean squared error.
Article section: Linear Regression
Run: python -m lessons.linear_regression
Expected: "Predicting y = 1.45 x + 1.96" after 200 steps (the article: 1.52 x + 1.95); about 5 s on a 2-core CPU.

Variables are the graph's state: unlike placeholders they keep their value between
Session runs, and an optimizer's `minimize` adds the ops that update them. We fit a
line to 500 points drawn around y = 2x + 2 with full-batch gradient descent.

Why 1.52 and not 2? After 200 steps at a learning rate of 0.01 the descent has not
converged: the slope moves by a factor of about (1 - 0.02 var(x)) a step, and var(x)
is only 1/3 here. Train longer (--epochs 2000) and w approaches 2.

Changed from the article: `tf.mul` is `tf.multiply`; `tf.initialize_all_variables`
is `tf.compat.v1.global_variables_initializer`; the data's seed is a flag.
"""
# %% [markdown]
# ## Setup

# %%
import numpy as np
import tensorflow as tf

from tfgraph import cli, plotting, runs, summaries, training
from tfgraph.errors import TfgraphError
from tfgraph.resume import resumable_epochs

tf1 = tf.compat.v1


def parse_args(argv=None):
    """The lesson's flags, defaulting to the article's values."""
    parser = cli.lesson_parser(__doc__, "linear_regression")
    cli.add_training_flags(parser, num_epochs=200, learning_rate=0.01)
    parser.add_argument("--num-points", type=cli.positive_int, default=500,
                        help="how many (x, y) points to fit (default: 500)")
    parser.add_argument("--noise", type=cli.non_negative_float, default=0.35,
                        help="standard deviation of the noise added to y (default: 0.35)")
    cli.add_common_flags(parser, uses_mnist=False)
    return cli.parse_args(parser, argv)


# %% [markdown]
# ## Prepare the data
#
# 500 evenly spaced x in [-1, 1], and y = 2x + 2 plus Gaussian noise.

# %%
def make_data(args):
    """The article's points: y = 2x + N(0, noise^2) + 2."""
    cli.require_memory(args.num_points * 8 * 8, f"--num-points {args.num_points}")  # x, y and their copies
    rng = np.random.RandomState(args.seed)
    train_X = np.linspace(-1, 1, args.num_points)
    train_Y = 2 * train_X + rng.randn(*train_X.shape) * args.noise + 2
    check_cost_fits(train_Y, args)
    return train_X.astype(np.float32), train_Y.astype(np.float32)


def check_cost_fits(train_Y, args):
    """Refuse points whose squared errors would overflow float32 before the first step: no rate could help."""
    largest = float(np.finfo(np.float32).max)
    if np.sum(np.square(train_Y, dtype=np.float64)) < largest / 4:  # room for the first steps' sums
        return
    bound = np.sqrt(largest / 4 / args.num_points) / 4  # y is within about 4 standard deviations
    raise TfgraphError(
        f"With --noise {args.noise:g} the points lie as far as {np.abs(train_Y).max():.1e} from the line, and "
        f"their squared errors add up to more than float32 can hold ({largest:.1e}): the cost would be "
        f"infinite before training changed anything, whatever the learning rate. Use a --noise of at most "
        f"about {bound:.0e} for {args.num_points} points.")


# %% [markdown]
# ## Build the graph
#
# `w` and `b` start at 0. The cost is the mean squared error over all points, and
# `GradientDescentOptimizer(learning_rate).minimize(cost)` is the op that takes one
# step downhill.

# %%
def build_graph(args):
    """Placeholders X, Y; variables w, b; the cost; one gradient-descent step."""
    graph = cli.new_graph(args)
    with graph.as_default(), cli.device_scope(args):
        with tf.name_scope("input"):
            X = tf1.placeholder(tf.float32, name="X")  # no shape given: any shape works (500 numbers here)
            Y = tf1.placeholder(tf.float32, name="Y")
        with tf.name_scope("model"):
            w = tf.Variable(0.0, name="weights")
            b = tf.Variable(0.0, name="bias")
            y_hat = tf.add(tf.multiply(X, w), b, name="y_hat")
        with tf.name_scope("cost"):
            cost = tf.reduce_mean(tf.square(Y - y_hat))  # () a scalar
        with tf.name_scope("train"):
            train_operation = tf1.train.GradientDescentOptimizer(args.learning_rate).minimize(cost)
        init = tf1.global_variables_initializer()
    return graph, dict(X=X, Y=Y, w=w, b=b, cost=cost, train_operation=train_operation, init=init)


# %% [markdown]
# ## Train
#
# Each epoch feeds all the points at once (gradient descent, not stochastic), then
# measures the cost so we can plot it.

# %%
def train(args, graph, g, feed, fetch=()):
    """Run `args.num_epochs` full-batch steps; return the costs, the run and the values of `fetch` at the end."""
    costs = []
    with runs.open_run(args, graph, {"lr": args.learning_rate, "seed": args.seed}) as run:
        with cli.session(args, graph) as sess:
            sess.run(g["init"])
            for epoch in resumable_epochs(sess, run, args.num_epochs, {"costs": costs}):
                sess.run(g["train_operation"], feed_dict=feed)
                costs.append(training.check_cost(sess.run(g["cost"], feed_dict=feed), epoch, 0,
                                                 (epoch + 1) * len(feed[g["X"]]),
                                                 first=costs[0] if costs else None))  # stop if it diverges
                summaries.add_scalars(run.train, epoch + 1, cost=costs[-1])
            final = sess.run(list(fetch))
    return costs, run, final


def main(argv=None):
    """Fit the line, print the article's closing lines, save the plots and the TensorBoard run."""
    args = parse_args(argv)
    train_X, train_Y = make_data(args)
    graph, g = build_graph(args)
    if args.graph_only:
        return cli.show_graph(args, graph)
    costs, run, (w_final, b_final) = train(args, graph, g, {g["X"]: train_X, g["Y"]: train_Y},
                                           fetch=(g["w"], g["b"]))

    # ## Evaluate
    print("Final Error is %f" % costs[-1])
    print("Predicting y = %.02f x + %.02f" % (w_final, b_final))
    print("Actually is y = %.02f x + %.02f" % (2, 2))
    plots = [
        plotting.plot_fit(train_X, train_Y, w_final, b_final, run.dir / "fit.png", show=args.show),
        plotting.plot_curve(costs, run.dir / "cost.png", xlabel="Epoch", ylabel="Mean Squared Error",
                            show=args.show),
    ]
    runs.print_closing(run, plots)
    return float(w_final), float(b_final), costs


# %% [markdown]
# ## Exercises
#
# 1. Train for 2000 epochs (`--epochs 2000`; in a notebook, `num_epochs = 2000`). How close do
#    w and b get to 2, and how does the cost curve end?
# 2. Find the largest learning rate (`--learning-rate`, `learning_rate`) at which the cost still
#    falls. What happens just above it?
# 3. Replace the optimizer with your own step: `tf.gradients(cost, [w, b])` and `w.assign_sub(...)`.
#
# Checked exercises for this lesson: `variable_counter`, `gradient_by_hand`, `learning_rate_limit`. Each is a file
# of your own that a checker grades. In a terminal (in a notebook, start the line with `!`):
#
#     python -m lessons.exercises start variable_counter                      # a fresh variable_counter.py here
#     python -m lessons.exercises check variable_counter variable_counter.py  # check your work

# %%
if __name__ == "__main__":
    cli.run(main)
