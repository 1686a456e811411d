"""`tf.train` pieces whose TensorFlow 1.x behaviour needs a hand on TensorFlow 2: SyncReplicasOptimizer.

The chief's queue runner of `tf.compat.v1.train.SyncReplicasOptimizer` waits for
gradients from every replica; once training ends none come, and the thread stays
blocked. Registered with the Supervisor's (or MonitoredTrainingSession's)
coordinator, it made ``sv.stop()`` wait its whole grace period (two minutes) and
then raise "Coordinator stopped with threads still running". Here that queue runner
runs its thread on a coordinator of its own: a daemon thread, never joined, gone
with the process, as the chief's loop stops.
"""
import tensorflow as tf

v1 = tf.compat.v1


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


def _register_global_step(variable):
    """Put an integer variable named global_step in tf.GraphKeys.GLOBAL_STEP, as TF1 code expects."""
    graph = variable.graph
    if (variable.op.name.split("/")[-1] == "global_step" and variable.dtype.base_dtype.is_integer
            and not graph.get_collection(v1.GraphKeys.GLOBAL_STEP)):
        graph.add_to_collection(v1.GraphKeys.GLOBAL_STEP, variable)
    return variable


class _VariableType(type):
    """Makes `Variable` below build tf.compat.v1.Variable objects and pass isinstance checks as one."""

    def __call__(cls, *args, **kwargs):
        return _register_global_step(v1.Variable(*args, **kwargs))

    def __instancecheck__(cls, instance):  # tf.Variable: the base of v1's and v2's variables
        return isinstance(instance, (tf.Variable, v1.Variable))

    def __subclasscheck__(cls, subclass):
        return issubclass(subclass, (tf.Variable, v1.Variable))

    def __getattr__(cls, name):
        return getattr(v1.Variable, name)


class Variable(metaclass=_VariableType):
    """tf.Variable as TensorFlow 1.x code used it; ``tf.Variable(0, name="global_step")`` is the global step.

    In TensorFlow 1.x, `tf.train.get_global_step()` (and so `StopAtStepHook` and
    `MonitoredTrainingSession`) found such a variable by its tensor name; TensorFlow
    2's resource variables hide it behind a handle, so it is put in
    tf.GraphKeys.GLOBAL_STEP when it is made, unless the graph has one already.
    """
