"""FitConfig: the run's settings as one value; fit and fit_many take it, and keywords override it."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from descentlab import Adam, Network, fit, fit_many
from descentlab.errors import InputError, InputTypeError
from descentlab.training import FitConfig


def _data(m=60, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, 2))
    return X, (X[:, 0] * X[:, 1] > 0).astype(int)


def test_a_config_is_a_checked_normal_value():
    cfg = FitConfig(optimizer="adam", lr=0.01, epochs=3, keep_prob=[0.9, 0.8], schedule="inverse_time", seed=4)
    assert cfg.optimizer == Adam(lr=0.01)
    assert cfg.keep_prob == (0.9, 0.8) and cfg.schedule.name == "inverse_time" and cfg.seed == 4
    assert isinstance(FitConfig().seed, int)  # drawn once, so the value repeats its run
    assert dataclasses.replace(cfg, epochs=5).epochs == 5 and dataclasses.replace(cfg, epochs=5).optimizer == cfg.optimizer
    with pytest.raises(InputError, match="epochs"):
        FitConfig(epochs=0)
    with pytest.raises(InputError, match="shuffle"):
        FitConfig(shuffle="sometimes")
    with pytest.raises(InputError, match="engine"):
        FitConfig(engine="jax")


def test_fit_with_a_config_equals_fit_with_keywords():
    X, y = _data()
    settings = dict(optimizer="momentum", lr=0.05, epochs=4, batch_size=16, l2=0.3, keep_prob=0.8, seed=7,
                    schedule={"name": "staircase", "rate": 1.0, "interval": 2})
    a, b = Network([2, 6, 1], seed=1), Network([2, 6, 1], seed=1)
    ha = fit(a, X, y, verbose=0, **settings)
    hb = fit(b, X, y, config=FitConfig(**settings), verbose=0)
    assert np.array_equal(a.theta, b.theta) and ha["cost"] == hb["cost"]
    assert ha.config == hb.config


def test_keywords_override_the_config():
    X, y = _data()
    cfg = FitConfig(optimizer="gd", lr=0.1, epochs=2, seed=1)
    h = fit(Network([2, 4, 1], seed=0), X, y, config=cfg, epochs=3, lr=0.2, verbose=0)
    assert len(h) == 3 and h.config["optimizer"]["lr"] == 0.2 and h.config["optimizer"]["name"] == "gd"
    with pytest.raises(InputTypeError, match="config"):
        fit(Network([2, 4, 1], seed=0), X, y, config={"epochs": 2}, verbose=0)


def test_fit_many_takes_a_config_and_per_run_values():
    X, y = _data()
    cfg = FitConfig(optimizer="adam", lr=0.01, epochs=3, batch_size=20, seed=0)
    nets = [Network([2, 5, 1], seed=s) for s in range(2)]
    hs = fit_many(nets, X, y, config=cfg, seeds=[3, 4], l2=[0.0, 0.5])
    assert [h.config["l2"] for h in hs] == [0.0, 0.5] and [h.seed for h in hs] == [3, 4]
    single = Network([2, 5, 1], seed=1)
    fit(single, X, y, config=cfg, seed=4, l2=0.5, verbose=0)
    assert np.allclose(single.theta, nets[1].theta, rtol=1e-12, atol=1e-14)


def test_optimizer_state_holds_only_state():
    opt = Adam(lr=0.1)
    theta, g = np.ones(5), np.full(5, 0.5)
    state = opt.init(theta)
    assert set(state) == {"t", "v", "s"}
    opt.update(theta, g, state, 0.1)
    assert set(state) == {"t", "v", "s"} and state["t"] == 1 and state.cache  # scratch lives apart
