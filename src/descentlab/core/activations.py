"""Hidden-layer activations, by name.

Each activation works in place and differentiates from its *output* ``A``
alone, so the forward pass can overwrite ``Z`` with ``A`` and keep no copy:

=========== ============================== ==============================
name        g(z)                           g'(z) written with a = g(z)
=========== ============================== ==============================
relu        max(z, 0)                      1 if a > 0 else 0
leaky_relu  z if z > 0 else 0.01 z         1 if a > 0 else 0.01
tanh        tanh(z)                        1 - a^2
sigmoid     1 / (1 + e^-z)                 a (1 - a)
=========== ============================== ==============================

(At z = 0 the ReLU derivative is taken as 0, as the course's ``relu_backward`` does.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

LEAKY_SLOPE = 0.01

# 0-d constants per dtype: a NumPy call converts a Python number on every call, a 0-d array it does not
ZERO = {np.dtype(t): np.zeros((), t) for t in (np.float64, np.float32)}


def _relu(z: np.ndarray) -> None:
    np.maximum(z, ZERO[z.dtype], out=z)


def _relu_grad(da: np.ndarray, a: np.ndarray, tmp: np.ndarray) -> None:
    np.sign(a, out=tmp)  # a >= 0, so sign(a) is the 0/1 derivative
    da *= tmp


def _leaky(z: np.ndarray) -> None:
    np.maximum(z, LEAKY_SLOPE * z, out=z)


def _leaky_grad(da: np.ndarray, a: np.ndarray, tmp: np.ndarray) -> None:
    np.greater(a, 0, out=tmp)  # 1 where a > 0, else 0 ...
    tmp *= 1 - LEAKY_SLOPE
    tmp += LEAKY_SLOPE  # ... -> 1 or 0.01
    da *= tmp


def _tanh(z: np.ndarray) -> None:
    np.tanh(z, out=z)


def _tanh_grad(da: np.ndarray, a: np.ndarray, tmp: np.ndarray) -> None:
    np.multiply(a, a, out=tmp)
    np.subtract(1, tmp, out=tmp)
    da *= tmp


def sigmoid_(z: np.ndarray) -> np.ndarray:
    """In-place logistic sigmoid, 0.5 (1 + tanh(z/2)): no overflow for any z."""
    z *= 0.5
    np.tanh(z, out=z)
    z += 1
    z *= 0.5
    return z


def _sigmoid_grad(da: np.ndarray, a: np.ndarray, tmp: np.ndarray) -> None:
    np.subtract(1, a, out=tmp)
    tmp *= a
    da *= tmp


@dataclass(frozen=True)
class Activation:
    """``forward(z)`` overwrites z with g(z); ``backward(da, a, tmp)`` overwrites da with da · g'(z).

    ``tmp`` is a scratch buffer of a's shape, so no step allocates.
    """

    name: str
    forward: Callable[[np.ndarray], None]
    backward: Callable[[np.ndarray, np.ndarray, np.ndarray], None]
    sign_only: bool  # g'(z) depends only on the sign of a, so a scaled copy of a will do


ACTIVATIONS: dict[str, Activation] = {
    "relu": Activation("relu", _relu, _relu_grad, True),
    "leaky_relu": Activation("leaky_relu", _leaky, _leaky_grad, True),
    "tanh": Activation("tanh", _tanh, _tanh_grad, False),
    "sigmoid": Activation("sigmoid", sigmoid_, _sigmoid_grad, False),
}
