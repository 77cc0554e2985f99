"""What an experiment is: a data set, a base configuration and arms that each change one factor.

An :class:`Experiment` is plain data (built-in presets and TOML comparisons are
the same thing), so new presets, and new engines, are added by writing data:

- ``dataset``: a built-in name (``descentlab.datasets.DATASETS``) or a path to a
  .csv/.npz file or an image folder (``descentlab.datasets.load``);
- ``base``: one flat configuration, the keys of :data:`KEYS` (network, training
  and engine settings together);
- ``arms``: each arm overrides a few keys of ``base`` that belong to ONE factor
  (:data:`KEYS` says which factor each key belongs to);
- ``quick``: overrides applied in ``--quick`` mode (fewer epochs), documented by ``quick_note``.

``seed`` seeds everything of a run: the network's initial weights (``Network(seed=)``,
the course's ``RandomState`` draws) and the training streams (``fit(seed=)``:
shuffling and dropout).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from ..errors import InputError, InputTypeError

# key -> (factor, what a valid value is)
KEYS: dict[str, tuple[str, str]] = {
    "layers": ("architecture", "a list of at least two positive integers: input size, hidden sizes, output size"),
    "hidden": ("architecture", "an activation name (relu, leaky_relu, tanh, sigmoid) or a list of them"),
    "output": ("architecture", "one of 'sigmoid', 'softmax', 'linear'"),
    "init": ("initialization", "an initializer name (zeros, random, he, lecun, xavier, glorot_uniform)"),
    "init_scale": ("initialization", "a positive number"),
    "seed": ("seed", "an integer in [0, 4294967295]"),
    "dtype": ("precision", "'float64' or 'float32'"),
    "engine": ("engine", "'numpy' or 'tensorflow'"),
    "preprocessing": ("preprocessing", "'none', 'standardize', a positive scale factor, or a table {scale = factor}"),
    "optimizer": ("optimizer", "one of 'gd', 'momentum', 'rmsprop', 'adam', 'adamw'"),
    "lr": ("optimizer", "a positive number"),
    "beta": ("optimizer", "a number in [0, 1) (momentum, rmsprop)"),
    "beta1": ("optimizer", "a number in [0, 1) (adam)"),
    "beta2": ("optimizer", "a number in [0, 1) (adam)"),
    "epsilon": ("optimizer", "a number >= 0 (rmsprop, adam)"),
    "weight_decay": ("optimizer", "a number >= 0 (adamw)"),
    "schedule": ("optimizer", "'constant', a schedule name, or a table {name = 'staircase', rate = 1, interval = 1000, delay = 1}"),
    "epochs": ("epochs", "a positive integer"),
    "batch_size": ("batching", "a positive integer or 'full'"),
    "shuffle": ("batching", "one of 'random', 'course', 'none'"),
    "l2": ("regularization", "a number >= 0 (lambda)"),
    "keep_prob": ("regularization", "a number in (0, 1] or a list of them, one per hidden layer"),
}

NETWORK_KEYS = ("layers", "hidden", "output", "init", "init_scale", "dtype", "preprocessing")
OPTIMIZER_HYPER = ("beta", "beta1", "beta2", "epsilon", "weight_decay")
REQUIRED = ("layers",)

DEFAULTS: dict[str, Any] = {
    "hidden": "relu", "output": "sigmoid", "init": "he", "seed": 1, "dtype": "float64", "engine": "numpy",
    "preprocessing": None, "optimizer": "adam", "epochs": 100, "batch_size": 64, "shuffle": "random",
    "l2": 0.0, "keep_prob": 1.0, "schedule": None,
}


def _bad(where: str, value: Any, expected: str) -> InputError:
    shown = repr(value)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return InputError(f"{where}: expected {expected}, received {shown}")


def _is_number(v: Any) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def _number(where: str, v: Any, expected: str, ok) -> float:
    if not _is_number(v) or not math.isfinite(float(v)) or not ok(float(v)):
        raise _bad(where, v, expected)
    return float(v)


def _integer(where: str, v: Any, expected: str, low: int, high: int | None = None) -> int:
    if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < low or (high is not None and v > high):
        raise _bad(where, v, expected)
    return int(v)


def _name(where: str, v: Any, expected: str, choices: tuple[str, ...] | None = None) -> str:
    if not isinstance(v, str):
        raise _bad(where, v, expected)
    key = v.strip().lower().replace("-", "_")
    if choices is not None and key not in choices:
        raise _bad(where, v, expected)
    return key


def normalize_value(key: str, value: Any, where: str) -> Any:
    """Check one configuration value (from Python or TOML) and return its normal form."""
    if key not in KEYS:
        shown = repr(value)
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        raise InputError(f"{where}: expected a known setting (one of {', '.join(sorted(KEYS))}), "
                         f"received {key} = {shown}")
    expected = KEYS[key][1]
    if key == "layers":
        if not isinstance(value, (list, tuple)) or len(value) < 2:
            raise _bad(where, value, expected)
        return [_integer(where, v, expected, 1) for v in value]
    if key == "hidden":
        if isinstance(value, (list, tuple)):
            return [_name(where, v, expected) for v in value]
        return _name(where, value, expected)
    if key == "output":
        return _name(where, value, expected, ("sigmoid", "softmax", "linear"))
    if key == "init":
        return _name(where, value, expected)
    if key == "init_scale":
        return _number(where, value, expected, lambda x: x > 0)
    if key == "seed":
        return _integer(where, value, expected, 0, 2**32 - 1)
    if key == "dtype":
        if value in (np.float64, np.float32):
            return np.dtype(value).name
        return _name(where, value, expected, ("float64", "float32"))
    if key == "engine":
        return _name(where, value, expected, ("numpy", "tensorflow"))
    if key == "preprocessing":
        return _preprocessing(where, value, expected)
    if key == "optimizer":
        return _name(where, value, expected, ("gd", "sgd", "momentum", "rmsprop", "adam", "adamw"))
    if key == "lr":
        return _number(where, value, expected, lambda x: x > 0)
    if key in ("beta", "beta1", "beta2"):
        return _number(where, value, expected, lambda x: 0 <= x < 1)
    if key in ("epsilon", "weight_decay", "l2"):
        return _number(where, value, expected, lambda x: x >= 0)
    if key == "schedule":
        return _schedule(where, value, expected)
    if key == "epochs":
        return _integer(where, value, expected, 1)
    if key == "batch_size":
        if value is None or (isinstance(value, str) and value.strip().lower() in ("full", "none", "all")):
            return None
        return _integer(where, value, expected, 1)
    if key == "shuffle":
        return _name(where, value, expected, ("random", "course", "none"))
    if key == "keep_prob":
        if isinstance(value, (list, tuple)):
            if not value:
                raise _bad(where, value, expected)
            return [_number(where, v, expected, lambda x: 0 < x <= 1) for v in value]
        return _number(where, value, expected, lambda x: 0 < x <= 1)
    raise AssertionError(key)  # pragma: no cover


def _preprocessing(where: str, value: Any, expected: str) -> Any:
    if value is None:
        return None
    if isinstance(value, str):
        key = _name(where, value, expected, ("none", "standardize"))
        return None if key == "none" else "standardize"
    if _is_number(value):
        return {"scale": _number(where, value, expected, lambda x: x > 0)}
    if isinstance(value, Mapping):
        if set(value) != {"scale"}:
            extra = sorted(set(value) - {"scale"})
            raise _bad(f"{where}.{extra[0]}" if extra else where, value, "only the key 'scale' (a positive factor)")
        return {"scale": _number(f"{where}.scale", value["scale"], "a positive number", lambda x: x > 0)}
    raise _bad(where, value, expected)


def _schedule(where: str, value: Any, expected: str) -> Any:
    from ..training.schedules import SCHEDULES, get_schedule
    if value is None:
        return None
    if isinstance(value, str):
        name = _name(where, value, expected, tuple(SCHEDULES) + ("none",))
        return None if name in ("none", "constant") else {"name": name}
    if isinstance(value, Mapping):
        if "name" not in value:
            raise _bad(where, dict(value), "a table with a 'name' (" + ", ".join(sorted(SCHEDULES)) + ")")
        params = dict(value)
        params["name"] = _name(f"{where}.name", params["name"], f"one of {sorted(SCHEDULES)}", tuple(SCHEDULES))
        cls = SCHEDULES[params["name"]]
        allowed = set(cls.__dataclass_fields__)
        for k, v in params.items():
            if k == "name":
                continue
            if k not in allowed:
                raise _bad(f"{where}.{k}", v, f"a parameter of the {params['name']} schedule: one of {sorted(allowed)}")
            if isinstance(v, bool) and k != "staircase":
                raise _bad(f"{where}.{k}", v, "a number")
        try:
            get_schedule(params)
        except (InputError, InputTypeError) as exc:
            raise InputError(f"{where}.{exc}") from None
        return params
    raise _bad(where, value, expected)


def normalize_config(config: Mapping[str, Any], where: str) -> dict[str, Any]:
    """Check every key and value of a (partial) configuration; unknown keys are errors."""
    if not isinstance(config, Mapping):
        raise _bad(where, config, "a table of settings")
    return {key: normalize_value(key, value, f"{where}.{key}") for key, value in config.items()}


def factors_of(overrides: Mapping[str, Any]) -> list[str]:
    """The factors (see :data:`KEYS`) an arm's overrides change, in order of first appearance."""
    seen: list[str] = []
    for key in overrides:
        f = KEYS[key][0]
        if f not in seen:
            seen.append(f)
    return seen


