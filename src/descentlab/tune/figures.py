"""The figures of a search, each hyperparameter on its own scale (matplotlib, kept as PNG bytes).

==============  =====================================================================  ===============
figure          what                                                                   file
==============  =====================================================================  ===============
history         every trial's score in order, ± its spread over seeds, best so far    history.png
parallel        parallel coordinates: one axis per hyperparameter, a line per trial  parallel.png
importance      fANOVA importance of each hyperparameter                             importance.png
slices          the score against each hyperparameter (slice plots)                  slices.png
curves          validation score per epoch of every trial (pruned ones grey)         curves.png
==============  =====================================================================  ===============

Scales: ``log_uniform`` and ``log_int`` on a log axis; ``one_minus_log_uniform`` (β)
on a log axis of 1 - β, labelled with β (0.9, 0.99, 0.999 equally spaced); ``uniform``
and ``int`` linear; a choice as evenly spaced categories.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from .. import plot
from ..experiments.space import Dimension

LABELS = {"val_cost": "validation cost", "val_accuracy": "validation accuracy"}


def draw(result: Any) -> None:
    """Draw every figure the result supports into ``result.figures`` (name -> PNG bytes)."""
    done = [t for t in result.trials if t["value"] is not None and math.isfinite(t["value"])]
    label = LABELS[result.options.objective]
    if not result.trials:
        return
    _add(result, "history.png", _history(result, label), f"Optimization history: the {label} of every trial "
         "in the order they were numbered (complete: dots with ± the spread over seeds; pruned: x at the last "
         "score reported), and the best so far")
    if len(done) >= 2:
        _add(result, "parallel.png", _parallel(result, done, label), "Parallel coordinates: one line per complete "
             "trial, each hyperparameter on its own scale, colored by the score (best in red)")
        _add(result, "slices.png", _slices(result, done, label), "Slice plots: the score against each "
             "hyperparameter on its own scale, colored by trial number")
    if result.importances:
        _add(result, "importance.png", _importance(result), f"Hyperparameter importance (fANOVA on the {len(done)} "
             "complete trials): the share of the score's variance each hyperparameter explains")
    if any(t["curve"]["epoch"] for t in result.trials):
        _add(result, "curves.png", _curves(result, label), f"The {label} reported during training (what the "
             "pruner sees): complete trials colored, pruned trials grey, the best trial red")


def _add(result: Any, name: str, fig: Any, caption: str) -> None:
    result.figures[name] = plot.to_png(fig)
    result.captions[name] = caption


def _value_limits(values: list[float]) -> tuple[float, float]:
    lo, hi = min(values), max(values)
    pad = 0.05 * (hi - lo) if hi > lo else 0.05 * max(abs(hi), 1e-12)
    return lo - pad, hi + pad


# --------------------------------------------------------------------------------------- scales
def position(d: Dimension, value: Any) -> float:
    """Where ``value`` sits on ``d``'s own scale, from 0 (low end) to 1 (high end)."""
    if d.kind == "choice":
        idx = [json.dumps(c) for c in d.choices].index(json.dumps(value))
        return idx / max(len(d.choices) - 1, 1)
    to = _to(d)
    a, b = to(d.low), to(d.high)
    return (to(value) - a) / (b - a)


def _to(d: Dimension) -> Any:
    if d.scale == "log":
        return math.log
    if d.scale == "one_minus_log":
        return lambda x: -math.log(1.0 - x)
    return float


