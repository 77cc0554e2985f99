"""Data sets: the course's data (vendored, checksum-verified) and loaders for your own files.

Every loader returns a :class:`Dataset` in descentlab's layout: ``X`` (m, n_x), one example per
row, and labels ``y`` (m,) int64.

>>> from descentlab import datasets
>>> ds = datasets.load("circles")
>>> ds.X_train.shape, ds.y_train.shape, ds.X_test.shape
((300, 2), (300,), (100, 2))

Built-in names (see ``DATASETS``): circles, moons, football, signs. ``load`` also accepts a path
to a .csv or .npz file or to an image folder. Provenance and checksums of the vendored files:
``descentlab/data/SOURCES.md`` and ``descentlab/data/SHA256SUMS``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

from .._checks import did_you_mean
from ..errors import DataFileError, InputError
from ._base import Dataset
from .builtin import load_circles, load_football, load_moons, sample_image_path
from .folders import load_image_folder
from .signs import load_signs
from .tables import load_csv, load_csv_text, load_npz

__all__ = [
    "Dataset", "DATASETS", "load", "load_circles", "load_moons", "load_football", "load_signs",
    "load_csv", "load_csv_text", "load_npz", "load_image_folder", "sample_image_path",
]

DATASETS: dict[str, str] = {
    "circles": "2 noisy concentric circles, 300 train / 100 test points, 2 features, 2 classes (Initialization)",
    "moons": "2 interleaved noisy half-moons, 300 points, 2 features, 2 classes, no test split (Optimization)",
    "football": "French football kicks, 211 train / 200 test points, 2 features, 2 classes (Regularization)",
    "signs": "hand signs 0-5, 1080 train / 120 test 64x64 RGB photos, 12288 features, 6 classes (TensorFlow)",
}

_LOADERS: dict[str, Callable[..., Dataset]] = {
    "circles": load_circles, "moons": load_moons, "football": load_football, "signs": load_signs,
}


def load(name: Any, **kwargs: Any) -> Dataset:
    """A built-in data set by name, or a user's .csv / .npz file or image folder by path.

    Keyword arguments go to the loader (e.g. ``load("signs", train_path="train_signs.h5")``,
    ``load("table.csv", target="label")``). Built-in names win over same-named paths.
    """
    if isinstance(name, str) and name.strip().lower() in _LOADERS:
        key = name.strip().lower()
        return _LOADERS[key](**_options(_LOADERS[key], kwargs, f"the built-in data set '{key}'"))
    expected = f"one of {sorted(DATASETS)}, or a path to a .csv/.npz file or an image folder"
    if not isinstance(name, (str, os.PathLike)):
        raise DataFileError(f"name: expected {expected}, received {name!r}")
    path = Path(name).expanduser()
    if path.is_dir():
        return load_image_folder(path, **_options(load_image_folder, kwargs, f"the image folder '{path}'"))
    suffix = path.suffix.lower()
    if path.is_file() and suffix == ".csv":
        return load_csv(path, **_options(load_csv, kwargs, f"the CSV file '{path}'"))
    if path.is_file() and suffix == ".npz":
        return load_npz(path, **_options(load_npz, kwargs, f"the NumPy archive '{path}'"))
    if path.is_file():
        raise DataFileError(f"name: expected {expected}, received '{name}' (a file with another extension)")
    if suffix or os.sep in str(name) or (os.altsep and os.altsep in str(name)):
        raise DataFileError(f"name: the file '{name}' does not exist (expected {expected})")
    raise DataFileError(f"name: there is no such data set, file or folder as '{name}' (expected {expected})"
                        f"{did_you_mean(str(name), DATASETS)}")


_OPTION_MEANING = {"target": "the label column of a .csv file"}


def _options(loader: Callable[..., Dataset], options: dict[str, Any], what: str) -> dict[str, Any]:
    """``options`` if ``loader`` takes them all; else one InputError saying which option does not apply to ``what``."""
    import inspect
    accepted = [p for p in inspect.signature(loader).parameters if p not in ("path", "name")]
    for key, value in options.items():
        if key not in accepted:
            meaning = f" ({key} selects {_OPTION_MEANING[key]})" if key in _OPTION_MEANING else ""
            takes = f"it takes {', '.join(accepted)}" if accepted else "it takes no options: its labels come with it"
            raise InputError(f"{key}: expected no {key} for {what}{meaning}; {takes}; received {key}={value!r}")
    return options
