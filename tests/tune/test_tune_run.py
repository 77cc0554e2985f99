"""Searches end to end on SQLite with one in-process worker: budget, resume, seeds, samplers, pruners, outputs."""

from __future__ import annotations

import csv
import json
import math
import tomllib
from pathlib import Path

import numpy as np
import pytest
from conftest import cli, spec_doc, sqlite_rows, write_spec

import descentlab as dl
from descentlab.core.network import Network
from descentlab.experiments import load_comparison
from descentlab.experiments.spec import build_network, fit_config
from descentlab.tune.trial import trial_seed


def _tune(tmp_path, doc=None, **kw):
    kw.setdefault("progress", False)
    kw.setdefault("out", tmp_path / "out")
    return dl.tune(doc or spec_doc(), **kw)


def test_a_search_runs_its_trials_and_writes_every_output(tmp_path):
    r = _tune(tmp_path, trials=6)
    assert r.counts == {"COMPLETE": 6} and [t["number"] for t in r.trials] == list(range(6))
    values = [t["value"] for t in r.trials]
    assert r.best["value"] == min(values) and r.best["number"] == int(np.argmin(values))
    out = tmp_path / "out"
    names = {p.name for p in out.iterdir()}
    assert {"trials.csv", "trials.json", "best.json", "best-model.safetensors", "best-run.toml", "report.html",
            "figures", "study.db"} <= names
    assert {p.name for p in (out / "figures").iterdir()} >= {"history.png", "parallel.png", "slices.png",
                                                              "importance.png", "curves.png"}
    rows = list(csv.DictReader((out / "trials.csv").read_text().splitlines()))
    assert [int(r_["number"]) for r_ in rows] == list(range(6))
    assert float(rows[r.best["number"]]["value"]) == pytest.approx(r.best["value"])
    assert set(rows[0]) >= {"lr", "l2", "state", "train_seconds"}
    db = sqlite_rows(out / "study.db")
    assert [t["state"] for t in db] == ["COMPLETE"] * 6
    assert json.loads((out / "trials.json").read_text())["trials"][2]["params"] == r.trials[2]["params"]


def test_the_best_model_and_the_run_toml_reproduce_the_best_configuration(tmp_path):
    r = _tune(tmp_path, trials=5)
    out = tmp_path / "out"
    model = dl.load(out / "best-model.safetensors")
    train, (Xv, yv) = _split(r)
    assert model.cost(Xv, yv).data == pytest.approx(r.best["value"], rel=1e-12)   # the trial's own network
    assert r.final["val_cost"] == pytest.approx(r.best["value"], rel=1e-12)
    exp = load_comparison(out / "best-run.toml")
    cfg = exp.config(exp.arms[0])
    for key, value in r.best["params"].items():
        assert cfg[key] == pytest.approx(value, rel=1e-12)
    assert cfg["layers"] == [2, 8, 1] and cfg["epochs"] == 40 and cfg["seed"] == 2
    # the same network trained from the TOML's settings on the training part is the model of the file
    net = build_network(cfg, cfg["seed"], train)
    dl.fit(net, train.X_train, train.y_train, config=fit_config(cfg, cfg["seed"]), verbose=0)
    np.testing.assert_array_equal(net.theta, model.theta)
    assert "descentlab run best-run.toml" in (out / "best-run.toml").read_text()


def _split(r):
    from descentlab.datasets import load
    from descentlab.experiments.searches import validation_split
    return validation_split(load("moons"), r.options.validation, r.options.split_seed)


def test_the_test_set_is_never_seen_by_a_trial_and_evaluated_once_at_the_end(tmp_path, monkeypatch):
    from descentlab.datasets import load
    ds = load("circles")  # has a test split
    seen: list[str] = []
    original_cost, original_accuracy = Network.cost, Network.accuracy

    def spy(kind, original):
        def wrapped(self, X, y, *a, **k):
            if len(X) == len(ds.X_test) and np.array_equal(X, ds.X_test):
                seen.append(kind)
            return original(self, X, y, *a, **k)
        return wrapped

    monkeypatch.setattr(Network, "cost", spy("cost", original_cost))
    monkeypatch.setattr(Network, "accuracy", spy("accuracy", original_accuracy))
    import descentlab.tune.trial as trial_module
    given = []
    real_train = trial_module.train_trial

    def recording(cfg, seeds, data, report_every, callbacks):
        given.append(data)
        assert seen == [], "the test set was used before the search ended"
        return real_train(cfg, seeds, data, report_every, callbacks)

    monkeypatch.setattr(trial_module, "train_trial", recording)
    r = _tune(tmp_path, spec_doc(dataset="circles", base={"layers": [2, 8, 1], "epochs": 30, "seed": 2}), trials=4)
    assert len(given) == 4 and all(d.train.X_test is None for d in given)
    train, val = given[0].train, given[0].val
    rows = {tuple(x) for x in np.vstack([train.X_train, val[0]])}
    assert len(train.X_train) + len(val[0]) == len(ds.X_train) and rows == {tuple(x) for x in ds.X_train}
    assert sorted(seen) == ["accuracy", "cost"]       # once each, for the chosen configuration
    assert r.final["test_evaluated"] and r.final["test_examples"] == len(ds.X_test)
    html = (tmp_path / "out" / "report.html").read_text()
    assert "The test set was not looked at during the search." in html
    assert "evaluated once, after the search, for the chosen configuration only" in html


