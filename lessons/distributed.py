"""
Title: Distributed training
Description: The fully connected net trained by parameter servers and workers over gRPC.
Article section: Basic Fully Connected Network, placed on a cluster (beyond the article)
Run: python -m lessons.distributed
Expected: "Final accuracy was 0.9376" after 5 epochs on 2 async workers (runs vary a little); about 75 s on a 2-core CPU.

A graph is a description that can be placed. Here the article's fully connected net
is built once per worker ("between-graph replication"): `replica_device_setter` puts
its variables on the parameter server tasks (`/job:ps`) and its computation on the
worker (`/job:worker/task:N`). Each task is a `tf.distribute.Server` in its own
process; `MonitoredTrainingSession` lets the chief (worker 0) initialize, checkpoint
and restore, and the other workers wait for it.

Without `--job-name` the lesson starts a whole cluster on this machine (`--ps 1
--workers 2`, free ports of 127.0.0.1) and stops every process at the end, on Ctrl-C
and when one fails. With `--job-name ps|worker --task-index N --ps-hosts ...
--worker-hosts ...` it runs one task of a real cluster, as TensorFlow 1's official
distributed MNIST example did (docs/distributed.md has a two-machine recipe).

Asynchronous by default: each worker applies its own gradients whenever it has them,
reading weights other workers may have moved since (staleness). `--sync` wraps the
optimizer in `SyncReplicasOptimizer`: each step averages one gradient from each of
`--replicas-to-aggregate` workers, and the fastest waits for the slowest.

Changed from the article: 5 epochs by default (--epochs 50 is the article's run);
the chief checks accuracy every --how-often of its own steps.
"""
# %% [markdown]
# ## Setup

# %%
import math
import time
from types import SimpleNamespace

import numpy as np
import tensorflow as tf

from tfgraph import atomic, cli, cluster, plotting, runs, summaries, training
from tfgraph.errors import TfgraphError

tf1 = tf.compat.v1


def parse_args(argv=None):
    """The lesson's flags: the article's, the cluster's, and the official example's task flags."""
    parser = cli.lesson_parser(__doc__, "distributed")
    cli.add_training_flags(parser, num_epochs=5, batch_size=50, learning_rate=0.2, test_size=10000)
    parser.add_argument("--num-hidden", type=cli.positive_int, default=620,
                        help="units in the hidden layer (default: 620)")
    parser.add_argument("--how-often", type=cli.positive_int, default=100,
                        help="the chief checks test accuracy every this many of its steps (default: 100)")
    parser.add_argument("--ps", type=cli.positive_int, default=1, help="local parameter servers (default: 1)")
    parser.add_argument("--workers", type=cli.positive_int, default=2, help="local workers (default: 2)")
    parser.add_argument("--sync", action="store_true",
                        help="aggregate the workers' gradients each step (SyncReplicasOptimizer)")
    parser.add_argument("--replicas-to-aggregate", type=cli.positive_int, default=None,
                        help="with --sync, gradients averaged per step (default: every worker)")
    parser.add_argument("--timeout", type=cli.positive_float, default=cluster.DEFAULT_TIMEOUT,
                        help=f"seconds to wait for a task that does not answer (default: {cluster.DEFAULT_TIMEOUT:g})")
    parser.add_argument("--job-name", choices=("ps", "worker"), default=None,
                        help="run one task of a cluster: its job (default: start a local cluster)")
    parser.add_argument("--task-index", type=int, default=0, help="with --job-name, this task's index (default: 0)")
    parser.add_argument("--ps-hosts", default="", help="with --job-name, the ps tasks: host:port,...")
    parser.add_argument("--worker-hosts", default="", help="with --job-name, the worker tasks: host:port,...")
    parser.add_argument("--run-dir", default=None, help=argparse_hidden())
    cli.add_common_flags(parser)
    args = cli.parse_args(parser, argv)
    args.ps_hosts = cluster.split_hosts(args.ps_hosts, "--ps-hosts")
    args.worker_hosts = cluster.split_hosts(args.worker_hosts, "--worker-hosts")
    num_workers = len(args.worker_hosts) if args.job_name else args.workers
    args.replicas_to_aggregate = args.replicas_to_aggregate or num_workers
    if args.sync and args.replicas_to_aggregate > num_workers:
        raise TfgraphError(
            f"--sync with --replicas-to-aggregate {args.replicas_to_aggregate} would wait forever: each step "
            f"averages that many gradients, one per worker, and the cluster has {num_workers} worker(s). "
            f"Aggregate at most {num_workers}, or start more workers.")
    return args


