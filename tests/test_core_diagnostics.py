"""Diagnostics: symmetric units after zero initialization, dead ReLUs, layer statistics."""

from __future__ import annotations

import numpy as np

from descentlab import Network, fit


def _circles(rng, m=200):
    X = rng.standard_normal((m, 2))
    y = (np.linalg.norm(X, axis=1) > 1.1).astype(int)
    return X, y


def test_zero_initialization_keeps_every_hidden_unit_identical():
    rng = np.random.default_rng(0)
    X, y = _circles(rng)
    net = Network([2, 10, 5, 1], init="zeros", seed=0)
    fit(net, X, y, optimizer="gd", lr=0.5, epochs=50, batch_size=None, verbose=0, seed=0)
    for l in (1, 2):
        W, b = net.params[f"W{l}"], net.params[f"b{l}"]
        assert np.allclose(W, W[0]) and np.allclose(b, b[0])
    d = net.diagnose(X, y)
    assert d.symmetric_layers == [1, 2]
    assert any("symmetry is not broken" in w for w in d.warnings())
    assert net.accuracy(X, y) == max(np.mean(y), 1 - np.mean(y))  # it can only predict one class


def test_he_initialization_breaks_symmetry():
    rng = np.random.default_rng(0)
    X, y = _circles(rng)
    net = Network([2, 10, 5, 1], init="he", seed=3)
    d = net.diagnose(X, y)
    assert d.symmetric_layers == []
    assert all(s.identical_groups == [] for s in d.layers)
    assert d.layers[0].grad_norm > 0


def test_dead_relu_units_are_found():
    net = Network([2, 6, 1], seed=1)
    net.params["W1"][:3] = 0
    net.params["b1"][:3] = -1.0  # pre-activation -1 for every input: dead
    X = np.random.default_rng(2).standard_normal((50, 2))
    d = net.diagnose(X)
    assert d.layers[0].dead_units == [0, 1, 2]
    assert d.dead_fraction[1] == 0.5
    assert "dead" in str(d)


def test_diagnose_leaves_gradients_untouched():
    net = Network([2, 4, 1], seed=1)
    net.grad[...] = 7.0
    net.diagnose(np.ones((3, 2)), [0, 1, 1])
    assert (net.grad == 7.0).all()
