"""Search hyperparameters the way the course teaches: random search on the right scales, scored on a validation split.

SPEC is a TOML file: a data set, a [base] configuration and a [space] of
hyperparameters to search (see examples/tune-moons.toml):

  dataset = "moons"
  [base]
  layers = [2, 10, 5, 1]
  optimizer = "momentum"
  epochs = 300
  [space]
  lr = { log_uniform = [1e-4, 1e-1] }              # log10(lr) uniform
  beta = { one_minus_log_uniform = [0.9, 0.999] }  # log10(1 - beta) uniform
  l2 = { log_uniform = [1e-3, 10.0] }
  keep_prob = { uniform = [0.5, 1.0] }
  batch_size = { choice = [32, 64, 128, "full"] }

Distributions: log_uniform, one_minus_log_uniform, uniform, int, log_int
([low, high]; add grid = N for a grid search, step = N for int) and choice
([values]). A [tune] table may set the defaults of the options below.

Each trial trains on part of the training data and is scored on a validation
split fixed by the seed; the test set is evaluated once, at the end, for the
best configuration. Trials are kept in a database (default: an SQLite file in
--out; PostgreSQL for several machines: --storage postgresql://user@host/db, or
the environment variable DESCENTLAB_STORAGE): rerunning the same command
continues the study, and Ctrl-C loses only the trials that were running.
--jobs N runs N local worker processes; --cluster tcp://HOST:8786 runs the
trials on a Dask cluster (dask scheduler + dask worker on each machine).

Writes trials.csv, trials.json, best.json, best-model.safetensors, best-run.toml
(descentlab run best-run.toml trains the best configuration) and report.html.
Exit status: 0 done, 1 the search could not finish (no complete trial, or the
database went away: rerun to continue), 2 bad input, 130 interrupted.

examples:
  descentlab tune examples/tune-moons.toml
  descentlab tune examples/tune-moons.toml --trials 60 --jobs 2 --pruner median
  descentlab tune spec.toml --seeds 3 --sampler tpe --timeout 600
  descentlab tune spec.toml --storage postgresql://tuner@db/studies --cluster tcp://10.0.0.5:8786
"""

from __future__ import annotations

import argparse
import json
import sys

from ._args import positive_int, stderr_log

ORDER = 62
HELP = "search hyperparameters (random, grid or TPE; local processes or a Dask cluster)"


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, received {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, received {text!r}")
    return value


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a fraction in (0, 1), received {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"expected a fraction in (0, 1), received {text!r}")
    return value


def register(p: argparse.ArgumentParser) -> None:
    from ..tune.spec import OBJECTIVES, PRUNERS, SAMPLERS
    p.add_argument("spec", metavar="SPEC", help="a .toml tune spec (data set, [base], [space])")
    p.add_argument("--trials", type=positive_int, default=None,
                   help="finished trials the study should have (default: [tune] trials, or 20); a rerun runs the missing ones")
    p.add_argument("--timeout", type=_seconds, default=None, metavar="SECONDS",
                   help="start no trial after this many seconds (running ones finish)")
    p.add_argument("--seeds", type=positive_int, default=None,
                   help="networks per trial (seeds s, s+1, ...), trained in lockstep; the score is their mean")
    p.add_argument("--sampler", choices=SAMPLERS, default=None, help="random (default), grid or tpe")
    p.add_argument("--pruner", choices=[x.replace("_", "-") for x in PRUNERS], default=None,
                   help="stop bad trials early from their validation cost per epoch (default none)")
    p.add_argument("--objective", choices=list(OBJECTIVES), default=None, help="val_cost (default) or val_accuracy")
    p.add_argument("--validation", type=_fraction, default=None, metavar="FRACTION",
                   help="fraction of the training data held out to score trials (default 0.2)")
    p.add_argument("--jobs", type=positive_int, default=1, help="local worker processes (default 1)")
    p.add_argument("--cluster", default=None, metavar="ADDRESS",
                   help="a Dask scheduler (tcp://host:8786) or scheduler file (.json) instead of local workers")
    p.add_argument("--study", default=None, metavar="NAME", help="the study's name (default: the spec's name)")
    p.add_argument("--storage", default=None, metavar="URL",
                   help="database URL (default: $DESCENTLAB_STORAGE, else sqlite:///OUT/study.db)")
    p.add_argument("--out", default=None, metavar="DIR", help="output folder (default ./descentlab-out/tune-<name>)")
    p.add_argument("--heartbeat", type=positive_int, default=None, metavar="SECONDS",
                   help="seconds between a running trial's heartbeats (a dead worker's trial fails after 3)")
    p.add_argument("--quick", action="store_true", help="apply the spec's [quick] settings (a smoke test)")
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout, nothing else")


def run(args: argparse.Namespace) -> int:
    from ..tune.search import tune
    from ..tune.storage import StudyStorageError
    pruner = None if args.pruner is None else args.pruner.replace("-", "_")
    try:
        result = tune(args.spec, trials=args.trials, timeout=args.timeout, seeds=args.seeds, sampler=args.sampler,
                      pruner=pruner, objective=args.objective, validation=args.validation, jobs=args.jobs,
                      cluster=args.cluster, study=args.study, storage=args.storage, out=args.out, quick=args.quick,
                      heartbeat=args.heartbeat, log=stderr_log)
    except StudyStorageError as exc:
        if not exc.during_run:
            raise
        print(f"descentlab: error: {' '.join(str(exc).split())}; the finished trials are kept: rerun the same "
              "command to continue", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, allow_nan=False))
    else:
        print(result.table())
        if result.written:
            print(f"\ntrials, best configuration, model, best-run.toml and report.html: {result.written[0].parent}")
    if result.best is None:
        print("descentlab: no trial completed with a finite score", file=sys.stderr)
        return 1
    return 0
