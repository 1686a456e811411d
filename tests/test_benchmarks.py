"""benchmarks/placements.py: the whole-run check that a step's placement changes no number."""
import numpy as np
import pytest

from benchmarks import placements
from tfgraph import denormals



@pytest.mark.needs_flushing
def test_placements_check_finds_identical_weights_on_the_sample(capsys, tmp_path):
    status = placements.main(["--lesson", "modern_net", "--epochs", "2", "--sample", "--logdir", str(tmp_path)])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "thread pool     final accuracy" in out and "calling thread  final accuracy" in out
    assert "steps ran in the calling thread" in out
    assert "Identical: every trained weight bit for bit equal across thread pool, calling thread." in out


@pytest.mark.needs_flushing
def test_placements_check_reports_a_difference_and_fails(capsys, tmp_path, monkeypatch):
    real_train = placements.train

    def train_then_nudge(lesson, module, lesson_args, data, placement):
        history, weights = real_train(lesson, module, lesson_args, data, placement)
        if placement == "calling thread":
            weights[0] = np.nextafter(weights[0], np.inf)  # one ulp: the smallest difference there is
        return history, weights

    monkeypatch.setattr(placements, "train", train_then_nudge)
    status = placements.main(["--lesson", "fully_connected", "--epochs", "1", "--sample", "--logdir", str(tmp_path)])
    out = capsys.readouterr().out
    assert status == 1
    assert "DIFFERENT weights:" in out and "calling thread vs thread pool: variable 0 differs in" in out


def test_placements_check_says_why_it_cannot_compare_where_denormals_cannot_be_flushed(capsys, monkeypatch):
    monkeypatch.setattr(denormals, "_LIBM", None)  # as on macOS or ARM
    assert placements.main(["--sample", "--epochs", "1"]) == 2
    assert "The calling thread cannot be compared on this machine" in capsys.readouterr().err
