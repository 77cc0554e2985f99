"""The "Regularization" notebook, current edition (W1A2/Regularization.ipynb, 2021+), against
descentlab.course.current.regularization: the four tests of its public_tests.py, called as the notebook calls them.

Source (repo @ commit : path): shivamaggarwal513/coursera-deep-learning-specialization @
3b8731ebb2fabcbb3a80991c339ec2aef1d9ec8c : c2-improving-deep-neural-networks/week-1/a2-regularization/public_tests.py
(the tests build their fixtures inline, with the same draws and hard-coded caches as testCases.py: reg_cases.py).
Checks: the course's single_test / multiple_test (course_checks.py), with the checks each test lists.

The notebook's model cells are the older edition's calls with the same printed values; this edition's module is that
module's functions (checked below), whose printed lines test_regularization_older.py checks.
"""

from __future__ import annotations

import numpy as np
import reg_cases as F
from course_checks import multiple_test, printed, single_test

from descentlab.course import regularization as older
from descentlab.course.current import regularization as co

A = np.array


def test_compute_cost_with_regularization_test():
    A3, Y, parameters = F.compute_cost_with_regularization_test_case()
    lambd = 0.1
    expected_output = np.float64(1.7864859451590758)
    # single_test(shape_check, equation_output_check): the result needs a .shape equal to () (a NumPy float64)
    single_test(co.compute_cost_with_regularization, [A3, Y, parameters, lambd], expected_output,
                checks=("shape_check", "equation_output_check"))
    # the notebook cell: cost = compute_cost_with_regularization(A3, t_Y, parameters, lambd=0.1); print("cost = " + str(cost))
    assert printed(lambda: print("cost = " + str(co.compute_cost_with_regularization(A3, Y, parameters, lambd=0.1))))[1] \
        == ["cost = 1.7864859451590758"]


def test_backward_propagation_with_regularization_test():
    X, Y, cache = F.backward_propagation_with_regularization_test_case()
    lambd = 0.7
    expected_output = {
        "dZ3": A([[-0.59317598, -0.98370716, 0.16722898, -0.89881889, 0.40682402]]),
        "dW3": A([[-1.77691347, -0.11832879, -0.09397446]]),
        "db3": A([[-0.38032981]]),
        "dA2": A([[0.40761434, 0.67597671, -0.11491519, 0.6176438, -0.27955836],
                  [0.50135568, 0.83143484, -0.14134288, 0.7596868, -0.34384996],
                  [0.39816708, 0.66030962, -0.11225181, 0.6033287, -0.27307905]]),
        "dZ2": A([[0.40761434, 0.67597671, -0.11491519, 0.6176438, -0.27955836],
                  [0., 0., -0., 0., -0.], [0., 0., -0., 0., -0.]]),
        "dW2": A([[0.79276486, 0.85133918], [-0.0957219, -0.01720463], [-0.13100772, -0.03750433]]),
        "db2": A([[0.26135226], [0.], [0.]]),
        "dA1": A([[0.2048239, 0.33967447, -0.05774423, 0.31036252, -0.14047649],
                  [0.3672018, 0.60895764, -0.10352203, 0.5564081, -0.25184181]]),
        "dZ1": A([[0., 0.33967447, -0.05774423, 0.31036252, -0.], [0., 0.60895764, -0.10352203, 0.5564081, -0.]]),
        "dW1": A([[-0.25604646, 0.12298827, -0.28297129], [-0.17706303, 0.34536094, -0.4410571]]),
        "db1": A([[0.11845855], [0.21236874]]),
    }
    # shape_check compares len(expected) with len(result): exactly these 11 keys
    multiple_test(co.backward_propagation_with_regularization, [X, Y, cache, lambd], expected_output,
                  checks=("shape_check", "equation_output_check"))


