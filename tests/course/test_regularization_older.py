"""The "Regularization" notebook, older edition (Regularization.ipynb 2017 / Regularization_v2a.ipynb 2019-2020),
against descentlab.course.regularization.

The older edition has no test module: each cell prints values that the notebook compares with its "Expected Output".
Sources (repo @ commit : path), cross-checked in /work/research/course/regularization-older.md:
  notebook: amanchadha/coursera-deep-learning-specialization @ 3f055e4a8db0d76efbfb6f5a0e7e854535a3e2ec :
            C2 - Improving Deep Neural Networks Hyperparameter tuning, Regularization and Optimization/Week 1/Regularization/Regularization_v2a.ipynb
  helpers:  amanchadha/coursera-deep-learning-specialization @ 1a28b459d8b0c77f72cc1ac114564d2c367f486b :
            C2 - .../Week 1/Regularization/reg_utils.py
  fixtures: reg_cases.py (testCases.py of the same repository @ 4033975275d62473d8f7ed7bcf4640ae2e9949bc)
Arrays are printed with 8 decimals: compared to half a printed unit.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
import reg_cases as F
from course_checks import printed, values
from course_oracle import o_forward

from descentlab.course import regularization as co
from descentlab.errors import InputError

PRINTED = 5e-9


# --------------------------------------------------------------------------------------- the cells
def test_compute_cost_with_regularization_cell():
    A3, Y_assess, parameters = F.compute_cost_with_regularization_test_case()
    _, lines = printed(lambda: print("cost = " + str(co.compute_cost_with_regularization(A3, Y_assess, parameters,
                                                                                         lambd=0.1))))
    assert lines == ["cost = 1.7864859451590758"]  # (Python 2 copies print str() with 12 digits: 1.78648594516)


def test_backward_propagation_with_regularization_cell():
    X_assess, Y_assess, cache = F.backward_propagation_with_regularization_test_case()
    grads = co.backward_propagation_with_regularization(X_assess, Y_assess, cache, lambd=0.7)
    np.testing.assert_allclose(grads["dW1"], [[-0.25604646, 0.12298827, -0.28297129],
                                              [-0.17706303, 0.34536094, -0.4410571]], rtol=0, atol=PRINTED)
    np.testing.assert_allclose(grads["dW2"], [[0.79276486, 0.85133918], [-0.0957219, -0.01720463],
                                              [-0.13100772, -0.03750433]], rtol=0, atol=PRINTED)
    np.testing.assert_allclose(grads["dW3"], [[-1.77691347, -0.11832879, -0.09397446]], rtol=0, atol=PRINTED)


def test_forward_propagation_with_dropout_cell():
    X_assess, parameters = F.forward_propagation_with_dropout_test_case()
    A3, cache = co.forward_propagation_with_dropout(X_assess, parameters, keep_prob=0.7)
    np.testing.assert_allclose(A3, [[0.36974721, 0.00305176, 0.04565099, 0.49683389, 0.36974721]], rtol=0,
                               atol=PRINTED)
    assert len(cache) == 14 and cache[1].dtype == bool and cache[6].dtype == bool


def test_backward_propagation_with_dropout_cell():
    X_assess, Y_assess, cache = F.backward_propagation_with_dropout_test_case()
    gradients = co.backward_propagation_with_dropout(X_assess, Y_assess, cache, keep_prob=0.8)
    np.testing.assert_allclose(gradients["dA1"], [[0.36544439, 0., -0.00188233, 0., -0.17408748],
                                                  [0.65515713, 0., -0.00337459, 0., -0.]], rtol=0, atol=PRINTED)
    np.testing.assert_allclose(gradients["dA2"], [[0.58180856, 0., -0.00299679, 0., -0.27715731],
                                                  [0., 0.53159854, -0., 0.53159854, -0.34089673],
                                                  [0., 0., -0.00292733, 0., -0.]], rtol=0, atol=PRINTED)


# ---------------------------------------------------------------------------------- the model cells
# train_X, train_Y, test_X, test_Y = load_2D_dataset(): the course's datasets/data.mat (vendored).
def _model_cell(header, **kwargs):
    train_X, train_Y, test_X, test_Y = co.load_2D_dataset()
    parameters, lines = printed(co.model, train_X, train_Y, **kwargs)
    lines.append(header)
    lines += printed(co.predict, train_X, train_Y, parameters)[1]
    lines.append("On the test set:")
    return lines + printed(co.predict, test_X, test_Y, parameters)[1]


# (cell, printed costs at 0 / 10000 / 20000, the printed accuracy lines). Every copy prints the same cost at iteration
# 0; at 10000 and 20000 they differ in the last 1-4 digits (BLAS), e.g. 0.16329987525724216 / ...204 / ...213 and
# 0.13851642423255986 / ...234922 / ...261248: those are compared to rel 1e-9.
MODELS = {
    "no regularization": (dict(), "On the training set:",
                          ["0.6557412523481002", 0.16329987525724216, 0.13851642423255986],
                          "Accuracy: 0.9478672985781991", "Accuracy: 0.915"),
    "L2 lambd=0.7": (dict(lambd=0.7), "On the train set:",
                     ["0.6974484493131264", 0.2684918873282239, 0.2680916337127301],
                     "Accuracy: 0.9383886255924171", "Accuracy: 0.93"),
    "dropout keep_prob=0.86": (dict(keep_prob=0.86, learning_rate=0.3), "On the train set:",
                               ["0.6543912405149825", 0.0610169865749056, 0.060582435798513114],
                               "Accuracy: 0.9289099526066351", "Accuracy: 0.95"),
}


@pytest.fixture(scope="module", params=list(MODELS))
def model_cell(request):
    kwargs, header, *_ = MODELS[request.param]
    return request.param, _model_cell(header, **kwargs)


def test_model_prints_the_course_costs_and_accuracies(model_cell):
    name, lines = model_cell
    _, header, costs, train_line, test_line = MODELS[name]
    printed_costs = values(lines, "Cost after iteration")
    assert lines[:3] == [f"Cost after iteration {i}: {printed_costs[i]}" for i in (0, 10000, 20000)]
    assert printed_costs[0] == costs[0]
    for i, expected in ((10000, costs[1]), (20000, costs[2])):
        assert float(printed_costs[i]) == pytest.approx(expected, rel=1e-9, abs=0)
    assert lines[3:] == [header, train_line, "On the test set:", test_line]


def test_model_with_dropout_trains_with_one_fixed_mask():
    # forward_propagation_with_dropout starts with np.random.seed(1): every iteration draws the same two masks
    train_X, train_Y, _, _ = co.load_2D_dataset()
    p = co.initialize_parameters([2, 20, 3, 1])
    np.random.seed(12345)
    _, first = co.forward_propagation_with_dropout(train_X, p, 0.86)
    _, again = co.forward_propagation_with_dropout(train_X, co.update_parameters(copy.deepcopy(p), {
        "d" + k: np.ones_like(v) for k, v in p.items()}, 0.01), 0.86)
    np.testing.assert_array_equal(first[1], again[1])  # D1
    np.testing.assert_array_equal(first[6], again[6])  # D2
    # ... so 50 iterations of the course's model are 50 steps of one thinned network
    model50 = co.model(train_X, train_Y, num_iterations=50, print_cost=False, keep_prob=0.86)
    for _ in range(50):
        _, cache = co.forward_propagation_with_dropout(train_X, p, 0.86)
        p = co.update_parameters(p, co.backward_propagation_with_dropout(train_X, train_Y, cache, 0.86), 0.3)
    for k in p:
        np.testing.assert_array_equal(model50[k], p[k])


# ------------------------------------------------------------------------ reg_utils on other data
# (beyond the notebook: the same functions, checked against a plain transcription of the course's code)
def o_init(layer_dims):
    rs = np.random.RandomState(3)
    p = {}
    for l in range(1, len(layer_dims)):
        p["W" + str(l)] = rs.randn(layer_dims[l], layer_dims[l - 1]) / np.sqrt(layer_dims[l - 1])
        p["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return p


def o_backward(X, Y, cache, lambd=0.0, keep_prob=None):
    m = X.shape[1]
    if keep_prob is None:
        (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    else:
        (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3) = cache
    dZ3 = A3 - Y
    dW3 = 1. / m * np.dot(dZ3, A2.T) + lambd * W3 / m
    db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)
    dA2 = np.dot(W3.T, dZ3)
    if keep_prob is not None:
        dA2 = dA2 * D2 / keep_prob
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1. / m * np.dot(dZ2, A1.T) + lambd * W2 / m
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)
    dA1 = np.dot(W2.T, dZ2)
    if keep_prob is not None:
        dA1 = dA1 * D1 / keep_prob
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1. / m * np.dot(dZ1, X.T) + lambd * W1 / m
    db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)
    return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
            "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}


def o_forward_dropout(X, p, keep_prob):
    rs = np.random.RandomState(1)
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


def _same(got, want):
    assert list(got) == list(want)
    for k in want:
        np.testing.assert_allclose(got[k], want[k], rtol=1e-14, atol=1e-15, err_msg=k)


@pytest.mark.parametrize("dims", [[2, 20, 3, 1], [4, 3, 1], [3, 6, 5, 2, 1]])
def test_initialize_parameters_is_the_course_draw_bit_for_bit(dims):
    state = np.random.get_state()[1].copy()
    got = co.initialize_parameters(dims)
    assert np.array_equal(np.random.get_state()[1], state)
    for k, v in o_init(dims).items():
        np.testing.assert_array_equal(got[k], v)


@pytest.mark.parametrize("keep_prob,lambd", [(0.8, 0.0), (0.5, 0.0), (1.0, 0.0), (1.0, 0.3)])
def test_forward_backward_on_other_data_are_the_course_code(keep_prob, lambd):
    rs = np.random.RandomState(int(keep_prob * 10) + 100)
    X, Y = rs.randn(4, 30), (rs.rand(1, 30) < 0.5).astype(int)
    p = {k: rs.randn(*v.shape) for k, v in o_init([4, 6, 3, 1]).items()}
    a3, cache = co.forward_propagation(X, p)
    oa3, ocache = o_forward(X, p)
    np.testing.assert_array_equal(a3, oa3)
    _same(co.backward_propagation_with_regularization(X, Y, cache, lambd), o_backward(X, Y, ocache, lambd))
    if lambd == 0:
        _same(co.backward_propagation(X, Y, cache), o_backward(X, Y, ocache))
    A3, dcache = co.forward_propagation_with_dropout(X, p, keep_prob)
    oA3, odcache = o_forward_dropout(X, p, keep_prob)
    np.testing.assert_array_equal(A3, oA3)
    for got, want in zip(dcache, odcache):
        np.testing.assert_array_equal(got, want)
    _same(co.backward_propagation_with_dropout(X, Y, dcache, keep_prob), o_backward(X, Y, odcache, 0, keep_prob))


def test_compute_cost_with_regularization_is_a_numpy_float64():
    A3, Y_assess, parameters = F.compute_cost_with_regularization_test_case()
    cost = co.compute_cost_with_regularization(A3, Y_assess, parameters, lambd=0.1)
    assert type(cost) is np.float64 and cost.shape == ()
    assert cost == pytest.approx(co.compute_cost(A3, Y_assess) + 0.1 / 10 * sum(
        np.sum(parameters[k] ** 2) for k in ("W1", "W2", "W3")), rel=1e-14)


def test_load_2D_dataset_is_the_course_data():
    train_X, train_Y, test_X, test_Y = co.load_2D_dataset()
    assert (train_X.shape, train_Y.shape, test_X.shape, test_Y.shape) == ((2, 211), (1, 211), (2, 200), (1, 200))
    assert set(np.unique(train_Y)) == {0, 1}


# ---------------------------------------------------------------------------------------- bad input
def test_bad_inputs_raise_one_line_errors_naming_the_argument():
    train_X, train_Y, _, _ = co.load_2D_dataset()
    X_assess, parameters = F.forward_propagation_with_dropout_test_case()
    for kp in (0, 1.5, -0.2):
        with pytest.raises(InputError, match=r"^keep_prob: .*\(0\.0, 1\.0\]"):
            co.forward_propagation_with_dropout(X_assess, parameters, keep_prob=kp)
        with pytest.raises(InputError, match=r"^keep_prob"):
            co.model(train_X, train_Y, num_iterations=1, print_cost=False, keep_prob=kp)
    with pytest.raises(InputError, match=r"^lambd: .*-0\.1"):
        co.model(train_X, train_Y, num_iterations=1, print_cost=False, lambd=-0.1)
    with pytest.raises(InputError, match=r"^lambd: expected 0 when keep_prob < 1"):  # the course asserts it
        co.model(train_X, train_Y, num_iterations=1, print_cost=False, lambd=0.5, keep_prob=0.9)
    Y_assess = np.array([[1, 1, 0, 1, 0]])
    _, cache = co.forward_propagation(X_assess, parameters)
    with pytest.raises(InputError, match=r"^lambd"):
        co.backward_propagation_with_regularization(X_assess, Y_assess, cache, -1)
    with pytest.raises(InputError, match=r"^lambd"):
        co.compute_cost_with_regularization(np.full((1, 5), 0.5), Y_assess, parameters, -1)
    with pytest.raises(InputError, match=r"^X: .*\(n_x, 211\).*pass X\.T"):
        co.model(train_X.T, train_Y, num_iterations=1, print_cost=False)
    with pytest.raises(InputError, match=r"^cache"):
        co.backward_propagation_with_dropout(X_assess, Y_assess, cache, 0.8)  # a cache without masks
    with pytest.raises(InputError, match=r"^Y: "):
        co.backward_propagation(X_assess, Y_assess[:, :3], cache)
    with pytest.raises(InputError, match=r"^cache A2: "):
        co.backward_propagation(X_assess, Y_assess, cache[:5] + (cache[5][:, :3],) + cache[6:])
