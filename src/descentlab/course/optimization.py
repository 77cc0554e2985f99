"""The course's "Optimization Methods" notebook (Course 2, week 2), older edition:
``Optimization_methods_v1a.ipynb`` / ``Optimization_methods_v1b.ipynb`` (2019-2020), with
``opt_utils_v1a.py`` and ``testCases.py``.

The first release (2017, ``Optimization methods.ipynb`` with ``opt_utils.py``) printed another cost:
:mod:`descentlab.course.v2017.optimization`. The current edition (2021+, ``W2A1``: Adam returning five
values, ``update_lr``, ``schedule_lr_decay``, 5000 epochs) is :mod:`descentlab.course.current.optimization`.

The course's functions, names, signatures and numbers, its layout (``X`` (n_x, m), ``Y`` (1, m),
dicts ``{"W1", "b1", ...}`` and ``{"dW1", "db1", ...}``):

- ``update_parameters_with_gd(parameters, grads, learning_rate)``,
  ``update_parameters_with_momentum(parameters, grads, v, beta, learning_rate)`` and
  ``update_parameters_with_adam(parameters, grads, v, s, t, learning_rate=0.01, beta1=0.9,
  beta2=0.999, epsilon=1e-8) -> (parameters, v, s)`` update key by key, elementwise, as the course
  does: any dicts whose gradients and slots have the parameters' keys and shapes work (the
  course's own test fixtures have W1 (2, 3) and W2 (3, 3), layers that do not chain). They rebind
  the entries of the dicts passed in and return those dicts.
  Momentum: ``v = beta * v + (1 - beta) * grad``, ``W = W - learning_rate * v``. Adam:
  ``v_corrected = v / (1 - beta1**t)``, ``s_corrected = s / (1 - beta2**t)``,
  ``W = W - learning_rate * v_corrected / (np.sqrt(s_corrected) + epsilon)``.
- ``initialize_velocity(parameters)``, ``initialize_adam(parameters)``: zero dicts {dW1, db1, ...}.
- ``random_mini_batches(X, Y, mini_batch_size=64, seed=0)``: ``np.random.seed(seed)``, the
  permutation of the m columns, then consecutive batches (the last one smaller), Y's dtype kept.
- ``model(X, Y, layers_dims, optimizer, learning_rate=0.0007, mini_batch_size=64, beta=0.9,
  beta1=0.9, beta2=0.999, epsilon=1e-8, num_epochs=10000, print_cost=True)``: the notebook's loop
  (``seed = 10``, plus one each epoch, for the shuffle; Adam's ``t`` counts mini-batches), printing
  ``Cost after epoch i: <cost_total / m>`` with ``%f`` every 1000 epochs. The cost plot is not drawn.
- ``opt_utils_v1a``: ``sigmoid``, ``relu``, ``load_params_and_grads``, ``initialize_parameters`` (He,
  ``np.random.seed(3)``), ``compute_cost`` (the SUM over the examples), ``forward_propagation``,
  ``backward_propagation``, ``predict``, ``predict_dec``, ``plot_decision_boundary`` and
  ``load_dataset()`` (the course's moons: ``np.random.seed(3); make_moons(300, noise=.2)``, vendored).

Every ``np.random.seed(s)`` of the course is a private ``np.random.RandomState`` seeded with s (the
same draws): NumPy's global random state is never read or changed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from .. import _checks as check
from . import _checks as cc
from . import _utils as U
from ._utils import plot_decision_boundary, relu, sigmoid

__all__ = [
    "update_parameters_with_gd", "random_mini_batches", "initialize_velocity", "update_parameters_with_momentum",
    "initialize_adam", "update_parameters_with_adam", "model",
    "sigmoid", "relu", "load_params_and_grads", "initialize_parameters", "compute_cost", "forward_propagation",
    "backward_propagation", "predict", "predict_dec", "plot_decision_boundary", "load_dataset",
]

OPTIMIZERS = ("gd", "momentum", "adam")


# ------------------------------------------------------------------------------ the updates, unchecked
def zeros_like(parameters: Mapping) -> dict[str, np.ndarray]:
    L = len(parameters) // 2
    v = {}
    for l in range(1, L + 1):
        v["dW" + str(l)] = np.zeros(np.shape(parameters["W" + str(l)]))
        v["db" + str(l)] = np.zeros(np.shape(parameters["b" + str(l)]))
    return v


def momentum_step(parameters: dict, grads: Mapping, v: dict, beta: Any, learning_rate: Any) -> tuple[dict, dict]:
    L = len(parameters) // 2
    for l in range(1, L + 1):
        for p in ("W", "b"):
            key = "d" + p + str(l)
            v[key] = beta * v[key] + (1 - beta) * grads[key]
            parameters[p + str(l)] = parameters[p + str(l)] - learning_rate * v[key]
    return parameters, v


def adam_step(parameters: dict, grads: Mapping, v: dict, s: dict, t: int, learning_rate: Any, beta1: Any,
              beta2: Any, epsilon: Any) -> tuple[dict, dict, dict, dict, dict]:
    """One Adam step, key by key: (parameters, v, s, v_corrected, s_corrected)."""
    L = len(parameters) // 2
    v_corrected, s_corrected = {}, {}
    for l in range(1, L + 1):
        for p in ("W", "b"):
            key = "d" + p + str(l)
            v[key] = beta1 * v[key] + (1 - beta1) * grads[key]
            v_corrected[key] = v[key] / (1 - beta1 ** t)
            s[key] = beta2 * s[key] + (1 - beta2) * np.square(grads[key])
            s_corrected[key] = s[key] / (1 - beta2 ** t)
            parameters[p + str(l)] = parameters[p + str(l)] - learning_rate * v_corrected[key] / (
                np.sqrt(s_corrected[key]) + epsilon)
    return parameters, v, s, v_corrected, s_corrected


def mini_batches(X: Any, Y: Any, mini_batch_size: int, seed: int, rng: np.random.RandomState) -> list[tuple]:
    """The course's shuffle (``np.random.seed(seed)``, here ``rng.seed(seed)``) and partition of the columns."""
    m = X.shape[1]
    rng.seed(seed)
    permutation = rng.permutation(m)
    shuffled_X = X[:, permutation]
    shuffled_Y = Y[:, permutation].reshape((1, m))
    batches = []
    num_complete_minibatches = math.floor(m / mini_batch_size)
    for k in range(0, num_complete_minibatches):
        batches.append((shuffled_X[:, k * mini_batch_size:(k + 1) * mini_batch_size],
                        shuffled_Y[:, k * mini_batch_size:(k + 1) * mini_batch_size]))
    if m % mini_batch_size != 0:
        batches.append((shuffled_X[:, num_complete_minibatches * mini_batch_size:m],
                        shuffled_Y[:, num_complete_minibatches * mini_batch_size:m]))
    return batches