def argparse_hidden():
    """argparse's marker for a flag left out of --help (the launcher passes --run-dir to its chief)."""
    import argparse

    return argparse.SUPPRESS


# %% [markdown]
# ## Prepare the data
#
# Every worker loads the whole training set and draws its own batches from its own
# shuffle (seeded with `--seed` and its task index), so workers see different batches.

# %%
def batches(train_X, train_Y, batch_size, seed, task_index):
    """Endless minibatches of the training set, reshuffled each epoch by this worker's own generator."""
    rng = np.random.default_rng([seed, task_index])
    while True:
        order = rng.permutation(len(train_X))
        for start in range(0, len(order) - batch_size + 1, batch_size):
            rows = order[start:start + batch_size]
            yield train_X[rows], train_Y[rows]


# %% [markdown]
# ## Build the graph
#
# `tf1.device(replica_device_setter(...))` places each variable on a ps task (round
# robin) and every other op on this worker; `tf.device` refuses a device function,
# its compat.v1 twin accepts one. The layers are the fully connected lesson's.

# %%
def build_graph(args, task_index=0):
    """The fully connected net placed on the cluster's ps tasks and this worker, and its training ops."""
    graph = cli.new_graph(args)
    num_ps = len(args.ps_hosts) if args.job_name else args.ps
    device = "GPU:0" if args.device == "gpu" else "CPU:0"
    placement = tf1.train.replica_device_setter(
        ps_tasks=num_ps, worker_device=f"/job:worker/task:{task_index}/device:{device}")
    with graph.as_default(), tf1.device(placement):
        global_step = tf1.train.get_or_create_global_step()  # the first variable: on ps task 0
        with tf.name_scope("input"):
            X = tf1.placeholder(tf.float32, shape=[None, 784], name="X")  # (?, 784)
            Y = tf1.placeholder(tf.float32, shape=[None, 10], name="Y")  # (?, 10)
        with tf.name_scope("model"):
            W_h = training.init_weights([784, args.num_hidden], name="W_h")  # on ps task 1 % --ps
            W_o = training.init_weights([args.num_hidden, 10], name="W_o")  # on ps task 2 % --ps
            hidden = tf.nn.sigmoid(tf.matmul(X, W_h), name="hidden")  # (?, 620) on this worker
            model = tf.matmul(hidden, W_o, name="logits")  # (?, 10)
        optimizer = tf1.train.GradientDescentOptimizer(args.learning_rate)
        if args.sync:
            num_workers = len(args.worker_hosts) if args.job_name else args.workers
            optimizer = tf1.train.SyncReplicasOptimizer(
                optimizer, replicas_to_aggregate=args.replicas_to_aggregate, total_num_replicas=num_workers)
        ops = training.classifier_ops(model, Y, cluster.StepCounting(optimizer, global_step))
        with tf.name_scope("init"):  # global variables only: --sync's local_step is each worker's own
            not_ready = tf1.report_uninitialized_variables(tf1.global_variables(), name="not_ready")  # (?,)
        not_ready.mark_used()  # only non-chief workers run it
    return graph, SimpleNamespace(graph=graph, X=X, Y=Y, ops=ops, global_step=global_step, optimizer=optimizer,
                                  not_ready=not_ready)


# %% [markdown]
# ## Train
#
# Without `--job-name`, `launch` starts the tasks as processes running this same file
# with the official example's flags. Each worker stops when the global step (counted
# on the ps) reaches the step that makes `--epochs` passes over the training set.

# %%
def launch(args):
    """Start the ps and worker tasks on free local ports, relay their output, stop them all at the end."""
    cluster.stop_on_sigterm()
    ports = cluster.free_ports(args.ps + args.workers)
    hosts = [f"127.0.0.1:{port}" for port in ports]
    ps_hosts, worker_hosts = ",".join(hosts[:args.ps]), ",".join(hosts[args.ps:])
    run_dir = args.resume or runs.make_run_dir(
        args.logdir, args.lesson, {"sync": int(args.sync), "workers": args.workers, "seed": args.seed})
    if args.resume:
        print(f"Continuing the run in {run_dir}: the chief restores its last checkpoint")
    else:
        atomic.write_json_atomically(run_dir / "run.json", {"lesson": args.lesson, "argv": args.argv,
                                                                "tensorflow": tf.__version__})
    print(f"Cluster: ps {ps_hosts}; workers {worker_hosts}", flush=True)
    tasks = [("ps", index) for index in range(args.ps)] + [("worker", index) for index in range(args.workers)]
    with cluster.LocalCluster(chief="worker 0") as local:
        for job, index in tasks:
            local.start(f"{job} {index}", ["-m", "lessons.distributed", *args.argv, "--job-name", job,
                                           "--task-index", str(index), "--ps-hosts", ps_hosts,
                                           "--worker-hosts", worker_hosts, "--run-dir", str(run_dir)])
        local.watch()
        local.wait_for([f"worker {index}" for index in range(1, args.workers)], timeout=args.timeout)
    print(f"Every task stopped. TensorBoard run: {run_dir}")
    print(f"  {summaries.tensorboard_command(run_dir.parent)}")
    return run_dir


