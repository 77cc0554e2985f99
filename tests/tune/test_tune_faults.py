"""Faults, for real: a worker killed mid-trial, a database that goes away and comes back, Ctrl-C.

Each test runs the ``descentlab tune`` command in its own process (warnings are errors there
too), watches the study's database from here, and acts on a trial that is running.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3

import pytest
from conftest import cli, cli_popen, spec_doc, sqlite_rows, wait_for, write_spec

# trials of about a second each, so that one can be caught running: on the NumPy engine (numba, the default,
# trains them about 10 times faster, too fast to catch one)
SLOW = spec_doc(base={"layers": [2, 16, 8, 1], "optimizer": "adam", "epochs": 400, "batch_size": 16, "seed": 1,
                      "engine": "numpy"})


def _end(proc):
    """Kill the CLI process if it still runs, and close its pipes (an unclosed pipe fails a later test)."""
    proc.kill()
    proc.communicate()


def _running_with_complete(db, at_least: int):
    """(number, worker pid) of a running trial once ``at_least`` trials are complete, else None."""
    if not db.exists():
        return None
    try:
        rows = sqlite_rows(db)
    except sqlite3.OperationalError:  # the tables are being created
        return None
    running = [r for r in rows if r["state"] == "RUNNING" and "launch" in r["user"]]
    if running and sum(r["state"] == "COMPLETE" for r in rows) >= at_least:
        return running[0]["number"], int(running[0]["user"]["launch"]["worker"].split(":")[1])
    return None


def test_a_worker_killed_mid_trial_fails_that_trial_which_is_retried_and_no_finished_trial_is_lost(tmp_path):
    spec = write_spec(tmp_path, SLOW)
    out = tmp_path / "out"
    proc = cli_popen("tune", str(spec), "--trials", "6", "--jobs", "2", "--heartbeat", "1", "--out", str(out))
    try:
        number, pid = wait_for(lambda: _running_with_complete(out / "study.db", 1), 300, "a running trial")
        complete_before = {r["number"]: r["params"] for r in sqlite_rows(out / "study.db") if r["state"] == "COMPLETE"}
        os.kill(pid, signal.SIGKILL)
        stdout, stderr = proc.communicate(timeout=600)
    finally:
        _end(proc)
    assert proc.returncode == 0, stderr
    rows = {r["number"]: r for r in sqlite_rows(out / "study.db")}
    assert rows[number]["state"] == "FAIL"                            # the killed trial
    retries = [r for r in rows.values() if r["system"].get("failed_trial") == number]
    assert len(retries) == 1 and retries[0]["state"] == "COMPLETE"   # ... retried with the same parameters
    assert retries[0]["params"] == rows[number]["params"]
    for n, params in complete_before.items():                         # nothing finished was lost
        assert rows[n]["state"] == "COMPLETE" and rows[n]["params"] == params
    assert sum(r["state"] == "COMPLETE" for r in rows.values()) >= 6
    assert not [r for r in rows.values() if r["state"] in ("RUNNING", "WAITING")]
    assert "best: trial" in stdout


def test_a_database_that_goes_away_fails_the_trials_in_flight_cleanly_and_a_rerun_continues(private_postgres,
                                                                                           tmp_path):
    pg = private_postgres
    spec = write_spec(tmp_path, SLOW)
    args = ["tune", str(spec), "--trials", "8", "--jobs", "2", "--heartbeat", "1", "--storage", pg.url,
            "--study", "outage", "--out", str(tmp_path / "out")]
    proc = cli_popen(*args)
    try:
        def caught():
            try:
                s = pg.states("outage")
            except Exception:  # noqa: BLE001 - the tables may not exist yet
                return None
            return s if s.get("COMPLETE", 0) >= 2 and s.get("RUNNING", 0) >= 1 else None
        before = wait_for(caught, 300, "two complete trials and one running")
        pg.stop()
        stdout, stderr = proc.communicate(timeout=300)
    finally:
        _end(proc)
    assert proc.returncode == 1, stderr
    lines = [x for x in stderr.strip().splitlines() if not x.startswith("tune: ")]
    assert len(lines) == 1 and "database" in lines[0] and "rerun the same command" in lines[0], stderr
    assert "Traceback" not in stderr and not (tmp_path / "out" / "report.html").exists()
    pg.start()
    after_outage = pg.states("outage")
    assert after_outage.get("COMPLETE", 0) >= before["COMPLETE"]      # nothing finished was lost
    rerun = cli(*args)
    assert rerun.returncode == 0, rerun.stderr
    final = pg.states("outage")
    assert final.get("COMPLETE", 0) >= 8 and final.get("RUNNING", 0) == 0
    assert final.get("FAIL", 0) == after_outage.get("RUNNING", 0)       # the trials in flight, failed cleanly
    assert "best: trial" in rerun.stdout


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_loses_only_the_running_trials_and_a_rerun_continues(jobs, tmp_path):
    spec = write_spec(tmp_path, SLOW)
    out = tmp_path / "out"
    args = ["tune", str(spec), "--trials", "5", "--jobs", jobs, "--heartbeat", "1", "--out", str(out)]
    proc = cli_popen(*args, start_new_session=True)   # its own process group, as a terminal's foreground job
    try:
        wait_for(lambda: _running_with_complete(out / "study.db", 2), 300, "a running trial")
        kept = {r["number"]: r["params"] for r in sqlite_rows(out / "study.db") if r["state"] == "COMPLETE"}
        os.killpg(proc.pid, signal.SIGINT)                # Ctrl-C reaches every process of the group
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        _end(proc)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "rerun the same command to continue" in stderr
    rows = sqlite_rows(out / "study.db")
    assert not [r for r in rows if r["state"] == "RUNNING"]
    for r in rows:
        if r["number"] in kept:
            assert r["state"] == "COMPLETE" and r["params"] == kept[r["number"]]
    assert not (out / "trials.csv").exists() and not (out / "report.html").exists()
    rerun = cli(*args)
    assert rerun.returncode == 0, rerun.stderr
    doc = json.loads((out / "trials.json").read_text())
    assert sum(t["state"] == "COMPLETE" for t in doc["trials"]) == 5
