"""Running an experiment: every arm (over one or more seeds), the table, the figures, the files.

>>> from descentlab.experiments import PRESETS, run_experiment
>>> result = run_experiment(PRESETS["initialization"], quick=True)      # doctest: +SKIP
>>> print(result.table())                                              # doctest: +SKIP

Seeds: run i of an arm uses seed ``base seed + i`` for the weights, the shuffle
and the dropout streams. Run 0 keeps the course's seed, so ``seeds=1``
reproduces the course; a ``shuffle="course"`` order (the course's reseeding,
which ignores the seed) becomes a seeded ``"random"`` order for runs 1, 2, ...
so that every run sees a fresh order.
"""

from __future__ import annotations

import json
import math
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from ..errors import InputError
from ..training.callbacks import Callback
from .spec import Arm, Experiment, build_network, fit_kwargs, validate

CURVE_POINTS = 500  # cost-curve points stored per run in results.json


# ------------------------------------------------------------------------------------------ records
@dataclass
class RunResult:
    """One training run (one arm, one seed)."""

    seed: int
    final_cost: float | None = None     # cost of the final weights on the training set (L2 term included)
    initial_cost: float | None = None   # the first epoch's cost (full batch: the cost of the initial weights)
    train_accuracy: float | None = None
    test_accuracy: float | None = None
    seconds: float = 0.0
    epochs: int = 0
    stop_reason: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    history: Any = field(default=None, repr=False)
    net: Any = field(default=None, repr=False)

    def to_dict(self, curve: bool = False) -> dict[str, Any]:
        out = {"seed": self.seed, "final_cost": _num(self.final_cost), "initial_cost": _num(self.initial_cost),
               "train_accuracy": _num(self.train_accuracy), "test_accuracy": _num(self.test_accuracy),
               "seconds": round(self.seconds, 4), "epochs": self.epochs, "stop_reason": self.stop_reason,
               **_jsonable(self.extra)}
        if curve and self.history is not None and len(self.history):
            cost = self.history["cost"]
            idx = np.unique(np.linspace(0, len(cost) - 1, min(CURVE_POINTS, len(cost))).round().astype(int))
            out["cost_curve"] = {"epoch": [int(i) for i in idx], "cost": [_num(cost[i]) for i in idx]}
        return out


STAT_KEYS = ("final_cost", "initial_cost", "train_accuracy", "test_accuracy", "seconds")


@dataclass
class ArmResult:
    """The runs of one arm (one per seed) and their mean and standard deviation."""

    arm: Arm
    config: dict[str, Any]
    runs: list[RunResult]

    @property
    def name(self) -> str:
        return self.arm.name

    def values(self, key: str) -> list[float]:
        out = []
        for r in self.runs:
            v = getattr(r, key, None) if hasattr(r, key) else r.extra.get(key)
            if v is not None and isinstance(v, (int, float)) and math.isfinite(v):
                out.append(float(v))
        return out

    def mean(self, key: str) -> float | None:
        v = self.values(key)
        return float(np.mean(v)) if v else None

    def std(self, key: str) -> float | None:
        v = self.values(key)
        return float(np.std(v)) if v else None

    @property
    def first(self) -> RunResult:
        return self.runs[0]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.arm.name, "overrides": _jsonable(dict(self.arm.overrides)),
                               "note": self.arm.note, "n_seeds": len(self.runs),
                               "seeds": [r.seed for r in self.runs]}
        for key in STAT_KEYS:
            out[key] = _num(self.mean(key))
        out["std"] = {key: _num(self.std(key)) for key in STAT_KEYS}
        if self.arm.course:
            out["course"] = dict(self.arm.course)
        out["config"] = _jsonable(self.config)
        out["runs"] = [r.to_dict(curve=(i == 0)) for i, r in enumerate(self.runs)]
        return out