# ---------------------------------------------------------------------------- the graded functions
def update_parameters_with_gd(parameters: Any, grads: Any, learning_rate: float) -> dict[str, np.ndarray]:
    """W[l] = W[l] - learning_rate * dW[l] and b[l] = b[l] - learning_rate * db[l], for every key.

    Returns ``parameters`` (the same dict, its entries rebound to the new arrays).
    """
    return U.checked_update(parameters, grads, learning_rate)


def random_mini_batches(X: Any, Y: Any, mini_batch_size: int = 64, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """The course's mini-batches: ``np.random.seed(seed)``, a permutation of the m columns, batches of ``mini_batch_size``.

    Returns ``[(mini_batch_X, mini_batch_Y), ...]``; the last batch holds the m % mini_batch_size
    remaining columns, if any. Y (1, m) keeps its dtype (booleans stay booleans).
    """
    Xc = cc.array("X", X, "a 2-D array of shape (n_x, m), one example per column")
    if Xc.ndim != 2 or Xc.shape[1] == 0:
        raise check.fail("X", Xc, "a 2-D array of shape (n_x, m), one example per column")
    Yc = cc.labels("Y", Y, Xc.shape[1], binary=False)
    size = cc.count("mini_batch_size", mini_batch_size, low=1)
    seed = check.integer("seed", seed, low=0, high=2**32 - 1)
    return mini_batches(Xc, Yc, size, seed, np.random.RandomState(seed))


def initialize_velocity(parameters: Any) -> dict[str, np.ndarray]:
    """v = {"dW1": zeros like W1, "db1": zeros like b1, ...}."""
    cc.per_key(parameters)
    return zeros_like(parameters)


def _checked_slots(parameters: Any, grads: Any, **slots: Any) -> None:
    keys = cc.per_key(parameters)
    cc.like("grads", grads, keys, parameters)
    for name, value in slots.items():
        cc.like(name, value, keys, parameters)


def update_parameters_with_momentum(parameters: Any, grads: Any, v: Any, beta: float,
                                    learning_rate: float) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """One momentum step, key by key: v = beta * v + (1 - beta) * grad; W = W - learning_rate * v.

    Returns ``(parameters, v)``, the dicts passed in with their entries rebound.
    """
    _checked_slots(parameters, grads, v=v)
    cc.beta("beta", beta)
    cc.positive("learning_rate", learning_rate)
    return momentum_step(parameters, grads, v, beta, learning_rate)


def initialize_adam(parameters: Any) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """(v, s): two zero dicts {dW1, db1, ...} shaped like the parameters."""
    cc.per_key(parameters)
    return zeros_like(parameters), zeros_like(parameters)


def checked_adam(parameters: Any, grads: Any, v: Any, s: Any, t: Any, learning_rate: Any, beta1: Any, beta2: Any,
                 epsilon: Any) -> tuple[dict, dict, dict, dict, dict]:
    _checked_slots(parameters, grads, v=v, s=s)
    check.integer("t", t, low=1)
    cc.positive("learning_rate", learning_rate)
    cc.beta("beta1", beta1)
    cc.beta("beta2", beta2)
    cc.nonnegative("epsilon", epsilon)
    return adam_step(parameters, grads, v, s, t, learning_rate, beta1, beta2, epsilon)


def update_parameters_with_adam(parameters: Any, grads: Any, v: Any, s: Any, t: int, learning_rate: float = 0.01,
                                beta1: float = 0.9, beta2: float = 0.999,
                                epsilon: float = 1e-8) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, np.ndarray]]:
    """One Adam step (t counts the steps from 1), key by key; returns ``(parameters, v, s)``.

    v = beta1 * v + (1 - beta1) * grad; v_corrected = v / (1 - beta1**t);
    s = beta2 * s + (1 - beta2) * grad**2; s_corrected = s / (1 - beta2**t);
    W = W - learning_rate * v_corrected / (np.sqrt(s_corrected) + epsilon).
    """
    parameters, v, s, _, _ = checked_adam(parameters, grads, v, s, t, learning_rate, beta1, beta2, epsilon)
    return parameters, v, s


