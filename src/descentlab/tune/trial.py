"""One trial, as a worker runs it: draw a configuration, train it (over k seeds), report, score.

:func:`run_trial` is the task the Dask workers execute (a local worker process, or a worker
of a cluster on another machine): it loads the study from its database URL, and runs ONE
trial with Optuna's ``study.optimize(n_trials=1)``, which also records heartbeats, fails
the trials of dead workers and picks up queued retries first. Everything a trial needs
comes in the :class:`Plan` (small, picklable) and the :class:`TrialData` (the training
part and the validation split, sent once to every worker); the test set never reaches a
worker.

The objective: the configuration is the base settings with the drawn hyperparameters;
``seeds`` networks (seeds s, s + 1, ...; the same for every trial, so trials are compared
on the same initial weights and batch orders) train in lockstep with ``fit_many`` (one
with ``fit``); every ``report_every`` epochs the mean validation score is reported to the
trial, and the pruner may stop it (through the training loop's callbacks). The score is
the mean over seeds of the final validation cost (or accuracy); the spread and every
seed's value are recorded as the trial's user attributes. A seed that diverges scores
the worst value (cost inf, accuracy 0).
"""

from __future__ import annotations

import math
import os
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
import optuna

from ..experiments.space import Dimension, grid, sample
from ..experiments.spec import build_network, fit_config, normalize_value
from ..training.callbacks import Callback
from ..training.fit import fit
from ..training.many import fit_many
from .storage import (
    is_storage_error,
    open_storage,
    quiet_database_noise,
    redact,
    storage_cause,
    storage_message,
)

_STOPPED: set[str] = set()  # launches (sessions) whose user interrupted them (Ctrl-C): their trials stop
LAUNCH = "launch"  # user attribute set when a trial starts: {"session": the launch's id, "worker": "host:pid"}
RESULT = "result"  # user attribute set when it ends: seconds, epochs, curve, every seed's value, spread
_STORAGES: dict[tuple, Any] = {}
_LOCK = threading.Lock()


class TrialInterrupted(Exception):
    """The search was interrupted while this trial trained (it is marked failed)."""


@dataclass(frozen=True)
class Plan:
    """Everything a worker needs to run a trial of a study (no data, no credentials in clear when printed)."""

    study: str
    url: str
    heartbeat: int
    session: str
    space: tuple[Dimension, ...]
    base: Mapping[str, Any]
    objective: str
    direction: str
    seeds: tuple[int, ...]
    report_every: int
    epochs: int
    sampler: str
    sampler_seed: int
    grid_points: int | None
    pruner: str

    def __repr__(self) -> str:  # the URL may hold a password
        return f"Plan(study={self.study!r}, session={self.session!r})"


@dataclass(frozen=True)
class TrialData:
    """The training part (a Dataset) and the validation split (X_val, y_val)."""

    train: Any
    val: tuple


# ---------------------------------------------------------------------------- samplers, pruners
def trial_seed(seed: int, number: int) -> int:
    """The seed of trial ``number``'s draws: the same on any worker, different for every trial."""
    return int(np.random.SeedSequence([int(seed), int(number)]).generate_state(1)[0])


def make_sampler(plan: Plan) -> Any:
    """The plan's Optuna sampler: random and TPE rebuilt for each trial with :func:`trial_seed` (see
    :class:`PerTrialSampler`); the grid with the same seed everywhere, as Optuna's GridSampler wants in
    parallel (it shuffles its points by the seed once, and trial n takes point n of that order)."""
    if plan.sampler == "grid":
        return optuna.samplers.GridSampler(grid(plan.space, plan.grid_points), seed=plan.sampler_seed)
    makers = {
        "random": lambda s: optuna.samplers.RandomSampler(seed=s),
        "tpe": lambda s: optuna.samplers.TPESampler(seed=s, constant_liar=True),
    }
    return PerTrialSampler(makers[plan.sampler], plan.sampler_seed)


