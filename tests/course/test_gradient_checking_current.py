"""The "Gradient Checking" notebook, current edition (W1A3/Gradient_Checking.ipynb, 2021+), against
descentlab.course.current.gradient_checking: both revisions of its public_tests.py and the notebook's asserts.

Sources (repo @ commit : path), cross-checked in /work/research/course/gradient_checking-current.md:
  revision 1 tests (x, theta = 2, 4): greyhatguy007/deep-learning-specialization @ ab0f9935659adfe9fa429ef5588a379608bcd5e0 :
      C2-Improving Deep Neural Networks: Hyperparameter Tuning, Regularization and Optimization/week1/programming assignments/W1A3/public_tests.py
  revision 2 tests (x, theta = 3, 4): shivamaggarwal513/coursera-deep-learning-specialization @ 3b8731ebb2fabcbb3a80991c339ec2aef1d9ec8c :
      c2-improving-deep-neural-networks/week-1/a3-gradient-checking/public_tests.py
  notebook cells: kiyan-rezaee/Improving-Deep-Neural-Networks-Hyperparameter-Tuning-Regularization-and-Optimization @
      b9598b619cc12e8aec0db354ae5d30deb5c53d30 : Gradient_Checking.py (the newest revision adds the np.float64 assert)
  fixture: gc_cases.py (testCases.py, unchanged)
The tests use single_test's equation_output_check: np.allclose(expected, target(*input)) (rtol 1e-5, atol 1e-8).
"""

from __future__ import annotations

import gc_cases
import numpy as np
import pytest
from course_checks import printed

from descentlab.course import gradient_checking as older
from descentlab.course.current import gradient_checking as co


def test_forward_propagation_test():
    x, theta = 2, 4
    assert np.allclose(8, co.forward_propagation(x, theta))


@pytest.mark.parametrize("x,theta,expected", [(2, 4, 2), (3, 4, 3)])  # revision 1, revision 2
def test_backward_propagation_test(x, theta, expected):
    assert np.allclose(expected, co.backward_propagation(x, theta))


@pytest.mark.parametrize("x,theta,expected", [(2, 4, 2.919335883291695e-10), (3, 4, 7.814075313343006e-11)])
def test_gradient_check_test(x, theta, expected):
    difference, lines = printed(co.gradient_check, x, theta)
    assert np.allclose(expected, difference)
    assert lines == []  # print_msg=False by default
    assert difference == expected  # the course's digits exactly (its atol=1e-8 only proves it is tiny)


@pytest.mark.parametrize("x,theta,expected", [(2, 4, "2.919335883291695e-10"), (3, 4, "7.814075313343006e-11")])
def test_gradient_check_cell_with_print_msg(x, theta, expected):
    # difference = gradient_check(x, theta, print_msg=True)
    _, lines = printed(co.gradient_check, x, theta, print_msg=True)
    assert lines == ["\033[92m" + "Your backward propagation works perfectly fine! difference = " + expected + "\033[0m"]


def test_gradient_check_n_notebook_cell():
    X, Y, parameters = gc_cases.gradient_check_n_test_case()
    cost, cache = co.forward_propagation_n(X, Y, parameters)
    gradients = co.backward_propagation_n(X, Y, cache)
    difference, lines = printed(co.gradient_check_n, parameters, gradients, X, Y, 1e-7, True)
    expected_values = [0.2850931567761623, 1.1890913024229996e-07]
    assert not (type(difference) == np.ndarray), "You are not using np.linalg.norm for numerator or denominator"
    assert type(difference) == np.float64, "The value must be a 64 bit floating point scalar."
    assert np.any(np.isclose(difference, expected_values)), "Wrong value. It is not one of the expected values"
    # Expected output: There is a mistake in the backward propagation!  difference = 0.2850931567761623
    assert difference == pytest.approx(0.2850931567761623, rel=1e-12)
    assert lines == ["\033[93m" + "There is a mistake in the backward propagation! difference = " + str(difference)
                     + "\033[0m"]


def test_gradient_check_n_notebook_cell_after_fixing():
    # the notebook's second accepted value: backward_propagation_n with its two mistakes fixed
    X, Y, parameters = gc_cases.gradient_check_n_test_case()
    cost, cache = co.forward_propagation_n(X, Y, parameters)
    gradients = co.backward_propagation_n_fixed(X, Y, cache)
    difference, lines = printed(co.gradient_check_n, parameters, gradients, X, Y, 1e-7, True)
    assert type(difference) == np.float64
    assert np.any(np.isclose(difference, [0.2850931567761623, 1.1890913024229996e-07]))
    assert difference == pytest.approx(1.1890913024229996e-07, rel=1e-9)  # the course's number, to its 10th digit
    assert lines[0].startswith("\033[92m" + "Your backward propagation works perfectly fine! difference = 1.18909130")
    assert printed(co.gradient_check_n, parameters, gradients, X, Y)[1] == []  # print_msg=False


def test_the_other_functions_are_the_older_editions():
    for name in ("forward_propagation", "backward_propagation", "forward_propagation_n", "backward_propagation_n",
                 "backward_propagation_n_fixed", "dictionary_to_vector", "vector_to_dictionary", "gradients_to_vector",
                 "sigmoid", "relu"):
        assert getattr(co, name) is getattr(older, name), name
