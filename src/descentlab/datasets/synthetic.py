"""Generated 2-D data sets, as TensorFlow Playground draws them: spiral, xor, gaussian.

Each generator returns ``X`` (n, 2) float64 and labels ``y`` (n,) int64 in {0, 1},
from an explicit ``seed`` (a ``numpy.random.Generator`` stream of its own).
``noise`` in [0, 1] is TensorFlow Playground's "noise" slider as a fraction
(its 0-50 % is 0-0.5 here); the points live in about [-6, 6]².

============  =============================================================================
name          how the points are drawn (class 1 / class 0)
============  =============================================================================
spiral        two interleaved spirals r = 5 i/h, t = 1.75 · 2π i/h (+ π for class 0),
              h = n/2, each coordinate + noise · U(-1, 1)
xor           x uniform in [-5, 5]² (kept 0.3 away from the axes), label 1 where
              x1 · x2 >= 0, then x + noise · 5 · U(-1, 1)² (labels from the clean points)
gaussian      two round clusters at (2, 2) (class 1) and (-2, -2) (class 0), standard
              deviation 0.5 + 3.5 · noise
============  =============================================================================
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from .. import _checks as check

__all__ = ["GENERATORS", "make_gaussian", "make_spiral", "make_xor"]


def _args(n: int, noise: float, seed: int) -> tuple[int, float, np.random.Generator]:
    n = check.integer("n", n, low=2, high=1_000_000)
    noise = check.real("noise", noise, low=0.0, high=1.0)
    seed = check.integer("seed", seed, low=0, high=2**32 - 1)
    return n, noise, np.random.default_rng(seed)


def make_spiral(n: int = 400, noise: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spirals (see the module table); n/2 points each (class 1 gets the odd one)."""
    n, noise, rng = _args(n, noise, seed)
    out_X, out_y = [], []
    for label, count, shift in ((1, n - n // 2, 0.0), (0, n // 2, math.pi)):
        i = np.arange(count)
        r = i / count * 5
        t = 1.75 * i / count * 2 * math.pi + shift
        pts = np.column_stack([r * np.sin(t), r * np.cos(t)]) + noise * rng.uniform(-1, 1, size=(count, 2))
        out_X.append(pts)
        out_y.append(np.full(count, label, np.int64))
    return np.concatenate(out_X), np.concatenate(out_y)


def make_xor(n: int = 400, noise: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Points in the four quadrants, label 1 where x1 · x2 >= 0 (see the module table)."""
    n, noise, rng = _args(n, noise, seed)
    X = rng.uniform(-5, 5, size=(n, 2))
    X += np.where(X > 0, 0.3, -0.3)  # keep the points off the axes, as TensorFlow Playground does
    y = (X[:, 0] * X[:, 1] >= 0).astype(np.int64)
    return X + noise * 5 * rng.uniform(-1, 1, size=(n, 2)), y


def make_gaussian(n: int = 400, noise: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian clusters at (2, 2) (class 1) and (-2, -2) (class 0); n/2 points each."""
    n, noise, rng = _args(n, noise, seed)
    std = 0.5 + 3.5 * noise
    y = np.concatenate([np.ones(n - n // 2, np.int64), np.zeros(n // 2, np.int64)])
    centers = np.where(y[:, None] == 1, 2.0, -2.0)
    return centers + std * rng.standard_normal((n, 2)), y


GENERATORS: dict[str, Callable[..., tuple[np.ndarray, np.ndarray]]] = {
    "spiral": make_spiral, "xor": make_xor, "gaussian": make_gaussian,
}
"""The generated data sets by name (``make_<name>(n, noise, seed)``)."""
