"""Smoke test of benchmarks/: the reference and the installed peers run on tiny settings.

No timing asserts: only that every implementation runs, reports a finite positive time and a
plausible accuracy, and (where the initialization and the batches are the same) reaches the same
cost as the course-style reference, i.e. that they do the same work.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH))

import course_reference  # noqa: E402
import peers  # noqa: E402

TINY_EPOCHS = 20
SIGNS_TINY = {"num_epochs": 1, "warmup_epochs": 1, "m": 64}


@pytest.fixture(autouse=True)
def _keep_global_numpy_state():
    """The course-style reference seeds the global np.random state, as the course does; restore it."""
    state = np.random.get_state()
    yield
    np.random.set_state(state)


def _check(res: dict, metric: str = "seconds") -> None:
    assert math.isfinite(res[metric]) and res[metric] > 0
    assert math.isfinite(res["seconds"]) and res["seconds"] > 0
    assert 0.0 <= res["accuracy"] <= 1.0
    assert math.isfinite(res["final_cost"]) and res["final_cost"] > 0


@pytest.fixture(scope="module")
def reference_moons():
    return course_reference.run_moons(TINY_EPOCHS)


@pytest.fixture(scope="module")
def reference_signs():
    return {dt: course_reference.run_signs(dt, **SIGNS_TINY) for dt in ("float64", "float32")}


def test_reference_moons_trains():
    res = course_reference.run_moons(300)   # about 0.1 s; the course's run reaches 0.94 after 10000 epochs
    _check(res)
    assert res["epochs"] == 300 and res["steps"] == 1500
    assert res["accuracy"] > 0.8
    assert res["final_cost"] < 0.5


def test_reference_signs_keeps_dtype(reference_signs):
    for dt, res in reference_signs.items():
        _check(res, "seconds_per_epoch")
        assert res["dtype"] == dt
        assert res["timed_epochs"] == 1 and res["epochs"] == 2
    assert reference_signs["float32"]["final_cost"] == pytest.approx(reference_signs["float64"]["final_cost"], rel=1e-4)


def test_sklearn_peer():
    pytest.importorskip("sklearn")
    _check(peers.sklearn_moons(TINY_EPOCHS))
    for dt in ("float64", "float32"):
        res = peers.sklearn_signs(dt, **SIGNS_TINY)
        _check(res, "seconds_per_epoch")
        assert res["dtype"] == dt


def test_torch_peer_does_the_same_work(reference_moons, reference_signs):
    pytest.importorskip("torch")
    res = peers.torch_moons(TINY_EPOCHS)
    _check(res)
    assert res["final_cost"] == pytest.approx(reference_moons["final_cost"], rel=1e-9)
    assert res["accuracy"] == pytest.approx(reference_moons["accuracy"])
    for dt, rel in (("float64", 1e-9), ("float32", 1e-4)):
        res = peers.torch_signs(dt, **SIGNS_TINY)
        _check(res, "seconds_per_epoch")
        assert res["final_cost"] == pytest.approx(reference_signs[dt]["final_cost"], rel=rel)


def test_tensorflow_peer_does_the_same_work(reference_moons, reference_signs):
    pytest.importorskip("tensorflow")
    res = peers.tf_moons(TINY_EPOCHS)
    _check(res)
    assert res["final_cost"] == pytest.approx(reference_moons["final_cost"], rel=1e-9)
    for dt, rel in (("float64", 1e-9), ("float32", 1e-4)):
        res = peers.tf_signs(dt, **SIGNS_TINY)
        _check(res, "seconds_per_epoch")
        assert res["final_cost"] == pytest.approx(reference_signs[dt]["final_cost"], rel=rel)


def test_runner_quick_writes_json(tmp_path):
    out = tmp_path / "bench.json"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run([sys.executable, str(BENCH / "run.py"), "--quick", "--only", "course*",
                           "--only", "moons/descentlab", "--json", str(out)],
                          capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "machine:" in proc.stdout and "speed-up vs course" in proc.stdout
    record = json.loads(out.read_text())
    assert record["machine"]["cpu_count"] >= 1
    moons = record["workloads"]["moons"]
    assert moons["reference"] == "course"
    assert moons["summary"]["course"]["n"] == 1
    assert moons["summary"]["course"]["speedup_median"] == pytest.approx(1.0)
    # descentlab either ran or is reported as not available, never crashes the runner
    assert "descentlab" in moons["summary"] or moons["skipped"]["descentlab"].startswith("not available")
    signs = record["workloads"]["signs"]
    assert set(signs["summary"]) >= {"course-f64", "course-f32"}
    for s in signs["summary"].values():
        assert s["n"] == 1 and s["median"] > 0


def test_runner_only_matches_nothing():
    proc = subprocess.run([sys.executable, str(BENCH / "run.py"), "--only", "no-such-thing"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0 and "matches nothing" in proc.stderr
