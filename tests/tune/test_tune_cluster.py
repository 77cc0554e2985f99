"""Real worker processes: a Dask LocalCluster of 2 processes, SQLite and a real PostgreSQL server.

``jobs=2`` and ``cluster=ADDRESS`` are the same code path; here the cluster is started by the
test (as ``dask scheduler`` + ``dask worker`` would be) and its address given to ``tune``.
"""

from __future__ import annotations

import logging
import threading

import pytest
from conftest import cli_popen, spec_doc, write_spec

import descentlab as dl

SLOW = spec_doc(base={"layers": [2, 16, 8, 1], "optimizer": "adam", "epochs": 150, "batch_size": 16, "seed": 2})


def _workers(result) -> set[str]:
    return {t["worker"] for t in result.trials}


def _check_shared_and_whole(result, n):
    """n trials numbered 0..n-1, all complete, distinct draws, run by both worker processes."""
    assert [t["number"] for t in result.trials] == list(range(n))
    assert result.counts == {"COMPLETE": n}
    draws = {tuple(sorted(t["params"].items())) for t in result.trials}
    assert len(draws) == n, "two trials drew the same configuration"
    assert len(_workers(result)) == 2, f"trials ran on {_workers(result)}"


def test_two_local_worker_processes_share_the_trials(tmp_path):
    r = dl.tune(SLOW, trials=8, jobs=2, out=tmp_path / "out", progress=False)
    _check_shared_and_whole(r, 8)
    assert all(w.split(":")[1] != str(__import__("os").getpid()) for w in _workers(r))


def test_a_cluster_address_runs_the_same_path(tmp_path):
    from distributed import Client, LocalCluster
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None,
                      silence_logs=logging.ERROR, memory_limit=0) as cluster:
        r = dl.tune(SLOW, trials=6, cluster=cluster.scheduler_address, out=tmp_path / "out", progress=False)
        _check_shared_and_whole(r, 6)
        with Client(cluster) as client:   # a Client given from Python works too, and is left open
            r2 = dl.tune(SLOW, trials=8, cluster=client, out=tmp_path / "out", progress=False)
            assert client.status == "running"
    assert [t["number"] for t in r2.trials] == list(range(8)) and r2.stats.finished == 2


def test_two_worker_processes_share_one_study_in_postgresql(postgres, tmp_path):
    r = dl.tune(SLOW, trials=8, jobs=2, storage=postgres.url, study="pg-shared", out=tmp_path / "out",
                progress=False)
    _check_shared_and_whole(r, 8)
    assert postgres.states("pg-shared") == {"COMPLETE": 8}
    assert r.storage.startswith("postgresql+psycopg://")


def test_two_launchers_on_two_machines_share_one_postgresql_study(postgres, tmp_path):
    """Two `descentlab tune` commands (as on two machines) run the same study: no trial lost or run twice."""
    spec = write_spec(tmp_path, SLOW)
    procs = [cli_popen("tune", str(spec), "--trials", "10", "--jobs", "1", "--storage", postgres.url,
                       "--study", "pg-two", "--out", str(tmp_path / f"out{i}")) for i in range(2)]
    results = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    states = postgres.states("pg-two")
    assert 10 <= states.get("COMPLETE", 0) <= 11 and set(states) == {"COMPLETE"}  # one shared budget
    r = dl.tune(SLOW, trials=10, storage=postgres.url, study="pg-two", out=tmp_path / "check", progress=False)
    numbers = [t["number"] for t in r.trials]
    assert numbers == list(range(len(numbers)))
    assert len({tuple(sorted(t["params"].items())) for t in r.trials}) == len(numbers)
    assert len({t["worker"] for t in r.trials}) == 2, "both launchers ran trials"


def test_a_password_in_the_storage_url_is_never_printed_or_written(postgres, tmp_path):
    """The embedded server trusts local connections, so a password in the URL is accepted and ignored."""
    secret = "hunter2-s3cret"
    url = postgres.url.replace("postgresql+psycopg://postgres:@", f"postgresql+psycopg://postgres:{secret}@")
    assert secret in url
    spec = write_spec(tmp_path, spec_doc())
    proc = cli_popen("tune", str(spec), "--trials", "3", "--storage", url, "--study", "secret", "--out",
                     str(tmp_path / "out"))
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    assert secret not in out + err and "postgres:***@" in out + err
    files = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert len(files) >= 6
    for p in files:
        assert secret.encode() not in p.read_bytes(), p


def test_the_python_api_works_from_a_thread(tmp_path):
    """A notebook may run a search off the main thread: the workers start without signal handling there."""
    box = {}
    t = threading.Thread(target=lambda: box.setdefault("r", dl.tune(spec_doc(), trials=3, jobs=2,
                                                                     out=tmp_path / "o", progress=False)))
    t.start()
    t.join(600)
    assert box["r"].counts == {"COMPLETE": 3}


@pytest.mark.parametrize("jobs", [1, 2])
def test_retries_of_dead_workers_trials_are_run_in_the_same_launch(jobs, tmp_path):
    """A trial left RUNNING by a launch that died is failed and retried with the same parameters."""
    import optuna
    r = dl.tune(spec_doc(), trials=2, out=tmp_path / "out", progress=False)
    url = f"sqlite:///{tmp_path / 'out' / 'study.db'}"
    storage = optuna.storages.RDBStorage(url)
    study = optuna.load_study(study_name="t", storage=storage)
    dead = study.ask({"lr": optuna.distributions.FloatDistribution(1e-3, 1e-1, log=True),
                      "l2": optuna.distributions.FloatDistribution(1e-4, 1.0, log=True)})
    dead.set_user_attr("launch", {"session": "gone", "worker": "elsewhere:1"})
    storage.record_heartbeat(dead._trial_id)
    params = dict(dead.params)
    storage.engine.dispose()
    import time
    # older than 3 heartbeats of 2 s (SQLite's clock has 1 s steps): stale. Heartbeats of 1 s let a loaded
    # CI machine declare a live trial dead too (its retry is tested in test_tune_run.py)
    time.sleep(7.5)
    r2 = dl.tune(spec_doc(), trials=4, jobs=jobs, heartbeat=2, out=tmp_path / "out", progress=False)
    states = {t["number"]: t["state"] for t in r2.trials}
    assert states[dead.number] == "FAIL"
    retry = [t for t in r2.trials if t["retry_of"] == dead.number]
    assert len(retry) == 1 and retry[0]["state"] == "COMPLETE"
    assert retry[0]["params"] == pytest.approx(params)
    # the retry is one of the 2 new trials, or (when the trial became stale only during the launch) an extra
    assert 4 <= sum(s == "COMPLETE" for s in states.values()) <= 5 and r.counts == {"COMPLETE": 2}
    assert not [s for s in states.values() if s in ("RUNNING", "WAITING")]
