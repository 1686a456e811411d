# Between-graph replication in the style of TensorFlow 1.x's distributed MNIST
# example, written afresh for tests/test_legacy_more.py: tf.app.flags for the
# cluster, replica_device_setter, SyncReplicasOptimizer and tf.train.Supervisor
# (or MonitoredTrainingSession with --monitored). The ps task serves until killed.
from __future__ import print_function

import tempfile

import numpy as np
import tensorflow as tf

flags = tf.app.flags
flags.DEFINE_string("job_name", None, "ps or worker")
flags.DEFINE_integer("task_index", None, "index of the task in its job")
flags.DEFINE_string("ps_hosts", "", "comma-separated host:port of the ps tasks")
flags.DEFINE_string("worker_hosts", "", "comma-separated host:port of the workers")
flags.DEFINE_boolean("sync_replicas", False, "aggregate gradients with SyncReplicasOptimizer")
flags.DEFINE_boolean("monitored", False, "MonitoredTrainingSession instead of Supervisor")
flags.DEFINE_integer("train_steps", 200, "global steps to train")
FLAGS = flags.FLAGS


def main(unused_argv):
    ps_hosts, worker_hosts = FLAGS.ps_hosts.split(","), FLAGS.worker_hosts.split(",")
    cluster = tf.train.ClusterSpec({"ps": ps_hosts, "worker": worker_hosts})
    server = tf.train.Server(cluster, job_name=FLAGS.job_name, task_index=FLAGS.task_index)
    if FLAGS.job_name == "ps":
        server.join()
        return
    is_chief = FLAGS.task_index == 0
    with tf.device(tf.train.replica_device_setter(
            worker_device="/job:worker/task:%d" % FLAGS.task_index, cluster=cluster)):
        global_step = tf.Variable(0, name="global_step", trainable=False)
        x = tf.placeholder(tf.float32, [None, 2])
        y = tf.placeholder(tf.float32, [None, 1])
        w = tf.Variable(tf.zeros([2, 1]))
        b = tf.Variable(tf.zeros([1]))
        loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - y))
        opt = tf.train.GradientDescentOptimizer(0.1)
        if FLAGS.sync_replicas:
            opt = tf.train.SyncReplicasOptimizer(opt, replicas_to_aggregate=len(worker_hosts),
                                                 total_num_replicas=len(worker_hosts))
        train_op = opt.minimize(loss, global_step=global_step)
    print("w on", w.device, "| train on", train_op.device or "/job:worker")
    rng = np.random.RandomState(FLAGS.task_index)
    xs = rng.randn(256, 2).astype(np.float32)
    ys = xs.dot([[2.0], [-3.0]]) + 0.5

    if FLAGS.monitored:
        hooks = [tf.train.StopAtStepHook(last_step=FLAGS.train_steps)]
        if FLAGS.sync_replicas:
            hooks.append(opt.make_session_run_hook(is_chief))
        with tf.train.MonitoredTrainingSession(master=server.target, is_chief=is_chief,
                                               hooks=hooks) as sess:
            while not sess.should_stop():
                _, step, last_loss, w_value = sess.run([train_op, global_step, loss, w],
                                                       {x: xs, y: ys})
        print("steps:", step + 1)
        print("w: %.2f %.2f" % tuple(w_value.ravel()))
        print("final loss: %.4f" % last_loss)
        return

    init_op = tf.global_variables_initializer()
    if FLAGS.sync_replicas:
        local_init_op = opt.chief_init_op if is_chief else opt.local_step_init_op
        ready_for_local_init_op = opt.ready_for_local_init_op
        chief_queue_runner = opt.get_chief_queue_runner()
        sync_init_op = opt.get_init_tokens_op()
    sv = tf.train.Supervisor(is_chief=is_chief, logdir=tempfile.mkdtemp(), init_op=init_op,
                             recovery_wait_secs=1, global_step=global_step,
                             **(dict(local_init_op=local_init_op,
                                     ready_for_local_init_op=ready_for_local_init_op)
                                if FLAGS.sync_replicas else {}))
    sess = sv.prepare_or_wait_for_session(server.target)
    if FLAGS.sync_replicas and is_chief:
        sess.run(sync_init_op)
        sv.start_queue_runners(sess, [chief_queue_runner])
    step = 0
    while step < FLAGS.train_steps:
        _, step = sess.run([train_op, global_step], {x: xs, y: ys})
    print("steps:", step)
    print("w: %.2f %.2f" % tuple(sess.run(w).ravel()))
    print("final loss: %.4f" % sess.run(loss, {x: xs, y: ys}))
    sv.stop()


if __name__ == "__main__":
    tf.app.run()
