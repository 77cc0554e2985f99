"""``tune``: a hyperparameter search, from a spec to a study, its best configuration and its report.

The order of a search, which the command line and ``descentlab.tune(...)`` share:

1. read and check everything: the spec, the options, the storage URL, the cluster address,
   the data set and one network per choice of architecture (nothing runs before this);
2. split the training data into a training part and a validation split (fixed by
   ``split_seed``); the test set is set aside, never sent to a worker;
3. create the study in its database, or resume it;
4. run trials on the workers until the study has ``trials`` finished trials or ``timeout``
   seconds have passed, with a progress bar over trials and the best value so far;
5. read every trial back, retrain the best configuration (first seed) and evaluate it once
   on the test set; write the trials table, the best configuration, the best model, the
   ``descentlab run`` TOML and the report (:mod:`.outputs`).
"""

from __future__ import annotations

import itertools
import sys
import time
import uuid
from pathlib import Path
from typing import Any, Callable

from .. import _checks as check
from ..errors import InputError
from ..experiments.records import slug
from ..experiments.runner import load_dataset, run_seeds
from ..experiments.searches import validation_split
from ..experiments.space import grid_size, points_for
from ..experiments.spec import normalize_config, validate
from .execution import Executor, check_cluster, run_loop
from .results import TuneResult, collect
from .spec import (
    OPTION_NAMES,
    TuneOptions,
    TuneSpec,
    effective,
    load_spec,
    spec_from_dict,
)
from .storage import StudyStorageError, close, quiet_database_noise, resolve_url, shown
from .study import fail_dead, fail_orphans, finished, open_study, waiting
from .trial import Plan, TrialData

MAX_CHECKED_COMBINATIONS = 256


def tune(spec: Any, *, trials: int | None = None, timeout: float | None = None, seeds: int | None = None,
         sampler: str | None = None, pruner: str | None = None, objective: str | None = None,
         validation: float | None = None, jobs: int = 1, cluster: Any = None, study: str | None = None,
         storage: str | None = None, out: Any = None, quick: bool = False, progress: bool = True,
         write: bool = True, log: Callable[[str], None] | None = None, **options: Any) -> TuneResult:
    """Search the hyperparameters of ``spec`` and return the :class:`~.results.TuneResult`.

    Args:
        spec: a tune spec: a path to a TOML file, or the same structure as a dict (see :mod:`.spec`).
        trials: the study's total of finished trials to reach (a rerun runs the missing ones).
        timeout: seconds after which no new trial starts (running ones finish).
        seeds: networks per trial (seeds s, s + 1, ...), trained in lockstep; the score is their mean.
        sampler: "random" (default, as the course recommends), "grid" or "tpe".
        pruner: "none" (default), "median", "successive_halving" or "hyperband".
        objective: "val_cost" (default, minimized) or "val_accuracy" (maximized).
        validation: fraction of the training data held out to score the trials.
        jobs: local worker processes (1: one worker thread in this process).
        cluster: a Dask scheduler address (``tcp://host:8786``), a scheduler file, or a ``distributed.Client``.
        study: the study's name (default: the spec's name); storage: its database URL (default:
            ``$DESCENTLAB_STORAGE``, else ``sqlite:///<out>/study.db``).
        out: folder of the outputs (default ``descentlab-out/tune-<name>``).
        quick: apply the spec's [quick] settings. progress: a progress bar over trials (stderr).
        write: write the outputs. log: where progress lines go (default: stderr).
        **options: other options of the [tune] table (split_seed, sampler_seed, report_every,
            grid_points, heartbeat).

    With ``jobs > 1`` from a script, call it under ``if __name__ == "__main__":`` (worker
    processes are spawned and import the main module).
    """
    log = log or _stderr
    t0 = time.perf_counter()
    spec = _as_spec(spec)
    unknown = [k for k in options if k not in OPTION_NAMES]
    if unknown:
        raise check.fail(unknown[0], options[unknown[0]], f"an option of tune ({', '.join(OPTION_NAMES)})")
    opts = effective(spec.options.merged(trials=trials, timeout=timeout, seeds=seeds, sampler=sampler, pruner=pruner,
                                         objective=objective, validation=validation, quick=quick or None, **options),
                     spec)
    out_dir = Path(out if out is not None else f"descentlab-out/tune-{slug(spec.name)}").expanduser()
    url = resolve_url(storage, out_dir)
    cluster = check_cluster(cluster)
    plan, data, ds, target = _prepare(spec, opts, url, study or spec.name, jobs)
    quiet_database_noise()
    out_dir.mkdir(parents=True, exist_ok=True)
    storage_obj, study_obj = open_study(url, plan.study, opts.direction, spec.fingerprint(opts), opts.heartbeat)
    try:
        stats = _search(spec, opts, plan, data, target, study_obj, jobs, cluster, progress, log)
        result = collect(spec, opts, plan, study_obj, ds, data, stats, url, out_dir)
    finally:
        close(storage_obj)
    result.seconds = time.perf_counter() - t0
    if write:
        from .outputs import write_outputs
        result.written = write_outputs(result, out_dir)
    return result


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _as_spec(spec: Any) -> TuneSpec:
    if isinstance(spec, TuneSpec):
        return spec
    if isinstance(spec, dict):
        return spec_from_dict(spec, "spec", default_name=str(spec.get("name", "tune")))
    return load_spec(spec)


