"""What an experiment measured: one record per run, per arm and per experiment, and its summary table.

The conclusions, the figures, the HTML report and the output files all read these
records; none of them runs anything.
"""

from __future__ import annotations

import math
import os
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._format import number, seconds
from ..errors import InputError
from ..io.jsonsafe import jsonable
from .search_views import rows as search_rows
from .spec import Arm, Experiment

CURVE_POINTS = 500  # cost-curve points stored per run in results.json


@dataclass
class RunResult:
    """One training run (one arm, one seed)."""

    seed: int
    final_cost: float | None = None     # cost of the final weights on the training set (L2 term included)
    initial_cost: float | None = None   # the first epoch's cost (full batch: the cost of the initial weights)
    train_accuracy: float | None = None
    test_accuracy: float | None = None
    seconds: float = 0.0
    epochs: int = 0
    stop_reason: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    history: Any = field(default=None, repr=False)
    net: Any = field(default=None, repr=False)

    def to_dict(self, curve: bool = False) -> dict[str, Any]:
        out = {"seed": self.seed, "final_cost": _num(self.final_cost), "initial_cost": _num(self.initial_cost),
               "train_accuracy": _num(self.train_accuracy), "test_accuracy": _num(self.test_accuracy),
               "seconds": round(self.seconds, 4), "epochs": self.epochs, "stop_reason": self.stop_reason,
               **jsonable(self.extra)}
        if curve and self.history is not None and len(self.history):
            cost = self.history["cost"]
            idx = np.unique(np.linspace(0, len(cost) - 1, min(CURVE_POINTS, len(cost))).round().astype(int))
            out["cost_curve"] = {"epoch": [int(i) for i in idx], "cost": [_num(cost[i]) for i in idx]}
        return out


STAT_KEYS = ("final_cost", "initial_cost", "train_accuracy", "test_accuracy", "seconds")


@dataclass
class ArmResult:
    """The runs of one arm (one per seed) and their mean and standard deviation."""

    arm: Arm
    config: dict[str, Any]
    runs: list[RunResult]

    @property
    def name(self) -> str:
        return self.arm.name

    def values(self, key: str) -> list[float]:
        out = []
        for r in self.runs:
            v = getattr(r, key, None) if hasattr(r, key) else r.extra.get(key)
            if v is not None and isinstance(v, (int, float)) and not math.isnan(v):  # inf is a value (a printed cost)
                out.append(float(v))
        return out

    def mean(self, key: str) -> float | None:
        v = self.values(key)
        return float(np.mean(v)) if v else None

    def std(self, key: str) -> float | None:
        v = self.values(key)
        return float(np.std(v)) if v and all(math.isfinite(x) for x in v) else None

    @property
    def first(self) -> RunResult:
        return self.runs[0]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.arm.name, "overrides": jsonable(dict(self.arm.overrides)),
                               "note": self.arm.note, "n_seeds": len(self.runs),
                               "seeds": [r.seed for r in self.runs]}
        for key in STAT_KEYS:
            out[key] = _num(self.mean(key))
        out["std"] = {key: _num(self.std(key)) for key in STAT_KEYS}
        if self.arm.course:
            out["course"] = dict(self.arm.course)
        out["config"] = jsonable(self.config)
        out["runs"] = [r.to_dict(curve=(i == 0)) for i, r in enumerate(self.runs)]
        return out


@dataclass
class ExperimentResult:
    """Everything one experiment measured, checked and drew."""

    experiment: Experiment
    arms: list[ArmResult]
    seeds: int
    quick: bool
    dataset: dict[str, Any]
    seconds: float
    conclusions: list[Any] = field(default_factory=list)
    figures: dict[str, bytes] = field(default_factory=dict, repr=False)   # file name -> PNG bytes
    captions: dict[str, str] = field(default_factory=dict)
    models: dict[str, Any] = field(default_factory=dict, repr=False)      # file name -> Network
    engine_seconds: dict[str, Any] = field(default_factory=dict)          # engine -> s/epoch, or why not
    machine: dict[str, Any] = field(default_factory=dict)                 # CPUs and load while it ran (timings' context)

    @property
    def name(self) -> str:
        return self.experiment.name

    def arm_slug(self, name: str) -> str:
        """The arm's own file-name piece: distinct for every arm, even when names slug alike."""
        names = [a.name for a in self.arms]
        if name not in names:
            self.arm(name)  # raises, naming the arms
        return unique_slugs(names)[names.index(name)]

    def arm_file(self, name: str) -> str:
        """The arm's model file name: ``model-<arm slug>.safetensors``."""
        return f"model-{self.arm_slug(name)}.safetensors"

    def arm(self, name: str) -> ArmResult:
        found = self.find_arm(name)
        if found is None:
            raise InputError(f"arm: expected one of {[a.name for a in self.arms]}, received {name!r}")
        return found

    def find_arm(self, name: str) -> ArmResult | None:
        """The arm of that name, or None (e.g. an arm that runs the course's code, absent from a live run)."""
        return next((a for a in self.arms if a.name == name), None)

    @property
    def passed(self) -> bool:
        """True when every enforced conclusion holds."""
        return all(c.passed is not False for c in self.conclusions if c.enforced)

    def to_dict(self) -> dict[str, Any]:
        return {
            "experiment": self.experiment.name, "title": self.experiment.title, "kind": self.experiment.kind,
            "assignment": self.experiment.assignment, "source": self.experiment.source,
            "quick": self.quick, "quick_note": self.experiment.quick_note if self.quick else None,
            "seeds": self.seeds, "seconds": round(self.seconds, 3), "dataset": self.dataset,
            "arms": [{**a.to_dict(), "model": self.arm_file(a.name) if self.arm_file(a.name) in self.models else None}
                     for a in self.arms],
            "conclusions": [c.to_dict() for c in self.conclusions],
            "passed": self.passed,
            "figures": sorted(self.figures), "models": sorted(self.models),
            "engine_seconds_per_epoch": self.engine_seconds, "machine": self.machine,
        }

    def table(self) -> str:
        return format_table(self)