# ------------------------------------------------------------------------------------------ records
@dataclass(frozen=True)
class Arm:
    """One arm of an experiment: a name, the keys it changes, and what the course measured."""

    name: str
    overrides: Mapping[str, Any] = field(default_factory=dict)
    course: Mapping[str, float] | None = None  # e.g. {"train_accuracy": 0.83, "test_accuracy": 0.86}
    note: str = ""


@dataclass(frozen=True)
class Experiment:
    """A comparison: data set + base configuration + arms, plus how to check and show it."""

    name: str
    title: str
    dataset: str
    base: Mapping[str, Any]
    arms: tuple[Arm, ...]
    kind: str = "train"                 # "train" or "gradcheck" (see runner.KINDS)
    description: str = ""
    assignment: str = ""                # the course assignment this reproduces
    quick: Mapping[str, Any] = field(default_factory=dict)
    quick_note: str = ""
    dataset_options: Mapping[str, Any] = field(default_factory=dict)
    checks: str | None = None           # name of a conclusion checker (conclusions.CHECKERS)
    figures: tuple[str, ...] = ("cost", "boundary")
    log_cost: bool = False
    notes: tuple[str, ...] = ()
    course_source: str = ""
    one_factor: bool = True             # arms must change a single factor
    source: str = "preset"              # "preset" or the TOML file it came from
    engine_timing: int = 0              # epochs timed on each engine (0: no engine timing)

    @property
    def where(self) -> str:
        """How errors name this experiment: its TOML file, or the preset's name."""
        return self.name if self.source == "preset" else self.source

    def __post_init__(self) -> None:
        where = self.where
        object.__setattr__(self, "base", normalize_config(self.base, f"{where}: base"))
        object.__setattr__(self, "quick", normalize_config(self.quick, f"{where}: quick"))
        if not self.arms:
            raise InputError(f"{where}: arms: expected at least one arm, received none")
        names = set()
        arms = []
        for i, arm in enumerate(self.arms):
            if not isinstance(arm.name, str) or not arm.name.strip():
                raise _bad(f"{where}: arms[{i}].name", arm.name, "a non-empty string")
            if arm.name in names:
                raise _bad(f"{where}: arms[{i}].name", arm.name, "a name no other arm has")
            names.add(arm.name)
            overrides = normalize_config(arm.overrides, f"{where}: arms[{i}] ({arm.name})")
            changed = factors_of(overrides)
            if self.one_factor and len(changed) > 1:
                raise InputError(f"{where}: arms[{i}] ({arm.name}): expected overrides of ONE factor, received "
                                 f"{sorted(overrides)} which change {changed} (set one_factor = false to allow it)")
            arms.append(Arm(arm.name, overrides, arm.course, arm.note))
        object.__setattr__(self, "arms", tuple(arms))
        for key in REQUIRED:
            if key not in self.base and not all(key in a.overrides for a in self.arms):
                raise InputError(f"{where}: base.{key}: expected a value ({KEYS[key][1]}), received nothing")

    def config(self, arm: Arm, quick: bool = False) -> dict[str, Any]:
        """The full configuration of one arm: defaults, then base, the arm's overrides, and quick."""
        cfg = {**DEFAULTS, **self.base, **arm.overrides}
        if quick:
            cfg.update(self.quick)
        return cfg

    def arm(self, name: str) -> Arm:
        for a in self.arms:
            if a.name == name:
                return a
        raise _bad("arm", name, f"one of {[a.name for a in self.arms]}")

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "kind": self.kind, "dataset": self.dataset,
                "dataset_options": dict(self.dataset_options), "assignment": self.assignment,
                "description": self.description, "base": dict(self.base), "quick": dict(self.quick),
                "quick_note": self.quick_note, "source": self.source,
                "arms": [{"name": a.name, "overrides": dict(a.overrides), "course": None if a.course is None else dict(a.course),
                          "note": a.note} for a in self.arms]}


