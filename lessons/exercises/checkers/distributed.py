"""Checks for the distributed lesson's exercise: ps_placement."""
import tensorflow as tf

from lessons.exercises.checkers import is_graph, kind, new_graph
from lessons.exercises.grader.checks import check, expect
from tfgraph import training

tf1 = tf.compat.v1

WANT = {(784, 620): ("W_h", "/job:ps/task:0"), (620, 10): ("W_o", "/job:ps/task:1")}


def task_of(device):
    """'/job:J/task:N' for a device string ('/job:J' when it names no task, '' when it names no job)."""
    try:
        spec = tf.DeviceSpec.from_string(device or "")
    except (ValueError, TypeError):
        return ""
    if not spec.job:
        return ""
    return f"/job:{spec.job}" + (f"/task:{spec.task}" if spec.task is not None else "")


# --- ps_placement: build_model -----------------------------------------------------------

def placement(submission):
    """What build_model() placed where, read from its graph's description."""
    def build():
        graph = submission.function("build_model")()
        expect(is_graph(graph), f"build_model() should return the new tf.Graph it built in, but it returned "
                                f"{kind(graph)}.")
        structure = submission.structure(graph)
        variables = [{"name": op, "shape": list(shape or ()), "task": task_of(device)}
                     for _, op, shape, device in structure.variables["trainable"]]
        matmuls = [{"name": op.name, "task": task_of(op.device)} for op in structure.of_type("MatMul")]
        return {"variables": variables, "matmuls": matmuls}
    return submission.memo("placement", build)


@check("ps_placement", "build_model() returns a graph with the weights W_h (784, 620) and W_o (620, 10)")
def model_has_the_weights(submission):
    shapes = sorted(tuple(v["shape"]) for v in placement(submission)["variables"])
    expect(shapes == sorted(WANT), f"The graph's trainable Variables have shapes {shapes}; the lesson's network "
                                   f"has two: {sorted(WANT)}. Create them with training.init_weights.")


@check("ps_placement", "W_h lives on /job:ps/task:0 and W_o, the output layer, on /job:ps/task:1")
def weights_on_their_ps_tasks(submission):
    for variable in placement(submission)["variables"]:
        name, want = WANT.get(tuple(variable["shape"]), (variable["name"], None))
        got = variable["task"] or "no task at all (it was built outside any device scope)"
        expect(want is None or variable["task"] == want,
               f"{name} {tuple(variable['shape'])} is placed on {got}; it should live on {want}. Create it inside "
               f"`with tf1.device(\"{want}\"):`.")


@check("ps_placement", "the matrix products run on /job:worker/task:0")
def products_on_the_worker(submission):
    matmuls = placement(submission)["matmuls"]
    expect(len(matmuls) >= 2, f"The graph has {len(matmuls)} MatMul op(s); the logits need two: X W_h, then "
                              "the hidden layer times W_o.")
    for op in matmuls:
        expect(op["task"] == "/job:worker/task:0",
               f"The product {op['name']} runs on {op['task'] or 'no task at all'}; computation belongs on "
               "/job:worker/task:0 (a ps only holds and updates Variables). Wrap the whole model in "
               "`with tf1.device(\"/job:worker/task:0\"):`; the Variables' own scopes inside it win.")


# --- ps_placement: variables_by_task -----------------------------------------------------

def placed_graph(num_ps, optimizer=None):
    """The lesson's net placed by replica_device_setter on `num_ps` ps tasks, with a global step first."""
    graph = new_graph()
    with graph.as_default(), tf1.device(tf1.train.replica_device_setter(ps_tasks=num_ps)):
        global_step = tf1.train.get_or_create_global_step()
        X = tf1.placeholder(tf.float32, [None, 784], name="X")
        Y = tf1.placeholder(tf.float32, [None, 10], name="Y")
        W_h = training.init_weights([784, 30], name="W_h")
        W_o = training.init_weights([30, 10], name="W_o")
        logits = tf.matmul(tf.nn.sigmoid(tf.matmul(X, W_h)), W_o)
        if optimizer is not None:
            cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=Y, logits=logits))
            optimizer.minimize(cost, global_step=global_step)
    return graph


def reference(graph):
    """The checker's own answer for `graph`."""
    tasks = {}
    for variable in graph.get_collection(tf1.GraphKeys.GLOBAL_VARIABLES):
        tasks.setdefault(task_of(variable.op.device), []).append(variable.op.name)
    return {task: sorted(names) for task, names in tasks.items()}


def compare(submission, graph, description):
    """Check variables_by_task(graph) against the checker's own answer, with a hint for the first difference."""
    got = submission.function("variables_by_task")(submission.send(graph).graph)
    expect(isinstance(got, dict), f"variables_by_task should return a dict, but it returned {kind(got)}.")
    want = reference(graph)
    expect(set(got) == set(want), f"For {description} your dict has the keys {sorted(map(str, got))[:8]}, which "
                                  f"are not the tasks that hold Variables. Key each task as "
                                  f"\"/job:<job>/task:<index>\", read from variable.op.device with "
                                  f"tf.DeviceSpec.from_string.")
    for task, names in want.items():
        expect(isinstance(got[task], (list, tuple)) and sorted(got[task]) == list(got[task]) and
               list(got[task]) == names,
               f"For {description}, your dict says {task} holds {str(got[task])[:300]}, which is not the sorted "
               f"variable.op.name of each global Variable placed there (the optimizer's slots included).")


@check("ps_placement", "variables_by_task lists the lesson's placement on one ps task")
def lists_one_ps(submission):
    compare(submission, placed_graph(1), "the lesson's graph on one ps task")


@check("ps_placement", "variables_by_task lists three ps tasks, the optimizer's slots beside their weights")
def lists_three_ps_with_slots(submission):
    compare(submission, placed_graph(3, tf1.train.MomentumOptimizer(0.1, 0.9)),
            "the lesson's graph on three ps tasks trained with Momentum")
