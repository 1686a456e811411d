"""The throughput benchmark's Markdown: the comparison's and the levers' tables, and their place in results.md."""
import datetime
import os
import statistics
from pathlib import Path

from benchmarks.levers import LOOP_TEXT, WORKER_TEXT, lever_pairs
from tfgraph.atomic import write_text_atomically

IMPLEMENTATIONS = ("train_model", "bare", "keras", "torch", "torch_1thread")
LABELS = {"train_model": "lesson's `train_model`", "bare": "bare `Session.run` loop",
          "keras": "Keras 3 `model.fit`", "torch": "PyTorch eager (default threads)",
          "torch_1thread": "PyTorch eager, 1 thread"}
# A PyTorch measurement stops after this many times the window (PyTorch's OpenMP threads
# can slow down tenfold when other processes hold the cores).
TORCH_TIME_CAP = 2.5
TORCH_MISSING = "PyTorch not installed (pip install -e '.[bench]')"
SECTION = ("<!-- throughput.py: start -->", "<!-- throughput.py: end -->")
COMPARISON = ("<!-- throughput.py comparison: start -->", "<!-- throughput.py comparison: end -->")
LEVERS = ("<!-- throughput.py levers: start -->", "<!-- throughput.py levers: end -->")
GOALS = (("bare", "`train_model` >= 0.95 × the bare Session loop", 0.95),
         ("best_torch", "`train_model` >= 1.0 × PyTorch eager", 1.0),
         ("keras", "`train_model` >= 1.5 × Keras `fit`", 1.5))
MICRO_TEXT = (("feed_dict", "`sess.run(op, feed_dict=...)`"), ("callable", "`make_callable([op])(x, y)`"),
              ("compiled", "`CompiledRun([op])({X: x, Y: y})`"),
              ("compiled_cost", "`CompiledRun([op, scalar])({X: x, Y: y})` + `check_cost`"),
              ("tqdm_update", "tqdm `bar.update(n)` (mininterval 0.5 s)"),
              ("check_cost", "`check_cost(np.float32)`"))


def median(values):
    """The median of the values that are not None, or None if there are none."""
    values = [value for value in values if value is not None]
    return statistics.median(values) if values else None


def format_cores(value):
    """A core count with two decimals, or '-' for None."""
    return "-" if value is None else f"{value:.2f}"


def format_rate(value):
    """Samples per second with thousands separators, or '-' for None."""
    return "-" if value is None else f"{value:,.0f}"


def ratios_text(ratios, digits=3):
    """'median, then each round' of a list of per-round ratios."""
    return f"{median(ratios):.{digits}f}", ", ".join(f"{ratio:.{digits}f}" for ratio in ratios)


def command(options, levers=False):
    """The command line that measured, as the report names it."""
    return f"`python benchmarks/throughput.py{' --levers' if levers else ''}{' --quick' if options.quick else ''}`"


