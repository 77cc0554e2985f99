"""Compile the numba engine's kernels ahead of use, so that no training run waits for the compiler.

numba compiles a kernel the first time it runs with a dtype and caches the machine code on disk
(next to the package, or in the user's cache directory); every later process loads it. ``make demo``
and ``make test`` call :func:`compile_kernels` once after installing, and so can a user:

    python -c "from descentlab.training.kernels import compile_kernels; compile_kernels()"
"""

from __future__ import annotations

import time
from typing import Sequence

import numpy as np

from ..core.network import Network
from ..engines import numba_engine, numba_error
from .config import FitConfig
from .fit import fit
from .many import fit_many
from .optimizers import OPTIMIZERS


def compile_kernels(dtypes: Sequence[str] = ("float64", "float32"), verbose: bool = True) -> float:
    """Compile (or load from the cache) every kernel of the numba engine for ``dtypes``: the whole-chunk
    kernel of small networks, the lockstep kernel, and the step path of large networks with the fused
    update of every registered optimizer. Returns the seconds it took (0 when numba is not usable)."""
    if numba_error() is not None:
        return 0.0
    t0 = time.perf_counter()
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((16, 3)), rng.integers(0, 3, 16)
    for dtype in dtypes:
        cfg = FitConfig(optimizer="adam", epochs=1, batch_size=8, l2=0.1, keep_prob=0.9, seed=0, engine="numba")
        fit(Network([3, 4, 3], output="softmax", seed=0, dtype=dtype), X, y, config=cfg, verbose=0)
        fit_many([Network([3, 4, 3], output="softmax", seed=k, dtype=dtype) for k in range(2)], X, y, config=cfg)
        limit, numba_engine.KERNEL_PARAMS = numba_engine.KERNEL_PARAMS, 0  # the step path of large networks
        try:
            for name in sorted(set(OPTIMIZERS) - {"sgd"}):
                net = Network([3, 4, 3], output="softmax", seed=0, dtype=dtype)
                fit(net, X, y, config=FitConfig(optimizer=name, epochs=1, batch_size=8, seed=0, engine="numba"),
                    verbose=0)
        finally:
            numba_engine.KERNEL_PARAMS = limit
    seconds = time.perf_counter() - t0
    if verbose:
        print(f"descentlab: numba kernels ready for {', '.join(dtypes)} ({seconds:.1f} s)")
    return seconds