def ticks(d: Dimension) -> tuple[list[float], list[str]]:
    """Tick positions (0..1 on ``d``'s scale) and their labels in ``d``'s own units."""
    if d.kind == "choice":
        n = len(d.choices)
        return [i / max(n - 1, 1) for i in range(n)], [_short(c) for c in d.choices]
    if d.scale == "log":
        values = [10.0 ** k for k in range(math.ceil(math.log10(d.low) - 1e-9), math.floor(math.log10(d.high) + 1e-9) + 1)]
    elif d.scale == "one_minus_log":
        values = [1 - 10.0 ** -k for k in range(math.ceil(-math.log10(1 - d.low) - 1e-9),
                                                math.floor(-math.log10(1 - d.high) + 1e-9) + 1)]
    else:
        values = list(np.linspace(d.low, d.high, 5))
    values = sorted({d.low, d.high, *values})
    if len(values) > 7:
        values = values[::math.ceil(len(values) / 6)] + [values[-1]]
    return [position(d, v) for v in values], [f"{v:.4g}" for v in values]


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= 18 else text[:16] + "…"


def _axis_label(d: Dimension) -> str:
    return {"log": f"{d.key} (log scale)", "one_minus_log": f"{d.key} (1 - {d.key} on a log scale)",
            "linear": d.key, "categorical": d.key}[d.scale]


# -------------------------------------------------------------------------------------- figures
def _history(result: Any, label: str) -> Any:
    fig = plot.new_figure((7.5, 4.2), pyplot=False)
    ax = fig.add_subplot()
    done = [t for t in result.trials if t["value"] is not None and math.isfinite(t["value"])]
    if done:
        ax.errorbar([t["number"] for t in done], [t["value"] for t in done],
                    yerr=[t["std"] or 0.0 for t in done], fmt="o", ms=4, color="#1a5fb4", ecolor="#9bb8e0",
                    label=f"complete ({len(done)})")
    pruned = [t for t in result.trials if t["state"] == "PRUNED" and t["last_reported"] is not None
              and math.isfinite(t["last_reported"])]
    if pruned:
        ax.scatter([t["number"] for t in pruned], [t["last_reported"] for t in pruned], marker="x", color="#888",
                   label=f"pruned ({len(pruned)})")
    maximize = result.options.direction == "maximize"
    ordered = sorted(done, key=lambda t: t["number"])
    if ordered:
        best = np.maximum.accumulate if maximize else np.minimum.accumulate
        ax.step([t["number"] for t in ordered], best([t["value"] for t in ordered]), where="post", color="#b3261e",
                label="best so far")
        values = [t["value"] for t in done] + [t["last_reported"] for t in pruned]
        if not maximize and min(values) > 0 and max(values) / min(values) > 20:
            ax.set_yscale("log")
    failed = sum(1 for t in result.trials if t["state"] == "FAIL" or (t["value"] is not None and not math.isfinite(t["value"])))
    ax.set_xlabel("trial number")
    ax.set_ylabel(label)
    ax.set_title(f"{result.study}: {len(result.trials)} trials" + (f" ({failed} failed or diverged, not shown)" if failed else ""))
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize="small")
    return fig


def _parallel(result: Any, done: list[dict[str, Any]], label: str) -> Any:
    from matplotlib import cm, colormaps, colors
    dims = list(result.space)
    n = len(dims) + 1
    fig = plot.new_figure((max(6.0, 1.9 * n), 4.4), pyplot=False)
    ax = fig.add_subplot()
    values = [t["value"] for t in done]
    lo, hi = _value_limits(values)
    norm = colors.Normalize(lo, hi)
    cmap = colormaps["viridis_r" if result.options.direction == "minimize" else "viridis"]
    best = result.best["number"] if result.best else None
    for t in sorted(done, key=lambda t: t["number"] == best):
        ys = [position(d, t["params"][d.key]) for d in dims] + [(t["value"] - lo) / (hi - lo)]
        is_best = t["number"] == best
        ax.plot(range(n), ys, color="#b3261e" if is_best else cmap(norm(t["value"])), lw=2.6 if is_best else 1.0,
                alpha=1.0 if is_best else 0.7, zorder=3 if is_best else 2)
    for i, d in enumerate(dims + [None]):
        ax.axvline(i, color="#444", lw=0.8)
        pos, labels = ticks(d) if d is not None else (list(np.linspace(0, 1, 5)), [f"{v:.4g}" for v in np.linspace(lo, hi, 5)])
        for p, text in zip(pos, labels):
            ax.text(i + 0.04, p, text, fontsize=7, va="center", ha="left", color="#222")
    ax.set_xticks(range(n), [_axis_label(d) for d in dims] + [label], fontsize=8, rotation=12)
    ax.set_yticks([])
    ax.set_xlim(-0.2, n - 0.5)
    ax.set_ylim(-0.05, 1.05)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    fig.colorbar(cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax, label=label, fraction=0.03, pad=0.01)
    return fig


