"""The course's "Gradient Checking" notebook (Course 2, week 1), older edition: ``Gradient Checking.ipynb``
(2017) / ``Gradient Checking v1.ipynb`` (2019-2020), with ``gc_utils.py`` and ``testCases.py``.

The current edition's differences (``print_msg`` and its messages) are in
:mod:`descentlab.course.current.gradient_checking`.

1-D, J(theta) = theta * x
    ``forward_propagation(x, theta)``, ``backward_propagation(x, theta)`` (dtheta = x) and
    ``gradient_check(x, theta, epsilon=1e-7)``: the central difference (J(theta + eps) -
    J(theta - eps)) / (2 eps) against dtheta, difference = ||grad - gradapprox|| / (||grad|| +
    ||gradapprox||); prints ``The gradient is correct!`` (difference < 1e-7) or ``The gradient is
    wrong!`` and returns the difference (2.919335883291695e-10 for x, theta = 2, 4).

N-D, the course's LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID network
    ``forward_propagation_n(X, Y, parameters) -> (cost, cache)``: the cost from probabilities,
    ``1./m * np.sum(-log(A3) * Y - log(1 - A3) * (1 - Y))``.
    ``backward_propagation_n(X, Y, cache)``: AS THE NOTEBOOK GIVES IT, with the two mistakes it
    plants for the learner to find (``dW2`` twice too large, ``db1`` computed with ``4./m``);
    ``backward_propagation_n_fixed`` is the same function with both mistakes corrected.
    ``gradient_check_n(parameters, gradients, X, Y, epsilon=1e-7)``: the course's algorithm, one
    coordinate at a time (47 of them for the course's network): theta + eps e_i and theta - eps e_i,
    each cost from ``forward_propagation_n``, gradapprox_i = (J_plus - J_minus) / (2 eps); prints
    the course's coloured verdict (threshold 2e-7) and returns the difference as a NumPy float64:
    0.2850931567761623 with the notebook's backward pass, 1.1890913024229996e-07 once it is fixed.

    That 1.19e-7 is mostly rounding error of this algorithm, not of the gradient: the cost takes
    ``log(1 - A3)`` of a probability A3 = 0.9989 (a label-0 example), whose last digits the central
    difference divides by 2 eps = 2e-7. descentlab's :func:`~descentlab.check_gradients` computes
    the cost from the logits and finds about 1.9e-9 on the same pass; the ``gradient-checking``
    experiment shows both.

``gc_utils``: ``sigmoid``, ``relu``, ``dictionary_to_vector`` (W1 row by row, b1, W2, ... into a
(P, 1) column, plus each entry's key), ``vector_to_dictionary`` (the course's slices for its
[4, 5, 3, 1] network; pass ``layer_dims`` for another) and ``gradients_to_vector``.

>>> float(gradient_check(2, 4))
The gradient is correct!
2.919335883291695e-10
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import _checks as check
from . import _checks as cc
from . import _utils as U
from ._utils import relu, sigmoid

__all__ = [
    "forward_propagation", "backward_propagation", "gradient_check",
    "forward_propagation_n", "backward_propagation_n", "backward_propagation_n_fixed", "gradient_check_n",
    "sigmoid", "relu", "dictionary_to_vector", "vector_to_dictionary", "gradients_to_vector",
    "COURSE_LAYER_DIMS",
]

#: The course's network for gradient_check_n: 4 inputs, hidden layers of 5 and 3, one output (47 parameters).
COURSE_LAYER_DIMS: tuple[int, ...] = (4, 5, 3, 1)

#: The difference above which the course says the backward pass has a mistake.
THRESHOLD = 2e-7

MISTAKE = "There is a mistake in the backward propagation! difference = "
FINE = "Your backward propagation works perfectly fine! difference = "


def verdict(difference: Any) -> str:
    """The course's coloured message for an N-D difference (threshold 2e-7)."""
    if difference > THRESHOLD:
        return "\033[93m" + MISTAKE + str(difference) + "\033[0m"
    return "\033[92m" + FINE + str(difference) + "\033[0m"


# ------------------------------------------------------------------------------------------ 1-D
def forward_propagation(x: Any, theta: Any) -> Any:
    """J = theta * x, the course's linear function of one parameter."""
    return cc.scalar("theta", theta) * cc.scalar("x", x)


def backward_propagation(x: Any, theta: Any) -> Any:
    """dtheta = x, the derivative of J = theta * x."""
    cc.scalar("theta", theta)
    return cc.scalar("x", x)


