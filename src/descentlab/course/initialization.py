"""The course's "Initialization" assignment (Improving Deep Neural Networks, week 1).

The notebook's functions with the course's names, signatures and return
values, in its layout: ``X`` (n_x, m), one example per column; labels ``Y``
(1, m); parameters a dict ``{"W1", "b1", ...}`` with ``W[l]`` (n_l, n_{l-1})
and ``b[l]`` (n_l, 1). Each function is a thin layer over descentlab's core:
the layouts are converted and :class:`~descentlab.Network`, its backprop and
:func:`~descentlab.fit` do the work.

- ``initialize_parameters_zeros/random/he(layers_dims)``: the course's draws
  exactly (``np.random.seed(3)`` then ``randn(n_l, n_{l-1})`` for each layer,
  times 10 for ``random`` and ``sqrt(2 / n_{l-1})`` for ``he``), from a private
  ``RandomState(3)``: NumPy's global random state is never touched.
- ``model(X, Y, ...)``: the course's [n_x, 10, 5, 1] ReLU/ReLU/sigmoid network
  trained with full-batch gradient descent; prints ``Cost after iteration i: c``
  every 1000 iterations.
- the utils (``init_utils.py``): ``forward_propagation``, ``backward_propagation``,
  ``compute_loss``, ``update_parameters``, ``predict``, ``predict_dec``.

One difference from the course: ``model``'s cost is computed from the logits
(``max(z, 0) - y z + log(1 + e^-|z|)``), which is finite for any z. With the
large random (x10) initialization the course's ``log(sigmoid(z))`` overflows and
it prints ``Cost after iteration 0: inf``; here the true, finite cost is
printed. Training is the same (the gradient a - y does not involve the log).

>>> p = initialize_parameters_he([2, 4, 1])
>>> p["W1"].shape, p["b1"].shape
((4, 2), (4, 1))
>>> round(float(p["W1"][0, 0]), 8)   # the course's 1.78862847
1.78862847
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _checks as check
from ..core.network import Network
from ..training.fit import fit
from ..training.optimizers import GD
from . import _layout as lay

__all__ = [
    "initialize_parameters_zeros", "initialize_parameters_random", "initialize_parameters_he",
    "model", "forward_propagation", "backward_propagation", "compute_loss", "update_parameters",
    "predict", "predict_dec",
]

#: The course's hidden layers for ``model``: [n_x, 10, 5, 1].
HIDDEN_LAYERS: tuple[int, int] = (10, 5)

_INITS = {"zeros": "zeros", "random": "random", "he": "he"}


def initialize_parameters_zeros(layers_dims: Any) -> dict[str, np.ndarray]:
    """Every W[l] and b[l] zero: the network cannot break symmetry."""
    return lay.initial_parameters(layers_dims, "zeros")


def initialize_parameters_random(layers_dims: Any) -> dict[str, np.ndarray]:
    """W[l] = randn(n_l, n_{l-1}) * 10 after the course's seed 3; b[l] = 0."""
    return lay.initial_parameters(layers_dims, "random")


def initialize_parameters_he(layers_dims: Any) -> dict[str, np.ndarray]:
    """W[l] = randn(n_l, n_{l-1}) * sqrt(2 / n_{l-1}) after the course's seed 3; b[l] = 0."""
    return lay.initial_parameters(layers_dims, "he")


def model(X: Any, Y: Any, learning_rate: float = 0.01, num_iterations: int = 15000, print_cost: bool = True,
          initialization: str = "he") -> dict[str, np.ndarray]:
    """Train the course's 3-layer network [n_x, 10, 5, 1] with full-batch gradient descent.

    Args:
        X: inputs (n_x, m); Y: 0/1 labels (1, m).
        learning_rate: the gradient-descent step.
        num_iterations: gradient steps, each on all m examples.
        print_cost: print ``Cost after iteration i: c`` every 1000 iterations
            (the cost before the i-th update, computed from the logits: finite
            where the course prints ``inf``).
        initialization: "zeros", "random" (x10) or "he", with the course's seed 3.

    Returns:
        parameters: the trained dict {W1, b1, W2, b2, W3, b3}.
    """
    key = _INITS[check.choice("initialization", initialization, _INITS)]
    Xc, y = lay.data(X, Y)
    lr = lay.learning_rate(learning_rate)
    iterations = check.integer("num_iterations", num_iterations, low=0)
    print_cost = lay.flag("print_cost", print_cost)
    net = Network([Xc.shape[0], *HIDDEN_LAYERS, 1], hidden=lay.HIDDEN, output=lay.OUTPUT, init=key, seed=3)
    if iterations:
        fit(net, Xc.T, y, optimizer=GD(lr=lr), epochs=iterations, batch_size=None, shuffle="none",
            verbose=0, seed=0, callbacks=[lay.PrintCost(1000, "iteration")] if print_cost else [])
    return lay.from_network(net)


# --------------------------------------------------------------------------- init_utils
def forward_propagation(X: Any, parameters: Any) -> tuple[np.ndarray, tuple]:
    """LINEAR -> RELU -> ... -> LINEAR -> SIGMOID. Returns (a3, cache).

    ``cache = (z1, a1, W1, b1, z2, a2, W2, b2, z3, a3, W3, b3)`` (any depth:
    four entries per layer), each z computed by the core.
    """
    net = lay.to_network(parameters)
    return lay.forward_cache(net, lay.inputs("X", X, net.layer_dims[0]))


def backward_propagation(X: Any, Y: Any, cache: Any) -> dict[str, np.ndarray]:
    """The gradients dict of ``init_utils``: dz3 = (a3 - Y) / m, dW3, db3, da2, dz2, ..., dW1, db1.

    dW and db come from the core's backprop (recomputed from X and the cache's
    W, b); the dz, da entries are formed from the cache as the course does.
    """
    return lay.backward(X, Y, cache, lower=True, dz_over_m=True)


def compute_loss(a3: Any, Y: Any) -> float:
    """The cross-entropy (1/m) Σ -y log a3 - (1 - y) log(1 - a3) from probabilities a3 (1, m).

    As the course's ``nansum``, 0·log 0 terms count 0; a label with probability
    0 gives ``inf``, as in the course (``model`` computes from logits instead).
    """
    total, m = lay.cross_entropy("a3", a3, Y)
    return total / m


def update_parameters(parameters: Any, grads: Any, learning_rate: float) -> dict[str, np.ndarray]:
    """One gradient-descent step W[l] -= learning_rate dW[l], b[l] -= learning_rate db[l] (the core's GD)."""
    from .optimization import update_parameters_with_gd
    return update_parameters_with_gd(parameters, grads, learning_rate)


def predict(X: Any, y: Any, parameters: Any) -> np.ndarray:
    """Predictions (1, m) with threshold 0.5 (p = 1 if a3 > 0.5); prints ``Accuracy: ...``."""
    return lay.course_predict(X, y, parameters)


def predict_dec(parameters: Any, X: Any) -> np.ndarray:
    """Boolean predictions a3 > 0.5, shape (1, m) (the course's helper for decision-boundary plots)."""
    net = lay.to_network(parameters)
    return lay.predictions(net, lay.inputs("X", X, net.layer_dims[0])) == 1
