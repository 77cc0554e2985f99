"""Figures for training runs: cost curves, decision boundaries, confusion matrices, image grids.

Every function draws on the matplotlib ``Axes`` you pass (``ax=``) and returns
it; without one it makes a new figure. matplotlib is imported only when a
function is called.

Backends: when you already use pyplot (a script that imported it) or work in
IPython/Jupyter, new figures come from pyplot with *your* backend, so they show inline or in
a window as usual. Otherwise a plain :class:`matplotlib.figure.Figure` is made,
which needs no backend at all and can be written to a file with
``fig.savefig(...)`` or :func:`to_png`; the backend is never changed. (If pyplot
has to be imported on a machine with no display and no backend was chosen,
Agg is selected.)

>>> import numpy as np
>>> from descentlab import plot
>>> ax = plot.cost_curves({"gd": [0.7, 0.5, 0.4], "adam": [0.7, 0.3, 0.1]})
>>> ax.get_ylabel()
'cost'
"""

from __future__ import annotations

import io
import math
import os
import sys
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from . import _checks as check

__all__ = ["cost_curves", "history_curves", "decision_boundary", "confusion_matrix", "image_grid",
           "confusion_counts", "coinciding", "new_figure", "to_png"]

_MAX_POINTS = 2000  # longest curve drawn point by point; longer ones are thinned (first and last kept)


# ----------------------------------------------------------------------------------------- figures
def _display_available() -> bool:
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _pyplot():
    """pyplot with the user's backend; Agg only when nothing was chosen and there is no display."""
    if "matplotlib.pyplot" not in sys.modules:
        import matplotlib
        chosen = getattr(matplotlib.rcParams, "_get_backend_or_none", lambda: "unknown")()
        in_ipython = "IPython" in sys.modules or "ipykernel" in sys.modules
        if chosen is None and not os.environ.get("MPLBACKEND") and not in_ipython and not _display_available():
            matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def new_figure(figsize: tuple[float, float] = (6.4, 4.8), *, pyplot: bool | None = None):
    """A new matplotlib Figure.

    ``pyplot=None`` (default) uses pyplot when it is already imported or when
    running in IPython/Jupyter (so the figure shows as usual), and a backend-free
    ``Figure`` otherwise; ``True`` forces
    pyplot, ``False`` a plain ``Figure`` (for files: no global state, nothing to close).
    """
    if pyplot is None:
        pyplot = "matplotlib.pyplot" in sys.modules or "ipykernel" in sys.modules or "IPython" in sys.modules
    use_pyplot = pyplot
    if use_pyplot:
        return _pyplot().figure(figsize=figsize)
    from matplotlib.figure import Figure
    return Figure(figsize=figsize)


def _axes(ax: Any, figsize: tuple[float, float] = (6.4, 4.8)):
    if ax is not None:
        return ax
    return new_figure(figsize).add_subplot()


