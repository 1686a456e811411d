"""`tf.estimator` basics as tutorials used them, on Sessions (TensorFlow 2.16 removed tf.estimator).

A custom ``model_fn(features, labels, mode[, params][, config])`` returning an
`EstimatorSpec`, and ``train``, ``evaluate``, ``predict`` over an ``input_fn``
(``tf.estimator.inputs.numpy_input_fn``): each call builds a fresh graph, runs it
in a `tf.compat.v1.train.MonitoredTrainingSession` and keeps checkpoints and
summaries in ``model_dir``, as TensorFlow 1.x did, so a second ``train`` goes on
from the last checkpoint. The canned `DNNClassifier`, `LinearClassifier`, `DNNRegressor`
and `LinearRegressor` are model_fns on feature columns with TensorFlow 1.x's variable
names, optimizers and summed training loss.
"""
import functools
import inspect
import math
import tempfile
from typing import NamedTuple

import numpy as np
import tensorflow as tf

from tfgraph.legacy._estimator_inputs import INPUTS
from tfgraph.legacy._layers import dense
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

    def get_variable_names(self):
        """The names of the variables in the last checkpoint."""
        return [name for name, _ in v1.train.list_variables(self._model_dir)]


def _features_and_labels(batch):
    """input_fn's result as (features, labels); labels None when it gave features only."""
    if isinstance(batch, tuple) and len(batch) == 2:
        return batch
    return batch, None


# --------------------------------------------------------------------------
# The canned estimators: DNN and linear models on feature columns
# --------------------------------------------------------------------------

_OPTIMIZERS = {"Adagrad": v1.train.AdagradOptimizer, "Adam": v1.train.AdamOptimizer,
               "Ftrl": v1.train.FtrlOptimizer, "RMSProp": v1.train.RMSPropOptimizer,
               "SGD": v1.train.GradientDescentOptimizer}


def _optimizer(optimizer, learning_rate):
    """A v1 optimizer from a name ('Adagrad', ...), an optimizer, or a function making one."""
    if isinstance(optimizer, str):
        if optimizer not in _OPTIMIZERS:
            raise LegacyError(f"optimizer={optimizer!r} is not one of TensorFlow 1.x's names "
                              f"({', '.join(_OPTIMIZERS)}); pass an optimizer object instead.")
        return _OPTIMIZERS[optimizer](learning_rate)
    if callable(optimizer) and not isinstance(optimizer, v1.train.Optimizer):
        return optimizer()
    return optimizer


def _classification(logits, labels, mode, n_classes):
    """TF 1.x's classification head: predictions, per-example losses and eval metrics."""
    if n_classes == 2:
        logistic = tf.sigmoid(logits)
        probabilities = tf.concat([1 - logistic, logistic], 1)
        class_ids = tf.cast(logits > 0, tf.int64)
    else:
        probabilities = tf.nn.softmax(logits)
        class_ids = tf.expand_dims(tf.argmax(logits, 1), 1)
    predictions = {"logits": logits, "probabilities": probabilities, "class_ids": class_ids,
                   "classes": tf.strings.as_string(class_ids)}
    if n_classes == 2:
        predictions["logistic"] = logistic
    if mode == ModeKeys.PREDICT:
        return predictions, None, None
    ids = tf.reshape(tf.cast(labels, tf.int64), [-1])
    if n_classes == 2:
        losses = tf.nn.sigmoid_cross_entropy_with_logits(
            labels=tf.cast(tf.expand_dims(ids, 1), logits.dtype), logits=logits)[:, 0]
    else:
        losses = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=ids, logits=logits)
    metrics = {"accuracy": v1.metrics.accuracy(ids, tf.reshape(class_ids, [-1])),
               "average_loss": v1.metrics.mean(losses)}
    return predictions, losses, metrics


def _regression(logits, labels, mode):
    """TF 1.x's regression head: the predictions, per-example squared errors and eval metrics."""
    predictions = {"predictions": logits}
    if mode == ModeKeys.PREDICT:
        return predictions, None, None
    targets = tf.reshape(tf.cast(labels, logits.dtype), tf.shape(logits))
    losses = tf.reduce_sum(tf.square(logits - targets), axis=1)
    return predictions, losses, {"average_loss": v1.metrics.mean(losses)}


def _canned_model_fn(logits_fn, head, make_optimizer, reduction):
    """A model_fn: ``logits_fn(features, mode)``, then ``head``, the loss reduced as asked."""
    def model_fn(features, labels, mode):
        logits = logits_fn(features, mode)
        predictions, losses, metrics = head(logits, labels, mode)
        if mode == ModeKeys.PREDICT:
            return EstimatorSpec(mode, predictions=predictions)
        loss = v1.losses.compute_weighted_loss(losses, reduction=reduction)
        train_op = None
        if mode == ModeKeys.TRAIN:
            train_op = make_optimizer().minimize(loss, global_step=v1.train.get_global_step())
        return EstimatorSpec(mode, predictions, loss, train_op, metrics)
    return model_fn


def _dnn(feature_columns, hidden_units, units, activation_fn, dropout):
    """Logits of TF 1.x's DNN: dnn/hiddenlayer_<i>/kernel, ..., dnn/logits/kernel."""
    def logits(features, mode):
        with v1.variable_scope("dnn"):
            net = v1.feature_column.input_layer(features, feature_columns)
            for i, width in enumerate(hidden_units):
                net = dense(net, width, activation=activation_fn, name=f"hiddenlayer_{i}")
                if dropout and mode == ModeKeys.TRAIN:
                    net = tf.nn.dropout(net, rate=dropout)
            return dense(net, units, name="logits")
    return logits


