"""Backprop against finite differences of an independent reference cost, for every combination."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from conftest import reference_cost, targets
from descentlab import Network, check_gradients

HIDDEN = ["relu", "leaky_relu", "tanh", "sigmoid"]
OUTPUTS = [("sigmoid", 1), ("softmax", 4), ("linear", 2)]


def _net(hidden, output, n_out, seed=0):
    net = Network([3, 6, 5, n_out], hidden=hidden, output=output, init="xavier", seed=seed)
    rng = np.random.default_rng(seed)
    net.theta += 0.1 * rng.standard_normal(net.n_params)  # nonzero biases: keep ReLUs off their kink
    return net


def _numeric(net, f, eps=1e-6):
    num = np.zeros(net.n_params)
    for i in range(net.n_params):
        old = net.theta[i]
        net.theta[i] = old + eps
        plus = f()
        net.theta[i] = old - eps
        minus = f()
        net.theta[i] = old
        num[i] = (plus - minus) / (2 * eps)
    return num


@pytest.mark.parametrize("hidden,out,l2,dropout", [
    (h, o, l2, d) for h, o, l2, d in itertools.product(HIDDEN, OUTPUTS, [0.0, 0.7], [False, True])])
def test_backprop_matches_reference_finite_differences(hidden, out, l2, dropout):
    output, n_out = out
    rng = np.random.default_rng(1)
    net = _net(hidden, output, n_out)
    X = rng.standard_normal((7, 3))
    y = targets(output, 7, n_out, rng)
    kp = 0.7
    masks = [rng.random((7, 6)) < kp, rng.random((7, 5)) < kp] if dropout else None
    keep = kp if dropout else 1.0
    cost = net.loss_and_grad(X, y, l2=l2, keep_prob=keep, masks=masks)
    backprop = net.grad.copy()

    def f():
        return reference_cost(net.params, X, y, hidden, output, l2, masks, keep)

    assert cost.total == pytest.approx(f(), rel=1e-12, abs=1e-13)
    num = _numeric(net, f)
    diff = np.linalg.norm(backprop - num) / (np.linalg.norm(backprop) + np.linalg.norm(num))
    assert diff < 1e-7, diff


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("out", OUTPUTS)
def test_check_gradients_tool_passes_for_every_combination(hidden, out):
    output, n_out = out
    rng = np.random.default_rng(2)
    net = _net(hidden, output, n_out, seed=2)
    X = rng.standard_normal((9, 3))
    y = targets(output, 9, n_out, rng)
    for l2, kp in [(0.0, 1.0), (0.7, 1.0), (0.3, 0.8)]:
        report = check_gradients(net, X, y, l2=l2, keep_prob=kp)
        assert report.passed, str(report)
        assert report.difference < 1e-7


def test_float32_network_is_checked_in_float64():
    rng = np.random.default_rng(3)
    net = _net("tanh", "softmax", 4).astype(np.float32)
    report = check_gradients(net, rng.standard_normal((5, 3)), rng.integers(0, 4, 5))
    assert report.passed and report.difference < 1e-7
    assert net.theta.dtype == np.float32  # the check did not change the network


def test_float32_gradients_close_to_float64():
    rng = np.random.default_rng(4)
    net64 = _net("relu", "sigmoid", 1)
    net32 = net64.astype(np.float32)
    X, y = rng.standard_normal((16, 3)), rng.integers(0, 2, 16)
    net64.loss_and_grad(X, y)
    net32.loss_and_grad(X, y)
    assert np.allclose(net32.grad, net64.grad, rtol=1e-4, atol=1e-6)
