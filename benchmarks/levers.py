"""The training step's levers, one at a time (`python benchmarks/throughput.py --levers`).

`train_model` runs each step as `sess.run` of the lesson's train op, batch accuracy
and cost, builds its feed with `update_d`, checks the cost
(the NaN check) and updates a tqdm bar. Each loop variant below adds or removes one of
those, on the lesson's own graph and Session; the Session's process-wide settings
(intra-/inter-op threads, op determinism) each get a worker process of their own.
"""
import os
import time

from benchmarks.machine import Stopwatch
from benchmarks.sessions import SessionBackend, threads_in_process

# Worker processes: name -> SessionBackend options (thread settings are process-wide in TensorFlow).
LEVER_WORKERS = {"default": {}, "intra2_inter1": {"intra": 2, "inter": 1}, "intra1_inter1": {"intra": 1, "inter": 1},
                 "no_determinism": {"determinism": False}}
WORKER_TEXT = {"default": "lesson's Session (ConfigProto defaults, determinism on)",
               "intra2_inter1": "intra-op 2, inter-op 1", "intra1_inter1": "intra-op 1, inter-op 1",
               "no_determinism": "op determinism off"}
LOOP_TEXT = {"feed_dict": "`sess.run(train_op, feed_dict=...)`", "callable": "`make_callable([train_op])`",
             "compiled": "`CompiledRun([train_op])` (`benchmarks/compiled_run.py`, a compiled callable)",
             "compiled_cost": "`CompiledRun([train_op, cost])` + NaN check, every step",
             "compiled_cost_every_10": "`CompiledRun([train_op])`, with the cost and NaN check every 10th step",
             "train_step": "`train_model`'s step: `sess.run([train_op, accuracy, cost])`, `update_d` feed, "
                           "NaN check",
             "tqdm_every_step": "`train_model`'s step + `bar.update` every step",
             "tqdm_every_100": "`train_model`'s step + `bar.update` every 100 steps",
             "epoch_copy": "`train_model`'s step + `bar.update`, whole epochs, batches sliced from a shuffled copy "
                           "of the training set made at each epoch",
             "batch_gather": "`train_model`'s step + `bar.update`, whole epochs, each batch gathered from the "
                             "epoch's permutation (as `train_model` does)"}
DATA_VARIANTS = ("epoch_copy", "batch_gather")
# Levers of the training loop itself (title, variant, reference variant), in the lesson's own Session.
LOOP_LEVERS = (
    ("`make_callable` instead of a feed dict", "callable", "feed_dict"),
    ("a compiled callable (`CompiledRun`) instead of `sess.run` with a feed dict", "compiled", "feed_dict"),
    ("a compiled callable (`CompiledRun`) instead of `make_callable`", "compiled", "callable"),
    ("fetch the cost every step (+ NaN check)", "compiled_cost", "compiled"),
    ("fetch the cost every 10th step (+ NaN check)", "compiled_cost_every_10", "compiled"),
    ("`train_model`'s step (`sess.run` of train op, accuracy and cost through `update_d`) vs the compiled callable with the cost", "train_step", "compiled_cost"),
    ("tqdm `update` every step", "tqdm_every_step", "train_step"),
    ("tqdm `update` every 100 steps instead of every step", "tqdm_every_100", "tqdm_every_step"),
    ("gather each batch instead of copying the shuffled training set each epoch", "batch_gather", "epoch_copy"),
)
# The step levers also measured on the other models (their steps are longer, the overhead a smaller share).
MODEL_LEVERS = LOOP_LEVERS[:3]
# Process-wide settings, measured on every model with the compiled callable, against the lesson's Session.
SETTING_LEVERS = ("intra2_inter1", "intra1_inter1", "no_determinism")


def lever_plan(models):
    """The (model, loop variant, worker) measurements of a lever round."""
    plan = [("fully_connected", variant, "default") for variant in LOOP_TEXT]
    for model in models:
        if model != "fully_connected":
            plan += [(model, variant, "default") for variant in ("feed_dict", "callable", "compiled")]
            if model == "modern_net":  # an epoch of the CNN is too long to repeat here
                plan += [(model, variant, "default") for variant in DATA_VARIANTS]
        plan += [(model, "compiled", worker) for worker in SETTING_LEVERS]
    return plan


