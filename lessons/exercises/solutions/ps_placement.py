"""
Solution: ps_placement (lesson: distributed)

Two device scopes nest: the outer one sends everything to the worker, the inner ones
pin each weight matrix to its ps task. replica_device_setter(ps_tasks=2) would get
the same placement here only by luck of order: it deals Variables round robin, so in
the lesson, where global_step is created first, W_h lands on task 1 and W_o back on
task 0. An explicit device string says what you mean. An optimizer's slot variables
(Momentum's accumulators, RMSProp's averages) are placed beside their Variable, so a
ps task holding W_h also holds W_h's slots: memory to plan for when sharding.
"""
from tfgraph import quiet

quiet.install()  # TensorFlow starts on first use, without its start-up messages
import tensorflow as tf  # noqa: E402
from tfgraph import training  # noqa: E402

tf1 = tf.compat.v1


def build_model(num_hidden=620):
    """A new graph: W_h on ps task 0, W_o on ps task 1, the computation on worker task 0."""
    graph = tf.Graph()
    with graph.as_default(), tf1.device("/job:worker/task:0"):
        X = tf1.placeholder(tf.float32, shape=[None, 784], name="X")  # (?, 784)
        with tf1.device("/job:ps/task:0"):
            W_h = training.init_weights([784, num_hidden], name="W_h")
        with tf1.device("/job:ps/task:1"):
            W_o = training.init_weights([num_hidden, 10], name="W_o")
        hidden = tf.nn.sigmoid(tf.matmul(X, W_h))  # (?, 620)
        tf.matmul(hidden, W_o, name="logits")  # (?, 10)
    return graph


def variables_by_task(graph):
    """{"/job:J/task:N": sorted names of the global Variables that task holds} for `graph`."""
    tasks = {}
    for variable in graph.get_collection(tf1.GraphKeys.GLOBAL_VARIABLES):
        spec = tf.DeviceSpec.from_string(variable.op.device)
        tasks.setdefault(f"/job:{spec.job}/task:{spec.task}", []).append(variable.op.name)
    return {task: sorted(names) for task, names in sorted(tasks.items())}


def lesson_graph_on(num_ps, optimizer):
    """The lesson's graph placed by replica_device_setter on `num_ps` ps tasks, trained by `optimizer`."""
    graph = tf.Graph()
    with graph.as_default(), tf1.device(tf1.train.replica_device_setter(ps_tasks=num_ps)):
        tf1.train.get_or_create_global_step()  # created first: ps task 0
        X = tf1.placeholder(tf.float32, shape=[None, 784], name="X")
        Y = tf1.placeholder(tf.float32, shape=[None, 10], name="Y")
        logits = tf.matmul(tf.nn.sigmoid(tf.matmul(X, training.init_weights([784, 620], name="W_h"))),
                           training.init_weights([620, 10], name="W_o"))
        training.classifier_ops(logits, Y, optimizer)  # Momentum adds a slot beside each weight
    return graph


def main():
    """Print which task holds what: build_model, then the lesson's placement with plain and Momentum descent."""
    print("build_model():", variables_by_task(build_model()))
    for num_ps, optimizer in ((1, tf1.train.GradientDescentOptimizer(0.2)),
                              (2, tf1.train.GradientDescentOptimizer(0.2)),
                              (3, tf1.train.MomentumOptimizer(0.2, 0.9))):
        print(f"the lesson on {num_ps} ps task(s), {optimizer.get_name()}:",
              variables_by_task(lesson_graph_on(num_ps, optimizer)))


if __name__ == "__main__":
    main()
