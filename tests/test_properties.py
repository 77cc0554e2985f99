"""Property tests (hypothesis): gradients, dropout, L2, optimizers, files and partitions on random inputs.

Guards: descentlab.core.network, .propagation, .regularization and .gradcheck (backprop on random
architectures, dropout and L2 invariants), descentlab.training.optimizers (steps on random buffers),
descentlab.io.modelfile with descentlab.load/save (round trips), descentlab.training.batching (partitions).
"""

from __future__ import annotations


import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from descentlab import Network, check_gradients, load, minibatches
from descentlab.core.propagation import with_ones
from descentlab.training import GD, Adam, AdamW, Momentum, RMSProp

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

architectures = st.builds(
    lambda sizes, hidden, output: (sizes, hidden, output),
    st.lists(st.integers(1, 6), min_size=2, max_size=5),
    st.sampled_from(["relu", "leaky_relu", "tanh", "sigmoid"]),
    st.sampled_from(["sigmoid", "softmax", "linear"]),
)


def _targets(output, m, n_out, rng):
    if output == "sigmoid":
        return rng.integers(0, 2, (m, n_out)) if n_out > 1 else rng.integers(0, 2, m)
    if output == "softmax":
        return rng.integers(0, n_out, m)
    return rng.standard_normal((m, n_out))


@FAST
@given(arch=architectures, m=st.integers(1, 6), l2=st.sampled_from([0.0, 0.5]),
       keep=st.sampled_from([1.0, 0.7]), seed=st.integers(0, 10_000))
def test_backprop_agrees_with_finite_differences_on_random_architectures(arch, m, l2, keep, seed):
    sizes, hidden, output = arch
    if output == "softmax" and sizes[-1] < 2:
        sizes = sizes[:-1] + [2]
    rng = np.random.default_rng(seed)
    net = Network(sizes, hidden=hidden, output=output, init="xavier", seed=seed)
    net.theta += 0.1 * rng.standard_normal(net.n_params)  # nonzero biases: no ReLU exactly on its kink
    X = rng.standard_normal((m, sizes[0]))
    report = check_gradients(net, X, _targets(output, m, sizes[-1], rng), l2=l2, keep_prob=keep, seed=seed)
    assert report.passed, str(report)


@FAST
@given(kp=st.floats(0.05, 1.0), n=st.integers(1, 30), m=st.integers(1, 20), seed=st.integers(0, 1000))
def test_dropout_outputs_are_zero_or_scaled_and_one_is_identity(kp, n, m, seed):
    net = Network([3, n, 1], seed=seed)
    X = np.random.default_rng(seed).standard_normal((m, 3))
    X1 = with_ones(X)
    plain_ws = net._workspace(X1)
    net.kernel.forward(X1, plain_ws)
    plain = plain_ws.act[0].copy()
    ws = net._workspace(X1, dropout=True)
    masks = net._masks(kp, np.random.default_rng(seed), None, ws)
    net.kernel.forward(X1, ws, masks)
    got = ws.act[0]
    if kp == 1.0:
        assert masks is None and np.array_equal(got, plain)
    else:
        assert (np.isclose(got, 0) | np.isclose(got, plain / kp)).all()


@FAST
@given(lam=st.floats(0.0, 10.0), seed=st.integers(0, 1000), m=st.integers(1, 30))
def test_l2_adds_exactly_lambda_over_m_times_w_to_weights_only(lam, seed, m):
    rng = np.random.default_rng(seed)
    net = Network([4, 5, 3], output="softmax", seed=seed)
    X, y = rng.standard_normal((m, 4)), rng.integers(0, 3, m)
    base = net.loss_and_grad(X, y)
    g0 = net.grad.copy()
    cost = net.loss_and_grad(X, y, l2=lam)
    mask = net.layout.weight_mask()
    assert np.allclose(net.grad - g0, lam / m * net.theta * mask, rtol=1e-12, atol=1e-12)
    assert cost.l2 == pytest.approx(lam / (2 * m) * np.sum((net.theta * mask) ** 2))
    assert cost.data == base.data


optimizers = st.sampled_from([GD(lr=0.1), Momentum(lr=0.1, beta=0.9), RMSProp(lr=0.01), Adam(lr=0.01),
                              AdamW(lr=0.01, weight_decay=0.1)])


@FAST
@given(opt=optimizers, seed=st.integers(0, 1000), steps=st.integers(1, 5))
def test_optimizer_step_invariants(opt, seed, steps):
    rng = np.random.default_rng(seed)
    theta = rng.standard_normal(9)
    start = theta.copy()
    state = opt.init(theta)
    for _ in range(steps):
        opt.update(theta, np.zeros(9), state, opt.lr)  # a zero gradient moves nothing (AdamW: only decay)
    if isinstance(opt, AdamW):
        assert np.allclose(theta, start * (1 - opt.lr * opt.weight_decay) ** steps)
    else:
        assert np.array_equal(theta, start)
    theta = start.copy()
    state = opt.init(theta)
    g = rng.standard_normal(9)
    opt.update(theta, g, state, opt.lr)
    if not isinstance(opt, AdamW):
        assert np.all(np.sign(start - theta) == np.sign(g))  # the first step goes downhill, coordinate-wise
    assert state["t"] == 1


@FAST
@given(arch=architectures, dtype=st.sampled_from(["float64", "float32"]), seed=st.integers(0, 1000))
def test_save_load_round_trip_is_exact(tmp_path_factory, arch, dtype, seed):
    sizes, hidden, output = arch
    net = Network(sizes, hidden=hidden, output=output, init="he", seed=seed, dtype=dtype)
    net.theta += np.random.default_rng(seed).standard_normal(net.n_params).astype(dtype)
    path = tmp_path_factory.mktemp("rt") / "m.safetensors"
    net.save(path)
    back = load(path)
    assert back.theta.dtype == net.theta.dtype and np.array_equal(back.theta, net.theta)
    assert back.config() == net.config()


@FAST
@given(m=st.integers(1, 300), size=st.one_of(st.none(), st.integers(1, 400)), seed=st.integers(0, 1000))
def test_minibatch_partitions_cover_every_example_once(m, size, seed):
    X, y = np.arange(m).reshape(m, 1), np.arange(m)
    batches = list(minibatches(X, y, size, np.random.default_rng(seed)))
    sizes = [len(b) for _, b in batches]
    full = m if size is None else min(size, m)
    assert sizes[:-1] == [full] * (len(sizes) - 1) and 0 < sizes[-1] <= full
    assert sorted(np.concatenate([b for _, b in batches]).tolist()) == list(range(m))
    assert all(np.array_equal(xb[:, 0], yb) for xb, yb in batches)
