"""Losses from logits: finite for any |z|, equal to the naive formulas where those are safe."""

from __future__ import annotations

import numpy as np
import pytest

from descentlab import Network
from descentlab.core.outputs import OUTPUTS


@pytest.mark.parametrize("scale", [1.0, 30.0, 1e3, 1e4])
def test_bce_finite_and_exact(scale):
    z = np.array([[-1.0, -0.3, 0.0, 0.4, 2.0]]) * scale
    y = np.array([[0.0, 1.0, 1.0, 0.0, 1.0]])
    delta = np.empty_like(z)
    loss = OUTPUTS["sigmoid"].loss(z, y, delta)
    assert np.isfinite(loss) and np.isfinite(delta).all()
    expected = np.sum(np.maximum(z, 0) - y * z + np.log1p(np.exp(-np.abs(z))))
    assert loss == pytest.approx(expected, rel=1e-12)
    p = np.exp(-np.logaddexp(0, -z))
    assert np.allclose(delta, p - y)


def test_bce_matches_naive_formula_in_safe_range():
    rng = np.random.default_rng(0)
    z = rng.standard_normal((1, 50)) * 3
    y = rng.integers(0, 2, (1, 50)).astype(float)
    p = 1 / (1 + np.exp(-z))
    naive = -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert OUTPUTS["sigmoid"].loss(z, y, None) == pytest.approx(naive, rel=1e-12)


@pytest.mark.parametrize("scale", [1.0, 1e3, 1e4])
def test_softmax_ce_finite_and_exact(scale):
    rng = np.random.default_rng(1)
    z = rng.standard_normal((4, 6)) * scale  # (units, examples)
    labels = rng.integers(0, 4, 6)
    y = np.eye(4)[labels].T
    delta = np.empty_like(z)
    loss = OUTPUTS["softmax"].loss(z, y, delta)
    zs = z - z.max(axis=0)
    expected = -np.sum(zs[labels, np.arange(6)] - np.log(np.exp(zs).sum(axis=0)))
    assert np.isfinite(loss) and loss == pytest.approx(expected, rel=1e-12)
    assert np.allclose(delta, np.exp(zs) / np.exp(zs).sum(axis=0) - y)


def test_random_times_ten_cost_is_finite_where_the_course_prints_inf():
    # The course's initialization notebook prints "Cost after iteration 0: inf" with random x10 weights.
    rng = np.random.default_rng(0)
    X = rng.standard_normal((300, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    net = Network([2, 10, 5, 1], init="random", seed=3)
    z = net.forward(X)[:, 0]
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        p = 1 / (1 + np.exp(-z))
        naive = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert not np.isfinite(naive)  # the naive formula overflows here
    cost = net.cost(X, y).data
    assert np.isfinite(cost) and cost > 1


def test_half_squared_error():
    z = np.array([[1.0, 2.0, 4.0]])
    y = np.array([[0.0, 2.0, 1.0]])
    delta = np.empty_like(z)
    assert OUTPUTS["linear"].loss(z, y, delta) == pytest.approx(0.5 * (1 + 0 + 9))
    assert np.array_equal(delta, z - y)


def test_predict_proba_and_predict():
    net = Network([3, 4, 3], output="softmax", seed=1)
    X = np.random.default_rng(0).standard_normal((5, 3))
    P = net.predict_proba(X)
    assert P.shape == (5, 3) and np.allclose(P.sum(axis=1), 1)
    assert np.array_equal(net.predict(X), P.argmax(axis=1))
    b = Network([3, 4, 1], seed=1)
    p = b.predict_proba(X)
    assert p.shape == (5,) and np.array_equal(b.predict(X), (p > 0.5).astype(int))


def test_sigmoid_probabilities_keep_relative_precision_in_the_tails():
    z = np.array([[-40.0], [-27.0], [0.0], [27.0]])
    p = OUTPUTS["sigmoid"].activate(z)
    exact = 1 / (1 + np.exp(-z))
    assert p[0, 0] > 0 and np.allclose(p, exact, rtol=1e-14, atol=0)