def _slices(result: Any, done: list[dict[str, Any]], label: str) -> Any:
    from matplotlib import colormaps
    dims = list(result.space)
    cols = min(3, len(dims))
    rows = math.ceil(len(dims) / cols)
    fig = plot.new_figure((4.2 * cols, 3.3 * rows), pyplot=False)
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).reshape(-1)
    numbers = [t["number"] for t in done]
    for ax, d in zip(axes, dims):
        xs = [position(d, t["params"][d.key]) for t in done]
        jitter = np.random.default_rng(0).uniform(-0.02, 0.02, len(xs)) if d.kind == "choice" else 0.0
        sc = ax.scatter(np.asarray(xs) + jitter, [t["value"] for t in done], c=numbers, cmap=colormaps["viridis"], s=16)
        pos, labels = ticks(d)
        ax.set_xticks(pos, labels, fontsize=7, rotation=30 if d.kind == "choice" else 0)
        ax.set_xlim(-0.05, 1.05)
        ax.set_xlabel(_axis_label(d), fontsize=9)
        ax.set_ylabel(label, fontsize=9)
    for ax in axes[len(dims):]:
        ax.set_visible(False)
    fig.colorbar(sc, ax=list(axes[:len(dims)]), label="trial number", fraction=0.03, pad=0.02)
    return fig


def _importance(result: Any) -> Any:
    items = sorted(result.importances.items(), key=lambda kv: kv[1])
    fig = plot.new_figure((6.0, 0.5 + 0.45 * len(items)), pyplot=False)
    ax = fig.add_subplot()
    ax.barh([k for k, _ in items], [v for _, v in items], color="#1a5fb4")
    for i, (_, v) in enumerate(items):
        ax.text(v, i, f" {v:.2f}", va="center", fontsize=8)
    ax.set_xlim(0, max(1.0, max(v for _, v in items) * 1.15))
    ax.set_xlabel("importance (fANOVA, sums to 1)")
    fig.tight_layout()
    return fig


def _curves(result: Any, label: str) -> Any:
    fig = plot.new_figure((7.5, 4.2), pyplot=False)
    ax = fig.add_subplot()
    best = result.best["number"] if result.best else None
    for t in result.trials:
        c = t["curve"]
        vals = [v if v is not None and math.isfinite(v) else np.nan for v in c["value"]]
        if not c["epoch"] or t["number"] == best:
            continue
        grey = t["state"] != "COMPLETE"
        ax.plot(c["epoch"], vals, color="#aaa" if grey else "#1a5fb4", lw=0.8, alpha=0.6 if grey else 0.5)
    bt = next((t for t in result.trials if t["number"] == best), None)
    if bt is not None and bt["curve"]["epoch"]:
        ax.plot(bt["curve"]["epoch"], bt["curve"]["value"], color="#b3261e", lw=2, label=f"best (trial {best})")
        ax.legend(fontsize="small")
    finite = [v for t in result.trials for v in t["curve"]["value"] if v is not None and math.isfinite(v) and v > 0]
    if result.options.objective == "val_cost" and finite and max(finite) / min(finite) > 20:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel(label)
    ax.set_title(f"pruner: {result.options.pruner}; "
                 f"{sum(t['state'] == 'PRUNED' for t in result.trials)} trials pruned")
    return fig
