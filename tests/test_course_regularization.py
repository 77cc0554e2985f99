"""descentlab.course.regularization against a course-style NumPy transcription and the course's numbers."""

from __future__ import annotations

import copy
import os

import numpy as np
import pytest
from course_oracle import o_forward

from descentlab.course import regularization as cr
from descentlab.errors import InputError


# --------------------------------------------------------------------------- the oracle
# The course's reg_utils.py and notebook, transcribed; np.random.seed(s) is replaced by a
# private RandomState(s), which gives the same draws.
def o_init(layer_dims):
    rs = np.random.RandomState(3)
    p = {}
    for l in range(1, len(layer_dims)):
        p["W" + str(l)] = rs.randn(layer_dims[l], layer_dims[l - 1]) / np.sqrt(layer_dims[l - 1])
        p["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return p


def o_backward(X, Y, cache, lambd=0.0, upper=False):
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    dZ3 = A3 - Y
    dW3 = 1. / m * np.dot(dZ3, A2.T) + (lambd / m) * W3
    db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)
    dA2 = np.dot(W3.T, dZ3)
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1. / m * np.dot(dZ2, A1.T) + (lambd / m) * W2
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)
    dA1 = np.dot(W2.T, dZ2)
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1. / m * np.dot(dZ1, X.T) + (lambd / m) * W1
    db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)
    z, a = ("dZ", "dA") if upper else ("dz", "da")
    return {z + "3": dZ3, "dW3": dW3, "db3": db3, a + "2": dA2, z + "2": dZ2, "dW2": dW2, "db2": db2,
            a + "1": dA1, z + "1": dZ1, "dW1": dW1, "db1": db1}


def o_cost(a3, Y):
    m = Y.shape[1]
    logprobs = np.multiply(-np.log(a3), Y) + np.multiply(-np.log(1 - a3), 1 - Y)
    return 1. / m * np.nansum(logprobs)


def o_cost_reg(A3, Y, p, lambd):
    m = Y.shape[1]
    l2 = (1. / m * lambd / 2) * (np.sum(np.square(p["W1"])) + np.sum(np.square(p["W2"])) + np.sum(np.square(p["W3"])))
    return o_cost(A3, Y) + l2


def o_forward_dropout(X, p, keep_prob=0.5, seed=1):
    rs = np.random.RandomState(seed)
    Z1 = np.dot(p["W1"], X) + p["b1"]
    A1 = np.maximum(0, Z1)
    D1 = rs.rand(A1.shape[0], A1.shape[1]) < keep_prob
    A1 = A1 * D1 / keep_prob
    Z2 = np.dot(p["W2"], A1) + p["b2"]
    A2 = np.maximum(0, Z2)
    D2 = rs.rand(A2.shape[0], A2.shape[1]) < keep_prob
    A2 = A2 * D2 / keep_prob
    Z3 = np.dot(p["W3"], A2) + p["b3"]
    A3 = 1 / (1 + np.exp(-Z3))
    return A3, (Z1, D1, A1, p["W1"], p["b1"], Z2, D2, A2, p["W2"], p["b2"], Z3, A3, p["W3"], p["b3"])


def o_backward_dropout(X, Y, cache, keep_prob):
    m = X.shape[1]
    (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3) = cache
    dZ3 = A3 - Y
    dW3 = 1. / m * np.dot(dZ3, A2.T)
    db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)
    dA2 = np.dot(W3.T, dZ3) * D2 / keep_prob
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1. / m * np.dot(dZ2, A1.T)
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)
    dA1 = np.dot(W2.T, dZ2) * D1 / keep_prob
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1. / m * np.dot(dZ1, X.T)
    db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)
    return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
            "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}


def o_model(X, Y, learning_rate=0.3, num_iterations=30000, lambd=0):
    p = o_init([X.shape[0], 20, 3, 1])
    for _ in range(num_iterations):
        a3, cache = o_forward(X, p)
        g = o_backward(X, Y, cache, lambd)
        for l in range(1, 4):
            p["W" + str(l)] = p["W" + str(l)] - learning_rate * g["dW" + str(l)]
            p["b" + str(l)] = p["b" + str(l)] - learning_rate * g["db" + str(l)]
    return p


def _accuracy(p, X, Y):
    a3, _ = o_forward(X, p)
    return float(np.mean((a3 > 0.5) == Y))


def _close(got, want, rtol=1e-10):
    assert set(got) == set(want)
    for k in want:
        assert np.shape(got[k]) == np.shape(want[k]), k
        np.testing.assert_allclose(got[k], want[k], rtol=rtol, atol=1e-14, err_msg=k)


@pytest.fixture(scope="module")
def football():
    """The course's football data (X (2, 211), Y (1, 211), X_test (2, 200), Y_test (1, 200))."""
    try:
        from descentlab.datasets import load_football
    except ImportError:
        load_football = None
    if load_football is not None:
        d = load_football()
        return d.X_train.T.copy(), d.y_train.reshape(1, -1).copy(), d.X_test.T.copy(), d.y_test.reshape(1, -1).copy()
    path = "/work/shared/data/football.mat"
    if not os.path.exists(path):
        pytest.skip("the football data is not available")
    sio = pytest.importorskip("scipy.io")
    data = sio.loadmat(path)
    return data["X"].T, data["y"].T, data["Xval"].T, data["yval"].T


