"""Classroom exercises for the lessons, each checked automatically; `python -m lessons.exercises` lists them.

Each exercise has a student file with gaps marked `# TODO` (`student/<name>.py`) and a
reference solution (`solutions/<name>.py`). A student file defines the function (or
constant) its docstring names; the checker imports the file, calls it and tests what
it does (values computed for given feeds, shapes, ops present in the graph, a cost
after some steps), never its source text, so any correct solution passes.

Importing this module does not import TensorFlow. The grader (`lessons.exercises.grader`,
`python -m lessons.exercises`) runs each student file in a sandbox of its own and decides
its verdict in another, where the checks (`checkers/<lesson>.py`) run.
"""
import difflib
from pathlib import Path
from typing import NamedTuple

HERE = Path(__file__).resolve().parent
STUDENT_DIR = HERE / "student"
SOLUTIONS_DIR = HERE / "solutions"


class Exercise(NamedTuple):
    """One exercise: its name (also its file name), lesson, one-line task and minutes a student needs."""
    name: str
    lesson: str
    task: str
    minutes: int


#: Every exercise, in the lessons' order. Checks live in `checkers/<lesson>.py`.
EXERCISES = (
    Exercise("multiply_add", "multiplication",
             "Add a third placeholder z, compute x * y + z and feed all three.", 5),
    Exercise("walk_the_graph", "multiplication",
             "Walk back from a tensor through op.inputs to the placeholders it needs fed.", 15),
    Exercise("variable_counter", "linear_regression",
             "Keep a running total in a Variable with assign_add: state that outlives a run.", 10),
    Exercise("gradient_by_hand", "linear_regression",
             "Write gradient descent's step with tf.gradients and assign_sub; match the optimizer.", 15),
    Exercise("learning_rate_limit", "linear_regression",
             "Find the largest learning rate at which the cost still falls; meet TrainingDiverged.", 15),
    Exercise("minibatches", "multivariable_regression",
             "Train one epoch in minibatches fed as slices, keeping the last short batch.", 10),
    Exercise("learned_weights", "multivariable_regression",
             "Fit W for data of any width with shaped placeholders, then fetch it.", 15),
    Exercise("add_bias", "logistic_regression",
             "Add a trainable bias vector to the logits.", 10),
    Exercise("count_ops", "logistic_regression",
             "Count the ops under a name scope by type, as TensorBoard groups them.", 10),
    Exercise("diverge", "logistic_regression",
             "Raise the learning rate until the cost overflows and TrainingDiverged stops the run.", 15),
    Exercise("relu_hidden", "fully_connected",
             "Swap the hidden layer's sigmoid for ReLU; see which learns faster in one epoch.", 10),
    Exercise("count_parameters", "fully_connected",
             "Count the numbers the optimizer trains, not RMSProp's slot variables.", 10),
    Exercise("batched_accuracy", "fully_connected",
             "Measure accuracy in batches, weighting each batch by its size.", 10),
    Exercise("input_dropout", "modern_net",
             "Wire in the input dropout the article computes but never uses.", 10),
    Exercise("second_dropout", "modern_net",
             "Add dropout after the second hidden layer, with its own keep probability.", 10),
    Exercise("pooling_size", "cnn",
             "Work out the output size of pooling and convolution for 'SAME' and 'VALID'.", 15),
    Exercise("fourth_block", "cnn",
             "Add a fourth conv block of 256 filters and work out its output shape.", 20),
    Exercise("conv1_activations", "cnn",
             "Find conv1's ReLU in the graph by its name and fetch it for some images.", 15),
    Exercise("ps_placement", "distributed",
             "Put the output layer on a second parameter server; list the Variables each task holds.", 15),
    Exercise("traced_multiply_add", "tf_function",
             "Write multiply_add as a tf.function; count the traces new shapes, dtypes and numbers cause.", 15),
    Exercise("port_fully_connected", "tf_function",
             "Port the fully connected net to a tf.Module; load a TF1 checkpoint by name, match its logits.", 20),
)

_BY_NAME = {exercise.name: exercise for exercise in EXERCISES}


class UnknownExercise(KeyError):
    """No exercise has this name; the message suggests the nearest names."""

    def __str__(self):
        return self.args[0]


def get(name):
    """The exercise called `name`, or UnknownExercise naming the closest ones."""
    try:
        return _BY_NAME[name]
    except KeyError:
        close = difflib.get_close_matches(name, _BY_NAME, n=3)
        hint = f" Did you mean {' or '.join(close)}?" if close else ""
        raise UnknownExercise(f"There is no exercise called {name!r}.{hint} "
                              f"python -m lessons.exercises lists them all.") from None


def student_file(name):
    """The path of exercise `name`'s student file (the one with gaps)."""
    return STUDENT_DIR / f"{get(name).name}.py"


def solution_file(name):
    """The path of exercise `name`'s reference solution."""
    return SOLUTIONS_DIR / f"{get(name).name}.py"
