"""Image folders: one subfolder per class, or flat files named ``<label>_<anything>.<ext>``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .. import _checks as check
from ..core import memory
from ..errors import DataFileError
from ..io.images import IMAGE_EXTENSIONS, check_size, load_image
from ._base import Dataset, classes_seen, existing_path

LAYOUTS = ("auto", "subfolders", "flat")


def load_image_folder(path: Any, size: tuple[int, int] = (64, 64), layout: str = "auto") -> Dataset:
    """Every image of a folder, cropped and resized like :func:`descentlab.io.images.load_image`.

    Layouts: ``"subfolders"`` (``path/<class>/<image>``), ``"flat"`` (``path/<label>_<name>.<ext>``,
    the label is the text before the first ``_``), or ``"auto"`` (whichever the folder has).
    The classes are the distinct names seen, sorted (names that are all whole numbers sort by value:
    "2" before "10"), numbered 0..C-1 like scikit-learn's ``LabelEncoder``; a folder named "999999999"
    is one class, not a billion. At most :data:`~descentlab.datasets._base.MAX_CLASSES` classes. Files
    whose extension is not an image extension and hidden files are skipped. The pixels of all images
    are checked against the memory limit before they are allocated.

    Returns a Dataset with X_train (m, H*W*3) uint8 (each row a (H, W, 3) image in C order),
    y_train (m,) int64, image_shape (H, W, 3) and no test split.
    """
    root = existing_path("path", path, kind="dir")
    height, width = check_size(size, allow_none=False)
    kind = check.choice("layout", layout, LAYOUTS)
    files = _images_in(root)
    class_dirs = [d for d in _visible(root) if d.is_dir() and _images_in(d)]
    if kind == "auto":
        kind = _detect(root, files, class_dirs)
    pairs = _flat(root, files) if kind == "flat" else _subfolders(root, class_dirs)
    labels, class_names = _label_numbers([name for name, _ in pairs])
    if kind == "subfolders":  # by class number, then file name
        order = np.argsort(labels, kind="stable")
        labels, pairs = labels[order], [pairs[i] for i in order]
    memory.require(len(pairs) * height * width * 3, "path", f"'{root}' ({len(pairs)} images)",
                   f"images resized to {height}x{width}")
    X = np.empty((len(pairs), height * width * 3), np.uint8)
    for row, (_, file) in enumerate(pairs):
        X[row] = load_image(file, (height, width)).reshape(-1)
    return Dataset(root.name or str(root), X, labels, None, None, class_names, (height, width, 3),
                   f"image folder {root.name}/ ({kind}): {len(pairs)} images, {len(class_names)} classes, "
                   f"resized to {height}x{width}", str(root))


def _visible(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if not p.name.startswith("."))


def _images_in(folder: Path) -> list[Path]:
    return [p for p in _visible(folder) if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS]


def _detect(root: Path, files: list[Path], class_dirs: list[Path]) -> str:
    if files and class_dirs:
        raise DataFileError(f"path '{root}': expected either class subfolders or flat labelled files, received both "
                            f"({len(files)} images at the top, {len(class_dirs)} subfolders with images); pass layout=")
    if not files and not class_dirs:
        raise DataFileError(f"path '{root}': expected image files ({', '.join(sorted(IMAGE_EXTENSIONS))}) in class "
                            "subfolders or named '<label>_<name>', received none")
    return "flat" if files else "subfolders"


def _flat(root: Path, files: list[Path]) -> list[tuple[str, Path]]:
    """(label text, file) for ``<label>_<rest>`` files, sorted by file name."""
    if not files:
        raise DataFileError(f"path '{root}': expected image files named '<label>_<name>' (layout='flat'), received none")
    pairs = []
    for f in files:
        label, sep, _ = f.name.partition("_")
        if not sep or not label:
            raise DataFileError(f"path '{root}': expected file names like '<label>_<name>{f.suffix}' "
                                f"(layout='flat'), received '{f.name}'")
        pairs.append((label, f))
    return pairs


def _subfolders(root: Path, class_dirs: list[Path]) -> list[tuple[str, Path]]:
    """(class folder name, file) for every image of every class folder, by class then file name."""
    if not class_dirs:
        raise DataFileError(f"path '{root}': expected class subfolders holding images (layout='subfolders'), "
                            "received none")
    return [(d.name, f) for d in class_dirs for f in _images_in(d)]


def _label_numbers(names: list[str]) -> tuple[np.ndarray, list[str]]:
    """Labels (m,) int64 and class names: the distinct names seen, sorted (whole numbers by value), as 0..C-1."""
    return classes_seen("path", names)
