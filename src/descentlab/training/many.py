"""``fit_many``: train K networks of one architecture at once, in lockstep.

The runs may differ in initialization (the networks you pass), seed (shuffle
and dropout streams), learning rate, optimizer hyperparameters (β, β1, β2, ε),
λ and keep_prob; they share the architecture, the optimizer type, the schedule,
epochs and batch size. Each returns its own :class:`History`; run k ends where
``fit`` with the same settings and seed ends, up to floating-point rounding.

A run whose cost or gradient stops being finite is frozen at its last finite
parameters and its History says when (the others go on).
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any, Callable, Sequence

import numpy as np

from .. import _checks as check
from ..core import memory
from ..core.network import Network
from ..engines import lockstep_class, lockstep_engine
from ..errors import InputError
from . import threads
from .batching import Shuffler
from .config import DEFAULTS, FitConfig, given_settings
from .history import History
from .optimizers import configure
from .prepare import PreparedData, streams, summary


def _per_run(name: str, value: Any, K: int) -> list:
    if isinstance(value, (list, tuple, np.ndarray)) and not (name == "keep_prob" and len(value) != K):
        values = list(value)
        if len(values) != K:
            raise check.fail(name, value, f"one value, or a list of {K} values (one per run)")
        return values
    return [value] * K


def _check_same_architecture(nets: Sequence[Network]) -> None:
    """One architecture for all, and K distinct networks: each run writes its own parameters back."""
    if isinstance(nets, (str, bytes)) or not nets or not all(isinstance(n, Network) for n in nets):
        raise check.fail_type("nets", nets, "a non-empty list of descentlab Networks")
    first = nets[0]
    for i, net in enumerate(nets[1:], start=1):
        if (net.layer_dims, net.hidden, net.output, net.dtype) != (first.layer_dims, first.hidden, first.output, first.dtype):
            raise InputError(f"nets[{i}]: expected the architecture of nets[0] ({first!r}), received {net!r}")
    _check_distinct(nets)


def _check_distinct(nets: Sequence[Network]) -> None:
    """Refuse one Network twice, or two whose parameter buffers overlap: both runs would write one buffer."""
    seen: dict[int, int] = {}
    for i, net in enumerate(nets):
        j = seen.setdefault(id(net), i)
        if j != i:
            raise InputError(f"nets[{i}]: expected a network of its own, received the same Network object as nets[{j}] "
                             f"(both runs would write one set of parameters); pass net.copy() for a second run")
    by_start = sorted(range(len(nets)), key=lambda k: nets[k].theta.__array_interface__["data"][0])
    for a, b in zip(by_start, by_start[1:]):
        if np.shares_memory(nets[a].theta, nets[b].theta):
            i, j = max(a, b), min(a, b)
            raise InputError(f"nets[{i}]: expected a network of its own, received one whose parameters share memory "
                             f"with nets[{j}]; pass net.copy() for a second run")


def _require_memory(net: Network, cfgs: list[FitConfig], m: int) -> None:
    """Refuse, before the K runs' buffers are stacked, K runs that do not fit in memory together."""
    K, dims, dt, cfg = len(cfgs), net.layer_dims, net.dtype, cfgs[0]
    B = m if cfg.batch_size is None else min(cfg.batch_size, m)
    per_run = (memory.network_bytes(dims, dt)
               + memory.optimizer_bytes(dims, dt, len(cfg.optimizer.slots), any(c.l2 > 0 for c in cfgs), cfg.engine)
               + memory.workspace_bytes(dims, dt, B, any(c.dropout for c in cfgs))
               + B * (dims[0] + 1 + dims[-1]) * dt.itemsize)
    memory.require(K * per_run, "nets", f"{K} networks of layer sizes {list(dims)}",
                   f"{K} runs at once ({net.n_params:,} parameters each, batches of {B})")


