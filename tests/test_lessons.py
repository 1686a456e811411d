"""Every lesson: its header, its fast path as a learner runs it, and learning on real data."""
import importlib
import re
from pathlib import Path

import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

import lessons
from lessons.__main__ import main as lesson_index
from tfgraph import cli
from tests.helpers import run_python

ROOT = Path(__file__).resolve().parents[1]
TOP_SCOPES = {"input", "model", "cost", "train", "accuracy", "init", "global_step"}  # global_step: distributed
# tf_function's traced step: the tape's backward pass, the function's two outputs, its control dependencies.
TOP_SCOPES |= {"gradient_tape", "Identity", "Identity_1", "NoOp"}

# train_model's closing lines, in this order (the article's three, and the time split).
CLOSING = ["Finished training for 1 epoch\n", "Took ", " s per epoch)\n",
           "  training ", "measuring test accuracy ", "Final accuracy was 0."]
# What each lesson's --dry-run must print (in order), the PNGs it must save and the scalars it must log.
EXPECTED = {
    "multiplication": (["2.000000 x 3.000000 = 6.000000"], [], {"train": {"xy"}}),
    "linear_regression": (["Final Error is", "Predicting y =", "Actually is y = 2.00 x + 2.00"],
                          ["fit.png", "cost.png"], {"train": {"cost"}}),
    "multivariable_regression": (["Final Error is"], ["cost.png"], {"train": {"cost"}}),
    "logistic_regression": (["Epoch 1: test accuracy", "Final accuracy was"], ["accuracy.png"],
                            {"train": {"cost"}, "test": {"accuracy"}}),
    "fully_connected": (CLOSING,
                        ["accuracy.png"], {"train": {"cost", "accuracy"}, "test": {"accuracy"}}),
    "modern_net": (CLOSING,
                   ["accuracy.png"], {"train": {"cost", "accuracy"}, "test": {"accuracy"}}),
    "cnn": (CLOSING,
            ["accuracy.png"], {"train": {"cost", "accuracy"}, "test": {"accuracy"}}),
    "distributed": (["Finished training for 1 epoch", "Final accuracy was 0."], ["accuracy.png"],
                    {"train": {"cost"}, "test": {"accuracy"}}),
    "tf_function": (["Ops: "] + CLOSING,
                    ["accuracy.png"], {"train": {"cost", "accuracy"}, "test": {"accuracy", "final_accuracy"}}),
}


def run_lesson(name, *flags, capsys):
    """Run lesson `name` as `python -m lessons.<name> flags...` does; return (exit status, stdout, stderr).

    In this process through `cli.run`, the command line's own path; the distributed lesson, which
    starts processes of its own, runs as a command.
    """
    if name == "distributed":
        process = run_python("-m", f"lessons.{name}", *flags)
        return process.returncode, process.stdout, process.stderr
    try:
        cli.run(importlib.import_module(f"lessons.{name}").main, list(flags))
        status = 0
    except SystemExit as exit_info:
        status = exit_info.code
    out, err = capsys.readouterr()
    return status, out, err


def only_run_dir(logdir, name):
    runs = list((logdir / name).iterdir())
    assert len(runs) == 1, runs
    return runs[0]


@pytest.mark.parametrize("name", lessons.LESSONS)
def test_header_has_the_house_fields_and_the_command_that_runs_it(name):
    fields = lessons.header(name)
    assert list(fields)[:len(lessons.HEADER_FIELDS)] == list(lessons.HEADER_FIELDS)
    assert fields["Run"] == f"python -m lessons.{name}"


def test_index_lists_the_lessons_in_order(capsys):
    lesson_index()
    out = capsys.readouterr().out
    positions = [out.index(f". {name} -- ") for name in lessons.LESSONS]
    assert positions == sorted(positions)
    assert out.count("Expected:") == len(lessons.LESSONS)


@pytest.mark.parametrize("name", [pytest.param(name, marks=pytest.mark.slow) if name == "distributed" else name
                                  for name in lessons.LESSONS])
def test_dry_run_prints_saves_and_logs(name, tmp_path, capsys):
    lines, pngs, scalars = EXPECTED[name]
    status, out, err = run_lesson(name, "--dry-run", "--logdir", str(tmp_path), capsys=capsys)
    assert status == 0, err[-3000:]
    positions = [out.find(line) for line in lines]
    assert -1 not in positions and positions == sorted(positions), (lines, out[-2000:])
    assert "Traceback" not in err
    run_dir = only_run_dir(tmp_path, name)
    assert f"tensorboard --logdir {tmp_path / name}" in out
    for png in pngs:
        path = run_dir / png
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"Saved plot: {path}" in out
    for sub, tags in scalars.items():
        events = EventAccumulator(str(run_dir / sub))
        events.Reload()
        assert tags <= set(events.Tags()["scalars"]) | set(events.Tags()["tensors"]), (sub, events.Tags())  # TF2
    events = EventAccumulator(str(run_dir / "train"))
    events.Reload()
    top_level = {node.name.split("/")[0] for node in events.Graph().node}
    assert {"input", "model"} <= top_level <= TOP_SCOPES


def test_linear_regression_lands_near_the_article(tmp_path, capsys):
    from lessons import linear_regression
    w, b, costs = linear_regression.main(["--logdir", str(tmp_path)])
    assert abs(w - 1.52) < 0.1 and abs(b - 1.95) < 0.1
    assert costs[-1] < costs[0] / 10
    assert re.search(r"Predicting y = 1\.\d\d x \+ 1\.9\d", capsys.readouterr().out)


