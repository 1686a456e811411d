"""PNG plots: written whole or not at all, without a display."""
import os

import pytest

from tfgraph import plotting
from tfgraph.errors import TfgraphError
from tfgraph.training import AccuracyHistory

PNG = b"\x89PNG\r\n\x1a\n"


def test_curves_and_fits_are_png_files(tmp_path):
    curve = plotting.plot_curve([3, 2, 1.5], tmp_path / "cost.png", xlabel="Epoch", ylabel="Cost")
    fit = plotting.plot_fit([0.0, 1.0], [1.0, 3.0], 2.0, 1.0, tmp_path / "fit.png")
    history = AccuracyHistory()
    for samples, accuracy in ((50, 0.5), (100, 0.95)):
        history.record(samples, accuracy)
    accuracy = plotting.plot_accuracies(history, tmp_path / "accuracy.png", ylim=(0.9, 1))
    for path in (curve, fit, accuracy):
        assert path.read_bytes()[:8] == PNG
    assert sorted(os.listdir(tmp_path)) == ["accuracy.png", "cost.png", "fit.png"]  # no temporary files


def test_unwritable_place_is_explained_and_leaves_nothing(tmp_path):
    missing = tmp_path / "missing" / "cost.png"
    with pytest.raises(TfgraphError, match="Cannot save the plot"):
        plotting.plot_curve([1, 2], missing, xlabel="x", ylabel="y")
    assert not missing.parent.exists()


def test_the_lowest_accuracy_stays_off_the_bottom_frame():
    assert plotting.accuracy_limits([0.95, 0.97], (0.9, 1)) == (0.9, 1)  # all inside: the article's zoom
    low, high = plotting.accuracy_limits([0.5, 0.95], (0.9, 1))
    assert high == 1 and low < 0.5 - 0.01
    low, _ = plotting.accuracy_limits([0.9, 0.95], (0.9, 1))
    assert low < 0.9  # a point exactly on the limit is lifted off the frame too
    assert plotting.accuracy_limits([], (0.9, 1)) == (0.9, 1)


def test_show_without_a_display_says_the_plot_was_saved(tmp_path, capsys, monkeypatch):
    import matplotlib

    monkeypatch.setattr(matplotlib, "get_backend", lambda: "agg")
    path = plotting.plot_curve([1, 2], tmp_path / "cost.png", xlabel="x", ylabel="y", show=True)
    assert path.read_bytes()[:8] == PNG
    assert f"No display to show the plot on (matplotlib's backend is agg); it is saved as {path}" in \
        capsys.readouterr().out


def test_plots_get_the_umasks_mode(tmp_path):
    previous = os.umask(0o002)
    try:
        path = plotting.plot_curve([1, 2], tmp_path / "cost.png", xlabel="x", ylabel="y")
    finally:
        os.umask(previous)
    assert path.stat().st_mode & 0o777 == 0o664
