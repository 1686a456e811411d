"""
Title: Distributed training
Description: The fully connected net trained by parameter servers and workers over gRPC.
Article section: Basic Fully Connected Network, placed on a cluster (beyond the article)
Run: python -m lessons.distributed
Expected: "Final accuracy was 0.94" after 5 epochs, 2 async workers (0.9371-0.9398 in 3 runs); 70-105 s on a 2-core CPU.

A graph is a description that can be placed. Here the article's fully connected net
is built once per worker ("between-graph replication"): `replica_device_setter` puts
its variables on the parameter server tasks (`/job:ps`) and its computation on the
worker (`/job:worker/task:N`). Each task is a `tf.distribute.Server` in its own
process; under `MonitoredSession` the chief (worker 0) initializes, checkpoints and
restores, and the other workers wait for it.

Without `--job-name` the lesson starts a whole cluster on this machine (`--ps 1
--workers 2`, free ports of 127.0.0.1) and stops every process at the end, on Ctrl-C
(after the chief's checkpoint) and when one fails. With `--job-name ps|worker
--task-index N --ps-hosts ... --worker-hosts ...` (TensorFlow 1's official example) or
a cluster manager's `TF_CONFIG`, it runs one task of a real cluster (docs/distributed.md).

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
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import tensorflow as tf

from tfgraph import (atomic, chief_checkpoints, cli, cluster, local_cluster, plotting, runs, summaries, task_lifetime,
                     training)
from tfgraph.errors import TfgraphError
from tfgraph.resume import read_run_json, without_resume

tf1 = tf.compat.v1

#: Flags a resumed run keeps: they shape the graph or what a step means.
KEPT_ON_RESUME = {"num_hidden": "--num-hidden", "batch_size": "--batch-size", "sync": "--sync",
                  "replicas_to_aggregate": "--replicas-to-aggregate", "sample": "--sample"}


def parse_args(argv=None):
    """The lesson's flags: the article's, the cluster's, and the official example's task flags (or TF_CONFIG)."""
    parser = cli.lesson_parser(__doc__, "distributed")
    cli.add_training_flags(parser, num_epochs=5, batch_size=50, learning_rate=0.2, test_size=10000)
    parser.add_argument("--num-hidden", type=cli.layer_size, default=620,
                        help="units in the hidden layer (default: 620)")
    parser.add_argument("--how-often", type=cli.positive_int, default=100,
                        help="the chief checks test accuracy every this many of its steps (default: 100)")
    parser.add_argument("--ps", type=cli.positive_int, default=1, help="local parameter servers (default: 1)")
    parser.add_argument("--workers", type=cli.positive_int, default=2, help="local workers (default: 2)")
    parser.add_argument("--sync", action="store_true",
                        help="aggregate the workers' gradients each step (SyncReplicasOptimizer)")
    parser.add_argument("--replicas-to-aggregate", type=cli.positive_int, default=None,
                        help="with --sync, gradients averaged per step (default: every worker)")
    parser.add_argument("--timeout", type=cluster.timeout_seconds, default=cluster.DEFAULT_TIMEOUT,
                        help=f"seconds to wait for a task that does not answer (default: {cluster.DEFAULT_TIMEOUT:g})")
    parser.add_argument("--job-name", choices=("ps", "worker"), default=None,
                        help="run one task of a cluster: its job (default: the task TF_CONFIG names, "
                             "else start a local cluster)")
    parser.add_argument("--task-index", type=int, default=0, help="with --job-name, this task's index (default: 0)")
    parser.add_argument("--ps-hosts", default="", help="with --job-name, the ps tasks: host:port,...")
    parser.add_argument("--worker-hosts", default="", help="with --job-name, the worker tasks: host:port,...")
    parser.add_argument("--run-dir", default=None,
                        help="the chief's run folder, continued if it holds checkpoints: what a restarted "
                             "chief needs (default: a new folder under --logdir)")
    cli.add_common_flags(parser)
    args = cluster.resolve_task(parser, cli.parse_args(parser, argv))  # the task flags, else TF_CONFIG's task
    if args.resume:
        check_kept_flags(parser, args)
    args.replicas_to_aggregate = args.replicas_to_aggregate or args.workers
    if args.sync and args.replicas_to_aggregate > args.workers:
        raise TfgraphError(
            f"--sync with --replicas-to-aggregate {args.replicas_to_aggregate} would wait forever: each step "
            f"averages that many gradients, one per worker, and the cluster has {args.workers} worker(s). "
            f"Aggregate at most {args.workers}, or start more workers.")
    return args


def check_kept_flags(parser, args):
    """Refuse a --resume that changes a flag the run's checkpoints depend on, naming it."""
    saved = parser.parse_args(without_resume(read_run_json(args.resume)["argv"]))
    saved.sample = saved.sample or saved.dry_run
    changed = [flag for key, flag in KEPT_ON_RESUME.items() if getattr(saved, key) != getattr(args, key)]
    if changed:
        raise TfgraphError(
            f"--resume continues {args.resume} with {', '.join(changed)} changed from the run's own value. Its "
            "checkpoints hold the variables of that graph and count steps of that size, so the run keeps them: "
            "resume without changing them (--epochs may grow), or start a new run without --resume.")