def comparison_settings(data, options, peak, peak_how, loads, elapsed):
    """The comparison's opening: the machine, versions, threads, the fp32 peak, the work and the load."""
    session, keras_info, torch_info = data["infos"]["session"], data["infos"].get("keras"), data["infos"].get("torch")
    ceilings = data["ceilings"]
    return [
        f"Measured {datetime.date.today()} by {command(options)} on: {session['machine']}.",
        "",
        f"- Versions: TensorFlow {session['tensorflow']}, Keras {session['keras']}"
        + (f" ({keras_info['backend']} backend)" if keras_info else "")
        + (f", PyTorch {torch_info['torch']}" if torch_info else f", {TORCH_MISSING}") + ".",
        f"- Threads: the lessons' Session uses `ConfigProto()` defaults, intra-op {session['intra']} and inter-op "
        f"{session['inter']} (0 lets TensorFlow use one thread per schedulable core: "
        f"{len(os.sched_getaffinity(0))} here), with op determinism on, as `--device cpu`/`auto` sets it; "
        "`train_model` runs each step as one `sess.run` on TensorFlow's thread pool; Keras: intra-op "
        + (f"{keras_info['intra']}, inter-op {keras_info['inter']}, determinism "
           f"{'on' if keras_info['determinism'] else 'off'}" if keras_info else "-")
        + (f"; PyTorch: `torch.get_num_threads()` = {torch_info['threads']}, interop {torch_info['interop_threads']} "
           "by default, and a second process with `torch.set_num_threads(1)`" if torch_info else "") + ".",
        f"- fp32 peak: {peak_how}. For scale, one 2048 × 2048 fp32 matrix product in a lesson's Session reached "
        f"{max(ceilings):.1f} GFLOP/s (the best of 10 products timed at the start of each round, best round"
        + (f", {100 * max(ceilings) * 1e9 / peak:.0f}% of that peak" if peak else "")
        + ("; round by round " + ", ".join(f"{value:.1f}" for value in ceilings)
           + ": the compute speed as each round began, which does not show other guests' load on memory "
           "and caches" if len(ceilings) > 1 else "") + ").",
        "- FLOPs per training sample: 3 × `graphinfo.forward_flops(graph)` (matrix products and convolutions "
        "only; a forward pass and two backward passes, though nothing needs the gradient of the input images, "
        "so this slightly overstates the work of the first layer).",
        f"- Work: {options.rounds} round(s); each round measures every implementation once on the same training "
        "work, in an order that rotates from round to round; each implementation runs in its own process "
        "(the bare loop shares the lesson's). Keras runs with its defaults (no XLA on a CPU: `jit_compile` "
        + ", ".join(f"{model} {data['extras'][('keras', model)]['jit_compile']}" for model in options.models
                     if ("keras", model) in data["extras"])
        + "; one step per execution) and `verbose=0`; the bare loop"
        + (" and PyTorch gather" if data["have_torch"] else " gathers")
        + " each batch from the epoch's permutation of the in-memory training set"
        + (f"; a PyTorch measurement stops after {TORCH_TIME_CAP:g} times the window." if data["have_torch"] else "."),
        f"- The machine is shared: load average {loads[0]:.2f} before and {loads[1]:.2f} after "
        f"(1 minute); 'cores used' is the measuring process's CPU time over the wall time, 'others' how many "
        f"cores other processes kept busy meanwhile (medians). The whole run took {elapsed / 60:.1f} minutes.",
    ]


def model_rows(data, model, peak, goals):
    """The throughput table's rows for `model`; records its goal ratios in `goals`."""
    setup, results, impls = data["setups"][model], data["results"], data["impls"]
    batch, flops = setup["settings"]["batch_size"], 3 * setup["forward_flops"]
    rates = {impl: [result["samples"] / result["seconds"] for result in results[(model, impl)]] for impl in impls}
    rows = []
    for impl in IMPLEMENTATIONS:
        label = LABELS[impl]
        lead = "" if rows else f"{model} (batch {batch}; {flops / 1e6:.2f} MFLOP per training sample)"
        if impl not in impls:
            text = TORCH_MISSING if impl.startswith("torch") and not data["have_torch"] else "not measured"
            rows.append(f"| {lead} | {label} | {text} | | | | | | |")
            continue
        runs, rate = results[(model, impl)], median(rates[impl])
        if any(result.get("capped") for result in runs):
            label += f" (stopped after {TORCH_TIME_CAP:g}× the window)"
        gflops = rate * flops / 1e9
        share = f"{100 * gflops * 1e9 / peak:.1f}%" if peak else "-"
        ratio_text = "-"
        if impl != "train_model" and "train_model" in rates:
            ratios = [a / b for a, b in zip(rates["train_model"], rates[impl])]
            goals[(model, impl)] = median(ratios)
            ratio_text = "**%s** (%s)" % ratios_text(ratios, 2)
        rows.append(f"| {lead} | {label} | {format_rate(rate)} | {1000 * batch / rate:.2f} | {gflops:.1f} "
                    f"| {share} | {median([r['own_cores'] for r in runs]):.2f} "
                    f"| {format_cores(median([r.get('others_cores') for r in runs]))} | {ratio_text} |")
    if "train_model" in rates:
        goals[(model, "peak")] = median(rates["train_model"]) * flops / peak if peak else None
    return rows


def epoch_row(data, model):
    """The lesson's own seconds per epoch (with evaluation, training, measuring) as a table row."""
    from benchmarks.reproduce import ARTICLE

    setup, runs = data["setups"][model], data["results"][(model, "train_model")]
    size, epochs = data["plans"][model]
    num_train = setup["num_train"]
    train_epoch, eval_epoch, whole_epoch = (median([r[key] / r["samples"] * num_train for r in runs])
                                            for key in ("seconds", "eval_seconds", "history_seconds"))
    how = (f"measured over {epochs} whole epoch(s)" if size == num_train
           else f"scaled from one epoch of {size:,} of the {num_train:,} images")
    article = ARTICLE.get(model, (None,) * 4)[3]
    return (f"| {model} | {whole_epoch:.2f} | {train_epoch:.2f} | {eval_epoch:.2f} "
            f"({100 * eval_epoch / whole_epoch:.0f}%) | {setup['settings']['test_size']:,} images "
            f"every {setup['settings']['how_often']} batches | {article or '-'} | {how} |")