def make_pruner(plan: Plan) -> Any:
    """The plan's pruner; resources are epochs (a trial reports at epoch e the step e)."""
    low = max(1, plan.epochs // 27)
    return {
        "none": lambda: optuna.pruners.NopPruner(),
        "median": lambda: optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=max(1, plan.epochs // 5)),
        "successive_halving": lambda: optuna.pruners.SuccessiveHalvingPruner(min_resource=low, reduction_factor=3),
        "hyperband": lambda: optuna.pruners.HyperbandPruner(min_resource=low, max_resource=plan.epochs,
                                                            reduction_factor=3),
    }[plan.pruner]()


class PerTrialSampler(optuna.samplers.BaseSampler):
    """An Optuna sampler built anew for every trial, seeded by (seed, trial number).

    A sampler seeded once per worker would draw the same points on every worker (and, built
    for each one-trial task, the same point for every trial). Seeding by trial number makes a
    study's draws independent of which worker runs which trial: the same seed gives the same
    random trials on one machine or twenty. TPE still reads every finished trial from the
    study, and its ``constant_liar`` treats running trials as bad so that parallel workers
    spread out.
    """

    def __init__(self, make: Any, seed: int) -> None:
        self._make, self._seed = make, int(seed)
        self._inner = make(self._seed)

    def before_trial(self, study: Any, trial: Any) -> None:
        self._inner = self._make(trial_seed(self._seed, trial.number))
        self._inner.before_trial(study, trial)

    def infer_relative_search_space(self, study: Any, trial: Any) -> Any:
        return self._inner.infer_relative_search_space(study, trial)

    def sample_relative(self, study: Any, trial: Any, search_space: Any) -> Any:
        return self._inner.sample_relative(study, trial, search_space)

    def sample_independent(self, study: Any, trial: Any, name: str, distribution: Any) -> Any:
        return self._inner.sample_independent(study, trial, name, distribution)

    def after_trial(self, study: Any, trial: Any, state: Any, values: Any) -> None:
        self._inner.after_trial(study, trial, state, values)

    def reseed_rng(self) -> None:  # seeds come from the trial numbers
        pass


# ----------------------------------------------------------------------------------- reporting
class Reporter(Callback):
    """A fit / fit_many callback: the mean validation score of each evaluated epoch, reported to the
    trial and its pruner when the search prunes (otherwise only kept: one write at the end).

    Works with ``fit``'s logs (numbers) and ``fit_many``'s (one value per seed). The seconds
    spent talking to the study (report, should_prune) are kept apart from the training time.
    """

    def __init__(self, trial: Any, objective: str, prune: bool, session: str = "") -> None:
        self.trial, self.key, self.prune, self.session = trial, objective, prune, session
        self.pruned_at: int | None = None
        self.interrupted = False
        self.seconds = 0.0
        self.curve: dict[str, list] = {"epoch": [], "value": []}

    def on_epoch_end(self, epoch: int, logs: dict[str, Any], run: Any) -> None:
        if self.session in _STOPPED:
            self.interrupted, run.stop_training = True, True
            return
        value = mean_score(logs.get(self.key), self.key)
        if value is None:
            return
        self.curve["epoch"].append(epoch + 1)
        self.curve["value"].append(value if math.isfinite(value) else None)
        if not self.prune:
            return
        t0 = time.perf_counter()
        self.trial.report(value, epoch + 1)
        if self.trial.should_prune():
            self.pruned_at, run.stop_training = epoch + 1, True
        self.seconds += time.perf_counter() - t0


def worst(objective: str) -> float:
    return 0.0 if objective == "val_accuracy" else math.inf


def mean_score(values: Any, objective: str) -> float | None:
    """The mean over seeds of a validation score (None: not measured this epoch); non-finite -> worst."""
    if values is None:
        return None
    arr = np.atleast_1d(np.asarray(values, dtype=np.float64))
    if np.isnan(arr).all():
        return None
    arr = np.where(np.isfinite(arr), arr, worst(objective))
    return float(arr.mean())


# ----------------------------------------------------------------------------------- objective
def _config(plan: Plan, trial: Any) -> dict[str, Any]:
    drawn = sample(plan.space, trial)
    return {**plan.base, **{k: normalize_value(k, v, f"space.{k}") for k, v in drawn.items()}}


def train_trial(cfg: Mapping[str, Any], seeds: tuple[int, ...], data: TrialData, report_every: int,
                callbacks: list) -> list:
    """Train ``cfg`` once per seed (in lockstep when several); the Histories."""
    config = fit_config(cfg, seeds[0], "trial")
    nets = [build_network(cfg, s, data.train, "trial") for s in seeds]
    X, y = data.train.X_train, data.train.y_train
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # a diverging trial is a result
        if len(seeds) == 1:
            return [fit(nets[0], X, y, config=config, validation_data=data.val, eval_every=report_every,
                        callbacks=callbacks, verbose=0)]
        return fit_many(nets, X, y, config=config, seeds=list(seeds), validation_data=data.val,
                        eval_every=report_every, callbacks=callbacks)


def final_scores(histories: list, objective: str) -> tuple[list[float], list[str]]:
    """Each seed's final validation score (worst when it diverged) and the divergence messages."""
    scores, diverged = [], []
    for h in histories:
        values = [v for v in h[objective] if v is not None]
        bad = h.stop_reason is not None or not values or not math.isfinite(values[-1])
        scores.append(worst(objective) if bad else float(values[-1]))
        if h.stop_reason:
            diverged.append(h.stop_reason)
    return scores, diverged


def objective(trial: Any, plan: Plan, data: TrialData, timing: dict[str, float]) -> float:
    """Train the trial's configuration; its mean validation score (raises TrialPruned / TrialInterrupted)."""
    trial.set_user_attr(LAUNCH, {"session": plan.session, "worker": f"{socket.gethostname()}:{os.getpid()}"})
    cfg = _config(plan, trial)
    reporter = Reporter(trial, plan.objective, plan.pruner != "none", plan.session)
    t0 = time.perf_counter()
    histories = train_trial(cfg, plan.seeds, data, plan.report_every, [reporter])
    timing["train"] = time.perf_counter() - t0 - reporter.seconds
    timing["study"] = reporter.seconds
    summary = {"train_seconds": round(timing["train"], 4), "epochs_run": max(len(h) for h in histories),
               "curve": reporter.curve}
    if reporter.interrupted:
        raise TrialInterrupted("the search was interrupted (Ctrl-C)")
    if reporter.pruned_at is not None:
        trial.set_user_attr(RESULT, {**summary, "pruned_at_epoch": reporter.pruned_at})
        raise optuna.TrialPruned(f"pruned at epoch {reporter.pruned_at}")
    scores, diverged = final_scores(histories, plan.objective)
    summary.update(seed_values=[s if math.isfinite(s) else None for s in scores],
                   std=float(np.std(scores)) if all(map(math.isfinite, scores)) else None,
                   diverged=diverged[0][:300] if diverged else None)
    trial.set_user_attr(RESULT, summary)
    return float(np.mean(scores))


# --------------------------------------------------------------------------------- the task
def storage_for(plan: Plan) -> Any:
    """This process's storage for the plan's URL: one connection pool, and one cache of finished trials
    (Optuna's ``_CachedStorage``, which ``load_study`` would make anew, and cold, for every trial; warm,
    the pruner's and sampler's reads of the study fetch only what changed since the last trial)."""
    key = (plan.url, plan.heartbeat)
    with _LOCK:
        if key not in _STORAGES:
            _STORAGES[key] = optuna.storages._CachedStorage(open_storage(plan.url, plan.heartbeat))
        return _STORAGES[key]


def run_trial(plan: Plan, data: TrialData) -> dict[str, Any]:
    """Run one trial of the plan's study on this worker; a small summary for the launcher.

    ``status`` is "done" (the trial finished: complete, pruned or failed), "interrupted" or
    "storage" (the database could not be reached; the message has no credentials).
    """
    if plan.session in _STOPPED:
        return {"status": "interrupted"}
    t_start = time.perf_counter()
    timing: dict[str, float] = {}
    outcome: dict[str, Any] = {}

    def guarded(trial: Any) -> float:
        outcome.update(number=trial.number, trial_id=trial._trial_id, state="FAIL", value=None, error=None)
        try:
            value = objective(trial, plan, data, timing)
        except optuna.TrialPruned:
            outcome["state"] = "PRUNED"
            raise
        except TrialInterrupted:
            raise
        except Exception as exc:
            if not is_storage_error(exc):
                outcome["error"] = _note_error(trial, exc, plan)
            raise
        outcome.update(state="COMPLETE", value=value)
        return value

    try:
        study = optuna.study.Study(plan.study, storage_for(plan), sampler=make_sampler(plan), pruner=make_pruner(plan))
        study.optimize(guarded, n_trials=1, catch=(Exception,))
    except Exception as exc:
        if _ended_elsewhere(exc, study, outcome):
            # another worker saw this trial's heartbeat late (a loaded machine), failed it and queued its
            # retry before this worker could record the result: the retry stands, this result is dropped
            outcome.update(state="FAIL", value=None,
                           error="another worker declared this trial dead (its heartbeat was late) and retried it")
            return _done(outcome, timing, t_start)
        cause = storage_cause(exc) or (exc if isinstance(exc, KeyError) else None)
        if cause is not None:
            return {"status": "storage", "message": storage_message(cause, plan.url)}
        raise
    if "number" not in outcome:
        return {"status": "storage", "message": "the study's database failed: no trial could be started"}
    return _done(outcome, timing, t_start)


def _done(outcome: dict[str, Any], timing: dict[str, float], t_start: float) -> dict[str, Any]:
    """The launcher's summary of a finished trial."""
    return {"status": "done", **outcome, "train": timing.get("train", 0.0), "study": timing.get("study", 0.0),
            "task": time.perf_counter() - t_start, "worker": f"{socket.gethostname()}:{os.getpid()}"}


def _ended_elsewhere(exc: Exception, study: Any, outcome: dict[str, Any]) -> bool:
    """Whether recording this trial's result failed because another process had already ended the trial
    (Optuna raises UpdateFinishedTrialError, or ValueError "Cannot tell a FAIL trial" from its cache)."""
    if "trial_id" not in outcome or storage_cause(exc) is not None:
        return False
    if isinstance(exc, optuna.exceptions.UpdateFinishedTrialError):
        return True
    try:
        return study._storage.get_trial(outcome["trial_id"]).state.is_finished()
    except Exception:  # noqa: BLE001 - the database is gone too: the caller reports the original error
        return False


def _note_error(trial: Any, exc: Exception, plan: Plan) -> str:
    """Record why a trial failed (no credentials), as its user attribute "error"; the text."""
    text = redact(f"{type(exc).__name__}: {exc}", plan.url)[:500]
    try:
        trial.set_user_attr("error", text)
    except Exception:  # noqa: BLE001 - the database may be the problem; the launcher hears of it anyway
        pass
    return text


# ------------------------------------------------------------------------ worker-wide commands
def preflight(plan: Plan) -> dict[str, Any]:
    """Run on every worker before the first trial: versions, and whether this worker sees the study."""
    from .._version import __version__
    from .storage import sqlite_path
    quiet_database_noise()
    out = {"descentlab": __version__, "optuna": optuna.__version__, "host": socket.gethostname(), "error": None}
    path = sqlite_path(plan.url)
    if path is not None and not path.exists():
        out["error"] = f"cannot see the SQLite file {path} (SQLite is one machine's file: use PostgreSQL for a cluster)"
        return out
    try:
        optuna.load_study(study_name=plan.study, storage=storage_for(plan))
    except Exception as exc:
        out["error"] = redact(f"cannot open the study: {type(exc).__name__}: {exc}", plan.url)[:300]
    return out


def request_stop(session: str) -> bool:
    """Ask this worker's running trials of launch ``session`` to stop at their next epoch end (they are then
    marked failed); other launches sharing the cluster go on."""
    _STOPPED.add(session)
    return True
