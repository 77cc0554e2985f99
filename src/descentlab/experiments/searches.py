"""Hyperparameter searches inside an experiment: the validation split, and random search against a grid.

The course ("Tuning process"): with two hyperparameters of which one matters much
more than the other (the learning rate α and Adam's ε), a 5 x 5 grid tries only 5
values of α in 25 trials, while 25 random points try 25. An experiment of kind
``"search"`` runs that comparison: arm ``"random"`` draws its trials with Optuna's
``RandomSampler``, arm ``"grid"`` takes the points of Optuna's ``GridSampler``, both
with the same number of trials (the grid's size), from the same space
(:mod:`.space`), scored on the same validation split of the training data.

``Experiment.search`` holds the search's settings::

    {"space": {"lr": {"log_uniform": [1e-4, 1.0], "grid": 5}, ...},  # see experiments.space
     "important": "lr",        # the hyperparameter whose distinct values are counted
     "repeats": 10,            # searches per arm and seed (seeds: seed*1000 + 0, 1, ...)
     "validation": 0.25}       # fraction of the training data held out to score the trials

A search's trials share one seed (initial weights, shuffle order) and are trained
in lockstep with :func:`~descentlab.fit_many` when they differ only in per-run
settings (lr, l2, keep_prob, β, β1, β2, ε, weight decay); otherwise one by one. The
test set is never used. ``descentlab tune`` uses :func:`validation_split` too.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

from .. import _checks as check
from ..datasets import Dataset
from ..errors import InputError
from ..training.fit import fit
from ..training.many import fit_many
from .records import RunResult
from .space import Dimension, grid, grid_size, parse_space, sample
from .spec import (
    DEFAULTS,
    OPTIMIZER_HYPER,
    Arm,
    Experiment,
    build_network,
    fit_config,
    normalize_value,
    validate,
)

SEARCH_KEYS = ("space", "important", "repeats", "validation")
PER_RUN = ("lr", "l2", "keep_prob") + OPTIMIZER_HYPER  # settings fit_many takes one value per run for
SAMPLERS = ("random", "grid")


# ------------------------------------------------------------------------------ validation split
def validation_split(dataset: Dataset, fraction: float, seed: int, where: str = "validation") -> tuple[Dataset, tuple]:
    """Hold out ``fraction`` of the training data, drawn with ``seed``: (training part, (X_val, y_val)).

    For labels of a classifier the split is stratified: each class gives ceil(fraction x its count)
    examples (at least one stays for training). The same seed gives the same split on every machine.
    The test split is dropped from the training part: a search never sees it.
    """
    fraction = check.real(where, fraction, low=0.0, high=1.0, low_open=True, high_open=True)
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0x5EA7C4]))
    y = dataset.y_train
    groups = [np.flatnonzero(y == c) for c in np.unique(y)] if dataset.class_names else [np.arange(len(y))]
    val = []
    for idx in groups:
        idx = rng.permutation(idx)
        val.append(idx[:min(len(idx) - 1, math.ceil(fraction * len(idx)))])
    val_idx = np.sort(np.concatenate(val))
    train_idx = np.setdiff1d(np.arange(len(y)), val_idx)
    if len(val_idx) == 0 or len(train_idx) == 0:
        raise check.fail(where, fraction, f"a fraction leaving examples on both sides of {len(y)}")
    part = Dataset(f"{dataset.name}", dataset.X_train[train_idx], y[train_idx], None, None, list(dataset.class_names),
                   dataset.image_shape, f"{dataset.description} (training part: {len(train_idx)} of {len(y)})",
                   dataset.source)
    return part, (dataset.X_train[val_idx], y[val_idx])


# ----------------------------------------------------------------------------------- training
def train_configs(cfgs: Sequence[Mapping[str, Any]], train: Dataset, val: tuple, seed: int,
                  where: str = "search") -> list[dict[str, Any]]:
    """Train one network per configuration, all with ``seed``; the validation cost and accuracy of each.

    Configurations that differ only in per-run settings (:data:`PER_RUN`) train together in
    lockstep (``fit_many``); otherwise each trains on its own (``fit``).
    """
    varying = {k for k in cfgs[0] if any(c[k] != cfgs[0][k] for c in cfgs)}
    t0 = time.perf_counter()
    if len(cfgs) > 1 and varying <= set(PER_RUN) and cfgs[0]["engine"] == "numpy":
        nets = [build_network(c, seed, train, where) for c in cfgs]
        per_run = {k: [c[k] for c in cfgs] for k in varying}
        histories = fit_many(nets, train.X_train, train.y_train, config=fit_config(cfgs[0], seed, where),
                             seeds=[seed] * len(cfgs), validation_data=val, eval_every=cfgs[0]["epochs"], **per_run)
    else:
        histories = []
        for c in cfgs:
            net = build_network(c, seed, train, where)
            histories.append(fit(net, train.X_train, train.y_train, config=fit_config(c, seed, where),
                                 validation_data=val, eval_every=c["epochs"], verbose=0))
    seconds = (time.perf_counter() - t0) / len(cfgs)
    return [{"val_cost": _last(h, "val_cost"), "val_accuracy": _last(h, "val_accuracy"), "seconds": seconds,
             "stop_reason": h.stop_reason} for h in histories]


def _last(history: Any, key: str) -> float | None:
    values = [v for v in history[key] if v is not None]
    return float(values[-1]) if values and math.isfinite(values[-1]) else None


# -------------------------------------------------------------------------------- the experiment
@dataclass(frozen=True)
class SearchSettings:
    space: tuple[Dimension, ...]
    important: str
    repeats: int
    validation: float

    @property
    def trials(self) -> int:
        """Trials per search: the grid's size (random search gets as many)."""
        return grid_size(self.space)


