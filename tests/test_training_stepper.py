"""Stepper: training in pieces is fit, bit for bit; live changes; reset; its checks."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from descentlab import FitConfig, Network, NonFiniteError, Stepper
from descentlab import fit as _fit
from descentlab.engines.base import EpochAccum
from descentlab.engines.numpy_engine import NumpyRunner
from descentlab.training.batching import Shuffler
from descentlab.training.prepare import PreparedData, streams
from descentlab.training.schedules import Schedule

OPTIMIZERS = ("gd", "momentum", "rmsprop", "adam", "adamw")
SCHEDULES = (None, {"name": "inverse_time", "rate": 0.5},
             {"name": "staircase", "rate": 1, "interval": 2, "delay": 1}, {"name": "exponential", "base": 0.5, "interval": 2})
KEEP = (1.0, 0.8)
L2 = (0.0, 0.3)
KEYS = ("epoch", "cost", "cost_data", "cost_l2", "accuracy", "val_cost", "val_accuracy", "lr")  # not "time"


def fit(*args, **settings):
    """``fit`` on the NumPy engine, the engine a Stepper runs on by default (fit's "auto" may be numba,
    equal to rounding but not bit for bit; tests/test_engine_numba.py compares the two)."""
    if not isinstance(settings.get("config"), FitConfig) or settings["config"].engine == "auto":
        settings.setdefault("engine", "numpy")
    return _fit(*args, **settings)


def _data(m=70, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, 2))
    return X, (X[:, 0] * X[:, 1] > 0).astype(int)


def _settings(optimizer, schedule, keep_prob, l2, **kw):
    return dict(optimizer=optimizer, lr=0.05, schedule=schedule, keep_prob=keep_prob, l2=l2, batch_size=16,
                epochs=6, seed=7, **kw)


def _same_history(a, b):
    for key in KEYS:
        assert a[key] == b[key], key


@pytest.mark.parametrize("optimizer,schedule,keep_prob,l2", list(itertools.product(OPTIMIZERS, SCHEDULES, KEEP, L2)))
def test_stepping_in_pieces_is_fit_bit_for_bit(optimizer, schedule, keep_prob, l2):
    X, y = _data()
    Xv, yv = _data(30, seed=1)
    settings = _settings(optimizer, schedule, keep_prob, l2)
    ref = Network([2, 5, 3, 1], seed=3)
    h_ref = fit(ref, X, y, validation_data=(Xv, yv), verbose=0, **settings)
    net = Network([2, 5, 3, 1], seed=3)
    run = Stepper(net, X, y, validation_data=(Xv, yv), **settings)
    sizes = np.random.default_rng(len(str(settings))).integers(1, 9, size=100)  # pieces of 1..8 steps
    total = 6 * run.steps_per_epoch
    for k in sizes:
        run.step(int(min(k, total - run.steps)))
        if run.steps == total:
            break
    assert run.epoch == 6 and run.step_in_epoch == 0
    assert np.array_equal(net.theta, ref.theta)
    _same_history(run.history, h_ref)


def _reference_loop(net, X, y, cfg, epochs):
    """fit's epoch loop written out over the NumPy runner (no fit, no Stepper), as fit ran before the Stepper."""
    rngs = streams(cfg.seed)
    data = PreparedData.prepare(net, X, y, None, 0.0, rngs[2])
    shuffler = Shuffler(cfg.shuffle, len(data.X), rngs[0])
    runner = NumpyRunner(net, data.X, data.Y, data.labels, cfg, rngs[1])
    costs = []
    for epoch in range(epochs):
        acc = EpochAccum()
        runner.run_epoch(epoch, shuffler.permutation(epoch), cfg.schedule(cfg.optimizer.lr, epoch), acc, lambda: False)
        costs.append((acc.loss + acc.l2) / acc.seen)
    return costs


@pytest.mark.parametrize("shuffle", ["random", "course", "none"])
@pytest.mark.parametrize("batch_size", [None, 1, 16, 500])
def test_stepper_and_fit_match_the_runner_loop(shuffle, batch_size):
    X, y = _data(40)
    cfg = FitConfig(optimizer="adam", lr=0.02, batch_size=batch_size, shuffle=shuffle, keep_prob=0.9, l2=0.1,
                    seed=4, epochs=3)
    nets = [Network([2, 6, 1], seed=2) for _ in range(3)]
    costs = _reference_loop(nets[0], X, y, cfg.resolve(nets[0]), 3)
    h = fit(nets[1], X, y, config=cfg, verbose=0)
    run = Stepper(nets[2], X, y, config=cfg)
    while run.epoch < 3:
        run.step(3)
    assert np.array_equal(nets[0].theta, nets[1].theta) and np.array_equal(nets[0].theta, nets[2].theta)
    assert h["cost"] == costs == run.history["cost"]


