"""An uploaded CSV: checked, size-limited and parsed in memory by the project's own CSV loader."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _checks as check
from ..datasets import Dataset, load_csv_text
from ..errors import DataFileError, InputError
from .limits import Limits


def safe_name(name: Any) -> str:
    """The file's name for messages only: its last path part, printable, at most 80 characters."""
    if not isinstance(name, str) or not name.strip():
        return "upload.csv"
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if c.isprintable())[:80].strip()
    return base or "upload.csv"


def parse_upload(name: Any, data: bytes, limits: Limits) -> Dataset:
    """A Dataset from an uploaded CSV of two feature columns and a label (see ``descentlab.datasets.load_csv``).

    Refused, with a one-line message: more than ``limits.max_upload_bytes``, text that is not UTF-8, a
    malformed table, not exactly two feature columns, more than ``limits.max_points`` rows, more than
    ``limits.max_classes`` classes, or fewer than 4 rows.
    """
    shown = safe_name(name)
    if not isinstance(data, (bytes, bytearray)):
        raise check.fail_type("upload", data, "the bytes of a CSV file")
    if len(data) > limits.max_upload_bytes:
        raise InputError(f"upload '{shown}': expected a CSV of at most {limits.max_upload_bytes:,} bytes, "
                         f"received {len(data):,} bytes")
    try:
        text = bytes(data).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataFileError(f"file '{shown}': expected UTF-8 text, received undecodable bytes at offset {exc.start}") from None
    ds = load_csv_text(text, shown)
    m, n = ds.X_train.shape
    if n != 2:
        raise DataFileError(f"file '{shown}': expected two feature columns and a label (3 columns), received {n} "
                            "feature columns")
    if m > limits.max_points:
        raise DataFileError(f"file '{shown}': expected at most {limits.max_points:,} rows, received {m:,}")
    if m < 4:
        raise DataFileError(f"file '{shown}': expected at least 4 rows, received {m}")
    if len(ds.class_names) > limits.max_classes:
        raise DataFileError(f"file '{shown}': expected at most {limits.max_classes} classes, received "
                            f"{len(ds.class_names)}")
    if ds.class_names and len(np.unique(ds.y_train)) < 2:
        raise DataFileError(f"file '{shown}': expected at least two classes, received one ({ds.class_names})")
    return ds
