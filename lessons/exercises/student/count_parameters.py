"""
Exercise: count_parameters (lesson: fully_connected, about 10 minutes)

Task: write count_parameters(graph): how many numbers the optimizer trains in the
graph, summed over its trainable Variables (a 784 x 620 weight matrix holds 486,080
of them). Run this file to count the lesson's network with two optimizers.

A graph keeps its Variables in collections: graph.get_collection(...) with
tf.compat.v1.GraphKeys.GLOBAL_VARIABLES holds every Variable, TRAINABLE_VARIABLES
only those the optimizer changes. Some optimizers add Variables of their own: RMSProp
keeps two running averages for every weight ("slot" variables), and a step counter
is often kept with trainable=False. Neither is a parameter of the model.

Contract: the checker calls count_parameters(graph) on graphs of its own and expects
an int.
Check: python -m lessons.exercises check count_parameters [this_file.py]
"""
from tfgraph import quiet

quiet.install()  # TensorFlow starts on first use, without its start-up messages
import tensorflow as tf  # noqa: E402
from tfgraph import training  # noqa: E402

tf1 = tf.compat.v1


def todo(what):
    """A gap for you to fill: replace the call to todo(...) with your code."""
    raise NotImplementedError(what)


def count_parameters(graph):
    """The number of scalars in the graph's trainable Variables."""
    # TODO: sum, over the trainable Variables of graph, the number of elements of each (its shape's product).
    return todo("sum the sizes of the graph's trainable Variables")


def lesson_graph(optimizer, num_hidden=620):
    """The lesson's network trained by `optimizer`."""
    graph = tf.Graph()
    with graph.as_default():
        X = tf1.placeholder(tf.float32, [None, 784], name="X")
        Y = tf1.placeholder(tf.float32, [None, 10], name="Y")
        W_h = training.init_weights([784, num_hidden], name="W_h")
        W_o = training.init_weights([num_hidden, 10], name="W_o")
        training.classifier_ops(tf.matmul(tf.nn.sigmoid(tf.matmul(X, W_h)), W_o), Y, optimizer)
    return graph


def main():
    """Count the lesson's network with gradient descent and with RMSProp."""
    for name, optimizer in (("gradient descent", tf1.train.GradientDescentOptimizer(0.2)),
                            ("RMSProp", tf1.train.RMSPropOptimizer(0.001, 0.9))):
        graph = lesson_graph(optimizer)
        every = len(graph.get_collection(tf1.GraphKeys.GLOBAL_VARIABLES))
        print(f"{name}: {count_parameters(graph):,} parameters ({every} Variables in all)")


if __name__ == "__main__":
    try:
        main()
    except NotImplementedError as gap:
        print(f"Not done yet: {gap}.")