def to_png(fig: Any, dpi: int = 100) -> bytes:
    """The figure (or the figure of an Axes) as PNG bytes."""
    fig = getattr(fig, "figure", fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    return buf.getvalue()


# ------------------------------------------------------------------------------------------ curves
def _series(value: Any, key: str) -> np.ndarray:
    """A 1-D float array (NaN for missing) from a History, a dict of lists or a sequence of numbers."""
    if hasattr(value, "history") and isinstance(getattr(value, "history"), dict):
        value = value.history
    if isinstance(value, Mapping):
        if key not in value:
            raise check.fail("key", key, f"one of the recorded keys {sorted(value)}")
        value = value[key]
    return np.array([np.nan if v is None else float(v) for v in value], dtype=np.float64)


def _thin(y: np.ndarray, x: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    x = np.arange(len(y)) if x is None else x
    if len(y) <= _MAX_POINTS:
        return x, y
    idx = np.unique(np.linspace(0, len(y) - 1, _MAX_POINTS).round().astype(np.int64))
    return x[idx], y[idx]


# Line widths by curve order, and a dashed style for a curve that coincides with an earlier one: a
# later curve is thinner, so one lying exactly on another stays visible (momentum on gd).
_WIDTHS = (2.8, 2.2, 1.8, 1.5, 1.3)
_COINCIDING = (0, (5, 3))

X_AXES = {"epoch": "epoch", "step": "optimizer steps (updates)", "seconds": "seconds of training"}


def _x_values(run: Any, n: int, x: str, steps_per_epoch: int | None) -> np.ndarray:
    """The x of a run's n epochs: the epoch, the steps done by its end, or the seconds trained by its end."""
    if x == "epoch":
        return np.arange(n, dtype=np.float64)
    if x == "step":
        if steps_per_epoch is None:
            raise check.fail("steps_per_epoch", steps_per_epoch, "the optimizer steps of one epoch for x='step'")
        return (np.arange(n, dtype=np.float64) + 1) * steps_per_epoch
    return np.cumsum(np.nan_to_num(_series(run, "time")[:n]))


def _plot_runs(ax: Any, runs: list, series: list[np.ndarray], label: str, *, x: str = "epoch",
               steps: int | None = None, style: dict | None = None, band: bool = True) -> Any:
    """One curve; several runs (seeds) are drawn as their mean with a min-max band (x of the first run)."""
    style = style or {}
    n = min(len(r) for r in series)
    xs = _x_values(runs[0], n, x, steps)
    if len(series) == 1:
        xx, yy = _thin(series[0][:n], xs)
        return ax.plot(xx, yy, label=label, **style)[0]
    stack = np.vstack([r[:n] for r in series])
    idx_x, mean = _thin(np.nanmean(stack, axis=0))
    line, = ax.plot(xs[idx_x], mean, label=f"{label} (mean of {len(series)})", **style)
    if band:
        ax.fill_between(xs[idx_x], np.nanmin(stack, axis=0)[idx_x], np.nanmax(stack, axis=0)[idx_x],
                        color=line.get_color(), alpha=0.2, linewidth=0)
    return line


def coinciding(curves: Mapping[str, Any], rtol: float = 2e-3) -> list[tuple[str, str, float]]:
    """Pairs of curves that lie on top of each other: (earlier, later, largest relative difference).

    Two curves coincide when, at every common epoch, they differ by at most ``rtol`` (0.2%)
    of the larger of the two values: closer than a line's width on any plot of them.
    """
    arrays = {k: np.asarray(v, dtype=np.float64) for k, v in curves.items()}
    names, out = list(arrays), []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            n = min(len(arrays[a]), len(arrays[b]))
            x, y = arrays[a][:n], arrays[b][:n]
            ok = np.isfinite(x) & np.isfinite(y)
            if not ok.any():
                continue
            scale = np.maximum(np.maximum(np.abs(x[ok]), np.abs(y[ok])), 1e-300)
            rel = float(np.max(np.abs(x[ok] - y[ok]) / scale))
            if rel <= rtol:
                out.append((a, b, rel))
    return out


def _runs_of(run: Any) -> list:
    if isinstance(run, (list, tuple)) and run and (hasattr(run[0], "history") or isinstance(run[0], Mapping)):
        return list(run)
    return [run]


def cost_curves(histories: Any, ax: Any = None, *, key: str = "cost", log: bool = False, title: str | None = None,
                xlabel: str | None = None, ylabel: str | None = None, x: str = "epoch",
                steps_per_epoch: Any = None, dashed: Sequence[str] = (), dashed_key: str = "cost",
                dashed_label: str = "{label}: {key}"):
    """Cost (or any recorded ``key``) against the epoch, the optimizer steps or the seconds; one curve per run.

    Args:
        histories: a dict ``{label: run}`` or a sequence of runs, where a run is a
            :class:`~descentlab.History`, a dict of lists, a sequence of numbers, or a
            list of Histories (several seeds: drawn as the mean with a min-max band).
        ax: the Axes to draw on (default: a new figure).
        key: the History key to plot.
        log: logarithmic y axis.
        x: "epoch", "step" (optimizer updates: give ``steps_per_epoch``, one int or
            ``{label: int}``; compare runs with different batch sizes per step) or "seconds"
            (the cumulative training time a History records: compare by cost in time).
        dashed: labels whose ``dashed_key`` series is drawn too, dashed, in the same colour
            (e.g. ``key="cost_data"`` with the L2 arm's total cost dashed), labelled
            ``dashed_label`` (``{label}`` and ``{key}`` are filled in).

    Curves are drawn thick-to-thin, so one lying exactly on another stays visible; such a
    curve is also dashed and the legend says which one it coincides with (:func:`coinciding`).

    Returns the Axes.
    """
    x = check.choice("x", x, X_AXES)
    if isinstance(histories, Mapping) and not _is_history_dict(histories):
        items = list(histories.items())
    elif hasattr(histories, "history") or _is_history_dict(histories):
        items = [(key, histories)]
    else:
        items = [(f"run {i}", h) for i, h in enumerate(histories)]
    ax = _axes(ax)
    series = {str(label): [_series(r, key) for r in _runs_of(run)] for label, run in items}
    same = {b: a for a, b, _ in coinciding({k: np.nanmean(np.vstack([s[:min(map(len, v))] for s in v]), axis=0)
                                            for k, v in series.items() if v and min(map(len, v))})}
    for i, (label, run) in enumerate(items):
        label = str(label)
        steps = steps_per_epoch.get(label) if isinstance(steps_per_epoch, Mapping) else steps_per_epoch
        shown = label + (f" (= {same[label]}: the curves coincide)" if label in same else "")
        style = {"linestyle": _COINCIDING if label in same else "-", "linewidth": _WIDTHS[min(i, len(_WIDTHS) - 1)]}
        line = _plot_runs(ax, _runs_of(run), series[label], shown, x=x, steps=steps, style=style)
        if label in dashed:
            _plot_runs(ax, _runs_of(run), [_series(r, dashed_key) for r in _runs_of(run)],
                       dashed_label.format(label=label, key=dashed_key.replace("_", " ")), x=x, steps=steps,
                       band=False, style={"linestyle": (0, (3, 2)), "linewidth": 1.3, "color": line.get_color()})
    if log:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel or X_AXES[x])
    ax.set_ylabel(ylabel or key.replace("_", " "))
    if title:
        ax.set_title(title)
    if items:
        ax.legend(fontsize="small")
    ax.grid(True, alpha=0.3)
    return ax


def _is_history_dict(value: Any) -> bool:
    return isinstance(value, Mapping) and "epoch" in value and "cost" in value and isinstance(value.get("cost"), list)


def history_curves(history: Any, ax: Any = None, keys: Sequence[str] = ("cost", "val_cost"), log: bool = False):
    """The keys of one :class:`~descentlab.History` (default cost and val_cost) against the epoch.

    Keys that were never recorded (all None) are skipped. Returns the Axes.
    """
    if isinstance(keys, str):
        keys = (keys,)
    ax = _axes(ax)
    drawn = 0
    for key in keys:
        y = _series(history, key)
        if y.size == 0 or np.all(np.isnan(y)):
            continue
        mask = ~np.isnan(y)
        x = np.arange(len(y))[mask]
        y = y[mask]
        if len(y) > _MAX_POINTS:
            idx = np.unique(np.linspace(0, len(y) - 1, _MAX_POINTS).round().astype(np.int64))
            x, y = x[idx], y[idx]
        ax.plot(x, y, label=key.replace("_", " "))
        drawn += 1
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel(", ".join(k.replace("_", " ") for k in keys) if len(keys) <= 2 else "value")
    if drawn:
        ax.legend(fontsize="small")
    ax.grid(True, alpha=0.3)
    return ax


# --------------------------------------------------------------------------------- decision boundary
def _predictor(model: Any) -> Callable[[np.ndarray], np.ndarray]:
    if callable(getattr(model, "predict", None)):
        return model.predict
    if callable(model):
        return model
    raise check.fail_type("model", model, "an object with predict(X) (a Network, an estimator) or a function X -> labels")


def decision_boundary(model: Any, X: Any, y: Any, ax: Any = None, *, resolution: int = 200, padding: float = 0.5,
                      title: str | None = None, class_names: Sequence[str] | None = None, cmap: str = "Spectral"):
    """The regions a 2-D classifier assigns to each class, with the points (X, y) on top.

    Args:
        model: a :class:`~descentlab.Network`, any object with ``predict(X)``, or a function
            ``X -> labels``; X rows are (x1, x2).
        X: points (m, 2); y: their labels (m,).
        resolution: grid points along each axis.
        padding: margin around the points.
    Returns the Axes.
    """
    X = check.features("X", X, 2)
    y = np.asarray(y).reshape(-1)
    check.same_length("X", X, "y", y)
    resolution = check.integer("resolution", resolution, low=2)
    predict = _predictor(model)
    x_min, x_max = X[:, 0].min() - padding, X[:, 0].max() + padding
    y_min, y_max = X[:, 1].min() - padding, X[:, 1].max() + padding
    xx, yy = np.meshgrid(np.linspace(x_min, x_max, resolution), np.linspace(y_min, y_max, resolution))
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    Z = np.asarray(predict(grid), dtype=np.float64).reshape(xx.shape)
    # one colour per class, the same in the regions and the points, even when one class fills the plane
    top = int(max(np.nanmax(Z), np.max(y), 1))
    ax = _axes(ax, (5, 4.5))
    ax.contourf(xx, yy, Z, levels=np.arange(-0.5, top + 1), cmap=cmap, alpha=0.6, vmin=0, vmax=top)
    scatter = ax.scatter(X[:, 0], X[:, 1], c=y, cmap=cmap, vmin=0, vmax=top, edgecolors="k", linewidths=0.4, s=18)
    if class_names is not None:
        handles, _ = scatter.legend_elements()
        ax.legend(handles, [str(c) for c in class_names][:len(handles)], fontsize="small", loc="best")
    ax.set_xlim(x_min, x_max)
    ax.set_ylim(y_min, y_max)
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    if title:
        ax.set_title(title)
    return ax


# ---------------------------------------------------------------------------------- confusion matrix
def confusion_counts(y_true: Any, y_pred: Any, n_classes: int | None = None) -> np.ndarray:
    """C[i, j] = number of examples of true class i predicted as class j."""
    t = np.asarray(y_true).reshape(-1).astype(np.int64)
    p = np.asarray(y_pred).reshape(-1).astype(np.int64)
    check.same_length("y_true", t, "y_pred", p)
    if t.size and (t.min() < 0 or p.min() < 0):
        raise check.fail("y_true", "negative labels", "class labels 0, 1, ..., C-1")
    n = n_classes if n_classes is not None else (int(max(t.max(initial=-1), p.max(initial=-1))) + 1)
    counts = np.zeros((n, n), np.int64)
    np.add.at(counts, (t, p), 1)
    return counts


def confusion_matrix(y_true: Any, y_pred: Any, class_names: Sequence[str] | None = None, ax: Any = None, *,
                     title: str | None = None, cmap: str = "Blues"):
    """A confusion matrix: rows are true classes, columns predicted ones; each cell shows its count.

    Returns the Axes.
    """
    n = len(class_names) if class_names is not None else None
    counts = confusion_counts(y_true, y_pred, n)
    n = counts.shape[0]
    names = [str(c) for c in class_names] if class_names is not None else [str(k) for k in range(n)]
    ax = _axes(ax, (1.2 + 0.6 * n, 1.0 + 0.55 * n))
    ax.imshow(counts, cmap=cmap, vmin=0)
    top = counts.max() if counts.size else 0
    for i in range(n):
        for j in range(n):
            ax.text(j, i, str(counts[i, j]), ha="center", va="center", fontsize="small",
                    color="white" if counts[i, j] > top / 2 else "black")
    ax.set_xticks(range(n), names)
    ax.set_yticks(range(n), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    total = int(counts.sum())
    correct = int(np.trace(counts))
    ax.set_title(title if title is not None else f"{correct}/{total} right ({correct / max(total, 1):.1%})")
    return ax


# -------------------------------------------------------------------------------------- image grids
def image_grid(images: Any, titles: Sequence[str] | None = None, *, image_shape: Sequence[int] | None = None,
               ncols: int = 6, size: float = 1.6, fig: Any = None, suptitle: str | None = None):
    """A grid of images with a title under each (e.g. "true 3 / predicted 5").

    Args:
        images: (n, H, W, 3) or (n, H, W) arrays, or flattened rows (n, H*W*C) with ``image_shape``;
            uint8 (0-255) or floats (0-1).
        titles: one string per image.
        ncols: images per row.
        fig: a Figure to draw into (default: a new one).
    Returns the Figure.
    """
    arr = np.asarray(images)
    if image_shape is not None:
        arr = arr.reshape((len(arr), *tuple(image_shape)))
    if arr.ndim not in (3, 4):
        raise check.fail("images", arr, "an array (n, H, W[, C]), or flattened rows with image_shape")
    n = len(arr)
    if titles is not None and len(titles) != n:
        raise check.fail("titles", f"{len(titles)} titles", f"one title per image ({n})")
    ncols = max(1, min(check.integer("ncols", ncols, low=1), max(n, 1)))
    nrows = max(1, math.ceil(n / ncols))
    if fig is None:
        fig = new_figure((size * ncols, (size + 0.35) * nrows + (0.4 if suptitle else 0)))
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).reshape(-1)
    for k, ax in enumerate(axes):
        ax.axis("off")
        if k >= n:
            continue
        img = arr[k]
        if img.dtype.kind == "f":
            img = np.clip(img, 0.0, 1.0)
        ax.imshow(img, cmap="gray" if img.ndim == 2 else None)
        if titles is not None:
            ax.set_title(str(titles[k]), fontsize="small")
    if suptitle:
        fig.suptitle(suptitle)
    return fig