@dataclass
class ExperimentResult:
    """Everything one experiment measured, checked and drew."""

    experiment: Experiment
    arms: list[ArmResult]
    seeds: int
    quick: bool
    dataset: dict[str, Any]
    seconds: float
    conclusions: list[Any] = field(default_factory=list)
    figures: dict[str, bytes] = field(default_factory=dict, repr=False)   # file name -> PNG bytes
    captions: dict[str, str] = field(default_factory=dict)
    models: dict[str, Any] = field(default_factory=dict, repr=False)      # file name -> Network
    engine_seconds: dict[str, Any] = field(default_factory=dict)          # engine -> s/epoch, or why not

    @property
    def name(self) -> str:
        return self.experiment.name

    def arm(self, name: str) -> ArmResult:
        for a in self.arms:
            if a.name == name:
                return a
        raise InputError(f"arm: expected one of {[a.name for a in self.arms]}, received {name!r}")

    @property
    def passed(self) -> bool:
        """True when every enforced conclusion holds."""
        return all(c.passed is not False for c in self.conclusions if c.enforced)

    def to_dict(self) -> dict[str, Any]:
        return {
            "experiment": self.experiment.name, "title": self.experiment.title, "kind": self.experiment.kind,
            "assignment": self.experiment.assignment, "source": self.experiment.source,
            "quick": self.quick, "quick_note": self.experiment.quick_note if self.quick else None,
            "seeds": self.seeds, "seconds": round(self.seconds, 3), "dataset": self.dataset,
            "arms": [a.to_dict() for a in self.arms],
            "conclusions": [c.to_dict() for c in self.conclusions],
            "passed": self.passed,
            "figures": sorted(self.figures), "models": sorted(self.models),
            "engine_seconds_per_epoch": self.engine_seconds,
        }

    def table(self) -> str:
        return format_table(self)


def _num(v: Any) -> float | None:
    if v is None:
        return None
    v = float(v)
    return v if math.isfinite(v) else None


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return _num(value)
    if isinstance(value, (np.ndarray,)):
        return _jsonable(value.tolist())
    return value


# ------------------------------------------------------------------------------------------- seeds
def run_seeds(base_seed: int, n: int) -> list[int]:
    """The seeds of n runs: the base (course) seed first, then base + 1, base + 2, ..."""
    return [(base_seed + i) % 2**32 for i in range(n)]


def run_arm_seeds(experiment: Experiment, arm: Arm, dataset: Any, seeds: int = 1, *, quick: bool = False,
                  log: Callable[[str], None] | None = None) -> list[RunResult]:
    """Run one arm once per seed and return the runs, the course seed's run first.

    Run 0 (the course's seed, and order) trains on its own; the other seeds of a
    NumPy training arm train together in lockstep with :func:`~descentlab.fit_many`
    (K networks as the rows of one parameter buffer), which costs far less than K
    separate runs and ends where they would, up to rounding.
    """
    cfg = experiment.config(arm, quick)
    runner = KINDS[experiment.kind]
    all_seeds = run_seeds(cfg["seed"], seeds)
    out = [runner(experiment, arm, dict(cfg), dataset, all_seeds[0], keep=True)]
    rest = all_seeds[1:]
    if rest:
        rest_cfg = {**cfg, "shuffle": "random" if cfg.get("shuffle") == "course" else cfg.get("shuffle")}
        if experiment.kind == "train" and rest_cfg.get("engine", "numpy") == "numpy" and len(rest) > 1:
            out += train_runs_lockstep(experiment, arm, rest_cfg, dataset, rest)
        else:
            out += [runner(experiment, arm, dict(rest_cfg), dataset, seed, keep=False) for seed in rest]
    if log:
        for r in out:
            log(f"{experiment.name}: {arm.name} (seed {r.seed}): {r.seconds:.1f} s")
    return out


# ---------------------------------------------------------------------------------- training runs
class _EpochDiagnostics(Callback):
    """A fit callback: the dead ReLU units after the first epoch."""

    def __init__(self, X: np.ndarray) -> None:
        self.X = X
        self.dead: dict[str, int] | None = None

    def on_epoch_end(self, epoch: int, logs: dict[str, Any], run: Any) -> None:
        if epoch == 0:
            with np.errstate(all="ignore"):
                self.dead = _dead_counts(run.net.diagnose(self.X))