def lever_pairs(models):
    """(title, measured key, reference key) of every lever the report compares, each within a round."""
    pairs = [(f"{title} (fully_connected)", ("fully_connected", variant, "default"),
              ("fully_connected", reference, "default")) for title, variant, reference in LOOP_LEVERS]
    if "modern_net" in models:
        pairs.append((f"{LOOP_LEVERS[-1][0]} (modern_net)", ("modern_net", "batch_gather", "default"),
                      ("modern_net", "epoch_copy", "default")))
    pairs += [(f"{title} ({model})", (model, variant, "default"), (model, reference, "default"))
              for model in models if model != "fully_connected" for title, variant, reference in MODEL_LEVERS]
    pairs += [(f"{WORKER_TEXT[worker]} ({model})", (model, "compiled", worker), (model, "compiled", "default"))
              for model in models for worker in SETTING_LEVERS]
    return pairs


def step_functions(m, bar):
    """variant -> a function (index, images, labels) taking one training step the way that variant does."""
    from tfgraph.training import check_cost, update_d

    sess, train_operation, X, Y, train_feed = m.sess, m.g.ops.train_operation, m.g.X, m.g.Y, m.train_feed
    extra, batch = list(train_feed.values()), m.args.batch_size

    def compiled_cost(index, x, y):
        check_cost(m.compiled_cost({X: x, Y: y, **train_feed})[1], 0, index, 0)

    def train_step(index, x, y):
        _, _, cost = sess.run(m.train_fetches, feed_dict=update_d(train_feed, {X: x, Y: y}))
        check_cost(cost, 0, index, 0)

    steps = {"feed_dict": lambda index, x, y: sess.run(train_operation, feed_dict={X: x, Y: y, **train_feed}),
             "callable": lambda index, x, y: m.step(x, y, *extra),
             "compiled": lambda index, x, y: m.compiled({X: x, Y: y, **train_feed}),
             "compiled_cost": compiled_cost, "train_step": train_step,
             "tqdm_every_step": lambda index, x, y: (train_step(index, x, y), bar.update(batch))}
    steps["compiled_cost_every_10"] = lambda index, x, y: (compiled_cost if index % 10 == 0 else steps["compiled"])(
        index, x, y)
    steps["tqdm_every_100"] = lambda index, x, y: (train_step(index, x, y),
                                                   index % 100 == 99 and bar.update(100 * batch))
    steps["epoch_copy"] = steps["batch_gather"] = steps["tqdm_every_step"]
    return steps


