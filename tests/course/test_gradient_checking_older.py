"""The "Gradient Checking" notebook, older edition ("Gradient Checking.ipynb" 2017 / "Gradient Checking v1.ipynb"
2019-2020), against descentlab.course.gradient_checking.

No test module: the cells print and the notebook compares with its "Expected Output". Sources (repo @ commit : path),
cross-checked in /work/research/course/gradient_checking-older.md:
  notebook: amanchadha/coursera-deep-learning-specialization @ 3f055e4a8db0d76efbfb6f5a0e7e854535a3e2ec :
            C2 - Improving Deep Neural Networks Hyperparameter tuning, Regularization and Optimization/Week 1/Gradient Checking/Gradient Checking v1.ipynb
  helpers:  amanchadha/coursera-deep-learning-specialization @ 1a28b459d8b0c77f72cc1ac114564d2c367f486b : C2 - .../Week 1/Gradient Checking/gc_utils.py
  fixture:  gc_cases.py (testCases.py @ 4033975275d62473d8f7ed7bcf4640ae2e9949bc)
"""

from __future__ import annotations

import gc_cases
import numpy as np
import pytest
from course_checks import printed

from descentlab.course import gradient_checking as co
from descentlab.errors import InputError, InputTypeError

KEYS = ["W1", "b1", "W2", "b2", "W3", "b3"]


# ---------------------------------------------------------------------------------------------- 1-D
def test_forward_propagation_cell():
    # x, theta = 2, 4; J = forward_propagation(x, theta); print ("J = " + str(J))  ->  J = 8
    assert printed(lambda: print("J = " + str(co.forward_propagation(2, 4))))[1] == ["J = 8"]


def test_backward_propagation_cell():
    # x, theta = 2, 4; dtheta = backward_propagation(x, theta); print ("dtheta = " + str(dtheta))  ->  dtheta = 2
    assert printed(lambda: print("dtheta = " + str(co.backward_propagation(2, 4))))[1] == ["dtheta = 2"]


def test_gradient_check_cell():
    # x, theta = 2, 4; difference = gradient_check(x, theta); print("difference = " + str(difference))
    difference, lines = printed(co.gradient_check, 2, 4)
    lines += printed(lambda: print("difference = " + str(difference)))[1]
    assert lines == ["The gradient is correct!", "difference = 2.919335883291695e-10"]


def test_gradient_check_says_wrong_above_1e_7():
    difference, lines = printed(co.gradient_check, 2, 4, epsilon=1e-15)  # a tiny epsilon: rounding error dominates
    assert difference > 1e-7 and lines == ["The gradient is wrong!"]


# ---------------------------------------------------------------------------------------------- N-D
def test_gradient_check_n_cell_with_the_notebooks_backward_pass():
    # X, Y, parameters = gradient_check_n_test_case(); cost, cache = forward_propagation_n(X, Y, parameters)
    # gradients = backward_propagation_n(X, Y, cache); difference = gradient_check_n(parameters, gradients, X, Y)
    # Expected output (2017): There is a mistake in the backward propagation!  difference = 0.285093156781 (Python 2's
    # str with 12 digits; Python 3 copies print 0.2850931567761623 up to platform noise in the last digits)
    X, Y, parameters = gc_cases.gradient_check_n_test_case()
    cost, cache = co.forward_propagation_n(X, Y, parameters)
    gradients = co.backward_propagation_n(X, Y, cache)
    difference, lines = printed(co.gradient_check_n, parameters, gradients, X, Y)
    assert difference == pytest.approx(0.285093156781, rel=1e-10)  # copies: ...7761624, ...780699, ...6540251
    assert lines == ["\033[93m" + "There is a mistake in the backward propagation! difference = " + str(difference)
                     + "\033[0m"]
    assert str(difference).startswith("0.28509315677")


def test_gradient_check_n_after_fixing_the_two_mistakes():
    # the learner fixes dW2 (no * 2) and db1 (1./m, not 4./m); the current edition lists 1.1890913024229996e-07
    X, Y, parameters = gc_cases.gradient_check_n_test_case()
    cost, cache = co.forward_propagation_n(X, Y, parameters)
    gradients = co.backward_propagation_n_fixed(X, Y, cache)
    difference, lines = printed(co.gradient_check_n, parameters, gradients, X, Y)
    assert difference < 2e-7 and np.isclose(difference, 1.1890913024229996e-07)
    assert lines == ["\033[92m" + "Your backward propagation works perfectly fine! difference = " + str(difference)
                     + "\033[0m"]


def test_forward_propagation_n_cost_and_cache():
    X, Y, parameters = gc_cases.gradient_check_n_test_case()
    cost, cache = co.forward_propagation_n(X, Y, parameters)
    assert cost == pytest.approx(2.407833389834357, rel=1e-14)  # the course's code re-run (not printed by the notebook)
    assert type(cost) is np.float64 and len(cache) == 12


