"""One run of an arm: a training run (alone, or several seeds in lockstep), with its diagnostics.

Seeds: run i of an arm uses seed ``base seed + i`` for the weights, the shuffle
and the dropout streams (see :mod:`.runner`).
"""

from __future__ import annotations

import time
from typing import Any, Mapping, Sequence

import numpy as np

from ..core.regularization import squared_weights
from ..engines import ENGINES
from ..errors import EngineUnavailableError
from ..training.callbacks import Callback
from ..training.fit import fit
from ..training.many import fit_many
from .records import RunResult
from .spec import Arm, Experiment, build_network, fit_config


class _EpochDiagnostics(Callback):
    """A fit callback: the dead ReLU units after the first epoch."""

    def __init__(self, X: np.ndarray) -> None:
        self.X = X
        self.dead: dict[str, int] | None = None

    def on_epoch_end(self, epoch: int, logs: dict[str, Any], run: Any) -> None:
        if epoch == 0:
            with np.errstate(all="ignore"):
                self.dead = _dead_counts(run.net.diagnose(self.X))


def _dead_counts(diag: Any) -> dict[str, int]:
    return {str(s.layer): len(s.dead_units) for s in diag.layers if s.activation in ("relu", "leaky_relu")
            and s.layer < len(diag.layers)}


def _positive_inputs(net: Any, X: np.ndarray) -> dict[str, Any]:
    """When every (preprocessed) input is >= 0: the mean input sum and the photo-to-photo spread of z1.

    An Adam step moves each first-layer weight by about lr, all in the same direction
    when the inputs are all positive, so it moves the unit's pre-activation by about
    lr x sum(x); compared with how much z1 varies across examples, it says how easily
    one step can push a unit below zero for every example (a dead ReLU).
    """
    Xp = net.prepare_inputs(X)
    if Xp.size == 0 or float(Xp.min()) < 0:
        return {}
    Z = (Xp @ net.params["W1"].T).astype(np.float64) + net.params["b1"]
    return {"positive_inputs": {"mean_input_sum": float(Xp.sum(axis=1, dtype=np.float64).mean()),
                                "z1_spread": float(Z.std(axis=0).mean())}}


