"""
Exercise: ps_placement (lesson: distributed, about 15 minutes)

Task: build the lesson's network with its output layer on a second parameter server,
then write variables_by_task(graph): which Variables each task of the cluster holds.
Run this file to print where the lesson's own placement puts them.

A device scope places what is built inside it. tf.compat.v1.device accepts a device
string ("/job:ps/task:1") or a function of the op, such as the one
tf.compat.v1.train.replica_device_setter(ps_tasks=N, worker_device=...) returns: it
sends each Variable to a ps task, round robin in the order they are created, and
every other op to the worker. Scopes nest; the innermost wins. Every op records
where it was placed in op.device, a string such as "/job:ps/task:1/device:CPU:0";
tf.DeviceSpec.from_string(op.device) reads its job and task.

Contract: build_model() returns a new tf.Graph holding the lesson's two weight
matrices, W_h of shape (784, 620) on /job:ps/task:0 and W_o of shape (620, 10) on
/job:ps/task:1, and the logits computed from a placeholder X on /job:worker/task:0.
variables_by_task(graph) returns a dict {"/job:ps/task:0": ["W_h", ...], ...}: for
each task, the sorted names (variable.op.name) of the graph's global Variables it
holds; the checker calls it on graphs of its own.
Check: python -m lessons.exercises check ps_placement [this_file.py]
"""
from tfgraph import quiet

quiet.install()  # TensorFlow starts on first use, without its start-up messages
import tensorflow as tf  # noqa: E402
from tfgraph import training  # noqa: E402

tf1 = tf.compat.v1


def todo(what):
    """A gap for you to fill: replace the call to todo(...) with your code."""
    raise NotImplementedError(what)


def build_model(num_hidden=620):
    """A new graph: W_h on ps task 0, W_o on ps task 1, the computation on worker task 0."""
    graph = tf.Graph()
    with graph.as_default():
        X = tf1.placeholder(tf.float32, shape=[None, 784], name="X")  # (?, 784)
        # TODO: create W_h on /job:ps/task:0 and W_o on /job:ps/task:1 (training.init_weights, named "W_h"
        # and "W_o"), and the logits sigmoid(X W_h) W_o on /job:worker/task:0.
        todo("place the two weight matrices and the logits")
    return graph


def variables_by_task(graph):
    """{"/job:J/task:N": sorted names of the global Variables that task holds} for `graph`."""
    # TODO: group graph's GLOBAL_VARIABLES by the job and task of their device.
    return todo("group the graph's Variables by the task that holds them")


def lesson_placement(num_ps):
    """The lesson's graph as `replica_device_setter` places it on `num_ps` ps tasks (with a global step)."""
    graph = tf.Graph()
    with graph.as_default(), tf1.device(tf1.train.replica_device_setter(ps_tasks=num_ps)):
        tf1.train.get_or_create_global_step()
        X = tf1.placeholder(tf.float32, shape=[None, 784], name="X")
        W_h = training.init_weights([784, 620], name="W_h")
        W_o = training.init_weights([620, 10], name="W_o")
        tf.matmul(tf.nn.sigmoid(tf.matmul(X, W_h)), W_o, name="logits")
    return graph


def main():
    """Print which task holds what: your build_model, then the lesson's placement on one and two ps tasks."""
    print("build_model():", variables_by_task(build_model()))
    for num_ps in (1, 2):
        print(f"the lesson with --ps {num_ps}:", variables_by_task(lesson_placement(num_ps)))


if __name__ == "__main__":
    try:
        main()
    except NotImplementedError as gap:
        print(f"Not done yet: {gap}.")
