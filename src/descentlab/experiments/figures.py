"""The figures of an experiment, drawn on backend-free matplotlib Figures and kept as PNG bytes.

=============  ===========================================================  ==========================
figure         what                                                          file
=============  ===========================================================  ==========================
cost           cost curves of every arm on one plot (mean + band for seeds)  cost.png
boundary       decision boundaries of every arm, side by side (2-D data)     boundaries.png
confusion      confusion matrix on the test set, per arm                     confusion-<arm>.png
misclassified  a few misclassified test images, per arm                      misclassified-<arm>.png
differences    per-parameter gradient-check differences (log scale)         differences.png
=============  ===========================================================  ==========================
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import plot
from .records import ExperimentResult, slug
from . import search_views

MAX_MISCLASSIFIED = 12


def _unique(result: ExperimentResult, name: str) -> str:
    if name not in result.figures:
        return name
    stem, ext = name.rsplit(".", 1)
    k = 2
    while f"{stem}-{k}.{ext}" in result.figures:
        k += 1
    return f"{stem}-{k}.{ext}"


def _add(result: ExperimentResult, name: str, fig: Any, caption: str) -> None:
    name = _unique(result, name)
    result.figures[name] = plot.to_png(fig)
    result.captions[name] = caption


def draw(result: ExperimentResult, ds: Any) -> None:
    """Draw the figures the experiment asks for into ``result.figures`` (file name -> PNG bytes)."""
    exp = result.experiment
    wanted = set(exp.figures)
    if exp.kind == "gradcheck":
        if "differences" in wanted or not wanted:
            _differences(result)
        return
    if exp.kind == "search":
        _add(result, *search_views.figure(result))
        return
    if "cost" in wanted:
        _cost(result)
    if "boundary" in wanted and ds is not None and ds.n_features == 2:
        _boundaries(result, ds)
    has_test = ds is not None and ds.X_test is not None
    for a in result.arms:
        net = a.first.net
        if net is None or net.output == "linear":
            continue
        X, y, split = (ds.X_test, ds.y_test, "test") if has_test else (ds.X_train, ds.y_train, "training")
        if not ({"confusion", "misclassified"} & wanted):
            continue
        pred = np.asarray(net.predict(X)).reshape(-1).astype(np.int64)
        names = ds.class_names or None
        if "confusion" in wanted:
            counts = plot.confusion_counts(y, pred, len(names) if names else None)
            a.first.extra[f"confusion_{split}"] = counts.tolist()
            fig = plot.new_figure((5.2, 4.6), pyplot=False)
            ax = fig.add_subplot()
            plot.confusion_matrix(y, pred, names, ax=ax)
            right = int(np.trace(counts))
            ax.set_title(f"{a.name}: {split} set, {right}/{len(y)} right")
            _add(result, f"confusion-{slug(a.name)}.png", fig,
                 f"{a.name}: confusion matrix on the {split} set (rows: true class, columns: predicted)")
        if "misclassified" in wanted and ds.image_shape is not None:
            wrong = np.flatnonzero(pred != y)
            a.first.extra[f"misclassified_{split}"] = [int(i) for i in wrong]
            if wrong.size:
                shown = wrong[:MAX_MISCLASSIFIED]
                label = (lambda k: names[k]) if names else str
                titles = [f"#{i}: true {label(int(y[i]))}, said {label(int(pred[i]))}" for i in shown]
                fig = plot.new_figure((9.6, 1.95 * int(np.ceil(len(shown) / 6))), pyplot=False)
                plot.image_grid(X[shown], titles, image_shape=ds.image_shape, ncols=6, fig=fig)
                _add(result, f"misclassified-{slug(a.name)}.png", fig,
                     f"{a.name}: {len(shown)} of the {wrong.size} misclassified {split} images")


def _cost(result: ExperimentResult) -> None:
    exp = result.experiment
    fig = plot.new_figure((7.5, 4.5), pyplot=False)
    ax = fig.add_subplot()
    runs = {a.name: [r.history for r in a.runs if r.history is not None] for a in result.arms}
    runs = {k: (v if len(v) > 1 else v[0]) for k, v in runs.items() if v}
    plot.cost_curves(runs, ax=ax, log=exp.log_cost, title=f"{exp.name}: training cost per epoch")
    band = f" (mean of {result.seeds} seeds, band: min to max)" if result.seeds > 1 else ""
    _add(result, "cost.png", fig, f"Cost curves of every arm{band}" + (", log scale" if exp.log_cost else ""))


def _boundaries(result: ExperimentResult, ds: Any) -> None:
    arms = [a for a in result.arms if a.first.net is not None and a.first.net.output != "linear"]
    if not arms:
        return
    n = len(arms)
    fig = plot.new_figure((4.2 * n, 4.0), pyplot=False)
    axes = np.atleast_1d(fig.subplots(1, n, squeeze=False)).reshape(-1)
    for ax, a in zip(axes, arms):
        acc = a.first.train_accuracy
        title = a.name + (f" (train {acc:.3f})" if acc is not None else "")
        plot.decision_boundary(a.first.net, ds.X_train, ds.y_train, ax=ax, title=title, resolution=150)
    fig.tight_layout()
    _add(result, "boundaries.png", fig, "Decision boundaries on the training set (seed of the course)")


def _differences(result: ExperimentResult) -> None:
    fig = plot.new_figure((7.0, 3.8), pyplot=False)
    ax = fig.add_subplot()
    arms = result.arms
    names = list(arms[0].first.extra["per_parameter"])
    width = 0.8 / max(len(arms), 1)
    x = np.arange(len(names))
    for k, a in enumerate(arms):
        diffs = [max(a.first.extra["per_parameter"][p], 1e-16) for p in names]
        ax.bar(x + (k - (len(arms) - 1) / 2) * width, diffs, width, label=a.name)
    threshold = arms[0].first.extra["threshold"]
    ax.axhline(threshold, color="k", linestyle="--", linewidth=1, label=f"threshold {threshold:g}")
    ax.set_yscale("log")
    ax.set_xticks(x, names)
    ax.set_ylabel("relative difference")
    ax.set_title("backprop vs central differences, per parameter")
    ax.legend(fontsize="small")
    _add(result, "differences.png", fig, "Relative difference ||g - g̃|| / (||g|| + ||g̃||) of each parameter")
