"""
Title: From Session to tf.function
Description: The CNN again in TensorFlow 2 style: a tf.Module, a tf.function step and a SavedModel.
Article section: Convolutional Neural Networks, written for TensorFlow 2 (beyond the article)
Run: python -m lessons.tf_function
Expected: "Final accuracy was 0.9927" after 10 epochs (lessons.cnn: 0.9918); 9-11 minutes on a busy 2-core CPU.

The CNN lesson's network, data order and optimizer, without a Session: `tf.Variable`s
held by a `tf.Module`; a training step that `tf.function` traces into a graph once, with
`tf.GradientTape` and a Keras optimizer; images as function arguments, not placeholders;
`tf.train.Checkpoint`, which saves objects where `Saver` saved names. The forward pass is
`lessons.cnn.model_gen` itself: the ops stay, what runs them changes. Both graphs go to the
run (`train/`, `tf1/`) and their ops are counted; `--from-tf1 RUN_DIR` loads a `lessons.cnn`
checkpoint by name and checks both give the same logits; `--export DIR` writes a SavedModel.

Keras's RMSprop starts its average of squared gradients at 0 (epsilon 1e-7), TensorFlow
1's at 1 (epsilon 1e-10): `tf1_rmsprop` starts it at 1, so both lessons take the same steps.
"""
# %% [markdown]
# ## Setup

# %%
import collections
import shutil
import subprocess
from pathlib import Path

import numpy as np
import tensorflow as tf

from lessons import cnn
from tfgraph import cli, function_loop, plotting, runs, training
from tfgraph.errors import TfgraphError

tf1 = tf.compat.v1

#: The TF1 graph's and the module's logits may differ by this much (float32 rounding), on this many images.
TOLERANCE, COMPARED_IMAGES = 1e-5, 1000
#: Images per batch when measuring accuracy (about 256 MB of activations, as in lessons.cnn).
EVAL_BATCH = 500


def parse_args(argv=None):
    """The CNN lesson's flags, and --from-tf1 and --export."""
    parser = cli.lesson_parser(__doc__, "tf_function")
    cnn.add_model_flags(parser)  # the CNN lesson's knobs and defaults
    parser.add_argument("--from-tf1", default=None, metavar="RUN_DIR",
                        help="load the newest checkpoint of a lessons.cnn run into the module, compare the two "
                             "graphs' logits and accuracy, and train nothing")
    parser.add_argument("--export", default=None, metavar="DIR",
                        help="after training (or --from-tf1), write the model to DIR as a SavedModel")
    cli.add_common_flags(parser)
    return cli.parse_args(parser, argv)


# %% [markdown]
# ## Prepare the data
#
# The CNN lesson's arrays, images (?, 28, 28, 1) in [0, 1] and one-hot labels, go straight
# into the function:
#
#     TF1:  sess.run(train_operation, feed_dict={X: batch_X, Y: batch_Y, keep_rate_conv: 0.8, ...})
#     TF2:  cost, batch_accuracy = train_step(batch_X, batch_Y)

# %% [markdown]
# ## Build the graph
#
# Variables belong to an object, not to the graph's collections, and hold their values at once:
#
#     TF1:  w = training.init_weights([3, 3, 1, 32], name="w")      # in tf1.global_variables()
#           sess.run(tf1.global_variables_initializer())
#     TF2:  self.w = training.init_weights([3, 3, 1, 32], name="w")  # in model.trainable_variables
#
# (The class is made inside `build_model`: subclassing `tf.Module` imports TensorFlow,
# which `--help` should not wait for.)

