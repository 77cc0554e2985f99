"""The course's "Gradient Checking" notebook (Course 2, week 1), current edition: ``W1A3/Gradient_Checking.ipynb``
(2021+) with ``gc_utils.py``, ``testCases.py`` and ``public_tests.py``.

Two functions differ from the older edition (:mod:`descentlab.course.gradient_checking`, which has
every other function and the explanation of the numbers):

- ``gradient_check(x, theta, epsilon=1e-7, print_msg=False)`` prints only with ``print_msg``, and
  then the N-D messages with their 2e-7 threshold (``Your backward propagation works perfectly
  fine! difference = ...`` in green, or ``There is a mistake ...`` in yellow);
- ``gradient_check_n(parameters, gradients, X, Y, epsilon=1e-7, print_msg=False)`` likewise.

Both return the course's difference as a NumPy float64; the notebook then asserts
``np.any(np.isclose(difference, [0.2850931567761623, 1.1890913024229996e-07]))``: the first with
``backward_propagation_n`` as the notebook gives it, the second once its two mistakes are fixed
(``backward_propagation_n_fixed``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _checks as cc
from ..gradient_checking import (
    COURSE_LAYER_DIMS,
    backward_propagation,
    backward_propagation_n,
    backward_propagation_n_fixed,
    dictionary_to_vector,
    difference_1d,
    difference_n,
    forward_propagation,
    forward_propagation_n,
    gradients_to_vector,
    relu,
    sigmoid,
    vector_to_dictionary,
    verdict,
)

__all__ = [
    "forward_propagation", "backward_propagation", "gradient_check",
    "forward_propagation_n", "backward_propagation_n", "backward_propagation_n_fixed", "gradient_check_n",
    "sigmoid", "relu", "dictionary_to_vector", "vector_to_dictionary", "gradients_to_vector",
    "COURSE_LAYER_DIMS",
]


def gradient_check(x: Any, theta: Any, epsilon: float = 1e-7, print_msg: bool = False) -> np.float64:
    """The central difference of J = theta * x against dtheta; returns ||grad - gradapprox|| / (||grad|| + ||gradapprox||).

    With ``print_msg``, prints the course's verdict (threshold 2e-7).
    """
    print_msg = cc.flag("print_msg", print_msg)
    difference = difference_1d(x, theta, epsilon)
    if print_msg:
        print(verdict(difference))
    return difference


def gradient_check_n(parameters: Any, gradients: Any, X: Any, Y: Any, epsilon: float = 1e-7,
                     print_msg: bool = False) -> np.float64:
    """The course's gradient check, one coordinate at a time (see :func:`descentlab.course.gradient_checking.gradient_check_n`).

    With ``print_msg``, prints the course's verdict (threshold 2e-7). Returns the difference, a NumPy float64.
    """
    print_msg = cc.flag("print_msg", print_msg)
    difference = difference_n(parameters, gradients, X, Y, epsilon)
    if print_msg:
        print(verdict(difference))
    return difference
