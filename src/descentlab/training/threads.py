"""How many threads BLAS may use while the NumPy engine trains.

A training step multiplies small matrices (a mini-batch of 32 by 12288 inputs
by 25 units is 20 MFLOP): splitting such a product over threads costs more in
synchronisation than it gains, and on a busy machine it oversubscribes the
cores. So the NumPy engine trains with ONE BLAS thread by default (measured on
the 2-core machine of the README's performance section: SIGNS epochs are
faster with one thread than with two, and bit-identical). ``fit(...,
blas_threads=None)`` leaves BLAS as it is; any other number sets it for the
duration of training and restores it after.
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager
from typing import Iterator

DEFAULT = 1


@contextmanager
def blas_threads(n: int | None) -> Iterator[None]:
    """Limit the BLAS thread pools to ``n`` threads inside the block (None: leave them alone)."""
    if n is None:
        yield
        return
    from threadpoolctl import threadpool_limits

    with warnings.catch_warnings():  # threadpoolctl may warn about unrelated OpenMP runtimes
        warnings.simplefilter("ignore")
        limiter = threadpool_limits(limits=n, user_api="blas")
    try:
        yield
    finally:
        limiter.restore_original_limits()