def search_settings(experiment: Experiment) -> SearchSettings:
    """``experiment.search``, checked; a mistake names ``<experiment>: search.<key>``."""
    s = experiment.search
    where = f"{experiment.where}: search"
    for key in s:
        if key not in SEARCH_KEYS:
            raise check.fail(f"{where}.{key}", s[key], f"one of {list(SEARCH_KEYS)}")
    space = parse_space(s.get("space"), f"{where}.space")
    important = s.get("important", space[0].key)
    if important not in [d.key for d in space]:
        raise check.fail(f"{where}.important", important, f"a hyperparameter of the space ({[d.key for d in space]})")
    return SearchSettings(space, important, check.integer(f"{where}.repeats", s.get("repeats", 5), low=1),
                          check.real(f"{where}.validation", s.get("validation", 0.25), low=0.0, high=1.0,
                                     low_open=True, high_open=True))


def _sampler(arm: Arm, settings: SearchSettings, seed: int) -> Any:
    import optuna
    if arm.name == "grid":
        return optuna.samplers.GridSampler(grid(settings.space), seed=seed)
    return optuna.samplers.RandomSampler(seed=seed)


def one_search(arm: Arm, settings: SearchSettings, cfg: Mapping[str, Any], train: Dataset, val: tuple, seed: int,
               where: str) -> dict[str, Any]:
    """One search of ``settings.trials`` trials drawn by the arm's sampler (an in-memory Optuna study).

    Every trial is asked for before any trains (both samplers draw independently of results), so
    that the whole search trains in lockstep; the grid sampler gives each asked trial a grid point
    that no running trial has.
    """
    import optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(sampler=_sampler(arm, settings, seed), direction="minimize")
    trials = [study.ask() for _ in range(settings.trials)]
    drawn = [sample(settings.space, t) for t in trials]
    cfgs = [{**cfg, **{k: normalize_value(k, v, f"{where}.{k}") for k, v in d.items()}} for d in drawn]
    scores = train_configs(cfgs, train, val, seed, where)  # (the trials are not told: the study only draws them)
    values = [s["val_cost"] for s in scores]
    finite = [v for v in values if v is not None]
    best = int(np.nanargmin([np.inf if v is None else v for v in values])) if finite else None
    return {"seed": seed, "trials": [{"params": d, "val_cost": v} for d, v in zip(drawn, values)],
            "best": None if best is None else {"params": drawn[best], "val_cost": values[best]},
            "distinct": {d.key: len({repr(x[d.key]) for x in drawn}) for d in settings.space}}


def search_run(experiment: Experiment, arm: Arm, cfg: Mapping[str, Any], dataset: Any, seed: int,
               keep: bool = True) -> RunResult:
    """``repeats`` searches of one arm ("random" or "grid"), search r with seed ``seed * 1000 + r``.

    The validation split is fixed by the experiment's own seed, so every search of both arms is
    scored on the same held-out examples.
    """
    where = f"{experiment.name}: {arm.name}"
    if arm.name not in SAMPLERS:
        raise check.fail(f"{experiment.where}: arms", arm.name, f"arms named {list(SAMPLERS)}")
    settings = search_settings(experiment)
    base = {**DEFAULTS, **cfg}
    train, val = validation_split(dataset, settings.validation, base["seed"], f"{where}: search.validation")
    validate(base, train, where)
    t0 = time.perf_counter()
    searches = [one_search(arm, settings, base, train, val, seed * 1000 + r, where) for r in range(settings.repeats)]
    if any(s["best"] is None for s in searches):
        raise InputError(f"{where}: every trial of a search diverged; check the space's ranges")
    extra = {"searches": searches, "important": settings.important, "trials_per_search": settings.trials,
             "validation_examples": len(val[1])}
    return RunResult(seed=seed, seconds=time.perf_counter() - t0, epochs=int(base["epochs"]), extra=extra)