# ------------------------------------------------------------------------------------------ model
def checked_model_args(X: Any, Y: Any, layers_dims: Any, optimizer: Any, **numbers: Any) -> tuple:
    """X, Y (checked), the layer sizes and the optimizer's name, for a ``model``."""
    name = check.choice("optimizer", optimizer, OPTIMIZERS)
    try:
        dims = check.layer_dims(layers_dims)
    except (ValueError, TypeError) as exc:
        raise check.fail("layers_dims", layers_dims, "a list of layer sizes, e.g. [2, 5, 2, 1]") from exc
    Xc, Yc = cc.data(X, Y)
    if Xc.shape[0] != dims[0]:
        raise check.fail("layers_dims", layers_dims, f"first size {Xc.shape[0]}, the number of rows (features) of X")
    if dims[-1] != 1:
        raise check.fail("layers_dims", layers_dims, "one output unit last (a sigmoid for 0/1 labels)")
    cc.positive("learning_rate", numbers["learning_rate"])
    cc.count("mini_batch_size", numbers["mini_batch_size"], low=1)
    cc.beta("beta", numbers["beta"])
    cc.beta("beta1", numbers["beta1"])
    cc.beta("beta2", numbers["beta2"])
    cc.nonnegative("epsilon", numbers["epsilon"])
    cc.count("num_epochs", numbers["num_epochs"])
    cc.flag("print_cost", numbers["print_cost"])
    return Xc, Yc, list(dims), name


