"""The course's helper code, shared by its assignments: what ``init_utils.py``, ``reg_utils.py``,
``gc_utils.py`` and ``opt_utils*.py`` compute, operation for operation.

These functions check nothing (the public functions of each assignment module check
their arguments once, then call these); the training loops call them directly.

The course's numerics, kept on purpose:

- ``sigmoid(x) = 1 / (1 + np.exp(-x))``: it rounds to exactly 0 or 1 for large |x|
  (NumPy's overflow warning for ``exp`` of a large number is silenced here, as the
  current edition's utils silence it with ``np.seterr``; the value is unchanged);
- the cross-entropy is computed from those probabilities,
  ``-log(a) * y - log(1 - a) * (1 - y)``, so a probability of exactly 0 or 1 on the
  wrong side gives ``inf`` (and ``0 * inf = nan`` on the right side, which
  ``np.nansum`` drops where the course uses it);
- the gradients are the course's: ``dZ[L] = A[L] - Y`` (times ``1./m`` folded in by
  ``init_utils``/``opt_utils``, or applied to each ``dW``/``db`` by ``reg_utils``/``gc_utils``),
  ``dZ[l] = dA[l] * np.int64(A[l] > 0)``.

The course's networks have three layers; these functions take any number of layers
L (read from the parameter dict or the cache) and, for three, perform exactly the
course's operations in the course's order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import _checks as check
from ..core.initializers import get_initializer
from ..core.regularization import keep_mask
from . import _checks as cc


def sigmoid(x: Any) -> Any:
    """The course's ``1 / (1 + np.exp(-x))`` (exactly 0 or 1 once |x| is large enough)."""
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-x))


def relu(x: Any) -> Any:
    """The course's ``np.maximum(0, x)``."""
    return np.maximum(0, x)


def n_layers(parameters: Mapping) -> int:
    return len(parameters) // 2


# ------------------------------------------------------------------------------- initialization
def seeded_weights(layers_dims: Any, kind: str) -> dict[str, np.ndarray]:
    """``np.random.seed(3)`` then, for each layer, W[l] drawn by the core's ``kind`` initializer and b[l] = 0.

    The core's ``random`` is ``randn * 10``, ``he`` is ``randn * sqrt(2 / n_{l-1})`` and ``lecun`` is
    ``randn / sqrt(n_{l-1})``, each the course's product on the course's draws (a private
    ``RandomState(3)`` gives the draws of ``np.random.seed(3)``): the arrays are the course's, bit for bit.
    """
    dims = check.layer_dims(layers_dims)
    init = get_initializer(kind)
    rng = np.random.RandomState(3)
    parameters = {}
    for l in range(1, len(dims)):
        parameters["W" + str(l)] = init.weights((dims[l], dims[l - 1]), rng)
        parameters["b" + str(l)] = np.zeros((dims[l], 1))
    return parameters


# ------------------------------------------------------------------------------------- forward
def forward(X: Any, parameters: Mapping) -> tuple[Any, tuple]:
    """LINEAR -> RELU -> ... -> LINEAR -> SIGMOID: (A[L], cache = (Z1, A1, W1, b1, ..., ZL, AL, WL, bL))."""
    L = n_layers(parameters)
    A, cache = X, []
    for l in range(1, L + 1):
        W, b = parameters["W" + str(l)], parameters["b" + str(l)]
        Z = np.dot(W, A) + b
        A = relu(Z) if l < L else sigmoid(Z)
        cache += [Z, A, W, b]
    return A, tuple(cache)


def dropout_masks(X: Any, parameters: Mapping, keep_prob: Any, rng: np.random.RandomState) -> list[np.ndarray]:
    """The masks of the course's dropout forward pass: ``np.random.seed(1)`` (here ``rng.seed(1)``, the same
    draws), then ``D[l] = np.random.rand(n_l, m) < keep_prob`` for each hidden layer in turn, as booleans."""
    rng.seed(1)
    m = np.shape(X)[1]
    return [keep_mask(rng, (np.shape(parameters["W" + str(l)])[0], m), keep_prob)  # rng.random(shape) < keep_prob
            for l in range(1, n_layers(parameters))]


