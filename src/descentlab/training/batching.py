"""Mini-batches: shuffle X and y together, partition, keep the last partial batch.

``batch_size=None`` is (full) batch gradient descent, ``1`` stochastic gradient
descent, anything between mini-batch gradient descent. A batch size larger
than m is the same as full batch (one batch of all m examples).

Two shuffle streams are available:

- ``"random"`` (default): a ``numpy.random.Generator``; epoch e's order is the
  e-th ``rng.permutation(m)`` of the stream;
- ``"course"``: the course's ``model``: before epoch e it calls
  ``np.random.seed(seed0 + 1 + e)`` (seed0 = 10) and draws
  ``np.random.permutation(m)``; here a private ``RandomState`` is reseeded the
  same way, so the order, and the notebook's numbers, are reproduced.
"""

from __future__ import annotations

from typing import Any, Iterator

import numpy as np

from .. import _checks as check
from ..engines.base import batch_bounds

__all__ = ["SHUFFLES", "Shuffler", "batch_bounds", "minibatches"]


SHUFFLES: dict[str, str] = {
    "random": "a fresh permutation per epoch from the run's shuffle stream (numpy Generator)",
    "course": "the course's order: np.random.seed(10 + 1 + epoch), then np.random.permutation(m)",
    "none": "the data's own order, every epoch",
}
"""The example orders a run can use, by name (the CLI's --shuffle and the experiments' ``shuffle``)."""


def minibatches(X: Any, y: Any, batch_size: int | None, rng: Any = None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield (X_batch, y_batch) pairs: one shuffled pass over the examples.

    Args:
        X: (m, n_x) inputs; y: (m,) or (m, k) targets, shuffled with the same permutation.
        batch_size: examples per batch; None for one batch of everything.
        rng: a ``numpy.random.Generator`` or ``RandomState`` for the shuffle; None keeps the order.

    >>> import numpy as np
    >>> [len(xb) for xb, _ in minibatches(np.zeros((148, 2)), np.zeros(148), 64, np.random.default_rng(0))]
    [64, 64, 20]
    """
    X, y = np.asarray(X), np.asarray(y)
    check.same_length("X", X, "y", y)
    if batch_size is not None:
        batch_size = check.integer("batch_size", batch_size, low=1)
    order = np.arange(len(X)) if rng is None else rng.permutation(len(X))
    for start, stop in batch_bounds(len(X), batch_size):
        idx = order[start:stop]
        yield X[idx], y[idx]


class Shuffler:
    """The example order of every epoch, from one explicit stream.

    The state needed to redo epoch e is the stream's state *before* e, which is
    what checkpoints store, so a resumed run sees the same orders.
    """

    COURSE_SEED0 = 10

    def __init__(self, mode: str, m: int, rng: np.random.Generator | None = None) -> None:
        self.mode = check.choice("shuffle", mode, SHUFFLES)
        self.m = m
        self.rng = rng
        self._course_rs = np.random.RandomState(0) if self.mode == "course" else None
        self._identity = np.arange(m)

    def permutation(self, epoch: int) -> np.ndarray:
        """The order for ``epoch``; call once per epoch, in order (the random stream advances)."""
        if self.mode == "none":
            return self._identity
        if self.mode == "course":
            self._course_rs.seed(self.COURSE_SEED0 + 1 + epoch)
            return self._course_rs.permutation(self.m)
        return self.rng.permutation(self.m)

    def get_state(self) -> dict[str, Any] | None:
        return None if self.rng is None else self.rng.bit_generator.state

    def set_state(self, state: dict[str, Any] | None) -> None:
        if self.rng is not None and state is not None:
            self.rng.bit_generator.state = state