def _dead_counts(diag: Any) -> dict[str, int]:
    return {str(s.layer): len(s.dead_units) for s in diag.layers if s.activation in ("relu", "leaky_relu")
            and s.layer < len(diag.layers)}


def _positive_inputs(net: Any, X: np.ndarray) -> dict[str, Any]:
    """When every (preprocessed) input is >= 0: the mean input sum and the photo-to-photo spread of z1.

    An Adam step moves each first-layer weight by about lr, all in the same direction
    when the inputs are all positive, so it moves the unit's pre-activation by about
    lr x sum(x); compared with how much z1 varies across examples, it says how easily
    one step can push a unit below zero for every example (a dead ReLU).
    """
    Xp = net.prepare_inputs(X)
    if Xp.size == 0 or float(Xp.min()) < 0:
        return {}
    Z = (Xp @ net.params["W1"].T).astype(np.float64) + net.params["b1"]
    return {"positive_inputs": {"mean_input_sum": float(Xp.sum(axis=1, dtype=np.float64).mean()),
                                "z1_spread": float(Z.std(axis=0).mean())}}


def train_run(experiment: Experiment, arm: Arm, cfg: Mapping[str, Any], dataset: Any, seed: int,
              keep: bool = True) -> RunResult:
    """One training run of ``cfg`` with ``seed``: the numbers, diagnostics, history (and network)."""
    from ..training.fit import fit
    where = f"{experiment.name}: {arm.name}"
    net = build_network(cfg, seed, dataset, where)
    kwargs = fit_kwargs(cfg, seed, where)
    relu = any(h in ("relu", "leaky_relu") for h in net.hidden)
    extra: dict[str, Any] = {}
    callbacks = []
    if relu:
        with np.errstate(all="ignore"):
            extra["dead_units_init"] = _dead_counts(net.diagnose(dataset.X_train))
            extra.update(_positive_inputs(net, dataset.X_train))
        first = _EpochDiagnostics(dataset.X_train)
        callbacks.append(first)
    t0 = time.perf_counter()
    history = fit(net, dataset.X_train, dataset.y_train, verbose=0, callbacks=callbacks, **kwargs)
    seconds = time.perf_counter() - t0
    if history.interrupted:  # Ctrl-C: fit stopped cleanly; the experiment stops too and writes nothing
        raise KeyboardInterrupt
    if relu:
        extra["dead_units_epoch1"] = first.dead
    return _result(net, history, cfg, dataset, seed, seconds, extra, keep)


def train_runs_lockstep(experiment: Experiment, arm: Arm, cfg: Mapping[str, Any], dataset: Any,
                        seeds: Sequence[int]) -> list[RunResult]:
    """The runs of several seeds trained together by ``fit_many``; seconds are the lockstep time / K."""
    from ..training.many import fit_many
    where = f"{experiment.name}: {arm.name}"
    nets = [build_network(cfg, seed, dataset, where) for seed in seeds]
    kw = fit_kwargs(cfg, seeds[0], where)
    t0 = time.perf_counter()
    histories = fit_many(nets, dataset.X_train, dataset.y_train, optimizer=kw["optimizer"], epochs=kw["epochs"],
                         batch_size=kw["batch_size"], l2=kw["l2"], keep_prob=kw["keep_prob"],
                         schedule=kw["schedule"], seeds=list(seeds), shuffle=kw["shuffle"])
    seconds = (time.perf_counter() - t0) / len(seeds)
    return [_result(net, h, cfg, dataset, seed, seconds, {}, keep=False)
            for net, h, seed in zip(nets, histories, seeds)]


