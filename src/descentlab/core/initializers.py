"""Weight initializers. Biases always start at zero.

For layer l, ``W[l]`` has shape (n_l, n_{l-1}); ``fan_in = n_{l-1}``, ``fan_out = n_l``.

============== ======================================== =================================
name           W[l] =                                   course / literature
============== ======================================== =================================
zeros          0                                        course: initialize_parameters_zeros
random         randn(n_l, n_{l-1}) * scale (scale=10)   course: initialize_parameters_random
he             randn(...) * sqrt(2 / fan_in)            He et al. 2015; course: _he
lecun          randn(...) * sqrt(1 / fan_in)            LeCun 1998; course regularization
xavier/glorot  randn(...) * sqrt(2 / (fan_in+fan_out))  Glorot & Bengio 2010, normal
glorot_uniform U(-a, a), a = sqrt(6 / (fan_in+fan_out)) Glorot & Bengio 2010, uniform
============== ======================================== =================================

Reproducing the course: an integer ``seed`` becomes ``np.random.RandomState(seed)``
and the weights are drawn with ``randn(n_l, n_{l-1})`` for l = 1..L in order,
exactly the draws of ``np.random.seed(seed)`` followed by the course's loop, so a
seeded network shows the notebook's numbers. RandomState's stream is frozen by
NumPy's compatibility policy. A ``numpy.random.Generator`` may be passed instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Union

import numpy as np

from .._checks import choice, fail, fail_type, real

RNG = Union[np.random.RandomState, np.random.Generator]


def resolve_rng(seed: Any, name: str = "seed") -> tuple[RNG, int | None]:
    """Turn ``seed`` into a random stream; return it and the integer seed, if any.

    ``None`` draws a fresh seed from the operating system (never NumPy's global
    state) and returns it, so every run can be repeated.
    """
    if isinstance(seed, (np.random.RandomState, np.random.Generator)):
        return seed, None
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % (2**32))
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise fail_type(name, seed, "an integer seed, a numpy Generator or RandomState, or None")
    if not 0 <= int(seed) < 2**32:
        raise fail(name, seed, "an integer seed in [0, 2**32)")
    return np.random.RandomState(int(seed)), int(seed)


@dataclass(frozen=True)
class Initializer:
    """A rule for drawing one weight matrix of shape (fan_out, fan_in)."""

    name: str
    scale: float = 1.0

    def weights(self, shape: tuple[int, int], rng: RNG) -> np.ndarray:
        fan_out, fan_in = shape
        if self.name == "zeros":
            return np.zeros(shape)
        if self.name == "glorot_uniform":
            limit = self.scale * math.sqrt(6.0 / (fan_in + fan_out))
            return rng.uniform(-limit, limit, size=shape)
        draws = rng.standard_normal(size=shape)
        # each product written exactly as the course computes it, so seeded draws match bit for bit
        if self.name == "random":
            W = draws * self.scale
        elif self.name == "he":
            W = draws * math.sqrt(2.0 / fan_in)
        elif self.name == "lecun":
            W = draws / math.sqrt(fan_in)
        else:  # glorot_normal
            W = draws * math.sqrt(2.0 / (fan_in + fan_out))
        return W if (self.scale == 1.0 or self.name == "random") else W * self.scale

    def describe(self) -> str:
        return self.name if self.scale == 1.0 else f"{self.name}(scale={self.scale:g})"


_ALIASES = {
    "zeros": "zeros", "zero": "zeros",
    "random": "random", "large_random": "random", "normal": "random",
    "he": "he", "he_normal": "he", "kaiming": "he",
    "lecun": "lecun", "lecun_normal": "lecun",
    "xavier": "glorot_normal", "glorot": "glorot_normal", "glorot_normal": "glorot_normal", "xavier_normal": "glorot_normal",
    "glorot_uniform": "glorot_uniform", "xavier_uniform": "glorot_uniform",
}

INITIALIZERS = tuple(sorted(_ALIASES))
"""Every name an initializer goes by (aliases included)."""

INITIALIZER_NAMES = ("zeros", "random", "he", "lecun", "glorot_normal", "glorot_uniform")
"""The initializers themselves; :data:`INITIALIZERS` adds their aliases (xavier = glorot_normal, ...)."""


def get_initializer(init: Any, scale: float | None = None) -> Initializer:
    """An :class:`Initializer` from a name (see the table above) or an Initializer."""
    if isinstance(init, Initializer):
        return init
    key = _ALIASES[choice("init", init, _ALIASES)]
    if scale is None:
        scale = 10.0 if key == "random" else 1.0
    return Initializer(key, real("init_scale", scale, low=0.0))
