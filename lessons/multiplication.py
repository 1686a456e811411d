"""
Title: Multiplication
Description: Build a graph that multiplies two placeholders, then feed it numbers in a Session.
Article section: Multiplication
Run: python -m lessons.multiplication
Expected: prints "2.000000 x 3.000000 = 6.000000"; about 5 s on a 2-core CPU (mostly importing TensorFlow).

TensorFlow 1 code runs in two phases: first you describe a computation as a graph,
then a Session runs it, with actual values fed into the graph's placeholders. This
lesson is the smallest graph that shows both.

Changed from the article: `tf.mul` is `tf.multiply` since TensorFlow 1.0, and
placeholders and Sessions live in `tf.compat.v1` (they need graph mode, which we get
by building inside our own `tf.Graph`).
"""
# %% [markdown]
# ## Setup

# %%
import tensorflow as tf

from tfgraph import cli, runs, summaries

tf1 = tf.compat.v1


def parse_args(argv=None):
    """The lesson's flags: the two numbers to multiply, and the shared ones."""
    parser = cli.lesson_parser(__doc__, "multiplication")
    parser.add_argument("--x", type=float, default=2.0, help="the first number (default: 2)")
    parser.add_argument("--y", type=float, default=3.0, help="the second number (default: 3)")
    cli.add_common_flags(parser, uses_mnist=False)
    return cli.parse_args(parser, argv)


# %% [markdown]
# ## Build the graph
#
# Placeholders are the graph's inputs: they hold no value until a Session run feeds
# one. `xy` is not a number either, only the recipe "multiply x by y".

# %%
def build_graph(args):
    """The graph xy = x * y, on the chosen device."""
    graph = cli.new_graph(args)
    with graph.as_default(), cli.device_scope(args):
        with tf.name_scope("input"):
            x = tf1.placeholder(tf.float32, name="x")  # a scalar
            y = tf1.placeholder(tf.float32, name="y")
        with tf.name_scope("model"):
            xy = tf.multiply(x, y, name="xy")  # tf.mul in the article
    return graph, x, y, xy


# %% [markdown]
# ## Run it in a Session
#
# `sess.run(xy, feed_dict=...)` computes `xy` from the values fed for `x` and `y`.

# %%
def main(argv=None):
    """Build the graph, run it once, print the product and write the graph for TensorBoard."""
    args = parse_args(argv)
    graph, x, y, xy = build_graph(args)
    if args.graph_only:
        return cli.show_graph(args, graph)
    with runs.open_run(args, graph) as run:
        with cli.session(args, graph) as sess:
            product = sess.run(xy, feed_dict={x: args.x, y: args.y})
        summaries.add_scalars(run.train, 0, xy=product)
    print("%f x %f = %f" % (args.x, args.y, product))
    runs.print_closing(run, curves=False)  # one product, no curves
    return product


# %% [markdown]
# ## Exercises
#
# 1. Add a third placeholder `z` and compute `x * y + z`. What does TensorBoard's graph show?
# 2. Run `xy` without feeding `y`. Read the error: what is TensorFlow telling you?
#
# Checked exercises for this lesson: `multiply_add`, `walk_the_graph`. Each is a file
# of your own that a checker grades. In a terminal (in a notebook, start the line with `!`):
#
#     python -m lessons.exercises start multiply_add                  # a fresh multiply_add.py here
#     python -m lessons.exercises check multiply_add multiply_add.py  # check your work

# %%
if __name__ == "__main__":
    cli.run(main)