def forward_with_dropout(X: Any, parameters: Mapping, keep_prob: Any, masks: list) -> tuple[Any, tuple]:
    """The course's forward pass with inverted dropout on every hidden layer, with the masks of :func:`dropout_masks`.

    For each hidden layer ``A = relu(Z)``, ``A = A * D``, ``A = A / keep_prob``. Because the course's
    function reseeds with ``np.random.seed(1)`` on entry, its masks are the same at every call: the
    course's model trains with this one set. Returns (A[L], cache = (Z1, D1, A1, W1, b1, ..., ZL, AL, WL, bL)).
    """
    L = n_layers(parameters)
    A, cache = X, []
    for l in range(1, L + 1):
        W, b = parameters["W" + str(l)], parameters["b" + str(l)]
        Z = np.dot(W, A) + b
        if l < L:
            A = relu(Z)
            D = masks[l - 1]
            A = A * D
            A = A / keep_prob
            cache += [Z, D, A, W, b]
        else:
            A = sigmoid(Z)
            cache += [Z, A, W, b]
    return A, tuple(cache)


def unpack(cache: tuple, dropout: bool = False) -> tuple[Any, Any, Any]:
    """([A1, ...], [W1, ...], [D1, ...]) of a course cache."""
    if not dropout:  # (Z1, A1, W1, b1, Z2, A2, W2, b2, ...)
        return cache[1::4], cache[2::4], ()
    As, Ws, Ds = [], [], []
    i, n = 0, len(cache)
    while i < n:  # (Z1, D1, A1, W1, b1, ..., ZL, AL, WL, bL)
        if i + 4 != n:
            Ds.append(cache[i + 1])
            i += 1
        As.append(cache[i + 1])
        Ws.append(cache[i + 2])
        i += 4
    return As, Ws, Ds


# ------------------------------------------------------------------------------------- backward
def backward(X: Any, Y: Any, cache: tuple, *, folded: bool, lambd: Any = None, keep_prob: Any = None,
             planted_mistakes: bool = False) -> dict[str, Any]:
    """The course's backward pass from the cache, for L layers.

    ``folded`` (init_utils, opt_utils): ``dz[L] = 1./m * (a[L] - Y)``, ``dW = np.dot(dz, a_prev.T)``,
    ``db = np.sum(dz, axis=1, keepdims=True)``, lower-case keys dz/da.
    Otherwise (reg_utils, gc_utils): ``dZ[L] = A[L] - Y``, ``dW = 1./m * np.dot(dZ, A_prev.T)``
    (``+ lambd * W / m`` when ``lambd`` is given), ``db = 1./m * np.sum(dZ, axis=1, keepdims=True)``, keys dZ/dA.
    With ``keep_prob`` the cache holds masks and ``dA = dA * D; dA = dA / keep_prob``.
    ``planted_mistakes``: the two mistakes of the Gradient Checking notebook's
    ``backward_propagation_n`` (``dW2 = 1./m * np.dot(dZ2, A1.T) * 2`` and
    ``db1 = 4./m * np.sum(dZ1, ...)``).
    """
    m = X.shape[1]
    As, Ws, Ds = unpack(cache, dropout=keep_prob is not None)
    L = len(Ws)
    z, a = ("dz", "da") if folded else ("dZ", "dA")
    grads: dict[str, Any] = {}
    dZ = 1. / m * (As[-1] - Y) if folded else As[-1] - Y
    for l in range(L, 0, -1):
        A_prev = X if l == 1 else As[l - 2]
        grads[z + str(l)] = dZ
        if folded:
            dW = np.dot(dZ, A_prev.T)
            db = dZ.sum(axis=1, keepdims=True)  # np.sum(dZ, axis=1, keepdims=True): the same reduction
        else:
            dW = 1. / m * np.dot(dZ, A_prev.T)
            if planted_mistakes and l == 2:
                dW = dW * 2
            if lambd is not None:
                dW = dW + lambd * Ws[l - 1] / m
            db = (4. if planted_mistakes and l == 1 else 1.) / m * dZ.sum(axis=1, keepdims=True)
        grads["dW" + str(l)] = dW
        grads["db" + str(l)] = db
        if l > 1:
            dA = np.dot(Ws[l - 1].T, dZ)
            if keep_prob is not None:
                dA = dA * Ds[l - 2]
                dA = dA / keep_prob
            grads[a + str(l - 1)] = dA
            dZ = np.multiply(dA, np.int64(As[l - 2] > 0))
    return grads  # in the course's order: dZ3, dW3, db3, dA2, dZ2, dW2, db2, dA1, dZ1, dW1, db1


