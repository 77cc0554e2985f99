"""The "Initialization" notebook, current edition (W1A1/Initialization.ipynb, 2021+), against
descentlab.course.current.initialization: the three tests of its public_tests.py, called as the notebook calls them.

Source (repo @ commit : path): shivamaggarwal513/coursera-deep-learning-specialization @
3b8731ebb2fabcbb3a80991c339ec2aef1d9ec8c : c2-improving-deep-neural-networks/week-1/a1-initialization/public_tests.py
(two unnamed copies of the same file agree value for value; see /work/research/course/initialization-current.md).
Each test is the course's multiple_test with datatype_check (a dict), shape_check and equation_output_check
(np.testing.assert_array_almost_equal, 6 decimals): course_checks.multiple_test.

The notebook's model cells are the same calls with the same printed values as the older edition; this edition's
module is that module's functions (checked below), whose printed lines test_initialization_older.py checks.
"""

from __future__ import annotations

import numpy as np
from course_checks import multiple_test

from descentlab.course import initialization as older
from descentlab.course.current import initialization as co


def test_initialize_parameters_zeros_test():
    layer_dims = [3, 2, 1]
    expected_output = {"W1": np.array([[0., 0., 0.], [0., 0., 0.]]), "b1": np.array([[0.], [0.]]),
                       "W2": np.array([[0., 0.]]), "b2": np.array([[0.]])}
    multiple_test(co.initialize_parameters_zeros, [layer_dims], expected_output)


def test_initialize_parameters_random_test():
    layer_dims = [3, 2, 1]
    expected_output = {"W1": np.array([[17.88628473, 4.36509851, 0.96497468],
                                       [-18.63492703, -2.77388203, -3.54758979]]),
                       "b1": np.array([[0.], [0.]]),
                       "W2": np.array([[-0.82741481, -6.27000677]]),
                       "b2": np.array([[0.]])}
    multiple_test(co.initialize_parameters_random, [layer_dims], expected_output)


def test_initialize_parameters_he_test():
    layer_dims = [3, 1, 2]  # the test's sizes (the notebook's cell prints [2, 4, 1]: see the older edition's test)
    expected_output = {"W1": np.array([[1.46040903, 0.3564088, 0.07878985]]), "b1": np.array([[0.]]),
                       "W2": np.array([[-2.63537665], [-0.39228616]]), "b2": np.array([[0.], [0.]])}
    multiple_test(co.initialize_parameters_he, [layer_dims], expected_output)


def test_the_current_notebook_imports_are_there():
    # from init_utils import sigmoid, relu, compute_loss, forward_propagation, backward_propagation
    # from init_utils import update_parameters, predict, load_dataset, plot_decision_boundary, predict_dec
    for name in ("sigmoid", "relu", "compute_loss", "forward_propagation", "backward_propagation", "update_parameters",
                 "predict", "load_dataset", "plot_decision_boundary", "predict_dec", "model"):
        assert getattr(co, name) is getattr(older, name), name
