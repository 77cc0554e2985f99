"""Optimizers: one step against the formula by hand, conversions to other libraries."""

from __future__ import annotations

import numpy as np
import pytest

from descentlab.training import GD, Adam, AdamW, Momentum, RMSProp
from descentlab.training.optimizers import get_optimizer

rng = np.random.default_rng(0)
THETA = rng.standard_normal(7)
GRADS = [rng.standard_normal(7) for _ in range(4)]


def _run(opt, steps=4, lr=None, mask=None):
    theta = THETA.copy()
    state = opt.init(theta, mask)
    for g in GRADS[:steps]:
        opt.update(theta, g, state, opt.lr if lr is None else lr)
    return theta, state


def test_gd_step():
    theta, _ = _run(GD(lr=0.1), steps=1)
    assert np.allclose(theta, THETA - 0.1 * GRADS[0], rtol=0, atol=1e-15)


def test_momentum_steps_by_hand():
    a, b = 0.05, 0.8
    theta, v = THETA.copy(), np.zeros(7)
    for g in GRADS:
        v = b * v + (1 - b) * g
        theta = theta - a * v
    got, state = _run(Momentum(lr=a, beta=b))
    assert np.allclose(got, theta, rtol=0, atol=1e-14) and np.allclose(state["v"], v)


def test_nesterov_steps_by_hand():
    a, b = 0.05, 0.8
    theta, v = THETA.copy(), np.zeros(7)
    for g in GRADS:
        v = b * v + (1 - b) * g
        theta = theta - a * (b * v + (1 - b) * g)
    got, _ = _run(Momentum(lr=a, beta=b, nesterov=True))
    assert np.allclose(got, theta, rtol=0, atol=1e-14)


def test_momentum_with_beta_zero_is_gd():
    assert np.array_equal(_run(Momentum(lr=0.1, beta=0.0))[0], _run(GD(lr=0.1))[0])


def test_rmsprop_steps_by_hand():
    a, b, eps = 0.01, 0.9, 1e-8
    theta, s = THETA.copy(), np.zeros(7)
    for g in GRADS:
        s = b * s + (1 - b) * g * g
        theta = theta - a * g / (np.sqrt(s) + eps)
    assert np.allclose(_run(RMSProp(lr=a, beta=b, epsilon=eps))[0], theta, rtol=0, atol=1e-14)


def _adam_by_hand(a, b1, b2, eps, theta, grads, wd=0.0, mask=None):
    v, s = np.zeros_like(theta), np.zeros_like(theta)
    for t, g in enumerate(grads, start=1):
        if wd:
            theta = theta - a * wd * theta * mask
        v = b1 * v + (1 - b1) * g
        s = b2 * s + (1 - b2) * g * g
        v_hat, s_hat = v / (1 - b1 ** t), s / (1 - b2 ** t)
        theta = theta - a * v_hat / (np.sqrt(s_hat) + eps)
    return theta


@pytest.mark.parametrize("eps", [1e-8, 1e-2])  # a large eps shows where it sits
def test_adam_steps_by_hand_epsilon_after_the_root_of_s_hat(eps):
    got, state = _run(Adam(lr=0.01, epsilon=eps))
    want = _adam_by_hand(0.01, 0.9, 0.999, eps, THETA.copy(), GRADS)
    assert np.allclose(got, want, rtol=1e-13, atol=1e-15)
    assert state["t"] == 4


def test_adamw_decays_weights_only():
    mask = np.array([1, 1, 0, 1, 0, 1, 1.0])
    got, _ = _run(AdamW(lr=0.01, weight_decay=0.1), mask=mask)
    want = _adam_by_hand(0.01, 0.9, 0.999, 1e-8, THETA.copy(), GRADS, wd=0.1, mask=mask)
    assert np.allclose(got, want, rtol=1e-13, atol=1e-15)


def test_hyperparameters_are_checked():
    for bad in (lambda: Adam(lr=0), lambda: Adam(lr=float("nan")), lambda: Momentum(beta=1.0),
                lambda: RMSProp(epsilon=-1), lambda: get_optimizer("adagrad"),
                lambda: get_optimizer("gd", 0.1, beta=0.9)):
        with pytest.raises(ValueError):
            bad()


def test_convergence_on_a_quadratic():
    A = np.diag([1.0, 10.0, 0.1])
    for opt in (GD(lr=0.15), Momentum(lr=0.15, beta=0.9), RMSProp(lr=0.01), Adam(lr=0.05)):
        theta = np.array([1.0, -1.0, 2.0])
        state = opt.init(theta)
        for _ in range(3000):
            opt.update(theta, A @ theta, state, opt.lr)
        assert np.linalg.norm(theta) < 0.05, (opt, theta)


# ---------------------------------------------------------------- conversions to other libraries
# Keras keeps hyperparameters in float32 variables: use values that float32 holds exactly.
LR, BETA, B1, B2, EPS = 2.0 ** -7, 0.75, 0.875, 1 - 2.0 ** -10, 2.0 ** -20


def _keras_run(opt_factory, grads, theta0):
    tf = pytest.importorskip("tensorflow")
    var = tf.Variable(theta0.copy(), dtype=tf.float64)
    opt = opt_factory()
    for g in grads:
        opt.apply_gradients([(tf.constant(g), var)])
    return var.numpy()


