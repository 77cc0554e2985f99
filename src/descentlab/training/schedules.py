"""Learning-rate schedules: ``schedule(lr0, epoch) -> lr`` for the epoch about to run (0-based).

==============  =========================================  ==========================
name            α(epoch)                                   course function
==============  =========================================  ==========================
constant        α0
inverse_time    α0 / (1 + rate · epoch)                    update_lr
staircase       α0 / (1 + rate · ⌊epoch / interval⌋)       schedule_lr_decay
exponential     α0 · base^(epoch / interval)               (lecture: 0.95^epoch · α0)
power           α0 / (1 + rate · epoch)^power              (scikit-learn's invscaling with rate = m)
==============  =========================================  ==========================

``delay`` shifts a schedule by whole epochs: α(epoch) = schedule(max(epoch − delay, 0)).
The course's ``model`` updates the rate *after* epoch i with ``decay(α0, i, rate)``,
so epoch i + 1 runs at the value for i: that is ``delay=1``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any, ClassVar

from .. import _checks as check


@dataclass(frozen=True)
class Schedule:
    delay: int = 0
    name: ClassVar[str] = "constant"

    def __post_init__(self) -> None:
        object.__setattr__(self, "delay", check.integer("delay", self.delay, low=0))

    def __call__(self, lr0: float, epoch: int) -> float:
        return self.rate_at(lr0, max(epoch - self.delay, 0))

    def rate_at(self, lr0: float, epoch: int) -> float:
        return lr0

    def config(self) -> dict[str, Any]:
        return {"name": self.name, **asdict(self)}


@dataclass(frozen=True)
class Constant(Schedule):
    """α(epoch) = α0."""


@dataclass(frozen=True)
class InverseTimeDecay(Schedule):
    """α(epoch) = α0 / (1 + rate · epoch): the course's ``update_lr``."""

    rate: float = 1.0
    name: ClassVar[str] = "inverse_time"

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "rate", check.real("rate", self.rate, low=0.0))

    def rate_at(self, lr0, epoch):
        return lr0 / (1 + self.rate * epoch)


@dataclass(frozen=True)
class StaircaseDecay(Schedule):
    """α(epoch) = α0 / (1 + rate · ⌊epoch / interval⌋): the course's ``schedule_lr_decay``."""

    rate: float = 1.0
    interval: int = 1000
    name: ClassVar[str] = "staircase"

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "rate", check.real("rate", self.rate, low=0.0))
        object.__setattr__(self, "interval", check.integer("interval", self.interval, low=1))

    def rate_at(self, lr0, epoch):
        return lr0 / (1 + self.rate * math.floor(epoch / self.interval))


@dataclass(frozen=True)
class ExponentialDecay(Schedule):
    """α(epoch) = α0 · base^(epoch / interval); ``staircase`` floors the exponent."""

    base: float = 0.95
    interval: int = 1
    staircase: bool = False
    name: ClassVar[str] = "exponential"

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "base", check.real("base", self.base, low=0.0, high=1.0, low_open=True))
        object.__setattr__(self, "interval", check.integer("interval", self.interval, low=1))

    def rate_at(self, lr0, epoch):
        power = epoch // self.interval if self.staircase else epoch / self.interval
        return lr0 * self.base ** power


@dataclass(frozen=True)
class PowerDecay(Schedule):
    """α(epoch) = α0 / (1 + rate · epoch)^power.

    With ``rate`` = the number of training examples and ``power`` = ``power_t`` this is
    scikit-learn's ``learning_rate="invscaling"`` (α0 / (t + 1)^power_t, t the examples
    seen, updated after each epoch).
    """

    rate: float = 1.0
    power: float = 0.5
    name: ClassVar[str] = "power"

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "rate", check.real("rate", self.rate, low=0.0))
        object.__setattr__(self, "power", check.real("power", self.power, low=0.0))

    def rate_at(self, lr0, epoch):
        return lr0 / (1 + self.rate * epoch) ** self.power


SCHEDULES: dict[str, type[Schedule]] = {
    "constant": Constant, "inverse_time": InverseTimeDecay, "staircase": StaircaseDecay,
    "scheduled": StaircaseDecay, "exponential": ExponentialDecay, "power": PowerDecay,
}


def get_schedule(schedule: Any) -> Schedule:
    """A :class:`Schedule` from None (constant), an instance, a name, or a dict {"name": ..., **params}."""
    if schedule is None:
        return Constant()
    if isinstance(schedule, Schedule):
        return schedule
    if isinstance(schedule, dict):
        params = dict(schedule)
        name = params.pop("name", None)
        cls = SCHEDULES[check.choice("schedule", name, SCHEDULES)]
        allowed = {f.name for f in fields(cls)}
        for key in params:
            if key not in allowed:
                raise check.fail(f"schedule.{key}", params[key], f"one of the {cls.name} parameters {sorted(allowed)}")
        return cls(**params)
    if callable(schedule) and not isinstance(schedule, str):
        raise check.fail_type("schedule", schedule, "a Schedule, a name or a dict (plain functions cannot be saved in checkpoints)")
    return SCHEDULES[check.choice("schedule", schedule, SCHEDULES)]()