# %%
def build_model(num_hidden=625, block3_dropout=False):
    """The article's CNN as a tf.Module: five tf.Variables, named as lessons.cnn names them."""

    class CNN(tf.Module):
        def __init__(self):
            super().__init__(name="model")
            with self.name_scope:  # model/w, model/w2, ...: the names in lessons.cnn's checkpoints
                self.w = training.init_weights([3, 3, 1, 32], name="w")  # 32 filters of 3x3 over 1 channel
                self.w2 = training.init_weights([3, 3, 32, 64], name="w2")
                self.w3 = training.init_weights([3, 3, 64, 128], name="w3")
                self.w4 = training.init_weights([128 * 4 * 4, num_hidden], name="w4")
                self.w_o = training.init_weights([num_hidden, 10], name="w_o")

        def __call__(self, X, keep_conv=1.0, keep_hidden=1.0):
            """Logits for images X; a keep probability of 1.0 adds no dropout op."""
            with self.name_scope:
                return cnn.model_gen(X, self.w, self.w2, self.w3, self.w4, self.w_o, keep_conv, keep_hidden,
                                     block3_dropout)

        @tf.function(input_signature=[tf.TensorSpec([None, 28, 28, 1], tf.float32, name="images")])
        def serve(self, images):
            """The SavedModel's serving_default: each image's probabilities and its most likely digit."""
            logits = self(images)
            return {"probabilities": tf.nn.softmax(logits), "digit": tf.argmax(logits, 1)}

    return CNN()


def tf1_rmsprop(learning_rate, decay):
    """Keras's RMSprop taking tf.compat.v1's RMSPropOptimizer's steps: its average starts at 1, not 0."""

    class RMSprop(tf.keras.optimizers.RMSprop):
        def add_optimizer_variables(self, variables, name, initializer="zeros"):
            return super().add_optimizer_variables(variables, name, "ones" if name == "velocity" else initializer)

    return RMSprop(learning_rate, rho=decay, epsilon=1e-10)


# %% [markdown]
# `tf.function` traces the step once into a graph (`None` in the signature covers the last
# short batch) and then runs that graph. The tape makes `minimize` two visible steps:
#
#     TF1:  train_operation = optimizer.minimize(total_cost)
#     TF2:  gradients = tape.gradient(cost, model.trainable_variables)
#           optimizer.apply_gradients(zip(gradients, model.trainable_variables))

# %%
def make_train_step(model, optimizer, keep_conv, keep_hidden):
    """One training step as a tf.function: (images, labels) -> (cost, batch accuracy), the weights updated."""

    @tf.function(input_signature=[tf.TensorSpec([None, 28, 28, 1], tf.float32, name="input/X"),
                                  tf.TensorSpec([None, 10], tf.float32, name="input/Y")])
    def train_step(X, Y):
        with tf.GradientTape() as tape:
            logits = model(X, keep_conv, keep_hidden)
            with tf.name_scope("cost"):
                cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=Y, logits=logits))
        with tf.name_scope("train"):
            gradients = tape.gradient(cost, model.trainable_variables)
            optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        with tf.name_scope("accuracy"):
            correct = tf.equal(tf.argmax(logits, 1), tf.argmax(Y, 1))
            return cost, tf.reduce_mean(tf.cast(correct, tf.float32))

    return train_step


# %% [markdown]
# ### The two graphs
#
# `train_step.get_concrete_function().graph` is what `tf.function` traced. Beside the CNN
# lesson's graph it has no initializer ops (`VarIsInitializedOp`, `RandomStandardNormal`);
# a `ReadVariableOp` per weight read (resource variables: a read is an op, ordered with the
# writes); Keras's update in plain ops, not a fused `ResourceApplyRMSProp`; a `Placeholder`
# per argument and captured variable; an `Identity` per output and a `NoOp` that automatic
# control dependencies hang the updates on. The SavedModel's signature calls `serve`
# through a `StatefulPartitionedCall`: a function called from a graph is one op.

# %%
def print_op_counts(tf1_graph, tf2_graph):
    """Print both graphs' op counts, in all and by type (those that differ first); return the two Counters."""
    tf1_counts, tf2_counts = (collections.Counter(op.type for op in graph.get_operations())
                              for graph in (tf1_graph, tf2_graph))
    print(f"Ops: {sum(tf1_counts.values())} in lessons.cnn's graph (TF1), {sum(tf2_counts.values())} in the "
          "traced train_step (TF2). By type, TF1 -> TF2:")
    kinds = sorted(tf1_counts.keys() | tf2_counts.keys(), key=lambda kind: (-tf1_counts[kind] - tf2_counts[kind], kind))
    for kind in (kind for kind in kinds if tf1_counts[kind] != tf2_counts[kind]):
        print(f"  {kind:<24}{tf1_counts[kind]:>5} -> {tf2_counts[kind]}")
    print("  the same in both: " + ", ".join(f"{kind} {tf1_counts[kind]}" for kind in kinds
                                            if tf1_counts[kind] == tf2_counts[kind]))
    return tf1_counts, tf2_counts


