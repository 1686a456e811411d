"""
Solution: variable_counter (lesson: linear_regression)

`assign_add` is an op that changes the Variable when it runs. The initializer must
come after the Variable is created: global_variables_initializer only knows the
Variables that exist when it is called.
"""
from tfgraph import quiet

quiet.install()  # TensorFlow starts on first use, without its start-up messages
import tensorflow as tf  # noqa: E402

tf1 = tf.compat.v1


def build():
    """A Variable `total` and an op `add` that adds the fed `amount` to it; return (graph, amount, add, total, init)."""
    graph = tf.Graph()
    with graph.as_default():
        amount = tf1.placeholder(tf.float32, name="amount")
        total = tf.Variable(0.0, name="total")
        add = total.assign_add(amount)
        init = tf1.global_variables_initializer()
    return graph, amount, add, total, init


def main():
    """Add 1, 2 and 3, printing the total after each run."""
    graph, amount, add, total, init = build()
    with tf1.Session(graph=graph) as sess:
        sess.run(init)
        for value in (1.0, 2.0, 3.0):
            sess.run(add, feed_dict={amount: value})
            print(f"added {value}, total is now {sess.run(total)}")


if __name__ == "__main__":
    main()
