"""The course's "Regularization" notebook (Course 2, week 1), current edition: ``W1A2/Regularization.ipynb``
(2021+) with ``reg_utils.py``, ``testCases.py`` and ``public_tests.py``.

Its functions and numbers are those of the older edition, so this module is
:mod:`descentlab.course.regularization` under the current notebook's name (see there), including
the dropout forward pass that reseeds with ``np.random.seed(1)`` and the model that therefore trains
with one fixed mask (train 0.9289099526066351 / test 0.95). The current ``reg_utils.py`` differs only
in ``predict``'s ``np.int64`` and its process-wide ``np.seterr``.
"""

from ..regularization import *  # the same functions: see that module
from ..regularization import __all__  # noqa: F401
