"""PNG plots of what a lesson measured, shown in a window only when asked.

The article drew every plot inline in its notebook. Here each plot is saved as a
PNG beside the run's TensorBoard events (no display needed: figures are drawn with
matplotlib's Agg canvas, not pyplot), and also shown with pyplot when `show=True`
(`--show` on the lessons; in a notebook that draws it under the cell).
"""
import os
import tempfile
from pathlib import Path

import numpy as np

from tfgraph.errors import TfgraphError


def _new_figure(show):
    """A figure: pyplot's when it will be shown, a headless one otherwise."""
    if show:
        import matplotlib.pyplot as plt
        return plt.figure(figsize=(6, 4))
    from matplotlib.figure import Figure  # imported when a plot is made: --help stays fast

    return Figure(figsize=(6, 4))


def save_figure(figure, path, show=False):
    """Save `figure` as a PNG at `path` (complete or not at all), then show it if asked."""
    path = Path(path)
    figure.tight_layout()
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix="." + path.name, suffix=".tmp")
        with os.fdopen(handle, "wb") as stream:
            figure.savefig(stream, format="png", dpi=100)
        os.replace(temporary, path)
    except OSError as error:
        if "temporary" in locals() and os.path.exists(temporary):
            os.unlink(temporary)
        raise TfgraphError(f"Cannot save the plot {path}: {error.strerror or error}. "
                           "Choose a folder you can write to with --logdir.") from None
    if show:
        import matplotlib.pyplot as plt
        plt.show()
    return path


def plot_curve(values, path, *, ylabel, xlabel, x=None, title=None, ylim=None, show=False):
    """Plot one curve (costs per epoch, accuracies per measurement) and save it as a PNG."""
    figure = _new_figure(show)
    axes = figure.add_subplot()
    axes.plot(list(x) if x is not None else range(len(values)), list(values))
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    if title:
        axes.set_title(title)
    if ylim is not None:
        axes.set_ylim(*ylim)
    axes.grid(alpha=0.3)
    return save_figure(figure, path, show)


def plot_fit(x, y, weight, bias, path, *, show=False):
    """Scatter the data and draw the fitted line y = weight * x + bias, saved as a PNG (linear regression)."""
    x = np.asarray(x)
    figure = _new_figure(show)
    axes = figure.add_subplot()
    axes.scatter(x, y, s=6, alpha=0.5, label="data")
    axes.plot(x, weight * x + bias, color="C3", label=f"fit: y = {weight:.2f} x + {bias:.2f}")
    axes.set_xlabel("x")
    axes.set_ylabel("y")
    axes.legend()
    return save_figure(figure, path, show)


def plot_accuracies(accuracies, path, *, ylim=None, show=False):
    """Plot an `AccuracyHistory` against training samples seen and save it as a PNG (fully connected net)."""
    samples = getattr(accuracies, "samples", None)
    if ylim is not None and len(accuracies) and min(accuracies) < ylim[0]:
        ylim = (min(accuracies), ylim[1])  # the article zooms on [.9, 1]; keep early, low points visible
    return plot_curve(accuracies, path, x=samples if samples else None, ylabel="Test accuracy",
                      xlabel="Training samples seen" if samples else "Measurement", ylim=ylim, show=show)
