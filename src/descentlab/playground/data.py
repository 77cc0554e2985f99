"""The playground's data: a 2-D data set, its noise and split, and the features the network sees.

>>> from descentlab.playground.data import make_data
>>> d = make_data({"data": "circles", "features": ["x1", "x2", "x1sq"]})
>>> d.X_train.shape, d.inputs(d.X_train).shape
((300, 2), (300, 3))

``make_data(settings)`` is what the exported Python code calls, so a run can be
reproduced outside the playground. Data sets:

- ``circles``, ``moons``, ``football``: the course's data (``descentlab.datasets``),
  with the course's own train/test split (``split=None``; moons has no test set);
  ``noise`` > 0 adds Gaussian jitter of ``noise`` x the features' standard deviation
  (drawn with ``dseed``);
- ``spiral``, ``xor``, ``gaussian``: generated (``descentlab.datasets.synthetic``),
  ``n`` points, ``noise`` as TensorFlow Playground's slider (0-1), seed ``dseed``;
  ``split=None`` holds out half for testing, as TensorFlow Playground does;
- ``upload``: a CSV the user uploaded (two feature columns and a label), parsed by
  ``descentlab.datasets.load_csv_text``; ``split=None`` holds out 20 %.

``split`` (a fraction in [0, 0.9]) pools train and test and holds out that fraction,
drawn with ``dseed``. ``features`` are TensorFlow Playground's inputs
(:data:`FEATURES`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import numpy as np

from .. import _checks as check
from ..datasets import Dataset
from ..datasets.synthetic import GENERATORS
from ..errors import InputError

FEATURES: dict[str, tuple[str, Callable[[np.ndarray], np.ndarray]]] = {
    "x1": ("x₁", lambda X: X[:, 0]),
    "x2": ("x₂", lambda X: X[:, 1]),
    "x1sq": ("x₁²", lambda X: X[:, 0] ** 2),
    "x2sq": ("x₂²", lambda X: X[:, 1] ** 2),
    "x1x2": ("x₁x₂", lambda X: X[:, 0] * X[:, 1]),
    "sinx1": ("sin(x₁)", lambda X: np.sin(X[:, 0])),
    "sinx2": ("sin(x₂)", lambda X: np.sin(X[:, 1])),
}
"""The input features the network can see, by name: (label, function of the raw points (m, 2))."""

COURSE_DATA = ("circles", "moons", "football")
DATA_SETS = COURSE_DATA + tuple(GENERATORS) + ("upload",)
DEFAULT_SPLIT = {"upload": 0.2, **{name: 0.5 for name in GENERATORS}}
_COURSE_CACHE: dict[str, Dataset] = {}


@dataclass
class PlayData:
    """Raw 2-D points (train and test), their labels, and the features the network sees.

    ``kind`` is "binary" (labels 0/1), "multiclass" (labels 0..C-1) or "regression" (real targets).
    """

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray | None
    y_test: np.ndarray | None
    class_names: list[str]
    features: tuple[str, ...]
    description: str

    @property
    def kind(self) -> str:
        if not self.class_names:
            return "regression"
        return "binary" if len(self.class_names) <= 2 else "multiclass"

    @property
    def output(self) -> str:
        return {"binary": "sigmoid", "multiclass": "softmax", "regression": "linear"}[self.kind]

    @property
    def n_outputs(self) -> int:
        return len(self.class_names) if self.kind == "multiclass" else 1

    def inputs(self, X: np.ndarray) -> np.ndarray:
        """The network's inputs (m, len(features)) from raw points X (m, 2)."""
        return np.column_stack([FEATURES[f][1](X) for f in self.features]).astype(np.float64)

    def extent(self) -> tuple[float, float, float, float]:
        """(x1 min, x1 max, x2 min, x2 max) of a square view around every point, with a 10 % margin."""
        pts = self.X_train if self.X_test is None else np.concatenate([self.X_train, self.X_test])
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        center, half = (lo + hi) / 2, max(float((hi - lo).max()) / 2, 1e-6) * 1.1
        return (float(center[0] - half), float(center[0] + half), float(center[1] - half), float(center[1] + half))

    def grid(self, size: int) -> np.ndarray:
        """Raw points of a size x size grid over :meth:`extent`, row-major from the top (x2 max) down."""
        x0, x1, y0, y1 = self.extent()
        xs = x0 + (np.arange(size) + 0.5) * (x1 - x0) / size
        ys = y1 - (np.arange(size) + 0.5) * (y1 - y0) / size
        gx, gy = np.meshgrid(xs, ys)
        return np.column_stack([gx.ravel(), gy.ravel()])

    def dataset(self) -> Dataset:
        """The network's view: a :class:`~descentlab.datasets.Dataset` of the features (what training sees)."""
        has_test = self.X_test is not None and len(self.X_test) > 0
        return Dataset(self.name, self.inputs(self.X_train), self.y_train,
                       self.inputs(self.X_test) if has_test else None, self.y_test if has_test else None,
                       list(self.class_names), None, self.description, "descentlab playground")


