"""Running an experiment: every arm (over one or more seeds), its conclusions and its figures.

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

import time
from typing import Any, Callable, Mapping

import numpy as np

from ..errors import InputError
from .conclusions import check as check_conclusions
from .course_runs import course_run
from .figures import draw
from .gradchecks import gradcheck_run
from .progress import Progress, plan
from .records import ArmResult, ExperimentResult, RunResult, machine, machine_load
from .runs import time_engines, train_run, train_runs_lockstep
from .searches import search_run
from .spec import Arm, Experiment, validate


# ------------------------------------------------------------------------------------------- seeds
def run_seeds(base_seed: int, n: int) -> list[int]:
    """The seeds of n runs: the base (course) seed first, then base + 1, base + 2, ..."""
    return [(base_seed + i) % 2**32 for i in range(n)]


def run_arm_seeds(experiment: Experiment, arm: Arm, dataset: Any, seeds: int = 1, *, quick: bool = False,
                  log: Callable[[str], None] | None = None, progress: Progress | None = None) -> list[RunResult]:
    """Run one arm once per seed and return the runs, the course seed's run first.

    Run 0 (the course's seed, and order) trains on its own; the other seeds of a
    NumPy or numba training arm train together in lockstep with :func:`~descentlab.fit_many`
    (K networks as the rows of one parameter buffer), which costs far less than K
    separate runs and ends where they would, up to rounding. An arm that runs the
    course's own code (``arm.code``) runs once: the course's code seeds itself. ``log``
    receives one line per finished run, or per lockstep group (saying it was one);
    ``progress`` shows the epochs while they run (see :mod:`.progress`).
    """
    cfg = experiment.config(arm, quick)
    all_seeds = run_seeds(cfg["seed"], seeds)
    say = (progress.write if progress is not None else log) or (lambda line: None)
    rest = all_seeds[1:] if not arm.code else []  # the course's code seeds itself: every run would be the same
    out = [_one_run(experiment, arm, cfg, dataset, all_seeds[0], True, progress, last=not rest, say=say)]
    if rest:
        rest_cfg = {**cfg, "shuffle": "random" if cfg.get("shuffle") == "course" else cfg.get("shuffle")}
        if experiment.kind == "train" and rest_cfg.get("engine", "auto") != "tensorflow" and len(rest) > 1:
            out += _lockstep(experiment, arm, rest_cfg, dataset, rest, progress, say)
        else:
            out += [_one_run(experiment, arm, dict(rest_cfg), dataset, seed, False, progress,
                             last=seed == rest[-1], say=say) for seed in rest]
    return out


def _one_run(experiment: Experiment, arm: Arm, cfg: dict, dataset: Any, seed: int, keep: bool,
             progress: Progress | None, *, last: bool, say: Callable[[str], None]) -> RunResult:
    """One run of one seed, with its bar; its time is said when it ends."""
    bar = None if progress is None else progress.arm(experiment.name, arm.name, 1, f"{arm.name} (seed {seed})")
    runner = course_run if arm.code else KINDS[experiment.kind]
    extra = {"callbacks": [bar]} if (bar is not None and experiment.kind == "train" and not arm.code) else {}
    try:
        result = runner(experiment, arm, dict(cfg), dataset, seed, keep=keep, **extra)
    finally:
        if bar is not None:
            bar.finish(arm_done=last)
    say(f"{experiment.name}: {arm.name} (seed {seed}): {result.seconds:.1f} s")
    return result


def _lockstep(experiment: Experiment, arm: Arm, cfg: dict, dataset: Any, seeds: list[int],
              progress: Progress | None, say: Callable[[str], None]) -> list[RunResult]:
    """Seeds 2..N of an arm, trained together by fit_many: one bar, and one line that says so."""
    label = f"{arm.name}, seeds {seeds[0]}-{seeds[-1]} together in lockstep"
    bar = None if progress is None else progress.arm(experiment.name, arm.name, len(seeds), label)
    t0 = time.perf_counter()
    try:
        runs = train_runs_lockstep(experiment, arm, cfg, dataset, seeds, on_epoch=None if bar is None else bar.epoch)
    finally:
        if bar is not None:
            bar.finish(arm_done=True)
    total = time.perf_counter() - t0
    say(f"{experiment.name}: {arm.name}, seeds {seeds[0]}-{seeds[-1]}: {len(seeds)} runs trained together in "
        f"lockstep (fit_many) in {total:.1f} s, so {total / len(seeds):.2f} s per run on average")
    return runs


KINDS: dict[str, Callable[..., RunResult]] = {"train": train_run, "gradcheck": gradcheck_run, "search": search_run}


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
                   log: Callable[[str], None] | None = None, progress: Progress | bool | None = None) -> ExperimentResult:
    """Run every arm of ``experiment`` (``seeds`` runs each), check its conclusions, draw its figures.

    Args:
        seeds: runs per arm (see :func:`run_arm_seeds`); the table shows mean ± std.
        quick: the reduced size of ``experiment.quick`` (a smoke test).
        figures: draw the figures (PNG bytes in ``result.figures``).
        context: results of other experiments, for conclusions that compare experiments.
        dataset: the data set, if already loaded.
        log: receives a line per finished run.
        progress: a :class:`~.progress.Progress` to report to, or True for one of this
            experiment alone (a bar per arm and an overall bar on stderr).
    """
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise InputError(f"seeds: expected a positive integer, received {seeds!r}")
    t0, load = time.perf_counter(), machine_load()
    ds = dataset if dataset is not None else load_dataset(experiment)
    if experiment.kind == "train":
        for i, arm in enumerate(experiment.arms):  # every arm is checked before anything trains
            validate(experiment.config(arm, quick), ds, f"{experiment.where}: arms[{i}] ({arm.name})", runs=seeds)
    own = progress is True
    if own:
        progress = Progress(plan([experiment], {experiment.name: ds}, seeds, quick), title=experiment.name)
    try:
        arms = [ArmResult(arm, experiment.config(arm, quick),
                          run_arm_seeds(experiment, arm, ds, seeds, quick=quick, log=log, progress=progress or None))
                for arm in experiment.arms]
    finally:
        if own:
            progress.close()
    result = ExperimentResult(experiment, arms, seeds, quick, _dataset_info(experiment, ds), 0.0)
    if experiment.engine_timing:
        result.engine_seconds = time_engines(experiment, experiment.config(experiment.arms[0], quick), ds,
                                             experiment.engine_timing)
    result.conclusions = check_conclusions(result, context or {})
    if figures:
        with np.errstate(all="ignore"):  # a diverged arm's weights may overflow its predictions
            draw(result, ds)
    for a in result.arms:
        if a.first.net is not None:
            result.models[result.arm_file(a.name)] = a.first.net  # one file per arm, even for names that slug alike
    result.seconds = time.perf_counter() - t0
    result.machine = machine(load)
    return result
