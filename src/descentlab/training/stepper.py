"""Stepper: one training run driven a few steps at a time, the same run as ``fit``.

>>> import numpy as np, descentlab as dl
>>> X = np.random.default_rng(0).standard_normal((100, 2)); y = (X[:, 0] > 0).astype(int)
>>> run = dl.Stepper(dl.Network([2, 4, 1], seed=1), X, y, optimizer="adam", lr=0.01, batch_size=32, seed=0)
>>> run.step(10)               # ten optimizer steps (mini-batches), across epoch ends
10
>>> run.epoch, run.step_in_epoch, run.steps_per_epoch
(2, 2, 4)
>>> logs = run.run_epoch()     # to the end of the current epoch; its record, as fit's History has it
>>> run.set(lr=0.003)          # from the next step on (also l2 and keep_prob)
>>> run.reset()                # the initial weights and streams again, the current settings kept

Each call trains on the engine's runner (:class:`descentlab.engines.base.Runner`)
exactly as ``fit`` does: the epoch's order is drawn when the epoch starts, its
learning rate is ``schedule(lr, epoch)``, the dropout masks come from the run's
dropout stream, and the epoch is recorded in :attr:`history` when its last step
is done. So training in pieces, of any sizes, ends bit for bit where one call of
``fit`` with the same settings ends; ``fit`` itself runs on this class.

Changes between steps: ``set(lr=...)`` takes effect at the next step (the
schedule applies to the new base rate); ``set(l2=...)`` and ``set(keep_prob=...)``
rebuild the engine's runner around the same parameters, optimizer state and
dropout stream. Every change is logged in :attr:`changes` as
``(steps trained before it, {setting: value})``, so a run can be replayed.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any, Callable

import numpy as np

from .. import _checks as check
from ..core.network import Network
from ..engines import runner_class
from ..engines.base import EpochAccum, Runner, StepFault
from ..errors import NonFiniteError
from .batching import Shuffler
from .config import FitConfig
from .history import History
from .prepare import PreparedData, streams

__all__ = ["Stepper", "settle_config", "nonfinite_message"]


def settle_config(net: Network, config: Any, given: dict[str, Any], auto: str | None = None) -> FitConfig:
    """The run's FitConfig, resolved for ``net``: ``config`` with the given keywords, or the keywords alone;
    ``auto`` (when given) is the engine that ``engine="auto"`` means here."""
    if config is None:
        cfg = FitConfig(**given)
    elif not isinstance(config, FitConfig):
        raise check.fail_type("config", config, "a FitConfig (descentlab.training.FitConfig) or None")
    else:
        cfg = config.override(**given)
    if auto is not None and cfg.engine == "auto":
        cfg = cfg.override(engine=auto)
    return cfg.resolve(net)


def nonfinite_message(epoch: int, fault: StepFault, cfg: FitConfig, data: PreparedData) -> str:
    """Why a run stopped on a non-finite step, and the likely causes (a high rate, unscaled inputs)."""
    scale = float(np.abs(data.X).max())
    hints = [f"the learning rate ({cfg.optimizer.lr:g}) may be too high"]
    if scale > 10:
        hints.append(f"the inputs are not scaled (max |x| = {scale:g}; standardize them or divide by their range)")
    return (f"training diverged at epoch {epoch}, step {fault.step}: {fault.what}. "
            f"Kept {fault.kept}. Likely cause: {'; or '.join(hints)}.")


def _never() -> bool:
    return False


class Stepper:
    """A training run of ``net`` on (X, y) that trains when asked, k steps or an epoch at a time.

    Args:
        net: the :class:`~descentlab.Network`, trained in place.
        X, y: inputs (m, n_0) and targets, as for :func:`~descentlab.fit`.
        config: a :class:`~descentlab.training.FitConfig`; keyword ``settings`` (optimizer, lr,
            batch_size, l2, keep_prob, schedule, shuffle, seed, on_nonfinite, max_skips, engine,
            epochs) override it, as in ``fit``. ``epochs`` does not limit the stepper; it is the
            planned length (the validation set is always evaluated at its last epoch, as in fit).
            ``engine="auto"`` (the default) means the NumPy engine here, which can stop after any
            step; ``engine="numba"`` trains chunks of steps between stops, so ``step(k)`` may run past
            the k-th step (to the end of a chunk), as on TensorFlow.
        validation_data, validation_split, eval_every: as in ``fit``.

    Attributes:
        history: a :class:`~descentlab.History` with one record per finished epoch.
        epoch: the epochs finished; step_in_epoch: the steps done in the current one.
        steps: every step trained (skipped non-finite steps included).
        stopped: why training ended (divergence with ``on_nonfinite="stop"``), or None.
        changes: ``[(steps, {setting: value}), ...]``, the settings changed with :meth:`set`.
    """

    def __init__(self, net: Network, X: Any, y: Any, config: FitConfig | None = None, *,
                 validation_data: Any = None, validation_split: float = 0.0, eval_every: int = 1,
                 **settings: Any) -> None:
        if not isinstance(net, Network):
            raise check.fail_type("net", net, "a descentlab Network")
        unknown = sorted(set(settings) - set(FitConfig.__dataclass_fields__) - {"lr"})
        if unknown:
            raise check.fail(unknown[0], settings[unknown[0]], "a FitConfig setting (optimizer, lr, batch_size, ...)")
        cfg = settle_config(net, config, settings, auto="numpy")  # a Stepper stops after any step: see the class
        split = check.real("validation_split", validation_split, low=0.0, high=1.0, high_open=True)
        rngs = streams(cfg.seed)
        data = PreparedData.prepare(net, X, y, validation_data, split, rngs[2])
        self._start(net, cfg, data, rngs, check.integer("eval_every", eval_every, low=1))

    def _start(self, net: Network, cfg: FitConfig, data: PreparedData, rngs: tuple, eval_every: int) -> None:
        """Build the run's pieces from checked settings and prepared data (``fit`` enters here)."""
        self.net, self.cfg, self.data, self.eval_every = net, cfg, data, eval_every
        self._initial_theta = net.theta.copy()
        self.history = History(cfg.to_dict(), cfg.seed)
        self.changes: list[tuple[int, dict[str, Any]]] = []
        self._streams(rngs)

    def _streams(self, rngs: tuple) -> None:
        """Fresh shuffle order, dropout stream and engine runner (optimizer state at its start)."""
        shuffle_rng, self.dropout_rng, _ = rngs
        self.shuffler = Shuffler(self.cfg.shuffle, len(self.data.X), shuffle_rng)
        self.runner: Runner = runner_class(self.cfg.engine)(self.net, self.data.X, self.data.Y, self.data.labels,
                                                            self.cfg, self.dropout_rng)
        self.epoch = 0
        self.steps = 0
        self.accum: EpochAccum | None = None  # the open epoch's sums (None between epochs)
        self._perm: np.ndarray | None = None  # the open epoch's order
        self._lr = 0.0
        self._seconds = 0.0
        self.stopped: str | None = None

    # ------------------------------------------------------------------ reading the run
    @property
    def steps_per_epoch(self) -> int:
        return len(self.runner.bounds)

    @property
    def step_in_epoch(self) -> int:
        return 0 if self.accum is None else self.accum.step

    @property
    def lr(self) -> float:
        """The base learning rate (the schedule's α0); :meth:`current_lr` is this epoch's value."""
        return self.cfg.optimizer.lr

    def current_lr(self) -> float:
        """The learning rate of the next step: ``schedule(lr, epoch)``."""
        return self._lr if self._perm is not None else self.cfg.schedule(self.cfg.optimizer.lr, self.epoch)

    def evaluate(self, validation: bool = False) -> tuple[float, float, float | None]:
        """(data cost, L2 term, accuracy or None) of the current weights on the training (or validation) data.

        The L2 term is λ/(2m) Σ||W||² with m the training-set size, the term training minimizes;
        the data cost is (1/n) Σ_i L_i over the n examples evaluated. For other data use
        ``net.cost(X, y, l2)`` and ``net.accuracy(X, y)``.
        """
        self.runner.sync_to_net()
        d = self.data
        if validation and d.Xv is None:
            raise check.fail("validation", validation, "a run with validation_data or validation_split")
        X, Y, labels = (d.Xv, d.Yv, d.labels_v) if validation else (d.X, d.Y, d.labels)
        data_cost, accuracy = self.runner.evaluate(X, Y, labels)
        return data_cost, self.net.l2_cost(self.cfg.l2, len(d.X)), accuracy

    # ------------------------------------------------------------------ training
    def step(self, k: int = 1) -> int:
        """Train ``k`` steps (crossing epoch ends); return how many were done.

        Fewer when training stopped (divergence); more when a skipped non-finite step or an engine
        that trains in chunks (TensorFlow) ran past the k-th step before it could stop.
        """
        k = check.integer("k", k, low=0)
        done = 0
        while done < k and self.stopped is None:
            before = self.steps
            self.advance(self._stop_at(self.step_in_epoch + (k - done)))
            done += self.steps - before
        return done

    def _stop_at(self, target: int) -> Callable[[], bool]:
        return lambda: self.accum is not None and self.accum.step >= target

    def run_epoch(self) -> dict[str, Any] | None:
        """Train to the end of the current epoch (a whole one between epochs); return its record."""
        if self.stopped is None:
            self.advance(_never)
        return self.history.last() if self.accum is None and len(self.history) else None

    def run_epochs(self, n: int) -> History:
        """Train ``n`` whole epochs (finishing the open one first counts as one); return the history."""
        for _ in range(check.integer("n", n, low=0)):
            if self.run_epoch() is None:
                break
        return self.history

    def advance(self, stop: Callable[[], bool]) -> StepFault | None:
        """Train the open epoch's steps until it ends or ``stop()`` (asked after each step) is true.

        Returns the fault of a non-finite step (after :meth:`diverged` recorded it), else None.
        """
        if self._perm is None:
            self._perm = self.shuffler.permutation(self.epoch)
            self._lr = self.cfg.schedule(self.cfg.optimizer.lr, self.epoch)
            self.accum = self.accum or EpochAccum()  # a resumed checkpoint may hold a partial epoch
            self._seconds = 0.0
        acc, first = self.accum, self.accum.step
        t0 = time.perf_counter()
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # the guard checks every step
            fault = self.runner.run_epoch(self.epoch, self._perm, self._lr, acc, stop)
        self._seconds += time.perf_counter() - t0
        self.steps += acc.step - first
        if fault is not None:
            self.diverged(self.epoch, fault)
            return fault
        if acc.step == len(self.runner.bounds):
            self._close_epoch()
        return None

    def _close_epoch(self) -> None:
        self.runner.sync_to_net()
        self.end_epoch(self.epoch, self._lr, self.accum, self._seconds)
        self.epoch += 1
        self.accum, self._perm = None, None

    def end_epoch(self, epoch: int, lr: float, acc: Any, seconds: float) -> dict[str, Any]:
        """Record a finished epoch in the history (and evaluate the validation data when due)."""
        m = acc.seen or 1
        logs = {"epoch": epoch, "cost": (acc.loss + acc.l2) / m, "cost_data": acc.loss / m, "cost_l2": acc.l2 / m,
                "accuracy": acc.correct / m if self.net.head.is_classifier else None,
                "val_cost": None, "val_accuracy": None, "lr": lr, "time": seconds}
        if self.data.Xv is not None and ((epoch + 1) % self.eval_every == 0 or epoch + 1 == self.cfg.epochs):
            logs["val_cost"], logs["val_accuracy"] = self.runner.evaluate(self.data.Xv, self.data.Yv, self.data.labels_v)
        self.history.append(logs)
        return logs

    def diverged(self, epoch: int, fault: StepFault) -> None:
        """A non-finite step: keep the last finite weights, say why, and raise unless ``on_nonfinite="stop"``."""
        message = nonfinite_message(epoch, fault, self.cfg, self.data)
        self.history.stop_reason = self.stopped = message
        self.runner.sync_to_net()  # the engine kept the last finite parameters: make them the net's
        if self.cfg.on_nonfinite != "stop":
            self.before_raise()
            err = NonFiniteError(message, epoch=epoch, step=fault.step)
            err.history = self.history
            raise err

    def before_raise(self) -> None:
        """Called before a NonFiniteError leaves :meth:`diverged` (``fit`` ends its callbacks here)."""

    # ------------------------------------------------------------------ changes
    def set(self, *, lr: float | None = None, l2: float | None = None, keep_prob: Any = None) -> None:
        """Change the learning rate, λ or keep_prob from the next step on (checked like ``fit``'s)."""
        cfg = self.cfg
        if lr is not None:
            cfg = cfg.override(lr=check.real("lr", lr, low=0.0, low_open=True))
        if l2 is not None:
            cfg = replace(cfg, l2=l2)
        if keep_prob is not None:
            cfg = replace(cfg, keep_prob=keep_prob).resolve(self.net)
        given = {k: v for k, v in (("lr", lr), ("l2", l2), ("keep_prob", keep_prob)) if v is not None}
        if not given:
            return
        rebuild = cfg.l2 != self.cfg.l2 or cfg.keep_prob != self.cfg.keep_prob
        self.cfg = cfg
        if self._perm is not None:
            self._lr = cfg.schedule(cfg.optimizer.lr, self.epoch)
        if rebuild:
            self._rebuild_runner()
        self.changes.append((self.steps, given))

    def _rebuild_runner(self) -> None:
        """A new runner for the changed settings, around the same weights, optimizer state and dropout stream."""
        old = self.runner
        old.sync_to_net()
        arrays = {k: np.array(v, copy=True) for k, v in old.optimizer_arrays().items()}
        meta = old.optimizer_meta()
        self.runner = runner_class(self.cfg.engine)(self.net, self.data.X, self.data.Y, self.data.labels,
                                                    self.cfg, self.dropout_rng)
        self.runner.load_optimizer(arrays, meta)
        self.runner.skipped = old.skipped

    def reset(self) -> None:
        """Back to the initial weights, a fresh optimizer and the seed's streams; the current settings stay."""
        self.net.theta[...] = self._initial_theta
        self.history = History(self.cfg.to_dict(), self.cfg.seed)
        self.changes = []
        self._streams(streams(self.cfg.seed))