def _test_case():
    """The course's test cases: np.random.seed(1); X = randn(3, 5); then W1, b1, ..., b3; Y = [[1, 1, 0, 1, 0]]."""
    rs = np.random.RandomState(1)
    X = rs.randn(3, 5)
    p = {"W1": rs.randn(2, 3), "b1": rs.randn(2, 1), "W2": rs.randn(3, 2), "b2": rs.randn(3, 1),
         "W3": rs.randn(1, 3), "b3": rs.randn(1, 1)}
    return X, np.array([[1, 1, 0, 1, 0]]), p


# --------------------------------------------------------------------------- initialization and utils
@pytest.mark.parametrize("dims", [[2, 20, 3, 1], [4, 3, 1], [3, 6, 5, 2, 1]])
def test_initialize_parameters_is_the_course_draw_exactly(dims):
    state = np.random.get_state()[1].copy()
    got = cr.initialize_parameters(dims)
    assert np.array_equal(np.random.get_state()[1], state)
    want = o_init(dims)
    for k in want:
        np.testing.assert_array_equal(got[k], want[k])


def test_forward_backward_cost_update_match_reg_utils():
    X, Y, p = _test_case()
    a3, cache = cr.forward_propagation(X, p)
    oa3, ocache = o_forward(X, p)
    np.testing.assert_allclose(a3, oa3, rtol=1e-12)
    for got, want in zip(cache, ocache):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    _close(cr.backward_propagation(X, Y, cache), o_backward(X, Y, ocache))
    assert cr.compute_cost(a3, Y) == pytest.approx(o_cost(oa3, Y), rel=1e-12)
    grads = o_backward(X, Y, ocache)
    new = cr.update_parameters(copy.deepcopy(p), grads, 0.3)
    for k in p:
        np.testing.assert_allclose(new[k], p[k] - 0.3 * grads["d" + k], rtol=1e-12, atol=1e-15)


# --------------------------------------------------------------------------- L2
def test_compute_cost_with_regularization_course_test_case():
    _, Y, p = _test_case()
    rs = np.random.RandomState(1)  # the course's test case draws W1 .. b3 right after the seed
    p = {"W1": rs.randn(2, 3), "b1": rs.randn(2, 1), "W2": rs.randn(3, 2), "b2": rs.randn(3, 1),
         "W3": rs.randn(1, 3), "b3": rs.randn(1, 1)}
    a3 = np.array([[0.40682402, 0.01629284, 0.16722898, 0.10118111, 0.40682402]])
    cost = cr.compute_cost_with_regularization(a3, Y, p, 0.1)
    assert cost == pytest.approx(1.78648594516, abs=1e-10)
    assert cost == pytest.approx(o_cost_reg(a3, Y, p, 0.1), rel=1e-12)


def test_backward_propagation_with_regularization_course_test_case():
    X, Y, p = _test_case()
    _, cache = cr.forward_propagation(X, p)
    grads = cr.backward_propagation_with_regularization(X, Y, cache, 0.7)
    np.testing.assert_allclose(grads["dW1"], [[-0.25604646, 0.12298827, -0.28297129],
                                              [-0.17706303, 0.34536094, -0.4410571]], atol=1e-8)
    np.testing.assert_allclose(grads["dW2"], [[0.79276486, 0.85133918], [-0.0957219, -0.01720463],
                                              [-0.13100772, -0.03750433]], atol=1e-8)
    np.testing.assert_allclose(grads["dW3"], [[-1.77691347, -0.11832879, -0.09397446]], atol=1e-8)
    _close(grads, o_backward(X, Y, o_forward(X, p)[1], 0.7, upper=True))


# --------------------------------------------------------------------------- dropout
def test_forward_propagation_with_dropout_course_test_case():
    X, _, p = _test_case()
    state = np.random.get_state()[1].copy()
    A3, cache = cr.forward_propagation_with_dropout(X, p, keep_prob=0.7)
    assert np.array_equal(np.random.get_state()[1], state)
    np.testing.assert_allclose(A3, [[0.36974721, 0.00305176, 0.04565099, 0.49683389, 0.36974721]], atol=1e-8)
    oA3, ocache = o_forward_dropout(X, p, 0.7)
    np.testing.assert_allclose(A3, oA3, rtol=1e-12)
    assert len(cache) == 14
    for got, want in zip(cache, ocache):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    assert cache[1].dtype == bool and cache[6].dtype == bool


