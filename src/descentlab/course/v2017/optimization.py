"""The course's "Optimization Methods" notebook (Course 2, week 2), first release:
``Optimization methods.ipynb`` (2017) with ``opt_utils.py``.

Two things differ from the 2019-2020 revision (:mod:`descentlab.course.optimization`, which has
every other function and documents them):

- ``opt_utils.compute_cost(a3, Y)`` is the MEAN over the examples, ``1./m * np.sum(logprobs)``;
- ``model`` prints ``"Cost after epoch %i: %f" % (i, cost)`` with ``cost`` the mean cost of the
  epoch's LAST mini-batch (the 2019 revision prints the epoch's average).

Training is the same, so the trained parameters, and the printed accuracies, are those of the
2019-2020 revision: gd 0.7966666666666666, momentum 0.7966666666666666, Adam 0.94.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _checks as cc
from .. import _utils as U
from ..optimization import (
    backward_propagation,
    checked_model_args,
    forward_propagation,
    initialize_adam,
    initialize_parameters,
    initialize_velocity,
    load_dataset,
    load_params_and_grads,
    plot_decision_boundary,
    predict,
    predict_dec,
    random_mini_batches,
    relu,
    sigmoid,
    train,
    update_parameters_with_adam,
    update_parameters_with_gd,
    update_parameters_with_momentum,
)

__all__ = [
    "update_parameters_with_gd", "random_mini_batches", "initialize_velocity", "update_parameters_with_momentum",
    "initialize_adam", "update_parameters_with_adam", "model",
    "sigmoid", "relu", "load_params_and_grads", "initialize_parameters", "compute_cost", "forward_propagation",
    "backward_propagation", "predict", "predict_dec", "plot_decision_boundary", "load_dataset",
]


def compute_cost(a3: Any, Y: Any) -> np.float64:
    """The MEAN cross-entropy ``1./m * np.sum(-log(a3) * Y - log(1 - a3) * (1 - Y))``, from probabilities."""
    A = cc.probabilities("a3", a3)
    Yc = cc.labels("Y", Y, A.shape[1])
    return 1. / Yc.shape[1] * np.sum(U.log_probs(A, Yc))


def model(X: Any, Y: Any, layers_dims: Any, optimizer: str, learning_rate: float = 0.0007, mini_batch_size: int = 64,
          beta: float = 0.9, beta1: float = 0.9, beta2: float = 0.999, epsilon: float = 1e-8, num_epochs: int = 10000,
          print_cost: bool = True) -> dict[str, np.ndarray]:
    """The 2017 notebook's model: the 2019 loop, printing the last mini-batch's mean cost every 1000 epochs.

    Args and returns as :func:`descentlab.course.optimization.model`.
    """
    numbers = dict(learning_rate=learning_rate, mini_batch_size=mini_batch_size, beta=beta, beta1=beta1, beta2=beta2,
                   epsilon=epsilon, num_epochs=num_epochs, print_cost=print_cost)
    Xc, Yc, dims, name = checked_model_args(X, Y, layers_dims, optimizer, **numbers)
    return train(Xc, Yc, dims, name, **numbers, cost="last_minibatch")