def goals_table(data, models, goals):
    """The goals table: each goal's median per-round ratio per model, met or not."""
    results = data["results"]
    for model in models:  # against PyTorch, the faster of its two thread settings in each round
        torch_runs = [results[(model, impl)] for impl in ("torch", "torch_1thread") if (model, impl) in results]
        if torch_runs and (model, "train_model") in results:
            best = [max(r["samples"] / r["seconds"] for r in round_runs) for round_runs in zip(*torch_runs)]
            lesson = [r["samples"] / r["seconds"] for r in results[(model, "train_model")]]
            goals[(model, "best_torch")] = median([a / b for a, b in zip(lesson, best)])
    lines = ["| goal | " + " | ".join(models) + " |", "|---|" + "---|" * len(models)]
    for key, title, threshold in GOALS:
        cells = [TORCH_MISSING if goals.get((model, key)) is None and key == "best_torch" and not data["have_torch"]
                 else "-" if goals.get((model, key)) is None
                 else f"{goals[(model, key)]:.3f} {'met' if goals[(model, key)] >= threshold else 'NOT met'}"
                 for model in models]
        lines.append(f"| {title} | " + " | ".join(cells) + " |")
    cells = ["-" if goals.get((model, "peak")) is None
             else f"{100 * goals[(model, 'peak')]:.0f}% {'met' if goals[(model, 'peak')] >= 0.5 else 'NOT met'}"
             if model == "cnn" else f"{100 * goals[(model, 'peak')]:.0f}% (no goal)" for model in models]
    lines.append("| the CNN at >= 50% of the fp32 peak (`train_model`) | " + " | ".join(cells) + " |")
    return lines


def comparison_report(data, options, peak, peak_how, loads, elapsed):
    """Markdown lines: settings, the throughput table, the lesson's epoch timings and the goals; and the goals."""
    goals = {}
    lines = comparison_settings(data, options, peak, peak_how, loads, elapsed)
    lines += ["", f"| model | implementation | samples/s (median of {options.rounds}) | ms per step | GFLOP/s "
              "| % of fp32 peak | cores used | others | lesson's `train_model` ÷ this, per round |",
              "|---|---|---|---|---|---|---|---|---|"]
    for model in options.models:
        lines += model_rows(data, model, peak, goals)
    if "train_model" in data["impls"]:
        lines += ["", "The lesson's own timing of an epoch (what `python -m lessons.<name>` prints as s per epoch), "
                  "median over rounds:", "",
                  "| lesson | s/epoch with evaluation | training | measuring test accuracy (+ histograms) "
                  "| its accuracy checks | article's s/epoch | how |", "|---|---|---|---|---|---|---|",
                  *(epoch_row(data, model) for model in options.models)]
    lines += ["", "Goals (medians of the per-round ratios; against PyTorch, the faster of its two thread settings "
              "in each round):", "", *goals_table(data, options.models, goals)]
    return lines, goals


