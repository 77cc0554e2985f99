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

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, NamedTuple

from .. import _checks as check
from ..core import memory
from ..core.activations import ACTIVATIONS
from ..core.initializers import INITIALIZER_NAMES, INITIALIZERS
from ..core.network import Network
from ..core.outputs import OUTPUTS
from ..core.preprocessing import Scale, Standardize
from ..engines import ENGINES
from ..errors import InputError, InputTypeError
from ..training.batching import SHUFFLES
from ..training.config import FitConfig
from ..training.optimizers import OPTIMIZERS, get_optimizer
from ..training.schedules import SCHEDULES, get_schedule


def _names(registry: Any) -> str:
    return ", ".join(repr(n) for n in registry)


class Key(NamedTuple):
    """A setting: the factor it belongs to, what a valid value is, and how to check it."""

    factor: str
    expected: str
    check: Callable[[Any, str], Any]


def _layers(v: Any, where: str) -> list[int]:
    return list(check.layer_dims(v))


def _hidden(v: Any, where: str) -> Any:
    if isinstance(v, (list, tuple)):
        return [check.choice(where, h, ACTIVATIONS) for h in v]
    return check.choice(where, v, ACTIVATIONS)


def _positive(v: Any, where: str) -> float:
    return check.real(where, v, low=0.0, low_open=True)


def _nonnegative(v: Any, where: str) -> float:
    return check.real(where, v, low=0.0)


def _beta(v: Any, where: str) -> float:
    return check.real(where, v, low=0.0, high=1.0, high_open=True)


def _probability(v: Any, where: str) -> float:
    return check.real(where, v, low=0.0, high=1.0, low_open=True)


def _keep_prob(v: Any, where: str) -> Any:
    if isinstance(v, (list, tuple)):
        if not v:
            raise check.fail(where, v, "a non-empty list")
        return [_probability(p, where) for p in v]
    return _probability(v, where)


def _dtype(v: Any, where: str) -> str:
    return check.float_dtype(where, v).name


def _batch_size(v: Any, where: str) -> int | None:
    if v is None or (isinstance(v, str) and v.strip().lower() in ("full", "none", "all")):
        return None
    return check.integer(where, v, low=1)


def _preprocessing(v: Any, where: str) -> Any:
    if v is None:
        return None
    if isinstance(v, str):
        if v.strip().lower() not in ("none", "standardize"):
            raise check.fail(where, v, KEYS["preprocessing"].expected)
        return None if v.strip().lower() == "none" else "standardize"
    if isinstance(v, Mapping):
        if set(v) != {"scale"}:
            extra = sorted(set(v) - {"scale"})
            raise check.fail(f"{where}.{extra[0]}" if extra else where, v, "only the key 'scale' (a positive factor)")
        return {"scale": check.real(f"{where}.scale", v["scale"], low=0.0, low_open=True)}
    try:
        return {"scale": _positive(v, where)}
    except (InputError, InputTypeError):
        raise check.fail(where, v, KEYS["preprocessing"].expected) from None


def _schedule(v: Any, where: str) -> Any:
    if v is None:
        return None
    if isinstance(v, str):
        name = check.choice(where, v, tuple(SCHEDULES) + ("none",))
        return None if name in ("none", "constant") else {"name": name}
    if not isinstance(v, Mapping):
        raise check.fail(where, v, KEYS["schedule"].expected)
    if "name" not in v:
        raise check.fail(where, dict(v), f"a table with a 'name' ({', '.join(sorted(SCHEDULES))})")
    params = {**v, "name": check.choice(f"{where}.name", v["name"], SCHEDULES)}
    allowed = set(SCHEDULES[params["name"]].__dataclass_fields__)
    for k, value in params.items():
        if k != "name" and k not in allowed:
            raise check.fail(f"{where}.{k}", value, f"a parameter of the {params['name']} schedule: one of {sorted(allowed)}")
        if k not in ("name", "staircase") and isinstance(value, bool):
            raise check.fail(f"{where}.{k}", value, "a number")
    try:
        get_schedule(params)
    except (InputError, InputTypeError) as exc:
        raise InputError(f"{where}.{exc}") from None
    return params


def _choice(registry: Any) -> Callable[[Any, str], str]:
    return lambda v, where: check.choice(where, v, registry)


