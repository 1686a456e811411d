"""Training throughput of the three network lessons: train_model against a bare loop, Keras and PyTorch.

    python benchmarks/throughput.py            # the comparison, about 11 minutes on 2 cores
    python benchmarks/throughput.py --quick    # a smoke test, under 2 minutes; prints, writes nothing
    python benchmarks/throughput.py --levers   # each lever of the training step alone, about 7 minutes

For the fully connected, modern and convolutional lessons, at the article's batch
sizes (50, 100, 50) and on full MNIST's 55,000 training images, it measures training
samples per second of:

  A. the lesson's own `train_model` loop as a learner runs it (progress bar, TensorBoard
     summaries, accuracy checks, checkpoints), training time only, as the loop reports
     it in `history.train_seconds`; the lesson's seconds per epoch with its test-accuracy
     checks are reported beside it;
  B. a bare `Session.run(feed_dict=...)` loop over the same graph and the same batches;
  C. the same model in Keras 3 `model.fit` on in-memory arrays (benchmarks/models_keras.py);
  D. the same model in PyTorch eager on the CPU (benchmarks/models_torch.py), with its
     default threads and with one thread, when torch is installed (pip install -e '.[bench]').

Each implementation runs in its own process (B shares A's), started once, so one
framework's thread pools and settings cannot touch another's. A round measures every
implementation once on the same training work, one after the other, in an order that
rotates from round to round; the tables give medians over rounds and the ratios taken
within each round. Every measurement of a model trains the same samples: whole epochs
over all 55,000 images when the window holds at least one (fully connected, modern),
else one epoch over a seeded random subset of them (CNN). The window (`--seconds`) is
sized from a short calibration of the bare loop; a PyTorch measurement stops early if
it takes more than TORCH_TIME_CAP windows. Results go to benchmarks/results.md between
the throughput.py markers (the rest of the file is kept), and are printed.

`--levers` takes train_model's step apart on the fully connected model (a feed dict,
`make_callable`, the compiled callable `benchmarks/compiled_run.py` (train_model used it until issue 23),
the cost and batch accuracy fetched each step, tqdm updates; benchmarks/levers.py),
measures the compiled callable against `sess.run` on every model, and the process-wide
Session settings (intra-/inter-op threads, op determinism) on every model.

The workers are benchmarks/workers.py, the TensorFlow side benchmarks/sessions.py, Keras
and PyTorch benchmarks/frameworks.py, the Markdown benchmarks/report.py.

The machine may be shared: each measurement also records how many cores other
processes kept busy meanwhile (from /proc/stat), and the load average is printed and
noted before and after.
"""

import argparse
import importlib.util
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.levers import LEVER_WORKERS, lever_plan  # noqa: E402
from benchmarks.machine import fp32_peak  # noqa: E402
from benchmarks.report import (COMPARISON, IMPLEMENTATIONS, LEVERS, TORCH_TIME_CAP, comparison_report,  # noqa: E402
                               levers_report, write_results)
from benchmarks.workers import Worker  # noqa: E402

MODELS = ("fully_connected", "modern_net", "cnn")


_STARTED = time.perf_counter()
# Which worker measures each implementation (the bare loop shares the lesson's process).
OWNER = {"train_model": "session", "bare": "session", "keras": "keras", "torch": "torch",
         "torch_1thread": "torch_1thread"}


def say(text):
    """Print a progress line stamped with the minutes and seconds since the benchmark started."""
    minutes, seconds = divmod(int(time.perf_counter() - _STARTED), 60)
    print(f"[{minutes:02d}:{seconds:02d}] {text}", flush=True)