def _result(net: Any, history: Any, cfg: Mapping[str, Any], dataset: Any, seed: int, seconds: float,
            extra: dict[str, Any], keep: bool) -> RunResult:
    """The numbers and diagnostics of one finished run."""
    classify = net.output != "linear"
    costs = history["cost"]
    with np.errstate(all="ignore"):  # a run that diverged (and stopped) may hold huge weights
        diag = net.diagnose(dataset.X_train)
        extra["symmetric_layers"] = diag.symmetric_layers
        if any(h in ("relu", "leaky_relu") for h in net.hidden):
            extra["dead_units_final"] = _dead_counts(diag)
        extra["weight_norm2"] = float(sum(float(np.sum(net.params[f"W{l}"].astype(np.float64) ** 2))
                                          for l in range(1, len(net.layer_dims))))
        result = RunResult(
            seed=seed,
            final_cost=net.cost(dataset.X_train, dataset.y_train, l2=cfg["l2"]).total if len(history) else None,
            initial_cost=costs[0] if costs else None,
            train_accuracy=net.accuracy(dataset.X_train, dataset.y_train) if classify else None,
            test_accuracy=(net.accuracy(dataset.X_test, dataset.y_test)
                           if classify and dataset.X_test is not None else None),
            seconds=seconds, epochs=len(history), stop_reason=history.stop_reason, extra=extra)
    result.history = history  # the curves of every seed are drawn (mean and band)
    if keep:
        result.net = net
    return result


def time_engines(experiment: Experiment, cfg: Mapping[str, Any], dataset: Any, epochs: int) -> dict[str, Any]:
    """Seconds per epoch of ``cfg`` on each engine: the median of ``epochs`` epochs after one warm-up epoch."""
    from ..errors import EngineUnavailableError
    from ..training.fit import fit
    out: dict[str, Any] = {}
    for engine in ("numpy", "tensorflow"):
        net = build_network(cfg, cfg["seed"], dataset, experiment.name)
        kwargs = {**fit_kwargs(cfg, cfg["seed"], experiment.name), "epochs": epochs + 1, "engine": engine}
        try:
            history = fit(net, dataset.X_train, dataset.y_train, verbose=0, **kwargs)
        except EngineUnavailableError as exc:
            out[engine] = f"not available: {exc}"
            continue
        out[engine] = float(np.median(history["time"][1:]))
    return out


# --------------------------------------------------------------------------------- gradient checks
def gradcheck_case(layers: Sequence[int], seed: int):
    """The course's gradient-checking test case: x (m=3 examples, 4 features), y, and the weights.

    With the course's [4, 5, 3, 1] network and seed 1 these are the draws of
    ``gradient_check_n_test_case()``: ``np.random.seed(1); x = randn(4, 3); y = [1, 1, 0];
    W1 = randn(5, 4); b1 = randn(5, 1); ...``. X is returned as (3, 4), one example per row.
    """
    from ..core.network import Network
    rs = np.random.RandomState(seed)
    x = rs.randn(layers[0], 3)
    y = np.array([1, 1, 0])
    net = Network(list(layers), hidden="relu", output="sigmoid", init="zeros", seed=seed)
    for l in range(1, len(layers)):
        net.params[f"W{l}"][...] = rs.randn(layers[l], layers[l - 1])
        net.params[f"b{l}"][...] = rs.randn(layers[l], 1)[:, 0]
    return net, x.T.copy(), y


