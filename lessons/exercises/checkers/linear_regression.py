"""Checks for the linear regression lesson's exercises: variable_counter, gradient_by_hand, learning_rate_limit."""
import math

import numpy as np
import tensorflow as tf

from lessons.exercises.checkers import kind, new_graph, number, placeholder, runnable, session, show, unpack
from lessons.exercises.checks import check, expect, judge_only

tf1 = tf.compat.v1


def lesson_data(seed=0):
    """The lesson's 500 points around y = 2x + 2, as float32."""
    rng = np.random.RandomState(seed)
    train_X = np.linspace(-1, 1, 500)
    train_Y = 2 * train_X + rng.randn(500) * 0.35 + 2
    return train_X.astype(np.float32), train_Y.astype(np.float32)


# --- variable_counter --------------------------------------------------------------------

def counter(submission):
    """build()'s five values, checked for type."""
    def build():
        return submission.function("build")()
    graph, amount, add, total, init = unpack(submission.memo("build", build),
                                             ["graph", "amount", "add", "total", "init"], "build()")
    expect(isinstance(graph, tf.Graph), f"build()'s first value should be the tf.Graph you built in, "
                                        f"but it is a {type(graph).__name__}.")
    placeholder(amount, "amount", graph)
    expect(total is not None, "total is None: fill in the gap that makes it.")
    expect(isinstance(total, tf.Variable),
           f"total should be a tf.Variable, but it is {kind(total)}. A tensor is recomputed at every run and "
           f"forgets; only a Variable keeps its value from one run to the next.")
    runnable(add, "add")
    runnable(init, "init")
    return graph, amount, add, total, init


@check("variable_counter", "build() returns the graph, the placeholder amount, an op add, a Variable total and init")
def counter_types(submission):
    counter(submission)


@check("variable_counter", "total starts at 0, and each run of add adds the amount fed")
def counter_adds(submission):
    graph, amount, add, total, init = counter(submission)
    with session(graph) as sess:
        sess.run(init)
        start = sess.run(total)
        expect(np.allclose(start, 0.0), f"After init, total is {show(start)}; it should start at 0.")
        seen = []
        for value in (1.0, 2.0, 3.0):
            sess.run(add, feed_dict={amount: value})
            seen.append(float(np.sum(sess.run(total))))
        if np.allclose(seen, 0.0):
            expect(False, "After running add with amounts 1, 2 and 3, total is still 0. `total + amount` computes "
                          "a new tensor but stores nothing: an op must assign to the Variable "
                          "(total.assign_add(amount)).")
        expect(np.allclose(seen, [1.0, 3.0, 6.0]),
               f"After running add with amounts 1, 2 and 3, total went {show(seen)}; expected [1, 3, 6].")


@check("variable_counter", "init starts the total over, and two Sessions keep separate totals")
def counter_sessions(submission):
    graph, amount, add, total, init = counter(submission)
    with session(graph) as first, session(graph) as second:
        first.run(init)
        first.run(add, feed_dict={amount: 5.0})
        second.run(init)
        expect(np.allclose(second.run(total), 0.0) and np.allclose(first.run(total), 5.0),
               f"After adding 5 in one Session and initializing another, the totals are "
               f"{show(first.run(total))} and {show(second.run(total))}; expected 5 and 0: each Session holds "
               f"its own value of a Variable.")
        first.run(init)
        expect(np.allclose(first.run(total), 0.0), f"Running init again left total at {show(first.run(total))}; "
                                                   f"it should start over at 0.")


# --- gradient_by_hand --------------------------------------------------------------------

def linear_model(graph):
    """The lesson's X, Y, w, b and cost, built in `graph`."""
    with graph.as_default():
        X = tf1.placeholder(tf.float32, name="X")
        Y = tf1.placeholder(tf.float32, name="Y")
        w = tf.Variable(0.0, name="weights")
        b = tf.Variable(0.0, name="bias")
        cost = tf.reduce_mean(tf.square(Y - (X * w + b)))
    return X, Y, w, b, cost


def trained(step_maker, steps, learning_rate=0.05):
    """(w, b) after `steps` runs of the op step_maker(cost, [w, b], learning_rate) makes, and the graph."""
    graph = new_graph()
    X, Y, w, b, cost = linear_model(graph)
    with graph.as_default():
        step = step_maker(cost, [w, b], learning_rate)
        runnable(step, "gradient_step(...)'s result")
        init = tf1.global_variables_initializer()
    train_X, train_Y = lesson_data()
    values = []
    with session(graph) as sess:
        sess.run(init)
        for _ in range(steps):
            sess.run(step, feed_dict={X: train_X, Y: train_Y})
            values.append(sess.run([w, b]))
    return np.array(values), graph


def optimizer_step(cost, variables, learning_rate):
    return tf1.train.GradientDescentOptimizer(learning_rate).minimize(cost, var_list=variables)


def compare(submission, steps):
    yours, _ = submission.memo(f"steps{steps}", lambda: trained(submission.function("gradient_step"), steps))
    reference, _ = judge_only(trained)(optimizer_step, steps)
    return yours, reference


@check("gradient_by_hand", "gradient_step returns an op a Session can run")
def step_runs(submission):
    compare(submission, 1)


