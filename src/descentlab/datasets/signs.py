"""The SIGNS hand-sign photos (64 x 64 x 3, classes 0-5 = number of raised fingers).

Default training set: the 1080 Stanford CS230 "64x64_SIGNS" photos (``train_signs`` + ``val_signs``),
the same photos as the course's ``train_signs.h5`` but re-encoded as JPEG, so NOT pixel-identical to
it (see ``descentlab/data/SOURCES.md``). Default test set: the course's own ``test_signs.h5``.
Users who own the course files can pass them as ``train_path`` / ``test_path``.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from ..core import memory
from ..errors import DataFileError
from . import _base
from ._base import Dataset, existing_path, names_for
from ._vendored import read_verified, sha256_file

IMAGE_SHAPE = (64, 64, 3)
N_CLASSES = 6
TRAIN_ZIP = "signs_train_jpeg.zip"
TEST_H5 = "signs_test.h5"
# sha256 of the official course files (Git LFS pointers of the course repository; see SOURCES.md).
OFFICIAL_TRAIN_SHA256 = "47480709d99f2ea6ae428ecc491fc6f65ff1d05336736dd859d5565e0ad3cf74"
OFFICIAL_TEST_SHA256 = "539fb746ed9e947eb244cfca73f4d1b03f9bf5524d609eeed2cd76ddb1b179be"
CLASS_NAMES = names_for(N_CLASSES)
DESCRIPTION = "64x64 RGB photos of hands showing 0 to 5 fingers (class k = k fingers), flattened to 12288 uint8"


def load_signs(train_path: Any = None, test_path: Any = None) -> Dataset:
    """SIGNS: X_train (1080, 12288) uint8, X_test (120, 12288) uint8, labels 0-5, image_shape (64, 64, 3).

    Each row is one 64 x 64 x 3 photo flattened in C order (``X.reshape(-1, 64, 64, 3)`` restores it).

    Args:
        train_path: None for the vendored CS230 photos (sorted by file name), or a course-style
            ``train_signs.h5`` (datasets ``train_set_x`` (m, 64, 64, 3) uint8, ``train_set_y`` (m,)).
        test_path: None for the vendored course ``test_signs.h5``, or a file with ``test_set_x``/``test_set_y``.
    """
    if train_path is None:
        X_train, y_train = _vendored_train()
        train_src = (f"train: 1080 CS230 64x64_SIGNS JPEGs (train_signs + val_signs, vendored {TRAIN_ZIP}), "
                     "a stand-in for the course's train_signs.h5: same photos, not pixel-identical, other order")
    else:
        path = existing_path("train_path", train_path)
        X_train, y_train = read_course_h5(path, "train", "train_path")
        train_src = f"train: {path}" + _official_note(path, OFFICIAL_TRAIN_SHA256, "train_signs.h5")
    if test_path is None:
        X_test, y_test = read_course_h5(io.BytesIO(read_verified(TEST_H5)), "test", "test_path", shown=TEST_H5)
        test_src = f"test: the course's official test_signs.h5 (sha256 {OFFICIAL_TEST_SHA256}, vendored {TEST_H5})"
    else:
        path = existing_path("test_path", test_path)
        X_test, y_test = read_course_h5(path, "test", "test_path")
        test_src = f"test: {path}" + _official_note(path, OFFICIAL_TEST_SHA256, "test_signs.h5")
    return Dataset("signs", X_train, y_train, X_test, y_test, list(CLASS_NAMES), IMAGE_SHAPE, DESCRIPTION,
                   f"{train_src}; {test_src}")


def _official_note(path: Path, official: str, course_name: str) -> str:
    if sha256_file(path) == official:
        return f" (the course's official {course_name}, sha256 {official})"
    return f" (not the course's official {course_name}: its sha256 differs)"


# ------------------------------------------------------------------------------------ vendored JPEGs
def _vendored_train() -> tuple[np.ndarray, np.ndarray]:
    """The 1080 CS230 photos: X (1080, 12288) uint8 and y (1080,) int64, sorted by file name."""
    data = read_verified(TRAIN_ZIP)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        infos = sorted((i for i in zf.infolist() if not i.is_dir()), key=lambda i: PurePosixPath(i.filename).name)
        X = np.empty((len(infos), int(np.prod(IMAGE_SHAPE))), np.uint8)
        y = np.empty(len(infos), np.int64)
        for row, info in enumerate(infos):
            y[row] = _label_from_name(info.filename)
            X[row] = _decode_jpeg(zf.read(info), info.filename).reshape(-1)
    return X, y


def _label_from_name(name: str) -> int:
    first = PurePosixPath(name).name[:1]
    if not first.isdigit() or int(first) >= N_CLASSES:
        raise DataFileError(f"{TRAIN_ZIP}: expected entries named '<0-5>_...jpg', received '{name}'")
    return int(first)


def _decode_jpeg(data: bytes, name: str) -> np.ndarray:
    from PIL import Image

    with Image.open(io.BytesIO(data), formats=["JPEG"]) as im:
        arr = np.asarray(im.convert("RGB"))
    if arr.shape != IMAGE_SHAPE:
        raise DataFileError(f"{TRAIN_ZIP}/{name}: expected a {IMAGE_SHAPE} image, received shape {arr.shape}")
    return arr


# ------------------------------------------------------------------------------------ course .h5 files
def read_course_h5(source: Any, split: str, arg: str, *, shown: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``{split}_set_x`` (m, 64, 64, 3) uint8 and ``{split}_set_y`` from a course-style h5 file.

    Returns X (m, 12288) uint8 (C-order flattening) and y (m,) int64. Every problem (not an HDF5
    file, missing keys, wrong shape/dtype, labels outside 0-5) raises DataFileError naming the file.
    """
    import h5py

    where = f"{arg} '{shown or source}'"
    x_key, y_key = f"{split}_set_x", f"{split}_set_y"
    try:
        fh = h5py.File(source, "r")
    except Exception as exc:  # h5py raises OSError (and others) for non-HDF5 input
        raise DataFileError(f"{where}: expected an HDF5 (.h5) file, received a file h5py cannot open ({exc})") from exc
    with fh:
        found = sorted(fh.keys())
        missing = [k for k in (x_key, y_key) if k not in fh or not isinstance(fh[k], h5py.Dataset)]
        if missing:
            raise DataFileError(f"{where}: expected datasets {x_key} and {y_key} (course {split}_signs.h5 layout), "
                                f"received keys {found}")
        dx, dy = fh[x_key], fh[y_key]
        _check_x(where, x_key, dx.shape, dx.dtype)
        m = dx.shape[0]
        _check_size(where, x_key, m)  # a compressed dataset may declare far more than the file holds
        _check_y_meta(where, y_key, dy.shape, dy.dtype, m)
        try:
            X = np.asarray(dx[()], dtype=np.uint8)
            y = np.asarray(dy[()]).reshape(-1)
        except Exception as exc:
            raise DataFileError(f"{where}: expected readable datasets {x_key} and {y_key}, "
                                f"received an error while reading them ({exc})") from exc
    _check_labels(where, y_key, y)
    return np.ascontiguousarray(X.reshape(m, -1)), y.astype(np.int64)


