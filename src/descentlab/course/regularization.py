"""The course's "Regularization" assignment (Improving Deep Neural Networks, week 1).

The notebook's functions with the course's names, signatures and return
values, in its layout: ``X`` (n_x, m), one example per column; labels ``Y``
(1, m); parameters a dict ``{"W1", "b1", ...}`` with ``W[l]`` (n_l, n_{l-1})
and ``b[l]`` (n_l, 1). Each is a thin layer over descentlab's core
(:class:`~descentlab.Network`, its backprop with L2 and dropout masks,
:func:`~descentlab.fit`); any depth works, the course's network is
[n_x, 20, 3, 1], ReLU/ReLU/sigmoid.

L2 regularization
    ``compute_cost_with_regularization`` adds λ/(2m) Σ_l ||W[l]||² to the
    cross-entropy; ``backward_propagation_with_regularization`` adds (λ/m) W[l]
    to each dW[l].

Dropout (inverted)
    ``forward_propagation_with_dropout(X, parameters, keep_prob, seed=1)`` draws
    the masks as the course does after ``np.random.seed(1)``:
    ``D1 = rand(n_1, m) < keep_prob``, then ``D2``, ..., from a private
    ``np.random.RandomState(seed)`` (NumPy's global state is never touched), so
    the course's checks print the same values; ``A[l]`` is multiplied by
    ``D[l] / keep_prob``. ``backward_propagation_with_dropout`` applies the same
    masks to the gradients.

``model``
    Full-batch gradient descent from the course's initialization
    (``np.random.seed(3)``, ``randn(n_l, n_{l-1}) / sqrt(n_{l-1})``), printing
    ``Cost after iteration i: c`` every 10000 iterations. Without dropout it
    reproduces the course: train accuracy 0.9478672985781991 / test 0.915
    without regularization, 0.9383886255924171 / 0.93 with λ = 0.7.

    One deliberate difference: the course's ``forward_propagation_with_dropout``
    calls ``np.random.seed(1)`` inside every forward pass, so its training loop
    reuses ONE set of masks for all 30000 iterations (test accuracy 0.95 with
    keep_prob 0.86). That is not dropout as intended. Here ``model`` draws
    fresh masks at every iteration (from ``seed``, default 1), which is
    dropout as the lectures describe it; test accuracy is about 0.93-0.95 and
    not exactly the course's. L2 and dropout may also be combined here (the
    course asserts one at a time).

Costs are computed from the logits, always finite.

>>> p = initialize_parameters([2, 20, 3, 1])
>>> p["W2"].shape, p["b3"].shape
((3, 20), (1, 1))
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _checks as check
from ..core.network import Network
from ..core.regularization import keep_mask
from ..training.fit import fit
from ..training.optimizers import GD
from . import _layout as lay
from .initialization import predict, predict_dec, update_parameters  # the same utilities in both notebooks

__all__ = [
    "initialize_parameters", "forward_propagation", "backward_propagation", "compute_cost",
    "update_parameters", "predict", "predict_dec",
    "compute_cost_with_regularization", "backward_propagation_with_regularization",
    "forward_propagation_with_dropout", "backward_propagation_with_dropout", "model",
]

#: The course's hidden layers for ``model``: [n_x, 20, 3, 1].
HIDDEN_LAYERS: tuple[int, int] = (20, 3)


def initialize_parameters(layer_dims: Any) -> dict[str, np.ndarray]:
    """W[l] = randn(n_l, n_{l-1}) / sqrt(n_{l-1}) after the course's seed 3; b[l] = 0 (the core's "lecun")."""
    return lay.initial_parameters(layer_dims, "lecun")


# --------------------------------------------------------------------------- reg_utils
def forward_propagation(X: Any, parameters: Any) -> tuple[np.ndarray, tuple]:
    """LINEAR -> RELU -> ... -> LINEAR -> SIGMOID. Returns (a3, cache).

    ``cache = (z1, a1, W1, b1, z2, a2, W2, b2, z3, a3, W3, b3)``: four entries per layer.
    """
    net = lay.to_network(parameters)
    return lay.forward_cache(net, lay.inputs("X", X, net.layer_dims[0]))


def backward_propagation(X: Any, Y: Any, cache: Any) -> dict[str, np.ndarray]:
    """The gradients dict of ``reg_utils``: dz3 = a3 - Y, dW3, db3, da2, dz2, ..., dW1, db1.

    dW and db come from the core's backprop (recomputed from X and the cache's
    W, b); the dz, da entries are formed from the cache as the course does.
    """
    return lay.backward(X, Y, cache, lower=True)


def compute_cost(a3: Any, Y: Any) -> float:
    """The cross-entropy (1/m) Σ -y log a3 - (1 - y) log(1 - a3), from probabilities a3 (1, m)."""
    total, m = lay.cross_entropy("a3", a3, Y)
    return total / m


def compute_cost_with_regularization(A3: Any, Y: Any, parameters: Any, lambd: float) -> float:
    """J = cross-entropy(A3, Y) + λ/(2m) Σ_l ||W[l]||² (the core's L2 term)."""
    lambd = lay.lambd(lambd)
    net = lay.to_network(parameters)
    total, m = lay.cross_entropy("A3", A3, Y)
    return total / m + net.l2_cost(lambd, m)


def backward_propagation_with_regularization(X: Any, Y: Any, cache: Any, lambd: float) -> dict[str, np.ndarray]:
    """Gradients with the L2 term: dW[l] = (1/m) dZ[l] A[l-1]ᵀ + (λ/m) W[l].

    Returns the course's dict {dZ3, dW3, db3, dA2, dZ2, dW2, db2, dA1, dZ1, dW1, db1}
    (dZ3 = A3 - Y). dW, db come from the core; dZ, dA are formed from the cache.
    """
    return lay.backward(X, Y, cache, lambd_=lay.lambd(lambd))


# --------------------------------------------------------------------------- dropout
def forward_propagation_with_dropout(X: Any, parameters: Any, keep_prob: float = 0.5,
                                     seed: int = 1) -> tuple[np.ndarray, tuple]:
    """Forward pass with inverted dropout on every hidden layer. Returns (A3, cache).

    Masks ``D[l] = rand(n_l, m) < keep_prob`` drawn in layer order from
    ``np.random.RandomState(seed)`` (the course's ``np.random.seed(1)`` draws);
    ``A[l] = relu(Z[l]) * D[l] / keep_prob``.
    ``cache = (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)``.
    """
    kp = lay.keep_prob(keep_prob)
    seed = check.integer("seed", seed, low=0, high=2**32 - 1)
    net = lay.to_network(parameters)
    Xc = lay.inputs("X", X, net.layer_dims[0])
    rs = np.random.RandomState(seed)
    m = Xc.shape[1]
    masks = [keep_mask(rs, (n, m), kp) for n in net.layer_dims[1:-1]]  # the draws of rs.rand(n, m) < kp
    return lay.forward_cache(net, Xc, masks, kp)


def backward_propagation_with_dropout(X: Any, Y: Any, cache: Any, keep_prob: float) -> dict[str, np.ndarray]:
    """Gradients through the cache's dropout masks: dA[l] ·= D[l] / keep_prob.

    Returns the course's dict {dZ3, dW3, db3, dA2, dZ2, dW2, db2, dA1, dZ1, dW1, db1}
    (dZ3 = A3 - Y). dW, db come from the core (given the masks D[l]); dZ, dA
    are formed from the cache.
    """
    return lay.backward(X, Y, cache, kp=lay.keep_prob(keep_prob), dropout=True)


# --------------------------------------------------------------------------- model
def model(X: Any, Y: Any, learning_rate: float = 0.3, num_iterations: int = 30000, print_cost: bool = True,
          lambd: float = 0, keep_prob: float = 1, *, seed: int = 1) -> dict[str, np.ndarray]:
    """Train [n_x, 20, 3, 1] with full-batch gradient descent, optionally with L2 or dropout.

    Args:
        X: inputs (n_x, m); Y: 0/1 labels (1, m).
        learning_rate: the gradient-descent step.
        num_iterations: gradient steps on all m examples.
        print_cost: print ``Cost after iteration i: c`` every 10000 iterations (the
            cost before the i-th update, with the L2 term, on the dropped-out network).
        lambd: λ of the L2 term λ/(2m) Σ||W||² (0: none).
        keep_prob: probability of keeping a hidden unit (1: no dropout).
        seed: (descentlab's addition) seeds the dropout masks, fresh at each iteration.

    Returns:
        parameters: the trained dict {W1, b1, W2, b2, W3, b3}.
    """
    Xc, y = lay.data(X, Y)
    lr = lay.learning_rate(learning_rate)
    iterations = check.integer("num_iterations", num_iterations, low=0)
    print_cost = lay.flag("print_cost", print_cost)
    l2 = lay.lambd(lambd)
    kp = lay.keep_prob(keep_prob)
    seed = check.integer("seed", seed, low=0, high=2**32 - 1)
    net = Network([Xc.shape[0], *HIDDEN_LAYERS, 1], hidden=lay.HIDDEN, output=lay.OUTPUT, init="lecun", seed=3)
    if iterations:
        fit(net, Xc.T, y, optimizer=GD(lr=lr), epochs=iterations, batch_size=None, shuffle="none",
            l2=l2, keep_prob=kp, verbose=0, seed=seed, callbacks=[lay.PrintCost(10000, "iteration")] if print_cost else [])
    return lay.from_network(net)