# %% [markdown]
# ## Train
#
# `function_loop.train_function` is `train_model`'s loop in plain Python around the step:
# the same order and test subsets (two NumPy streams from `--seed`), the same closing
# lines, and its scalars, graph trace (`tf.summary.trace_on`/`trace_export`) and
# checkpoints in TF2's way:
#
#     TF1:  summaries.add_scalars(writer, step, cost=cost)   # a FileWriter and a Summary proto
#     TF2:  with writer.as_default(step=step): tf.summary.scalar("cost", cost)
#     TF1:  tf1.train.Saver(max_to_keep=2).save(sess, prefix, global_step=step)
#     TF2:  tf.train.CheckpointManager(tf.train.Checkpoint(model=model, optimizer=optimizer),
#                                      folder, max_to_keep=2).save(checkpoint_number=step)

# %%
def evaluate(model, images, labels):
    """Accuracy over all `images`, in batches, through the model's serving function (dropout off)."""
    digits = [model.serve(images[start:start + EVAL_BATCH])["digit"].numpy()
              for start in range(0, len(images), EVAL_BATCH)]
    return float(np.mean(np.concatenate(digits) == np.argmax(labels, 1)))


# %% [markdown]
# ## Evaluate
#
# ### A TF1 checkpoint, loaded by name
#
# `Saver` saved variables by graph name (`model/w`, RMSProp's `model/w/RMSProp`), where
# `tf.train.Checkpoint` saves objects by path (`model/w/.ATTRIBUTES/VARIABLE_VALUE`). Handed
# a TF1 checkpoint, `Checkpoint.restore` falls back to matching names, silently. `--from-tf1`
# does it in the open: it reads each tensor by name, checks every shape first, assigns them:
#
#     TF1:  tf1.train.Saver().restore(sess, path)
#     TF2:  model.w.assign(tf.train.load_checkpoint(path).get_tensor("model/w"))

# %%
def load_tf1_weights(model, path):
    """Give each tf.Variable of `model` the tensor its TF1 name holds in checkpoint `path`; print the mapping."""
    try:
        saved, reader = dict(tf.train.list_variables(path)), tf.train.load_checkpoint(path)
    except (ValueError, tf.errors.OpError) as error:
        raise TfgraphError(f"Cannot read the checkpoint {path} ({str(error).strip()[:300]}). Give --from-tf1 "
                           "the folder of a lessons.cnn run that saved a checkpoint; nothing was loaded.") from None
    variables = {variable.name.split(":")[0]: (attribute, variable)  # model/w:0 was saved as model/w
                 for attribute, variable in vars(model).items() if isinstance(variable, tf.Variable)}
    for name in sorted(variables, key=lambda name: name not in saved):  # a shape mismatch says the most
        shape = variables[name][1].shape.as_list()
        if saved.get(name) != shape:
            others = ", ".join(f"{key} {saved[key]}" for key in sorted(saved)[:4])
            held = f"{name} with shape {saved[name]}, but this model's {name} has shape {shape}" if name in saved \
                else f"no {name} (shape {shape} here), only {others}"
            raise TfgraphError(f"The checkpoint {path} does not fit this model: it holds {held}. Give --from-tf1 "
                               "a run of lessons.cnn, and this lesson that run's --num-hidden (its run.json "
                               "lists its flags). Nothing was loaded.")
    print(f"Loading {path} by name:")
    for name, (attribute, variable) in variables.items():
        variable.assign(reader.get_tensor(name))
        print(f"  {name:<10} {str(saved[name]):<15} -> model.{attribute}")
    left = sorted(set(saved) - set(variables))
    if left:
        print(f"  not loaded: {', '.join(left[:2])} and {len(left) - 2} more: the optimizer's state (it trains nothing)"
              if len(left) > 2 else f"  not loaded: {', '.join(left)}")