def _check_size(where: str, key: str, m: int) -> None:
    nbytes = m * int(np.prod(IMAGE_SHAPE))
    if nbytes > _base.MAX_DATA_BYTES:
        raise DataFileError(f"{where}: expected {key} of at most {_base.MAX_DATA_BYTES} bytes (the limit), "
                            f"received {m} images ({nbytes} bytes)")
    memory.require(nbytes, key, f"{m} images of 64x64x3", "images")


def _check_x(where: str, key: str, shape: tuple[int, ...], dtype: np.dtype) -> None:
    if len(shape) != 4 or shape[1:] != IMAGE_SHAPE or shape[0] < 1:
        raise DataFileError(f"{where}: expected {key} of shape (m, 64, 64, 3), received shape {shape}")
    if dtype != np.uint8:
        raise DataFileError(f"{where}: expected {key} of dtype uint8, received dtype {dtype}")


def _check_y_meta(where: str, key: str, shape: tuple[int, ...], dtype: np.dtype, m: int) -> None:
    if shape not in ((m,), (1, m), (m, 1)):
        raise DataFileError(f"{where}: expected {key} of shape ({m},), one label per image, received shape {shape}")
    if dtype.kind not in "iu":
        raise DataFileError(f"{where}: expected {key} of an integer dtype, received dtype {dtype}")


def _check_labels(where: str, key: str, y: np.ndarray) -> None:
    bad = np.flatnonzero((y < 0) | (y >= N_CLASSES))
    if bad.size:
        raise DataFileError(f"{where}: expected {key} labels in 0..{N_CLASSES - 1}, "
                            f"received {y[bad[0]]} at index {bad[0]}")