def run_task(args):
    """Run this process's task: a ps serves its variables forever, a worker trains."""
    server = cluster.start_server(args.ps_hosts, args.worker_hosts, args.job_name, args.task_index)
    print(f"{args.job_name} {args.task_index} serving at {server.target}", flush=True)
    if args.job_name == "ps":
        server.join()  # until the launcher (or you, with Ctrl-C) stops this process
        return None
    cluster.wait_for_hosts(args.ps_hosts, args.timeout)
    graph, g = build_graph(args, args.task_index)
    train_X, train_Y, test_X, test_Y = cli.load_mnist(args)
    run = open_chief_run(args, graph) if args.task_index == 0 else None
    if run is None:
        wait_until_initialized(server, graph, g, args.timeout)
    try:
        accuracies = train(args, server, g, run, (train_X, train_Y, test_X, test_Y))
        if run is not None:
            return evaluate_on_chief(args, server, graph, g, run, test_X, test_Y, accuracies)
    finally:
        if run is not None:
            run.close()
    return None


def open_chief_run(args, graph):
    """The chief's TensorBoard run: the launcher's folder (--run-dir), or a new one, or --resume's."""
    if args.run_dir is None:
        return runs.open_run(args, graph, {"sync": int(args.sync), "seed": args.seed})
    run = runs.Run(args.run_dir, graph, resuming=bool(args.resume))
    if not run.resuming:
        summaries.write_hparams(run.dir, {key: value for key, value in vars(args).items()
                                          if key not in runs.NOT_HYPERPARAMETERS
                                          and isinstance(value, (bool, int, float, str))})
    return run


def wait_until_initialized(server, graph, g, timeout):
    """A non-chief worker polls until the chief has initialized (or restored) every variable on the ps.

    MonitoredTrainingSession's own wait sleeps 30 s between checks; with --sync a worker
    that sleeps while the chief starts left the chief to take every token alone.
    """
    deadline = time.monotonic() + timeout
    with tf1.Session(server.target, graph=graph) as sess:
        while len(sess.run(g.not_ready)):
            if time.monotonic() > deadline:
                raise TfgraphError(
                    f"The chief (worker 0) did not initialize the variables within {timeout:g} seconds "
                    "(--timeout). Start worker 0 too, or give it longer with a larger --timeout.")
            time.sleep(0.2)