def make_data(settings: Mapping[str, Any], upload: Dataset | None = None) -> PlayData:
    """The data of ``settings`` (keys data, n, noise, split, dseed, features; see the module docstring)."""
    name = check.choice("data", settings.get("data", "circles"), DATA_SETS)
    n = check.integer("n", settings.get("n", 400), low=2)
    noise = check.real("noise", settings.get("noise", 0.0), low=0.0, high=1.0)
    split = settings.get("split")
    split = None if split is None else check.real("split", split, low=0.0, high=0.9)
    dseed = check.integer("dseed", settings.get("dseed", 0), low=0, high=2**32 - 1)
    features = check_features(settings.get("features", ("x1", "x2")))
    rng = np.random.default_rng([dseed, 7])  # the jitter and split stream (the generators use dseed itself)
    if name in GENERATORS:
        X, y = GENERATORS[name](n=n, noise=noise, seed=dseed)
        Xtr, ytr, Xte, yte = _split(X, y, DEFAULT_SPLIT[name] if split is None else split, rng)
        names, what = ["0", "1"], f"{name}: {n} generated points, noise {noise:g}"
    else:
        ds = _course(name) if name != "upload" else upload
        if ds is None:
            raise InputError("data: expected an uploaded CSV first (upload a file), received 'upload' with none")
        Xtr, ytr, Xte, yte, names = ds.X_train, ds.y_train, ds.X_test, ds.y_test, list(ds.class_names)
        if noise:
            Xtr, Xte = _jitter(Xtr, noise, rng), None if Xte is None else _jitter(Xte, noise, rng)
        if split is not None or (name == "upload" and Xte is None):
            X = Xtr if Xte is None else np.concatenate([Xtr, Xte])
            y = ytr if yte is None else np.concatenate([ytr, yte])
            Xtr, ytr, Xte, yte = _split(X, y, DEFAULT_SPLIT["upload"] if split is None else split, rng)
        what = ds.description + (f"; Gaussian jitter {noise:g} std" if noise else "")
    return PlayData(name, Xtr, ytr, Xte, yte, names, features, what)


def check_features(value: Any) -> tuple[str, ...]:
    """A non-empty list of distinct names of :data:`FEATURES`, in the table's order."""
    if isinstance(value, str):
        value = [v for v in value.split(",") if v.strip()]
    if not isinstance(value, (list, tuple)) or not value:
        raise check.fail("features", value, f"a non-empty list of {list(FEATURES)}")
    names = {check.choice("features", v, FEATURES) for v in value}
    return tuple(f for f in FEATURES if f in names)


def _course(name: str) -> Dataset:
    if name not in _COURSE_CACHE:
        from ..datasets import load
        _COURSE_CACHE[name] = load(name)
    return _COURSE_CACHE[name]


def _jitter(X: np.ndarray, noise: float, rng: np.random.Generator) -> np.ndarray:
    return X + noise * X.std(axis=0) * rng.standard_normal(X.shape)


def _split(X: np.ndarray, y: np.ndarray, fraction: float, rng: np.random.Generator) -> tuple:
    """Hold out round(fraction · m) points (at least one on each side when fraction > 0), drawn with ``rng``."""
    m = len(X)
    n_test = 0 if fraction == 0 else min(max(int(math.floor(fraction * m + 0.5)), 1), m - 1)
    order = rng.permutation(m)
    test, train = order[:n_test], order[n_test:]
    if n_test == 0:
        return X, y, None, None
    return X[train], y[train], X[test], y[test]