def compare_with_tf1(args, model):
    """--from-tf1: load a lessons.cnn checkpoint into `model`, then compare both graphs' logits and accuracy."""
    folder = Path(args.from_tf1) / "checkpoints"
    path = tf.train.latest_checkpoint(str(folder)) if folder.is_dir() else None
    if path is None:
        raise TfgraphError(f"{args.from_tf1} holds no checkpoint ({folder / 'checkpoint'} is missing). Give "
                           "--from-tf1 a run folder that python -m lessons.cnn printed as its TensorBoard run.")
    load_tf1_weights(model, path)
    _, _, test_X, test_Y = cli.load_mnist(args, reshape=False)
    graph, g = cnn.build_graph(args)  # the CNN lesson's graph, placeholders and all
    with graph.as_default():
        saver = tf1.train.Saver(tf1.trainable_variables())
    batches = [test_X[start:start + EVAL_BATCH] for start in range(0, len(test_X), EVAL_BATCH)]
    with tf1.Session(graph=graph) as sess:
        saver.restore(sess, path)
        feed = {g.keep_rate_conv: 1.0, g.keep_rate_hidden: 1.0}
        tf1_logits = np.concatenate([sess.run("model/output/logits:0", {**feed, g.X: batch}) for batch in batches])
    tf2_logits = np.concatenate([model(batch).numpy() for batch in batches])
    compared = min(COMPARED_IMAGES, len(test_X))
    difference = float(np.max(np.abs(tf1_logits[:compared] - tf2_logits[:compared])))
    tf1_accuracy, tf2_accuracy = (float(np.mean(np.argmax(logits, 1) == np.argmax(test_Y, 1)))
                                  for logits in (tf1_logits, tf2_logits))
    print(f"Logits differ by at most {difference:.1e} on {compared:,} test images (dropout off)")
    print(f"Test accuracy: {tf1_accuracy:.4f} with the TF1 graph in a Session, {tf2_accuracy:.4f} with the "
          f"tf.Module ({len(test_X):,} test images)")
    if difference > TOLERANCE:
        raise TfgraphError(f"The two graphs' logits differ by {difference:.1e}, more than {TOLERANCE:.0e}: they do "
                           "not compute the same model.")
    return {"difference": difference, "tf1_accuracy": tf1_accuracy, "tf2_accuracy": tf2_accuracy}


# %% [markdown]
# ### Served as a SavedModel
#
# `tf.saved_model.save` writes the module's variables and its traced `serve`; another
# process needs only `tf.saved_model.load(DIR).signatures["serving_default"]`. `--export`
# runs `saved_model_cli show --dir DIR --all`, which prints, among more:
#
#     signature_def['serving_default']:
#         inputs['images'] tensor_info:
#             dtype: DT_FLOAT
#             shape: (-1, 28, 28, 1)
#         outputs['digit'] tensor_info:
#             dtype: DT_INT64
#             shape: (-1)
#         outputs['probabilities'] tensor_info:
#             dtype: DT_FLOAT
#             shape: (-1, 10)

# %%
def export_folder(directory):
    """`directory` as a Path if a SavedModel can go there (a new or empty folder), else a TfgraphError."""
    directory = Path(directory)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise TfgraphError(f"--export {directory}: that {'folder holds files' if directory.is_dir() else 'is a file'}, "
                           "and a SavedModel needs a new or empty folder. Choose another; nothing was written.")
    return directory


def save_for_serving(model, directory):
    """Write `model` to `directory` (new or empty) as a SavedModel, whole or not at all; show saved_model_cli's view."""
    directory = export_folder(directory)
    partial = directory.with_name(f".{directory.name}.partial")
    try:
        directory.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(partial, ignore_errors=True)
        tf.saved_model.save(model, str(partial), signatures={"serving_default": model.serve})
        partial.replace(directory)  # one rename: the folder is whole or absent
    except BaseException as error:
        shutil.rmtree(partial, ignore_errors=True)
        if isinstance(error, OSError):
            raise TfgraphError(f"Cannot write the SavedModel to {directory}: {error.strerror or error}. Choose a "
                               "folder you can write to with --export; nothing was written.") from None
        raise
    command = ["saved_model_cli", "show", "--dir", str(directory), "--all"]  # it comes with TensorFlow
    print(f"Saved the model as a SavedModel in {directory}\n$ {' '.join(command)}")
    print(subprocess.run(command, capture_output=True, text=True, timeout=300).stdout.rstrip())


