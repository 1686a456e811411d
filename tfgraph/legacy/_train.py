"""`tf.train`: its table of names, and SyncReplicasOptimizer, whose TF 1.x behaviour needs a hand on TF 2.

Everything else in `tf.train` is `tf.compat.v1.train` unchanged. The chief's queue runner of `tf.compat.v1.train.SyncReplicasOptimizer` waits for
gradients from every replica; once training ends none come, and the thread stays
blocked. Registered with the Supervisor's (or MonitoredTrainingSession's)
coordinator, it made ``sv.stop()`` wait its whole grace period (two minutes) and
then raise "Coordinator stopped with threads still running". Here that queue runner
runs its thread on a coordinator of its own: a daemon thread, never joined, gone
with the process, as the chief's loop stops.
"""
import tensorflow as tf

from tfgraph.legacy._namespace import Namespace

v1 = tf.compat.v1
VERSION = tf.__version__


class _DetachedQueueRunner(v1.train.QueueRunner):
    """A QueueRunner whose threads run under their own coordinator, not the caller's."""

    def create_threads(self, sess, coord=None, daemon=False, start=False):
        """Start the threads as daemons under a fresh coordinator (``coord`` is not waited for)."""
        return super().create_threads(sess, coord=v1.train.Coordinator(), daemon=True,
                                      start=start)


class SyncReplicasOptimizer(v1.train.SyncReplicasOptimizer):
    """tf.train.SyncReplicasOptimizer whose chief queue runner does not hold up the end of training."""

    def get_chief_queue_runner(self):
        """The chief's token queue runner, on a coordinator of its own."""
        runner = super().get_chief_queue_runner()
        return _DetachedQueueRunner(runner.queue, runner.enqueue_ops,
                                    close_op=runner.close_op, cancel_op=runner.cancel_op)


TRAIN = Namespace(
    "tf.train", fallback=v1.train, modern=tf.train,
    members={"SyncReplicasOptimizer": SyncReplicasOptimizer},
    renames={
        "SummaryWriter": (v1.summary.FileWriter, "tf.summary.FileWriter", "1.0",
                          "tf.compat.v1.summary.FileWriter"),
    },
    refusal=f"TensorFlow {VERSION}'s tf.compat.v1.train has no such name, nor has "
            "tfgraph.legacy. Check the spelling.")
