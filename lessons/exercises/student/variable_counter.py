"""
Exercise: variable_counter (lesson: linear_regression, about 10 minutes)

Task: keep a running total in a Variable. Each run of the op `add` adds the fed
`amount` to `total`, and the total is still there at the next run.

A placeholder forgets its value when the run ends; a Variable keeps it, which is
how the lesson's w and b carry what training learned from one step to the next.
Writing `total + amount` only computes a new tensor; to change the Variable, an op
has to assign to it (`total.assign_add(amount)`). A Variable's value lives in the
Session, so two Sessions of the same graph keep two separate totals, and the
initializer starts one over.

Contract: the checker calls build() and expects (graph, amount, add, total, init):
the tf.Graph, the float32 placeholder `amount`, the op (or tensor) `add`, the
tf.Variable `total` (starting at 0) and the initializer `init`.
Check: python -m lessons.exercises check variable_counter [this_file.py]
"""
from tfgraph import quiet

quiet.install()  # TensorFlow starts on first use, without its start-up messages
import tensorflow as tf  # noqa: E402

tf1 = tf.compat.v1


def todo(what):
    """A gap for you to fill: replace the call to todo(...) with your code."""
    raise NotImplementedError(what)


def build():
    """A Variable `total` and an op `add` that adds the fed `amount` to it; return (graph, amount, add, total, init)."""
    graph = tf.Graph()
    with graph.as_default():
        amount = tf1.placeholder(tf.float32, name="amount")
        # TODO: a float32 Variable named "total" that starts at 0.
        total = todo("make total, a Variable starting at 0.0")
        # TODO: an op that adds amount to total and stores the result in total.
        add = todo("make add, an op that adds amount into total")
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
    try:
        main()
    except NotImplementedError as gap:
        print(f"Not done yet: {gap}.")
