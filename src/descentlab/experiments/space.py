"""Search spaces: which values of each hyperparameter a search may try, on the scale the course teaches.

A space is a table from a setting (a key of :data:`~descentlab.experiments.spec.KEYS`)
to one distribution, written in TOML as ``[space]``::

    [space]
    lr = { log_uniform = [1e-4, 1e-1] }               # log10(lr) uniform in [-4, -1]
    beta = { one_minus_log_uniform = [0.9, 0.999] }   # log10(1 - beta) uniform in [-3, -1]
    l2 = { log_uniform = [1e-3, 10.0], grid = 5 }     # grid: points used by a grid search
    keep_prob = { uniform = [0.5, 1.0] }
    epochs = { int = [100, 1000], step = 100 }
    width = ...                                       # (not a setting: an error)
    layers = { choice = [[2, 10, 1], [2, 20, 3, 1]] }
    batch_size = { choice = [32, 64, 128, "full"] }

=========================  ============================================================  ==============
distribution               what is drawn                                                 scale
=========================  ============================================================  ==============
``log_uniform = [a, b]``   log x uniform in [log a, log b]; 0 < a < b                    log
``one_minus_log_uniform``  log(1 - x) uniform in [log(1 - b), log(1 - a)]; 0 <= a < b < 1  log of 1 - x
``uniform = [a, b]``       x uniform in [a, b]; a < b                                    linear
``int = [a, b]``           an integer in [a, b] (``step`` optional)                      linear
``log_int = [a, b]``       an integer, log x uniform; 1 <= a < b                         log
``choice = [v1, v2, ...]`` one of the values (numbers, names, lists, tables)            categories
=========================  ============================================================  ==============

Why these scales (the course, "Using an appropriate scale to pick hyperparameters"):
drawing the learning rate uniformly in [0.0001, 1] would spend 90% of the trials in
[0.1, 1]; on a log scale each decade gets the same share. For β of momentum or Adam,
1 - β is what matters (β = 0.9 averages about 10 steps, 0.999 about 1000), and it is
most sensitive near 1, so 1 - β is drawn on a log scale.

Every bound and every choice is checked with the setting's own check before anything
runs; a mistake is an :class:`~descentlab.errors.InputError` naming ``space.<key>``.
This module is shared by ``descentlab tune`` and the random-versus-grid experiment;
Optuna is imported only by the functions that need it.
"""

from __future__ import annotations

import json
import math
import numbers
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

from .. import _checks as check
from ..errors import InputError, InputTypeError
from .spec import KEYS, normalize_value

KINDS = {
    "log_uniform": "log",
    "one_minus_log_uniform": "one_minus_log",
    "uniform": "linear",
    "int": "linear",
    "log_int": "log",
    "choice": "categorical",
}
"""Each distribution and the scale its hyperparameter is drawn, gridded and plotted on."""

NOT_HYPERPARAMETERS = {"seed": "the seed is not a hyperparameter (average over seeds with --seeds)"}
OPTIONS = ("grid", "step")
EXAMPLE = "{ log_uniform = [1e-4, 1e-1] }"


def _round(x: float) -> float:
    """12 significant digits: values read the same in tables, TOML files and training."""
    return float(f"{x:.12g}")