def test_rerunning_continues_the_study_and_trials_do_not_depend_on_who_runs_them(tmp_path):
    first = _tune(tmp_path, trials=3)
    more = _tune(tmp_path, trials=5)
    assert [t["number"] for t in more.trials] == list(range(5)) and more.stats.finished == 2
    assert more.trials[:3] == first.trials[:3] or [t["params"] for t in more.trials[:3]] == [
        t["params"] for t in first.trials[:3]]
    again = _tune(tmp_path, trials=5)
    assert again.stats.finished == 0 and len(again.trials) == 5
    fresh = _tune(tmp_path, trials=5, out=tmp_path / "fresh")        # one run of 5: the same 5 draws
    assert [t["params"] for t in fresh.trials] == [t["params"] for t in more.trials]
    assert trial_seed(2, 0) != trial_seed(2, 1)


def test_seeds_train_in_lockstep_and_record_the_spread(tmp_path):
    r = _tune(tmp_path, trials=3, seeds=3)
    for t in r.trials:
        assert len(t["seed_values"]) == 3 and t["value"] == pytest.approx(np.mean(t["seed_values"]), rel=1e-12)
        assert t["std"] == pytest.approx(np.std(t["seed_values"]), rel=1e-9) and t["std"] > 0
    # seed 0 of the best trial trained by fit_many equals fit's run (the retrained model) up to rounding
    assert r.final["val_cost"] == pytest.approx(r.best["seed_values"][0], rel=1e-9)
    assert r.seeds == (2, 3, 4)


def test_grid_search_takes_every_grid_point_once(tmp_path):
    doc = spec_doc(space={"lr": {"log_uniform": [1e-3, 1e-1], "grid": 3}, "batch_size": {"choice": [32, "full"]}})
    r = _tune(tmp_path, doc, sampler="grid", trials=100)
    points = sorted((t["params"]["lr"], str(t["params"]["batch_size"])) for t in r.trials)
    assert len(r.trials) == 6 and points == sorted((lr, b) for lr in (0.001, 0.01, 0.1) for b in ("32", "full"))


def test_tpe_runs(tmp_path):
    r = _tune(tmp_path, trials=12, sampler="tpe")
    assert r.counts == {"COMPLETE": 12}
    assert len({t["params"]["lr"] for t in r.trials}) == 12


@pytest.mark.parametrize("pruner", ["median", "successive_halving", "hyperband"])
def test_pruners_stop_bad_trials_through_the_training_callbacks(pruner, tmp_path):
    doc = spec_doc(base={"layers": [2, 8, 1], "epochs": 60, "seed": 2},
                   space={"lr": {"log_uniform": [1e-5, 1.0]}})
    r = _tune(tmp_path, doc, trials=16, pruner=pruner, report_every=3)
    pruned = [t for t in r.trials if t["state"] == "PRUNED"]
    assert pruned, "no trial was pruned"
    for t in pruned:
        assert t["pruned_at_epoch"] < 60 and t["epochs_run"] == t["pruned_at_epoch"]
        assert t["curve"]["epoch"][-1] == t["pruned_at_epoch"]
    complete = [t for t in r.trials if t["state"] == "COMPLETE"]
    assert complete and all(t["epochs_run"] == 60 for t in complete)
    assert r.stats.finished == 16


def test_a_timeout_stops_starting_trials(tmp_path):
    r = _tune(tmp_path, trials=10_000, timeout=2.0)
    assert 1 <= r.stats.finished < 10_000 and r.stats.timed_out


