"""Input preprocessing that travels with a model, so predictions on raw inputs are right.

A network with ``preprocessing`` set applies it to every raw input before the
first layer, in training and in prediction alike, and the model file stores it:

- ``Scale(factor)``: x * factor (the course's /255 is ``Scale(1/255)``);
- ``Standardize(mean, std)``: (x - mean) / std per feature, with statistics
  computed from the *training* set only (``Standardize.fit(X_train)``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._checks import fail, real


@dataclass(frozen=True)
class Scale:
    """x * factor, with factor a finite number > 0 (checked: a zero or NaN factor would erase the inputs)."""

    factor: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "factor", real("scale", self.factor, low=0.0, low_open=True))

    def __call__(self, X: np.ndarray) -> np.ndarray:
        return X * self.factor

    def apply_(self, X: np.ndarray) -> None:
        """Scale X in place, in its own dtype."""
        X *= X.dtype.type(self.factor)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "scale", "factor": self.factor}

    def arrays(self) -> dict[str, np.ndarray]:
        return {}


@dataclass(frozen=True)
class Standardize:
    mean: np.ndarray = field(repr=False)
    std: np.ndarray = field(repr=False)

    @classmethod
    def fit(cls, X: np.ndarray, min_std: float = 1e-8) -> "Standardize":
        """Per-feature mean and standard deviation of the training inputs X (m, n_x)."""
        X = np.asarray(X)
        mean = X.mean(axis=0, dtype=np.float64)
        std = np.sqrt(np.mean((X - mean) ** 2, axis=0)) if X.size <= 4_000_000 else _chunked_std(X, mean)
        return cls(mean, np.where(std < min_std, 1.0, std))

    def __call__(self, X: np.ndarray) -> np.ndarray:
        return (X - self.mean.astype(X.dtype, copy=False)) / self.std.astype(X.dtype, copy=False)

    def apply_(self, X: np.ndarray) -> None:
        """Standardize X in place, in its own dtype (no float64 copy of a float32 data set)."""
        X -= self.mean.astype(X.dtype)
        X /= self.std.astype(X.dtype)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "standardize", "n_features": int(self.mean.size)}

    def arrays(self) -> dict[str, np.ndarray]:
        return {"preprocessing.mean": self.mean, "preprocessing.std": self.std}


def _chunked_std(X: np.ndarray, mean: np.ndarray, rows: int = 256) -> np.ndarray:
    """Standard deviation per column without a float64 copy of all of X."""
    total = np.zeros_like(mean)
    for start in range(0, len(X), rows):
        block = X[start:start + rows].astype(np.float64) - mean
        total += np.einsum("ij,ij->j", block, block)
    return np.sqrt(total / len(X))


Preprocessing = Scale | Standardize


def preprocessing_from(config: dict[str, Any] | None, arrays: dict[str, np.ndarray]) -> Preprocessing | None:
    """Rebuild preprocessing from a model file's header entry and tensors."""
    if config is None:
        return None
    kind = config.get("kind") if isinstance(config, dict) else None
    if kind == "scale":
        return Scale(config.get("factor"))
    if kind == "standardize":
        mean, std = arrays.get("preprocessing.mean"), arrays.get("preprocessing.std")
        if mean is None or std is None or mean.shape != std.shape or mean.ndim != 1:
            raise fail("preprocessing", config, "tensors preprocessing.mean and preprocessing.std of equal 1-D shape")
        if not (np.isfinite(mean).all() and np.isfinite(std).all() and (std > 0).all()):
            raise fail("preprocessing", "non-finite or non-positive statistics", "finite means and positive standard deviations")
        return Standardize(mean.astype(np.float64), std.astype(np.float64))
    raise fail("preprocessing", config, "kind 'scale' or 'standardize'")
