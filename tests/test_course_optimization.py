"""descentlab.course.optimization against a course-style NumPy transcription and the course's numbers."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from course_oracle import o_backward, o_forward

from descentlab import Adam, GD, Momentum
from descentlab.core.layout import Layout
from descentlab.course import optimization as co
from descentlab.errors import InputError, InputTypeError


# --------------------------------------------------------------------------- the oracle
# A straightforward transcription of the course's opt_utils.py and notebook, with a
# private RandomState in place of np.random.seed (same draws).
def o_init(layer_dims):
    rs = np.random.RandomState(3)
    p = {}
    for l in range(1, len(layer_dims)):
        p["W" + str(l)] = rs.randn(layer_dims[l], layer_dims[l - 1]) * np.sqrt(2 / layer_dims[l - 1])
        p["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return p


def o_cost(a3, Y):
    return np.sum(np.multiply(-np.log(a3), Y) + np.multiply(-np.log(1 - a3), 1 - Y))


def o_mini_batches(X, Y, size, seed):
    rs = np.random.RandomState(seed)
    m = X.shape[1]
    perm = list(rs.permutation(m))
    sX, sY = X[:, perm], Y[:, perm].reshape((1, m))
    full = math.floor(m / size)
    out = [(sX[:, k * size:(k + 1) * size], sY[:, k * size:(k + 1) * size]) for k in range(full)]
    if m % size != 0:
        out.append((sX[:, full * size:m], sY[:, full * size:m]))
    return out


def o_gd(p, g, lr):
    for l in range(1, len(p) // 2 + 1):
        p["W" + str(l)] = p["W" + str(l)] - lr * g["dW" + str(l)]
        p["b" + str(l)] = p["b" + str(l)] - lr * g["db" + str(l)]
    return p


def o_momentum(p, g, v, beta, lr):
    for l in range(1, len(p) // 2 + 1):
        for k in ("W", "b"):
            d = "d" + k + str(l)
            v[d] = beta * v[d] + (1 - beta) * g[d]
            p[k + str(l)] = p[k + str(l)] - lr * v[d]
    return p, v


def o_adam(p, g, v, s, t, learning_rate=0.01, beta1=0.9, beta2=0.999, epsilon=1e-8):
    lr = learning_rate
    vc, sc = {}, {}
    for l in range(1, len(p) // 2 + 1):
        for k in ("W", "b"):
            d = "d" + k + str(l)
            v[d] = beta1 * v[d] + (1 - beta1) * g[d]
            vc[d] = v[d] / (1 - np.power(beta1, t))
            s[d] = beta2 * s[d] + (1 - beta2) * np.power(g[d], 2)
            sc[d] = s[d] / (1 - np.power(beta2, t))
            p[k + str(l)] = p[k + str(l)] - lr * vc[d] / (np.sqrt(sc[d]) + epsilon)
    return p, v, s, vc, sc


def o_zeros(p):
    return {"d" + k: np.zeros(np.shape(val)) for k, val in p.items()}


def o_schedule_lr_decay(lr0, epoch_num, decay_rate, time_interval=1000):
    return 1 / (1 + decay_rate * np.floor(epoch_num / time_interval)) * lr0


def o_model(X, Y, layers_dims, optimizer, learning_rate=0.0007, mini_batch_size=64, beta=0.9, beta1=0.9,
            beta2=0.999, epsilon=1e-8, num_epochs=10000, decay=None, decay_rate=1):
    t, seed, m, lr0 = 0, 10, X.shape[1], learning_rate
    costs = []
    p = o_init(layers_dims)
    v = o_zeros(p)
    s = o_zeros(p)
    for i in range(num_epochs):
        seed = seed + 1
        total = 0
        for bX, bY in o_mini_batches(X, Y, mini_batch_size, seed):
            a3, cache = o_forward(bX, p)
            total += o_cost(a3, bY)
            grads = o_backward(bX, bY, cache)
            if optimizer == "gd":
                p = o_gd(p, grads, learning_rate)
            elif optimizer == "momentum":
                p, v = o_momentum(p, grads, v, beta, learning_rate)
            else:
                t += 1
                p, v, s, _, _ = o_adam(p, grads, v, s, t, learning_rate, beta1, beta2, epsilon)
        costs.append(total / m)
        if decay:
            learning_rate = decay(lr0, i, decay_rate)
    return p, costs


# --------------------------------------------------------------------------- data
@pytest.fixture(scope="module")
def moons():
    """The course's moons (np.random.seed(3); make_moons(300, noise=.2)) in the course's layout."""
    try:
        from descentlab.datasets import load_moons
    except ImportError:
        load_moons = None
    if load_moons is not None:
        d = load_moons()
        return d.X_train.T.copy(), d.y_train.reshape(1, -1).copy()
    sk = pytest.importorskip("sklearn.datasets")
    X, y = sk.make_moons(n_samples=300, noise=.2, random_state=np.random.RandomState(3))
    return X.T.copy(), y.reshape(1, -1)


def _params(dims, seed=0):
    rs = np.random.RandomState(seed)
    p = {}
    for l in range(1, len(dims)):
        p[f"W{l}"] = rs.randn(dims[l], dims[l - 1])
        p[f"b{l}"] = rs.randn(dims[l], 1)
    return p


def _grads(dims, seed=1):
    return {"d" + k: v for k, v in _params(dims, seed).items()}


def _close(a, b, rtol=1e-12):
    assert set(a) == set(b)
    for k in a:
        assert np.shape(a[k]) == np.shape(b[k]), k
        np.testing.assert_allclose(a[k], b[k], rtol=rtol, atol=1e-15, err_msg=k)


def _accuracy(p, X, Y):
    a3, _ = o_forward(X, p)
    return float(np.mean((a3 > 0.5) == Y))


DIMS = [3, 4, 2, 1]


# --------------------------------------------------------------------------- gradient descent
def test_update_parameters_with_gd_matches_the_course_and_rebinds_entries():
    p, g = _params(DIMS), _grads(DIMS)
    original_W1 = p["W1"]
    snapshot = copy.deepcopy(p)
    out = co.update_parameters_with_gd(p, g, 0.01)
    assert out is p
    _close(out, o_gd(copy.deepcopy(snapshot), g, 0.01))
    np.testing.assert_array_equal(original_W1, snapshot["W1"])  # the old array is not written in place
    assert out["b1"].shape == (4, 1)


def test_random_mini_batches_course_test_case():
    rs = np.random.RandomState(1)
    X = rs.randn(12288, 148)
    Y = rs.randn(1, 148) < 0.5
    state = np.random.get_state()[1].copy()
    batches = co.random_mini_batches(X, Y, 64)
    assert np.array_equal(np.random.get_state()[1], state)  # global random state untouched
    assert [b[0].shape for b in batches] == [(12288, 64), (12288, 64), (12288, 20)]
    assert [b[1].shape for b in batches] == [(1, 64), (1, 64), (1, 20)]
    np.testing.assert_allclose(batches[0][0][0][0:3], [0.90085595, -0.7612069, 0.2344157], atol=1e-8)
    for (bx, by), (ox, oy) in zip(batches, o_mini_batches(X, Y, 64, 0)):
        np.testing.assert_array_equal(bx, ox)
        np.testing.assert_array_equal(by, oy)


@pytest.mark.parametrize("m,size,seed", [(148, 64, 0), (10, 3, 7), (5, 5, 2), (4, 10, 1), (1, 1, 0)])
def test_random_mini_batches_matches_the_course_for_any_sizes(m, size, seed):
    rs = np.random.RandomState(m)
    X, Y = rs.randn(3, m), (rs.rand(1, m) < 0.5).astype(int)
    got = co.random_mini_batches(X, Y, size, seed)
    want = o_mini_batches(X, Y, size, seed)
    assert len(got) == len(want)
    for (bx, by), (ox, oy) in zip(got, want):
        np.testing.assert_array_equal(bx, ox)
        np.testing.assert_array_equal(by, oy)


# --------------------------------------------------------------------------- momentum and Adam
def test_initialize_velocity_and_adam_are_zeros_shaped_like_the_parameters():
    p = _params(DIMS)
    v = co.initialize_velocity(p)
    v2, s2 = co.initialize_adam(p)
    for d in (v, v2, s2):
        assert set(d) == {"dW1", "db1", "dW2", "db2", "dW3", "db3"}
        for k in p:
            assert d["d" + k].shape == p[k].shape
            assert not d["d" + k].any()
    assert v2["dW1"] is not s2["dW1"]


def test_update_parameters_with_momentum_matches_the_course_over_steps():
    p, v = _params(DIMS), o_zeros(_params(DIMS))
    op, ov = copy.deepcopy(p), copy.deepcopy(v)
    for step in range(4):
        g = _grads(DIMS, seed=10 + step)
        p, v2 = co.update_parameters_with_momentum(p, g, v, 0.9, 0.05)
        assert v2 is v
        op, ov = o_momentum(op, g, ov, 0.9, 0.05)
        _close(p, op)
        _close(v, ov)


@pytest.mark.parametrize("hyper", [dict(), dict(learning_rate=0.02, beta1=0.8, beta2=0.888, epsilon=1e-2)])
def test_update_parameters_with_adam_matches_the_course_over_steps(hyper):
    p = _params(DIMS)
    v, s = co.initialize_adam(p)
    op, ov, os_ = copy.deepcopy(p), o_zeros(p), o_zeros(p)
    for t in range(1, 5):
        g = _grads(DIMS, seed=20 + t)
        p, v2, s2 = co.update_parameters_with_adam(p, g, v, s, t, **hyper)
        assert v2 is v and s2 is s
        op, ov, os_, _, _ = o_adam(op, g, ov, os_, t, **hyper)
        _close(p, op)
        _close(v, ov)
        _close(s, os_)


def test_update_parameters_with_adam_returns_the_corrected_moments_on_request():
    p, g = _params(DIMS), _grads(DIMS)
    v, s = o_zeros(p), o_zeros(p)
    v["dW2"] = np.full((2, 4), 0.3)
    s["dW2"] = np.full((2, 4), 0.2)
    ov, os_ = copy.deepcopy(v), copy.deepcopy(s)
    out = co.update_parameters_with_adam(copy.deepcopy(p), g, v, s, 3, 0.02, return_corrected=True)
    assert len(out) == 5
    want = o_adam(copy.deepcopy(p), g, ov, os_, 3, 0.02)
    for got_d, want_d in zip(out, want):
        _close(got_d, want_d)


def test_course_updates_equal_the_core_optimizers_on_the_flat_buffer():
    """Steps through the course dicts == the same steps of the core optimizer on one flat vector."""
    layout = Layout(tuple(DIMS))
    p = _params(DIMS)
    v_m = co.initialize_velocity(p)
    pm, pa, pg = copy.deepcopy(p), copy.deepcopy(p), copy.deepcopy(p)
    v_a, s_a = co.initialize_adam(p)
    theta0 = layout.flatten(p)
    runs = {}
    for opt in (GD(lr=0.1), Momentum(lr=0.1, beta=0.8), Adam(lr=0.1, beta1=0.7, beta2=0.9, epsilon=1e-6)):
        theta = theta0.copy()
        state = opt.init(theta)
        for step in range(3):
            g = _grads(DIMS, seed=30 + step)
            opt.update(theta, layout.flatten({k[1:]: val for k, val in g.items()}), state, 0.1)
        runs[opt.name] = theta
    for step in range(3):
        g = _grads(DIMS, seed=30 + step)
        pg = co.update_parameters_with_gd(pg, g, 0.1)
        pm, v_m = co.update_parameters_with_momentum(pm, g, v_m, 0.8, 0.1)
        pa, v_a, s_a = co.update_parameters_with_adam(pa, g, v_a, s_a, step + 1, 0.1, 0.7, 0.9, 1e-6)
    np.testing.assert_array_equal(layout.flatten(pg), runs["gd"])
    np.testing.assert_array_equal(layout.flatten(pm), runs["momentum"])
    np.testing.assert_array_equal(layout.flatten(pa), runs["adam"])


# --------------------------------------------------------------------------- learning-rate decay
def test_update_lr_course_value_and_formula():
    assert co.update_lr(0.5, 2, 1) == pytest.approx(0.16666666666666666, rel=1e-15)
    for lr0, e, r in [(0.1, 0, 1), (0.3, 7, 0.5), (1.0, 1000, 2.0)]:
        assert co.update_lr(lr0, e, r) == pytest.approx(1 / (1 + r * e) * lr0, rel=1e-14)


def test_schedule_lr_decay_formula():
    assert co.schedule_lr_decay(0.5, 100, 1, 100) == pytest.approx(0.25)
    for lr0, e, r, ti in [(0.1, 0, 1, 1000), (0.1, 999, 1, 1000), (0.1, 1000, 1, 1000), (0.3, 2500, 0.3, 1000),
                          (0.5, 10, 1, 3)]:
        assert co.schedule_lr_decay(lr0, e, r, ti) == pytest.approx(o_schedule_lr_decay(lr0, e, r, ti), rel=1e-14)
    assert co.schedule_lr_decay(0.1, 2000, 1) == pytest.approx(0.1 / 3)


# --------------------------------------------------------------------------- model
@pytest.mark.parametrize("optimizer,kwargs", [
    ("gd", dict(learning_rate=0.05)),
    ("momentum", dict(learning_rate=0.05, beta=0.8)),
    ("adam", dict(learning_rate=0.01, beta1=0.85, beta2=0.99, epsilon=1e-7)),
    ("gd", dict(learning_rate=0.1, decay=co.update_lr, decay_rate=0.5)),
    ("adam", dict(learning_rate=0.01, mini_batch_size=50)),
])
def test_model_short_runs_match_the_course_loop(moons, optimizer, kwargs):
    X, Y = moons
    got = co.model(X, Y, [2, 5, 2, 1], optimizer, num_epochs=25, print_cost=False, **kwargs)
    okw = dict(kwargs)
    if okw.get("decay") is co.update_lr:
        okw["decay"] = lambda lr0, i, r: 1 / (1 + r * i) * lr0
    want, _ = o_model(X, Y, [2, 5, 2, 1], optimizer, num_epochs=25, **okw)
    _close(got, want, rtol=1e-9)


def test_model_accepts_any_course_style_decay_function(moons):
    X, Y = moons
    fast = lambda lr0, epoch_num, decay_rate: lr0 / (1 + decay_rate * np.floor(epoch_num / 4))  # noqa: E731
    got = co.model(X, Y, [2, 5, 2, 1], "momentum", learning_rate=0.1, num_epochs=20, print_cost=False,
                   decay=fast, decay_rate=2)
    want, _ = o_model(X, Y, [2, 5, 2, 1], "momentum", learning_rate=0.1, num_epochs=20, decay=fast, decay_rate=2)
    _close(got, want, rtol=1e-9)


def test_model_maps_schedule_lr_decay_onto_the_course_timing(moons):
    """Epoch 1000 still runs at lr0: the course sets decay(lr0, 1000, r) only AFTER epoch 1000."""
    X, Y = moons
    X, Y = X[:, :64], Y[:, :64]  # one mini-batch per epoch keeps 1002 epochs quick
    kwargs = dict(learning_rate=0.05, mini_batch_size=64, num_epochs=1002, print_cost=False)
    got = co.model(X, Y, [2, 5, 2, 1], "momentum", decay=co.schedule_lr_decay, **kwargs)
    course_fn = co.model(X, Y, [2, 5, 2, 1], "momentum", decay=o_schedule_lr_decay, **kwargs)
    _close(got, course_fn, rtol=1e-13)  # the generic path is checked against the course loop above
    no_decay = co.model(X, Y, [2, 5, 2, 1], "momentum", **dict(kwargs, num_epochs=1001))
    early = co.model(X, Y, [2, 5, 2, 1], "momentum", decay=co.schedule_lr_decay, **dict(kwargs, num_epochs=1001))
    _close(early, no_decay, rtol=0)  # epochs 0..1000 all at lr0


def test_model_prints_cost_and_learning_rate_as_the_course(moons, capsys):
    X, Y = moons
    co.model(X, Y, [2, 5, 2, 1], "gd", learning_rate=0.1, num_epochs=1001, decay=co.schedule_lr_decay)
    lines = capsys.readouterr().out.splitlines()
    _, costs = o_model(X, Y, [2, 5, 2, 1], "gd", learning_rate=0.1, num_epochs=1, decay=o_schedule_lr_decay)
    assert lines[0] == "Cost after epoch 0: %f" % costs[0]
    assert lines[1] == "learning rate after epoch 0: 0.100000"
    assert lines[2].startswith("Cost after epoch 1000: ")
    assert lines[3] == "learning rate after epoch 1000: 0.050000"
    assert len(lines) == 4


@pytest.mark.parametrize("optimizer,expected", [("gd", 0.7966666666666666), ("momentum", 0.7966666666666666),
                                                ("adam", 0.94)])
def test_model_reproduces_the_course_accuracies(moons, optimizer, expected):
    X, Y = moons
    p = co.model(X, Y, [X.shape[0], 5, 2, 1], optimizer, print_cost=False)  # 10000 epochs, lr 0.0007
    assert _accuracy(p, X, Y) == expected


@pytest.mark.parametrize("optimizer,lr,expected", [("gd", 0.1, 0.9433333333333334),
                                                   ("momentum", 0.1, 0.9533333333333334),
                                                   ("adam", 0.01, 0.94)])
def test_model_with_schedule_lr_decay_reproduces_the_course(moons, optimizer, lr, expected):
    X, Y = moons
    p = co.model(X, Y, [2, 5, 2, 1], optimizer, learning_rate=lr, num_epochs=5000, print_cost=False,
                 decay=co.schedule_lr_decay)
    assert _accuracy(p, X, Y) == expected


def test_predict_prints_accuracy_and_uses_threshold_half(moons, capsys):
    X, Y = moons
    p = _params([2, 5, 2, 1], seed=4)
    pred = co.predict(X, Y, p)
    a3, _ = o_forward(X, p)
    np.testing.assert_array_equal(pred, (a3 > 0.5).astype(int))
    assert pred.shape == (1, 300)
    assert capsys.readouterr().out == "Accuracy: " + str(float(np.mean((a3 > 0.5) == Y))) + "\n"
    np.testing.assert_array_equal(co.predict_dec(p, X), a3 > 0.5)


def test_utils_forward_backward_cost_match_the_course(moons):
    X, Y = moons
    X, Y = X[:, :40], Y[:, :40]
    p = co.initialize_parameters([2, 5, 2, 1])
    _close(p, o_init([2, 5, 2, 1]), rtol=0)
    a3, cache = co.forward_propagation(X, p)
    oa3, ocache = o_forward(X, p)
    np.testing.assert_allclose(a3, oa3, rtol=1e-12)
    for got, want in zip(cache, ocache):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    _close(co.backward_propagation(X, Y, cache), o_backward(X, Y, ocache))
    assert co.compute_cost(a3, Y) == pytest.approx(o_cost(oa3, Y), rel=1e-12)


# --------------------------------------------------------------------------- bad input
def test_bad_inputs_raise_input_errors_naming_the_argument(moons):
    X, Y = moons
    with pytest.raises(InputError, match=r"optimizer.*'rmsprop'"):
        co.model(X, Y, [2, 5, 2, 1], "rmsprop", num_epochs=1, print_cost=False)
    with pytest.raises(InputError, match=r"X: .*\(2, m\).*pass X\.T"):
        co.model(X.T, Y, [2, 5, 2, 1], "gd", num_epochs=1, print_cost=False)
    with pytest.raises(InputError, match=r"Y: "):
        co.model(X, Y.T, [2, 5, 2, 1], "gd", num_epochs=1, print_cost=False)
    with pytest.raises(InputError, match=r"layers_dims"):
        co.model(X, Y, [2, 0, 1], "gd", num_epochs=1, print_cost=False)
    with pytest.raises(InputError, match=r"beta"):
        co.model(X, Y, [2, 5, 2, 1], "momentum", beta=1.5, num_epochs=1, print_cost=False)
    with pytest.raises(InputTypeError, match=r"decay"):
        co.model(X, Y, [2, 5, 2, 1], "gd", num_epochs=1, print_cost=False, decay="staircase")
    p, g = _params(DIMS), _grads(DIMS)
    v, s = co.initialize_adam(p)
    with pytest.raises(InputError, match=r"t: .*1, inf"):
        co.update_parameters_with_adam(p, g, v, s, 0)
    with pytest.raises(InputError, match=r"learning_rate"):
        co.update_parameters_with_gd(p, g, -0.1)
    with pytest.raises(InputError, match=r"grads"):
        co.update_parameters_with_gd(p, _grads([3, 4, 1]), 0.1)
    with pytest.raises(InputError, match=r"parameters\['W2'\]"):
        co.update_parameters_with_gd({**p, "W2": np.zeros((2, 5))}, g, 0.1)
    with pytest.raises(InputError, match=r"mini_batch_size"):
        co.random_mini_batches(X, Y, 0)
    with pytest.raises(InputError, match=r"Y: .*\(1, 300\)"):
        co.random_mini_batches(X, Y[:, :10])
    with pytest.raises(InputError, match=r"time_interval"):
        co.schedule_lr_decay(0.1, 3, 1, 0)
    with pytest.raises(InputError, match=r"decay_rate"):
        co.update_lr(0.1, 3, -1)