def test_conversion_keras_sgd_momentum():
    """Keras SGD(learning_rate=α(1−β), momentum=β) == our Momentum(lr=α, beta=β), for a constant rate."""
    keras = pytest.importorskip("keras")
    a, b = LR * 4, BETA
    got = _keras_run(lambda: keras.optimizers.SGD(learning_rate=a * (1 - b), momentum=b), GRADS, THETA)
    assert np.allclose(got, _run(Momentum(lr=a, beta=b))[0], rtol=1e-12, atol=1e-14)


def test_conversion_keras_rmsprop_epsilon_inside_the_root():
    """Keras 3 RMSprop divides by √(s + ε) (ε inside the root); ours by √s + ε: equal with ε = 0."""
    keras = pytest.importorskip("keras")
    got = _keras_run(lambda: keras.optimizers.RMSprop(learning_rate=LR, rho=B1, epsilon=0.0), GRADS, THETA)
    assert np.allclose(got, _run(RMSProp(lr=LR, beta=B1, epsilon=0.0))[0], rtol=1e-12, atol=1e-14)
    eps = 2.0 ** -6
    got = _keras_run(lambda: keras.optimizers.RMSprop(learning_rate=LR, rho=B1, epsilon=eps), GRADS, THETA)
    theta, s = THETA.copy(), np.zeros(7)
    for g in GRADS:
        s = B1 * s + (1 - B1) * g * g
        theta = theta - LR * g / np.sqrt(s + eps)
    assert np.allclose(got, theta, rtol=1e-12, atol=1e-14)


def test_conversion_keras_adam_epsilon_placement():
    """Keras Adam adds ε to √s before bias correction: equal to ours with ε = 0, and differs by that."""
    keras = pytest.importorskip("keras")
    make = lambda eps: keras.optimizers.Adam(learning_rate=LR, beta_1=B1, beta_2=B2, epsilon=eps)  # noqa: E731
    got = _keras_run(lambda: make(0.0), GRADS, THETA)
    assert np.allclose(got, _run(Adam(lr=LR, beta1=B1, beta2=B2, epsilon=0.0))[0], rtol=1e-12, atol=1e-14)
    big = _keras_run(lambda: make(2.0 ** -6), GRADS, THETA)
    assert not np.allclose(big, _run(Adam(lr=LR, beta1=B1, beta2=B2, epsilon=2.0 ** -6))[0], rtol=1e-6)


def test_conversion_sklearn_sgd_momentum_and_adam():
    """sklearn SGD(learning_rate_init=α(1−β), momentum=β, nesterovs_momentum=False) == Momentum(α, β);
    sklearn Adam puts ε like Keras: equal to ours with ε = 0."""
    opt_mod = pytest.importorskip("sklearn.neural_network._stochastic_optimizers")
    a, b = 0.05, 0.8
    params = [THETA.copy()]
    sgd = opt_mod.SGDOptimizer(params, learning_rate_init=a * (1 - b), momentum=b, nesterov=False)
    for g in GRADS:
        sgd.update_params(params, [g.copy()])
    assert np.allclose(params[0], _run(Momentum(lr=a, beta=b))[0], rtol=1e-12, atol=1e-14)
    params = [THETA.copy()]
    adam = opt_mod.AdamOptimizer(params, learning_rate_init=0.01, epsilon=0.0)
    for g in GRADS:
        adam.update_params(params, [g.copy()])
    assert np.allclose(params[0], _run(Adam(lr=0.01, epsilon=0.0))[0], rtol=1e-12, atol=1e-14)


def test_conversion_keras_nesterov():
    """Keras SGD(learning_rate=α(1−β), momentum=β, nesterov=True) == Momentum(α, β, nesterov=True)."""
    keras = pytest.importorskip("keras")
    a, b = LR * 4, BETA
    got = _keras_run(lambda: keras.optimizers.SGD(learning_rate=a * (1 - b), momentum=b, nesterov=True), GRADS, THETA)
    assert np.allclose(got, _run(Momentum(lr=a, beta=b, nesterov=True))[0], rtol=1e-12, atol=1e-14)


def test_conversion_pytorch_when_installed():
    """PyTorch Adam(lr, betas, eps) and RMSprop(lr, alpha=β, eps) equal ours exactly;
    SGD(lr=α(1−β), momentum=β) equals Momentum(α, β)."""
    torch = pytest.importorskip("torch")

    def torch_run(make):
        p = torch.nn.Parameter(torch.tensor(THETA.copy()))
        opt = make([p])
        for g in GRADS:
            p.grad = torch.tensor(g)
            opt.step()
        return p.detach().numpy()

    assert np.allclose(torch_run(lambda ps: torch.optim.Adam(ps, lr=0.01, eps=1e-2)),
                       _run(Adam(lr=0.01, epsilon=1e-2))[0], rtol=1e-12)
    assert np.allclose(torch_run(lambda ps: torch.optim.RMSprop(ps, lr=0.01, alpha=0.9, eps=1e-2)),
                       _run(RMSProp(lr=0.01, beta=0.9, epsilon=1e-2))[0], rtol=1e-12)
    assert np.allclose(torch_run(lambda ps: torch.optim.SGD(ps, lr=0.05 * 0.2, momentum=0.8)),
                       _run(Momentum(lr=0.05, beta=0.8))[0], rtol=1e-12)