# ---------------------------------------------------------------------------------- preparing
def _prepare(spec: TuneSpec, opts: TuneOptions, url: str, study: str, jobs: int) -> tuple:
    """Check everything that can be checked, load and split the data; (plan, data, dataset, target)."""
    if not isinstance(study, str) or not study.strip():
        raise check.fail("study", study, "a non-empty name")
    check.integer("jobs", jobs, low=1)
    base = spec.base(opts.quick)
    if opts.seeds > 1 and base["engine"] == "tensorflow":
        raise check.fail("seeds", opts.seeds, "1 with the tensorflow engine (several seeds train in lockstep on "
                         "the numpy or numba engine)")
    ds = load_dataset(spec.experiment)
    train, val = validation_split(ds, opts.validation, opts.split_seed, "validation")
    _check_configs(spec, base, train)
    epochs = max([int(base["epochs"])] + [int(d.high) for d in spec.space if d.key == "epochs"]
                 + [max(d.choices) for d in spec.space if d.key == "epochs" and d.kind == "choice"])
    points = opts.grid_points or points_for(spec.space, opts.trials)
    target = min(opts.trials, grid_size(spec.space, points)) if opts.sampler == "grid" else opts.trials
    plan = Plan(study=study, url=url, heartbeat=opts.heartbeat, session=uuid.uuid4().hex, space=spec.space,
                base=base, objective=opts.objective, direction=opts.direction,
                seeds=tuple(run_seeds(int(base["seed"]), opts.seeds)), report_every=opts.report_every, epochs=epochs,
                sampler=opts.sampler, sampler_seed=opts.sampler_seed, grid_points=points, pruner=opts.pruner)
    return plan, TrialData(train, val), ds, target


def _check_configs(spec: TuneSpec, base: dict[str, Any], train: Any) -> None:
    """Build the network and training settings of every combination of choices (numbers at their low end)."""
    where = f"{spec.experiment.where}: space"
    values = [list(d.choices) if d.kind == "choice" else [d.low] for d in spec.space]
    combos = list(itertools.islice(itertools.product(*values), MAX_CHECKED_COMBINATIONS))
    for combo in combos:
        drawn = {d.key: v for d, v in zip(spec.space, combo)}
        cfg = {**base, **normalize_config(drawn, where)}
        validate(cfg, train, f"{where} ({', '.join(f'{k} = {v!r}' for k, v in drawn.items())})")


