"""fit_many: K runs in lockstep equal K separate runs, to rounding."""

from __future__ import annotations

import numpy as np
import pytest

from descentlab import Adam, Momentum, Network, fit, fit_many


def _data(m=150, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, 2))
    return X, (X[:, 0] * X[:, 1] > 0).astype(int)


@pytest.mark.parametrize("shuffle", ["random", "course"])
def test_lockstep_runs_equal_separate_runs(shuffle):
    X, y = _data()
    Xv, yv = _data(40, seed=1)
    inits = ["he", "xavier", "lecun", "he"]
    lrs, l2s, kps, b1s, seeds = [0.01, 0.02, 0.005, 0.01], [0.0, 0.3, 0.0, 0.1], [1.0, 0.8, 0.9, 1.0], \
        [0.9, 0.8, 0.9, 0.95], [4, 5, 6, 7]
    many = [Network([2, 6, 3, 1], init=i, seed=k) for k, i in enumerate(inits)]
    hs = fit_many(many, X, y, optimizer="adam", lr=lrs, l2=l2s, keep_prob=kps, beta1=b1s, seeds=seeds, epochs=8,
                  batch_size=32, shuffle=shuffle, validation_data=(Xv, yv))
    for k, init in enumerate(inits):
        single = Network([2, 6, 3, 1], init=init, seed=k)
        h = fit(single, X, y, optimizer=Adam(lr=lrs[k], beta1=b1s[k]), l2=l2s[k], keep_prob=kps[k], seed=seeds[k],
                epochs=8, batch_size=32, shuffle=shuffle, validation_data=(Xv, yv), verbose=0)
        assert np.allclose(many[k].theta, single.theta, rtol=1e-12, atol=1e-13)
        assert np.allclose(hs[k]["cost"], h["cost"], rtol=1e-12)
        assert np.allclose(hs[k]["val_cost"], h["val_cost"], rtol=1e-12)
        assert hs[k]["accuracy"] == pytest.approx(h["accuracy"])
        assert hs[k].config["optimizer"]["beta1"] == b1s[k]


def test_momentum_and_schedule_per_run():
    X, y = _data()
    many = [Network([2, 5, 1], seed=k) for k in range(3)]
    sched = {"name": "staircase", "rate": 1.0, "interval": 2}
    fit_many(many, X, y, optimizer="momentum", lr=[0.1, 0.05, 0.2], beta=[0.9, 0.5, 0.0], epochs=5, batch_size=None,
             schedule=sched, seeds=[1, 2, 3])
    for k, (lr, beta) in enumerate(zip([0.1, 0.05, 0.2], [0.9, 0.5, 0.0])):
        single = Network([2, 5, 1], seed=k)
        fit(single, X, y, optimizer=Momentum(lr=lr, beta=beta), epochs=5, batch_size=None, schedule=sched,
            seed=[1, 2, 3][k], verbose=0)
        assert np.allclose(many[k].theta, single.theta, rtol=1e-12, atol=1e-14)


def test_a_diverging_run_is_frozen_and_the_others_go_on():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((100, 3)) * 100
    y = X @ np.array([1.0, 2.0, 3.0])
    nets = [Network([3, 4, 1], output="linear", seed=1) for _ in range(2)]
    hs = fit_many(nets, X, y, optimizer="gd", lr=[1e-7, 0.1], epochs=30, batch_size=None)
    assert hs[0].stop_reason is None and len(hs[0]) == 30
    assert "diverged" in hs[1].stop_reason and len(hs[1]) < 30
    assert all(np.isfinite(n.theta).all() for n in nets)


def test_bad_arguments():
    X, y = _data()
    with pytest.raises(ValueError, match="nets\\[1\\]"):
        fit_many([Network([2, 3, 1], seed=0), Network([2, 4, 1], seed=0)], X, y, epochs=1)
    with pytest.raises(ValueError, match="lr"):
        fit_many([Network([2, 3, 1], seed=0), Network([2, 3, 1], seed=1)], X, y, lr=[0.1, 0.2, 0.3], epochs=1)
    with pytest.raises(TypeError, match="nets"):
        fit_many([], X, y)


def test_the_same_network_twice_is_refused():
    """Both runs would write one buffer: the second run's result would silently overwrite the first."""
    X, y = _data()
    net = Network([2, 3, 1], seed=0)
    before = net.theta.copy()
    with pytest.raises(ValueError, match=r"nets\[2\].*same Network object as nets\[0\]"):
        fit_many([net, Network([2, 3, 1], seed=1), net], X, y, epochs=1)
    assert np.array_equal(net.theta, before)


def test_networks_sharing_a_parameter_buffer_are_refused():
    X, y = _data()
    a = Network([2, 3, 1], seed=0)
    b = a.copy()
    b._bind(a.theta, b.grad)          # two objects, one buffer
    with pytest.raises(ValueError, match="share memory"):
        fit_many([a, b], X, y, epochs=1)


def test_a_huge_epoch_count_allocates_nothing_up_front():
    """The per-epoch records grow with the epochs run, not with the epochs asked for."""
    import tracemalloc
    X, y = _data()
    nets = [Network([2, 3, 1], seed=k) for k in range(2)]
    lr = 1e6                          # diverges at once: both runs stop in the first epoch
    tracemalloc.start()
    try:
        fit_many(nets, X, y, epochs=10**9, lr=lr, optimizer="gd", batch_size=None)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50 * 2**20