# ---------------------------------------------------------------------------------------- costs
def log_probs(a3: Any, Y: Any) -> Any:
    """The course's ``np.multiply(-np.log(a3), Y) + np.multiply(-np.log(1 - a3), 1 - Y)``.

    ``log(0)`` gives ``-inf`` and ``0 * inf`` gives ``nan``, as in the course (NumPy's
    warnings about them are silenced here; the values are the course's).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.multiply(-np.log(a3), Y) + np.multiply(-np.log(1 - a3), 1 - Y)


def nansum_cost(a3: Any, Y: Any) -> Any:
    """``1./m * np.nansum(logprobs)`` (init_utils.compute_loss, reg_utils.compute_cost), m = Y.shape[1]."""
    m = Y.shape[1]
    return 1. / m * np.nansum(log_probs(a3, Y))


# ----------------------------------------------------------------------------------------- update
def update_parameters(parameters: dict, grads: Mapping, learning_rate: Any) -> dict:
    """One gradient-descent step per key, W[l] = W[l] - learning_rate * dW[l]; returns the same dict.

    As the course: the dict's entries are rebound to new arrays (the old arrays are
    not written in place).
    """
    for k in range(n_layers(parameters)):
        parameters["W" + str(k + 1)] = parameters["W" + str(k + 1)] - learning_rate * grads["dW" + str(k + 1)]
        parameters["b" + str(k + 1)] = parameters["b" + str(k + 1)] - learning_rate * grads["db" + str(k + 1)]
    return parameters


# ------------------------------------------------------------------------------------- predicting
def predict(X: Any, y: Any, parameters: Mapping) -> np.ndarray:
    """0/1 predictions (1, m), ``a3 > 0.5``; prints ``Accuracy: <mean(p == y)>`` as the course does."""
    m = X.shape[1]
    p = np.zeros((1, m), dtype=np.int64)
    a3, _ = forward(X, parameters)
    p[0, :] = a3[0, :] > 0.5
    print("Accuracy: " + str(np.mean((p[0, :] == y[0, :]))))
    return p


def predict_dec(parameters: Mapping, X: Any) -> np.ndarray:
    """Boolean predictions ``a3 > 0.5`` of shape (1, m) (for the decision-boundary plot)."""
    a3, _ = forward(X, parameters)
    return a3 > 0.5


# --------------------------------------------------------------------------- the public helpers
def checked_forward(X: Any, parameters: Any) -> tuple[Any, tuple]:
    cc.parameters(parameters)
    return forward(cc.inputs("X", X, np.shape(parameters["W1"])[1]), parameters)


def checked_backward(X: Any, Y: Any, cache: Any, *, folded: bool, **kwargs: Any) -> dict[str, Any]:
    Xc = cc.inputs("X", X)
    cc.cache(cache, Xc, dropout=kwargs.get("keep_prob") is not None)
    Yc = cc.labels("Y", Y, Xc.shape[1], flat=True)
    return backward(Xc, Yc, tuple(cache), folded=folded, **kwargs)


def checked_update(parameters: Any, grads: Any, learning_rate: Any) -> dict:
    keys = cc.per_key(parameters)
    cc.like("grads", grads, keys, parameters)
    cc.positive("learning_rate", learning_rate)
    return update_parameters(parameters, grads, learning_rate)


def checked_predict(X: Any, y: Any, parameters: Any) -> np.ndarray:
    cc.parameters(parameters)
    Xc = cc.inputs("X", X, np.shape(parameters["W1"])[1])
    return predict(Xc, cc.labels("y", y, Xc.shape[1]), parameters)


def checked_predict_dec(parameters: Any, X: Any) -> np.ndarray:
    return checked_forward(X, parameters)[0] > 0.5


def plot_decision_boundary(model: Any, X: Any, y: Any) -> Any:
    """The decision boundary of ``model`` over the points X (2, m) coloured by y (1, m); returns the Axes.

    ``model`` takes points as rows, (k, 2), as in the course's call
    ``plot_decision_boundary(lambda x: predict_dec(parameters, x.T), train_X, train_Y)``.
    Drawn by :func:`descentlab.plot.decision_boundary` with the course's margin of 1
    around the points (in Jupyter it shows inline; elsewhere save ``ax.figure``).
    """
    from .. import plot

    Xc = cc.inputs("X", X, 2)
    yc = cc.labels("y", y, Xc.shape[1], flat=True, binary=False)
    return plot.decision_boundary(model, Xc.T, np.reshape(yc, -1), padding=1.0)


def course_layout(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(X.T, y as a (1, m) row): a descentlab data set in the course's layout."""
    return np.ascontiguousarray(X.T), y.reshape((1, y.shape[0]))
