"""The course's small 2-D data sets, vendored as .npz (see ``descentlab/data/SOURCES.md``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ._base import Dataset
from ._vendored import load_arrays, verified_path

CIRCLES_SOURCE = ("scikit-learn make_circles as the course's Initialization assignment calls it: "
                  "np.random.seed(1); make_circles(n_samples=300, noise=.05) for train, "
                  "np.random.seed(2); make_circles(n_samples=100, noise=.05) for test "
                  "(vendored arrays descentlab/data/circles.npz)")
MOONS_SOURCE = ("scikit-learn make_moons as the course's Optimization assignment calls it: "
                "np.random.seed(3); make_moons(n_samples=300, noise=.2) (vendored arrays descentlab/data/moons.npz)")
FOOTBALL_SOURCE = ("course file datasets/data.mat of the Regularization assignment (sha256 1218828095bf91d2...): "
                   "X, y -> train, Xval, yval -> test (vendored as descentlab/data/football.npz)")


def _split(arrays: dict[str, np.ndarray], split: str) -> tuple[np.ndarray | None, np.ndarray | None]:
    X, y = arrays.get(f"X_{split}"), arrays.get(f"y_{split}")
    if X is None:
        return None, None
    return np.ascontiguousarray(X, dtype=np.float64), np.ascontiguousarray(y, dtype=np.int64)


def _from_npz(file: str, name: str, description: str, source: str, class_names: list[str]) -> Dataset:
    arrays = load_arrays(file)
    X_train, y_train = _split(arrays, "train")
    X_test, y_test = _split(arrays, "test")
    return Dataset(name, X_train, y_train, X_test, y_test, class_names, None, description, source)


def load_circles() -> Dataset:
    """Two noisy concentric circles: X_train (300, 2), X_test (100, 2), labels 0 (outer) / 1 (inner)."""
    return _from_npz("circles.npz", "circles", "2-D points on two noisy concentric circles (Initialization assignment)",
                     CIRCLES_SOURCE, ["outer", "inner"])


def load_moons() -> Dataset:
    """Two interleaved noisy half-moons: X_train (300, 2), labels 0 / 1; no test split (X_test is None)."""
    return _from_npz("moons.npz", "moons", "2-D points on two interleaved noisy half-moons (Optimization assignment)",
                     MOONS_SOURCE, ["0", "1"])


def load_football() -> Dataset:
    """Where the French goalkeeper kicked: X_train (211, 2), X_test (200, 2); 1 = a French player headed it."""
    return _from_npz("football.npz", "football",
                     "2-D kick positions; 1 = a French player headed the ball (Regularization assignment)",
                     FOOTBALL_SOURCE, ["other team", "France"])


def sample_image_path() -> Path:
    """Path of the course's ``thumbs_up.jpg`` (3024 x 3024 RGB JPEG), checksum verified."""
    return verified_path("thumbs_up.jpg")