def train(args, server, g, run, data):
    """This worker's loop under MonitoredTrainingSession: steps until the global step reaches the last one."""
    train_X, train_Y, test_X, test_Y = data
    is_chief = args.task_index == 0
    samples_per_step = args.batch_size * (args.replicas_to_aggregate if args.sync else 1)
    last_step = math.ceil(args.num_epochs * len(train_X) / samples_per_step)
    hooks = [tf1.train.StopAtStepHook(last_step=last_step)]
    if args.sync:  # no tokens to start with: the first step waits for a gradient from every replica
        hooks.append(cluster.SyncReplicasHook(g.optimizer, is_chief, num_tokens=0))
    options = tf1.RunOptions(timeout_in_ms=int(args.timeout * 1000))
    fetches = [g.ops.train_operation, g.ops.total_cost, g.global_step]
    accuracies, steps, step, cost = training.AccuracyHistory(), 0, 0, float("nan")
    source = batches(train_X, train_Y, args.batch_size, args.seed, args.task_index)
    started = time.perf_counter()
    with g.graph.as_default(), tf1.train.MonitoredTrainingSession(
            master=server.target, is_chief=is_chief, hooks=hooks, log_step_count_steps=0,
            checkpoint_dir=str(run.dir / "checkpoints") if run else None, save_checkpoint_secs=args.checkpoint_every,
            save_summaries_steps=None, save_summaries_secs=None, stop_grace_period_secs=2) as sess:
        step = sess.run(g.global_step)  # above 0 when the chief restored a checkpoint
        print(f"worker {args.task_index} starts at global step {step} of {last_step}", flush=True)
        while not sess.should_stop():
            batch_X, batch_Y = next(source)
            try:
                _, cost, step = sess.run(fetches, {g.X: batch_X, g.Y: batch_Y}, options=options)
            except tf.errors.DeadlineExceededError:
                raise TfgraphError(waited_too_long(args)) from None
            steps += 1
            if run is not None and steps % args.how_often == 0:
                samples = step * samples_per_step
                rows = np.random.default_rng(step).choice(len(test_X), min(args.test_size, len(test_X)), False)
                accuracies.record(samples, sess.run(g.ops.accuracy_operation, {g.X: test_X[rows], g.Y: test_Y[rows]}))
                summaries.add_scalars(run.train, samples, cost=cost)
                summaries.add_scalars(run.test, samples, accuracy=accuracies[-1])
                print(f"global step {step}: cost {cost:.4f}, test accuracy {accuracies[-1]:.4f}", flush=True)
    seconds = time.perf_counter() - started
    print(f"worker {args.task_index}: {steps} steps in {seconds:.1f} s, "
          f"{steps * args.batch_size / seconds:.0f} samples/s", flush=True)
    accuracies.seconds, accuracies.samples_per_step, accuracies.last_cost = seconds, samples_per_step, cost
    return accuracies


def waited_too_long(args):
    """The paragraph for a step that waited longer than --timeout."""
    why = ("with --sync each step waits for a gradient from every replica, and one of them is gone or slow"
           if args.sync else "a parameter server stopped answering")
    return (f"Worker {args.task_index}'s training step waited more than {args.timeout:g} seconds (--timeout): "
            f"{why}. Restart the missing task (the chief resumes from its checkpoint), or allow longer "
            "steps with a larger --timeout.")


# %% [markdown]
# ## Evaluate
#
# The variables live on the ps, so once training stops the chief opens a plain session
# on its server and measures the whole test set with the trained weights.

# %%
def evaluate_on_chief(args, server, graph, g, run, test_X, test_Y, accuracies):
    """The chief's closing lines: time, final accuracy on the whole test set, plot and TensorBoard run."""
    with tf1.Session(server.target, graph=graph) as sess:
        final = training.evaluate(sess, g.ops.accuracy_operation, g.X, g.Y, test_X, test_Y)
        accuracies.samples_seen = int(sess.run(g.global_step)) * accuracies.samples_per_step
    accuracies.final_accuracy = final
    accuracies.record(accuracies.samples_seen, final)
    summaries.add_scalars(run.test, accuracies.samples_seen, accuracy=final)
    summaries.add_scalars(run.train, accuracies.samples_seen, cost=accuracies.last_cost)  # the chief's last batch
    print(f"Finished training for {args.num_epochs} epoch{'' if args.num_epochs == 1 else 's'} "
          f"({accuracies.samples_seen} samples, {'sync' if args.sync else 'async'})")
    print("Took %.02f seconds" % accuracies.seconds)
    print("Final accuracy was %.04f" % final, flush=True)
    plot = plotting.plot_accuracies(accuracies, run.dir / "accuracy.png", ylim=(0.8, 1), show=args.show)
    runs.print_closing(run, [plot])
    return accuracies


def main(argv=None):
    """Start a local cluster, or with --job-name run one task of one; returns the chief's accuracies."""
    args = parse_args(argv)
    if args.graph_only:
        return cli.show_graph(args, build_graph(args)[0])
    if args.job_name is None:
        return launch(args)
    return run_task(args)


# %% [markdown]
# ## Exercises
#
# 1. Run `--ps 2`. Which variables does each ps task hold? (TensorBoard's graph, colour by device.)
# 2. Compare `--sync` with the default: samples/s, and accuracy after the same --epochs.
# 3. While it trains, `kill -9` worker 1's process. What does the chief do? And with --sync?
#    (Flags on the command line; in a notebook, the variables of the first code cell: `ps = 2`, `sync = True`.)
#
# Checked exercise for this lesson: `ps_placement`. It is a file of your own that a checker
# grades. In a terminal (in a notebook, start the line with `!`):
#
#     python -m lessons.exercises start ps_placement                  # a fresh ps_placement.py here
#     python -m lessons.exercises check ps_placement ps_placement.py  # check your work

# %%
if __name__ == "__main__":
    cli.run(main)