def agreed_settings(args):
    """What every task of the cluster must share: the graph, the data, the steps, the cluster's size."""
    return {"--num-hidden": args.num_hidden, "--learning-rate": args.learning_rate, "--batch-size": args.batch_size,
            "--epochs": args.num_epochs, "--sync": args.sync, "--replicas-to-aggregate": args.replicas_to_aggregate,
            "--sample": args.sample, "--dry-run": args.dry_run, "number of --ps-hosts": args.ps,
            "number of --worker-hosts": args.workers}


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


def last_global_step(args, num_train):
    """The global step at which training ends: --epochs passes over the training set."""
    samples_per_step = args.batch_size * (args.replicas_to_aggregate if args.sync else 1)
    return math.ceil(args.num_epochs * num_train / samples_per_step), samples_per_step


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
    device = "GPU:0" if args.device == "gpu" else "CPU:0"
    placement = tf1.train.replica_device_setter(
        ps_tasks=args.ps, worker_device=f"/job:worker/task:{task_index}/device:{device}")
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
            optimizer = tf1.train.SyncReplicasOptimizer(
                optimizer, replicas_to_aggregate=args.replicas_to_aggregate, total_num_replicas=args.workers)
        ops = training.classifier_ops(model, Y, cluster.StepCounting(optimizer, global_step))
        if args.sync:  # only its session hook runs it: a worker refused before its session would warn
            optimizer.ready_for_local_init_op.mark_used()
        with tf.name_scope("init") as init:  # the settings the chief publishes on the ps, and what the others poll
            agreement = cluster.Agreement(agreed_settings(args))
            local_init = tf.group(tf1.train.Scaffold.default_local_init_op(),
                                  agreement.chief_init_op if task_index == 0 else tf.no_op())
    with graph.as_default(), tf.name_scope(init):  # the same scope, outside the placement: the saver's ops
        scaffold = tf1.train.Scaffold(saver=chief_checkpoints.make_saver(), local_init_op=local_init)
    return graph, SimpleNamespace(graph=graph, X=X, Y=Y, ops=ops, global_step=global_step, optimizer=optimizer,
                                  agreement=agreement, scaffold=scaffold)


# %% [markdown]
# ## Train
#
# Without `--job-name`, `launch` starts the tasks as processes running this same file
# with the official example's flags. Each worker stops when the global step (counted
# on the ps) reaches the step that makes `--epochs` passes over the training set.

# %%
def launch(args):
    """Start the ps and worker tasks on free local ports, relay their output, stop them all at the end."""
    last_step, _ = last_global_step(args, len(cli.load_mnist(args)[0]))  # and MNIST is fetched once, here
    run_dir = Path(args.resume) if args.resume else runs.make_run_dir(args.logdir, args.lesson, args.non_default)
    continue_command = f"python -m lessons.distributed --logdir {args.logdir} --resume {run_dir}"
    if args.resume:
        chief_checkpoints.check_not_finished(run_dir, last_step, args.num_epochs)
        print(f"Continuing the run in {run_dir}: the chief restores its last checkpoint")
    atomic.write_json_atomically(run_dir / "run.json", {"lesson": args.lesson, "argv": args.argv,  # a resume's too
                                                        "tensorflow": tf.__version__})
    hosts = [f"127.0.0.1:{port}" for port in cluster.free_ports(args.ps + args.workers)]
    ps_hosts, worker_hosts = ",".join(hosts[:args.ps]), ",".join(hosts[args.ps:])
    print(f"Cluster: ps {ps_hosts}; workers {worker_hosts}", flush=True)
    tasks = [("ps", index) for index in range(args.ps)] + [("worker", index) for index in range(args.workers)]
    with local_cluster.LocalCluster("worker 0", args.timeout, continue_hint=f"Continue from the chief's last "
                                    f"checkpoint with: {continue_command}") as local:
        for job, index in tasks:
            local.start(f"{job} {index}", ["-m", "lessons.distributed", *args.argv, "--job-name", job,
                                           "--task-index", str(index), "--ps-hosts", ps_hosts,
                                           "--worker-hosts", worker_hosts, "--run-dir", str(run_dir)])
        outcome = local.watch()
        if outcome == "finished":
            local.wait_for([f"worker {index}" for index in range(1, args.workers)], timeout=min(args.timeout, 10))
    if outcome == "stopped":
        raise task_lifetime.Stopped(f"The cluster was stopped. {chief_checkpoints.last_saved(run_dir, last_step)}. "
                                    f"Continue with: {continue_command}", local.stop_signal)
    print(f"Every task stopped. TensorBoard run: {run_dir}")
    print(f"  {summaries.tensorboard_command(run_dir.parent)}")
    return run_dir