def validation(cfg: Mapping[str, Any], dataset: Any) -> dict[str, Any]:
    """fit's arguments to record the test set's cost along the way (the curves of train vs held-out cost).

    The test set is only *watched* (nothing is chosen on it); it is evaluated about
    :data:`CURVE_EVALUATIONS` times per run, so long runs pay little for it.
    """
    if dataset is None or dataset.X_test is None:
        return {}
    return {"validation_data": (dataset.X_test, dataset.y_test),
            "eval_every": max(1, int(cfg["epochs"]) // CURVE_EVALUATIONS)}


CURVE_EVALUATIONS = 500


def train_run(experiment: Experiment, arm: Arm, cfg: Mapping[str, Any], dataset: Any, seed: int,
              keep: bool = True, callbacks: Sequence[Any] = ()) -> RunResult:
    """One training run of ``cfg`` with ``seed``: the numbers, diagnostics, history (and network)."""
    where = f"{experiment.name}: {arm.name}"
    net = build_network(cfg, seed, dataset, where)
    config = fit_config(cfg, seed, where)
    relu = any(h in ("relu", "leaky_relu") for h in net.hidden)
    extra: dict[str, Any] = {}
    callbacks = list(callbacks)
    if relu:
        with np.errstate(all="ignore"):
            extra["dead_units_init"] = _dead_counts(net.diagnose(dataset.X_train))
            extra.update(_positive_inputs(net, dataset.X_train))
        first = _EpochDiagnostics(dataset.X_train)
        callbacks.append(first)
    t0 = time.perf_counter()
    history = fit(net, dataset.X_train, dataset.y_train, config=config, verbose=0, callbacks=callbacks,
                  **validation(cfg, dataset))
    seconds = time.perf_counter() - t0
    if history.interrupted:  # Ctrl-C: fit stopped cleanly; the experiment stops too and writes nothing
        raise KeyboardInterrupt
    if relu:
        extra["dead_units_epoch1"] = first.dead
    return _result(net, history, cfg, dataset, seed, seconds, extra, keep)


def train_runs_lockstep(experiment: Experiment, arm: Arm, cfg: Mapping[str, Any], dataset: Any,
                        seeds: Sequence[int], on_epoch: Any = None) -> list[RunResult]:
    """The runs of several seeds trained together by ``fit_many``; seconds are the lockstep time / K."""
    where = f"{experiment.name}: {arm.name}"
    nets = [build_network(cfg, seed, dataset, where) for seed in seeds]
    config = fit_config(cfg, seeds[0], where)
    t0 = time.perf_counter()
    histories = fit_many(nets, dataset.X_train, dataset.y_train, config=config, seeds=list(seeds), on_epoch=on_epoch,
                         **validation(cfg, dataset))
    seconds = (time.perf_counter() - t0) / len(seeds)
    return [_result(net, h, cfg, dataset, seed, seconds, {}, keep=False)
            for net, h, seed in zip(nets, histories, seeds)]


def summarize_run(net: Any, history: Any, cfg: Mapping[str, Any], dataset: Any, seed: int,
                  seconds: float = 0.0) -> RunResult:
    """The numbers and diagnostics of a run, finished or in progress, that the conclusions read
    (the playground checks the course's lessons live with it)."""
    return _result(net, history, cfg, dataset, seed, seconds, {}, keep=False)


def _result(net: Any, history: Any, cfg: Mapping[str, Any], dataset: Any, seed: int, seconds: float,
            extra: dict[str, Any], keep: bool) -> RunResult:
    """The numbers and diagnostics of one finished run."""
    classify = net.output != "linear"
    costs = history["cost"]
    with np.errstate(all="ignore"):  # a run that diverged (and stopped) may hold huge weights
        diag = net.diagnose(dataset.X_train)
        extra["symmetric_layers"] = diag.symmetric_layers
        if any(h in ("relu", "leaky_relu") for h in net.hidden):
            extra["dead_units_final"] = _dead_counts(diag)
        extra["weight_norm2"] = float(squared_weights(net.theta.astype(np.float64), net.layout.weight_mask()))
        result = RunResult(
            seed=seed,
            final_cost=net.cost(dataset.X_train, dataset.y_train, l2=cfg["l2"]).total if len(history) else None,
            initial_cost=costs[0] if costs else None,
            train_accuracy=net.accuracy(dataset.X_train, dataset.y_train) if classify else None,
            test_accuracy=(net.accuracy(dataset.X_test, dataset.y_test)
                           if classify and dataset.X_test is not None else None),
            seconds=seconds, epochs=len(history), stop_reason=history.stop_reason, extra=extra)
    result.history = history  # the curves of every seed are drawn (mean and band)
    if keep:
        result.net = net
    return result


def time_engines(experiment: Experiment, cfg: Mapping[str, Any], dataset: Any, epochs: int) -> dict[str, Any]:
    """Seconds per epoch of ``cfg`` on each engine: the median of ``epochs`` epochs after one warm-up epoch."""
    out: dict[str, Any] = {}
    config = fit_config(cfg, cfg["seed"], experiment.name)
    for engine in ENGINES:
        if engine == "auto":  # not an engine of its own: numba or numpy, timed under their names
            continue
        net = build_network(cfg, cfg["seed"], dataset, experiment.name)
        try:
            history = fit(net, dataset.X_train, dataset.y_train, config=config.override(epochs=epochs + 1, engine=engine),
                          verbose=0)
        except EngineUnavailableError as exc:
            out[engine] = f"not available: {exc}"
            continue
        out[engine] = float(np.median(history["time"][1:]))
    return out