class LeverBackend(SessionBackend):
    """A `SessionBackend` that also times the loop variants and the per-call costs."""

    def lever_prepare(self, model="fully_connected"):
        """Pre-shuffle the training set and build the loop variants' callables for `model`."""
        from benchmarks.compiled_run import CompiledRun

        m = self.models[model]
        order = self.np.random.default_rng(7).permutation(len(m.train_X))
        m.lever_X, m.lever_Y = m.train_X[order], m.train_Y[order]
        g, batch, feeds = m.g, m.args.batch_size, [m.g.X, m.g.Y, *m.train_feed]
        m.step = m.sess.make_callable([g.ops.train_operation], feed_list=feeds)
        m.compiled = CompiledRun(m.sess, [g.ops.train_operation], feeds)
        m.compiled_cost = CompiledRun(m.sess, [g.ops.train_operation, g.ops.total_cost], feeds)
        m.train_fetches = [g.ops.train_operation, g.ops.accuracy_operation, g.ops.total_cost]
        warm = step_functions(m, None)
        for variant in ("feed_dict", "callable", "compiled", "compiled_cost", "train_step"):
            warm[variant](0, m.lever_X[:batch], m.lever_Y[:batch])
        return {"threads_in_process": threads_in_process()}

    def lever(self, variant, steps, model="fully_connected", seed=0):
        """Time `steps` training steps of one loop variant.

        The step variants run over the training set shuffled once beforehand, so they time
        the step alone; the two data variants ('epoch_copy': a shuffled copy of the training
        set per epoch, batches sliced from it; 'batch_gather': each batch gathered from the
        epoch's permutation) run whole epochs, shuffling at each epoch.
        """
        from tqdm.auto import tqdm

        m = self.models[model]
        images, labels, batch = m.lever_X, m.lever_Y, m.args.batch_size
        bar = tqdm(total=steps * batch, unit="samples", dynamic_ncols=True, mininterval=0.5) \
            if variant.startswith("tqdm") or variant in DATA_VARIANTS else None
        step = step_functions(m, bar)[variant]
        if variant in DATA_VARIANTS:
            result = self._lever_epochs(m, variant, steps, seed, step)
        else:
            starts = [(index * batch) % (len(images) - batch + 1) for index in range(steps)]
            with Stopwatch() as watch:
                for index, start in enumerate(starts):
                    step(index, images[start:start + batch], labels[start:start + batch])
            result = dict(watch.stats, samples=steps * batch, seconds=watch.wall, steps=steps)
        if bar is not None:
            bar.close()
        return result

    def _lever_epochs(self, m, variant, steps, seed, step):
        """Whole epochs (about `steps` steps) of a data variant, each batch through `step`."""
        train_X, train_Y, num_train, batch = m.train_X, m.train_Y, len(m.train_X), m.args.batch_size
        num_batches = -(-num_train // batch)
        epochs = max(1, round(steps / num_batches))
        order_rng = self.np.random.default_rng(seed)
        copy_seconds = 0.0
        with Stopwatch() as watch:
            for _ in range(epochs):
                copy_started = time.perf_counter()
                order = order_rng.permutation(num_train)
                if variant == "epoch_copy":  # a shuffled copy per epoch, batches are views of it
                    epoch_X, epoch_Y = train_X[order], train_Y[order]
                    copy_seconds += time.perf_counter() - copy_started
                    for index, start in enumerate(range(0, num_train, batch)):
                        step(index, epoch_X[start:start + batch], epoch_Y[start:start + batch])
                else:  # the same batches, each gathered from the permutation
                    for index in range(num_batches):
                        rows = order[index * batch:(index + 1) * batch]
                        step(index, train_X[rows], train_Y[rows])
        result = dict(watch.stats, samples=epochs * num_train, seconds=watch.wall, steps=epochs * num_batches)
        if variant == "epoch_copy":
            result["copy_seconds_per_epoch"] = copy_seconds / epochs
        return result

    def micro(self, model="fully_connected", calls=2000, repeats=5):
        """Per-call costs, best of `repeats`, in microseconds, on a trivial graph with the FC model's feeds."""
        from tqdm.auto import tqdm

        from benchmarks.compiled_run import CompiledRun
        from tfgraph.training import check_cost

        tf, tf1, np = self.tf, self.tf1, self.np
        m = self.models[model]
        batch = m.args.batch_size
        images, labels = m.lever_X[:batch].copy(), m.lever_Y[:batch].copy()
        graph = tf.Graph()
        with graph.as_default():
            X = tf1.placeholder(tf.float32, [None, 784])
            Y = tf1.placeholder(tf.float32, [None, 10])
            total = tf.Variable(0.0)
            scalar = tf.reduce_sum(X[:1, :1]) + tf.reduce_sum(Y[:1, :1])
            target = tf1.assign_add(total, scalar).op
            init = tf1.global_variables_initializer()
        sess = self.session(m.args, graph)
        sess.run(init)
        step = sess.make_callable([target], feed_list=[X, Y])
        compiled, compiled_fetch = CompiledRun(sess, [target], [X, Y]), CompiledRun(sess, [target, scalar], [X, Y])

        def best(function, count=calls):
            function()
            times = []
            for _ in range(repeats):
                started = time.perf_counter()
                for _ in range(count):
                    function()
                times.append((time.perf_counter() - started) / count * 1e6)
            return min(times)

        feed = {X: images, Y: labels}
        results = {"feed_dict": best(lambda: sess.run(target, feed_dict=feed)),
                   "callable": best(lambda: step(images, labels)),
                   "compiled": best(lambda: compiled({X: images, Y: labels})),
                   "compiled_cost": best(lambda: check_cost(compiled_fetch({X: images, Y: labels})[1], 0, 0, 0))}
        with open(os.devnull, "w", encoding="utf-8") as devnull:
            bar = tqdm(total=10 ** 12, unit="samples", dynamic_ncols=True, mininterval=0.5, file=devnull)
            results["tqdm_update"] = best(lambda: bar.update(batch), 50 * calls)
            bar.close()
        results["check_cost"] = best(lambda: check_cost(np.float32(0.5), 0, 0, 0), 50 * calls)
        rng = np.random.default_rng(0)

        def shuffle():
            order = rng.permutation(len(m.train_X))
            return m.train_X[order], m.train_Y[order]

        results["epoch_shuffle"] = best(shuffle, 2)  # microseconds per epoch
        sess.close()
        return results
