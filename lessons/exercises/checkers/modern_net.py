"""Checks for the modern net lesson's exercises: input_dropout and second_dropout."""
import numpy as np
import tensorflow as tf

from lessons.exercises.checkers import close, finite, new_graph, show, tensor
from lessons.exercises.grader.checks import check, expect

tf1 = tf.compat.v1

RUNS = 12  # runs of a dropout model compared to see whether it is random


def random_weights(num_hidden=32, seed=6):
    rng = np.random.RandomState(seed)
    return [rng.randn(*shape).astype(np.float32) * scale
            for shape, scale in (((784, num_hidden), 0.05), ((num_hidden, num_hidden), 0.3), ((num_hidden, 10), 0.3))]


def summing_weights(num_hidden=16):
    """Weights under which logit 0 is the sum of the second layer's unit 0, itself the sum of pixels 0 to 9."""
    w_h = np.zeros((784, num_hidden), np.float32)
    w_h[np.arange(10), np.arange(10)] = 1.0   # first layer: unit i is pixel i, for i < 10
    w_h2 = np.zeros((num_hidden, num_hidden), np.float32)
    w_h2[:10, 0] = 1.0                         # second layer: unit 0 adds the first layer's units 0 to 9
    w_o = np.zeros((num_hidden, 10), np.float32)
    w_o[0, 0] = 1.0                            # logit 0 is the second layer's unit 0
    return [w_h, w_h2, w_o]


def reference(image, weights):
    w_h, w_h2, w_o = weights
    return np.maximum(np.maximum(image.dot(w_h), 0).dot(w_h2), 0).dot(w_o)


def runs_of(submission, num_keeps, weights, keeps, runs=RUNS):
    """Logits of `runs` runs of the student's model_gen on one image, with the keep probabilities `keeps` fed."""
    graph = new_graph()
    with graph.as_default():
        X = tf1.placeholder(tf.float32, [None, 784], name="X")
        keep_placeholders = [tf1.placeholder(tf.float32, name=f"keep{i}") for i in range(num_keeps)]
        constants = [tf.constant(w, name=f"w{i}") for i, w in enumerate(weights)]
    shipped = submission.send(graph)
    logits = submission.function("model_gen")(shipped[X], *[shipped[c] for c in constants],
                                              *[shipped[k] for k in keep_placeholders])
    tensor(logits, "model_gen(...)", shipped.graph)
    expect(logits.compatible((None, 10)), f"model_gen should return logits of shape (?, 10), but they have shape "
                                          f"{logits.shape}.")
    image = np.random.RandomState(7).rand(1, 784).astype(np.float32)
    sess = submission.session(shipped.graph)
    feed = {shipped[X]: image, **{shipped[k]: keep for k, keep in zip(keep_placeholders, keeps)}}
    return image, np.array([np.asarray(sess.run(logits, feed_dict=feed), dtype=np.float64)[0] for _ in range(runs)])


def expect_deterministic(submission, num_keeps):
    weights = random_weights()
    image, runs = runs_of(submission, num_keeps, weights, [1.0] * num_keeps, runs=3)
    want = reference(image, weights)[0]
    expect(close(runs, np.broadcast_to(want, runs.shape), rtol=1e-4, atol=1e-5),
           f"With every keep probability 1 (no dropout) your logits ({show(runs[0])}) are not "
           f"relu(relu(X w_h) w_h2) w_o" + (", and they change from run to run: a dropout ignores its keep "
                                            "probability." if random(runs) else "."))


def random(runs):
    """Whether the runs' logits are finite and not all the same."""
    return finite(runs) and not close(runs, np.broadcast_to(runs[0], runs.shape))


# --- input_dropout -----------------------------------------------------------------------

@check("input_dropout", "with every keep probability 1 it computes relu(relu(X w_h) w_h2) w_o")
def input_no_dropout(submission):
    expect_deterministic(submission, 2)


@check("input_dropout", "with keep_input 0.5 and keep_hidden 1 the logits change from run to run")
def input_takes_effect(submission):
    _, runs = runs_of(submission, 2, random_weights(), [0.5, 1.0])
    expect(random(runs), f"With keep_input = 0.5 and keep_hidden = 1, {RUNS} runs gave the same logits: the input "
                         f"dropout has no effect. out_X is computed but nothing uses it: multiply the dropped "
                         f"input by w_h instead of X.")


@check("input_dropout", "keep_hidden still drops the first hidden layer")
def hidden_still_drops(submission):
    _, runs = runs_of(submission, 2, random_weights(), [1.0, 0.5])
    expect(random(runs), f"With keep_input = 1 and keep_hidden = 0.5, {RUNS} runs gave the same logits: the hidden "
                         f"layer's dropout is gone. Fix the input, and keep the rest of the model as it was.")


# --- second_dropout ----------------------------------------------------------------------

@check("second_dropout", "with every keep probability 1 it computes relu(relu(X w_h) w_h2) w_o")
def second_no_dropout(submission):
    expect_deterministic(submission, 3)


@check("second_dropout", "keep_hidden2 below 1 makes the logits change from run to run")
def second_takes_effect(submission):
    _, runs = runs_of(submission, 3, random_weights(), [1.0, 1.0, 0.5])
    expect(random(runs), f"With keep_hidden2 = 0.5 and the other keep probabilities 1, {RUNS} runs gave the same "
                         f"logits: keep_hidden2 changes nothing. Drop the second hidden layer's outputs with "
                         f"keep_hidden2 (its own placeholder, not keep_hidden), and use the result.")
    _, runs = runs_of(submission, 3, random_weights(), [1.0, 0.5, 1.0])
    expect(random(runs), f"With keep_hidden = 0.5 and the other keep probabilities 1, {RUNS} runs gave the same "
                         f"logits: the first hidden layer's dropout is gone. Keep it, and add the second.")


@check("second_dropout", "it drops the second layer's units, each kept whole or zeroed")
def drops_second_layer(submission):
    image, runs = runs_of(submission, 3, summing_weights(), [1.0, 1.0, 0.5], runs=24)
    whole = reference(image, summing_weights())[0, 0] / 0.5
    values = runs[:, 0]
    expect(finite(values) and np.all(np.isclose(values, 0.0, atol=1e-5) | np.isclose(values, whole, rtol=1e-4)),
           f"A unit of the second layer that adds ten first-layer units should either be dropped (0) or kept and "
           f"scaled by 1/keep_hidden2, but across {len(values)} runs it took the values "
           f"{show(np.unique(np.round(values, 4)))}: the dropout acts on the first layer's units. Apply it to the "
           f"second layer's outputs, out_H2.")