# %%
def main(argv=None):
    """Train the CNN with a tf.function step, or load a lessons.cnn checkpoint (--from-tf1); --export it."""
    args = parse_args(argv)
    args.non_default.pop("export", None)  # a folder path makes no run name
    if args.export:
        export_folder(args.export)  # before training, not after it
    tf.random.set_seed(args.seed)  # the initial weights and dropout, as graph.seed did in TF1
    with cli.device_scope(args):
        model = build_model(args.num_hidden, args.block3_dropout)
        result = compare_with_tf1(args, model) if args.from_tf1 else train_and_log(args, model)
        if args.export and not args.graph_only:
            save_for_serving(model, args.export)
    return result


def train_and_log(args, model):
    """Count both graphs' ops, write them to a new run (or the --resume one), then train there (or --graph-only)."""
    optimizer = tf1_rmsprop(args.learning_rate, args.decay)
    optimizer.build(model.trainable_variables)  # its variables exist now: a checkpoint can restore them
    train_step = make_train_step(model, optimizer, args.keep_conv, args.keep_hidden)
    tf1_graph, traced = cnn.build_graph(args)[0], train_step.get_concrete_function().graph
    print_op_counts(tf1_graph, traced)
    settings = {} if args.graph_only else {  # a --graph-only folder is named `...,graph-only` (runs.open_run)
        "lr": args.learning_rate, "keep_conv": args.keep_conv, "keep_hidden": args.keep_hidden,
        "block3_dropout": int(args.block3_dropout), "seed": args.seed}
    with runs.open_run(args, None, settings) as run:
        writer = tf.summary.create_file_writer(str(run.dir / "train"))
        with writer.as_default():
            tf.summary.graph(traced)  # TF1: tf1.summary.FileWriter(logdir, graph)
        writer.close()
        with tf1_graph.as_default():
            tf1.summary.FileWriter(str(run.dir / "tf1"), graph=tf1_graph).close()
        if args.graph_only:
            return show_variables(model, run)
        manager = tf.train.CheckpointManager(tf.train.Checkpoint(model=model, optimizer=optimizer),
                                             str(run.dir / "checkpoints"), 2, checkpoint_name="model.ckpt")
        train_X, train_Y, test_X, test_Y = cli.load_mnist(
            args, reshape=False)  # (?, 28, 28, 1), (?, 10), (?, 28, 28, 1), (?, 10)
        accuracies = function_loop.train_function(
            train_step, lambda images, labels: evaluate(model, images, labels), train_X, train_Y, test_X, test_Y,
            args.num_epochs, args.batch_size, args.test_size, args.how_often, run_dir=run.dir, manager=manager,
            resuming=run.resuming, shuffle=args.shuffle, seed=args.seed, checkpoint_every=args.checkpoint_every,
            trace=args.trace)
        plots = [plotting.plot_accuracies(accuracies, run.dir / "accuracy.png", ylim=(0.9, 1), show=args.show)]
    runs.print_closing(run, plots)
    return accuracies


def show_variables(model, run):
    """--graph-only: print the module's variables and their sizes, and where the graphs were written."""
    rows = [(variable.name, variable.shape.as_list(), variable.shape.num_elements()) for variable in model.variables]
    for name, shape, count in rows + [("total", "", sum(count for _, _, count in rows))]:
        print(f"{name:<12} {str(shape):<18} {count:>12,}")
    runs.print_closing(run, curves=False)
    return run


# %% [markdown]
# ## Exercises
#
# 1. Drop `input_signature` from `train_step` and count its traces over an epoch
#    (`train_step.experimental_get_tracing_count()`): why two?
# 2. Export after `--from-tf1` (in a notebook: `from_tf1`, `export`), load the SavedModel in a
#    fresh Python with `tf.saved_model.load` alone, and match the accuracy printed.
# 3. In TensorBoard's Graphs dashboard, open the `train` and `tf1` graphs: where did `init` go?
#
# Checked exercises for this lesson: `traced_multiply_add`, `port_fully_connected`. Each is a file
# of your own that a checker grades. In a terminal (in a notebook, start the line with `!`):
#
#     python -m lessons.exercises start traced_multiply_add                         # a fresh file here
#     python -m lessons.exercises check traced_multiply_add traced_multiply_add.py  # check your work

# %%
if __name__ == "__main__":
    cli.run(main)
