"""FitConfig: every setting of a training run, as one value, checked once and saved in checkpoints.

>>> cfg = FitConfig(optimizer="adam", lr=0.0007, epochs=10000, shuffle="course", seed=3)
>>> cfg.optimizer
Adam(lr=0.0007, beta1=0.9, beta2=0.999, epsilon=1e-08)

``fit(net, X, y, config=cfg)`` trains with it (keywords given to ``fit`` as well
override its fields), ``dataclasses.replace(cfg, epochs=5)`` makes a variant, and
``cfg.to_dict()`` is what a checkpoint and a History record. Names come from the
registries: ``optimizer`` from :data:`~descentlab.training.optimizers.OPTIMIZERS`,
``schedule`` from :data:`~descentlab.training.schedules.SCHEDULES`, ``shuffle``
from :data:`~descentlab.training.batching.SHUFFLES`, ``engine`` from
:data:`descentlab.engines.ENGINES`.
"""

from __future__ import annotations

from dataclasses import InitVar, dataclass, fields, replace
from typing import Any

import numpy as np

from .. import _checks as check
from ..core import memory
from ..engines import ENGINES, resolve
from .batching import SHUFFLES
from .optimizers import configure, get_optimizer
from .schedules import get_schedule

NONFINITE_POLICIES = {
    "raise": "raise NonFiniteError (the History is attached to it)",
    "stop": "end training quietly, keeping the last finite parameters",
    "skip": "skip the step (at most max_skips times in a run)",
}
"""What ``fit`` does when a step's cost or gradient is NaN or infinite."""


@dataclass(frozen=True)
class FitConfig:
    """The settings of one training run (see :func:`~descentlab.fit` for each one's meaning).

    After construction every field holds its checked, normal form: ``optimizer`` an
    :class:`~descentlab.training.optimizers.Optimizer` (with ``lr`` folded in),
    ``schedule`` a :class:`~descentlab.training.schedules.Schedule`, ``keep_prob`` a
    number or a tuple, ``seed`` an integer (drawn from the operating system when None,
    so that the value repeats its run). :meth:`resolve` fits ``keep_prob`` to a network.
    """

    optimizer: Any = "adam"
    lr: InitVar[float | None] = None
    epochs: int = 100
    batch_size: int | None = 64
    l2: float = 0.0
    keep_prob: Any = 1.0
    schedule: Any = None
    shuffle: Any = "random"
    seed: int | None = None
    on_nonfinite: str = "raise"
    max_skips: int = 10
    engine: str = "auto"

    def __post_init__(self, lr: float | None) -> None:
        norm = {
            "optimizer": get_optimizer(self.optimizer, lr),
            "epochs": check.integer("epochs", self.epochs, low=1),
            "batch_size": None if self.batch_size is None else check.integer("batch_size", self.batch_size, low=1),
            "l2": check.real("l2", self.l2, low=0.0),
            "keep_prob": _keep_prob(self.keep_prob),
            "schedule": get_schedule(self.schedule),
            "shuffle": check.choice("shuffle", _shuffle_name(self.shuffle), SHUFFLES),
            "seed": check.integer("seed", _seed(self.seed), low=0, high=2**32 - 1),
            "on_nonfinite": check.choice("on_nonfinite", self.on_nonfinite, NONFINITE_POLICIES),
            "max_skips": check.integer("max_skips", self.max_skips, low=0),
            "engine": check.choice("engine", self.engine, ENGINES),
        }
        for name, value in norm.items():
            object.__setattr__(self, name, value)

    @classmethod
    def build(cls, net: Any, **settings: Any) -> "FitConfig":
        """A config from keyword settings, resolved for ``net``."""
        return cls(**settings).resolve(net)

    def resolve(self, net: Any) -> "FitConfig":
        """This config with ``keep_prob`` as one probability per hidden layer of ``net``, and the engine
        that runs (``"auto"``: numba when it works for ``net`` and the optimizer, else numpy).

        Also refuses, before training allocates it, optimizer state that does not fit in memory
        (:mod:`descentlab.core.memory`).
        """
        engine = resolve(self.engine, net, self.optimizer)
        memory.require(memory.optimizer_bytes(net.layer_dims, net.dtype, len(self.optimizer.slots), self.l2 > 0,
                                              engine),
                       "optimizer", self.optimizer.name,
                       f"the optimizer's state ({len(self.optimizer.slots)} arrays like the {net.n_params:,} parameters)")
        return replace(self, keep_prob=check.keep_probs(self.keep_prob, len(net.hidden)), engine=engine)

    def override(self, **given: Any) -> "FitConfig":
        """A copy with the ``given`` fields changed; an ``lr`` alone changes the optimizer's rate."""
        lr = given.pop("lr", None)
        if lr is not None and "optimizer" not in given:
            given["optimizer"] = configure(self.optimizer, lr=lr)
            lr = None
        return replace(self, lr=lr, **given)

    @property
    def dropout(self) -> bool:
        """Whether any hidden layer drops units (keep_prob < 1)."""
        return any(p < 1.0 for p in np.atleast_1d(self.keep_prob))

    def to_dict(self) -> dict[str, Any]:
        keep = self.keep_prob
        return {
            "optimizer": self.optimizer.config(), "epochs": self.epochs, "batch_size": self.batch_size,
            "l2": self.l2, "keep_prob": list(keep) if isinstance(keep, tuple) else [keep],
            "schedule": self.schedule.config(), "shuffle": self.shuffle, "seed": self.seed,
            "on_nonfinite": self.on_nonfinite, "max_skips": self.max_skips, "engine": self.engine,
        }

    def resumable_diff(self, saved: dict[str, Any]) -> list[str]:
        """Settings that differ from a checkpoint's (epochs and engine may change on resume)."""
        now = self.to_dict()
        return [k for k in now if k not in ("epochs", "engine") and now[k] != saved.get(k)]


SETTINGS = tuple(f.name for f in fields(FitConfig)) + ("lr",)
"""The names of FitConfig's settings (``lr`` included), which ``fit`` also takes as keywords."""


def _keep_prob(value: Any) -> Any:
    if isinstance(value, (list, tuple, np.ndarray)) and not isinstance(value, str):
        return tuple(check.real("keep_prob", p, low=0.0, high=1.0, low_open=True) for p in value)
    return check.real("keep_prob", value, low=0.0, high=1.0, low_open=True)


def _shuffle_name(value: Any) -> Any:
    if value is True:
        return "random"
    if value is False or value is None:
        return "none"
    return value


def _seed(seed: Any) -> Any:
    if seed is None:
        return int(np.random.SeedSequence().entropy % (2**32))
    return seed


class Default:
    """A setting a caller of ``fit``/``fit_many`` did not give: shows as its default, lets a config supply it."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return repr(self.value)


DEFAULTS = {name: Default(getattr(FitConfig, name, None)) for name in SETTINGS}
"""One :class:`Default` per setting, the keyword defaults of ``fit`` and ``fit_many``."""


def given_settings(values: dict[str, Any]) -> dict[str, Any]:
    """The settings among ``values`` (a function's keyword arguments) that the caller gave."""
    return {k: v for k, v in values.items() if k in SETTINGS and not isinstance(v, Default)}