@pytest.mark.parametrize("keep_prob,seed", [(0.8, 1), (0.5, 7), (1.0, 3)])
def test_dropout_forward_and_backward_match_the_course(keep_prob, seed):
    rs = np.random.RandomState(seed + 100)
    X, Y = rs.randn(4, 30), (rs.rand(1, 30) < 0.5).astype(int)
    p = {k: rs.randn(*v.shape) for k, v in o_init([4, 6, 3, 1]).items()}
    A3, cache = cr.forward_propagation_with_dropout(X, p, keep_prob, seed)
    oA3, ocache = o_forward_dropout(X, p, keep_prob, seed)
    np.testing.assert_allclose(A3, oA3, rtol=1e-12)
    for got, want in zip(cache, ocache):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    _close(cr.backward_propagation_with_dropout(X, Y, cache, keep_prob), o_backward_dropout(X, Y, ocache, keep_prob))


# --------------------------------------------------------------------------- model
@pytest.mark.parametrize("lambd", [0, 0.7])
def test_model_short_runs_match_the_course_loop(football, lambd):
    X, Y, _, _ = football
    got = cr.model(X, Y, num_iterations=50, print_cost=False, lambd=lambd)
    _close(got, o_model(X, Y, num_iterations=50, lambd=lambd), rtol=1e-9)


@pytest.mark.parametrize("lambd,train,test,cost0", [(0, 0.9478672985781991, 0.915, 0.6557412523481002),
                                                    (0.7, 0.9383886255924171, 0.93, 0.6974484493131264)])
def test_model_reproduces_the_course(football, capsys, lambd, train, test, cost0):
    X, Y, Xt, Yt = football
    p = cr.model(X, Y, lambd=lambd)
    out = capsys.readouterr().out.splitlines()
    assert [line.rsplit(": ", 1)[0] for line in out] == [f"Cost after iteration {i}" for i in (0, 10000, 20000)]
    assert float(out[0].rsplit(": ", 1)[1]) == pytest.approx(cost0, rel=1e-12)
    assert _accuracy(p, X, Y) == train
    assert _accuracy(p, Xt, Yt) == test
    cr.predict(Xt, Yt, p)
    assert capsys.readouterr().out == f"Accuracy: {test}\n"


def test_model_with_dropout_draws_fresh_masks_and_generalizes(football):
    X, Y, Xt, Yt = football
    p = cr.model(X, Y, keep_prob=0.86, print_cost=False)
    assert 0.92 <= _accuracy(p, Xt, Yt) <= 0.96
    short = [cr.model(X, Y, num_iterations=20, keep_prob=0.86, print_cost=False, seed=s) for s in (1, 1, 2)]
    _close(short[0], short[1], rtol=0)  # seeded: repeatable
    assert not np.allclose(short[0]["W1"], short[2]["W1"])  # another seed, other masks
    # The course's loop reseeds inside every forward pass, so it reuses ONE mask; ours does not.
    p_course = o_init([2, 20, 3, 1])
    for _ in range(20):
        _, cache = o_forward_dropout(X, p_course, 0.86)
        g = o_backward_dropout(X, Y, cache, 0.86)
        p_course = {k: v - 0.3 * g["d" + k] for k, v in p_course.items()}
    assert not np.allclose(short[0]["W1"], p_course["W1"])


def test_model_combines_l2_and_dropout():
    rs = np.random.RandomState(0)
    X, Y = rs.randn(2, 40), (rs.rand(1, 40) < 0.5).astype(int)
    p = cr.model(X, Y, num_iterations=10, print_cost=False, lambd=0.5, keep_prob=0.9)
    assert set(p) == {"W1", "b1", "W2", "b2", "W3", "b3"} and p["W2"].shape == (3, 20)


def test_bad_inputs_raise_input_errors_naming_the_argument(football):
    X, Y, _, _ = football
    X_, Y_, p = _test_case()
    for kp in (0, 1.5, -0.2):
        with pytest.raises(InputError, match=r"keep_prob: .*\(0\.0, 1\.0\]"):
            cr.forward_propagation_with_dropout(X_, p, keep_prob=kp)
        with pytest.raises(InputError, match=r"keep_prob"):
            cr.model(X, Y, num_iterations=1, print_cost=False, keep_prob=kp)
    with pytest.raises(InputError, match=r"lambd: .*-0\.1"):
        cr.model(X, Y, num_iterations=1, print_cost=False, lambd=-0.1)
    _, cache = cr.forward_propagation(X_, p)
    with pytest.raises(InputError, match=r"lambd"):
        cr.backward_propagation_with_regularization(X_, Y_, cache, -1)
    with pytest.raises(InputError, match=r"lambd"):
        cr.compute_cost_with_regularization(np.full((1, 5), 0.5), Y_, p, -1)
    with pytest.raises(InputError, match=r"X: .*\(n_x, 211\).*pass X\.T.*\(211, 2\)"):
        cr.model(X.T, Y, num_iterations=1, print_cost=False)
    with pytest.raises(InputError, match=r"cache"):
        cr.backward_propagation_with_dropout(X_, Y_, cache, 0.8)  # a cache without masks
    with pytest.raises(InputError, match=r"Y: "):
        cr.backward_propagation(X_, Y_[:, :3], cache)