def _linear(feature_columns, units):
    """Logits of TF 1.x's linear model: linear/linear_model/<column>/weights and bias_weights."""
    def logits(features, mode):
        with v1.variable_scope("linear"):
            return v1.feature_column.linear_model(features, feature_columns, units=units)
    return logits


def _refuse(estimator, **given):
    for argument, value in given.items():
        if value:
            raise LegacyError(f"tf.estimator.{estimator}({argument}=...) is not supported by "
                              f"tfgraph.legacy; leave it out (labels as class ids 0..n-1, "
                              f"every example weighted 1), or use tf.keras.")


def _units(n_classes):
    if n_classes < 2:
        raise LegacyError(f"n_classes must be at least 2, got {n_classes}.")
    return 1 if n_classes == 2 else n_classes


class DNNClassifier(Estimator):
    """tf.estimator.DNNClassifier: a ReLU network on feature columns, Adagrad(0.05), loss summed."""

    def __init__(self, hidden_units, feature_columns, model_dir=None, n_classes=2,
                 weight_column=None, label_vocabulary=None, optimizer="Adagrad",
                 activation_fn=tf.nn.relu, dropout=None, input_layer_partitioner=None,
                 config=None, warm_start_from=None, loss_reduction=v1.losses.Reduction.SUM):
        _refuse("DNNClassifier", weight_column=weight_column, label_vocabulary=label_vocabulary)
        model_fn = _canned_model_fn(
            _dnn(feature_columns, hidden_units, _units(n_classes), activation_fn, dropout),
            functools.partial(_classification, n_classes=n_classes),
            lambda: _optimizer(optimizer, 0.05), loss_reduction)
        super().__init__(model_fn, model_dir, config, warm_start_from=warm_start_from)


class LinearClassifier(Estimator):
    """tf.estimator.LinearClassifier: a linear model on feature columns, FTRL, loss summed."""

    def __init__(self, feature_columns, model_dir=None, n_classes=2, weight_column=None,
                 label_vocabulary=None, optimizer="Ftrl", config=None, partitioner=None,
                 warm_start_from=None, loss_reduction=v1.losses.Reduction.SUM,
                 sparse_combiner="sum"):
        _refuse("LinearClassifier", weight_column=weight_column,
                label_vocabulary=label_vocabulary)
        rate = min(0.2, 1 / math.sqrt(len(feature_columns)))
        model_fn = _canned_model_fn(
            _linear(feature_columns, _units(n_classes)),
            functools.partial(_classification, n_classes=n_classes),
            lambda: _optimizer(optimizer, rate), loss_reduction)
        super().__init__(model_fn, model_dir, config, warm_start_from=warm_start_from)


class DNNRegressor(Estimator):
    """tf.estimator.DNNRegressor: a ReLU network predicting ``label_dimension`` numbers."""

    def __init__(self, hidden_units, feature_columns, model_dir=None, label_dimension=1,
                 weight_column=None, optimizer="Adagrad", activation_fn=tf.nn.relu,
                 dropout=None, input_layer_partitioner=None, config=None,
                 warm_start_from=None, loss_reduction=v1.losses.Reduction.SUM):
        _refuse("DNNRegressor", weight_column=weight_column)
        model_fn = _canned_model_fn(
            _dnn(feature_columns, hidden_units, label_dimension, activation_fn, dropout),
            _regression, lambda: _optimizer(optimizer, 0.05), loss_reduction)
        super().__init__(model_fn, model_dir, config, warm_start_from=warm_start_from)


class LinearRegressor(Estimator):
    """tf.estimator.LinearRegressor: a linear model predicting ``label_dimension`` numbers."""

    def __init__(self, feature_columns, model_dir=None, label_dimension=1, weight_column=None,
                 optimizer="Ftrl", config=None, partitioner=None, warm_start_from=None,
                 loss_reduction=v1.losses.Reduction.SUM, sparse_combiner="sum"):
        _refuse("LinearRegressor", weight_column=weight_column)
        rate = min(0.2, 1 / math.sqrt(len(feature_columns)))
        model_fn = _canned_model_fn(_linear(feature_columns, label_dimension), _regression,
                                    lambda: _optimizer(optimizer, rate), loss_reduction)
        super().__init__(model_fn, model_dir, config, warm_start_from=warm_start_from)


CANNED = ("tfgraph.legacy runs custom Estimators (Estimator(model_fn, model_dir)) and the "
          "canned DNNClassifier, DNNRegressor, LinearClassifier and LinearRegressor; the "
          "others (DNNLinearCombinedClassifier, BoostedTrees..., the exporters) are not "
          "rebuilt. In TensorFlow 2, use tf.keras.Model.fit.")

ESTIMATOR = Namespace(
    "tf.estimator",
    members={"Estimator": Estimator, "EstimatorSpec": EstimatorSpec, "ModeKeys": ModeKeys,
             "RunConfig": RunConfig, "inputs": INPUTS, "DNNClassifier": DNNClassifier,
             "LinearClassifier": LinearClassifier, "DNNRegressor": DNNRegressor,
             "LinearRegressor": LinearRegressor},
    refusal=CANNED)