def test_run_epoch_and_run_epochs_return_the_records():
    X, y = _data()
    run = Stepper(Network([2, 4, 1], seed=1), X, y, batch_size=32, seed=0, epochs=3)
    run.step(2)
    logs = run.run_epoch()  # finishes epoch 0
    assert logs["epoch"] == 0 and run.epoch == 1 and run.step_in_epoch == 0
    h = run.run_epochs(2)
    assert len(h) == 3 and h["epoch"] == [0, 1, 2]
    ref = Network([2, 4, 1], seed=1)
    fit(ref, X, y, batch_size=32, seed=0, epochs=3, verbose=0)
    assert np.array_equal(ref.theta, run.net.theta)


class _SwitchAt(Schedule):
    """lr0 before epoch ``at``, ``to`` from it on: what a live change at an epoch start does."""

    def __init__(self, at, to):
        object.__setattr__(self, "delay", 0)
        object.__setattr__(self, "at", at)
        object.__setattr__(self, "to", to)

    def rate_at(self, lr0, epoch):
        return lr0 if epoch < self.at else self.to


def test_a_live_learning_rate_change_is_the_schedule_that_switches_there():
    X, y = _data()
    ref = Network([2, 5, 1], seed=3)
    fit(ref, X, y, optimizer="momentum", lr=0.05, schedule=_SwitchAt(2, 0.2), batch_size=16, epochs=4, seed=1, verbose=0)
    net = Network([2, 5, 1], seed=3)
    run = Stepper(net, X, y, optimizer="momentum", lr=0.05, batch_size=16, epochs=4, seed=1)
    run.run_epochs(2)
    run.set(lr=0.2)
    run.run_epochs(2)
    assert np.array_equal(net.theta, ref.theta)
    assert run.changes == [(2 * run.steps_per_epoch, {"lr": 0.2})]
    assert run.history["lr"] == [0.05, 0.05, 0.2, 0.2]


def test_a_mid_epoch_learning_rate_change_applies_from_the_next_step():
    X, y = _data()
    a = Stepper(Network([2, 5, 1], seed=3), X, y, optimizer="gd", lr=0.05, batch_size=10, seed=1)
    b = Stepper(Network([2, 5, 1], seed=3), X, y, optimizer="gd", lr=0.05, batch_size=10, seed=1)
    a.step(3)
    b.step(3)
    a.set(lr=0.5)
    assert a.current_lr() == 0.5 and b.current_lr() == 0.05
    theta = a.net.theta.copy()
    grad_step = b.net.theta.copy()
    a.step(1)
    b.step(1)
    # gd: the step is lr * g, so the two steps from the same point differ by the factor 10
    np.testing.assert_allclose(a.net.theta - theta, 10 * (b.net.theta - grad_step), rtol=1e-12, atol=1e-15)


def test_setting_l2_or_keep_prob_before_training_is_training_with_them():
    X, y = _data()
    ref = Network([2, 5, 3, 1], seed=3)
    fit(ref, X, y, optimizer="adam", lr=0.01, l2=0.4, keep_prob=0.7, batch_size=16, epochs=3, seed=2, verbose=0)
    net = Network([2, 5, 3, 1], seed=3)
    run = Stepper(net, X, y, optimizer="adam", lr=0.01, batch_size=16, epochs=3, seed=2)
    run.set(l2=0.4, keep_prob=0.7)
    run.run_epochs(3)
    assert np.array_equal(net.theta, ref.theta)