def difference_1d(x: Any, theta: Any, epsilon: Any) -> np.float64:
    """The course's 1-D check: central difference of J against dtheta, ||grad - gradapprox|| / (||grad|| + ||gradapprox||)."""
    cc.scalar("x", x)
    cc.scalar("theta", theta)
    cc.positive("epsilon", epsilon)
    thetaplus = theta + epsilon
    thetaminus = theta - epsilon
    J_plus = forward_propagation(x, thetaplus)
    J_minus = forward_propagation(x, thetaminus)
    gradapprox = (J_plus - J_minus) / (2 * epsilon)
    grad = backward_propagation(x, theta)
    numerator = np.linalg.norm(grad - gradapprox)
    denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)
    return numerator / denominator


def gradient_check(x: Any, theta: Any, epsilon: float = 1e-7) -> np.float64:
    """Check backward_propagation against the central difference of forward_propagation; print the verdict.

    Prints ``The gradient is correct!`` when the difference is below 1e-7, else ``The gradient is
    wrong!``, and returns the difference.
    """
    difference = difference_1d(x, theta, epsilon)
    if difference < 1e-7:
        print("The gradient is correct!")
    else:
        print("The gradient is wrong!")
    return difference


# ------------------------------------------------------------------------------------------ N-D
def _labels(Y: Any, m: int) -> np.ndarray:
    return cc.labels("Y", Y, m, flat=True)  # the course's test case passes Y = np.array([1, 1, 0])


def _forward_n(X: Any, Y: Any, parameters: Any) -> tuple[np.float64, tuple]:
    m = X.shape[1]
    A3, cache = U.forward(X, parameters)
    logprobs = U.log_probs(A3, Y)
    cost = 1. / m * np.sum(logprobs)
    return cost, cache


def forward_propagation_n(X: Any, Y: Any, parameters: Any) -> tuple[np.float64, tuple]:
    """The cost ``1./m * np.sum(logprobs)`` (from probabilities) and the cache (Z1, A1, W1, b1, ..., Z3, A3, W3, b3)."""
    cc.parameters(parameters)
    Xc = cc.inputs("X", X, np.shape(parameters["W1"])[1])
    return _forward_n(Xc, _labels(Y, Xc.shape[1]), parameters)


def backward_propagation_n(X: Any, Y: Any, cache: Any) -> dict[str, np.ndarray]:
    """The notebook's backward pass AS GIVEN, with its two planted mistakes (for gradient_check_n to find).

    ``dW2 = 1./m * np.dot(dZ2, A1.T) * 2`` and ``db1 = 4./m * np.sum(dZ1, axis=1, keepdims=True)``;
    everything else is right. Returns {dZ3, dW3, db3, dA2, dZ2, dW2, db2, dA1, dZ1, dW1, db1}.
    """
    return U.checked_backward(X, Y, cache, folded=False, planted_mistakes=True)


def backward_propagation_n_fixed(X: Any, Y: Any, cache: Any) -> dict[str, np.ndarray]:
    """backward_propagation_n with its two mistakes corrected (``dW2 = 1./m * np.dot(dZ2, A1.T)``, ``db1 = 1./m * ...``)."""
    return U.checked_backward(X, Y, cache, folded=False)


def dictionary_to_vector(parameters: Any) -> tuple[np.ndarray, list[str]]:
    """Roll W1 (row by row), b1, W2, b2, W3, b3 into theta (P, 1); also return each entry's key."""
    cc.parameters(parameters)
    keys, parts = [], []
    for key in _names(parameters, ""):
        new_vector = np.reshape(parameters[key], (-1, 1))
        keys = keys + [key] * new_vector.shape[0]
        parts.append(new_vector)
    return np.concatenate(parts, axis=0), keys


def gradients_to_vector(gradients: Any) -> np.ndarray:
    """Roll dW1, db1, dW2, db2, dW3, db3 into a (P, 1) column, in dictionary_to_vector's order."""
    expected = "a dict {dW1, db1, ..., dWL, dbL} as backward_propagation_n returns it"
    if not isinstance(gradients, Mapping):
        raise check.fail_type("gradients", gradients, expected)
    names = _names(gradients, "d")
    if not names:
        raise check.fail("gradients", f"a dict with keys {sorted(map(str, gradients))[:8]}", expected)
    for key in names:
        if key not in gradients:
            raise check.fail("gradients", f"a dict without {key}", expected)
        cc.finite(f"gradients['{key}']", cc.array(f"gradients['{key}']", gradients[key], "an array of real numbers"))
    return np.concatenate([np.reshape(gradients[key], (-1, 1)) for key in names], axis=0)


def _names(d: Any, prefix: str) -> list[str]:
    L = 0
    while f"{prefix}W{L + 1}" in d:
        L += 1
    return [f"{prefix}{p}{l}" for l in range(1, L + 1) for p in ("W", "b")]


