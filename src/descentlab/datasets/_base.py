"""The :class:`Dataset` record every loader returns, and the small helpers loaders share."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DataFileError

MAX_CLASSES = 10_000
"""The most classes a data set may have: more distinct labels is one DataFileError line (a label column of
whole numbers that are really values to predict, e.g. prices, would otherwise become thousands of classes)."""

MAX_DATA_BYTES = 2 * 1024**3
"""The most bytes of arrays a data file may expand to (.npz members, .h5 datasets), checked from their headers
before anything is read: a small compressed file cannot make a loader allocate gigabytes. ``load_npz(max_bytes=)``
changes it for one call."""


@dataclass(frozen=True, eq=False)
class Dataset:
    """A labelled data set in descentlab's layout: one example per row.

    Attributes:
        name: short name (``"circles"``, a file stem, ...).
        X_train: features, shape (m, n_x).
        y_train: labels, shape (m,), int64 (float64 only for a regression table).
        X_test, y_test: the test split, shapes (m_test, n_x) and (m_test,), or None.
        class_names: ``class_names[k]`` names label k (empty for regression targets).
        image_shape: (H, W, 3) when each row is a flattened (C order) image, else None.
        description: one line saying what the data is.
        source: where the data comes from (files, hashes, recipe).
        feature_names: the names of the feature columns of a table with a header, else None.
        target: the label column of a table: ``{"name": ..., "index": ...}`` (name None without
            a header), else None.
    """

    name: str
    X_train: np.ndarray = field(repr=False)
    y_train: np.ndarray = field(repr=False)
    X_test: np.ndarray | None = field(repr=False)
    y_test: np.ndarray | None = field(repr=False)
    class_names: list[str]
    image_shape: tuple[int, ...] | None
    description: str
    source: str
    feature_names: tuple[str, ...] | None = None
    target: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        _check_split(self.name, "train", self.X_train, self.y_train)
        if (self.X_test is None) != (self.y_test is None):
            raise DataFileError(f"{self.name}: expected X_test and y_test together, received only one of them")
        if self.X_test is not None:
            _check_split(self.name, "test", self.X_test, self.y_test)
            if self.X_test.shape[1] != self.X_train.shape[1]:
                raise DataFileError(f"{self.name}: expected X_test with {self.X_train.shape[1]} columns like X_train, "
                                    f"received {self.X_test.shape[1]}")
        if len(self.class_names) > MAX_CLASSES:
            raise DataFileError(f"{self.name}: expected at most {MAX_CLASSES} classes, received {len(self.class_names)}")
        if self.image_shape is not None and int(np.prod(self.image_shape)) != self.X_train.shape[1]:
            raise DataFileError(f"{self.name}: expected image_shape whose product is {self.X_train.shape[1]}, "
                                f"received {self.image_shape}")

    @property
    def n_features(self) -> int:
        return int(self.X_train.shape[1])

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    def __repr__(self) -> str:
        test = "no test split" if self.X_test is None else f"X_test {self.X_test.shape}"
        return (f"Dataset({self.name!r}: X_train {self.X_train.shape} {self.X_train.dtype}, {test}, "
                f"{self.n_classes} classes)")


def _check_split(name: str, split: str, X: Any, y: Any) -> None:
    if not isinstance(X, np.ndarray) or X.ndim != 2 or not isinstance(y, np.ndarray) or y.ndim != 1:
        raise DataFileError(f"{name}: expected X_{split} of shape (m, n_x) and y_{split} of shape (m,), "
                            f"received {_shape(X)} and {_shape(y)}")
    if len(X) != len(y):
        raise DataFileError(f"{name}: expected one label per row of X_{split} ({len(X)}), received {len(y)}")


def _shape(a: Any) -> str:
    return f"shape {a.shape}" if isinstance(a, np.ndarray) else type(a).__name__


def existing_path(name: str, value: Any, *, kind: str = "file") -> Path:
    """``value`` as a Path to an existing file (``kind="file"``) or directory (``kind="dir"``)."""
    if not isinstance(value, (str, os.PathLike)):
        raise DataFileError(f"{name}: expected a path to a {kind}, received {value!r} of type {type(value).__name__}")
    path = Path(value).expanduser()
    want_dir = kind == "dir"
    if not path.exists():
        raise DataFileError(f"{name}: expected an existing {'folder' if want_dir else 'file'}, received '{path}' "
                            "(no such file or folder)")
    if want_dir and not path.is_dir():
        raise DataFileError(f"{name}: expected a folder, received '{path}' (a file)")
    if not want_dir and not path.is_file():
        raise DataFileError(f"{name}: expected a file, received '{path}' (a folder)")
    return path


def classes_seen(where: str, labels: list[str] | np.ndarray) -> tuple[np.ndarray, list[str]]:
    """The distinct labels seen, sorted, as class names, and each label's class number 0..C-1 (LabelEncoder).

    ``labels`` are strings; names that are all whole numbers sort by value ("2" before "10"). More than
    :data:`MAX_CLASSES` distinct labels is one DataFileError line. Memory: O(number of labels), never
    O(the largest label).
    """
    values = np.asarray(labels, dtype=str)
    names, codes = np.unique(values, return_inverse=True)
    names = [str(n) for n in names]
    if names and all(n.isascii() and n.isdigit() for n in names):   # folder names "0", "2", "10": by value
        order = sorted(range(len(names)), key=lambda k: (len(names[k].lstrip("0")), names[k].lstrip("0"), names[k]))
        rank = np.empty(len(order), np.int64)
        rank[order] = np.arange(len(order))
        names, codes = [names[k] for k in order], rank[codes.reshape(-1)]
    if len(names) > MAX_CLASSES:
        raise DataFileError(f"{where}: expected at most {MAX_CLASSES} classes, received {len(names)} distinct labels "
                            f"(e.g. {', '.join(names[:3])}, ...); whole-number labels are read as classes")
    return np.asarray(codes, dtype=np.int64).reshape(-1), names


def names_for(n_classes: int) -> list[str]:
    """Default class names "0", "1", ..., str(n_classes - 1)."""
    return [str(k) for k in range(n_classes)]


def integer_labels(name: str, y: np.ndarray) -> np.ndarray | None:
    """``y`` as int64 when all its values are whole numbers (bool, int or integral float), else None."""
    if y.dtype.kind == "b":
        return y.astype(np.int64)
    if y.dtype.kind in "iu":
        return y.astype(np.int64)
    if y.dtype.kind == "f":
        if not np.isfinite(y).all():
            bad = int(np.flatnonzero(~np.isfinite(y))[0])
            raise DataFileError(f"{name}: expected finite labels, received {y[bad]} at index {bad}")
        if np.all(y == np.round(y)) and np.all(np.abs(y) < 2**53):
            return y.astype(np.int64)
        return None
    return None