def test_the_planted_mistakes_are_dW2_times_2_and_db1_times_4():
    X, Y, parameters = gc_cases.gradient_check_n_test_case()
    _, cache = co.forward_propagation_n(X, Y, parameters)
    given, fixed = co.backward_propagation_n(X, Y, cache), co.backward_propagation_n_fixed(X, Y, cache)
    assert list(given) == ["dZ3", "dW3", "db3", "dA2", "dZ2", "dW2", "db2", "dA1", "dZ1", "dW1", "db1"] == list(fixed)
    for key in given:
        factor = {"dW2": 2, "db1": 4}.get(key, 1)
        np.testing.assert_allclose(given[key], factor * fixed[key], rtol=1e-15, atol=0, err_msg=key)


# ----------------------------------------------------------------------------------------- gc_utils
def test_dictionary_to_vector_and_back_in_the_course_order():
    _, _, parameters = gc_cases.gradient_check_n_test_case()
    theta, keys = co.dictionary_to_vector(parameters)
    assert theta.shape == (47, 1)
    assert keys == ["W1"] * 20 + ["b1"] * 5 + ["W2"] * 15 + ["b2"] * 3 + ["W3"] * 3 + ["b3"]
    np.testing.assert_array_equal(theta[:20, 0], parameters["W1"].reshape(-1))  # W1 row by row
    back = co.vector_to_dictionary(theta)  # the course's slices [:20] -> (5, 4), [20:25] -> (5, 1), ...
    assert list(back) == KEYS
    for k in KEYS:
        np.testing.assert_array_equal(back[k], parameters[k])
    grads = {"d" + k: v * 2 for k, v in parameters.items()}
    np.testing.assert_array_equal(co.gradients_to_vector(grads), theta * 2)


@pytest.mark.parametrize("dims", [[3, 7, 2], [5, 1], [2, 3, 4, 5, 1], [46, 1]])
def test_vector_to_dictionary_with_layer_dims_for_other_networks(dims):
    rs = np.random.RandomState(0)
    p = {}
    for l in range(1, len(dims)):
        p[f"W{l}"], p[f"b{l}"] = rs.randn(dims[l], dims[l - 1]), rs.randn(dims[l], 1)
    theta, keys = co.dictionary_to_vector(p)
    assert len(keys) == theta.shape[0] == sum(v.size for v in p.values())
    back = co.vector_to_dictionary(theta, dims)
    for k in p:
        np.testing.assert_array_equal(back[k], p[k])
    if len(theta) != 47:
        with pytest.raises(InputError, match=r"^layer_dims: .*vector of \d+ entries"):
            co.vector_to_dictionary(theta)


@pytest.mark.parametrize("dims", [[3, 6, 4, 2, 1], [5, 1], [2, 7, 1]])
def test_gradient_check_n_for_other_architectures(dims):
    rs = np.random.RandomState(len(dims))
    X, Y = rs.randn(dims[0], 8), (rs.rand(1, 8) < 0.5).astype(int)
    p = {}
    for l in range(1, len(dims)):
        p[f"W{l}"], p[f"b{l}"] = rs.randn(dims[l], dims[l - 1]), rs.randn(dims[l], 1)
    _, cache = co.forward_propagation_n(X, Y, p)
    grads = co.backward_propagation_n_fixed(X, Y, cache)
    assert printed(co.gradient_check_n, p, grads, X, Y)[0] < 2e-7
    wrong = dict(grads, **{f"dW{len(dims) - 1}": grads[f"dW{len(dims) - 1}"] * 1.01})
    assert printed(co.gradient_check_n, p, wrong, X, Y)[0] > 1e-4


# ---------------------------------------------------------------------------------------- bad input
def test_bad_inputs_raise_one_line_errors_naming_the_argument():
    X, Y, parameters = gc_cases.gradient_check_n_test_case()
    _, cache = co.forward_propagation_n(X, Y, parameters)
    grads = co.backward_propagation_n_fixed(X, Y, cache)
    with pytest.raises(InputError, match=r"^theta: .*31 entries.*\(26, 1\)"):
        co.vector_to_dictionary(np.zeros(26), [4, 5, 1])
    with pytest.raises(InputError, match=r"^X: .*\(4, m\).*pass X\.T"):
        co.gradient_check_n(parameters, grads, np.zeros((3, 4)), Y)
    with pytest.raises(InputError, match=r"^Y: "):
        co.gradient_check_n(parameters, grads, X, np.array([1, 2, 0]))
    with pytest.raises(InputError, match=r"^gradients: .*without db2"):
        co.gradient_check_n(parameters, {k: v for k, v in grads.items() if k != "db2"}, X, Y)
    with pytest.raises(InputError, match=r"^gradients\['dW2'\]: expected shape \(3, 5\), like parameters\['W2'\]"):
        co.gradient_check_n(parameters, dict(grads, dW2=np.zeros((5, 3))), X, Y)
    with pytest.raises(InputError, match=r"^epsilon"):
        co.gradient_check_n(parameters, grads, X, Y, epsilon=0)
    with pytest.raises(InputTypeError, match=r"^theta"):
        co.gradient_check(2, "4")
    with pytest.raises(InputError, match=r"^parameters\['W2'\]"):
        co.forward_propagation_n(X, Y, dict(parameters, W2=np.zeros((3, 4))))