def _n_params(dims: tuple[int, ...]) -> int:
    return sum(dims[l] * (dims[l - 1] + 1) for l in range(1, len(dims)))


def _to_dictionary(theta: np.ndarray, dims: tuple[int, ...]) -> dict[str, np.ndarray]:
    parameters, start = {}, 0
    for l in range(1, len(dims)):
        for key, shape in (("W" + str(l), (dims[l], dims[l - 1])), ("b" + str(l), (dims[l], 1))):
            size = math.prod(shape)
            parameters[key] = theta[start:start + size].reshape(shape)
            start += size
    return parameters


def vector_to_dictionary(theta: Any, layer_dims: Any = None) -> dict[str, np.ndarray]:
    """Unroll theta into {W1, b1, W2, b2, W3, b3}: the course's slices [:20] -> (5, 4), [20:25] -> (5, 1), ...

    The course's function knows only its [4, 5, 3, 1] network (47 entries); ``layer_dims``
    ([n_x, n_1, ..., n_L]) gives the shapes of another network.
    """
    expected = "a vector of parameters of shape (P, 1)"
    arr = cc.array("theta", theta, expected)
    if arr.ndim == 1:
        arr = arr.reshape(-1, 1)
    if arr.ndim != 2 or arr.shape[1] != 1:
        raise check.fail("theta", arr, expected)
    dims = COURSE_LAYER_DIMS if layer_dims is None else check.layer_dims(layer_dims)
    if arr.shape[0] != _n_params(dims):
        if layer_dims is None:
            raise check.fail("layer_dims", None, f"the layer sizes [n_x, n_1, ..., n_L] for a vector of {arr.shape[0]} "
                                                 f"entries (without them, the course's {list(dims)} network of "
                                                 f"{_n_params(dims)} entries is assumed)")
        raise check.fail("theta", arr, f"{_n_params(dims)} entries, the parameters of a {list(dims)} network")
    return _to_dictionary(arr, dims)


def difference_n(parameters: Any, gradients: Any, X: Any, Y: Any, epsilon: Any) -> np.float64:
    """The course's N-D check (one coordinate at a time, costs from forward_propagation_n)."""
    L = cc.parameters(parameters)
    dims = tuple([np.shape(parameters["W1"])[1]] + [np.shape(parameters["W" + str(l)])[0] for l in range(1, L + 1)])
    Xc = cc.inputs("X", X, dims[0])
    Yc = _labels(Y, Xc.shape[1])
    cc.positive("epsilon", epsilon)
    cc.like("gradients", gradients, _names(parameters, ""), parameters)
    parameters_values, _ = dictionary_to_vector(parameters)
    grad = gradients_to_vector(gradients)
    num_parameters = parameters_values.shape[0]
    J_plus = np.zeros((num_parameters, 1))
    J_minus = np.zeros((num_parameters, 1))
    gradapprox = np.zeros((num_parameters, 1))
    for i in range(num_parameters):
        thetaplus = np.copy(parameters_values)
        thetaplus[i][0] = thetaplus[i][0] + epsilon
        J_plus[i], _ = _forward_n(Xc, Yc, _to_dictionary(thetaplus, dims))
        thetaminus = np.copy(parameters_values)
        thetaminus[i][0] = thetaminus[i][0] - epsilon
        J_minus[i], _ = _forward_n(Xc, Yc, _to_dictionary(thetaminus, dims))
        gradapprox[i] = (J_plus[i] - J_minus[i]) / (2 * epsilon)
    numerator = np.linalg.norm(grad - gradapprox)
    denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)
    return numerator / denominator


def gradient_check_n(parameters: Any, gradients: Any, X: Any, Y: Any, epsilon: float = 1e-7) -> np.float64:
    """The course's gradient check of ``gradients`` at ``parameters``; prints its verdict, returns the difference.

    For each of the P parameters i, one at a time: J_plus[i] = cost at theta + eps e_i,
    J_minus[i] = cost at theta - eps e_i (both from ``forward_propagation_n``, costs from
    probabilities), gradapprox[i] = (J_plus[i] - J_minus[i]) / (2 eps); then
    difference = ||grad - gradapprox|| / (||grad|| + ||gradapprox||), a NumPy float64. Prints
    ``There is a mistake in the backward propagation! difference = ...`` (in the course's yellow)
    above 2e-7, else ``Your backward propagation works perfectly fine! difference = ...`` (green).
    """
    difference = difference_n(parameters, gradients, X, Y, epsilon)
    print(verdict(difference))
    return difference
