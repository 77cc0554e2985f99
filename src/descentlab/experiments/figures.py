"""The figures of an experiment, drawn on backend-free matplotlib Figures and kept as PNG bytes.

=============  ===========================================================  ==========================
figure         what                                                          file
=============  ===========================================================  ==========================
cost           cost curves of every arm on one plot (mean + band for seeds)  cost.png
               (with L2 in an arm: the data term, and the total dashed);
               arms with different steps per epoch: also against the         cost-steps-seconds.png
               optimizer steps and the seconds
               with a test set: training vs test cost, one panel per arm     train-test.png
boundary       decision boundaries of every arm, side by side (2-D data)     boundaries.png
confusion      confusion matrices on the test set, every arm side by side    confusion.png
misclassified  a few misclassified test images, per arm                      misclassified-<arm>.png
differences    per-parameter gradient-check differences (log scale)         differences.png
=============  ===========================================================  ==========================

Figures are PNGs at :data:`DPI` dots per inch (sharp on a projector and on high-density
screens); the report shows them at 100 per inch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import plot
from . import search_views
from .records import ExperimentResult

MAX_MISCLASSIFIED = 12
DPI = 200  # the report shows 100 pixels per inch: every figure is drawn at twice its displayed size


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
    result.figures[name] = plot.to_png(fig, dpi=DPI)
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
        _steps_and_seconds(result, ds)
        _train_test(result)
    if "boundary" in wanted and ds is not None and ds.n_features == 2:
        _boundaries(result, ds)
    if "confusion" in wanted:
        _confusions(result, ds)
    if "misclassified" in wanted and ds is not None and ds.image_shape is not None:
        for a in result.arms:
            if a.first.net is not None and a.first.net.output != "linear":
                _misclassified(result, a, ds)


def _evaluation_split(ds: Any) -> tuple[np.ndarray, np.ndarray, str]:
    return (ds.X_test, ds.y_test, "test") if ds.X_test is not None else (ds.X_train, ds.y_train, "training")


def _confusions(result: ExperimentResult, ds: Any) -> None:
    """Every classifier arm's confusion matrix, side by side in one figure."""
    arms = [a for a in result.arms if a.first.net is not None and a.first.net.output != "linear"]
    if not arms or ds is None:
        return
    X, y, split = _evaluation_split(ds)
    names = ds.class_names or None
    side = 1.6 + 0.55 * (len(names) if names else 2)
    fig = plot.new_figure((side * len(arms) + 0.4, side), pyplot=False)
    axes = np.atleast_1d(fig.subplots(1, len(arms), squeeze=False)).reshape(-1)
    for ax, a in zip(axes, arms):
        pred = np.asarray(a.first.net.predict(X)).reshape(-1).astype(np.int64)
        counts = plot.confusion_counts(y, pred, len(names) if names else None)
        a.first.extra[f"confusion_{split}"] = counts.tolist()
        plot.confusion_matrix(y, pred, names, ax=ax, title=f"{a.name}: {int(np.trace(counts))}/{len(y)} right")
    fig.tight_layout()
    _add(result, "confusion.png", fig, (f"Confusion matrices on the {split} set, every arm side by side"
                                        if len(arms) > 1 else f"Confusion matrix on the {split} set")
         + " (rows: true class, columns: predicted)")


def _misclassified(result: ExperimentResult, a: Any, ds: Any) -> None:
    X, y, split = _evaluation_split(ds)
    names = ds.class_names or None
    pred = np.asarray(a.first.net.predict(X)).reshape(-1).astype(np.int64)
    wrong = np.flatnonzero(pred != y)
    a.first.extra[f"misclassified_{split}"] = [int(i) for i in wrong]
    if not wrong.size:
        return
    shown = wrong[:MAX_MISCLASSIFIED]
    label = (lambda k: names[k]) if names else str
    titles = [f"#{i}: true {label(int(y[i]))}, said {label(int(pred[i]))}" for i in shown]
    fig = plot.new_figure((9.6, 1.95 * int(np.ceil(len(shown) / 6))), pyplot=False)
    plot.image_grid(X[shown], titles, image_shape=ds.image_shape, ncols=6, fig=fig)
    _add(result, f"misclassified-{result.arm_slug(a.name)}.png", fig,
         f"{a.name}: {len(shown)} of the {wrong.size} misclassified {split} images")


def _histories(result: ExperimentResult) -> dict[str, Any]:
    """arm name -> its History, or the list of its seeds' Histories."""
    runs = {a.name: [r.history for r in a.runs if r.history is not None] for a in result.arms}
    return {k: (v if len(v) > 1 else v[0]) for k, v in runs.items() if v}


def _l2_arms(result: ExperimentResult) -> list[str]:
    return [a.name for a in result.arms if (a.config.get("l2") or 0) > 0]


