"""The random-versus-grid experiment: its searches, its table, and conclusions that can fail."""

from __future__ import annotations

import numpy as np
import pytest

from descentlab.datasets import load
from descentlab.experiments import PRESETS, run_experiment
from descentlab.experiments.conclusions import check
from descentlab.experiments.records import ArmResult, ExperimentResult, RunResult, format_table
from descentlab.experiments.search_views import main_effects
from descentlab.experiments.search_views import rows as search_rows
from descentlab.experiments.searches import validation_split

EXP = PRESETS["random-vs-grid"]


@pytest.fixture(scope="module")
def quick():
    return run_experiment(EXP, quick=True, figures=True)


def test_both_methods_get_the_same_number_of_trials_and_random_tries_more_learning_rates(quick):
    for arm in quick.arms:
        searches = arm.first.extra["searches"]
        assert len(searches) == 10 and all(len(s["trials"]) == 25 for s in searches)
    rand, grid = quick.arm("random"), quick.arm("grid")
    assert all(s["distinct"] == {"lr": 25, "epsilon": 25} for s in rand.first.extra["searches"])
    assert all(s["distinct"] == {"lr": 5, "epsilon": 5} for s in grid.first.extra["searches"])
    lrs = sorted({t["params"]["lr"] for t in grid.first.extra["searches"][0]["trials"]})
    np.testing.assert_allclose(lrs, [1e-4, 1e-3, 1e-2, 1e-1, 1.0])           # a log grid: one point a decade
    assert [c.passed for c in quick.conclusions][0] is True
    head, rows = search_rows(quick)
    assert head[3] == "distinct lr" and rows[0][:4] == ["random", "25", "10", "25"] and rows[1][3] == "5"
    assert "best validation cost" in format_table(quick) and "search.png" in quick.figures


def test_a_search_is_scored_on_a_validation_split_fixed_by_the_seed():
    ds = load("moons")
    a_train, (a_X, a_y) = validation_split(ds, 0.25, 3)
    b_train, (b_X, b_y) = validation_split(ds, 0.25, 3)
    np.testing.assert_array_equal(a_X, b_X)
    assert len(a_y) == 76 and len(a_train.y_train) == 224 and a_train.X_test is None
    for c in (0, 1):   # stratified: each class keeps its share
        assert abs(np.mean(a_y == c) - np.mean(ds.y_train == c)) < 0.02
    rows = {tuple(x) for x in np.vstack([a_train.X_train, a_X])}
    assert rows == {tuple(x) for x in ds.X_train}
    _, (c_X, _) = validation_split(ds, 0.25, 4)
    assert not np.array_equal(c_X, a_X)


def _fake(random_bests, grid_bests, grid_costs):
    """A result whose searches reached the given bests; the grid's costs as a 5 x 5 table (lr rows)."""
    lrs = [1e-4, 1e-3, 1e-2, 1e-1, 1.0]
    eps = [1e-10, 1e-9, 1e-8, 1e-7, 1e-6]
    grid_points = [{"params": {"lr": a, "epsilon": e}, "val_cost": grid_costs[i][j]}
                   for i, a in enumerate(lrs) for j, e in enumerate(eps)]
    rng = np.random.default_rng(0)

    def run(kind, best):
        if kind == "grid":
            pts = grid_points
        else:
            pts = [{"params": {"lr": float(x), "epsilon": float(y)}, "val_cost": 0.5}
                   for x, y in zip(10 ** rng.uniform(-4, 0, 25), 10 ** rng.uniform(-10, -6, 25))]
        d = {k: len({p["params"][k] for p in pts}) for k in ("lr", "epsilon")}
        return {"seed": 0, "trials": pts, "best": {"params": pts[0]["params"], "val_cost": best}, "distinct": d}

    arms = []
    for arm, bests in zip(EXP.arms, (random_bests, grid_bests)):
        runs = [RunResult(seed=3, extra={"searches": [run(arm.name, b) for b in bests], "important": "lr",
                                         "trials_per_search": 25})]
        arms.append(ArmResult(arm, EXP.config(arm), runs))
    return ExperimentResult(EXP, arms, 1, False, {}, 0.0)


LR_MATTERS = [[0.6] * 5, [0.4] * 5, [0.2, 0.21, 0.2, 0.21, 0.2], [0.3] * 5, [0.9] * 5]
EPS_MATTERS = [[0.2, 0.4, 0.6, 0.8, 0.9]] * 5


def test_the_conclusions_hold_when_the_run_shows_the_lesson():
    out = check(_fake([0.10, 0.12, 0.11], [0.15, 0.16, 0.14], LR_MATTERS))
    assert [c.passed for c in out] == [True, True, True]


def test_the_conclusions_fail_when_the_run_does_not():
    out = check(_fake([0.15, 0.16, 0.14], [0.10, 0.12, 0.11], LR_MATTERS))
    assert out[2].passed is False and "grid 0.1100" in out[2].measured
    out = check(_fake([0.10, 0.12, 0.11], [0.15, 0.16, 0.14], EPS_MATTERS))
    assert out[1].passed is False and "lr: 0.0%" in out[1].measured


def test_main_effects_split_the_variation_between_the_two_hyperparameters():
    pts = [{"params": {"a": i, "b": j}, "val_cost": float(i)} for i in range(3) for j in range(3)]
    assert main_effects(pts, ["a", "b"]) == {"a": 1.0, "b": 0.0}
    pts = [{"params": {"a": i, "b": j}, "val_cost": float(i + j)} for i in range(3) for j in range(3)]
    assert main_effects(pts, ["a", "b"]) == pytest.approx({"a": 0.5, "b": 0.5})
