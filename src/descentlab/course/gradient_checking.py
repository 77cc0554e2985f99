"""The course's "Gradient Checking" assignment (Improving Deep Neural Networks, week 1).

The notebook's functions with the course's names, signatures and return
values, in its layout (``X`` (n_x, m), labels ``Y`` (1, m), parameters a dict
``{"W1", "b1", ...}`` with ``b[l]`` (n_l, 1)). They are thin layers over
:func:`descentlab.gradient_check` (1-D) and :func:`descentlab.check_gradients`
(N-D: the perturbed copies of θ run as one batched forward pass, so checking
every parameter costs a few matrix products, not 2P forward passes).

1-D: J(θ) = θ x
    ``forward_propagation(x, theta)``, ``backward_propagation(x, theta)``
    (dJ/dθ = x) and ``gradient_check(x, theta, epsilon=1e-7, print_msg=False)``
    returning ``||g - g̃|| / (||g|| + ||g̃||)``.

N-D: the course's LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID network
    ``forward_propagation_n(X, Y, parameters) -> (cost, cache)``,
    ``backward_propagation_n(X, Y, cache) -> gradients`` (correct), and
    ``backward_propagation_n_buggy``: the course's version with its two planted
    mistakes (dW2 x 2 and db1 x 4), for the experiment of finding them;
    ``gradient_check_n(parameters, gradients, X, Y, epsilon=1e-7, print_msg=False)``
    returns the difference (below 2e-7: backprop is right). Any depth works.

Vectors in the course's order
    ``dictionary_to_vector`` stacks W1 (row by row), b1, W2, b2, ... into a
    (P, 1) column and returns it with the per-entry key names;
    ``vector_to_dictionary(theta, layer_dims=None)`` undoes it for any
    architecture, and ``gradients_to_vector`` stacks dW1, db1, ... the same way.

>>> gradient_check(2, 4) < 1e-7   # the course: 2.919335883291695e-10
True
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import _checks as check
from ..core.gradcheck import check_gradients
from ..core.gradcheck import gradient_check as _core_gradient_check
from . import _layout as lay

__all__ = [
    "forward_propagation", "backward_propagation", "gradient_check",
    "forward_propagation_n", "backward_propagation_n", "backward_propagation_n_buggy",
    "dictionary_to_vector", "vector_to_dictionary", "gradients_to_vector", "gradient_check_n",
    "COURSE_LAYER_DIMS",
]

#: The course's network for gradient_check_n: 4 inputs, hidden layers of 5 and 3, one output.
COURSE_LAYER_DIMS: tuple[int, ...] = (4, 5, 3, 1)

#: The difference below which the course says backprop works.
THRESHOLD = 2e-7


def _report(difference: float, ok: bool) -> None:
    if ok:
        print("Your backward propagation works perfectly fine! difference = " + str(difference))
    else:
        print("There is a mistake in the backward propagation! difference = " + str(difference))


# --------------------------------------------------------------------------- 1-D
def forward_propagation(x: Any, theta: Any) -> float:
    """J(θ) = θ x (the course's linear 1-D function)."""
    return lay.scalar("theta", theta) * lay.scalar("x", x)


def backward_propagation(x: Any, theta: Any) -> float:
    """dJ/dθ = x."""
    lay.scalar("theta", theta)
    return lay.scalar("x", x)


def gradient_check(x: Any, theta: Any, epsilon: float = 1e-7, print_msg: bool = False) -> float:
    """Compare backward_propagation with (J(θ + ε) - J(θ - ε)) / (2ε); return the relative difference.

    With ``print_msg`` it prints the course's verdict (threshold 1e-7, as the course's 1-D check).
    """
    x, theta = lay.scalar("x", x), lay.scalar("theta", theta)
    epsilon = check.real("epsilon", epsilon, low=0.0, low_open=True)
    print_msg = lay.flag("print_msg", print_msg)
    difference = _core_gradient_check(lambda t: forward_propagation(x, t), lambda t: backward_propagation(x, t),
                                      theta, epsilon)
    if print_msg:
        _report(difference, difference < 1e-7)
    return difference


# --------------------------------------------------------------------------- N-D
def forward_propagation_n(X: Any, Y: Any, parameters: Any) -> tuple[float, tuple]:
    """The cost (1/m) Σ cross-entropy and the cache (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3).

    The cost is the core's, computed from the logits (finite for any z).
    """
    net = lay.to_network(parameters)
    Xc = lay.inputs("X", X, net.layer_dims[0])
    y = lay.labels("Y", Y, Xc.shape[1], net.layer_dims[-1])
    cost = float(net.cost(Xc.T, y))
    _, cache = lay.forward_cache(net, Xc)
    return cost, cache


def backward_propagation_n(X: Any, Y: Any, cache: Any) -> dict[str, np.ndarray]:
    """The correct gradients {dZ3, dW3, db3, dA2, dZ2, dW2, db2, dA1, dZ1, dW1, db1} (dZ3 = A3 - Y).

    dW, db come from the core's backprop; dZ, dA are formed from the cache.
    """
    return lay.backward(X, Y, cache)


def backward_propagation_n_buggy(X: Any, Y: Any, cache: Any) -> dict[str, np.ndarray]:
    """The course's backward_propagation_n with its two planted mistakes: dW2 twice and db1 four times too big.

    For the exercise of finding them with :func:`gradient_check_n` (the course
    gets a difference of about 0.285 on its test case).
    """
    grads = lay.backward(X, Y, cache)
    if "dW2" in grads:
        grads["dW2"] = grads["dW2"] * 2
    grads["db1"] = grads["db1"] * 4
    return grads


def dictionary_to_vector(parameters: Any) -> tuple[np.ndarray, list[str]]:
    """Stack W1 (row by row), b1, W2, b2, ..., WL, bL into theta (P, 1); also return each entry's key."""
    dims = lay.layer_dims_of(parameters)
    parts, keys = [], []
    for key in lay.names(len(dims) - 1):
        arr = np.reshape(np.asarray(parameters[key], dtype=np.float64), (-1, 1))
        parts.append(arr)
        keys += [key] * arr.shape[0]
    return np.concatenate(parts, axis=0), keys


def gradients_to_vector(gradients: Any) -> np.ndarray:
    """Stack dW1, db1, ..., dWL, dbL into a (P, 1) column, in dictionary_to_vector's order."""
    dims = lay.layer_dims_of(gradients, "gradients", prefix="d")
    return np.concatenate([np.reshape(np.asarray(gradients[key], dtype=np.float64), (-1, 1))
                           for key in lay.names(len(dims) - 1, prefix="d")], axis=0)


def _n_params(dims: tuple[int, ...]) -> int:
    return sum(dims[l] * (dims[l - 1] + 1) for l in range(1, len(dims)))


def vector_to_dictionary(theta: Any, layer_dims: Any = None) -> dict[str, np.ndarray]:
    """The parameter dict {W1, b1, ...} (b of shape (n_l, 1)) from a vector in dictionary_to_vector's order.

    ``layer_dims`` ([n_x, n_1, ..., n_L]) gives the shapes. Without it only
    the length of theta is known, and many architectures share a parameter
    count (47 is the course's [4, 5, 3, 1] but also [46, 1], [2, 4, 7], [1, 3, 8, 1] ...),
    so it is inferred only for the course's network, which is what the course's
    function (with its hard-coded slices) handles: 47 entries -> [4, 5, 3, 1].
    Any other length needs ``layer_dims``.
    """
    expected_vec = "a vector of parameters of shape (P, 1) or (P,)"
    arr = lay._array("theta", theta, expected_vec)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise check.fail("theta", arr, expected_vec)
    P = arr.size
    if layer_dims is None:
        if P != _n_params(COURSE_LAYER_DIMS):
            raise check.fail("layer_dims", None,
                             f"the layer sizes [n_x, n_1, ..., n_L] for a vector of {P} entries (only the "
                             f"course's {list(COURSE_LAYER_DIMS)} network, {_n_params(COURSE_LAYER_DIMS)} entries, "
                             "is assumed when layer_dims is omitted)")
        dims = COURSE_LAYER_DIMS
    else:
        dims = check.layer_dims(layer_dims)
        if _n_params(dims) != P:
            raise check.fail("theta", arr, f"{_n_params(dims)} entries, the parameters of a {list(dims)} network")
    out, start = {}, 0
    for l in range(1, len(dims)):
        for key, shape in ((f"W{l}", (dims[l], dims[l - 1])), (f"b{l}", (dims[l], 1))):
            size = math.prod(shape)
            out[key] = np.array(arr[start:start + size], dtype=np.float64).reshape(shape)
            start += size
    return out


def gradient_check_n(parameters: Any, gradients: Any, X: Any, Y: Any, epsilon: float = 1e-7,
                     print_msg: bool = False) -> float:
    """Compare ``gradients`` with central differences of the cost at ``parameters``; return the difference.

    difference = ||grad - gradapprox|| / (||grad|| + ||gradapprox||) over all
    parameters, gradapprox_i = (J(θ + ε e_i) - J(θ - ε e_i)) / (2ε), computed by
    :func:`descentlab.check_gradients` (float64, costs from logits, every
    perturbation of θ in one batched forward pass). With ``print_msg`` it prints
    the course's verdict (threshold 2e-7).
    """
    epsilon = check.real("epsilon", epsilon, low=0.0, low_open=True)
    print_msg = lay.flag("print_msg", print_msg)
    net = lay.to_network(parameters)
    dims = net.layer_dims
    if not isinstance(gradients, Mapping):
        raise check.fail_type("gradients", gradients, "a dict {dW1, db1, ...} as backward_propagation_n returns it")
    if lay.layer_dims_of(gradients, "gradients", prefix="d") != dims:
        raise check.fail("gradients", f"gradients of a {list(lay.layer_dims_of(gradients, 'gradients', 'd'))} network",
                         f"dW[l], db[l] shaped like the parameters of the {list(dims)} network")
    grad = {key: np.asarray(gradients["d" + key], dtype=np.float64) for key in net.layout.names()}
    for key, value in grad.items():
        lay._finite(f"gradients['d{key}']", value)
    Xc = lay.inputs("X", X, dims[0])
    y = lay.labels("Y", Y, Xc.shape[1], dims[-1])
    report = check_gradients(net, Xc.T, y, epsilon=epsilon, threshold=THRESHOLD, gradient=lambda *_: grad)
    difference = float(report.difference)
    if print_msg:
        _report(difference, difference <= THRESHOLD)
    return difference
