"""Callbacks: hooks into ``fit`` (Keras-style), and early stopping.

A callback may define ``on_train_begin(run)``, ``on_epoch_end(epoch, logs, run)``
and ``on_train_end(run)``. ``run.net``, ``run.history`` are available, and
setting ``run.stop_training = True`` ends training after the current epoch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import _checks as check


class Callback:
    def on_train_begin(self, run: Any) -> None:
        pass

    def on_epoch_end(self, epoch: int, logs: dict[str, Any], run: Any) -> None:
        pass

    def on_train_end(self, run: Any) -> None:
        pass


@dataclass
class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by ``min_delta`` for ``patience`` epochs.

    With ``restore_best=True`` the parameters of the best epoch are put back at
    the end of training, whether patience ran out or the epochs did.
    """

    patience: int = 10
    min_delta: float = 0.0
    monitor: str = "val_cost"
    restore_best: bool = True
    best: float = field(default=math.inf, init=False)
    best_epoch: int | None = field(default=None, init=False)
    wait: int = field(default=0, init=False)
    best_theta: np.ndarray | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.patience = check.integer("patience", self.patience, low=0)
        self.min_delta = check.real("min_delta", self.min_delta, low=0.0)
        self.monitor = check.choice("monitor", self.monitor, ("val_cost", "cost"))

    def on_epoch_end(self, epoch, logs, run):
        value = logs.get(self.monitor)
        if value is None:
            return
        if value < self.best - self.min_delta:
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best:
                self.best_theta = run.net.theta.copy()
        else:
            self.wait += 1
            if self.wait > self.patience:
                run.stop_training = True
                run.history.stop_reason = f"early stopping: {self.monitor} did not improve for {self.patience} epochs"

    def on_train_end(self, run):
        run.history.best_epoch = self.best_epoch
        if self.restore_best and self.best_theta is not None:
            run.net.theta[...] = self.best_theta

    def get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        arrays = {} if self.best_theta is None else {"early_stopping.best_theta": self.best_theta}
        return {"best": None if math.isinf(self.best) else self.best, "best_epoch": self.best_epoch, "wait": self.wait}, arrays

    def set_state(self, state: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        self.best = math.inf if state.get("best") is None else float(state["best"])
        self.best_epoch, self.wait = state.get("best_epoch"), int(state.get("wait", 0))
        self.best_theta = arrays.get("early_stopping.best_theta")