def run_task(args):
    """Run this process's task: a ps serves its variables until stopped, a worker trains."""
    task = f"{args.job_name} {args.task_index}"
    task_lifetime.die_with_launcher()
    server = cluster.start_server(args.ps_hosts, args.worker_hosts, args.job_name, args.task_index)
    print(f"{task} serving at {server.target}", flush=True)
    if args.job_name == "ps":
        return cluster.serve_forever()  # until the launcher, a cluster manager or Ctrl-C stops this process
    guard = task_lifetime.Watchdog(task)
    cluster.wait_for_hosts(args.ps_hosts, args.timeout)
    graph, g = build_graph(args, args.task_index)
    train_X, train_Y, test_X, test_Y = cli.load_mnist(args)
    run = open_chief_run(args, graph, len(train_X)) if args.task_index == 0 else None
    try:
        accuracies = train(args, server, g, run, guard, (train_X, train_Y, test_X, test_Y))
        if run is not None and accuracies is not None:
            with guard.limit(args.timeout + 10, "measuring the final accuracy"):
                return evaluate_on_chief(args, server, g, run, test_X, test_Y, accuracies)
    finally:
        if run is not None:
            run.close()
    return accuracies


def open_chief_run(args, graph, num_train):
    """The chief's TensorBoard run: a new folder, or --run-dir's or --resume's (continued if it has checkpoints)."""
    if not (args.run_dir or args.resume):
        return runs.open_run(args, graph)
    run_dir = Path(args.run_dir or args.resume)
    chief_checkpoints.check_not_finished(run_dir, last_global_step(args, num_train)[0], args.num_epochs)
    resuming = bool(chief_checkpoints.saved_steps(run_dir / "checkpoints"))
    run = runs.Run(run_dir, graph, resuming=resuming,
                   resume_command=f"python -m lessons.distributed --logdir {args.logdir} --resume {run_dir}")
    flags = {"lesson": args.lesson, "argv": args.argv, "tensorflow": tf.__version__}
    if args.resume:
        run.flags = flags  # the flags it continues with, saved once the checkpoint is restored
    elif not (run_dir / "run.json").exists():  # a chief started with --run-dir by a cluster manager
        atomic.write_json_atomically(run_dir / "run.json", flags)
    if not run.resuming:
        summaries.write_hparams(run.dir, {key: value for key, value in vars(args).items()
                                          if key not in runs.NOT_HYPERPARAMETERS
                                          and isinstance(value, (bool, int, float, str))})
    return run