def test_multivariable_regression_fixes_the_data_cell(tmp_path):
    from lessons import multivariable_regression
    costs = multivariable_regression.main(["--logdir", str(tmp_path)])
    assert len(costs) == 1000
    assert 0.7 < costs[-1] < 1.3 < costs[0]  # down to about the noise's variance


def test_logistic_regression_learns_on_the_sample(tmp_path):
    from lessons import logistic_regression
    accuracies = logistic_regression.main(["--sample", "--epochs", "5", "--logdir", str(tmp_path)])
    assert len(accuracies) == 5
    assert accuracies[-1] > 0.80


def test_cnn_graph_has_the_articles_shapes():
    from lessons import cnn
    graph = cnn.build_graph(cnn.parse_args(["--dry-run"]))[0]
    shapes = {name: graph.get_tensor_by_name(f"model/{name}:0").shape.as_list() for name in (
        "conv1/Relu", "conv1/MaxPool2d", "conv2/Relu", "conv2/MaxPool2d", "conv3/Relu", "conv3/MaxPool2d",
        "dense/Reshape", "dense/Relu", "output/logits")}
    assert shapes == {
        "conv1/Relu": [None, 28, 28, 32], "conv1/MaxPool2d": [None, 14, 14, 32],
        "conv2/Relu": [None, 14, 14, 64], "conv2/MaxPool2d": [None, 7, 7, 64],
        "conv3/Relu": [None, 7, 7, 128], "conv3/MaxPool2d": [None, 4, 4, 128],
        "dense/Reshape": [None, 2048], "dense/Relu": [None, 625], "output/logits": [None, 10]}


def test_article_defects_are_kept_by_default_and_fixable():
    """The CNN flattens the undropped third block unless --block3-dropout; same for modern net's input."""
    from lessons import cnn, modern_net

    def reshape_input(graph):
        return graph.get_operation_by_name("model/dense/Reshape").inputs[0].op.name

    assert reshape_input(cnn.build_graph(cnn.parse_args([]))[0]) == "model/conv3/MaxPool2d"
    assert "dropout" in reshape_input(cnn.build_graph(cnn.parse_args(["--block3-dropout"]))[0])

    def first_matmul_input(graph):
        return graph.get_operation_by_name("model/hidden1/MatMul").inputs[0].op.name

    assert first_matmul_input(modern_net.build_graph(modern_net.parse_args([]))[0]) == "input/X"
    assert "dropout" in first_matmul_input(modern_net.build_graph(modern_net.parse_args(["--input-dropout"]))[0])


def test_same_seed_same_numbers_on_cpu(tmp_path):
    from lessons import modern_net
    flags = ["--dry-run", "--device", "cpu", "--logdir", str(tmp_path)]
    first = modern_net.main(flags)
    second = modern_net.main(flags)
    third = modern_net.main(flags + ["--seed", "1"])
    assert list(first) == list(second)
    assert list(first) != list(third)


def test_sample_caps_the_default_test_size():
    from lessons import fully_connected
    assert fully_connected.parse_args(["--sample"]).test_size == 1000
    assert fully_connected.parse_args([]).test_size == 10000


@pytest.mark.parametrize("name", lessons.LESSONS)
def test_graph_only_writes_the_graph_and_describes_it_without_data(name, tmp_path, capsys, monkeypatch):
    def no_data(*args, **kwargs):
        raise AssertionError("--graph-only must not load MNIST")

    monkeypatch.setattr(cli, "load_mnist", no_data)
    lesson = importlib.import_module(f"lessons.{name}")
    run = lesson.main(["--graph-only", "--logdir", str(tmp_path)])
    out = capsys.readouterr().out
    assert re.search(r"^total\s+[\d,]+$", out, re.M)
    assert f"tensorboard --logdir {tmp_path / name}" in out
    events = EventAccumulator(str(run.dir / "train"))
    events.Reload()
    assert {"input", "model"} <= {node.name.split("/")[0] for node in events.Graph().node}
    assert not (run.dir / "checkpoints").exists() and run.dir.name.endswith(",graph-only")
    if name == "cnn":
        assert re.search(r"^model/w4 +\[2048, 625\] +1,280,000$", out, re.M) and "1,378,698" in out
        assert "Estimated FLOPs per sample: 17,474,772 forward" in out  # 2*(28²·9·32 + 14²·9·32·64 + 7²·9·64·128 + 2048·625 + 625·10)


def test_trace_records_one_steps_run_metadata(tmp_path):
    from lessons import fully_connected
    fully_connected.main(["--dry-run", "--trace", "--logdir", str(tmp_path)])
    run_dir = only_run_dir(tmp_path, "fully_connected")
    events = EventAccumulator(str(run_dir / "train"))
    events.Reload()
    assert events.Tags()["run_metadata"] == ["step 100"]
    step_stats = events.RunMetadata("step 100").step_stats
    assert any(node.node_name.startswith("model/") for device in step_stats.dev_stats for node in device.node_stats)


@pytest.mark.parametrize("name", lessons.LESSONS)
def test_exercise_cell_names_the_checked_exercises_and_how_to_check_them(name):
    from lessons.exercises import EXERCISES

    source = (ROOT / "lessons" / f"{name}.py").read_text()
    cell = source[source.index("# ## Exercises"):]
    cell = cell[:cell.index("\n# %%\n")]
    checked = [exercise.name for exercise in EXERCISES if exercise.lesson == name]
    assert checked, f"{name} has no checked exercise"
    for exercise in checked:
        assert f"`{exercise}`" in cell
    assert f"python -m lessons.exercises start {checked[0]}" in cell
    assert f"python -m lessons.exercises check {checked[0]} {checked[0]}.py" in cell
