"""Inverted dropout and L2: the invariants and hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest

from descentlab import Network, check_gradients
from descentlab.core.propagation import scaled_masks, with_ones


def _hidden_activations(net, X, keep_prob, rng):
    X1 = with_ones(X)
    ws = net._workspace(X1, dropout=True)
    masks = net._masks(keep_prob, rng, None, ws)
    net.kernel.forward(X1, ws, masks)
    return [a.T.copy() for a in ws.act[:-1]], masks


def test_every_dropped_output_is_zero_or_scaled():
    net = Network([4, 50, 30, 1], seed=1)
    X = np.random.default_rng(0).standard_normal((40, 4))
    plain, _ = _hidden_activations(net, X, 1.0, None)
    kp = 0.8
    # the first hidden layer sees the same input, so each entry is 0 or a / keep_prob
    dropped, masks = _hidden_activations(net, X, kp, np.random.default_rng(1))
    a, d = plain[0], dropped[0]
    ok = np.isclose(d, 0) | np.isclose(d, a / kp)
    assert ok.all()
    assert (d == 0).any() and (d != 0).any()


def test_keep_prob_one_is_identity():
    net = Network([4, 8, 3], output="softmax", seed=2)
    X = np.random.default_rng(0).standard_normal((10, 4))
    assert np.array_equal(net.forward(X), net.forward(X, keep_prob=1.0, rng=np.random.default_rng(0)))


def test_mean_output_is_about_the_input():
    net = Network([3, 20, 1], seed=4)
    X = np.random.default_rng(0).standard_normal((5, 3))
    plain, _ = _hidden_activations(net, X, 1.0, None)
    rng = np.random.default_rng(7)
    mean = np.mean([_hidden_activations(net, X, 0.6, rng)[0][0] for _ in range(4000)], axis=0)
    assert np.allclose(mean, plain[0], atol=0.05 * np.abs(plain[0]).max())


def test_mask_stream_is_its_own_and_reproducible():
    net = Network([3, 6, 1], seed=1)
    ws = net._workspace(with_ones(np.zeros((4, 3))), dropout=True)
    a = scaled_masks(np.random.default_rng(5), ws, (0.5,))[0].copy()
    b = scaled_masks(np.random.default_rng(5), ws, (0.5,))[0].copy()
    assert np.array_equal(a, b)
    assert set(np.unique(a)) <= {0.0, 2.0}


def test_backward_uses_the_same_masks():
    rng = np.random.default_rng(3)
    net = Network([4, 7, 5, 1], hidden="tanh", seed=5)
    X, y = rng.standard_normal((6, 4)), rng.integers(0, 2, 6)
    masks = [rng.random((6, 7)) < 0.6, rng.random((6, 5)) < 0.6]
    net.loss_and_grad(X, y, keep_prob=0.6, masks=masks)
    with_masks = net.grad.copy()
    net.loss_and_grad(X, y)
    assert not np.allclose(with_masks, net.grad)
    assert check_gradients(net, X, y, keep_prob=0.6).passed  # masks fixed for the whole check


def test_dropout_without_rng_or_masks_is_refused():
    net = Network([3, 4, 1], seed=1)
    with pytest.raises(ValueError, match="rng"):
        net.loss_and_grad(np.zeros((2, 3)), [0, 1], keep_prob=0.5)


def test_l2_cost_and_gradient_by_hand():
    net = Network([2, 2, 1], init="zeros", seed=0)
    net.params["W1"][...] = [[1.0, 2.0], [3.0, -1.0]]
    net.params["b1"][...] = [0.5, -0.5]
    net.params["W2"][...] = [[2.0, -3.0]]
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [-1.0, 2.0]])
    y = np.array([1, 0, 1, 0])
    lam, m = 0.7, 4
    plain = net.loss_and_grad(X, y)
    g0 = net.grad.copy()
    cost = net.loss_and_grad(X, y, l2=lam)
    # ||W1||^2 = 1 + 4 + 9 + 1 = 15, ||W2||^2 = 4 + 9 = 13  ->  λ/(2m)·28
    assert cost.l2 == pytest.approx(lam / (2 * m) * 28)
    assert cost.data == pytest.approx(plain.data)
    assert cost.total == pytest.approx(plain.data + lam / (2 * m) * 28)
    expected = g0.copy()
    for name in ("W1", "W2"):
        expected[net.layout.indices(name)] += (lam / m) * net.params[name].reshape(-1)
    assert np.allclose(net.grad, expected)
    assert np.array_equal(net.grads["b1"], net.layout.views(g0)["b1"])  # biases are not regularized


def test_l2_uses_the_given_training_set_size():
    net = Network([2, 3, 1], seed=1)
    X, y = np.ones((4, 2)), [0, 1, 0, 1]
    small = net.loss_and_grad(X, y, l2=1.0, n_total=400)
    full = net.loss_and_grad(X, y, l2=1.0)
    assert small.l2 == pytest.approx(full.l2 / 100)


# ------------------------------------------------------------------ the one home of each rule (core.regularization)
def test_the_step_penalty_equals_the_cost_penalty():
    from descentlab.core.regularization import add_l2_gradient, l2_gradient_factor, l2_penalty

    net = Network([3, 5, 2, 1], seed=4)
    mask = net.layout.weight_mask()
    grad = np.zeros_like(net.theta)
    pen = add_l2_gradient(net.theta, grad, l2_gradient_factor(0.7, 40, mask), np.empty_like(net.theta))
    assert pen == pytest.approx(l2_penalty(net.theta, mask, 0.7, 40), rel=1e-14)
    assert np.array_equal(grad, (0.7 / 40) * net.theta * mask)
    K = np.stack([net.theta, 2 * net.theta])  # one penalty per run
    assert np.allclose(l2_penalty(K, mask, np.array([0.7, 0.7]), 40), [pen, 4 * pen], rtol=1e-14)


def test_draw_mask_is_keep_mask_then_scale():
    from descentlab.core.regularization import draw_mask, keep_mask, scale_mask

    out = np.empty((4, 9))
    draw_mask(np.random.default_rng(2), 0.6, out)
    keep = keep_mask(np.random.default_rng(2), (4, 9), 0.6)
    assert np.array_equal(out, scale_mask(keep, 0.6))
    assert set(np.unique(out)) <= {0.0, 1 / 0.6}


def test_given_masks_are_checked_in_one_place():
    from descentlab.core.regularization import check_masks

    with pytest.raises(ValueError, match="one 0/1 mask per hidden layer"):
        check_masks([np.ones((3, 2))], (0.5, 0.5), (2, 4), 3)
    with pytest.raises(ValueError, match=r"masks\[1\]"):
        check_masks([np.ones((3, 2)), np.ones((4, 3))], (0.5, 0.5), (2, 4), 3)
    assert [m.dtype for m in check_masks([None, np.ones((3, 4))], (1.0, 0.5), (2, 4), 3)[1:]] == [bool]
