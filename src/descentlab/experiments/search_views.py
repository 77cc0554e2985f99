"""What a search experiment shows: its summary per arm, its table rows and its figure.

Read from the records of :mod:`.searches` (``run.extra["searches"]``); nothing here
runs anything. The table and the HTML report render the rows with their own layout.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass
class SearchSummary:
    """The searches of one arm over every seed: the best value each reached and what each tried."""

    name: str
    important: str
    trials: int
    bests: list[float]
    distinct: dict[str, list[int]]
    points: list[list[dict[str, Any]]]

    @property
    def mean(self) -> float:
        return float(np.mean(self.bests))

    @property
    def std(self) -> float:
        return float(np.std(self.bests))

    def distinct_range(self, key: str) -> str:
        lo, hi = min(self.distinct[key]), max(self.distinct[key])
        return str(lo) if lo == hi else f"{lo}-{hi}"


def summarize(arm: Any) -> SearchSummary:
    """The :class:`SearchSummary` of an arm result of kind "search"."""
    searches = [s for run in arm.runs for s in run.extra["searches"]]
    first = arm.runs[0].extra
    keys = list(searches[0]["distinct"])
    return SearchSummary(arm.name, first["important"], first["trials_per_search"],
                         [s["best"]["val_cost"] for s in searches],
                         {k: [s["distinct"][k] for s in searches] for k in keys},
                         [s["trials"] for s in searches])


def rows(result: Any) -> tuple[list[str], list[list[str]]]:
    """Header and rows (plain text) of a search experiment's table."""
    summaries = [summarize(a) for a in result.arms]
    keys = list(summaries[0].distinct)
    head = ["arm", "trials per search", "searches"] + [f"distinct {k}" for k in keys] + [
        "best validation cost (mean ± std)", "best of all", "time"]
    out = []
    for s, a in zip(summaries, result.arms):
        out.append([s.name, str(s.trials), str(len(s.bests))] + [s.distinct_range(k) for k in keys] +
                   [f"{s.mean:.4f} ± {s.std:.4f}", f"{min(s.bests):.4f}", f"{sum(r.seconds for r in a.runs):.1f}s"])
    return head, out


def main_effects(points: list[dict[str, Any]], keys: list[str]) -> dict[str, float]:
    """Share of the variation of a grid's validation costs explained by each hyperparameter's main effect.

    For each key: the variance, over that key's grid levels, of the mean cost at each level; the
    shares are these variances divided by their sum (a two-way analysis of variance without
    the interaction). Only meaningful for a full grid.
    """
    finite = [p for p in points if p["val_cost"] is not None]
    effects = {}
    for k in keys:
        levels = sorted({repr(p["params"][k]) for p in finite})
        means = [np.mean([p["val_cost"] for p in finite if repr(p["params"][k]) == lv]) for lv in levels]
        effects[k] = float(np.var(means))
    total = sum(effects.values()) or 1.0
    return {k: v / total for k, v in effects.items()}


def figure(result: Any) -> tuple[str, Any, str]:
    """(file name, Figure, caption): what each method tried, on the hyperparameters' own scales."""
    from ..plot import new_figure
    summaries = {s.name: s for s in (summarize(a) for a in result.arms)}
    keys = list(next(iter(summaries.values())).distinct)
    fig = new_figure((4.2 * (len(keys) + 1), 3.6), pyplot=False)
    axes = fig.subplots(1, len(keys) + 1)
    colors = {"random": "#1a5fb4", "grid": "#e66100"}
    for ax, key in zip(axes, keys):
        for name, s in summaries.items():
            pts = [p for p in s.points[0] if p["val_cost"] is not None]
            ax.scatter([p["params"][key] for p in pts], [p["val_cost"] for p in pts], s=18, alpha=0.75,
                       color=colors.get(name), label=f"{name} ({s.distinct[key][0]} distinct {key})")
        ax.set_xscale("log")
        ax.set_xlabel(f"{key} (log scale)")
        ax.set_ylabel("validation cost")
        ax.legend(fontsize=7)
        ax.set_title(f"first search: {key}", fontsize=9)
    ax = axes[-1]
    for i, (name, s) in enumerate(summaries.items()):
        jitter = np.linspace(-0.12, 0.12, len(s.bests))
        ax.scatter(i + jitter, s.bests, color=colors.get(name), s=16)
        ax.errorbar([i + 0.3], [s.mean], yerr=[s.std], fmt="o", color="black", capsize=4)
    ax.set_xticks(range(len(summaries)), list(summaries))
    ax.set_ylabel("best validation cost of a search")
    ax.set_title(f"best of each search ({len(next(iter(summaries.values())).bests)} per method)", fontsize=9)
    fig.tight_layout()
    caption = ("What each method tried in its first search (validation cost of every trial against each "
               "hyperparameter, log scales), and the best validation cost of every search (mean ± std in black)")
    return "search.png", fig, caption
