"""descentlab.course.gradient_checking against a course-style NumPy transcription and the course's numbers."""

from __future__ import annotations

import numpy as np
import pytest

from descentlab.course import gradient_checking as gc
from descentlab.errors import InputError, InputTypeError

KEYS = ["W1", "b1", "W2", "b2", "W3", "b3"]


# --------------------------------------------------------------------------- the oracle
# The course's gc_utils.py and notebook, transcribed (3 layers, vector order W1, b1, ..., b3).
def o_forward_n(X, Y, p):
    m = X.shape[1]
    Z1 = np.dot(p["W1"], X) + p["b1"]
    A1 = np.maximum(0, Z1)
    Z2 = np.dot(p["W2"], A1) + p["b2"]
    A2 = np.maximum(0, Z2)
    Z3 = np.dot(p["W3"], A2) + p["b3"]
    A3 = 1 / (1 + np.exp(-Z3))
    logprobs = np.multiply(-np.log(A3), Y) + np.multiply(-np.log(1 - A3), 1 - Y)
    cost = 1. / m * np.sum(logprobs)
    return cost, (Z1, A1, p["W1"], p["b1"], Z2, A2, p["W2"], p["b2"], Z3, A3, p["W3"], p["b3"])


def o_backward_n(X, Y, cache, buggy=False):
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    dZ3 = A3 - Y
    dW3 = 1. / m * np.dot(dZ3, A2.T)
    db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)
    dA2 = np.dot(W3.T, dZ3)
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1. / m * np.dot(dZ2, A1.T) * (2 if buggy else 1)
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)
    dA1 = np.dot(W2.T, dZ2)
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1. / m * np.dot(dZ1, X.T)
    db1 = (4. if buggy else 1.) / m * np.sum(dZ1, axis=1, keepdims=True)
    return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
            "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}


def o_dictionary_to_vector(p):
    keys, parts = [], []
    for key in KEYS:
        v = np.reshape(p[key], (-1, 1))
        keys += [key] * v.shape[0]
        parts.append(v)
    return np.concatenate(parts, axis=0), keys


def o_vector_to_dictionary(theta):
    return {"W1": theta[:20].reshape((5, 4)), "b1": theta[20:25].reshape((5, 1)),
            "W2": theta[25:40].reshape((3, 5)), "b2": theta[40:43].reshape((3, 1)),
            "W3": theta[43:46].reshape((1, 3)), "b3": theta[46:47].reshape((1, 1))}


def o_gradient_check_n(p, g, X, Y, epsilon=1e-7):
    values, _ = o_dictionary_to_vector(p)
    grad = np.concatenate([np.reshape(g["d" + k], (-1, 1)) for k in KEYS], axis=0)
    n = values.shape[0]
    approx = np.zeros((n, 1))
    for i in range(n):
        plus = np.copy(values)
        plus[i] += epsilon
        minus = np.copy(values)
        minus[i] -= epsilon
        J_plus, _ = o_forward_n(X, Y, o_vector_to_dictionary(plus))
        J_minus, _ = o_forward_n(X, Y, o_vector_to_dictionary(minus))
        approx[i] = (J_plus - J_minus) / (2 * epsilon)
    return np.linalg.norm(grad - approx) / (np.linalg.norm(grad) + np.linalg.norm(approx))


def _test_case():
    """The course's gradient_check_n_test_case."""
    rs = np.random.RandomState(1)
    x = rs.randn(4, 3)
    y = np.array([1, 1, 0])
    p = {"W1": rs.randn(5, 4), "b1": rs.randn(5, 1), "W2": rs.randn(3, 5), "b2": rs.randn(3, 1),
         "W3": rs.randn(1, 3), "b3": rs.randn(1, 1)}
    return x, y, p


def _params(dims, seed):
    rs = np.random.RandomState(seed)
    p = {}
    for l in range(1, len(dims)):
        p[f"W{l}"] = rs.randn(dims[l], dims[l - 1])
        p[f"b{l}"] = rs.randn(dims[l], 1)
    return p


# --------------------------------------------------------------------------- 1-D
def test_one_dimensional_functions_and_the_course_differences(capsys):
    assert gc.forward_propagation(2, 4) == 8
    assert gc.backward_propagation(2, 4) == 2
    assert gc.gradient_check(2, 4) == pytest.approx(2.919335883291695e-10, rel=1e-6)  # the course's first edition
    d = gc.gradient_check(3, 4, print_msg=True)  # the course's 2021 edition
    assert d == pytest.approx(7.814075313343006e-11, rel=1e-6)
    assert capsys.readouterr().out == f"Your backward propagation works perfectly fine! difference = {d}\n"
    assert gc.gradient_check(2, 4) == pytest.approx(
        abs(2 - (2 * (4 + 1e-7) - 2 * (4 - 1e-7)) / 2e-7) / (2 + abs((2 * (4 + 1e-7) - 2 * (4 - 1e-7)) / 2e-7)))


# --------------------------------------------------------------------------- N-D
def test_forward_and_backward_n_match_the_course():
    X, Y, p = _test_case()
    cost, cache = gc.forward_propagation_n(X, Y, p)
    ocost, ocache = o_forward_n(X, Y, p)
    assert cost == pytest.approx(ocost, rel=1e-12)
    for got, want in zip(cache, ocache):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    for fn, buggy in ((gc.backward_propagation_n, False), (gc.backward_propagation_n_buggy, True)):
        grads = fn(X, Y, cache)
        want = o_backward_n(X, Y, ocache, buggy)
        assert set(grads) == set(want)
        for k in want:
            np.testing.assert_allclose(grads[k], want[k], rtol=1e-10, atol=1e-15, err_msg=k)


