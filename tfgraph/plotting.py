"""PNG plots of what a lesson measured, shown in a window only when asked.

The article drew every plot inline in its notebook. Here each plot is saved as a
PNG beside the run's TensorBoard events (no display needed: figures are drawn with
matplotlib's Agg canvas, not pyplot), and also shown with pyplot when `show=True`
(`--show` on the lessons; in a notebook that draws it under the cell).
"""
from pathlib import Path

import numpy as np

from tfgraph.atomic import write_atomically
from tfgraph.errors import TfgraphError

#: matplotlib backends that draw no window: `--show` with them saves the plot only, and says so.
NO_WINDOW = {"agg", "pdf", "pgf", "ps", "svg", "cairo", "template"}


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
        write_atomically(path, lambda stream: figure.savefig(stream, format="png", dpi=100), binary=True)
    except OSError as error:
        if not path.parent.is_dir():
            raise TfgraphError(f"Cannot save the plot {path}: its folder {path.parent} is gone (deleted or moved "
                               "while the lesson ran). Start the run again.") from None
        raise TfgraphError(f"Cannot save the plot {path}: {error.strerror or error}. "
                           "Choose a folder you can write to with --logdir.") from None
    if show:
        import matplotlib
        import matplotlib.pyplot as plt

        if matplotlib.get_backend().lower() in NO_WINDOW:
            print(f"No display to show the plot on (matplotlib's backend is {matplotlib.get_backend()}); "
                  f"it is saved as {path}")
            plt.close(figure)
        else:
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


def accuracy_limits(accuracies, ylim):
    """The y range for `accuracies`: `ylim`, lowered to keep the lowest point visible and off the frame."""
    if ylim is None or not len(accuracies):
        return ylim
    low, high = min(min(accuracies), ylim[0]), max(max(accuracies), ylim[1])
    if min(accuracies) > ylim[0] + 0.01 * (high - low):
        return ylim  # the article zooms on [.9, 1] when every point is inside it
    return low - 0.03 * (high - low), ylim[1]


def plot_accuracies(accuracies, path, *, ylim=None, show=False):
    """Plot an `AccuracyHistory` against training samples seen and save it as a PNG (fully connected net)."""
    samples = getattr(accuracies, "samples", None)
    return plot_curve(accuracies, path, x=samples if samples else None, ylabel="Test accuracy",
                      xlabel="Training samples seen" if samples else "Measurement",
                      ylim=accuracy_limits(accuracies, ylim), show=show)