@dataclass(frozen=True)
class Dimension:
    """One hyperparameter of a space: the setting, its distribution and (for a grid) its points.

    ``param`` is the name Optuna records: the setting's name, or ``one_minus_<key>`` for a
    ``one_minus_log_uniform`` dimension, whose Optuna value is 1 - x on a log scale.
    """

    key: str
    kind: str
    low: float | int | None = None
    high: float | int | None = None
    choices: tuple = ()
    grid: int | None = None
    step: int | None = None

    @property
    def scale(self) -> str:
        return KINDS[self.kind]

    @property
    def param(self) -> str:
        return f"one_minus_{self.key}" if self.kind == "one_minus_log_uniform" else self.key

    @property
    def encoded(self) -> tuple:
        """The choices as Optuna stores them: numbers, names, None; lists and tables as JSON text."""
        return tuple(_encode(c) for c in self.choices)

    def distribution(self) -> Any:
        """The Optuna distribution of :attr:`param`."""
        from optuna.distributions import (
            CategoricalDistribution,
            FloatDistribution,
            IntDistribution,
        )
        if self.kind == "choice":
            return CategoricalDistribution(self.encoded)
        if self.kind in ("int", "log_int"):
            return IntDistribution(int(self.low), int(self.high), log=self.kind == "log_int", step=self.step or 1)
        low, high = self.param_range()
        return FloatDistribution(low, high, log=self.scale != "linear")

    def param_range(self) -> tuple[float, float]:
        """The range of the Optuna parameter (for one_minus: of 1 - x)."""
        if self.kind == "one_minus_log_uniform":
            return _round(1.0 - self.high), _round(1.0 - self.low)
        return self.low, self.high

    def decode(self, value: Any) -> Any:
        """The setting's value of an Optuna parameter value."""
        if self.kind == "choice":
            return self.choices[self.encoded.index(value)]
        if self.kind in ("int", "log_int"):
            return int(value)
        if self.kind == "one_minus_log_uniform":
            return _round(1.0 - value)
        return _round(value)

    def suggest(self, trial: Any) -> Any:
        """Draw this dimension in an Optuna trial (``trial.suggest_*``); returns the setting's value."""
        if self.kind == "choice":
            return self.decode(trial.suggest_categorical(self.param, self.encoded))
        if self.kind in ("int", "log_int"):
            return int(trial.suggest_int(self.param, int(self.low), int(self.high), step=self.step or 1,
                                         log=self.kind == "log_int"))
        low, high = self.param_range()
        return self.decode(trial.suggest_float(self.param, low, high, log=self.scale != "linear"))

    def grid_values(self, n: int | None = None) -> list:
        """The grid points of :attr:`param`, evenly spaced on the dimension's scale (``n`` points, or ``grid``).

        log_uniform [1e-4, 1e-1] with 4 points: 1e-4, 1e-3, 1e-2, 1e-1; one_minus_log_uniform
        [0.9, 0.999] with 3 points: 1 - x = 0.001, 0.01, 0.1; a choice: every value.
        """
        if self.kind == "choice":
            return list(self.encoded)
        n = self.grid or n or 3
        if self.kind in ("int", "log_int"):
            raw = (np.geomspace if self.kind == "log_int" else np.linspace)(self.low, self.high, n)
            step = self.step or 1
            points = {int(self.low + step * round((v - self.low) / step)) for v in raw}
            return sorted(p for p in points if self.low <= p <= self.high)
        low, high = self.param_range()
        raw = np.geomspace(low, high, n) if self.scale != "linear" else np.linspace(low, high, n)
        points = [min(max(_round(v), low), high) for v in raw]
        points[0], points[-1] = low, high
        return points

    def describe(self) -> str:
        """The dimension as written in TOML, e.g. ``log_uniform = [0.0001, 0.1]``."""
        if self.kind == "choice":
            return f"choice = {json.dumps(list(self.choices))}"
        extra = (f", grid = {self.grid}" if self.grid else "") + (f", step = {self.step}" if self.step else "")
        return f"{self.kind} = [{self.low:g}, {self.high:g}]{extra}"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "scale": self.scale, "param": self.param}
        if self.kind == "choice":
            out["choices"] = list(self.choices)
        else:
            out.update(low=self.low, high=self.high)
        if self.grid:
            out["grid"] = self.grid
        if self.step:
            out["step"] = self.step
        return out


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return json.dumps(value, sort_keys=True)


# -------------------------------------------------------------------------------------- parsing
def parse_space(table: Any, where: str = "space") -> tuple[Dimension, ...]:
    """The dimensions of a ``[space]`` table, each checked (see the module docstring)."""
    if not isinstance(table, Mapping) or not table:
        raise check.fail(where, table, f"a table of hyperparameters, e.g. lr = {EXAMPLE}")
    return tuple(parse_dimension(key, spec, f"{where}.{key}") for key, spec in table.items())


def parse_dimension(key: str, spec: Any, where: str) -> Dimension:
    """One hyperparameter: ``{<distribution> = ..., grid = n, step = n}``."""
    if key in NOT_HYPERPARAMETERS:
        raise check.fail(where, spec, NOT_HYPERPARAMETERS[key])
    if key not in KEYS:
        raise check.fail(where, spec, f"a known hyperparameter (one of {', '.join(k for k in KEYS if k != 'seed')})")
    if not isinstance(spec, Mapping):
        raise check.fail(where, spec, f"a table with one distribution, e.g. {EXAMPLE} ({', '.join(KINDS)})")
    kinds = [k for k in spec if k in KINDS]
    unknown = [k for k in spec if k not in KINDS and k not in OPTIONS]
    if unknown:
        raise check.fail(f"{where}.{unknown[0]}", spec[unknown[0]],
                         f"a distribution ({', '.join(KINDS)}) or an option ({', '.join(OPTIONS)})")
    if len(kinds) != 1:
        raise check.fail(where, dict(spec), f"exactly one distribution ({', '.join(KINDS)})")
    kind = kinds[0]
    if kind == "choice":
        return _choice(key, spec, where)
    low, high = _bounds(key, kind, spec[kind], f"{where}.{kind}")
    grid = _option(spec, "grid", where, low=2)
    step = _option(spec, "step", where, low=1)
    if step is not None and kind != "int":
        raise check.fail(f"{where}.step", step, "no step (a step is for int ranges)")
    if step is not None and (high - low) % step:
        raise check.fail(f"{where}.step", step, f"a step that divides the range {high} - {low}")
    return Dimension(key, kind, low, high, grid=grid, step=step)