# key -> (factor, what a valid value is, its check); the names come from the registries
KEYS: dict[str, Key] = {
    "layers": Key("architecture", "a list of at least two positive integers: input size, hidden sizes, output size", _layers),
    "hidden": Key("architecture", f"an activation name ({_names(ACTIVATIONS)}) or a list of them", _hidden),
    "output": Key("architecture", f"one of {_names(OUTPUTS)}", _choice(OUTPUTS)),
    "init": Key("initialization", f"an initializer name ({_names(INITIALIZER_NAMES)}; 'xavier' is glorot_normal)",
                _choice(INITIALIZERS)),
    "init_scale": Key("initialization", "a positive number", _positive),
    "seed": Key("seed", "an integer in [0, 4294967295]", lambda v, where: check.integer(where, v, low=0, high=2**32 - 1)),
    "dtype": Key("precision", "'float64' or 'float32'", _dtype),
    "engine": Key("engine", f"one of {_names(ENGINES)}", _choice(ENGINES)),
    "preprocessing": Key("preprocessing", "'none', 'standardize', a positive scale factor, or a table {scale = factor}",
                         _preprocessing),
    "optimizer": Key("optimizer", f"one of {_names(OPTIMIZERS)}", _choice(OPTIMIZERS)),
    "lr": Key("optimizer", "a positive number", _positive),
    "beta": Key("optimizer", "a number in [0, 1) (momentum, rmsprop)", _beta),
    "beta1": Key("optimizer", "a number in [0, 1) (adam)", _beta),
    "beta2": Key("optimizer", "a number in [0, 1) (adam)", _beta),
    "epsilon": Key("optimizer", "a number >= 0 (rmsprop, adam)", _nonnegative),
    "weight_decay": Key("optimizer", "a number >= 0 (adamw)", _nonnegative),
    "schedule": Key("optimizer", f"'constant', a schedule name ({_names(SCHEDULES)}), or a table "
                    "{name = 'staircase', rate = 1, interval = 1000, delay = 1}", _schedule),
    "epochs": Key("epochs", "a positive integer", lambda v, where: check.integer(where, v, low=1)),
    "batch_size": Key("batching", "a positive integer or 'full'", _batch_size),
    "shuffle": Key("batching", f"one of {_names(SHUFFLES)}", _choice(SHUFFLES)),
    "l2": Key("regularization", "a number >= 0 (lambda)", _nonnegative),
    "keep_prob": Key("regularization", "a number in (0, 1] or a list of them, one per hidden layer", _keep_prob),
}

NETWORK_KEYS = ("layers", "hidden", "output", "init", "init_scale", "dtype", "preprocessing")
OPTIMIZER_HYPER = ("beta", "beta1", "beta2", "epsilon", "weight_decay")
REQUIRED = ("layers",)

DEFAULTS: dict[str, Any] = {
    "hidden": "relu", "output": "sigmoid", "init": "he", "seed": 1, "dtype": "float64", "engine": "auto",
    "preprocessing": None, "optimizer": "adam", "epochs": 100, "batch_size": 64, "shuffle": "random",
    "l2": 0.0, "keep_prob": 1.0, "schedule": None,
}


def normalize_value(key: str, value: Any, where: str) -> Any:
    """Check one configuration value (from Python or TOML) and return its normal form.

    A bad value is an :class:`InputError` naming ``where``, the value and what the key takes.
    """
    if key not in KEYS:
        shown = repr(value)
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        raise InputError(f"{where}: expected a known setting (one of {', '.join(sorted(KEYS))}), "
                         f"received {key} = {shown}")
    try:
        return KEYS[key].check(value, where)
    except (InputError, InputTypeError):
        if key in ("schedule", "preprocessing"):
            raise  # already says which part of the table is wrong, and how
        raise check.fail(where, value, KEYS[key].expected) from None


def normalize_config(config: Mapping[str, Any], where: str) -> dict[str, Any]:
    """Check every key and value of a (partial) configuration; unknown keys are errors."""
    if not isinstance(config, Mapping):
        raise check.fail(where, config, "a table of settings")
    return {key: normalize_value(key, value, f"{where}.{key}") for key, value in config.items()}