def test_gradient_check_n_course_test_case(capsys):
    X, Y, p = _test_case()
    _, cache = gc.forward_propagation_n(X, Y, p)
    good = gc.gradient_check_n(p, gc.backward_propagation_n(X, Y, cache), X, Y, 1e-7, True)
    bad = gc.gradient_check_n(p, gc.backward_propagation_n_buggy(X, Y, cache), X, Y, 1e-7, True)
    assert good < 2e-7
    assert bad == pytest.approx(0.2850931567761623, rel=1e-6)  # the course's number
    out = capsys.readouterr().out.splitlines()
    assert out == [f"Your backward propagation works perfectly fine! difference = {good}",
                   f"There is a mistake in the backward propagation! difference = {bad}"]
    _, ocache = o_forward_n(X, Y, p)
    assert bad == pytest.approx(o_gradient_check_n(p, o_backward_n(X, Y, ocache, True), X, Y), rel=1e-6)
    assert o_gradient_check_n(p, o_backward_n(X, Y, ocache), X, Y) < 2e-7


@pytest.mark.parametrize("dims", [[3, 6, 4, 2, 1], [5, 1], [2, 7, 1]])
def test_gradient_check_n_for_other_architectures(dims):
    rs = np.random.RandomState(len(dims))
    X, Y = rs.randn(dims[0], 8), (rs.rand(1, 8) < 0.5).astype(int)
    p = _params(dims, seed=3)
    _, cache = gc.forward_propagation_n(X, Y, p)
    grads = gc.backward_propagation_n(X, Y, cache)
    assert gc.gradient_check_n(p, grads, X, Y) < 2e-7
    wrong = dict(grads, **{f"dW{len(dims) - 1}": grads[f"dW{len(dims) - 1}"] * 1.01})
    assert gc.gradient_check_n(p, wrong, X, Y) > 1e-4


# --------------------------------------------------------------------------- vectors
def test_dictionary_to_vector_and_back_in_the_course_order():
    _, _, p = _test_case()
    theta, keys = gc.dictionary_to_vector(p)
    otheta, okeys = o_dictionary_to_vector(p)
    np.testing.assert_array_equal(theta, otheta)
    assert theta.shape == (47, 1) and keys == okeys
    back = gc.vector_to_dictionary(theta)
    want = o_vector_to_dictionary(otheta)
    assert list(back) == KEYS
    for k in KEYS:
        np.testing.assert_array_equal(back[k], want[k])
    g = {"d" + k: v * 2 for k, v in p.items()}
    np.testing.assert_array_equal(gc.gradients_to_vector(g), otheta * 2)


@pytest.mark.parametrize("dims", [[3, 7, 2], [5, 1], [2, 3, 4, 5, 1], [46, 1]])
def test_vector_to_dictionary_for_any_shapes(dims):
    p = _params(dims, seed=0)
    theta, keys = gc.dictionary_to_vector(p)
    assert len(keys) == theta.shape[0] == sum(v.size for v in p.values())
    for flat in (theta, theta.ravel()):
        back = gc.vector_to_dictionary(flat, dims)
        assert list(back) == list(p)
        for k in p:
            np.testing.assert_array_equal(back[k], p[k])
    if len(theta) != 47:
        with pytest.raises(InputError, match=r"layer_dims: .*vector of \d+ entries"):
            gc.vector_to_dictionary(theta)
    else:  # 47 entries without layer_dims: the course's 4-5-3-1 network, as its function assumes
        assert gc.vector_to_dictionary(theta)["W1"].shape == (5, 4)


# --------------------------------------------------------------------------- bad input
def test_bad_inputs_raise_input_errors_naming_the_argument():
    X, Y, p = _test_case()
    _, cache = gc.forward_propagation_n(X, Y, p)
    grads = gc.backward_propagation_n(X, Y, cache)
    with pytest.raises(InputError, match=r"theta: .*31 entries.*\(26,\)"):
        gc.vector_to_dictionary(np.zeros(26), [4, 5, 1])
    with pytest.raises(InputError, match=r"X: .*\(4, m\).*pass X\.T"):
        gc.gradient_check_n(p, grads, X.T, Y)
    with pytest.raises(InputError, match=r"Y: "):
        gc.gradient_check_n(p, grads, X, np.array([1, 2, 0]))
    with pytest.raises(InputError, match=r"gradients"):
        gc.gradient_check_n(p, {k: v for k, v in grads.items() if k != "db2"}, X, Y)
    with pytest.raises(InputError, match=r"gradients\['dW2'\]"):
        gc.gradient_check_n(p, dict(grads, dW2=np.zeros((5, 3))), X, Y)
    with pytest.raises(InputError, match=r"epsilon"):
        gc.gradient_check_n(p, grads, X, Y, epsilon=0)
    with pytest.raises(InputTypeError, match=r"theta"):
        gc.gradient_check(2, "4")
    with pytest.raises(InputError, match=r"parameters\['W2'\]"):
        gc.forward_propagation_n(X, Y, dict(p, W2=np.zeros((3, 4))))
