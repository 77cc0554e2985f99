"""FitConfig: every setting of a training run, checked once, saved in checkpoints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core import _checks as check
from .optimizers import Optimizer, get_optimizer
from .schedules import Schedule, get_schedule

NONFINITE_POLICIES = ("raise", "stop", "skip")


@dataclass(frozen=True)
class FitConfig:
    optimizer: Optimizer
    epochs: int
    batch_size: int | None
    l2: float
    keep_prob: tuple[float, ...]
    schedule: Schedule
    shuffle: str
    seed: int
    on_nonfinite: str
    max_skips: int
    engine: str

    @classmethod
    def build(cls, net: Any, *, optimizer: Any, lr: Any, epochs: Any, batch_size: Any, l2: Any, keep_prob: Any,
              schedule: Any, shuffle: Any, seed: Any, on_nonfinite: Any, max_skips: Any, engine: Any) -> "FitConfig":
        if seed is None:
            import numpy as np
            seed = int(np.random.SeedSequence().entropy % (2**32))
        if shuffle is True:
            shuffle = "random"
        if shuffle is False or shuffle is None:
            shuffle = "none"
        return cls(
            optimizer=get_optimizer(optimizer, lr),
            epochs=check.integer("epochs", epochs, low=1),
            batch_size=None if batch_size is None else check.integer("batch_size", batch_size, low=1),
            l2=check.real("l2", l2, low=0.0),
            keep_prob=check.keep_probs(keep_prob, len(net.hidden)),
            schedule=get_schedule(schedule),
            shuffle=check.choice("shuffle", shuffle, ("random", "course", "none")),
            seed=check.integer("seed", seed, low=0, high=2**32 - 1),
            on_nonfinite=check.choice("on_nonfinite", on_nonfinite, NONFINITE_POLICIES),
            max_skips=check.integer("max_skips", max_skips, low=0),
            engine=check.choice("engine", engine, ("numpy", "tensorflow")),
        )

    @property
    def dropout(self) -> bool:
        """Whether any hidden layer drops units (keep_prob < 1)."""
        return any(p < 1.0 for p in self.keep_prob)

    def to_dict(self) -> dict[str, Any]:
        return {
            "optimizer": self.optimizer.config(), "epochs": self.epochs, "batch_size": self.batch_size,
            "l2": self.l2, "keep_prob": list(self.keep_prob), "schedule": self.schedule.config(),
            "shuffle": self.shuffle, "seed": self.seed, "on_nonfinite": self.on_nonfinite,
            "max_skips": self.max_skips, "engine": self.engine,
        }

    def resumable_diff(self, saved: dict[str, Any]) -> list[str]:
        """Settings that differ from a checkpoint's (epochs and engine may change on resume)."""
        now = self.to_dict()
        return [k for k in now if k not in ("epochs", "engine") and now[k] != saved.get(k)]