def fit_many(nets: Sequence[Network], X: Any, y: Any, *, config: FitConfig | None = None,
             optimizer: Any = DEFAULTS["optimizer"], lr: Any = DEFAULTS["lr"], epochs: int = DEFAULTS["epochs"],
             batch_size: int | None = DEFAULTS["batch_size"], l2: Any = DEFAULTS["l2"],
             keep_prob: Any = DEFAULTS["keep_prob"], schedule: Any = DEFAULTS["schedule"],
             seeds: Sequence[int] | None = None, shuffle: str = DEFAULTS["shuffle"], validation_data: Any = None,
             eval_every: int = 1, blas_threads: int | None = 1, callbacks: Sequence[Any] = (),
             on_epoch: Callable[[int], Any] | None = None,
             **hyper: Any) -> list[History]:
    """Train every network in ``nets`` in place, in lockstep, and return their Histories.

    Per-run settings (``lr``, ``l2``, ``keep_prob``, ``seeds`` and optimizer
    hyperparameters such as ``beta`` or ``beta1``) are one value for all runs or a
    list with one value per run. ``config`` (a FitConfig) supplies every setting not
    given as a keyword. ``on_epoch(epoch)`` is called after each epoch (progress).
    Other arguments are as in :func:`~descentlab.fit`.

    ``callbacks`` are called as ``fit``'s are (``on_train_begin(run)``,
    ``on_epoch_end(epoch, logs, run)``, ``on_train_end(run)``), with ``logs`` mapping each
    History key to a (K,) array of the epoch's values (NaN where not measured) and ``run``
    a :class:`LockstepRun`: setting ``run.stop_training = True`` ends every run after the epoch.
    """
    _check_same_architecture(nets)
    cfgs = _run_configs(nets[0], config, given_settings(locals()), seeds, hyper, len(nets))
    eval_every = check.integer("eval_every", eval_every, low=1)
    rngs = [streams(c.seed) for c in cfgs]
    data = PreparedData.prepare(nets[0], X, y, validation_data, 0.0, rngs[0][2])
    _require_memory(nets[0], cfgs, len(data.X))
    runner = lockstep_class(cfgs[0].engine)(nets[0].layout, nets[0].activations, nets[0].head, np.stack([n.theta for n in nets]),
                        data.X, data.Y, data.labels, _stack_optimizer([c.optimizer for c in cfgs]),
                        np.array([c.l2 for c in cfgs]), np.array([c.keep_prob for c in cfgs]),
                        cfgs[0].batch_size, cfgs[0].shuffle != "random", [r[1] for r in rngs])
    shufflers = [Shuffler(c.shuffle, len(data.X), r[0]) for c, r in zip(cfgs, rngs)]
    histories = [History(c.to_dict(), c.seed) for c in cfgs]
    with threads.blas_threads(blas_threads):
        _train(runner, cfgs, shufflers, histories, data, eval_every, len(nets), list(callbacks), on_epoch)
    for k, net in enumerate(nets):
        net.theta[...] = runner.theta[k]
        net.info["training"] = summary(histories[k], cfgs[k])
    return histories


def _run_configs(net: Network, config: Any, given: dict[str, Any], seeds: Any, hyper: dict[str, Any],
                 K: int) -> list[FitConfig]:
    """One resolved FitConfig per run: the shared settings, then each run's lr, l2, keep_prob, seed and hyper."""
    per_run = {k: given.pop(k) for k in ("lr", "l2", "keep_prob") if k in given}
    if config is not None and not isinstance(config, FitConfig):
        raise check.fail_type("config", config, "a FitConfig (descentlab.training.FitConfig) or None")
    base = FitConfig(**given) if config is None else config.override(**given)
    engine = lockstep_engine(base.engine, net, base.optimizer)
    seeds = list(range(K)) if seeds is None else _per_run("seeds", list(seeds), K)
    lrs = _per_run("lr", per_run.get("lr"), K)
    l2s = _per_run("l2", per_run.get("l2", base.l2), K)
    kps = _per_run("keep_prob", per_run.get("keep_prob", base.keep_prob), K)
    hypers = {k: _per_run(k, v, K) for k, v in hyper.items()}
    return [base.override(optimizer=configure(base.optimizer, lr=lrs[k], **{h: v[k] for h, v in hypers.items()}),
                          l2=l2s[k], keep_prob=kps[k], seed=seeds[k], on_nonfinite="stop", max_skips=0,
                          engine=engine).resolve(net) for k in range(K)]