def test_accuracy_is_maximized_and_diverging_trials_score_the_worst(tmp_path):
    doc = spec_doc(base={"layers": [2, 8, 1], "optimizer": "gd", "epochs": 30, "batch_size": "full", "seed": 2},
                   space={"lr": {"choice": [1e30, 0.5]}})
    r = _tune(tmp_path, doc, trials=2, sampler="grid", objective="val_accuracy")
    by_lr = {t["params"]["lr"]: t for t in r.trials}
    assert by_lr[1e30]["value"] == 0.0 and by_lr[1e30]["note"].startswith("training diverged")
    assert r.best["params"]["lr"] == 0.5 and r.best["value"] > 0.5
    cost = _tune(tmp_path, doc, trials=2, sampler="grid", out=tmp_path / "cost")
    assert math.isinf({t["params"]["lr"]: t for t in cost.trials}[1e30]["value"])
    assert cost.best["params"]["lr"] == 0.5


def test_the_command_prints_the_summary_and_writes_json(tmp_path):
    spec = write_spec(tmp_path, spec_doc())
    done = cli("tune", str(spec), "--trials", "3", "--out", str(tmp_path / "out"), "--json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["counts"] == {"COMPLETE": 3} and doc["best"]["number"] in (0, 1, 2)
    assert doc["final"]["test_evaluated"] is False and len(doc["trials"]) == 3
    text = cli("tune", str(spec), "--trials", "4", "--out", str(tmp_path / "out"))
    assert text.returncode == 0 and "best: trial" in text.stdout and "1 more" in text.stderr
    assert tomllib.loads((tmp_path / "out" / "best-run.toml").read_text())["base"]["layers"] == [2, 8, 1]


def test_a_spec_changed_under_a_study_is_refused(tmp_path):
    _tune(tmp_path, trials=2)
    with pytest.raises(dl.InputError, match=r"another spec \(it differs in base\.epochs\)"):
        _tune(tmp_path, spec_doc(base={"layers": [2, 8, 1], "optimizer": "adam", "epochs": 41, "batch_size": 64,
                                       "seed": 2}), trials=3)
    other = _tune(tmp_path, spec_doc(base={"layers": [2, 8, 1], "optimizer": "adam", "epochs": 41,
                                           "batch_size": 64, "seed": 2}), trials=2, study="second")
    assert other.study == "second" and len(other.trials) == 2


EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("tune-*.toml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_the_example_specs_run(path, tmp_path):
    from descentlab.tune import load_spec
    spec = load_spec(path)
    assert spec.options.trials >= 20 and spec.experiment.quick
    done = cli("tune", str(path), "--quick", "--trials", "4", "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    assert "best: trial" in done.stdout and (tmp_path / "out" / "report.html").exists()


def test_a_trial_failed_by_another_worker_while_it_ran_is_a_failure_not_a_crash(tmp_path, monkeypatch):
    """On a loaded machine another worker may see a live trial's heartbeat late, fail it and queue its
    retry; the first worker's result then cannot be recorded (Optuna's UpdateFinishedTrialError). The
    search goes on, the retry runs, and the late result is dropped (CI met this once)."""
    import warnings

    import optuna
    from optuna.trial import TrialState

    import descentlab.tune.trial as trial_module
    real_train = trial_module.train_trial
    url = f"sqlite:///{tmp_path / 'out' / 'study.db'}"
    failed: list[int] = []

    def failed_meanwhile(cfg, seeds, data, report_every, callbacks):
        histories = real_train(cfg, seeds, data, report_every, callbacks)
        if not failed:  # the first trial: "another worker" fails it and queues its retry
            storage = optuna.storages.RDBStorage(url)
            study = optuna.load_study(study_name="t", storage=storage)
            (running,) = study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
            storage.set_trial_state_values(running._trial_id, state=TrialState.FAIL)
            with warnings.catch_warnings():  # Optuna marks the callback experimental
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                retry = optuna.storages.RetryHeartbeatStaleTrialCallback(max_retry=3)
            retry(study, storage.get_trial(running._trial_id))
            storage.engine.dispose()
            failed.append(running.number)
        return histories

    monkeypatch.setattr(trial_module, "train_trial", failed_meanwhile)
    r = _tune(tmp_path, trials=3)
    states = {t["number"]: t["state"] for t in r.trials}
    assert failed == [0] and states[0] == "FAIL"
    retry = [t for t in r.trials if t["retry_of"] == 0]
    assert len(retry) == 1 and retry[0]["state"] == "COMPLETE"
    assert retry[0]["params"] == pytest.approx(r.trials[0]["params"])
