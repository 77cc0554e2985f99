"""What every engine implements, and the types engines share with the training loop.

An engine trains one network description. ``fit`` (``descentlab.training``)
builds the engine's runner once per run and drives it epoch by epoch; the
runner keeps the network's NumPy buffer current when asked, so everything
after training (predict, save, plots) is the same whichever engine trained.
Engines depend on the core and on this module only.

A runner is built as ``Runner(net, X, Y, labels, settings, dropout_rng)``:

- ``net``: the :class:`~descentlab.Network` to train in place;
- ``X`` (m, n_0) and ``Y`` (m, n_L): the prepared training arrays (inputs cast and
  preprocessed; targets encoded), ``labels`` (m,) the class indices for softmax
  outputs (None otherwise);
- ``settings``: the run's :class:`Settings` (``descentlab.training.FitConfig``);
- ``dropout_rng``: the run's dropout stream (a ``numpy.random.Generator``), from which
  every engine draws the same masks in the same order
  (:func:`descentlab.core.regularization.draw_mask`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol, runtime_checkable

import numpy as np


# ----------------------------------------------------------------------------------- shared types
@dataclass
class EpochAccum:
    """Running sums of one epoch; a checkpoint can stop and restart it at ``step``."""

    step: int = 0
    loss: float = 0.0
    l2: float = 0.0
    correct: float = 0.0
    seen: int = 0

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class StepFault:
    """A step whose cost or gradient was not finite, and which parameters the runner kept."""

    step: int
    what: str
    kept: str
    skipped: list[tuple[int, str]] = field(default_factory=list)


class Settings(Protocol):
    """The settings of a run that a runner reads (``descentlab.training.FitConfig`` provides them)."""

    optimizer: Any           # an optimizer: init(theta, weight_mask) / update(theta, grad, state, lr) / rule(...)
    batch_size: int | None   # None: one batch of all m examples
    shuffle: str             # "random", "course" or "none"
    l2: float                # λ
    keep_prob: tuple[float, ...]   # one keep probability per hidden layer
    on_nonfinite: str        # "raise", "stop" or "skip"
    max_skips: int

    @property
    def dropout(self) -> bool: ...


@runtime_checkable
class Runner(Protocol):
    """One network trained by one engine (``fit`` drives it)."""

    bounds: list[tuple[int, int]]          # the batches of an epoch, (start, stop) into the epoch's order
    skipped: list[tuple[int, int, str]]    # (epoch, step, what) of the steps skipped as not finite

    def run_epoch(self, epoch: int, perm: np.ndarray, lr: float, acc: EpochAccum,
                  interrupted: Callable[[], bool]) -> StepFault | None:
        """Train steps ``acc.step ..`` of one epoch in the order ``perm`` at learning rate ``lr``; add to ``acc``."""

    def evaluate(self, X: np.ndarray, Y: np.ndarray, labels: np.ndarray | None) -> tuple[float, float | None]:
        """(data cost, accuracy or None) of the current parameters on prepared arrays."""

    def optimizer_arrays(self) -> dict[str, np.ndarray]:
        """The optimizer's state arrays (for a checkpoint)."""

    def optimizer_meta(self) -> dict[str, Any]:
        """The optimizer's other state, JSON-ready (the step count t)."""

    def load_optimizer(self, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> None:
        """Restore what :meth:`optimizer_arrays` and :meth:`optimizer_meta` returned."""

    def sync_to_net(self) -> None:
        """Make ``net.theta`` the engine's current parameters."""

    def sync_from_net(self) -> None:
        """Make the engine's parameters ``net.theta`` (after a resume or a restore)."""


@runtime_checkable
class LockstepRunner(Protocol):
    """K networks of one architecture trained together (``fit_many`` drives it).

    Every per-run quantity is an array with one entry per run.
    """

    K: int
    theta: np.ndarray                      # (K, P): row k is run k's parameters
    alive: np.ndarray                      # (K,) bool: the runs still training
    shared: bool                           # whether every run sees one example order

    def run_epoch(self, perm: np.ndarray, lr: np.ndarray, acc: dict[str, np.ndarray]) -> list[tuple[int, int, str]]:
        """One epoch of every live run (``perm`` (m,) shared or (K, m)); return (run, step, what) of the runs
        that stopped because a cost or gradient was not finite."""

    def evaluate(self, X: np.ndarray, Y: np.ndarray, labels: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None]:
        """Per-run (data cost, accuracy or None) on prepared arrays."""


# ----------------------------------------------------------------------------------- shared rules
def batch_bounds(m: int, batch_size: int | None) -> list[tuple[int, int]]:
    """[(start, stop), ...] covering range(m); the last batch may be smaller; None is one batch of all m."""
    size = m if batch_size is None else min(batch_size, m)
    return [(start, min(start + size, m)) for start in range(0, m, size)]


def needs_gather(settings: Settings, bounds: list[tuple[int, int]]) -> bool:
    """Whether a step must gather its examples in the epoch's order.

    A single full batch that is never shuffled is the data itself, and the sum
    over all of it does not depend on the order: no gather.
    """
    return settings.batch_size is not None and (len(bounds) > 1 or settings.shuffle == "random")


def nonfinite_what(loss: float) -> str:
    """What was not finite in a step: its cost, or else its gradient."""
    return f"the cost is {loss}" if not math.isfinite(loss) else "the gradient is not finite"