def broken_backward(net: Any, X: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    """The course's deliberately wrong backward pass: backprop with dW2 doubled and db1 multiplied by 4."""
    net.loss_and_grad(X, y)
    grads = {k: v.copy() for k, v in net.grads.items()}
    grads["W2"] *= 2
    grads["b1"] *= 4
    return grads


def gradcheck_run(experiment: Experiment, arm: Arm, cfg: Mapping[str, Any], dataset: Any, seed: int,
                  keep: bool = True) -> RunResult:
    """check_gradients on the course's test case, with backprop (arm "correct") or the broken pass."""
    from ..core.gradcheck import check_gradients
    layers = cfg["layers"]
    if len(layers) != 4:
        raise InputError(f"{experiment.name}: layers: expected 4 sizes (the broken pass changes W2 and b1), "
                         f"received {layers}")
    net, X, y = gradcheck_case(layers, seed)
    t0 = time.perf_counter()
    report = check_gradients(net, X, y, gradient=broken_backward if arm.name == "broken" else None)
    seconds = time.perf_counter() - t0
    extra = {"difference": report.difference, "passed": report.passed, "threshold": report.threshold,
             "failed": report.failed(), "per_parameter": {p.name: p.difference for p in report.params},
             "report": str(report)}
    return RunResult(seed=seed, seconds=seconds, epochs=0, extra=extra)


KINDS: dict[str, Callable[..., RunResult]] = {"train": train_run, "gradcheck": gradcheck_run}


# ----------------------------------------------------------------------------------- experiments
def load_dataset(experiment: Experiment):
    """The experiment's data set (None for experiments that make their own data)."""
    if experiment.kind == "gradcheck":
        return None
    from ..datasets import load
    from ..errors import DescentlabError
    try:
        return load(experiment.dataset, **dict(experiment.dataset_options))
    except TypeError as exc:  # a dataset_options key the loader does not take
        raise InputError(f"{experiment.where}: dataset_options: expected arguments of the loader of "
                         f"{experiment.dataset!r}, received {sorted(experiment.dataset_options)} ({exc})") from None
    except DescentlabError as exc:
        if experiment.source == "preset":
            raise
        raise InputError(f"{experiment.where}: dataset: {exc}") from None


def _dataset_info(experiment: Experiment, ds: Any) -> dict[str, Any]:
    if ds is None:
        return {"name": "course test case", "description": "gradient_check_n_test_case: 3 examples x 4 features"}
    return {"name": ds.name, "description": ds.description, "source": ds.source,
            "train": list(ds.X_train.shape), "test": None if ds.X_test is None else list(ds.X_test.shape),
            "classes": list(ds.class_names)}


def run_experiment(experiment: Experiment, *, seeds: int = 1, quick: bool = False, figures: bool = True,
                   context: Mapping[str, ExperimentResult] | None = None, dataset: Any = None,
                   log: Callable[[str], None] | None = None) -> ExperimentResult:
    """Run every arm of ``experiment`` (``seeds`` runs each), check its conclusions, draw its figures.

    Args:
        seeds: runs per arm (see :func:`run_arm_seeds`); the table shows mean ± std.
        quick: the reduced size of ``experiment.quick`` (a smoke test).
        figures: draw the figures (PNG bytes in ``result.figures``).
        context: results of other experiments, for conclusions that compare experiments.
        dataset: the data set, if already loaded.
    """
    from .conclusions import check as check_conclusions
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise InputError(f"seeds: expected a positive integer, received {seeds!r}")
    t0 = time.perf_counter()
    ds = dataset if dataset is not None else load_dataset(experiment)
    if experiment.kind == "train":
        for i, arm in enumerate(experiment.arms):  # every arm is checked before anything trains
            validate(experiment.config(arm, quick), ds, f"{experiment.where}: arms[{i}] ({arm.name})")
    arms = [ArmResult(arm, experiment.config(arm, quick), run_arm_seeds(experiment, arm, ds, seeds, quick=quick, log=log))
            for arm in experiment.arms]
    result = ExperimentResult(experiment, arms, seeds, quick, _dataset_info(experiment, ds), 0.0)
    if experiment.engine_timing:
        result.engine_seconds = time_engines(experiment, experiment.config(experiment.arms[0], quick), ds,
                                             experiment.engine_timing)
    result.conclusions = check_conclusions(result, context or {})
    if figures:
        from .figures import draw
        with np.errstate(all="ignore"):  # a diverged arm's weights may overflow its predictions
            draw(result, ds)
    for a in result.arms:
        if a.first.net is not None:
            result.models[f"model-{slug(a.name)}.safetensors"] = a.first.net
    result.seconds = time.perf_counter() - t0
    return result


# ------------------------------------------------------------------------------------------ output
def slug(name: str) -> str:
    """A safe file-name piece from an arm or experiment name."""
    text = re.sub(r"[^a-z0-9]+", "-", str(name).lower()).strip("-")
    return text[:60] or "arm"


def _fmt(mean: float | None, std: float | None, n: int, digits: int = 4) -> str:
    if mean is None:
        return "-"
    text = f"{mean:.{digits}f}" if abs(mean) < 1e4 else f"{mean:.4g}"
    if n > 1 and std is not None:
        text += f" ± {std:.{digits}f}" if abs(std) < 1e4 else f" ± {std:.3g}"
    return text


def format_table(result: ExperimentResult) -> str:
    """The summary table: arm, final cost, train accuracy, test accuracy, time, and the course's numbers."""
    exp = result.experiment
    head = f"{exp.name}: {exp.title}"
    if result.quick:
        head += f"  [--quick: {exp.quick_note}]"
    if result.seeds > 1:
        head += f"  [mean ± std over {result.seeds} seeds]"
    rows: list[list[str]] = []
    if exp.kind == "gradcheck":
        cols = ["arm", "difference", "verdict", "failing parameters", "time", "course"]
        for a in result.arms:
            r = a.first.extra
            course = a.arm.course or {}
            ctext = (f"{course['difference']:.4g}" if "difference" in course else
                     f"< {course['difference_below']:g}" if "difference_below" in course else "")
            rows.append([a.name, f"{r['difference']:.3e}", "PASS" if r["passed"] else "FAIL",
                         ", ".join(r["failed"]) or "-", f"{a.mean('seconds'):.2f}s", ctext])
    else:
        cols = ["arm", "final cost", "train accuracy", "test accuracy", "time", "course train / test"]
        has_course = any(a.arm.course for a in result.arms)
        if not has_course:
            cols.pop()
        for a in result.arms:
            n = len(a.runs)
            course = a.arm.course or {}
            ctext = " / ".join(f"{course[k]:g}" for k in ("train_accuracy", "test_accuracy") if k in course)
            rows.append([a.name, _fmt(a.mean("final_cost"), a.std("final_cost"), n, 6),
                         _fmt(a.mean("train_accuracy"), a.std("train_accuracy"), n),
                         _fmt(a.mean("test_accuracy"), a.std("test_accuracy"), n),
                         f"{a.mean('seconds'):.1f}s", ctext or "-"][:len(cols)])
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(cols)]
    lines = [head, "  ".join(c.ljust(w) for c, w in zip(cols, widths)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths)) for r in rows]
    for a in result.arms:
        for run in a.runs:
            if run.stop_reason:
                lines.append(f"  ! {a.name} (seed {run.seed}) stopped early: {run.stop_reason}")
    if result.engine_seconds:
        timing = ", ".join(f"{k} {v:.3f} s" if isinstance(v, float) else f"{k} {v}" for k, v in result.engine_seconds.items())
        lines.append(f"  seconds per epoch by engine (median of {exp.engine_timing} epochs after a warm-up): {timing}")
    for c in result.conclusions:
        tail = "  (not enforced: --quick)" if (c.passed is False and not c.enforced) else ""
        lines.append(f"  {c.symbol} {c.text}: {c.measured}{tail}")
    return "\n".join(lines)


def write_outputs(result: ExperimentResult, out: Any, *, report: bool = True) -> list[Path]:
    """Write results.json, the PNG figures, the models and report.html into ``out``, each atomically.

    Everything is rendered in memory first and nothing is written before the
    whole run has finished; every file then goes through a temporary file and a
    rename. So a failed or interrupted run never leaves a half-written file and
    never overwrites a good one.
    """
    from ..io.atomic import atomic_write_bytes
    files: dict[str, bytes] = dict(result.figures)
    files["results.json"] = (json.dumps(result.to_dict(), indent=2, allow_nan=False) + "\n").encode("utf-8")
    if report:
        from .report import render_report
        files["report.html"] = render_report([result]).encode("utf-8")
    folder = Path(out).expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, net in result.models.items():
        net.save(folder / name)  # atomic (io.modelfile)
        written.append(folder / name)
    for name, data in files.items():  # results.json and report.html last
        written.append(atomic_write_bytes(folder / name, data))
    return written


def stderr_log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
