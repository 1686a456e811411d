"""Checks for the multivariable regression lesson's exercises: minibatches and learned_weights."""
import numpy as np
import tensorflow as tf

from lessons.exercises.checkers import array, close, new_graph, show
from lessons.exercises.grader.checks import check, expect

tf1 = tf.compat.v1


# --- minibatches -------------------------------------------------------------------------

def recording_graph(n=5, m=8):
    """Placeholders X, Y and a train_operation that records the steps, rows and pairings it is fed."""
    graph = new_graph()
    with graph.as_default():
        X = tf1.placeholder(tf.float32, shape=[None, n], name="X")
        Y = tf1.placeholder(tf.float32, shape=[None, m], name="Y")
        counters = {name: tf.Variable(0.0, name=name)
                    for name in ("steps", "rows", "row_sum", "largest", "mismatched")}
        rows = tf.cast(tf.shape(X)[0], tf.float32)
        train_operation = tf.group(
            counters["steps"].assign_add(1.0),
            counters["rows"].assign_add(rows),
            counters["row_sum"].assign_add(tf.reduce_sum(X[:, 0])),  # column 0 holds the row's number
            counters["largest"].assign(tf.maximum(counters["largest"], rows)),
            counters["mismatched"].assign_add(tf.reduce_sum(tf.abs(X[:, 0] - Y[:, 0]))))
        init = tf1.global_variables_initializer()
    return graph, X, Y, train_operation, counters, init


def one_epoch(submission, num_examples, batch_size):
    """What the recording graph saw during the student's train_one_epoch on num_examples rows."""
    def run():
        graph, X, Y, train_operation, counters, init = recording_graph()
        train_X = np.random.RandomState(1).rand(num_examples, 5).astype(np.float32)
        train_Y = np.random.RandomState(2).rand(num_examples, 8).astype(np.float32)
        train_X[:, 0] = train_Y[:, 0] = np.arange(num_examples)
        shipped = submission.send(graph)
        sess = submission.session(shipped.graph)
        sess.run(shipped[init])
        submission.function("train_one_epoch")(sess.remote, shipped[train_operation], shipped[X], shipped[Y],
                                               train_X, train_Y, batch_size)
        seen = sess.run({name: shipped[variable] for name, variable in counters.items()})
        expect(isinstance(seen, dict) and set(seen) == set(counters), "The checker's counters could not be read.")
        return {name: float(value) for name, value in seen.items()}
    return submission.memo(("epoch", num_examples, batch_size), run)


def expect_epoch(seen, num_examples, batch_size):
    steps = -(-num_examples // batch_size)
    expected = f"{steps} steps feeding {num_examples} rows"
    found = f"{seen['steps']:.0f} steps feeding {seen['rows']:.0f} rows"
    expect(seen["steps"] > 0, f"train_operation never ran ({num_examples} examples, batch_size {batch_size}): "
                              f"call sess.run(train_operation, feed_dict=...) for each batch.")
    expect(seen["largest"] <= batch_size, f"A step was fed {seen['largest']:.0f} rows at once, more than "
                                          f"batch_size={batch_size}: feed slices, not the whole array.")
    if seen["rows"] < num_examples:
        expect(False, f"With {num_examples} examples and batch_size {batch_size}, expected {expected}, but found "
                      f"{found}: the last, shorter batch was dropped. range(0, len(train_X), batch_size) "
                      f"gives every batch's start.")
    expect(seen["steps"] == steps and seen["rows"] == num_examples,
           f"With {num_examples} examples and batch_size {batch_size}, expected {expected}, but found {found}.")
    total = num_examples * (num_examples - 1) / 2
    expect(close(seen["row_sum"], total), "Some rows were fed twice and others never: feed consecutive "
                                               "slices train_X[start:start + batch_size].")


@check("minibatches", "100 examples in batches of 10: 10 steps, every row fed once")
def even_batches(submission):
    expect_epoch(one_epoch(submission, 100, 10), 100, 10)


@check("minibatches", "100 examples in batches of 30: the last batch of 10 is fed too")
def short_last_batch(submission):
    expect_epoch(one_epoch(submission, 100, 30), 100, 30)


@check("minibatches", "each step feeds X and Y the same rows")
def rows_paired(submission):
    for num_examples, batch_size in ((100, 10), (100, 30)):
        seen = one_epoch(submission, num_examples, batch_size)
        expect(close(seen["mismatched"], 0.0), "X and Y were fed different rows in the same step: slice "
                                                    "both with the same start and end.")


# --- learned_weights ---------------------------------------------------------------------

def regression_data(n, m, num_examples=40, seed=3):
    """Inputs and targets around a random linear map, float32."""
    rng = np.random.RandomState(seed)
    train_X = rng.rand(num_examples, n).astype(np.float32)
    train_Y = (train_X.dot(rng.rand(n, m)) + 0.1 * rng.randn(num_examples, m)).astype(np.float32)
    return train_X, train_Y


def reference_fit(train_X, train_Y, learning_rate, num_steps):
    """Full-batch gradient descent on mean((Y - X w)^2) from w = 0, in NumPy (float64)."""
    X, Y = train_X.astype(np.float64), train_Y.astype(np.float64)
    w = np.zeros((X.shape[1], Y.shape[1]))
    for _ in range(num_steps):
        w -= learning_rate * 2 * X.T.dot(X.dot(w) - Y) / Y.size
    return w


def fitted(submission, n, m, learning_rate=0.1, num_steps=300):
    train_X, train_Y = regression_data(n, m)
    got = submission.memo(("fit", n, m), lambda: submission.function("fit")(train_X, train_Y, learning_rate,
                                                                            num_steps))
    got = array(got, f"fit(...) for n={n}, m={m}")
    expect(got.shape != (m, n) or n == m, f"For n={n} inputs and m={m} outputs fit returned shape {got.shape}: "
                                          f"transposed. w maps n inputs to m outputs, so it is (n, m).")
    expect(got.shape == (n, m), f"For n={n} inputs and m={m} outputs fit should return shape ({n}, {m}), "
                                f"but it returned shape {got.shape}.")
    return got, reference_fit(train_X, train_Y, learning_rate, num_steps)


@check("learned_weights", "fit returns an (n, m) array for data of width n=3, m=2")
def any_width(submission):
    fitted(submission, 3, 2)


@check("learned_weights", "the weights are those gradient descent learns (compared with NumPy)")
def same_as_numpy(submission):
    got, want = fitted(submission, 3, 2)
    expect(not close(got, 0.0), "fit returned all zeros: the weights' starting value. Fetch w after the "
                                "training loop, not before it.")
    expect(close(got, want, rtol=1e-3, atol=1e-4),
           f"fit returned {show(got)}, which are not the weights gradient descent from zero reaches (300 steps at "
           f"0.1 on the mean squared error, all the data at each step).")


@check("learned_weights", "the same function fits the lesson's width, n=5, m=8")
def lesson_width(submission):
    got, want = fitted(submission, 5, 8)
    expect(close(got, want, rtol=1e-3, atol=1e-4), f"For n=5, m=8 fit returned {show(got)}, which are not the "
                                                   f"weights gradient descent reaches.")
