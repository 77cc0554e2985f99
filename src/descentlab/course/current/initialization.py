"""The course's "Initialization" notebook (Course 2, week 1), current edition: ``W1A1/Initialization.ipynb``
(2021+) with ``init_utils.py`` and ``public_tests.py``.

Its functions and numbers are those of the older edition, so this module is
:mod:`descentlab.course.initialization` under the current notebook's name (see there). The current
``init_utils.py`` differs only where NumPy changed: ``predict`` builds its array with ``np.int64``
(the older ``np.int`` is gone from NumPy), and ``np.seterr(divide='ignore', invalid='ignore')`` at its
import silences the ``log(0)`` warnings for the whole process; descentlab silences them inside the
course's functions only.
"""

from ..initialization import (  # the same functions: see that module
    initialize_parameters_zeros, initialize_parameters_random, initialize_parameters_he, model, sigmoid, relu,
    forward_propagation, backward_propagation, update_parameters, compute_loss, predict, predict_dec,
    plot_decision_boundary, load_dataset,
)

__all__ = [
    'initialize_parameters_zeros', 'initialize_parameters_random', 'initialize_parameters_he', 'model',
    'sigmoid', 'relu', 'forward_propagation', 'backward_propagation', 'update_parameters', 'compute_loss',
    'predict', 'predict_dec', 'plot_decision_boundary', 'load_dataset',
]