def plan_work(rate, batch, num_train, window):
    """(training-set size, epochs) so that one measurement trains about `window` seconds at `rate`."""
    target = rate * window
    if target >= num_train:
        return num_train, max(1, round(target / num_train))
    return min(num_train, max(20 * batch, int(target // batch) * batch)), 1


def rotated(items, shift):
    """`items` as a list, rotated left by `shift` (each round starts with a different one)."""
    shift %= len(items)
    return list(items[shift:]) + list(items[:shift])


def start_workers(impls, logdir):
    """The worker processes the comparison of `impls` needs, by name."""
    workers = {"session": Worker("session", "session", logdir)}
    for name, kind, settings in (("keras", "keras", {}), ("torch", "torch", {}),
                                 ("torch_1thread", "torch", {"threads": 1})):
        if name in impls:
            workers[name] = Worker(name, kind, logdir, **settings)
    return workers


def set_up_comparison(workers, options):
    """Build every model in every worker and size the work; (setups, plans, extras)."""
    setups, plans, extras = {}, {}, {}
    others = [name for name in workers if name != "session"]
    # Set the workers up side by side: each framework's models are built as soon as the
    # lesson (in the session worker) has given its settings.
    for model in options.models:
        workers["session"].send("setup", model=model)
    for model in options.models:
        setups[model] = workers["session"].receive()
        for name in others:
            workers[name].send("setup", model=model, settings=setups[model]["settings"])
    for model in options.models:
        for name in others:
            extras[(name, model)] = workers[name].receive()
    for model in options.models:
        setups[model]["rate"] = workers["session"].call("calibrate", model=model, seconds=options.calibrate)
        batch, num_train = setups[model]["settings"]["batch_size"], setups[model]["num_train"]
        plans[model] = size, epochs = plan_work(setups[model]["rate"], batch, num_train, options.seconds)
        say(f"{model}: bare loop calibrated at {setups[model]['rate']:,.0f} samples/s; each measurement "
            f"trains {epochs} epoch(s) of {size:,} samples")
    return setups, plans, extras


def comparison_round(workers, options, impls, plans, round_index, results):
    """One round: every implementation of every model once, in an order rotated by `round_index`."""
    for model in options.models:
        size, epochs = plans[model]
        for impl in rotated(impls, round_index):
            cap = {"max_seconds": TORCH_TIME_CAP * options.seconds} if impl.startswith("torch") else {}
            result = workers[OWNER[impl]].call("measure", impl=impl, model=model, size=size, epochs=epochs,
                                               seed=round_index, **cap)
            results[(model, impl)].append(result)
            say(f"round {round_index + 1} {model:<15} {impl:<13} {result['samples'] / result['seconds']:>9,.0f} "
                f"samples/s ({result['seconds']:.1f} s training, {result['own_cores']:.2f} cores used, "
                f"others {result.get('others_cores', float('nan')):.2f} cores)")


def run_comparison(options, logdir):
    """Run the rounds; return everything the report needs."""
    have_torch = importlib.util.find_spec("torch") is not None
    impls = [impl for impl in options.impls if have_torch or not impl.startswith("torch")]
    workers = start_workers(impls, logdir)
    try:
        infos = {name: worker.info for name, worker in workers.items()}
        setups, plans, extras = set_up_comparison(workers, options)
        ceilings = []
        results = {(model, impl): [] for model in options.models for impl in impls}
        for round_index in range(options.rounds):
            load = os.getloadavg()[0]
            ceilings.append(workers["session"].call("matmul_ceiling"))
            say(f"a 2048 x 2048 matrix product in a lesson's Session: {ceilings[-1]:.1f} GFLOP/s (best of 10)")
            comparison_round(workers, options, impls, plans, round_index, results)
            say(f"round {round_index + 1} done (load average at its start {load:.2f})")
    finally:
        for worker in workers.values():
            worker.close()
    return {"infos": infos, "setups": setups, "plans": plans, "extras": extras, "results": results,
            "impls": impls, "have_torch": have_torch, "ceilings": ceilings}


def set_up_levers(workers, models, lever_steps):
    """Build every model in every lever worker; (setups, threads per worker, steps per measurement per model)."""
    setups, threads, steps = {}, {}, {}
    for worker in workers.values():
        for model in models:
            worker.send("setup", model=model)
    for name, worker in workers.items():
        for model in models:
            setups[model] = worker.receive()
            worker.send("lever_prepare", model=model)
        for model in models:
            threads[name] = worker.receive()["threads_in_process"]
    fc_work = setups["fully_connected"]["forward_flops"] * setups["fully_connected"]["settings"]["batch_size"]
    for model in models:  # about the same arithmetic per measurement on every model
        work = setups[model]["forward_flops"] * setups[model]["settings"]["batch_size"]
        steps[model] = max(10, round(lever_steps * fc_work / work))
    return setups, threads, steps


def run_levers(options, logdir):
    """Measure every lever variant in rounds, then the per-call costs; return everything the report needs."""
    workers = {name: Worker(f"levers-{name}", "levers", logdir, **kwargs) for name, kwargs in LEVER_WORKERS.items()}
    models = [model for model in MODELS if model in options.models or model == "fully_connected"]
    try:
        infos = {name: worker.info for name, worker in workers.items()}
        setups, threads, steps = set_up_levers(workers, models, options.lever_steps)
        plan = lever_plan(models)
        results = {key: [] for key in plan}
        for round_index in range(options.rounds):
            for key in rotated(plan, round_index):
                model, variant, worker = key
                result = workers[worker].call("lever", variant=variant, steps=steps[model], model=model,
                                              seed=round_index)
                results[key].append(result)
                say(f"round {round_index + 1} {model:<15} {variant:<22} {worker:<15} "
                    f"{result['samples'] / result['seconds']:>9,.0f} samples/s "
                    f"({1e6 * result['seconds'] / result['steps']:,.0f} µs/step, others "
                    f"{result.get('others_cores', float('nan')):.2f} cores)")
        micro = {name: worker.call("micro") for name, worker in workers.items()}
    finally:
        for worker in workers.values():
            worker.close()
    return {"infos": infos, "threads": threads, "results": results, "micro": micro, "setups": setups,
            "steps": steps, "models": models}


def parse_args(argv=None):
    """The command line's options, with the defaults that depend on --quick and --levers filled in."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: one round, 1.5-second windows (under 2 minutes); prints the table and "
                             "writes results.md only with --out")
    parser.add_argument("--levers", action="store_true",
                        help="measure the training loop's levers one at a time instead (the loop's own on the "
                             "fully connected model, the Session's settings on every model)")
    parser.add_argument("--seconds", type=float, default=None,
                        help="training seconds per measurement, as calibrated on the bare loop (default: 9; "
                             "1.5 with --quick)")
    parser.add_argument("--rounds", type=int, default=None,
                        help="rounds of alternating measurements (default: 3, 5 with --levers, 1 with --quick)")
    parser.add_argument("--models", nargs="+", choices=MODELS, default=list(MODELS))
    parser.add_argument("--impls", nargs="+", choices=IMPLEMENTATIONS, default=list(IMPLEMENTATIONS),
                        help="implementations to measure (train_model must be one for the ratios)")
    parser.add_argument("--lever-steps", type=int, default=None,
                        help="training steps of the fully connected model per lever measurement, scaled to the "
                             "same arithmetic for the other models (default: 2200, two epochs; 300 with --quick)")
    parser.add_argument("--fma-units", type=int, default=None,
                        help="FMA units per core for the fp32 peak (default: 2, assumed)")
    parser.add_argument("--out", default=None,
                        help="the results file (default: benchmarks/results.md; --quick writes only when given)")
    args = parser.parse_args(argv)
    args.seconds = args.seconds or (1.5 if args.quick else 9.0)
    args.rounds = args.rounds or (1 if args.quick else 5 if args.levers else 3)
    args.lever_steps = args.lever_steps or (300 if args.quick else 2200)
    args.calibrate = 0.3 if args.quick else 1.5
    if args.out is None and not args.quick:
        args.out = str(ROOT / "benchmarks" / "results.md")
    return args


def measure(options, logdir, started):
    """Run the comparison or the levers; (Markdown lines, the results.md markers they go between)."""
    loads = [os.getloadavg()[0]]
    if options.levers:
        data = run_levers(options, logdir)
        loads.append(os.getloadavg()[0])
        return levers_report(data, options, loads, time.perf_counter() - started), LEVERS
    peak, peak_how = fp32_peak(options.fma_units)
    data = run_comparison(options, logdir)
    loads.append(os.getloadavg()[0])
    return comparison_report(data, options, peak, peak_how, loads, time.perf_counter() - started)[0], COMPARISON


def main(argv=None):
    """Measure, print the tables, and write them to results.md (--out)."""
    options = parse_args(argv)
    started = time.perf_counter()
    print(f"Load average (1, 5, 15 min) before: {', '.join(f'{v:.2f}' for v in os.getloadavg())}", flush=True)
    logdir = tempfile.mkdtemp(prefix="tfgraph-throughput-")
    try:
        lines, markers = measure(options, logdir, started)
    except BaseException:
        print(f"Worker logs kept in {logdir}", file=sys.stderr)
        raise
    shutil.rmtree(logdir, ignore_errors=True)
    print(f"Load average (1, 5, 15 min) after: {', '.join(f'{v:.2f}' for v in os.getloadavg())}", flush=True)
    print()
    print("\n".join(lines))
    if options.out:
        write_results(options.out, markers, "\n".join(lines))
    print(f"Took {(time.perf_counter() - started) / 60:.1f} minutes")


if __name__ == "__main__":
    main()