def train(args, server, g, run, guard, data):
    """This worker's loop under MonitoredSession: steps until the global step reaches the last one.

    Returns the chief's accuracies, or None when a stop signal ended training early
    (its checkpoint saved as the session closed).
    """
    train_X, train_Y, test_X, test_Y = data
    last_step, samples_per_step = last_global_step(args, len(train_X))
    hooks = [tf1.train.StopAtStepHook(last_step=last_step)]
    if args.sync:  # no tokens to start with: the first step waits for a gradient from every replica
        hooks.append(cluster.SyncReplicasHook(g.optimizer, run is not None, num_tokens=0))
    if run is not None:
        saver = chief_checkpoints.CheckpointHook(run.dir / "checkpoints", g.scaffold.saver, g.global_step,
                                                 args.checkpoint_every)
        hooks.append(saver)
    creator = cluster.ClusterSessionCreator(
        server, g.scaffold, g.agreement, is_chief=run is not None, task=f"worker {args.task_index}",
        ps_hosts=args.ps_hosts, config=cluster.session_config("worker", args.task_index), timeout=args.timeout,
        checkpoint_dir=str(run.dir / "checkpoints") if run else None,
        before_restore=lambda: restore_point(run, g, samples_per_step) if run else None)
    accuracies, steps, step, cost = training.AccuracyHistory(), 0, 0, float("nan")
    source = batches(train_X, train_Y, args.batch_size, args.seed, args.task_index)
    started = time.perf_counter()
    with g.graph.as_default(), guard.limit(3 * args.timeout + 30, "starting its session"):
        session = tf1.train.MonitoredSession(session_creator=creator, hooks=hooks, stop_grace_period_secs=2)
    with g.graph.as_default(), task_lifetime.StopSignals(enabled=run is not None) as stop, \
            guard.closing(session, args.timeout + 10, "closing its session") as sess:
        step = sess.run(g.global_step)  # above 0 when the chief restored a checkpoint
        print(f"worker {args.task_index} starts at global step {step} of {last_step}", flush=True)
        while not sess.should_stop() and not stop.requested:
            batch_X, batch_Y = next(source)
            with guard.limit(3 * args.timeout + 30, "in a training step"):
                result = train_step(args, sess, g, batch_X, batch_Y, stop)
            if result is None:
                break  # a stop signal ended a step that waited for other workers
            step = result[1]
            samples = step * samples_per_step
            cost = training.check_cost(result[0], samples // len(train_X), steps, samples)
            steps += 1
            if run is not None and steps % args.how_often == 0 and not sess.should_stop():
                record_accuracy(args, sess, g, run, accuracies, step, samples_per_step, cost, (test_X, test_Y))
    seconds = time.perf_counter() - started
    print(f"worker {args.task_index}: {steps} steps in {seconds:.1f} s, "
          f"{steps * args.batch_size / seconds:.0f} samples/s", flush=True)
    if stop.requested:
        raise task_lifetime.Stopped(f"Training stopped at global step {saver.saved} of {last_step}; a checkpoint is "
                                    f"saved in {run.dir / 'checkpoints'}. Continue with: {run.resume_command}",
                                    stop.requested)
    accuracies.seconds, accuracies.samples_per_step, accuracies.last_cost = seconds, samples_per_step, cost
    return accuracies if run is not None else None


def train_step(args, sess, g, batch_X, batch_Y, stop):
    """One training step: (cost, global step), or None if a stop signal came while it waited too long."""
    try:
        _, cost, step = sess.run([g.ops.train_operation, g.ops.total_cost, g.global_step], {g.X: batch_X, g.Y: batch_Y},
                                 options=tf1.RunOptions(timeout_in_ms=int(args.timeout * 1000)))
        return cost, step
    except tf.errors.DeadlineExceededError:
        if stop.requested:
            return None
        why = "with --sync each step waits for a gradient from every replica, and one of them is gone or slow" \
            if args.sync else "a parameter server stopped answering"
        raise TfgraphError(
            f"Worker {args.task_index}'s training step waited more than {args.timeout:g} seconds (--timeout): "
            f"{why}. Restart the missing task (the chief resumes from its checkpoint), or allow longer "
            "steps with a larger --timeout.") from None


def restore_point(run, g, samples_per_step):
    """Before the chief's session starts: the newest readable checkpoint, by relative path; TensorBoard told."""
    step = chief_checkpoints.prepare_restore(run.dir / "checkpoints", g.graph,
                                             {"model/W_h": "--num-hidden", "model/W_o": "--num-hidden"})
    if step is not None:
        run.restart_at(step * samples_per_step + 1)  # what was logged up to the checkpoint stays


def record_accuracy(args, sess, g, run, accuracies, step, samples_per_step, cost, test_data):
    """The chief's periodic check: accuracy on --test-size random test images, logged and printed."""
    test_X, test_Y = test_data
    samples = step * samples_per_step
    rows = np.random.default_rng(samples).choice(len(test_X), min(args.test_size, len(test_X)), False)
    accuracies.record(samples, sess.run(g.ops.accuracy_operation, {g.X: test_X[rows], g.Y: test_Y[rows]}))
    summaries.add_scalars(run.train, samples, cost=cost)
    summaries.add_scalars(run.test, samples, accuracy=accuracies[-1])
    print(f"global step {step}: cost {cost:.4f}, test accuracy {accuracies[-1]:.4f}", flush=True)


# %% [markdown]
# ## Evaluate
#
# The variables live on the ps, so once training stops the chief opens a plain session
# on its server (seeing only the ps tasks and itself) and measures the whole test set
# with the trained weights.

# %%
def evaluate_on_chief(args, server, g, run, test_X, test_Y, accuracies):
    """The chief's closing lines: time, final accuracy on the whole test set, plot and TensorBoard run."""
    config = cluster.session_config("worker", args.task_index, timeout=args.timeout)
    with tf1.Session(server.target, graph=g.graph, config=config) as sess:
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
    """Start a local cluster, or with --job-name (or TF_CONFIG) run one task of one; returns the chief's accuracies."""
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
