"""The course's "Initialization" notebook (Course 2, week 1), older edition: ``Initialization.ipynb`` and
its ``init_utils.py`` (2017-2020).

The current edition (2021+, ``W1A1/Initialization.ipynb`` graded by ``public_tests.py``) has the same
functions with the same numbers; :mod:`descentlab.course.current.initialization` is this module.

The course's functions, names, signatures, layout and numbers: ``X`` is (n_x, m), one example
per column; ``Y`` is (1, m); parameters are ``{"W1": (n_1, n_0), "b1": (n_1, 1), ...}``.

- ``initialize_parameters_zeros/random/he(layers_dims)``: the course's draws, ``np.random.seed(3)``
  then ``randn(n_l, n_{l-1})`` for l = 1, 2, ... (times 10, or times ``np.sqrt(2./n_{l-1})``),
  made by the core's initializers from a private ``RandomState(3)``: the same numbers.
- ``model(X, Y, learning_rate=0.01, num_iterations=15000, print_cost=True, initialization="he")``:
  the notebook's loop (forward, ``compute_loss``, backward, update) on [n_x, 10, 5, 1], printing
  ``Cost after iteration i: <cost>`` every 1000 iterations. The cost is the course's, from
  probabilities: with the random (x10) start it prints ``Cost after iteration 0: inf``, as the
  course did (a sigmoid output rounds to exactly 1 for a label-0 point). descentlab's core
  computes the finite value from the logits; the ``initialization`` experiment shows both.
  The cost plot is not drawn (the printed lines are the course's output).
- ``init_utils``: ``sigmoid``, ``relu``, ``forward_propagation``, ``backward_propagation`` (1/m folded
  into ``dz3``, lower-case keys), ``update_parameters``, ``compute_loss`` (``np.nansum``),
  ``predict`` (prints ``Accuracy: ...``), ``predict_dec``, ``plot_decision_boundary``, and
  ``load_dataset()``: the course's circles (``np.random.seed(1)``/``seed(2)`` + ``make_circles``),
  vendored by descentlab.

NumPy's global random state is never read or changed (no function here depends on it). The
floating-point warnings the older notebook showed (``overflow in exp``, ``divide by zero in log``)
are silenced inside these functions, as the current edition's ``init_utils`` silences them for
the whole process with ``np.seterr``; the numbers are the course's.

>>> round(float(initialize_parameters_he([2, 4, 1])["W1"][0, 0]), 8)   # the notebook prints 1.78862847
1.78862847
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _checks as check
from . import _checks as cc
from . import _utils as U
from ._utils import plot_decision_boundary, relu, sigmoid

__all__ = [
    "initialize_parameters_zeros", "initialize_parameters_random", "initialize_parameters_he", "model",
    "sigmoid", "relu", "forward_propagation", "backward_propagation", "update_parameters", "compute_loss",
    "predict", "predict_dec", "plot_decision_boundary", "load_dataset",
]

#: The course's network in ``model``: [n_x, 10, 5, 1].
HIDDEN_LAYERS: tuple[int, int] = (10, 5)


def initialize_parameters_zeros(layers_dims: Any) -> dict[str, np.ndarray]:
    """W[l] = np.zeros((n_l, n_{l-1})), b[l] = np.zeros((n_l, 1)): every unit of a layer stays the same."""
    return U.seeded_weights(layers_dims, "zeros")


def initialize_parameters_random(layers_dims: Any) -> dict[str, np.ndarray]:
    """W[l] = np.random.randn(n_l, n_{l-1}) * 10 after ``np.random.seed(3)``; b[l] = 0."""
    return U.seeded_weights(layers_dims, "random")


def initialize_parameters_he(layers_dims: Any) -> dict[str, np.ndarray]:
    """W[l] = np.random.randn(n_l, n_{l-1}) * np.sqrt(2./n_{l-1}) after ``np.random.seed(3)``; b[l] = 0."""
    return U.seeded_weights(layers_dims, "he")


_INITIALIZERS = {"zeros": initialize_parameters_zeros, "random": initialize_parameters_random,
                 "he": initialize_parameters_he}


def model(X: Any, Y: Any, learning_rate: float = 0.01, num_iterations: int = 15000, print_cost: bool = True,
          initialization: str = "he") -> dict[str, np.ndarray]:
    """The notebook's three-layer model [n_x, 10, 5, 1] trained by full-batch gradient descent.

    Each iteration: ``a3, cache = forward_propagation(X, parameters)``, ``cost = compute_loss(a3, Y)``,
    ``grads = backward_propagation(X, Y, cache)``, ``parameters = update_parameters(...)``; every
    1000 iterations it prints ``"Cost after iteration {}: {}".format(i, cost)`` (the cost before
    that iteration's update, possibly ``inf``).

    Args:
        X: inputs (n_x, m); Y: 0/1 labels (1, m).
        learning_rate: the gradient-descent step.
        num_iterations: the number of gradient steps.
        print_cost: print the cost every 1000 iterations.
        initialization: "zeros", "random" or "he".

    Returns:
        parameters: the trained dict {W1, b1, W2, b2, W3, b3}.
    """
    init = _INITIALIZERS[check.choice("initialization", initialization, _INITIALIZERS)]
    Xc, Yc = cc.data(X, Y)
    cc.positive("learning_rate", learning_rate)
    num_iterations = cc.count("num_iterations", num_iterations)
    print_cost = cc.flag("print_cost", print_cost)
    parameters = init([Xc.shape[0], *HIDDEN_LAYERS, 1])
    for i in range(0, num_iterations):
        a3, cache = U.forward(Xc, parameters)
        cost = U.nansum_cost(a3, Yc)
        grads = U.backward(Xc, Yc, cache, folded=True)
        parameters = U.update_parameters(parameters, grads, learning_rate)
        if print_cost and i % 1000 == 0:
            print("Cost after iteration {}: {}".format(i, cost))
    return parameters


# --------------------------------------------------------------------------------- init_utils
def forward_propagation(X: Any, parameters: Any) -> tuple[np.ndarray, tuple]:
    """LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID: (a3, cache = (z1, a1, W1, b1, ..., z3, a3, W3, b3))."""
    return U.checked_forward(X, parameters)


def backward_propagation(X: Any, Y: Any, cache: Any) -> dict[str, np.ndarray]:
    """The gradients from the cache: dz3 = 1./m * (a3 - Y), dW3 = np.dot(dz3, a2.T), ...

    Returns {dz3, dW3, db3, da2, dz2, dW2, db2, da1, dz1, dW1, db1} (``init_utils``'s keys).
    """
    return U.checked_backward(X, Y, cache, folded=True)


def update_parameters(parameters: Any, grads: Any, learning_rate: float) -> dict[str, np.ndarray]:
    """W[l] = W[l] - learning_rate * dW[l], b[l] likewise, key by key; returns ``parameters`` (entries rebound)."""
    return U.checked_update(parameters, grads, learning_rate)


def compute_loss(a3: Any, Y: Any) -> np.float64:
    """``1./m * np.nansum(-log(a3) * Y - log(1 - a3) * (1 - Y))``: ``inf`` when a label gets probability 0."""
    A = cc.probabilities("a3", a3)
    return U.nansum_cost(A, cc.labels("Y", Y, A.shape[1]))


def predict(X: Any, y: Any, parameters: Any) -> np.ndarray:
    """Predictions (1, m), 1 where a3 > 0.5; prints ``Accuracy: <fraction right>``."""
    return U.checked_predict(X, y, parameters)


def predict_dec(parameters: Any, X: Any) -> np.ndarray:
    """Boolean predictions a3 > 0.5, shape (1, m)."""
    return U.checked_predict_dec(parameters, X)


def load_dataset() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The course's circles: train_X (2, 300), train_Y (1, 300), test_X (2, 100), test_Y (1, 100).

    The course draws them with ``np.random.seed(1); make_circles(n_samples=300, noise=.05)`` and
    ``np.random.seed(2); make_circles(n_samples=100, noise=.05)``; descentlab vendors those arrays
    (no scikit-learn needed). The course also drew a scatter plot; this function does not.
    """
    from ..datasets import load_circles

    d = load_circles()
    return (*U.course_layout(d.X_train, d.y_train), *U.course_layout(d.X_test, d.y_test))