# --------------------------------------------------------------------------------- building objects
def build_network(cfg: Mapping[str, Any], seed: int, dataset: Any = None, where: str = "config"):
    """The Network of a configuration, seeded with ``seed``; names classes and images from ``dataset``."""
    from ..core.network import Network
    from ..core.preprocessing import Scale, Standardize
    layers = list(cfg["layers"])
    if dataset is not None:
        check_layers(cfg, dataset, where)
    prep = cfg.get("preprocessing")
    if prep == "standardize":
        if dataset is None:
            raise InputError(f"{where}.preprocessing: expected a data set to standardize on, received none")
        prep = Standardize.fit(dataset.X_train)
    elif isinstance(prep, Mapping):
        prep = Scale(prep["scale"])
    try:
        net = Network(layers, hidden=cfg["hidden"], output=cfg["output"], init=cfg["init"], seed=seed,
                      dtype=cfg["dtype"], init_scale=cfg.get("init_scale"), preprocessing=prep)
    except (InputError, InputTypeError) as exc:
        raise InputError(f"{where}: {exc}") from None
    if dataset is not None:
        if dataset.class_names:
            net.class_names = list(dataset.class_names)
        if dataset.image_shape is not None:
            net.info["image_shape"] = list(dataset.image_shape)
    return net


