"""The course's TensorFlow notebook (Course 2, week 3), first release: ``Tensorflow Tutorial.ipynb`` (2017),
TensorFlow 1, with ``tf_utils.py``.

Two things differ from the 2019-2020 ``TensorFlow_Tutorial_v3b.ipynb`` (:mod:`descentlab.course.tensorflow_intro`,
which has every other function and documents how TensorFlow 1 runs on TensorFlow 2 here):

- ``create_placeholders(n_x, n_y)`` makes unnamed placeholders (``tf.placeholder(shape=[n_x, None],
  dtype=tf.float32)``), so they print as ``Placeholder:0``, ``Placeholder_1:0``, ...;
- ``model`` adds ``minibatch_cost / num_minibatches`` with ``num_minibatches = int(m / minibatch_size)``
  (33 for the course's 1080 photos in mini-batches of 32, while the epoch has 34), where v3b divides
  by ``minibatch_size``: the 2017 notebook printed ``Cost after epoch 100: 1.016458``, v3b ``1.048222``,
  the same training (33/32 apart).

The 2017 ``cost`` cell fed ``sigmoid(np.array([0.2, 0.4, 0.7, 0.9]))`` as the logits (v3b the raw
values): the function is the same, the call differs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensorflow_intro import (  # noqa: F401  (the functions this release shares with v3b)
    COURSE_LAYER_DIMS,
    compute_cost,
    convert_to_one_hot,
    cost,
    forward_propagation,
    forward_propagation_for_predict,
    initialize_parameters,
    linear_function,
    load_dataset,
    one_hot_matrix,
    ones,
    placeholders,
    predict,
    random_mini_batches,
    sigmoid,
    train,
)

__all__ = [
    "linear_function", "sigmoid", "cost", "one_hot_matrix", "ones", "create_placeholders", "initialize_parameters",
    "forward_propagation", "compute_cost", "model", "load_dataset", "random_mini_batches", "convert_to_one_hot",
    "predict", "forward_propagation_for_predict",
]


def create_placeholders(n_x: int, n_y: int) -> tuple[Any, Any]:
    """X, Y = unnamed float32 placeholders of shapes [n_x, None] and [n_y, None], in the current default graph."""
    return placeholders(n_x, n_y, named=False)


def model(X_train: Any, Y_train: Any, X_test: Any, Y_test: Any, learning_rate: float = 0.0001, num_epochs: int = 1500,
          minibatch_size: int = 32, print_cost: bool = True) -> dict[str, np.ndarray]:
    """The 2017 notebook's model: as v3b's, with ``epoch_cost += minibatch_cost / num_minibatches`` printed every 100 epochs.

    Args and returns as :func:`descentlab.course.tensorflow_intro.model`.
    """
    return train(X_train, Y_train, X_test, Y_test, learning_rate, num_epochs, minibatch_size, print_cost,
                 divide_by="num_minibatches", named=False)
