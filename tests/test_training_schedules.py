"""Learning-rate schedules: their values, the course's delay, applied per epoch by fit."""

from __future__ import annotations

import numpy as np
import pytest

from descentlab import Network, fit
from descentlab.training.schedules import ExponentialDecay, InverseTimeDecay, StaircaseDecay, get_schedule


def _data(m=120, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, 2))
    y = (X[:, 0] ** 2 + X[:, 1] > 0.5).astype(int)
    return X, y


def _net(seed=3, **kw):
    return Network([2, 8, 4, 1], seed=seed, **kw)


def test_schedules_values():
    assert InverseTimeDecay(rate=1)(0.1, 0) == 0.1
    assert InverseTimeDecay(rate=1)(0.1, 4) == pytest.approx(0.02)
    s = StaircaseDecay(rate=1, interval=1000)
    assert [s(0.1, e) for e in (0, 999, 1000, 2500)] == pytest.approx([0.1, 0.1, 0.05, 0.1 / 3])
    assert ExponentialDecay(base=0.95)(1.0, 10) == pytest.approx(0.95 ** 10)
    assert ExponentialDecay(base=0.5, interval=10, staircase=True)(1.0, 19) == 0.5
    delayed = StaircaseDecay(rate=1, interval=1, delay=1)
    assert [delayed(1.0, e) for e in (0, 1, 2)] == [1.0, 1.0, 0.5]  # the course updates after each epoch
    assert get_schedule({"name": "staircase", "rate": 2, "interval": 5}) == StaircaseDecay(rate=2, interval=5)
    with pytest.raises(ValueError, match="schedule.bogus"):
        get_schedule({"name": "staircase", "bogus": 1})


def test_schedule_is_applied_per_epoch():
    X, y = _data()
    h = fit(_net(), X, y, optimizer="gd", lr=0.4, epochs=4, schedule={"name": "inverse_time", "rate": 1.0},
            seed=0, verbose=0)
    assert h["lr"] == pytest.approx([0.4, 0.2, 0.4 / 3, 0.1])