# ----------------------------------------------------------------------------------- running
def _search(spec: TuneSpec, opts: TuneOptions, plan: Plan, data: TrialData, target: int, study: Any, jobs: int,
            cluster: Any, progress: bool, log: Callable[[str], None]) -> Any:
    """Run the trials (and the retries of trials whose workers died); the loop's statistics."""
    from .execution import LoopStats
    already = finished(study)
    if already >= target:
        log(f"tune: study {plan.study!r} already has {already} finished trials (target {target}); "
            "raise --trials to run more")
        return LoopStats()
    with Executor(jobs, cluster) as ex:
        ex.wait_for_workers()
        _preflight(ex, plan)
        log(f"tune: study {plan.study!r} in {shown(plan.url)}: {already} finished trials, running "
            f"{target - already} more on {ex.where} ({plan.sampler} sampler, pruner {plan.pruner})")
        bar = _Bar(progress, target, already, opts.direction, study)
        remote = ex.scatter(data)
        try:
            stats = run_loop(ex, plan, remote, target, lambda s: finished(study), timeout=opts.timeout,
                             on_result=bar.update, max_failures=max(3, target))
            fail_dead(study, opts.heartbeat)
            _retry_orphans(ex, plan, remote, study, stats, bar, opts)
        except KeyboardInterrupt:
            bar.close()
            _interrupted(ex, study, plan, log)
            raise
        except StudyStorageError:
            bar.close()
            raise
        bar.close()
    fail_dead(study, opts.heartbeat)
    return stats


def _preflight(ex: Executor, plan: Plan) -> None:
    import optuna

    from .._version import __version__
    for info in ex.preflight(plan):
        if info["error"]:
            raise InputError(f"cluster: worker on {info['host']} {info['error']}")
        if (info["descentlab"], info["optuna"]) != (__version__, optuna.__version__):
            raise InputError(f"cluster: expected workers with descentlab {__version__} and optuna {optuna.__version__}, "
                             f"received descentlab {info['descentlab']} and optuna {info['optuna']} on {info['host']}")


def _retry_orphans(ex: Executor, plan: Plan, remote: Any, study: Any, stats: Any, bar: Any, opts: TuneOptions) -> None:
    """Fail the trials whose workers died and run their queued retries (same parameters)."""
    for _ in range(2):
        lost = fail_orphans(study, plan.session, retry=True)
        queued = waiting(study)
        if not queued or stats.timed_out:
            return
        bar.extend(queued)
        more = run_loop(ex, plan, remote, queued, lambda s: s.finished, timeout=None, on_result=bar.update,
                        max_failures=queued)
        stats.finished += more.finished
        stats.complete += more.complete
        stats.pruned += more.pruned
        stats.failed += more.failed + len(lost)
        stats.tasks += more.tasks
        stats.errors += more.errors
        stats.seconds += more.seconds


def _interrupted(ex: Executor, study: Any, plan: Plan, log: Callable[[str], None]) -> None:
    """Ctrl-C: stop the running trials (they end failed), keep every finished one."""
    try:
        fail_orphans(study, plan.session, retry=False)
        n = finished(study)
    except Exception:  # the database may be what failed
        n = None
    known = f"{n} finished trials are" if n is not None else "every finished trial is"
    log(f"tune: interrupted; the running trials were stopped and marked failed; {known} kept in "
        f"{shown(plan.url)}, study {plan.study!r}; rerun the same command to continue")


class _Bar:
    """A progress bar over trials (tqdm; quiet when stderr is not a terminal) with the best value so far."""

    def __init__(self, enabled: bool, target: int, already: int, direction: str, study: Any) -> None:
        from tqdm.auto import tqdm
        self.direction = direction
        self.best = None
        try:
            best = study.best_trial
            self.best = (best.value, best.number)
        except ValueError:
            pass
        self.bar = tqdm(total=target, initial=already, unit="trial", desc="trials", disable=None if enabled else True,
                        dynamic_ncols=True, leave=True)
        self._post()

    def update(self, result: dict[str, Any]) -> None:
        if result["state"] in ("COMPLETE", "PRUNED"):
            self.bar.update(1)
        value = result.get("value")
        if value is not None and (self.best is None or (value < self.best[0] if self.direction == "minimize"
                                                        else value > self.best[0])):
            self.best = (value, result["number"])
        self._post()

    def extend(self, n: int) -> None:
        self.bar.total += n
        self.bar.refresh()

    def _post(self) -> None:
        if self.best is not None:
            self.bar.set_postfix_str(f"best {self.best[0]:.4g} (trial {self.best[1]})")

    def close(self) -> None:
        self.bar.close()