def train(X: Any, Y: Any, layers_dims: list, optimizer: str, *, learning_rate: Any, mini_batch_size: int, beta: Any,
          beta1: Any, beta2: Any, epsilon: Any, num_epochs: int, print_cost: bool, cost: str = "epoch_average",
          decay: Callable[..., Any] | None = None, decay_rate: Any = 1) -> dict[str, np.ndarray]:
    """The notebooks' ``model`` loop (every edition), on checked arguments.

    ``cost``: "epoch_average" (v1a/v1b and the current edition: the SUM of ``compute_cost`` over the
    epoch's mini-batches divided by m) or "last_minibatch" (2017: the MEAN cost of the epoch's last
    mini-batch). ``decay`` (current edition): after epoch i, ``learning_rate = decay(learning_rate0,
    i, decay_rate)``, and the printed report adds ``learning rate after epoch i: %f``.
    """
    t, seed, m = 0, 10, X.shape[1]
    learning_rate0 = learning_rate
    rng = np.random.RandomState(seed)
    parameters = U.seeded_weights(layers_dims, "he")
    v, s = zeros_like(parameters), zeros_like(parameters)
    for i in range(num_epochs):
        seed = seed + 1
        cost_total = 0
        for minibatch_X, minibatch_Y in mini_batches(X, Y, mini_batch_size, seed, rng):
            a3, caches = U.forward(minibatch_X, parameters)
            logprobs = U.log_probs(a3, minibatch_Y)
            if cost == "last_minibatch":
                cost_value = 1. / minibatch_Y.shape[1] * logprobs.sum()  # np.sum(logprobs): the same reduction
            else:
                cost_total += logprobs.sum()
            grads = U.backward(minibatch_X, minibatch_Y, caches, folded=True)
            if optimizer == "gd":
                parameters = U.update_parameters(parameters, grads, learning_rate)
            elif optimizer == "momentum":
                parameters, v = momentum_step(parameters, grads, v, beta, learning_rate)
            else:
                t = t + 1
                parameters, v, s, _, _ = adam_step(parameters, grads, v, s, t, learning_rate, beta1, beta2, epsilon)
        cost_avg = cost_value if cost == "last_minibatch" else cost_total / m
        if decay:
            learning_rate = decay(learning_rate0, i, decay_rate)
        if print_cost and i % 1000 == 0:
            print("Cost after epoch %i: %f" % (i, cost_avg))
            if decay:
                print("learning rate after epoch %i: %f" % (i, learning_rate))
    return parameters


