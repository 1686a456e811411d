"""benchmarks/throughput.py's plan and Markdown, on made-up numbers (nothing is timed, no TensorFlow)."""
import re
from pathlib import Path
from types import SimpleNamespace

from benchmarks import levers, report, throughput

ROOT = Path(__file__).resolve().parents[1]


def run(seconds, steps=100, samples=5000, **extra):
    """One made-up measurement."""
    return dict(seconds=seconds, steps=steps, samples=samples, own_cores=1.5, others_cores=0.25, **extra)


def test_every_lever_compares_two_measurements_of_the_same_plan():
    for models in (["fully_connected"], ["fully_connected", "modern_net", "cnn"]):
        plan = levers.lever_plan(models)
        assert len(plan) == len(set(plan))
        for title, key, reference in levers.lever_pairs(models):
            assert key in plan and reference in plan and key != reference, title
    fully_connected = {variant for model, variant, worker in levers.lever_plan(["fully_connected"])}
    assert fully_connected == set(levers.LOOP_TEXT)


def levers_data():
    """Made-up lever results: sess.run takes 2 s a round, everything else 1 s, except round 2's compiled 0.8 s."""
    models = ["fully_connected"]
    results = {key: [run(2.0 if key[1] == "feed_dict" else 1.0) for _ in range(3)] for key in levers.lever_plan(models)}
    results[("fully_connected", "compiled", "default")][1] = run(0.8)
    results[("fully_connected", "epoch_copy", "default")] = [run(1.0, copy_seconds_per_epoch=0.4)] * 3
    micro = {name: dict(dict.fromkeys([key for key, text in report.MICRO_TEXT], 1.5), epoch_shuffle=44_000.0)
             for name in levers.LEVER_WORKERS}
    setup = {"settings": {"batch_size": 50}, "num_train": 55_000, "train_megabytes": 175.0}
    return {"infos": {"default": {"machine": "a made-up machine"}}, "threads": {"default": 8}, "results": results,
            "micro": micro, "setups": {"fully_connected": setup}, "steps": {"fully_connected": 100}, "models": models}


def test_levers_report_gives_each_lever_its_median_and_rounds():
    options = SimpleNamespace(rounds=3, quick=False)
    lines = report.levers_report(levers_data(), options, (1.5, 4.25), 300.0)
    text = "\n".join(lines)
    assert "on: a made-up machine." in text and "Load average 1.50 before and 4.25 after" in text
    row = next(line for line in lines if line.startswith("| a compiled callable (`CompiledRun`) instead of `sess.run`"))
    # µs per step: sess.run 20,000; compiled 10,000, 8,000, 10,000 -> ratios 2, 2.5, 2.
    assert row.endswith("| -10,000 | 2.000 | 2.000, 2.500, 2.000 |")
    assert "| `CompiledRun([op])({X: x, Y: y})` | 1.50 | 1.50 | 1.50 | 1.50 |" in text
    assert "the same shuffled copy took 400 ms per epoch" in text


def comparison_data():
    """Made-up comparison results for the fully connected model: train_model 1.25x the bare loop each round."""
    train = [run(4.0, samples=50_000, eval_seconds=1.0, history_seconds=5.0) for _ in range(3)]
    bare = [run(5.0, samples=50_000) for _ in range(3)]
    setup = {"settings": {"batch_size": 50, "test_size": 10_000, "how_often": 100}, "num_train": 55_000,
             "forward_flops": 1_000_000}
    return {"infos": {"session": {"machine": "a made-up machine", "tensorflow": "2.21.0", "keras": "3",
                                  "intra": 0, "inter": 0}},
            "setups": {"fully_connected": setup}, "plans": {"fully_connected": (55_000, 1)}, "extras": {},
            "results": {("fully_connected", "train_model"): train, ("fully_connected", "bare"): bare},
            "impls": ["train_model", "bare"], "have_torch": False, "ceilings": [100.0, 110.0, 105.0]}


def test_comparison_report_gives_ratios_goals_and_epoch_times():
    options = SimpleNamespace(rounds=3, quick=True, models=["fully_connected"])
    lines, goals = report.comparison_report(comparison_data(), options, 200e9, "made up", (1.0, 2.0), 60.0)
    text = "\n".join(lines)
    assert goals[("fully_connected", "bare")] == 1.25
    assert "| `train_model` >= 0.95 × the bare Session loop | 1.250 met |" in text
    assert "**1.25** (1.25, 1.25, 1.25)" in text
    assert "110.0 GFLOP/s" in text and "round by round 100.0, 110.0, 105.0" in text
    # 12,500 samples/s at 3 MFLOP each: 37.5 GFLOP/s, 18.8% of 200 GFLOP/s.
    assert re.search(r"\| lesson's `train_model` \| 12,500 \| 4\.00 \| 37\.5 \| 18\.8% \|", text)
    assert "| fully_connected | 5.50 | 4.40 | 1.10 (20%) |" in text
    assert "Keras 3 `model.fit` | not measured" in text


def test_write_results_replaces_only_its_marked_section(tmp_path):
    path = tmp_path / "results.md"
    write = report.write_results
    write(path, report.LEVERS, "first levers")
    text = path.read_text()
    assert text.startswith("# Benchmark results") and report.COMPARISON[0] in text and "first levers" in text
    kept = text.replace(report.LEVERS[1], report.LEVERS[1] + "\n\nA paragraph of ours.") \
        + "\n## Someone else's section\n<!-- other: start -->\nkept\n<!-- other: end -->\n"
    path.write_text(kept)
    write(path, report.LEVERS, "second levers")
    write(path, report.COMPARISON, "the comparison")
    text = path.read_text()
    assert "first levers" not in text and "second levers" in text and "the comparison" in text
    assert "A paragraph of ours." in text and "<!-- other: start -->\nkept\n<!-- other: end -->" in text
    assert not list(tmp_path.glob(".*.tmp"))


def test_command_line_defaults():
    assert throughput.parse_args(["--levers"]).rounds == 5
    quick = throughput.parse_args(["--quick"])
    assert (quick.rounds, quick.seconds, quick.out) == (1, 1.5, None)
    assert throughput.parse_args([]).out.endswith("benchmarks/results.md")


def test_a_benchmark_rewrites_only_its_own_section(tmp_path):
    from benchmarks.sections import write_section

    path = tmp_path / "results.md"
    write_section("one.py", ["first"], path)
    path.write_text(path.read_text() + "\nA paragraph of ours.\n")
    write_section("two.py", ["other"], path)
    write_section("one.py", ["second", "lines"], path)
    text = path.read_text()
    assert text.startswith("# Benchmark results")
    assert "<!-- one.py: start -->\nsecond\nlines\n<!-- one.py: end -->" in text and "first" not in text
    assert "A paragraph of ours." in text and "<!-- two.py: start -->\nother\n<!-- two.py: end -->" in text
    assert not list(tmp_path.glob(".*.tmp"))
