"""The course's fixtures seed NumPy's global random state (``np.random.seed(1)`` then draws), exactly as its
``testCases.py`` and ``public_tests.py`` do; this puts the state back after each test, so no other test sees it."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _restore_numpy_global_random_state():
    state = np.random.get_state()
    yield
    np.random.set_state(state)