class _Recorder:
    """Per-epoch numbers of K runs in (epochs, K) arrays, turned into K Histories at the end."""

    KEYS = ("cost", "cost_data", "cost_l2", "accuracy", "val_cost", "val_accuracy", "lr", "time")

    def __init__(self, epochs: int, K: int) -> None:
        # grown per epoch run, never sized by the epochs asked for (a huge epochs would allocate up front)
        self.rows: dict[str, list[np.ndarray]] = {k: [] for k in self.KEYS}
        self.K = K
        self.last = np.full(K, -1)  # the last epoch each run recorded (a stopped run records no more)

    def record(self, epoch: int, acc: dict, lr: Any, seconds: float, val: Any, alive: np.ndarray, classify: bool) -> None:
        m = np.maximum(acc["seen"], 1)
        row = {"cost": (acc["loss"] + acc["l2"]) / m, "cost_data": acc["loss"] / m, "cost_l2": acc["l2"] / m,
               "accuracy": acc["correct"] / m if classify else np.nan, "lr": np.ravel(lr), "time": seconds}
        if val is not None:
            row["val_cost"] = val[0]
            if val[1] is not None:
                row["val_accuracy"] = val[1]
        for k in self.KEYS:
            value = np.full(self.K, np.nan)
            if k in row:
                value[...] = row[k]
            self.rows[k].append(value)
        self.last[alive] = epoch

    def row(self, epoch: int) -> dict[str, Any]:
        """One epoch's values of every run: key -> (K,) array (NaN: not measured)."""
        return {"epoch": epoch, **{k: self.rows[k][-1].copy() for k in self.KEYS}}

    def fill(self, histories: list[History]) -> None:
        table = {k: np.array(v).reshape(-1, self.K) for k, v in self.rows.items()}
        for k, h in enumerate(histories):
            n = int(self.last[k]) + 1
            h.history["epoch"] = list(range(n))
            for key in self.KEYS:
                column = table[key][:n, k].tolist()
                h.history[key] = [None if x != x else x for x in column]  # NaN: not measured


class LockstepRun:
    """What ``fit_many``'s callbacks see: the runs' Histories (filled at the end), which runs are alive,
    and ``stop_training``."""

    def __init__(self, histories: list[History], alive: np.ndarray) -> None:
        self.histories, self.alive, self.stop_training = histories, alive, False


def _train(runner, cfgs, shufflers, histories, data, eval_every, K, callbacks, on_epoch=None) -> None:
    lr0 = np.array([c.optimizer.lr for c in cfgs])[:, None]
    epochs = cfgs[0].epochs
    recorder = _Recorder(epochs, K)
    run = LockstepRun(histories, runner.alive)
    for cb in callbacks:
        cb.on_train_begin(run)
    for epoch in range(epochs):
        perm = shufflers[0].permutation(epoch) if runner.shared else np.stack([s.permutation(epoch) for s in shufflers])
        lr = cfgs[0].schedule(lr0, epoch)
        acc = {k: np.zeros(K) for k in ("loss", "l2", "correct", "seen")}
        alive = runner.alive.copy()
        t0 = time.perf_counter()
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            faults = runner.run_epoch(perm, lr, acc)
        val = None
        if data.Xv is not None and ((epoch + 1) % eval_every == 0 or epoch + 1 == epochs):
            val = runner.evaluate(data.Xv, data.Yv, data.labels_v)
        recorder.record(epoch, acc, lr, time.perf_counter() - t0, val, alive & runner.alive, runner.out.is_classifier)
        for k, step, what in faults:
            histories[k].stop_reason = (f"training diverged at epoch {epoch}, step {step}: {what}; this run was "
                                        "stopped and kept its last finite parameters")
        if on_epoch is not None:
            on_epoch(epoch)
        for cb in callbacks:
            cb.on_epoch_end(epoch, recorder.row(epoch), run)
        if run.stop_training or not runner.alive.any():
            break
    recorder.fill(histories)
    for cb in callbacks:
        cb.on_train_end(run)


def _stack_optimizer(opts: list) -> Any:
    """One optimizer whose numeric hyperparameters are (K, 1) columns, one row per run."""
    cls = type(opts[0])
    values = {}
    for f in dataclasses.fields(cls):
        column = [getattr(o, f.name) for o in opts]
        if isinstance(column[0], bool):
            if len(set(column)) > 1:
                raise check.fail(f.name, column, "the same value for every run")
            values[f.name] = column[0]
        else:
            values[f.name] = np.array(column, dtype=np.float64)[:, None]
    return cls(**values)