def _num(v: Any) -> float | None:
    if v is None:
        return None
    v = float(v)
    return v if math.isfinite(v) else None


# ------------------------------------------------------------------------------------------- table
SLUG_BYTES = 60


def slug(name: str) -> str:
    """A safe file-name piece from an arm or experiment name.

    Letters and digits of any script are kept (NFKC-normalized, lower-cased: "Größe" -> "größe",
    "学习率" stays), every other run of characters becomes one "-", and the result is cut to
    60 bytes of UTF-8 at a character boundary; nothing left gives "arm". Different names may
    give one slug ("lr 0.1", "lr-0.1"): :func:`unique_slugs` makes them distinct.
    """
    text = re.sub(r"[\W_]+", "-", unicodedata.normalize("NFKC", str(name)).lower()).strip("-")
    text = text.encode("utf-8")[:SLUG_BYTES].decode("utf-8", "ignore").strip("-")
    return text or "arm"


def unique_slugs(names: list[str]) -> list[str]:
    """One distinct slug per name, in order: a slug already taken gets the first free suffix -2, -3, ..."""
    natural = [slug(n) for n in names]
    taken: set[str] = set()
    out = []
    for i, s in enumerate(natural):
        candidate, k = s, 2
        while candidate in taken or (candidate != s and candidate in natural[i + 1:]):
            candidate, k = f"{s}-{k}", k + 1
        taken.add(candidate)
        out.append(candidate)
    return out


def _fmt(mean: float | None, std: float | None, n: int) -> str:
    """The mean with 4 significant digits, ± the standard deviation with 2 (several seeds)."""
    if mean is None:
        return "-"
    return number(mean) + (f" ± {number(std, 2)}" if n > 1 and std is not None else "")


def format_table(result: ExperimentResult) -> str:
    """The summary table: arm, final cost, train accuracy, test accuracy, time, and the course's numbers."""
    exp = result.experiment
    head = f"{exp.name}: {exp.title}"
    if result.quick:
        head += f"  [--quick: {exp.quick_note}]"
    if result.seeds > 1:
        head += f"  [mean ± std over {result.seeds} seeds]"
    rows: list[list[str]] = []
    if exp.kind == "gradcheck":
        cols = ["arm", "difference", "verdict", "failing parameters", "time", "course"]
        for a in result.arms:
            r = a.first.extra
            course = a.arm.course or {}
            ctext = (f"{course['difference']:.4g}" if "difference" in course else
                     f"< {course['difference_below']:g}" if "difference_below" in course else "")
            rows.append([a.name, number(r["difference"]), "PASS" if r["passed"] else "FAIL",
                         ", ".join(r["failed"]) or "-", seconds(a.mean("seconds")), ctext])
    elif exp.kind == "search":
        cols, rows = search_rows(result)
    else:
        cols = ["arm", "final cost", "train accuracy", "test accuracy", "time", "course train / test"]
        has_course = any(a.arm.course for a in result.arms)
        if not has_course:
            cols.pop()
        for a in result.arms:
            n = len(a.runs)
            course = a.arm.course or {}
            ctext = " / ".join(f"{course[k]:g}" for k in ("train_accuracy", "test_accuracy") if k in course)
            rows.append([a.name, _fmt(a.mean("final_cost"), a.std("final_cost"), n),
                         _fmt(a.mean("train_accuracy"), a.std("train_accuracy"), n),
                         _fmt(a.mean("test_accuracy"), a.std("test_accuracy"), n),
                         seconds(a.mean("seconds")), ctext or "-"][:len(cols)])
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(cols)]
    lines = [head, "  ".join(c.ljust(w) for c, w in zip(cols, widths)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths)) for r in rows]
    for a in result.arms:
        for run in a.runs:
            if run.stop_reason:
                lines.append(f"  ! {a.name} (seed {run.seed}) stopped early: {run.stop_reason}")
    if result.engine_seconds:
        timing = ", ".join(f"{k} {seconds(v)}" if isinstance(v, float) else f"{k} {v}" for k, v in result.engine_seconds.items())
        lines.append(f"  seconds per epoch by engine (median of {exp.engine_timing} epochs after a warm-up): {timing}")
    for c in result.conclusions:
        tag = unenforced_tag(c, result.quick)
        lines.append(f"  {c.symbol} {c.text}: {c.measured}" + (f"  {tag}" if tag else ""))
    return "\n".join(lines)


def unenforced_tag(c: Any, quick: bool) -> str:
    """Why a checked conclusion does not decide the exit status: a goal, or a --quick run; '' when it does."""
    if c.enforced or c.passed is None:
        return ""
    if getattr(c, "target", False):
        return "(a goal: reported, not enforced)"
    return "(not enforced: --quick)" if quick else "(not enforced)"


def machine_load() -> float | None:
    """The 1-minute load average (None where the system does not say)."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def machine(load_before: float | None) -> dict[str, Any]:
    """What the timings depend on: the CPUs, and the load average before and after the run."""
    return {"cpus": os.cpu_count(), "load_before": load_before, "load_after": machine_load()}


def machine_text(info: dict[str, Any]) -> str:
    """'2 CPUs, load average 5.8 before and 7.0 after (1 minute)', or '' without the numbers."""
    if not info or info.get("load_before") is None:
        return ""
    return (f"{info.get('cpus')} CPUs, load average {info['load_before']:.1f} before and "
            f"{info.get('load_after') or 0:.1f} after (1 minute): timings grow with the load")
