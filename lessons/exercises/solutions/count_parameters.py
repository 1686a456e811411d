"""
Solution: count_parameters (lesson: fully_connected)

The lesson's network has 784 x 620 + 620 x 10 = 492,280 parameters whichever
optimizer trains it. With RMSProp the graph holds three times as many numbers in
Variables: each weight gets two slot variables (the running average of its squared
gradient, and a momentum), which GLOBAL_VARIABLES includes and TRAINABLE_VARIABLES
does not. That is also why RMSProp needs three times the memory of plain gradient
descent for its weights.
"""
from tfgraph import quiet

quiet.install()  # TensorFlow starts on first use, without its start-up messages
import tensorflow as tf  # noqa: E402
from tfgraph import training  # noqa: E402

tf1 = tf.compat.v1


def count_parameters(graph):
    """The number of scalars in the graph's trainable Variables."""
    variables = graph.get_collection(tf1.GraphKeys.TRAINABLE_VARIABLES)
    return sum(variable.shape.num_elements() for variable in variables)


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
    main()
