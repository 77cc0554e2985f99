"""TensorFlow as an independent oracle for the NumPy engine (and the other way round).

The TensorFlow engine computes example-major from the named W, b with ``tf.nn``
losses and autodiff; the NumPy engine computes feature-major with augmented
[W | b] blocks and hand-written backprop. Same weights -> same logits, same
batch -> same gradients, same seeds -> same training, step for step.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("tensorflow")

from descentlab import Network, fit  # noqa: E402
from descentlab.engines import tensorflow_engine as tfe  # noqa: E402
from descentlab.training import AdamW, Momentum  # noqa: E402

ACTS = ("relu", "leaky_relu", "tanh", "sigmoid")
OUTS = ("sigmoid", "softmax", "linear")
N_OUT = {"sigmoid": 1, "softmax": 4, "linear": 2}


def _targets(output, m, rng):
    if output == "sigmoid":
        return rng.integers(0, 2, m)
    if output == "softmax":
        return rng.integers(0, N_OUT[output], m)
    return rng.standard_normal((m, N_OUT[output]))


def _case(hidden, output, dtype="float64", m=40, seed=0):
    rng = np.random.default_rng(seed)
    net = Network([6, 9, 7, N_OUT[output]], hidden=hidden, output=output, init="xavier", seed=seed, dtype=dtype)
    net.theta[...] += 0.1 * rng.standard_normal(net.n_params).astype(dtype)  # non-zero biases too
    return net, rng.standard_normal((m, 6)) * 1.5, _targets(output, m, rng)


def _masks(net, m, rng, keep=0.7):
    return [(rng.random((m, n)) < keep).astype(np.int64) for n in net.layer_dims[1:-1]]


# --------------------------------------------------------------------------------- logits
@pytest.mark.parametrize("hidden", ACTS)
@pytest.mark.parametrize("output", OUTS)
def test_same_weights_same_logits_float64(hidden, output):
    net, X, _ = _case(hidden, output)
    ref = net.forward(X)
    got = tfe.forward(net, X)
    assert got.shape == ref.shape
    assert np.max(np.abs(got - ref)) <= 1e-10 * max(1.0, np.max(np.abs(ref)))
    masks = _masks(net, len(X), np.random.default_rng(1))
    ref = net.forward(X, keep_prob=0.7, masks=masks)
    got = tfe.forward(net, X, keep_prob=0.7, masks=masks)
    assert np.max(np.abs(got - ref)) <= 1e-10 * max(1.0, np.max(np.abs(ref)))


@pytest.mark.parametrize("hidden", ACTS)
def test_same_weights_same_logits_float32(hidden):
    net, X, _ = _case(hidden, "softmax", dtype="float32")
    ref = net.forward(X)
    got = tfe.forward(net, X)
    assert got.dtype == np.float32
    assert np.max(np.abs(got - ref)) <= 1e-5 * max(1.0, float(np.max(np.abs(ref))))


def test_forward_applies_the_model_preprocessing():
    from descentlab import Scale
    net = Network([3, 4, 1], seed=0, preprocessing=Scale(1 / 255))
    X = np.random.default_rng(0).integers(0, 256, (10, 3))
    assert np.allclose(tfe.forward(net, X), net.forward(X), rtol=0, atol=1e-12)


# ------------------------------------------------------------------------------- gradients
@pytest.mark.parametrize("hidden", ACTS)
@pytest.mark.parametrize("output", OUTS)
@pytest.mark.parametrize("l2", [0.0, 0.7])
def test_same_batch_same_gradients(hidden, output, l2):
    net, X, y = _case(hidden, output)
    cost = net.loss_and_grad(X, y, l2=l2, n_total=100)
    J, grad = tfe.loss_and_grad(net, X, y, l2=l2, n_total=100)
    assert abs(J - cost.total) <= 1e-12 * max(1.0, abs(cost.total))
    assert np.max(np.abs(grad - net.grad)) <= 1e-10 * max(1.0, np.max(np.abs(net.grad)))


@pytest.mark.parametrize("hidden", ACTS)
@pytest.mark.parametrize("output", OUTS)
def test_same_batch_same_gradients_with_fixed_dropout_masks(hidden, output):
    net, X, y = _case(hidden, output, seed=3)
    masks = _masks(net, len(X), np.random.default_rng(4), keep=0.6)
    cost = net.loss_and_grad(X, y, l2=0.2, keep_prob=0.6, masks=masks)
    J, grad = tfe.loss_and_grad(net, X, y, l2=0.2, keep_prob=0.6, masks=masks)
    assert abs(J - cost.total) <= 1e-12 * max(1.0, abs(cost.total))
    assert np.max(np.abs(grad - net.grad)) <= 1e-10 * max(1.0, np.max(np.abs(net.grad)))


def test_relu_derivative_at_zero_is_zero_in_both_engines():
    net = Network([1, 2, 1], hidden="relu", output="linear", seed=0)
    net.params["W1"][...] = [[1.0], [-1.0]]
    net.params["b1"][...] = 0.0
    X, y = np.zeros((3, 1)), np.ones(3)  # every pre-activation is exactly 0
    net.loss_and_grad(X, y)
    _, grad = tfe.loss_and_grad(net, X, y)
    assert np.array_equal(grad, net.grad)


# ------------------------------------------------------------------------------- training
OPTIMIZERS = {
    "gd": dict(optimizer="gd", lr=0.1),
    "momentum": dict(optimizer="momentum", lr=0.1),
    "nesterov": dict(optimizer=Momentum(lr=0.1, beta=0.8, nesterov=True)),
    "rmsprop": dict(optimizer="rmsprop", lr=0.01),
    "adam": dict(optimizer="adam", lr=0.01),
    "adamw": dict(optimizer=AdamW(lr=0.01, weight_decay=0.05)),
}


def _train(engine, settings, hidden="tanh", output="softmax", dtype="float64", m=60, epochs=3, **extra):
    rng = np.random.default_rng(7)
    X = rng.standard_normal((m, 5))
    y = _targets(output, m, rng)
    net = Network([5, 8, 6, N_OUT[output]], hidden=hidden, output=output, init="he", seed=2, dtype=dtype)
    kw = dict(epochs=epochs, batch_size=16, seed=11, verbose=0, engine=engine)  # 4 batches: 16, 16, 16, 12
    h = fit(net, X, y, **{**kw, **settings, **extra})
    return net, h


def _rel(a, b):
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_same_seeds_same_parameters_every_optimizer_with_schedule_l2_dropout(name):
    extra = dict(l2=0.3, keep_prob=[0.8, 0.6], schedule={"name": "inverse_time", "rate": 0.5})
    ref, h_ref = _train("numpy", OPTIMIZERS[name], **extra)
    got, h = _train("tensorflow", OPTIMIZERS[name], **extra)
    assert _rel(got.theta, ref.theta) <= 1e-12
    assert np.allclose(h["cost"], h_ref["cost"], rtol=1e-12, atol=0)
    assert h["accuracy"] == h_ref["accuracy"] and h["lr"] == h_ref["lr"]


@pytest.mark.parametrize("output", OUTS)
@pytest.mark.parametrize("hidden", ACTS)
def test_same_seeds_same_parameters_every_activation_and_output(hidden, output):
    settings = dict(optimizer="adam", lr=0.02, keep_prob=0.8, l2=0.1)
    ref, _ = _train("numpy", settings, hidden=hidden, output=output, epochs=2)
    got, _ = _train("tensorflow", settings, hidden=hidden, output=output, epochs=2)
    assert _rel(got.theta, ref.theta) <= 1e-12


def test_full_batch_course_shuffle_with_dropout_matches():
    # full batch: the NumPy engine does not reorder the examples, so the masks meet the same rows
    settings = dict(optimizer="adam", lr=0.01, batch_size=None, shuffle="course", keep_prob=0.7)
    ref, _ = _train("numpy", settings, epochs=4)
    got, _ = _train("tensorflow", settings, epochs=4)
    assert _rel(got.theta, ref.theta) <= 1e-12


def test_float32_training_stays_close():
    settings = dict(optimizer="adam", lr=0.01, l2=0.1, keep_prob=0.8)
    ref, h_ref = _train("numpy", settings, dtype="float32")
    got, h = _train("tensorflow", settings, dtype="float32")
    assert got.theta.dtype == np.float32
    assert _rel(got.theta, ref.theta) <= 1e-4
    assert np.allclose(h["cost"], h_ref["cost"], rtol=1e-5)


def test_validation_numbers_match():
    rng = np.random.default_rng(3)
    Xv, yv = rng.standard_normal((30, 5)), rng.integers(0, 4, 30)
    ref, h_ref = _train("numpy", dict(optimizer="adam", lr=0.01), validation_data=(Xv, yv))
    got, h = _train("tensorflow", dict(optimizer="adam", lr=0.01), validation_data=(Xv, yv))
    assert np.allclose(h["val_cost"], h_ref["val_cost"], rtol=1e-12, atol=0)
    assert h["val_accuracy"] == h_ref["val_accuracy"]


# ------------------------------------------------------------------ each translation, pinned by the rule it implements
@pytest.mark.parametrize("name, hyper", [("gd", {}), ("momentum", {}), ("momentum", {"nesterov": True}),
                                         ("rmsprop", {}), ("adam", {}), ("adamw", {"weight_decay": 0.05})])
def test_tensorflow_ops_run_each_optimizer_rule_as_numpy_ops_do(name, hyper):
    """training.optimizers.Optimizer.rule: the one written rule, run by NumpyOps and by TensorFlowOps."""
    import tensorflow as tf

    from descentlab.training.optimizers import get_optimizer

    rng = np.random.default_rng(3)
    opt = get_optimizer(name, 0.01, **hyper)
    theta = rng.standard_normal(50)
    state = opt.init(theta.copy(), (np.arange(50) % 3 != 0).astype(np.float64))
    ops = tfe.TensorFlowOps(tf, tf.float64)
    t_theta = tf.Variable(theta)
    t_slots = [tf.Variable(state[n]) for n in opt.slots]
    for t in range(1, 6):
        g = rng.standard_normal(50)
        opt.update(theta, g, state, 0.01)
        coef = tuple(tf.constant(c, tf.float64) for c in opt.coefficients(t, 0.01)) + opt.constants(np.float64)
        opt.rule(ops, coef, t_theta, tf.constant(g), *t_slots)
        assert np.array_equal(t_theta.numpy(), theta)
        for n, v in zip(opt.slots, t_slots):
            assert np.array_equal(v.numpy(), state[n]), n


@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
def test_tensorflow_correct_count_is_the_core_rule(output):
    """core.outputs.correct_count, translated in _Graph.correct."""
    import tensorflow as tf

    from descentlab.core.outputs import correct_count

    net, X, y = _case("relu", output, m=60)
    Z = net.forward(X)
    Y = net.encode_targets(y)
    labels = Y.argmax(axis=1) if output == "softmax" else None
    g = tfe._Graph(tf, net)
    got = float(g.correct(tf.constant(Z), tf.constant(Y), None if labels is None else tf.constant(labels)).numpy())
    assert got == correct_count(np.ascontiguousarray(Z.T), np.ascontiguousarray(Y.T), labels)


def test_tensorflow_l2_term_is_the_core_rule():
    """core.regularization.l2_penalty (λ/(2m) Σ||W||²), translated in loss_and_grad with l2_penalty_scale."""
    from descentlab.core.regularization import l2_penalty

    net, X, y = _case("tanh", "sigmoid")
    plain, _ = tfe.loss_and_grad(net, X, y)
    with_l2, _ = tfe.loss_and_grad(net, X, y, l2=0.7, n_total=100)
    expected = l2_penalty(net.theta, net.layout.weight_mask(), 0.7, 100)
    assert abs((with_l2 - plain) - expected) <= 1e-14 * expected


def test_tensorflow_dropout_masks_are_the_core_draws():
    """core.regularization.keep_mask / scale_mask: the engine draws them from fit's stream, in the NumPy order."""
    from descentlab.core.regularization import keep_mask, scale_mask
    from descentlab.training.config import FitConfig

    net, X, y = _case("relu", "sigmoid", m=30)
    cfg = FitConfig(batch_size=10, keep_prob=0.7, seed=0).resolve(net)
    runner = tfe.TensorFlowRunner(net, X, net.encode_targets(y), None, cfg, np.random.default_rng(9))
    got = [m.numpy() for m in runner._draw_masks(0, 3)]
    rng = np.random.default_rng(9)
    want = [[], []]
    for _ in range(3):
        for j, n in enumerate(net.layer_dims[1:-1]):
            want[j].append(scale_mask(keep_mask(rng, (n, 10), 0.7).T, 0.7))
    for g, w in zip(got, want):
        assert np.array_equal(g, np.concatenate(w))
