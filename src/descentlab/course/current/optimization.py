"""The course's "Optimization Methods" notebook (Course 2, week 2), current edition:
``W2A1/Optimization_methods.ipynb`` (2021+) with ``opt_utils_v1a.py``, ``testCases.py`` and ``public_tests.py``.

What differs from the older edition (:mod:`descentlab.course.optimization`, which documents the
shared functions):

- ``update_parameters_with_adam(parameters, grads, v, s, t, learning_rate=0.01, beta1=0.9,
  beta2=0.999, epsilon=1e-8)`` returns FIVE values, ``(parameters, v, s, v_corrected, s_corrected)``;
- learning-rate decay: ``update_lr(learning_rate0, epoch_num, decay_rate)`` =
  ``1 / (1 + decay_rate * epoch_num) * learning_rate0`` and ``schedule_lr_decay(learning_rate0,
  epoch_num, decay_rate, time_interval=1000)`` = ``1 / (1 + decay_rate * np.floor(epoch_num /
  time_interval)) * learning_rate0``;
- ``model(..., num_epochs=5000, print_cost=True, decay=None, decay_rate=1)``: 5000 epochs by default
  and, with ``decay``, ``learning_rate = decay(learning_rate0, i, decay_rate)`` after epoch i (called
  with three arguments, so ``schedule_lr_decay`` keeps its ``time_interval`` of 1000) and a second
  printed line ``learning rate after epoch i: %f``.

The three revisions of this edition's ``testCases.py`` / ``public_tests.py`` (W2 of shape (3, 3) or
(3, 2) in the fixtures) test these same functions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ... import _checks as check
from .. import _checks as cc
from ..optimization import (
    backward_propagation,
    checked_adam,
    checked_model_args,
    compute_cost,
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
    update_parameters_with_gd,
    update_parameters_with_momentum,
)

__all__ = [
    "update_parameters_with_gd", "random_mini_batches", "initialize_velocity", "update_parameters_with_momentum",
    "initialize_adam", "update_parameters_with_adam", "update_lr", "schedule_lr_decay", "model",
    "sigmoid", "relu", "load_params_and_grads", "initialize_parameters", "compute_cost", "forward_propagation",
    "backward_propagation", "predict", "predict_dec", "plot_decision_boundary", "load_dataset",
]


def update_parameters_with_adam(parameters: Any, grads: Any, v: Any, s: Any, t: int, learning_rate: float = 0.01,
                                beta1: float = 0.9, beta2: float = 0.999, epsilon: float = 1e-8) -> tuple:
    """One Adam step, key by key; returns ``(parameters, v, s, v_corrected, s_corrected)``.

    v = beta1 * v + (1 - beta1) * grad; v_corrected = v / (1 - beta1**t);
    s = beta2 * s + (1 - beta2) * grad**2; s_corrected = s / (1 - beta2**t);
    W = W - learning_rate * v_corrected / (np.sqrt(s_corrected) + epsilon).
    """
    return checked_adam(parameters, grads, v, s, t, learning_rate, beta1, beta2, epsilon)


def update_lr(learning_rate0: float, epoch_num: int, decay_rate: float) -> float:
    """learning_rate = 1 / (1 + decay_rate * epoch_num) * learning_rate0 (decay at every epoch)."""
    cc.nonnegative("learning_rate0", learning_rate0)
    cc.nonnegative("epoch_num", epoch_num)
    cc.nonnegative("decay_rate", decay_rate)
    return 1 / (1 + decay_rate * epoch_num) * learning_rate0


def schedule_lr_decay(learning_rate0: float, epoch_num: int, decay_rate: float, time_interval: int = 1000) -> np.float64:
    """learning_rate = 1 / (1 + decay_rate * np.floor(epoch_num / time_interval)) * learning_rate0 (a staircase)."""
    cc.nonnegative("learning_rate0", learning_rate0)
    cc.nonnegative("epoch_num", epoch_num)
    cc.nonnegative("decay_rate", decay_rate)
    cc.positive("time_interval", time_interval)
    return 1 / (1 + decay_rate * np.floor(epoch_num / time_interval)) * learning_rate0


def _decay(decay: Any, decay_rate: Any) -> Callable[..., Any] | None:
    if decay is None:
        return None
    if not callable(decay):
        raise check.fail_type("decay", decay, "None or a function decay(learning_rate0, epoch_num, decay_rate), "
                                               "e.g. update_lr or schedule_lr_decay")
    check.real("decay_rate", decay_rate)
    return decay


def model(X: Any, Y: Any, layers_dims: Any, optimizer: str, learning_rate: float = 0.0007, mini_batch_size: int = 64,
          beta: float = 0.9, beta1: float = 0.9, beta2: float = 0.999, epsilon: float = 1e-8, num_epochs: int = 5000,
          print_cost: bool = True, decay: Callable[..., float] | None = None, decay_rate: float = 1) -> dict[str, np.ndarray]:
    """The notebook's model with optional learning-rate decay (see the older edition's ``model`` for the loop).

    Every 1000 epochs it prints ``"Cost after epoch %i: %f" % (i, cost_total / m)`` and, with
    ``decay``, ``"learning rate after epoch %i: %f" % (i, learning_rate)``, the rate just set by
    ``decay(learning_rate0, i, decay_rate)`` for the next epoch.

    Args:
        X: inputs (n_x, m); Y: 0/1 labels (1, m).
        layers_dims: the layer sizes, e.g. [X.shape[0], 5, 2, 1].
        optimizer: "gd", "momentum" or "adam".
        learning_rate: the (initial) learning rate; beta (momentum), beta1, beta2, epsilon (Adam).
        mini_batch_size: examples per mini-batch. num_epochs: passes over the data.
        print_cost: print the cost (and the rate) every 1000 epochs.
        decay: None, or a function ``decay(learning_rate0, epoch_num, decay_rate)`` such as
            ``update_lr`` or ``schedule_lr_decay``.
        decay_rate: passed to ``decay``.

    Returns:
        parameters: the trained dict.
    """
    numbers = dict(learning_rate=learning_rate, mini_batch_size=mini_batch_size, beta=beta, beta1=beta1, beta2=beta2,
                   epsilon=epsilon, num_epochs=num_epochs, print_cost=print_cost)
    Xc, Yc, dims, name = checked_model_args(X, Y, layers_dims, optimizer, **numbers)
    return train(Xc, Yc, dims, name, **numbers, decay=_decay(decay, decay_rate), decay_rate=decay_rate)
