"""Callbacks and early stopping: restoring the best weights, needing a validation set."""

from __future__ import annotations

import numpy as np
import pytest

from descentlab import Callback, EarlyStopping, Network, fit


def _data(m=120, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, 2))
    y = (X[:, 0] ** 2 + X[:, 1] > 0.5).astype(int)
    return X, y


def _net(seed=3, **kw):
    return Network([2, 8, 4, 1], seed=seed, **kw)


def test_early_stopping_restores_the_best_weights():
    X, y = _data(200)
    Xv, yv = _data(100, seed=1)
    best = {}

    class Spy(Callback):
        def on_epoch_end(self, epoch, logs, run):
            best.setdefault("costs", []).append(logs["val_cost"])
            if logs["val_cost"] == min(best["costs"]):
                best["theta"] = run.net.theta.copy()

    net = _net()
    h = fit(net, X, y, lr=0.2, epochs=200, batch_size=16, seed=0, verbose=0, validation_data=(Xv, yv),
            callbacks=[Spy()], early_stopping=EarlyStopping(patience=3))
    assert h.stop_reason and "early stopping" in h.stop_reason
    assert h.best_epoch == int(np.argmin(best["costs"]))
    assert np.array_equal(net.theta, best["theta"])


def test_early_stopping_restores_best_even_when_patience_never_ran_out():
    X, y = _data(200)
    Xv, yv = _data(100, seed=1)
    net = _net()
    h = fit(net, X, y, lr=0.5, epochs=15, batch_size=8, seed=0, verbose=0, validation_data=(Xv, yv),
            early_stopping=100)
    assert h.stop_reason is None
    assert net.cost(Xv, yv).data == pytest.approx(min(h["val_cost"]), rel=1e-12)


def test_early_stopping_needs_validation():
    X, y = _data()
    with pytest.raises(ValueError, match="early_stopping"):
        fit(_net(), X, y, epochs=2, early_stopping=3, verbose=0)