def test_forward_propagation_with_dropout_test():
    X, parameters = F.forward_propagation_with_dropout_test_case()
    keep_prob = 0.7
    expected_A3 = A([[0.36974721, 0.00305176, 0.04565099, 0.49683389, 0.36974721]])
    expected_cache = (
        A([[-1.52855314, 3.32524635, 2.13994541, 2.60700654, -0.75942115],
           [-1.98043538, 4.1600994, 0.79051021, 1.46493512, -0.45506242]]),
        A([[True, False, True, True, True], [True, True, True, True, True]]),
        A([[0., 0., 3.05706487, 3.72429505, 0.], [0., 5.94299915, 1.1293003, 2.09276446, 0.]]),
        A([[-1.09989127, -0.17242821, -0.87785842], [0.04221375, 0.58281521, -1.10061918]]),
        A([[1.14472371], [0.90159072]]),
        A([[0.53035547, 5.88414161, 3.08385015, 4.28707196, 0.53035547],
           [-0.69166075, -1.42199726, -2.92064114, -3.49524533, -0.69166075],
           [-0.39675353, -1.98881216, -3.55998747, -4.44246165, -0.39675353]]),
        A([[True, True, True, False, True], [True, True, True, True, True], [False, False, True, True, False]]),
        A([[0.75765067, 8.40591658, 4.40550021, 0., 0.75765067], [0., 0., 0., 0., 0.], [0., 0., 0., 0., 0.]]),
        A([[0.50249434, 0.90085595], [-0.68372786, -0.12289023], [-0.93576943, -0.26788808]]),
        A([[0.53035547], [-0.69166075], [-0.39675353]]),
        A([[-0.53330145, -5.78898099, -3.04000407, -0.0126646, -0.53330145]]),
        A([[0.36974721, 0.00305176, 0.04565099, 0.49683389, 0.36974721]]),
        A([[-0.6871727, -0.84520564, -0.67124613]]),
        A([[-0.0126646]]))
    # datatype_check is commented out in the course's test
    multiple_test(co.forward_propagation_with_dropout, [X, parameters, keep_prob], (expected_A3, expected_cache),
                  checks=("shape_check", "equation_output_check"))


def test_backward_propagation_with_dropout_test():
    X, Y, cache = F.backward_propagation_with_dropout_test_case()
    keep_prob = 0.8
    expected_output = {
        "dZ3": A([[-0.67733606, -0.50316611, 0.00348883, -0.50316611, 0.32266394]]),
        "dW3": A([[-0.06951191, 0., 0.]]),
        "db3": A([[-0.2715031]]),
        "dA2": A([[0.58180856, 0., -0.00299679, 0., -0.27715731], [0., 0.53159854, -0., 0.53159854, -0.34089673],
                  [0., 0., -0.00292733, 0., -0.]]),
        "dZ2": A([[0.58180856, 0., -0.00299679, 0., -0.27715731], [0., 0., -0., 0., -0.], [0., 0., -0., 0., -0.]]),
        "dW2": A([[-0.00256518, -0.0009476], [0., 0.], [0., 0.]]),
        "db2": A([[0.06033089], [0.], [0.]]),
        "dA1": A([[0.36544439, 0., -0.00188233, 0., -0.17408748], [0.65515713, 0., -0.00337459, 0., -0.]]),
        "dZ1": A([[0., 0., -0.00188233, 0., -0.], [0., 0., -0.00337459, 0., -0.]]),
        "dW1": A([[0.00019884, 0.00028657, 0.00012138], [0.00035647, 0.00051375, 0.00021761]]),
        "db1": A([[-0.00037647], [-0.00067492]]),
    }
    # the cache was built with keep_prob 0.5 and the call uses 0.8: the gradients come from the cache, as the course's
    multiple_test(co.backward_propagation_with_dropout, [X, Y, cache, keep_prob], expected_output,
                  checks=("shape_check", "equation_output_check"))


def test_the_current_notebook_functions_are_the_older_editions():
    for name in older.__all__:
        assert getattr(co, name) is getattr(older, name), name
