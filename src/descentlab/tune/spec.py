"""A tune spec: an experiment TOML (data set and base configuration) with a ``[space]`` to search.

::

    name = "moons-adam"                  # optional; the study's name (default: the file name)
    dataset = "moons"                    # a built-in name or a .csv/.npz file or image folder
    [base]                               # the settings every trial starts from
    layers = [2, 10, 5, 1]
    optimizer = "adam"
    epochs = 300
    [space]                              # what to search (see descentlab.experiments.space)
    lr = { log_uniform = [1e-4, 1e-1] }
    beta1 = { one_minus_log_uniform = [0.8, 0.999] }
    [quick]                              # optional: overrides for --quick (e.g. fewer epochs)
    epochs = 30
    [tune]                               # optional: defaults of the command's options
    trials = 40
    objective = "val_cost"               # or "val_accuracy"
    validation = 0.25                    # fraction of the training data held out, drawn with split_seed
    sampler = "random"                   # "grid", "tpe"
    pruner = "median"                    # "none", "successive_halving", "hyperband"

Everything is checked before anything runs; a mistake is one
:class:`~descentlab.errors.InputError` naming the file and the key (``space.lr.log_uniform``).
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Mapping

from .. import _checks as check
from ..errors import InputError
from ..experiments.comparison import MAX_BYTES
from ..experiments.space import Dimension, parse_space, space_dict
from ..experiments.spec import DEFAULTS, Arm, Experiment

TOP_KEYS = ("name", "title", "description", "dataset", "dataset_options", "base", "space", "quick", "tune")
OBJECTIVES = {"val_cost": "minimize", "val_accuracy": "maximize"}
SAMPLERS = ("random", "grid", "tpe")
PRUNERS = ("none", "median", "successive_halving", "hyperband")


@dataclass(frozen=True)
class TuneOptions:
    """How a search runs (the ``[tune]`` table, overridden by the command's options or ``tune()``'s keywords).

    ``trials`` is the study's total of finished trials (complete or pruned): a rerun of an
    interrupted search runs only the missing ones. ``timeout`` (seconds) stops starting trials
    after that time; running trials finish. ``seeds``: each trial trains that many networks
    (seeds base, base + 1, ...) in lockstep and scores their mean. ``report_every``: epochs
    between validation scores (what the pruner sees and the curves figure shows); default epochs / 10.
    """

    objective: str = "val_cost"
    validation: float = 0.2
    split_seed: int | None = None
    trials: int = 20
    timeout: float | None = None
    seeds: int = 1
    sampler: str = "random"
    sampler_seed: int | None = None
    pruner: str = "none"
    report_every: int | None = None
    grid_points: int | None = None
    heartbeat: int = 5
    quick: bool = False

    def __post_init__(self) -> None:
        norm = {
            "objective": check.choice("objective", self.objective, OBJECTIVES),
            "validation": check.real("validation", self.validation, low=0.0, high=1.0, low_open=True, high_open=True),
            "split_seed": None if self.split_seed is None else check.integer("split_seed", self.split_seed, low=0,
                                                                              high=2**32 - 1),
            "trials": check.integer("trials", self.trials, low=1),
            "timeout": None if self.timeout is None else check.real("timeout", self.timeout, low=0.0, low_open=True),
            "seeds": check.integer("seeds", self.seeds, low=1),
            "sampler": check.choice("sampler", self.sampler, SAMPLERS),
            "sampler_seed": None if self.sampler_seed is None else check.integer("sampler_seed", self.sampler_seed,
                                                                                  low=0, high=2**32 - 1),
            "pruner": check.choice("pruner", self.pruner, PRUNERS),
            "report_every": None if self.report_every is None else check.integer("report_every", self.report_every, low=1),
            "grid_points": None if self.grid_points is None else check.integer("grid_points", self.grid_points, low=2),
            "heartbeat": check.integer("heartbeat", self.heartbeat, low=1),
        }
        if not isinstance(self.quick, bool):
            raise check.fail("quick", self.quick, "true or false")
        for name, value in norm.items():
            object.__setattr__(self, name, value)

    @property
    def direction(self) -> str:
        return OBJECTIVES[self.objective]

    def merged(self, **given: Any) -> "TuneOptions":
        """These options with the ``given`` ones (None means: not given) replacing them."""
        return replace(self, **{k: v for k, v in given.items() if v is not None})


OPTION_NAMES = tuple(f.name for f in fields(TuneOptions))


@dataclass(frozen=True)
class TuneSpec:
    """A checked spec: the experiment (data, base, quick), the space and the options of its [tune] table."""

    experiment: Experiment
    space: tuple[Dimension, ...]
    options: TuneOptions = field(default_factory=TuneOptions)

    @property
    def name(self) -> str:
        return self.experiment.name

    def base(self, quick: bool) -> dict[str, Any]:
        """Defaults, then [base], then [quick] when ``quick``: what every trial starts from."""
        return self.experiment.config(self.experiment.arms[0], quick)

    def fingerprint(self, options: TuneOptions) -> dict[str, Any]:
        """What a study was made from: a rerun with another spec must use another study name."""
        exp = self.experiment
        return json.loads(json.dumps({
            "dataset": exp.dataset, "dataset_options": dict(exp.dataset_options), "base": self.base(options.quick),
            "space": space_dict(self.space), "objective": options.objective, "validation": options.validation,
            "split_seed": options.split_seed, "seeds": options.seeds}, default=str, sort_keys=True))


def load_spec(path: Any) -> TuneSpec:
    """A :class:`TuneSpec` from a TOML file, strictly validated."""
    import tomllib
    if not isinstance(path, (str, os.PathLike)):
        raise check.fail("spec", path, "a path to a .toml file")
    p = Path(path).expanduser()
    where = str(p)
    if not p.is_file():
        raise InputError(f"{where}: expected an existing .toml file, received a path that "
                         f"{'is a folder' if p.is_dir() else 'does not exist'}")
    if p.stat().st_size > MAX_BYTES:
        raise InputError(f"{where}: expected a TOML file under {MAX_BYTES} bytes, received {p.stat().st_size} bytes")
    try:
        doc = tomllib.loads(p.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(f"{where}: expected UTF-8 text, received undecodable bytes ({exc.reason} at byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{where}: expected valid TOML, received a syntax error ({exc})") from None
    return spec_from_dict(doc, where, base_dir=p.parent, default_name=p.stem)


def spec_from_dict(doc: Mapping[str, Any], where: str = "spec", *, base_dir: Any = None,
                   default_name: str = "tune") -> TuneSpec:
    """A :class:`TuneSpec` from a parsed TOML document (or the same structure built in Python)."""
    from ..experiments.comparison import _resolve_dataset
    if not isinstance(doc, Mapping):
        raise check.fail(where, doc, "a TOML table")
    for key in doc:
        if key not in TOP_KEYS:
            hint = " (a tune spec has a [space] to search, not [[arms]])" if key == "arms" else ""
            raise check.fail(f"{where}: {key}", doc[key], f"no such key{hint}; top-level keys are {list(TOP_KEYS)}")
    name = doc.get("name", default_name)
    for key in ("name", "title", "description"):
        if key in doc and (not isinstance(doc[key], str) or (key == "name" and not doc[key].strip())):
            raise check.fail(f"{where}: {key}", doc[key], "a non-empty string" if key == "name" else "a string")
    dataset = doc.get("dataset")
    if not isinstance(dataset, str) or not dataset.strip():
        raise check.fail(f"{where}: dataset", dataset, "a built-in name (circles, moons, football, signs) or a file path")
    for key in ("dataset_options", "base", "quick", "tune"):
        if key in doc and not isinstance(doc[key], Mapping):
            raise check.fail(f"{where}: {key}", doc[key], f"a table [{key}]")
    if "space" not in doc:
        raise InputError(f"{where}: space: expected a [space] table of hyperparameters to search, received nothing")
    space = parse_space(doc["space"], f"{where}: space")
    _check_base(doc.get("base", {}), space, where)
    exp = Experiment(name=name, title=doc.get("title", f"Hyperparameter search: {name}"),
                     dataset=_resolve_dataset(dataset, base_dir), base=doc.get("base", {}), arms=(Arm("best"),),
                     description=doc.get("description", ""), quick=doc.get("quick", {}),
                     dataset_options=doc.get("dataset_options", {}), one_factor=False, source=where)
    return TuneSpec(exp, space, _options(doc.get("tune", {}), f"{where}: tune"))


def _check_base(base: Mapping[str, Any], space: tuple[Dimension, ...], where: str) -> None:
    if "layers" not in base and "layers" not in {d.key for d in space}:
        raise InputError(f"{where}: base.layers: expected a value (a list of layer sizes) or a layers choice in "
                         "[space], received nothing")


def _options(table: Mapping[str, Any], where: str) -> TuneOptions:
    for key in table:
        if key not in OPTION_NAMES or key == "quick":
            raise check.fail(f"{where}.{key}", table[key], f"an option of [tune] (one of "
                             f"{[n for n in OPTION_NAMES if n != 'quick']})")
    try:
        return TuneOptions(**table)
    except InputError as exc:
        raise InputError(f"{where}.{exc}") from None
    except TypeError as exc:
        raise InputError(f"{where}.{exc}") from None


def effective(options: TuneOptions, spec: TuneSpec) -> TuneOptions:
    """Options with their defaults that depend on the spec filled in (split and sampler seeds, report_every)."""
    base = spec.base(options.quick)
    seed = int(base.get("seed", DEFAULTS["seed"]))
    epochs = int(base.get("epochs", DEFAULTS["epochs"]))
    return replace(options, split_seed=seed if options.split_seed is None else options.split_seed,
                   sampler_seed=seed if options.sampler_seed is None else options.sampler_seed,
                   report_every=options.report_every or max(1, math.ceil(epochs / 10)))


def options_dict(options: TuneOptions) -> dict[str, Any]:
    return asdict(options)