def check_layers(cfg: Mapping[str, Any], dataset: Any, where: str) -> None:
    """layers[0] must be the data's feature count; the output size must fit the labels."""
    layers = cfg["layers"]
    if layers[0] != dataset.n_features:
        raise _bad(f"{where}.layers", layers, f"first size {dataset.n_features}, the number of features of "
                   f"'{dataset.name}'")
    n_classes = dataset.n_classes
    if cfg["output"] == "softmax" and layers[-1] != n_classes:
        raise _bad(f"{where}.layers", layers, f"last size {n_classes}, one softmax unit per class of '{dataset.name}'")
    if cfg["output"] == "sigmoid" and (layers[-1] != 1 or n_classes > 2):
        expected = ("last size 1 (one sigmoid unit for 2 classes)" if n_classes <= 2 else
                    f"output = 'softmax' with last size {n_classes} ('{dataset.name}' has {n_classes} classes)")
        raise _bad(f"{where}.layers", layers, expected)


def fit_kwargs(cfg: Mapping[str, Any], seed: int, where: str = "config") -> dict[str, Any]:
    """The keyword arguments of ``fit`` for a configuration and a run seed (checked)."""
    from ..training.optimizers import get_optimizer
    hyper = {k: cfg[k] for k in OPTIMIZER_HYPER if cfg.get(k) is not None}
    try:
        optimizer = get_optimizer(cfg["optimizer"], cfg.get("lr"), **hyper)
    except (InputError, InputTypeError) as exc:
        raise InputError(f"{where}: {exc}") from None
    keep = cfg["keep_prob"]
    return {"optimizer": optimizer, "epochs": cfg["epochs"], "batch_size": cfg["batch_size"], "l2": cfg["l2"],
            "keep_prob": tuple(keep) if isinstance(keep, list) else keep, "schedule": cfg.get("schedule"),
            "shuffle": cfg["shuffle"], "seed": seed, "engine": cfg["engine"],
            "on_nonfinite": "stop"}  # a diverging arm is a result: it ends, keeps finite weights, says why


def validate(cfg: Mapping[str, Any], dataset: Any, where: str) -> None:
    """Build the network and the training settings once, so a bad arm fails before anything runs."""
    from ..training.config import FitConfig
    net = build_network(cfg, cfg["seed"], dataset, where)
    kwargs = fit_kwargs(cfg, cfg["seed"], where)
    try:
        FitConfig.build(net, optimizer=kwargs["optimizer"], lr=None, epochs=kwargs["epochs"],
                        batch_size=kwargs["batch_size"], l2=kwargs["l2"], keep_prob=kwargs["keep_prob"],
                        schedule=kwargs["schedule"], shuffle=kwargs["shuffle"], seed=kwargs["seed"],
                        on_nonfinite=kwargs["on_nonfinite"], max_skips=0, engine=kwargs["engine"])
    except (InputError, InputTypeError) as exc:
        raise InputError(f"{where}: {exc}") from None