def _cost(result: ExperimentResult) -> None:
    exp = result.experiment
    fig = plot.new_figure((7.5, 4.5), pyplot=False)
    ax = fig.add_subplot()
    runs, l2 = _histories(result), _l2_arms(result)
    key = "cost_data" if l2 else "cost"
    plot.cost_curves(runs, ax=ax, key=key, log=exp.log_cost, dashed=l2, dashed_key="cost",
                     dashed_label="{label}: total, with the L2 term", title=f"{exp.name}: training cost per epoch",
                     ylabel="cost (data term)" if l2 else "cost")
    band = f" (mean of {result.seeds} seeds, band: min to max)" if result.seeds > 1 else ""
    caption = f"Cost curves of every arm{band}" + (", log scale" if exp.log_cost else "")
    if l2:
        caption += (f". With L2 ({', '.join(l2)}) the solid line is the data term, comparable with the other arms; "
                    "the dashed line adds the L2 term (what that arm minimizes)")
    same = _coinciding(runs, key)
    if same:
        caption += ". " + "; ".join(f"{b}'s curve lies on {a}'s (they never differ by more than {100 * d:.2g}%): "
                                    "it is drawn thinner and dashed on top" for a, b, d in same)
    _add(result, "cost.png", fig, caption)


def _coinciding(runs: dict[str, Any], key: str) -> list[tuple[str, str, float]]:
    first = {k: (v[0] if isinstance(v, list) else v)[key] for k, v in runs.items()}
    return plot.coinciding({k: [np.nan if c is None else c for c in v] for k, v in first.items()})


def steps_per_epoch(cfg: dict[str, Any], m: int) -> int:
    """Optimizer steps in one epoch of m examples: ceil(m / batch), 1 for full batch."""
    batch = cfg.get("batch_size")
    return 1 if not batch or batch >= m else -(-m // batch)


def _steps_and_seconds(result: ExperimentResult, ds: Any) -> None:
    """When the arms take different numbers of steps per epoch, epochs compare them unfairly: cost per step and
    per second of training say more."""
    if ds is None:
        return
    steps = {a.name: steps_per_epoch(a.config, len(ds.X_train)) for a in result.arms}
    if len(set(steps.values())) < 2:
        return
    fig = plot.new_figure((11.0, 4.2), pyplot=False)
    axes = fig.subplots(1, 2)
    runs, l2 = _histories(result), _l2_arms(result)
    key = "cost_data" if l2 else "cost"
    plot.cost_curves(runs, ax=axes[0], key=key, x="step", steps_per_epoch=steps, log=result.experiment.log_cost,
                     title="cost per optimizer step")
    plot.cost_curves(runs, ax=axes[1], key=key, x="seconds", log=result.experiment.log_cost,
                     title="cost per second of training")
    for ax in axes:  # a full-batch run takes few steps and little time: only a log axis shows every arm
        ax.set_xscale("log")
    fig.tight_layout()
    per = ", ".join(f"{k} {v}" for k, v in steps.items())
    _add(result, "cost-steps-seconds.png", fig,
         f"The arms take different numbers of optimizer steps per epoch ({per}), so per epoch the comparison is "
         "unfair: left, the cost against the steps taken; right, against the seconds of training (the first "
         "seed's run), the cost that matters in practice (both on log scales)")


def _train_test(result: ExperimentResult) -> None:
    """Training cost (data term) against test cost, one panel per arm: overfitting is the gap."""
    runs = _histories(result)
    first = {k: (v[0] if isinstance(v, list) else v) for k, v in runs.items()}
    arms = [k for k, h in first.items() if any(c is not None for c in h["val_cost"])]
    if not arms:
        return
    cols = min(len(arms), 4)
    rows = -(-len(arms) // cols)
    fig = plot.new_figure((3.6 * cols + 0.4, 3.2 * rows), pyplot=False)
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False, sharey=True)).reshape(-1)
    for ax, name in zip(axes, arms):
        h = first[name]
        plot.history_curves(h, ax=ax, keys=("cost_data", "val_cost"), log=result.experiment.log_cost)
        for line, text, width, style in zip(ax.get_lines(), ("training", "test"), (2.6, 1.4), ("-", (0, (4, 2)))):
            line.set_label(text)
            line.set_linewidth(width)
            line.set_linestyle(style)
        ax.legend(fontsize="small")
        ax.set_title(name)
        ax.set_ylabel("cost (data term)")
        ax.locator_params(axis="x", nbins=4)  # 30000 epochs: tick labels that do not run together
    for ax in axes[len(arms):]:
        ax.axis("off")
    fig.tight_layout()
    _add(result, "train-test.png", fig,
         "Training cost (data term, on the batches as trained) and test-set cost during training, per arm"
         + (" (the first seed's run)" if result.seeds > 1 else "") + ". The test set is only watched, never used "
         "to choose anything; the gap between the curves is the overfitting that regularization narrows")


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
    seed = arms[0].first.seed
    which = f"the course's seed, {seed}" if result.experiment.source == "preset" else f"seed {seed}"
    _add(result, "boundaries.png", fig, f"Decision boundaries on the training set ({which})")


def _differences(result: ExperimentResult) -> None:
    fig = plot.new_figure((7.0, 3.8), pyplot=False)
    ax = fig.add_subplot()
    arms = [a for a in result.arms if "per_parameter" in a.first.extra]  # the course's check reports one number
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
