"""Checks for the linear regression lesson's exercises: variable_counter, gradient_by_hand, learning_rate_limit."""
import math
import re

import numpy as np
import tensorflow as tf

from lessons.exercises.checkers import (close, finite, is_graph, kind, new_graph, number, placeholder, runnable,
                                        session, show, unpack)
from lessons.exercises.grader.checks import check, expect, reference
from lessons.exercises.grader.remote import StudentRaised

tf1 = tf.compat.v1

#: The op types of TensorFlow's optimizers' update kernels (ApplyGradientDescent, ResourceApplyAdam, ...).
OPTIMIZER_OP = re.compile(r"^(Resource)?(Sparse)?Apply[A-Z]")


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
    expect(is_graph(graph), f"build()'s first value should be the tf.Graph you built in, but it is {kind(graph)}.")
    placeholder(amount, "amount", graph)
    expect(total is not None, "total is None: fill in the gap that makes it.")
    expect(getattr(total, "kind", None) == "Variable",
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
    sess = submission.session(graph)
    sess.run(init)
    start = sess.run(total)
    expect(close(start, 0.0), f"After init, total is {show(start)}; it should start at 0.")
    seen = []
    for value in (1.0, 2.0, 3.0):
        sess.run(add, feed_dict={amount: value})
        seen.append(float(np.sum(sess.run(total))))
    if close(seen, 0.0):
        expect(False, "After running add with amounts 1, 2 and 3, total is still 0. `total + amount` computes a "
                      "new tensor but stores nothing: an op must assign to the Variable (total.assign_add(amount)).")
    expect(close(seen, np.cumsum([1.0, 2.0, 3.0])),
           f"After running add with amounts 1, 2 and 3, total went {show(seen)}: each run of add should add the "
           f"amount fed to the total, and nothing else.")


@check("variable_counter", "init starts the total over, and two Sessions keep separate totals")
def counter_sessions(submission):
    graph, amount, add, total, init = counter(submission)
    first, second = submission.session(graph), submission.session(graph)
    first.run(init)
    first.run(add, feed_dict={amount: 5.0})
    second.run(init)
    totals = first.run(total), second.run(total)
    expect(close(totals[1], 0.0) and close(totals[0], 5.0),
           f"After adding 5 in one Session and initializing another, the totals are {show(totals[0])} and "
           f"{show(totals[1])}: each Session should hold its own value of a Variable.")
    first.run(init)
    again = first.run(total)
    expect(close(again, 0.0), f"Running init again left total at {show(again)}; it should start over.")


# --- gradient_by_hand --------------------------------------------------------------------

#: Steps of the student's gradient step compared with the optimizer's.
STEPS = 50


def linear_model(graph):
    """The lesson's X, Y, w, b and cost, built in `graph`."""
    with graph.as_default():
        X = tf1.placeholder(tf.float32, name="X")
        Y = tf1.placeholder(tf.float32, name="Y")
        w = tf.Variable(0.0, name="weights")
        b = tf.Variable(0.0, name="bias")
        cost = tf.reduce_mean(tf.square(Y - (X * w + b)))
    return X, Y, w, b, cost


@reference("gradient_by_hand", [(STEPS, 0.05)])
def optimizer_steps(steps, learning_rate):
    """(w, b) after each of `steps` steps of GradientDescentOptimizer on the lesson's model."""
    graph = new_graph()
    X, Y, w, b, cost = linear_model(graph)
    with graph.as_default():
        step = tf1.train.GradientDescentOptimizer(learning_rate).minimize(cost, var_list=[w, b])
        init = tf1.global_variables_initializer()
    train_X, train_Y = lesson_data()
    values = []
    with session(graph) as sess:
        sess.run(init)
        for _ in range(steps):
            sess.run(step, feed_dict={X: train_X, Y: train_Y})
            values.append([float(value) for value in sess.run([w, b])])
    return values


def trained(submission):
    """(w, b) after each of STEPS runs of the student's gradient_step op, the graph it was built in, w's and b's op."""
    def run():
        graph = new_graph()
        X, Y, w, b, cost = linear_model(graph)
        shipped = submission.send(graph)
        step = submission.function("gradient_step")(shipped[cost], [shipped[w], shipped[b]], 0.05)
        runnable(step, "gradient_step(...)'s result")
        sess = submission.session(shipped.graph)
        sess.initialize()
        train_X, train_Y = lesson_data()
        values = []
        for _ in range(STEPS):
            sess.run(step, feed_dict={shipped[X]: train_X, shipped[Y]: train_Y})
            values.append(sess.run([shipped[w], shipped[b]]))
        return np.array(values, dtype=np.float64), shipped, (w.op.name, b.op.name)
    return submission.memo("steps", run)


def compare(submission, steps):
    yours, _, _ = trained(submission)
    return yours[:steps], np.array(optimizer_steps(STEPS, 0.05), dtype=np.float64)[:steps]


@check("gradient_by_hand", "gradient_step returns an op a Session can run")
def step_runs(submission):
    compare(submission, 1)


@check("gradient_by_hand", "one step moves w and b exactly as GradientDescentOptimizer does")
def one_step(submission):
    yours, reference_ = compare(submission, 1)
    (w, b), (ref_w, ref_b) = yours[-1], reference_[-1]
    found = f"After one step (w, b) = ({w:.5f}, {b:.5f})"
    expect(finite([w, b]), f"{found}: not numbers. Does your step divide by zero or overflow?")
    if close([w, b], [0, 0]):
        expect(False, "After one step w and b are still 0: the op you return does not change the variables "
                      "(are the assign_sub ops part of it? tf.group(*ops) runs them all).")
    if close([w, b], [-ref_w, -ref_b], rtol=1e-4):
        expect(False, f"{found}: you stepped uphill. Subtract learning_rate * gradient.")
    expect(not np.isclose(b, 0.0) or np.isclose(ref_b, 0.0),
           f"{found}: w moved but b is still 0. Update every variable in the list.")
    ratio = np.array([w, b]) / np.array([ref_w, ref_b])
    if close(ratio, ratio[0], rtol=1e-3) and not np.isclose(ratio[0], 1.0, rtol=1e-3):
        expect(False, f"{found}, {ratio[0]:.3g} times as far as gradient descent moves them: multiply the gradient "
                      f"by the learning rate, and by nothing else.")
    expect(close([w, b], [ref_w, ref_b], rtol=1e-4, atol=1e-6),
           f"{found}, which is not where one step of gradient descent takes them.")


@check("gradient_by_hand", "50 steps still match the optimizer (the gradients are recomputed at every run)")
def fifty_steps(submission):
    yours, reference_ = compare(submission, STEPS)
    agree = np.all(np.isclose(yours, reference_, rtol=1e-3, atol=1e-5), axis=1) & np.all(np.isfinite(yours), axis=1)
    bad = np.flatnonzero(~agree)
    if len(bad):
        first = bad[0]
        expect(False, f"After {first + 1} steps (w, b) = ({show(yours[first])}), which is not where gradient "
                      f"descent is by then. If only the first step agrees, the gradients are not recomputed from the "
                      f"current w and b (were they computed once, outside the graph?).")


@check("gradient_by_hand", "no optimizer does the work (no optimizer's update op, slot or step counter in the graph)")
def no_optimizer(submission):
    _, shipped, own = trained(submission)
    structure = submission.structure(shipped.graph)
    used = sorted({op.type for op in structure.ops if OPTIMIZER_OP.match(op.type)})
    expect(not used, f"Your graph has {', '.join(used)} ops: an optimizer took the step. The task is to write it "
                     f"with tf.gradients and assign_sub.")
    extra = sorted(op for _, op, _, _ in structure.variables["global"] if op not in own)
    expect(not extra, f"Your step made Variables of its own ({', '.join(extra[:4])}): an optimizer's slots or step "
                      f"counter. The task is to write the step with tf.gradients and assign_sub, which need none.")


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
    expect(finite(got) and math.isclose(got, want, rel_tol=1e-3),
           f"final_cost(0.01, 200) returned {got:.6f}, which is {'above' if got > want else 'not'} the cost of the "
           f"lesson's model after 200 steps from w = b = 0. Did you train exactly num_steps steps and return the "
           f"cost after the last one?")


@check("learning_rate_limit", "a run whose cost overflows stops with TrainingDiverged (check_cost)")
def stops_on_overflow(submission):
    try:
        got = submission.function("final_cost")(1.5, 300)
    except StudentRaised as raised:
        if raised.diverged:
            return
        raise
    expect(False, f"final_cost(1.5, 300) returned {got!r}: at that rate the cost overflows to infinity and "
                  f"then NaN, and the run should stop there. Pass each step's cost to training.check_cost, "
                  f"which raises TrainingDiverged.")


@check("learning_rate_limit", "LARGEST_STABLE_RATE: the cost falls at it, and not at 1.1 times it")
def largest_rate(submission):
    rate = number(submission.constant("LARGEST_STABLE_RATE", "the largest learning rate at which the cost "
                                                             "still falls"), "LARGEST_STABLE_RATE")
    expect(finite(rate) and rate > 0, f"LARGEST_STABLE_RATE is {rate:g}; a learning rate is a number above 0.")
    start, end = reference_costs(rate, 300)
    expect(end < start, f"At {rate:g} the cost does not fall: it goes from {start:.3f} to {end:.4g} in 300 steps. "
                        f"Look lower.")
    _, above = reference_costs(1.1 * rate, 300)
    expect(above >= start, f"At {1.1 * rate:.3g}, 10% above your {rate:g}, the cost still falls ({start:.3f} to "
                           f"{above:.4g} in 300 steps). Look higher: run this file with larger rates.")
