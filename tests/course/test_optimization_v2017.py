"""The "Optimization Methods" notebook, first release ("Optimization methods.ipynb", 2017, with opt_utils.py), against
descentlab.course.v2017.optimization: the three model cells at full length, every printed line and the accuracies.

Sources: the 2017 notebook, Kulbear/deep-learning-coursera (listed in /work/research/course/optimization-older.md), and its
helpers amanchadha/coursera-deep-learning-specialization @ 2b7585afd30bac5f90a5bf83a52f60d222016674 :
C2 - Improving Deep Neural Networks Hyperparameter tuning, Regularization and Optimization/Week 2/opt_utils.py. The printed
values below are the ones five independent text copies of the executed notebook agree on (one copy differs in the
4th-6th digit of three Adam lines: platform noise, not used). Costs are printed with "%f": compared as printed text.
The graded functions of this release are the 2019 revision's (test_optimization_older.py checks them).
"""

from __future__ import annotations

import numpy as np
import pytest
from course_checks import printed

from descentlab.course import optimization as v1b
from descentlab.course.v2017 import optimization as co

# model(train_X, train_Y, layers_dims, optimizer = "gd") etc.: "Cost after epoch %i: %f" % (i, cost), cost being the
# MEAN cost of the epoch's last mini-batch (opt_utils.compute_cost = 1./m * np.sum(logprobs))
LINES = {
    "gd": ["0.690736", "0.685273", "0.647072", "0.619525", "0.576584", "0.607243", "0.529403", "0.460768", "0.465586",
           "0.464518"],
    "momentum": ["0.690741", "0.685341", "0.647145", "0.619594", "0.576665", "0.607324", "0.529476", "0.460936",
                 "0.465780", "0.464740"],
    "adam": ["0.690552", "0.185567", "0.150852", "0.074454", "0.125936", "0.104235", "0.100552", "0.031601", "0.111709",
             "0.197648"],
}
# predictions = predict(train_X, train_Y, parameters): Python 3 str() of the accuracy (Python 2 printed 0.796666666667)
ACCURACY = {"gd": "Accuracy: 0.7966666666666666", "momentum": "Accuracy: 0.7966666666666666", "adam": "Accuracy: 0.94"}
CALLS = {"gd": dict(optimizer="gd"), "momentum": dict(beta=0.9, optimizer="momentum"), "adam": dict(optimizer="adam")}


@pytest.mark.parametrize("name", list(CALLS))
def test_model_cell_prints_the_course_lines_and_accuracy(name):
    train_X, train_Y = co.load_dataset()
    layers_dims = [train_X.shape[0], 5, 2, 1]
    parameters, lines = printed(co.model, train_X, train_Y, layers_dims, **CALLS[name])
    lines += printed(co.predict, train_X, train_Y, parameters)[1]
    assert lines == [f"Cost after epoch {1000 * i}: {c}" for i, c in enumerate(LINES[name])] + [ACCURACY[name]]


def test_compute_cost_is_the_mean():
    a3 = np.array([[0.9, 0.2, 0.6]])
    Y = np.array([[1, 0, 0]])
    assert co.compute_cost(a3, Y) == pytest.approx(v1b.compute_cost(a3, Y) / 3, rel=1e-15)


def test_the_graded_functions_are_the_2019_revisions():
    for name in ("update_parameters_with_gd", "random_mini_batches", "initialize_velocity",
                 "update_parameters_with_momentum", "initialize_adam", "update_parameters_with_adam",
                 "initialize_parameters", "forward_propagation", "backward_propagation", "predict", "load_dataset"):
        assert getattr(co, name) is getattr(v1b, name), name
