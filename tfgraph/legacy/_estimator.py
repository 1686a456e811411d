"""`tf.estimator` basics as tutorials used them, on Sessions (TensorFlow 2.16 removed tf.estimator).

A custom ``model_fn(features, labels, mode[, params][, config])`` returning an
`EstimatorSpec`, and ``train``, ``evaluate``, ``predict`` over an ``input_fn``
(``tf.estimator.inputs.numpy_input_fn``): each call builds a fresh graph, runs it
in a `tf.compat.v1.train.MonitoredTrainingSession` and keeps checkpoints and
summaries in ``model_dir``, as TensorFlow 1.x did, so a second ``train`` goes on
from the last checkpoint. The canned estimators (``DNNClassifier``, ...) are refused.
"""
import inspect
import tempfile
from typing import NamedTuple

import numpy as np
import tensorflow as tf

from tfgraph.legacy._namespace import Namespace
from tfgraph.legacy._notes import LegacyError, note

v1 = tf.compat.v1


class ModeKeys:
    """Which graph ``model_fn`` builds: ``TRAIN``, ``EVAL`` or ``PREDICT``."""

    TRAIN = "train"
    EVAL = "eval"
    PREDICT = "infer"


class EstimatorSpec(NamedTuple):
    """What ``model_fn`` returns: the mode's predictions, loss, train_op and eval_metric_ops."""

    mode: str
    predictions: object = None
    loss: object = None
    train_op: object = None
    eval_metric_ops: object = None
    export_outputs: object = None
    training_chief_hooks: object = None
    training_hooks: object = None
    scaffold: object = None
    evaluation_hooks: object = None
    prediction_hooks: object = None


class RunConfig(NamedTuple):
    """The run settings tutorials passed as ``config=`` (the ones tfgraph.legacy uses)."""

    model_dir: object = None
    tf_random_seed: object = None
    save_summary_steps: int = 100
    save_checkpoints_steps: object = None
    save_checkpoints_secs: object = 600
    keep_checkpoint_max: int = 5
    log_step_count_steps: int = 100


def numpy_input_fn(x, y=None, batch_size=128, num_epochs=1, shuffle=None, queue_capacity=1000,
                   num_threads=1):
    """tf.estimator.inputs.numpy_input_fn: an input_fn giving batches of (features, labels) from arrays."""
    if shuffle is None:
        raise LegacyError("numpy_input_fn needs shuffle=True or shuffle=False, as in "
                          "TensorFlow 1.x (shuffle for training, not for evaluation).")
    def input_fn():
        features = dict(x) if isinstance(x, dict) else x
        data = features if y is None else (features, y)
        dataset = v1.data.Dataset.from_tensor_slices(data)
        if shuffle:
            dataset = dataset.shuffle(queue_capacity)
        dataset = dataset.repeat(num_epochs).batch(batch_size)
        batch = v1.data.make_one_shot_iterator(dataset).get_next()
        return batch if y is not None else (batch, None)
    return input_fn