def model(X: Any, Y: Any, layers_dims: Any, optimizer: str, learning_rate: float = 0.0007, mini_batch_size: int = 64,
          beta: float = 0.9, beta1: float = 0.9, beta2: float = 0.999, epsilon: float = 1e-8, num_epochs: int = 10000,
          print_cost: bool = True) -> dict[str, np.ndarray]:
    """The notebook's model: He initialization, then mini-batch gradient descent, momentum or Adam.

    Each epoch reshuffles with ``random_mini_batches(X, Y, mini_batch_size, seed)``, seed = 11, 12, ...;
    on each mini-batch: forward, ``cost_total += compute_cost(a3, minibatch_Y)``, backward and the
    optimizer's update (Adam's t counts the mini-batches). Every 1000 epochs it prints
    ``"Cost after epoch %i: %f" % (i, cost_total / m)``.

    Args:
        X: inputs (n_x, m); Y: 0/1 labels (1, m).
        layers_dims: the layer sizes, e.g. [X.shape[0], 5, 2, 1].
        optimizer: "gd", "momentum" or "adam".
        learning_rate, beta (momentum), beta1, beta2, epsilon (Adam): the hyperparameters.
        mini_batch_size: examples per mini-batch.
        num_epochs: passes over the data.
        print_cost: print the cost every 1000 epochs.

    Returns:
        parameters: the trained dict.
    """
    numbers = dict(learning_rate=learning_rate, mini_batch_size=mini_batch_size, beta=beta, beta1=beta1, beta2=beta2,
                   epsilon=epsilon, num_epochs=num_epochs, print_cost=print_cost)
    Xc, Yc, dims, name = checked_model_args(X, Y, layers_dims, optimizer, **numbers)
    return train(Xc, Yc, dims, name, **numbers)


# ------------------------------------------------------------------------------------ opt_utils_v1a
def load_params_and_grads(seed: int = 1) -> tuple[np.ndarray, ...]:
    """``np.random.seed(seed)``, then W1 (2, 3), b1 (2, 1), W2 (3, 3), b2 (3, 1), dW1, db1, dW2, db2 drawn in that order."""
    rng = np.random.RandomState(check.integer("seed", seed, low=0, high=2**32 - 1))
    shapes = ((2, 3), (2, 1), (3, 3), (3, 1)) * 2
    return tuple(rng.randn(*shape) for shape in shapes)


def initialize_parameters(layer_dims: Any) -> dict[str, np.ndarray]:
    """He initialization: W[l] = np.random.randn(n_l, n_{l-1}) * np.sqrt(2 / n_{l-1}) after ``np.random.seed(3)``; b[l] = 0."""
    return U.seeded_weights(layer_dims, "he")


def compute_cost(a3: Any, Y: Any) -> np.float64:
    """The SUM over the examples of -log(a3) * Y - log(1 - a3) * (1 - Y) (``model`` divides the epoch's total by m)."""
    A = cc.probabilities("a3", a3)
    return np.sum(U.log_probs(A, cc.labels("Y", Y, A.shape[1])))


def forward_propagation(X: Any, parameters: Any) -> tuple[np.ndarray, tuple]:
    """LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID: (a3, cache = (z1, a1, W1, b1, ..., z3, a3, W3, b3))."""
    return U.checked_forward(X, parameters)


def backward_propagation(X: Any, Y: Any, cache: Any) -> dict[str, np.ndarray]:
    """The gradients from the cache: dz3 = 1./m * (a3 - Y), dW3 = np.dot(dz3, a2.T), ... (lower-case dz, da keys)."""
    return U.checked_backward(X, Y, cache, folded=True)


def predict(X: Any, y: Any, parameters: Any) -> np.ndarray:
    """Predictions (1, m), 1 where a3 > 0.5; prints ``Accuracy: <fraction right>``."""
    return U.checked_predict(X, y, parameters)


def predict_dec(parameters: Any, X: Any) -> np.ndarray:
    """Boolean predictions a3 > 0.5, shape (1, m)."""
    return U.checked_predict_dec(parameters, X)


def load_dataset() -> tuple[np.ndarray, np.ndarray]:
    """The course's moons: train_X (2, 300), train_Y (1, 300) (``np.random.seed(3); make_moons(n_samples=300, noise=.2)``).

    Vendored by descentlab; the course also drew a scatter plot, this function does not.
    """
    from ..datasets import load_moons

    d = load_moons()
    return U.course_layout(d.X_train, d.y_train)
