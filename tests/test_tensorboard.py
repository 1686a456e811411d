"""The real TensorBoard server on logs a lesson wrote, and its dashboards rendered in headless Chromium.

Screenshots are kept in test-artifacts/ at the top of the repository (git ignores it)
so a failing run can be looked at. Chromium comes from Debian's `chromium` package,
which .ci/run installs; elsewhere the browser tests are skipped with that reason.
"""
import os
import urllib.parse
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from lessons import cnn
from scripts.tensorboard_tools import TensorBoardServer, chromium, screenshot

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A CNN dry run's logs, served by TensorBoard once it has loaded them."""
    logdir = tmp_path_factory.mktemp("logs")
    cnn.main(["--dry-run", "--logdir", str(logdir)])
    run = next((logdir / "cnn").iterdir()).name
    with TensorBoardServer(logdir) as server:
        server.wait_for("/data/runs", lambda runs: {f"cnn/{run}/train", f"cnn/{run}/test"} <= set(runs))
        yield server, f"cnn/{run}"


def quote(run):
    return urllib.parse.quote(run, safe="")


def test_graph_is_served_with_the_articles_scopes(served):
    server, run = served
    graph = server.get(f"/data/plugin/graphs/graph?run={quote(run + '/train')}").decode()
    names = {line.split('"')[1] for line in graph.splitlines() if line.strip().startswith("name:")}
    assert {name.split("/")[0] for name in names} == {"input", "model", "cost", "train", "accuracy", "init"}
    for scope in ("model/conv1/", "model/conv2/", "model/conv3/", "model/dense/", "model/output/"):
        assert any(name.startswith(scope) for name in names), scope


def test_scalars_histograms_and_images_are_served(served):
    server, run = served
    scalars = server.get_json("/data/plugin/scalars/tags")
    assert {"cost", "accuracy"} <= set(scalars[run + "/train"])
    assert {"accuracy", "final_accuracy"} <= set(scalars[run + "/test"])
    points = server.get_json(f"/data/plugin/scalars/scalars?run={quote(run + '/test')}&tag=accuracy")
    assert len(points) >= 2 and all(0 <= value <= 1 for _, _, value in points)
    histograms = server.get_json("/data/plugin/histograms/tags")[run + "/train"]
    for weight in ("w", "w2", "w3", "w4", "w_o"):
        assert f"weights/model/{weight}" in histograms and f"gradients/model/{weight}" in histograms
    images = {**server.get_json("/data/plugin/images/tags").get(run + "/train", {}),
              **server.get_json("/data/plugin/images/tags").get(run + "/test", {})}
    assert "conv1/filters" in images and "digits/inputs" in images
    assert any(tag.startswith("misclassified/") and "predicted" in tag and "true" in tag for tag in images)


def test_projector_and_hparams_are_served(served):
    server, run = served
    projector_runs = server.wait_for("/data/plugin/projector/runs", lambda runs: run + "/test" in runs)
    assert run + "/test" in projector_runs
    info = server.get_json(f"/data/plugin/projector/info?run={quote(run + '/test')}")
    embedding = info["embeddings"][0]
    assert embedding["tensorShape"] == [200, 625]  # the dense layer of the dry run's 200 test digits
    assert embedding["metadataPath"] == "metadata.tsv" and embedding["sprite"]["imagePath"] == "sprite.png"
    experiment = server.get_json("/data/plugin/hparams/experiment", {"experimentName": ""})
    hparams = {info["name"] for info in experiment["hparamInfos"]}
    assert {"learning_rate", "keep_conv", "keep_hidden", "seed", "batch_size"} <= hparams
    metrics = {info["name"]["tag"] for info in experiment["metricInfos"]}
    assert "final_accuracy" in metrics


def rendered_fraction(path, top=80):
    """The fraction of pixels below the header that differ from the page's background colour."""
    pixels = np.asarray(Image.open(path).convert("RGB"))[top:]
    colours, counts = np.unique(pixels.reshape(-1, 3), axis=0, return_counts=True)
    background = colours[np.argmax(counts)]
    return float(np.mean(np.any(pixels != background, axis=-1)))


@pytest.mark.parametrize("dashboard", ["graphs", "scalars"])
def test_dashboard_renders_in_headless_chromium(served, dashboard):
    if chromium() is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing on CI: .ci/run should have installed Debian's chromium")
        pytest.skip("Chromium is not installed (apt-get install chromium); CI installs it")
    server, run = served
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / f"tensorboard-{dashboard}.png"
    url = server.url + (f"#graphs&run={quote(run + '/train')}" if dashboard == "graphs" else "#scalars")
    screenshot(url, target)
    image = Image.open(target)
    assert image.size == (1400, 900)
    assert rendered_fraction(target) > 0.02, f"{target} looks blank"
    assert len(np.unique(np.asarray(image.convert("L")))) > 16, f"{target} has too few shades to be a dashboard"