def levers_report(data, options, loads, elapsed):
    """Markdown lines: how the levers were measured, every measurement, each lever alone, and per-call costs."""
    results, setups, steps = data["results"], data["setups"], data["steps"]
    per_step = {key: [1e6 * r["seconds"] / r["steps"] for r in runs] for key, runs in results.items()}
    lines = [
        f"Measured {datetime.date.today()} by {command(options, levers=True)} on: "
        f"{data['infos']['default']['machine']}.",
        "",
        "Each measurement trains the lesson's own graph: the step variants over a copy of the training set "
        f"shuffled beforehand ({', '.join(f'{model} {count:,} steps' for model, count in steps.items())}), the two "
        f"data variants whole epochs with a new permutation each; {options.rounds} rounds, the measurements "
        "alternating in an order rotated each round. Thread and determinism settings are process-wide in "
        "TensorFlow, so each setting has its own process, whose Session is built the way `cli.session` builds the "
        "lessons' (threads in each process after setup: "
        + ", ".join(f"{name} {count}" for name, count in data["threads"].items())
        + f"). Load average {loads[0]:.2f} before and {loads[1]:.2f} after (1 minute); the run took "
        f"{elapsed / 60:.1f} minutes.",
        "",
        "| model | loop | Session settings | samples/s (median) | µs per step (median) | others (cores) |",
        "|---|---|---|---|---|---|",
    ]
    for (model, variant, worker), runs in results.items():
        lines.append(f"| {model} | {LOOP_TEXT[variant]} | {WORKER_TEXT[worker]} | "
                     f"{median([r['samples'] / r['seconds'] for r in runs]):,.0f} | "
                     f"{median(per_step[(model, variant, worker)]):,.0f} | "
                     f"{format_cores(median([r.get('others_cores') for r in runs]))} |")
    lines += ["", "Each lever alone: the change in time per step and the ratio of samples/s, taken within each round "
              "(median, then each round):", "",
              "| lever | µs per step | ratio of samples/s | per round |", "|---|---|---|---|"]
    for title, key, reference in lever_pairs(data["models"]):
        differences = [a - b for a, b in zip(per_step[key], per_step[reference])]
        ratios = [b / a for a, b in zip(per_step[key], per_step[reference])]
        lines.append(f"| {title} | {median(differences):+,.0f} | %s | %s |" % ratios_text(ratios))
    return lines + micro_table(data)


def micro_table(data):
    """Per-call costs in each worker process, and what the epoch's shuffled copy cost inside the loop."""
    micro, setups = data["micro"], data["setups"]
    batch = setups["fully_connected"]["settings"]["batch_size"]
    epoch_steps = -(-setups["fully_connected"]["num_train"] // batch)
    names = list(micro)
    lines = ["", f"Per-call costs without the model's arithmetic (a graph that only reads feeds shaped like the "
             f"fully connected model's, batch {batch}; best of 5, µs), in each process:", "",
             "| call | " + " | ".join(WORKER_TEXT[name] for name in names) + " |", "|---|" + "---|" * len(names)]
    for key, text in MICRO_TEXT:
        lines.append(f"| {text} | " + " | ".join(f"{micro[name][key]:.2f}" for name in names) + " |")
    lines.append(f"| the epoch's shuffled copy of the training set, alone, once per epoch (per step over "
                 f"{epoch_steps:,} steps) | " + " | ".join(f"{micro[name]['epoch_shuffle']:,.0f} "
                                                          f"({micro[name]['epoch_shuffle'] / epoch_steps:.1f})"
                                                          for name in names) + " |")
    for model in data["models"]:
        runs = data["results"].get((model, "epoch_copy", "default"))
        if runs:
            copy = median([r["copy_seconds_per_epoch"] for r in runs]) * 1e3
            lines.append(f"\nInside the training loop ({model}), the same shuffled copy took {copy:,.0f} ms per epoch "
                         f"(median): writing a new {setups[model]['train_megabytes']:,.0f} MB array each epoch is "
                         "slower there than alone.")
    return lines


def replace_between(text, markers, body):
    """`text` with what lies between `markers` replaced by `body` (markers kept); appended if absent."""
    start, end = markers
    block = f"{start}\n{body.strip()}\n{end}"
    if start in text and end in text:
        return text[:text.index(start)] + block + text[text.index(end) + len(end):]
    return text.rstrip("\n") + "\n\n" + block + "\n"


def write_results(path, markers, body):
    """Put `body` in its subsection of the throughput section of `path`, read fresh, keeping everything else."""
    path = Path(path)
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    if SECTION[0] not in text:
        skeleton = ("## Training throughput\n\n`python benchmarks/throughput.py` (comparison) and "
                    "`python benchmarks/throughput.py --levers` (the training loop's levers) write this section.\n\n"
                    f"### Against a bare loop, Keras and PyTorch\n\n{COMPARISON[0]}\n{COMPARISON[1]}\n\n"
                    f"### What each part of the training step costs\n\n{LEVERS[0]}\n{LEVERS[1]}")
        text = replace_between(text, SECTION, skeleton)
    section_start, section_end = text.index(SECTION[0]), text.index(SECTION[1])
    section = replace_between(text[section_start:section_end], markers, body)
    text = text[:section_start] + section + text[section_end:]
    write_text_atomically(path, text)
    print(f"Wrote {path}")
