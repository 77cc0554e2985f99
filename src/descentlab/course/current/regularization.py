"""The course's "Regularization" notebook (Course 2, week 1), current edition: ``W1A2/Regularization.ipynb``
(2021+) with ``reg_utils.py``, ``testCases.py`` and ``public_tests.py``.

Its functions and numbers are those of the older edition, so this module is
:mod:`descentlab.course.regularization` under the current notebook's name (see there), including
the dropout forward pass that reseeds with ``np.random.seed(1)`` and the model that therefore trains
with one fixed mask (train 0.9289099526066351 / test 0.95). The current ``reg_utils.py`` differs only
in ``predict``'s ``np.int64`` and its process-wide ``np.seterr``.
"""

from ..regularization import (  # the same functions: see that module
    compute_cost_with_regularization, backward_propagation_with_regularization,
    forward_propagation_with_dropout, backward_propagation_with_dropout, model, sigmoid, relu,
    initialize_parameters, forward_propagation, backward_propagation, update_parameters, predict,
    compute_cost, predict_dec, plot_decision_boundary, load_2D_dataset,
)

__all__ = [
    'compute_cost_with_regularization', 'backward_propagation_with_regularization',
    'forward_propagation_with_dropout', 'backward_propagation_with_dropout', 'model', 'sigmoid', 'relu',
    'initialize_parameters', 'forward_propagation', 'backward_propagation', 'update_parameters', 'predict',
    'compute_cost', 'predict_dec', 'plot_decision_boundary', 'load_2D_dataset',
]
