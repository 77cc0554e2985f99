"""The course's "Regularization" notebook (Course 2, week 1), older edition: ``Regularization.ipynb``
(2017) / ``Regularization_v2a.ipynb`` (2019-2020), with ``reg_utils.py`` and ``testCases.py``.

The current edition (2021+, ``W1A2/Regularization.ipynb`` graded by ``public_tests.py``) has the same
functions with the same numbers; :mod:`descentlab.course.current.regularization` is this module.

The course's functions, names, signatures, layout and numbers (``X`` (n_x, m), ``Y`` (1, m),
parameters ``{"W1": (n_1, n_0), "b1": (n_1, 1), ...}``, the [n_x, 20, 3, 1] network):

- ``compute_cost_with_regularization(A3, Y, parameters, lambd)``: the cross-entropy plus
  ``(1./m) * (lambd/2) * (sum of np.sum(np.square(W[l])))``, a NumPy float64.
- ``backward_propagation_with_regularization(X, Y, cache, lambd)``: the course's gradients from the
  cache with ``+ lambd * W[l] / m`` on each dW[l]: the 11 entries dZ3, dW3, db3, dA2, ..., db1.
- ``forward_propagation_with_dropout(X, parameters, keep_prob=0.5)``: starts with the course's
  ``np.random.seed(1)`` (a private ``RandomState`` reseeded to 1: the same draws, NumPy's global
  state untouched), draws ``D1 = rand(n_1, m) < keep_prob`` then ``D2``, and scales
  ``A = A * D / keep_prob``; the cache is (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3).
  Because of that seed EVERY call draws the same masks.
- ``backward_propagation_with_dropout(X, Y, cache, keep_prob)``: from the cache's A and D only.
- ``model(X, Y, learning_rate=0.3, num_iterations=30000, print_cost=True, lambd=0, keep_prob=1)``:
  the notebook's loop, printing ``Cost after iteration i: <cost>`` every 10000 iterations. With
  ``keep_prob=0.86`` it trains with ONE fixed pair of masks for all 30000 iterations (the reseed
  above), which is how the course gets train 0.9289099526066351 / test 0.95. descentlab's core
  draws fresh masks at every step (dropout as the lectures describe it); the ``regularization``
  experiment shows both. The cost plot is not drawn.
- ``reg_utils``: ``sigmoid``, ``relu``, ``initialize_parameters`` (``np.random.seed(3)``, ``randn /
  np.sqrt(n_{l-1})``), ``forward_propagation``, ``backward_propagation`` (keys dZ3, dW3, ...),
  ``update_parameters``, ``compute_cost`` (``np.nansum``), ``predict``, ``predict_dec``,
  ``plot_decision_boundary`` and ``load_2D_dataset()`` (the course's ``datasets/data.mat``, vendored).

NumPy's global random state is never read or changed. The floating-point warnings of the course's
``log`` and ``exp`` are silenced inside these functions (the current edition's ``reg_utils``
silences them globally with ``np.seterr``); the numbers are the course's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _checks as check
from . import _checks as cc
from . import _utils as U
from ._utils import plot_decision_boundary, relu, sigmoid

__all__ = [
    "compute_cost_with_regularization", "backward_propagation_with_regularization",
    "forward_propagation_with_dropout", "backward_propagation_with_dropout", "model",
    "sigmoid", "relu", "initialize_parameters", "forward_propagation", "backward_propagation",
    "update_parameters", "predict", "compute_cost", "predict_dec", "plot_decision_boundary", "load_2D_dataset",
]

#: The course's network in ``model``: [n_x, 20, 3, 1].
HIDDEN_LAYERS: tuple[int, int] = (20, 3)


# --------------------------------------------------------------------------------- L2
def _l2_cost(A3: Any, Y: Any, parameters: Any, lambd: Any) -> np.float64:
    m = Y.shape[1]
    cross_entropy_cost = U.nansum_cost(A3, Y)
    squares = np.sum(np.square(parameters["W1"]))
    for l in range(2, U.n_layers(parameters) + 1):
        squares = squares + np.sum(np.square(parameters["W" + str(l)]))
    L2_regularization_cost = (1. / m) * (lambd / 2) * squares
    return cross_entropy_cost + L2_regularization_cost


def compute_cost_with_regularization(A3: Any, Y: Any, parameters: Any, lambd: float) -> np.float64:
    """J = compute_cost(A3, Y) + (1./m) * (lambd/2) * (np.sum(np.square(W1)) + ... + np.sum(np.square(WL))).

    Returns a NumPy float64 (shape ``()``), as the course's ``public_tests`` require.
    """
    A = cc.probabilities("A3", A3)
    Yc = cc.labels("Y", Y, A.shape[1])
    cc.parameters(parameters)
    cc.nonnegative("lambd", lambd)
    return _l2_cost(A, Yc, parameters, lambd)


def backward_propagation_with_regularization(X: Any, Y: Any, cache: Any, lambd: float) -> dict[str, np.ndarray]:
    """The gradients of the L2-regularized cost, from the cache: dW[l] = 1./m * np.dot(dZ[l], A[l-1].T) + lambd * W[l] / m.

    Returns {dZ3, dW3, db3, dA2, dZ2, dW2, db2, dA1, dZ1, dW1, db1}.
    """
    cc.nonnegative("lambd", lambd)
    return U.checked_backward(X, Y, cache, folded=False, lambd=lambd)


# --------------------------------------------------------------------------------- dropout
def forward_propagation_with_dropout(X: Any, parameters: Any, keep_prob: float = 0.5) -> tuple[np.ndarray, tuple]:
    """LINEAR -> RELU + DROPOUT -> LINEAR -> RELU + DROPOUT -> LINEAR -> SIGMOID, the course's way.

    ``np.random.seed(1)`` first (a private RandomState: same draws), then ``D1 = np.random.rand(n_1, m)
    < keep_prob``, ``A1 = A1 * D1``, ``A1 = A1 / keep_prob``, and the same for layer 2. Returns
    (A3, cache = (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)), D as booleans.
    """
    cc.keep_prob(keep_prob)
    cc.parameters(parameters)
    Xc = cc.inputs("X", X, np.shape(parameters["W1"])[1])
    return U.forward_with_dropout(Xc, parameters, keep_prob, U.dropout_masks(Xc, parameters, keep_prob,
                                                                           np.random.RandomState(1)))


def backward_propagation_with_dropout(X: Any, Y: Any, cache: Any, keep_prob: float) -> dict[str, np.ndarray]:
    """The gradients through the cache's masks: dA[l] = dA[l] * D[l], then dA[l] = dA[l] / keep_prob.

    Computed from the cache's A[l] and D[l] (and W[l]) only, as the course does.
    Returns {dZ3, dW3, db3, dA2, dZ2, dW2, db2, dA1, dZ1, dW1, db1}.
    """
    cc.keep_prob(keep_prob)
    return U.checked_backward(X, Y, cache, folded=False, keep_prob=keep_prob)


# --------------------------------------------------------------------------------- model
def model(X: Any, Y: Any, learning_rate: float = 0.3, num_iterations: int = 30000, print_cost: bool = True,
          lambd: float = 0, keep_prob: float = 1) -> dict[str, np.ndarray]:
    """The notebook's [n_x, 20, 3, 1] model by full-batch gradient descent, with L2 (``lambd``) or dropout.

    Each iteration: forward (``forward_propagation``, or ``forward_propagation_with_dropout`` when
    keep_prob < 1, which reseeds and so reuses the same masks every time), the cost
    (``compute_cost`` or ``compute_cost_with_regularization``), the matching backward pass and
    ``update_parameters``; every 10000 iterations it prints ``"Cost after iteration {}: {}".format(i, cost)``.

    Args:
        X: inputs (n_x, m); Y: 0/1 labels (1, m).
        learning_rate: the gradient-descent step.
        num_iterations: the number of gradient steps.
        print_cost: print the cost every 10000 iterations.
        lambd: the L2 hyperparameter (0: no L2).
        keep_prob: the probability of keeping a hidden unit (1: no dropout). As the course
            asserts, L2 and dropout are used one at a time.

    Returns:
        parameters: the trained dict {W1, b1, W2, b2, W3, b3}.
    """
    Xc, Yc = cc.data(X, Y)
    cc.positive("learning_rate", learning_rate)
    num_iterations = cc.count("num_iterations", num_iterations)
    print_cost = cc.flag("print_cost", print_cost)
    cc.nonnegative("lambd", lambd)
    cc.keep_prob(keep_prob)
    if not (lambd == 0 or keep_prob == 1):
        raise check.fail("lambd", lambd, f"0 when keep_prob < 1 (received keep_prob={keep_prob!r}): the course's "
                                         "model uses L2 or dropout, one at a time")
    parameters = U.seeded_weights([Xc.shape[0], *HIDDEN_LAYERS, 1], "lecun")
    # forward_propagation_with_dropout reseeds with np.random.seed(1) at every call, so it draws these same masks
    # at every iteration: they are drawn once here (the same values, without redrawing them 30000 times)
    masks = U.dropout_masks(Xc, parameters, keep_prob, np.random.RandomState(1)) if keep_prob < 1 else None
    for i in range(0, num_iterations):
        if keep_prob == 1:
            a3, cache = U.forward(Xc, parameters)
        else:
            a3, cache = U.forward_with_dropout(Xc, parameters, keep_prob, masks)
        cost = U.nansum_cost(a3, Yc) if lambd == 0 else _l2_cost(a3, Yc, parameters, lambd)
        if lambd == 0 and keep_prob == 1:
            grads = U.backward(Xc, Yc, cache, folded=False)
        elif lambd != 0:
            grads = U.backward(Xc, Yc, cache, folded=False, lambd=lambd)
        else:
            grads = U.backward(Xc, Yc, cache, folded=False, keep_prob=keep_prob)
        parameters = U.update_parameters(parameters, grads, learning_rate)
        if print_cost and i % 10000 == 0:
            print("Cost after iteration {}: {}".format(i, cost))
    return parameters


# --------------------------------------------------------------------------------- reg_utils
def initialize_parameters(layer_dims: Any) -> dict[str, np.ndarray]:
    """W[l] = np.random.randn(n_l, n_{l-1}) / np.sqrt(n_{l-1}) after ``np.random.seed(3)``; b[l] = 0."""
    return U.seeded_weights(layer_dims, "lecun")


def forward_propagation(X: Any, parameters: Any) -> tuple[np.ndarray, tuple]:
    """LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID: (A3, cache = (Z1, A1, W1, b1, ..., Z3, A3, W3, b3))."""
    return U.checked_forward(X, parameters)


def backward_propagation(X: Any, Y: Any, cache: Any) -> dict[str, np.ndarray]:
    """The gradients from the cache: dZ3 = A3 - Y, dW3 = 1./m * np.dot(dZ3, A2.T), ...

    Returns {dZ3, dW3, db3, dA2, dZ2, dW2, db2, dA1, dZ1, dW1, db1} (``reg_utils``' keys).
    """
    return U.checked_backward(X, Y, cache, folded=False)


def update_parameters(parameters: Any, grads: Any, learning_rate: float) -> dict[str, np.ndarray]:
    """W[l] = W[l] - learning_rate * dW[l], b[l] likewise, key by key; returns ``parameters`` (entries rebound)."""
    return U.checked_update(parameters, grads, learning_rate)


def compute_cost(a3: Any, Y: Any) -> np.float64:
    """``1./m * np.nansum(-log(a3) * Y - log(1 - a3) * (1 - Y))``."""
    A = cc.probabilities("a3", a3)
    return U.nansum_cost(A, cc.labels("Y", Y, A.shape[1]))


def predict(X: Any, y: Any, parameters: Any) -> np.ndarray:
    """Predictions (1, m), 1 where a3 > 0.5; prints ``Accuracy: <fraction right>``."""
    return U.checked_predict(X, y, parameters)


def predict_dec(parameters: Any, X: Any) -> np.ndarray:
    """Boolean predictions a3 > 0.5, shape (1, m)."""
    return U.checked_predict_dec(parameters, X)


def load_2D_dataset() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The course's ``datasets/data.mat`` (vendored): train_X (2, 211), train_Y (1, 211), test_X (2, 200), test_Y (1, 200).

    ``train_X = X.T``, ``train_Y = y.T``, ``test_X = Xval.T``, ``test_Y = yval.T`` as the course loads
    them; the course also drew a scatter plot, this function does not.
    """
    from ..datasets import load_football

    d = load_football()
    return (*U.course_layout(d.X_train, d.y_train), *U.course_layout(d.X_test, d.y_test))
