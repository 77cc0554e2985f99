"""Mini-batches: partitions, the course's shuffle, batch bounds, a batch larger than m."""

from __future__ import annotations

import numpy as np
import pytest

from descentlab import Network, fit, minibatches
from descentlab.training.batching import Shuffler, batch_bounds


def _data(m=120, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, 2))
    y = (X[:, 0] ** 2 + X[:, 1] > 0.5).astype(int)
    return X, y


def _net(seed=3, **kw):
    return Network([2, 8, 4, 1], seed=seed, **kw)


@pytest.mark.parametrize("m,size,expected", [(148, 64, [64, 64, 20]), (128, 64, [64, 64]), (5, 1, [1] * 5),
                                              (10, None, [10]), (10, 50, [10])])
def test_partition_sizes(m, size, expected):
    X, y = np.arange(m * 2).reshape(m, 2), np.arange(m)
    batches = list(minibatches(X, y, size, np.random.default_rng(0)))
    assert [len(xb) for xb, _ in batches] == expected
    seen = np.concatenate([yb for _, yb in batches])
    assert sorted(seen.tolist()) == list(range(m))  # every example exactly once
    for xb, yb in batches:
        assert np.array_equal(xb[:, 0] // 2, yb)  # X and y shuffled together


def test_course_shuffle_reproduces_the_course_permutations():
    sh = Shuffler("course", 300)
    state = np.random.get_state()
    try:
        for epoch in range(3):
            np.random.seed(10 + 1 + epoch)
            assert np.array_equal(sh.permutation(epoch), np.random.permutation(300))
    finally:
        np.random.set_state(state)


def test_batch_bounds():
    assert batch_bounds(148, 64) == [(0, 64), (64, 128), (128, 148)]


def test_batch_size_larger_than_m_uses_one_batch_of_everything():
    X, y = _data(m=20)
    a, b = _net(), _net()
    fit(a, X, y, optimizer="gd", epochs=3, batch_size=64, verbose=0, seed=0)
    fit(b, X, y, optimizer="gd", epochs=3, batch_size=None, verbose=0, seed=0)
    assert np.allclose(a.theta, b.theta, rtol=1e-12, atol=1e-15)  # equal up to the order of the sum