def _option(spec: Mapping[str, Any], name: str, where: str, low: int) -> int | None:
    if name not in spec:
        return None
    return check.integer(f"{where}.{name}", spec[name], low=low)


def _bounds(key: str, kind: str, value: Any, where: str) -> tuple[Any, Any]:
    """[low, high] of a numeric distribution: numbers, low < high, on the scale's domain, valid values of ``key``."""
    if not isinstance(value, Sequence) or isinstance(value, str) or len(value) != 2:
        raise check.fail(where, value, "a range [low, high]")
    integer = kind in ("int", "log_int")
    for v in value:
        if isinstance(v, bool) or not isinstance(v, numbers.Integral if integer else numbers.Real) or not math.isfinite(v):
            raise check.fail(where, value, f"a range [low, high] of two {'integers' if integer else 'finite numbers'}")
    low, high = value
    if not low < high:
        raise check.fail(where, value, "a non-empty range [low, high] with low < high")
    if kind in ("log_uniform", "log_int") and low <= 0:
        raise check.fail(where, value, "a range above 0 (a log scale cannot reach 0): 0 < low < high")
    if kind == "one_minus_log_uniform" and not (0 <= low and high < 1):
        raise check.fail(where, value, "a range with 0 <= low < high < 1 (1 - x on a log scale cannot reach 0)")
    for v in (low, high):
        _valid(key, v, where)
    if not integer:  # a continuous draw is not a whole number: settings that take integers need int / log_int
        inside = float(low) + 0.37 * (float(high) - float(low))
        try:
            normalize_value(key, inside, where)
        except (InputError, InputTypeError):
            raise check.fail(where, value, f"values of {key}: {KEYS[key].expected} (a {kind} range draws "
                                           f"numbers such as {inside:g}: use int or log_int)") from None
    return (int(low), int(high)) if integer else (float(low), float(high))


def _valid(key: str, value: Any, where: str) -> Any:
    """``value`` checked as a value of setting ``key`` (e.g. lr > 0, keep_prob in (0, 1])."""
    try:
        return normalize_value(key, value, where)
    except (InputError, InputTypeError):
        raise check.fail(where, value, f"values of {key}: {KEYS[key].expected}") from None


def _choice(key: str, spec: Mapping[str, Any], where: str) -> Dimension:
    values = spec["choice"]
    if "grid" in spec or "step" in spec:
        option = "grid" if "grid" in spec else "step"
        raise check.fail(f"{where}.{option}", spec[option], "no grid or step for a choice (a grid tries every choice)")
    if not isinstance(values, Sequence) or isinstance(values, str) or not values:
        raise check.fail(f"{where}.choice", values, "a non-empty list of values")
    normal = [_valid(key, v, f"{where}.choice[{i}]") for i, v in enumerate(values)]
    seen = []
    for i, v in enumerate(normal):
        if v in seen:
            raise check.fail(f"{where}.choice[{i}]", values[i], "values that differ from one another")
        seen.append(v)
    return Dimension(key, "choice", choices=tuple(values))


# ------------------------------------------------------------------------------------------ use
def sample(space: Sequence[Dimension], trial: Any) -> dict[str, Any]:
    """One configuration: every dimension drawn in an Optuna trial, in the space's order."""
    return {d.key: d.suggest(trial) for d in space}


def decode_params(space: Sequence[Dimension], params: Mapping[str, Any]) -> dict[str, Any]:
    """The settings of a finished trial's Optuna ``params`` (dimensions it did not draw are left out)."""
    return {d.key: d.decode(params[d.param]) for d in space if d.param in params}


def grid(space: Sequence[Dimension], points: int | None = None) -> dict[str, list]:
    """The grid of a grid search: Optuna parameter -> its points (``points`` per numeric dimension
    without its own ``grid``)."""
    return {d.param: d.grid_values(points) for d in space}


def grid_size(space: Sequence[Dimension], points: int | None = None) -> int:
    return int(np.prod([len(v) for v in grid(space, points).values()]))


def points_for(space: Sequence[Dimension], trials: int) -> int:
    """Points per numeric dimension (those without their own ``grid``) so that the grid has at most
    ``trials`` points, and at least 2 each: floor((trials / fixed part) ** (1 / free dimensions))."""
    free = [d for d in space if d.kind != "choice" and not d.grid]
    fixed = int(np.prod([len(d.grid_values()) for d in space if d not in free])) if len(free) < len(space) else 1
    if not free:
        return 2
    return max(2, int(math.floor((trials / fixed) ** (1.0 / len(free)) + 1e-9)))


def space_dict(space: Sequence[Dimension]) -> dict[str, Any]:
    return {d.key: d.to_dict() for d in space}