def factors_of(overrides: Mapping[str, Any]) -> list[str]:
    """The factors (see :data:`KEYS`) an arm's overrides change, in order of first appearance."""
    seen: list[str] = []
    for key in overrides:
        f = KEYS[key].factor
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
    code: str | None = None  # None: descentlab trains it; else the course's own code runs it (course_runs.COURSE_RUNNERS)


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
    search: Mapping[str, Any] = field(default_factory=dict)  # kind "search": space, repeats, ... (see searches)

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
        names: dict[str, str] = {}
        arms = []
        for i, arm in enumerate(self.arms):
            if not isinstance(arm.name, str) or not arm.name.strip():
                raise check.fail(f"{where}: arms[{i}].name", arm.name, "a non-empty string")
            key = name_key(arm.name)
            if key in names:
                raise check.fail(f"{where}: arms[{i}].name", arm.name, f"a name no other arm has (it reads as "
                                 f"{names[key]!r}, ignoring case, spacing and Unicode variants)")
            names[key] = arm.name
            overrides = normalize_config(arm.overrides, f"{where}: arms[{i}] ({arm.name})")
            changed = factors_of(overrides)
            if self.one_factor and len(changed) > 1:
                raise InputError(f"{where}: arms[{i}] ({arm.name}): expected overrides of ONE factor, received "
                                 f"{sorted(overrides)} which change {changed} (set one_factor = false to allow it)")
            arms.append(Arm(arm.name, overrides, arm.course, arm.note, arm.code))
        object.__setattr__(self, "arms", tuple(arms))
        for key in REQUIRED:
            if key not in self.base and not all(key in a.overrides for a in self.arms):
                raise InputError(f"{where}: base.{key}: expected a value ({KEYS[key].expected}), received nothing")

    @property
    def engine_arms(self) -> tuple[Arm, ...]:
        """The arms descentlab trains (an arm with ``code`` runs the course's own code instead)."""
        return tuple(a for a in self.arms if not a.code)

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
        raise check.fail("arm", name, f"one of {[a.name for a in self.arms]}")

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "kind": self.kind, "dataset": self.dataset,
                "dataset_options": dict(self.dataset_options), "assignment": self.assignment,
                "description": self.description, "base": dict(self.base), "quick": dict(self.quick),
                "quick_note": self.quick_note, "source": self.source, **({"search": dict(self.search)} if self.search else {}),
                "arms": [{"name": a.name, "overrides": dict(a.overrides), "course": None if a.course is None else dict(a.course),
                          "note": a.note, **({"code": a.code} if a.code else {})} for a in self.arms]}


def name_key(name: str) -> str:
    """What makes two arm names the same for a reader: case, runs of spaces and Unicode variants (NFKC) ignored."""
    import unicodedata
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


# --------------------------------------------------------------------------------- building objects
def build_network(cfg: Mapping[str, Any], seed: int, dataset: Any = None, where: str = "config"):
    """The Network of a configuration, seeded with ``seed``; names classes and images from ``dataset``."""
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
        raise check.fail(f"{where}.layers", layers, f"first size {dataset.n_features}, the number of features of "
                         f"'{dataset.name}'")
    n_classes = dataset.n_classes
    if cfg["output"] == "softmax" and layers[-1] != n_classes:
        raise check.fail(f"{where}.layers", layers, f"last size {n_classes}, one softmax unit per class of '{dataset.name}'")
    if cfg["output"] == "sigmoid" and (layers[-1] != 1 or n_classes > 2):
        expected = ("last size 1 (one sigmoid unit for 2 classes)" if n_classes <= 2 else
                    f"output = 'softmax' with last size {n_classes} ('{dataset.name}' has {n_classes} classes)")
        raise check.fail(f"{where}.layers", layers, expected)


def fit_config(cfg: Mapping[str, Any], seed: int, where: str = "config") -> FitConfig:
    """The :class:`~descentlab.training.FitConfig` of a configuration and a run seed (checked).

    A diverging arm is a result: it ends, keeps finite weights and says why (``on_nonfinite="stop"``).
    """
    hyper = {k: cfg[k] for k in OPTIMIZER_HYPER if cfg.get(k) is not None}
    keep = cfg["keep_prob"]
    try:
        return FitConfig(optimizer=get_optimizer(cfg["optimizer"], cfg.get("lr"), **hyper), epochs=cfg["epochs"],
                         batch_size=cfg["batch_size"], l2=cfg["l2"],
                         keep_prob=tuple(keep) if isinstance(keep, list) else keep, schedule=cfg.get("schedule"),
                         shuffle=cfg["shuffle"], seed=seed, engine=cfg["engine"], on_nonfinite="stop")
    except (InputError, InputTypeError) as exc:
        raise InputError(f"{where}: {exc}") from None


def validate(cfg: Mapping[str, Any], dataset: Any, where: str, runs: int = 1) -> None:
    """Build the network and the training settings once, so a bad arm fails before anything runs.

    The memory the arm's network and training need, ``runs`` times (its seeds), is estimated first
    (:mod:`descentlab.core.memory`): an arm that does not fit is one line, before anything is allocated.
    """
    config = fit_config(cfg, cfg["seed"], where)
    if dataset is not None:
        memory.require_training(list(cfg["layers"]), cfg["dtype"], len(dataset.X_train), cfg["batch_size"],
                                optimizer=config.optimizer, l2=cfg["l2"], keep_prob=cfg["keep_prob"],
                                output=cfg["output"], runs=runs, name=f"{where}: layers")
    net = build_network(cfg, cfg["seed"], dataset, where)
    try:
        config.resolve(net)
    except (InputError, InputTypeError) as exc:
        raise InputError(f"{where}: {exc}") from None