@check("gradient_by_hand", "one step moves w and b exactly as GradientDescentOptimizer does")
def one_step(submission):
    yours, reference = compare(submission, 1)
    (w, b), (ref_w, ref_b) = yours[-1], reference[-1]
    if np.allclose([w, b], [0, 0]):
        expect(False, "After one step w and b are still 0: the op you return does not change the variables "
                      "(are the assign_sub ops part of it? tf.group(*ops) runs them all).")
    if np.allclose([w, b], [-ref_w, -ref_b], rtol=1e-4):
        expect(False, f"After one step (w, b) = ({w:.5f}, {b:.5f}) but the optimizer gives ({ref_w:.5f}, "
                      f"{ref_b:.5f}): you stepped uphill. Subtract learning_rate * gradient.")
    expect(not np.isclose(b, 0.0) or np.isclose(ref_b, 0.0),
           f"After one step w = {w:.5f} moved but b is still 0: update every variable in the list.")
    ratio = np.array([w, b]) / np.array([ref_w, ref_b])
    if np.allclose(ratio, ratio[0], rtol=1e-3) and not np.isclose(ratio[0], 1.0, rtol=1e-3):
        expect(False, f"After one step (w, b) = ({w:.5f}, {b:.5f}), {ratio[0]:.3g} times the optimizer's "
                      f"({ref_w:.5f}, {ref_b:.5f}): multiply the gradient by the learning rate, and by nothing "
                      f"else.")
    expect(np.allclose([w, b], [ref_w, ref_b], rtol=1e-4, atol=1e-6),
           f"After one step (w, b) = ({w:.5f}, {b:.5f}) but the optimizer gives ({ref_w:.5f}, {ref_b:.5f}).")


@check("gradient_by_hand", "50 steps still match the optimizer (the gradients are recomputed at every run)")
def fifty_steps(submission):
    yours, reference = compare(submission, 50)
    bad = np.flatnonzero(~np.all(np.isclose(yours, reference, rtol=1e-3, atol=1e-5), axis=1))
    if len(bad):
        first = bad[0]
        expect(False, f"After {first + 1} steps (w, b) = ({show(yours[first])}) but the optimizer gives "
                      f"({show(reference[first])}). If only the first step agrees, the gradients are not "
                      f"recomputed from the current w and b (were they computed once, outside the graph?).")


@check("gradient_by_hand", "no optimizer does the work (no ApplyGradientDescent op in the graph)")
def no_optimizer(submission):
    _, graph = submission.memo("steps1", lambda: trained(submission.function("gradient_step"), 1))
    used = sorted({op.type for op in graph.get_operations() if "ApplyGradientDescent" in op.type})
    expect(not used, f"Your graph has {', '.join(used)} ops: an optimizer took the step. The task is to write "
                     f"it with tf.gradients and assign_sub.")


# --- learning_rate_limit -----------------------------------------------------------------

def reference_costs(learning_rate, num_steps):
    """The cost at w = b = 0 and after num_steps steps of gradient descent (NumPy, float64; inf if it overflows)."""
    train_X, train_Y = (a.astype(np.float64) for a in lesson_data())
    w = b = 0.0
    start = float(np.mean(train_Y ** 2))
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(num_steps):
            error = w * train_X + b - train_Y
            w, b = w - learning_rate * 2 * np.mean(error * train_X), b - learning_rate * 2 * np.mean(error)
        end = float(np.mean((w * train_X + b - train_Y) ** 2))
    return start, end if math.isfinite(end) else math.inf


def final(submission, learning_rate, num_steps):
    """The student's final_cost(learning_rate, num_steps), checked to be a number."""
    got = submission.memo(("final", learning_rate, num_steps),
                          lambda: submission.function("final_cost")(learning_rate, num_steps))
    return number(got, f"final_cost({learning_rate:g}, {num_steps})")


@check("learning_rate_limit", "final_cost(0.01, 200) is the lesson's cost after 200 steps")
def lesson_cost(submission):
    got = final(submission, 0.01, 200)
    _, want = reference_costs(0.01, 200)
    expect(math.isclose(got, want, rel_tol=1e-3),
           f"final_cost(0.01, 200) returned {got:.6f}; the lesson's model reaches {want:.6f} after 200 steps "
           f"from w = b = 0. Did you train exactly num_steps steps and return the cost after the last one?")


@check("learning_rate_limit", "a run whose cost overflows stops with TrainingDiverged (check_cost)")
def stops_on_overflow(submission):
    from tfgraph.training import TrainingDiverged
    try:
        got = submission.function("final_cost")(1.5, 300)
    except TrainingDiverged:
        return
    expect(False, f"final_cost(1.5, 300) returned {got!r}: at that rate the cost overflows to infinity and "
                  f"then NaN, and the run should stop there. Pass each step's cost to training.check_cost, "
                  f"which raises TrainingDiverged.")


@check("learning_rate_limit", "LARGEST_STABLE_RATE: the cost falls at it, and not at 1.1 times it")
def largest_rate(submission):
    rate = number(submission.constant("LARGEST_STABLE_RATE", "the largest learning rate at which the cost "
                                                             "still falls"), "LARGEST_STABLE_RATE")
    expect(rate > 0, f"LARGEST_STABLE_RATE is {rate:g}; a learning rate is greater than 0.")
    start, end = reference_costs(rate, 300)
    expect(end < start, f"At {rate:g} the cost does not fall: it goes from {start:.3f} to {end:.4g} in 300 steps. "
                        f"Look lower.")
    _, above = reference_costs(1.1 * rate, 300)
    expect(above >= start, f"At {1.1 * rate:.3g}, 10% above your {rate:g}, the cost still falls ({start:.3f} to "
                           f"{above:.4g} in 300 steps). Look higher: run this file with larger rates.")