def test_changing_l2_mid_run_keeps_the_optimizer_state_and_the_dropout_stream():
    X, y = _data()
    a = Stepper(Network([2, 5, 1], seed=3), X, y, optimizer="adam", lr=0.01, keep_prob=0.8, batch_size=16, seed=2)
    b = Stepper(Network([2, 5, 1], seed=3), X, y, optimizer="adam", lr=0.01, keep_prob=0.8, batch_size=16, seed=2)
    a.step(7)
    b.step(7)
    a.set(l2=0.0)  # the same value: the rebuild must change nothing
    a.set(keep_prob=0.8)
    a.step(9)
    b.step(9)
    assert np.array_equal(a.net.theta, b.net.theta)
    a.set(l2=0.5)
    state_t = a.runner.optimizer_meta()["t"]
    assert state_t == 16
    a.step(1)
    b.step(1)
    assert not np.array_equal(a.net.theta, b.net.theta)


def test_reset_restores_the_initial_weights_and_repeats_the_run():
    X, y = _data()
    net = Network([2, 5, 1], seed=3)
    start = net.theta.copy()
    run = Stepper(net, X, y, optimizer="adam", lr=0.01, keep_prob=0.9, batch_size=16, seed=2)
    run.step(11)
    first = net.theta.copy()
    costs = list(run.history["cost"])
    run.reset()
    assert np.array_equal(net.theta, start) and run.steps == 0 and len(run.history) == 0
    run.step(11)
    assert np.array_equal(net.theta, first) and run.history["cost"] == costs


def test_evaluate_splits_the_cost_into_its_terms():
    X, y = _data()
    Xv, yv = _data(20, seed=5)
    net = Network([2, 5, 1], seed=3)
    run = Stepper(net, X, y, validation_data=(Xv, yv), l2=0.3, seed=1)
    run.step(5)
    data_cost, l2_term, acc = run.evaluate()
    cost = net.cost(X, y, l2=0.3)
    assert data_cost == pytest.approx(cost.data, rel=1e-12) and l2_term == pytest.approx(cost.l2, rel=1e-12)
    assert acc == pytest.approx(net.accuracy(X, y))
    v_data, v_l2, v_acc = run.evaluate(validation=True)
    assert v_data == pytest.approx(net.cost(Xv, yv).data, rel=1e-12) and v_l2 == l2_term
    no_val = Stepper(Network([2, 5, 1], seed=3), X, y)
    with pytest.raises(ValueError, match="validation"):
        no_val.evaluate(validation=True)


def test_divergence_stops_or_raises_like_fit():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((100, 3)) * 100
    y = X @ np.array([1.0, 2.0, 3.0])
    run = Stepper(Network([3, 4, 1], output="linear", seed=1), X, y, optimizer="gd", lr=0.1, on_nonfinite="stop", seed=0)
    done = run.step(10_000)
    assert run.stopped and "diverged" in run.stopped and done < 10_000 and np.isfinite(run.net.theta).all()
    assert run.step(5) == 0
    raising = Stepper(Network([3, 4, 1], output="linear", seed=1), X, y, optimizer="gd", lr=0.1, seed=0)
    with pytest.raises(NonFiniteError, match="learning rate"):
        raising.step(10_000)


def test_bad_arguments_name_the_argument():
    X, y = _data()
    with pytest.raises(TypeError, match="net"):
        Stepper("net", X, y)
    with pytest.raises(ValueError, match="verbose"):
        Stepper(Network([2, 3, 1]), X, y, verbose=1)
    run = Stepper(Network([2, 3, 1], seed=0), X, y)
    with pytest.raises(ValueError, match="lr"):
        run.set(lr=-1)
    with pytest.raises(ValueError, match="keep_prob"):
        run.set(keep_prob=1.5)
    with pytest.raises(ValueError, match="l2"):
        run.set(l2=-0.1)
    with pytest.raises(ValueError, match="k"):
        run.step(-1)
    assert run.changes == []


def test_auto_means_the_numpy_engine_in_a_stepper_and_numba_may_be_asked_for():
    X, y = _data()
    assert Stepper(Network([2, 4, 1], seed=0), X, y).cfg.engine == "numpy"        # stops after any step
    assert Stepper(Network([2, 4, 1], seed=0), X, y, config=FitConfig(engine="auto")).cfg.engine == "numpy"
    fast = Stepper(Network([2, 4, 1], seed=0), X, y, engine="numba", batch_size=8)
    assert fast.cfg.engine == "numba" and fast.step(1) >= 1                      # chunks of steps
    assert fit(Network([2, 4, 1], seed=0), X, y, epochs=1, verbose=0, engine="auto").config["engine"] == "numba"
