"""What a search found: the trials table, the best configuration, its model and its one test score.

Read back from the study (the database holds every trial of every run and every
worker), so a resumed search reports all of its trials. The best configuration is
retrained here with the first seed, on the same training part, and scored on the
validation split (it must match the trial) and then, once, on the test set.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..experiments.space import Dimension, decode_params
from ..experiments.spec import build_network, fit_config, normalize_config
from ..io.jsonsafe import jsonable
from ..training.fit import fit
from .spec import TuneOptions, TuneSpec, options_dict
from .storage import shown
from .trial import LAUNCH, RESULT, Plan, TrialData

TOP = 10  # rows of the table printed
MIN_FOR_IMPORTANCE = 5  # complete trials fANOVA needs before its importances mean anything


@dataclass
class TuneResult:
    """A finished search: every trial, the best one, its retrained model and test score, and how it ran."""

    name: str
    study: str
    storage: str                       # the URL with its password hidden
    options: TuneOptions
    space: tuple[Dimension, ...]
    base: dict[str, Any]
    seeds: tuple[int, ...]
    dataset: dict[str, Any]
    trials: list[dict[str, Any]]
    best: dict[str, Any] | None
    final: dict[str, Any]
    importances: dict[str, float] | None
    stats: Any
    net: Any = field(default=None, repr=False)
    experiment: Any = field(default=None, repr=False)  # the spec's experiment (data set, options)
    fine_space: str = ""
    seconds: float = 0.0
    figures: dict[str, bytes] = field(default_factory=dict, repr=False)
    captions: dict[str, str] = field(default_factory=dict, repr=False)
    written: list[Path] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for t in self.trials:
            out[t["state"]] = out.get(t["state"], 0) + 1
        return out

    @property
    def best_config(self) -> dict[str, Any] | None:
        return None if self.best is None else self.best["config"]

    def to_dict(self) -> dict[str, Any]:
        return jsonable({
            "name": self.name, "study": self.study, "storage": self.storage, "options": options_dict(self.options),
            "space": {d.key: d.to_dict() for d in self.space}, "base": self.base, "seeds": list(self.seeds),
            "dataset": self.dataset, "counts": self.counts, "best": self.best, "final": self.final,
            "importances": self.importances, "fine_space": self.fine_space, "seconds": round(self.seconds, 3),
            "run": {"finished": self.stats.finished, "failed": self.stats.failed, "lost_tasks": self.stats.lost_tasks,
                    "timed_out": self.stats.timed_out, "seconds": round(self.stats.seconds, 3),
                    "errors": self.stats.errors[:10]},
            "trials": self.trials})

    def table(self) -> str:
        """The summary printed by ``descentlab tune``: counts, the best trial, its test score, the top trials."""
        from .tables import summary_lines
        return "\n".join(summary_lines(self))


# --------------------------------------------------------------------------------------- trials
def trial_row(t: Any, space: tuple[Dimension, ...]) -> dict[str, Any]:
    """One row of the trials table (settings' own values, not Optuna's internal ones)."""
    from optuna.exceptions import ExperimentalWarning
    from optuna.storages import RetryHeartbeatStaleTrialCallback
    ua = t.user_attrs.get(RESULT, {})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExperimentalWarning)
        retry_of = RetryHeartbeatStaleTrialCallback.retried_trial_number(t)
    curve = ua.get("curve") or {"epoch": sorted(t.intermediate_values),
                                "value": [t.intermediate_values[s] for s in sorted(t.intermediate_values)]}
    last = [v for v in curve["value"] if v is not None]
    duration = (t.datetime_complete - t.datetime_start).total_seconds() if t.datetime_complete and t.datetime_start else None
    return {"number": t.number, "state": t.state.name, "value": t.value if t.state.name == "COMPLETE" else None,
            "std": ua.get("std"), "seed_values": ua.get("seed_values"), "params": decode_params(space, t.params),
            "epochs_run": ua.get("epochs_run"), "pruned_at_epoch": ua.get("pruned_at_epoch"),
            "last_reported": last[-1] if last else None, "curve": curve,
            "train_seconds": ua.get("train_seconds"), "duration_seconds": duration, "retry_of": retry_of,
            "worker": t.user_attrs.get(LAUNCH, {}).get("worker"), "note": t.user_attrs.get("error") or ua.get("diverged")}


def _best(study: Any, rows: list[dict[str, Any]], plan: Plan) -> dict[str, Any] | None:
    try:
        t = study.best_trial
    except ValueError:  # no complete trial
        return None
    if t.value is None or not math.isfinite(t.value):
        return None
    row = next(r for r in rows if r["number"] == t.number)
    config = {**plan.base, **normalize_config(row["params"], "best")}
    return {"number": t.number, "value": t.value, "std": row["std"], "seed_values": row["seed_values"],
            "params": row["params"], "config": config}


def retrain(best: dict[str, Any], plan: Plan, data: TrialData, ds: Any) -> tuple[Any, dict[str, Any]]:
    """The best configuration trained again (first seed, training part); its validation and test scores.

    The test set is evaluated here, once, for this configuration only.
    """
    cfg, seed = best["config"], plan.seeds[0]
    net = build_network(cfg, seed, data.train, "best")
    t0 = time.perf_counter()
    history = fit(net, data.train.X_train, data.train.y_train, config=fit_config(cfg, seed, "best"),
                  validation_data=data.val, eval_every=int(cfg["epochs"]), verbose=0)
    final: dict[str, Any] = {"seed": seed, "seconds": time.perf_counter() - t0, "epochs": len(history),
                             "val_cost": net.cost(*data.val).data, "stop_reason": history.stop_reason}
    classify = net.head.is_classifier
    final["val_accuracy"] = net.accuracy(*data.val) if classify else None
    final["trial_seed_value"] = (best["seed_values"] or [None])[0]
    if ds.X_test is not None:
        final["test_cost"] = net.cost(ds.X_test, ds.y_test).data
        final["test_accuracy"] = net.accuracy(ds.X_test, ds.y_test) if classify else None
        final["test_examples"] = int(len(ds.X_test))
    final["test_evaluated"] = ds.X_test is not None
    return net, final


def importances(study: Any, space: tuple[Dimension, ...]) -> dict[str, float] | None:
    """fANOVA importances (Optuna's default evaluator, seeded) over the complete trials with a finite value."""
    import optuna
    finite = [t for t in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
              if t.value is not None and math.isfinite(t.value)]
    varying = [d for d in space if len({repr(t.params.get(d.param)) for t in finite}) > 1]
    if len(finite) < MIN_FOR_IMPORTANCE or not varying:
        return None
    copy = optuna.create_study(direction=study.direction)
    copy.add_trials(finite)
    evaluator = optuna.importance.FanovaImportanceEvaluator(seed=0)
    raw = optuna.importance.get_param_importances(copy, evaluator=evaluator, params=[d.param for d in varying])
    by_param = {d.param: d.key for d in space}
    return {by_param[p]: float(v) for p, v in raw.items()}


def fine_space(rows: list[dict[str, Any]], space: tuple[Dimension, ...], direction: str) -> str:
    """Coarse to fine: a ``[space]`` spanning the best quarter of the complete trials (at least 3)."""
    done = [r for r in rows if r["value"] is not None and math.isfinite(r["value"])]
    if len(done) < 4:
        return ""
    done.sort(key=lambda r: r["value"], reverse=direction == "maximize")
    top = done[:max(3, len(done) // 4)]
    lines = ["[space]"]
    for d in space:
        seen = [r["params"][d.key] for r in top if d.key in r["params"]]
        lines.append(f"{d.key} = {{ {_narrowed(d, seen)} }}")
    return "\n".join(lines)


def _narrowed(d: Dimension, seen: list) -> str:
    """The part of ``d``'s range the best trials used, widened by 10% of a side on ``d``'s scale."""
    import json
    if d.kind == "choice":
        kept = [c for c in d.choices if any(json.dumps(c) == json.dumps(s) for s in seen)]
        return f"choice = {json.dumps(kept)}"
    if d.kind in ("int", "log_int"):
        lo, hi = int(min(seen)), int(max(seen))
        return f"{d.kind} = [{lo}, {max(hi, lo + 1)}]"
    to, back = {"log": (math.log, math.exp), "linear": (float, float),
                "one_minus_log": (lambda x: math.log(1 - x), lambda u: 1 - math.exp(u))}[d.scale]
    ends = sorted(to(v) for v in (min(seen), max(seen)))
    pad = max(0.1 * (ends[1] - ends[0]), 0.05 * abs(to(d.high) - to(d.low)))
    lo, hi = sorted(back(u) for u in (ends[0] - pad, ends[1] + pad))
    lo, hi = max(d.low, float(f"{lo:.3g}")), min(d.high, float(f"{hi:.3g}"))
    return f"{d.kind} = [{lo:g}, {hi:g}]"


# ------------------------------------------------------------------------------------ collect
def collect(spec: TuneSpec, opts: TuneOptions, plan: Plan, study: Any, ds: Any, data: TrialData, stats: Any,
            url: str, out_dir: Path) -> TuneResult:
    """Everything the study holds, the best configuration retrained and tested once, and the figures."""
    rows = [trial_row(t, plan.space) for t in study.get_trials(deepcopy=False)]
    best = _best(study, rows, plan)
    net, final = (None, {}) if best is None else retrain(best, plan, data, ds)
    info = {"name": ds.name, "train": list(ds.X_train.shape), "training_part": int(len(data.train.y_train)),
            "validation": int(len(data.val[1])), "test": None if ds.X_test is None else list(ds.X_test.shape),
            "classes": list(ds.class_names), "split_seed": opts.split_seed, "source": spec.experiment.dataset}
    result = TuneResult(spec.name, plan.study, shown(url), opts, plan.space, dict(plan.base), plan.seeds, info, rows,
                        best, final, _safe_importances(study, plan.space), stats, net, spec.experiment,
                        fine_space(rows, plan.space, plan.direction))
    from .figures import draw
    with np.errstate(all="ignore"):
        draw(result)
    return result


def _safe_importances(study: Any, space: tuple[Dimension, ...]) -> dict[str, float] | None:
    try:
        return importances(study, space)
    except ImportError:  # fANOVA needs scikit-learn (in the tune extra)
        return None