class Estimator:
    """tf.estimator.Estimator(model_fn, model_dir): train, evaluate and predict on Sessions."""

    def __init__(self, model_fn, model_dir=None, config=None, params=None, warm_start_from=None):
        if warm_start_from is not None:
            raise LegacyError("Estimator(warm_start_from=...) is not supported by tfgraph.legacy; "
                              "copy the checkpoint into model_dir instead.")
        note("tf.estimator", "tf.estimator left TensorFlow in 2.16: tfgraph.legacy runs this "
                             "Estimator on Sessions; today's way is tf.keras.Model.fit")
        self._model_fn, self._params = model_fn, dict(params or {})
        self.config = config or RunConfig()
        self._model_dir = model_dir or self.config.model_dir
        if self._model_dir is None:
            self._model_dir = tempfile.mkdtemp(prefix="estimator-")
            note("estimator-model-dir", f"Estimator without model_dir: using {self._model_dir}")

    @property
    def model_dir(self):
        """The folder of the checkpoints and summaries."""
        return self._model_dir

    @property
    def params(self):
        """The ``params`` given to ``model_fn``."""
        return dict(self._params)

    def latest_checkpoint(self):
        """The path of the last checkpoint in ``model_dir``, or None."""
        return v1.train.latest_checkpoint(self._model_dir)

    def _spec(self, input_fn, mode):
        """Build ``mode``'s graph in the default graph: global step, input_fn, then model_fn."""
        if self.config.tf_random_seed is not None:
            v1.set_random_seed(self.config.tf_random_seed)
        v1.train.get_or_create_global_step()
        features, labels = _features_and_labels(input_fn())
        wanted = inspect.signature(self._model_fn).parameters
        extra = {key: value for key, value in (("params", self.params), ("config", self.config))
                 if key in wanted}
        spec = self._model_fn(features, labels, mode, **extra) if "mode" in wanted else \
            self._model_fn(features, labels, **extra)
        if not isinstance(spec, EstimatorSpec):
            raise LegacyError(f"model_fn must return a tf.estimator.EstimatorSpec, got "
                              f"{type(spec).__name__}.")
        return spec

    def train(self, input_fn, hooks=None, steps=None, max_steps=None, saving_listeners=None):
        """Train until input_fn runs out, ``steps`` more steps or global step ``max_steps``."""
        with tf.Graph().as_default():
            spec = self._spec(input_fn, ModeKeys.TRAIN)
            if spec.train_op is None or spec.loss is None:
                raise LegacyError("In TRAIN mode, model_fn's EstimatorSpec needs loss and train_op.")
            all_hooks = [*(hooks or []), *(spec.training_hooks or []),
                         v1.train.LoggingTensorHook(
                             {"loss": spec.loss, "step": v1.train.get_global_step()},
                             every_n_iter=self.config.log_step_count_steps)]
            if steps is not None or max_steps is not None:
                all_hooks.append(v1.train.StopAtStepHook(num_steps=steps, last_step=max_steps))
            with v1.train.MonitoredTrainingSession(
                    checkpoint_dir=self._model_dir, hooks=all_hooks, scaffold=spec.scaffold,
                    chief_only_hooks=spec.training_chief_hooks,
                    save_checkpoint_steps=self.config.save_checkpoints_steps,
                    save_checkpoint_secs=None if self.config.save_checkpoints_steps else
                    self.config.save_checkpoints_secs,
                    save_summaries_steps=self.config.save_summary_steps,
                    log_step_count_steps=self.config.log_step_count_steps) as sess:
                while not sess.should_stop():
                    sess.run(spec.train_op)
        return self

    def _restored_session(self, spec, checkpoint_path, hooks):
        """A MonitoredSession on the last (or the given) checkpoint; an error if there is none."""
        checkpoint = checkpoint_path or self.latest_checkpoint()
        if checkpoint is None:
            raise LegacyError(f"Could not find a trained model in {self._model_dir}: call "
                              f"train() before evaluate() or predict().")
        creator = v1.train.ChiefSessionCreator(scaffold=spec.scaffold,
                                               checkpoint_filename_with_path=checkpoint)
        return v1.train.MonitoredSession(session_creator=creator, hooks=hooks)

    def evaluate(self, input_fn, steps=None, hooks=None, checkpoint_path=None, name=None):
        """The eval_metric_ops (and the mean loss, the global step) over input_fn's data."""
        with tf.Graph().as_default():
            spec = self._spec(input_fn, ModeKeys.EVAL)
            metrics = dict(spec.eval_metric_ops or {})
            if spec.loss is not None:
                metrics.setdefault("loss", v1.metrics.mean(spec.loss))
            values = {key: value for key, (value, _) in metrics.items()}
            updates = [update for _, update in metrics.values()]
            final = v1.train.FinalOpsHook({**values, "global_step": v1.train.get_global_step()})
            with self._restored_session(spec, checkpoint_path, [
                    *(hooks or []), *(spec.evaluation_hooks or []), final]) as sess:
                done = 0
                while not sess.should_stop() and (steps is None or done < steps):
                    sess.run(updates)
                    done += 1
        if not done:
            raise LegacyError("evaluate() read no data: the input_fn gave no batch.")
        results = final.final_ops_values
        return results

    def predict(self, input_fn, predict_keys=None, hooks=None, checkpoint_path=None,
                yield_single_examples=True):
        """Yield model_fn's predictions, one example (a dict, or an array) at a time."""
        with tf.Graph().as_default():
            spec = self._spec(input_fn, ModeKeys.PREDICT)
            predictions = spec.predictions
            if isinstance(predictions, dict) and predict_keys:
                predictions = {key: predictions[key] for key in predict_keys}
            with self._restored_session(spec, checkpoint_path,
                                        [*(hooks or []), *(spec.prediction_hooks or [])]) as sess:
                while not sess.should_stop():
                    batch = sess.run(predictions)
                    if not yield_single_examples:
                        yield batch
                    elif isinstance(batch, dict):
                        for i in range(len(next(iter(batch.values())))):
                            yield {key: value[i] for key, value in batch.items()}
                    else:
                        yield from np.asarray(batch)

    def get_variable_value(self, name):
        """The value of variable ``name`` in the last checkpoint."""
        return v1.train.load_variable(self._model_dir, name)


def _features_and_labels(batch):
    """input_fn's result as (features, labels); labels None when it gave features only."""
    if isinstance(batch, tuple) and len(batch) == 2:
        return batch
    return batch, None


CANNED = ("tfgraph.legacy runs custom Estimators (Estimator(model_fn, model_dir)) only; "
          "the canned ones (DNNClassifier, LinearRegressor, ...) are not rebuilt. Write their "
          "model_fn with tf.layers.dense, or use tf.keras.")

ESTIMATOR = Namespace(
    "tf.estimator",
    members={"Estimator": Estimator, "EstimatorSpec": EstimatorSpec, "ModeKeys": ModeKeys,
             "RunConfig": RunConfig,
             "inputs": Namespace("tf.estimator.inputs",
                                 members={"numpy_input_fn": numpy_input_fn},
                                 refusal="tfgraph.legacy provides numpy_input_fn only.")},
    refusal=CANNED)
