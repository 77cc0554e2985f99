"""User tables: CSV files (label in one column) and NumPy .npz archives (keys X, y).

Label rules, shared by both loaders (scikit-learn's ``LabelEncoder``):

- whole numbers and strings are class labels: the distinct labels seen, sorted, become
  0..C-1 and ``class_names`` holds them as strings (labels 0 and 2 are classes 0 and 1,
  named "0" and "2"); at most :data:`~descentlab.datasets._base.MAX_CLASSES` classes;
- numbers that are not whole (regression targets) stay float64 with ``class_names = []``.

A ``.npz`` archive is read member by member: each ``.npy`` header (shape, dtype) is read
first, and an archive whose arrays would expand past a limit, hold Python objects or a
dtype other than numbers or text, or whose headers disagree with their sizes is refused
before any array is built; members the loader does not use are never read.
"""

from __future__ import annotations

import csv
import io
import math
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from .. import _checks as check
from ..core import memory
from ..errors import DataFileError
from . import _base
from ._base import Dataset, classes_seen, existing_path, integer_labels

MISSING = frozenset({"", "na", "n/a", "nan", "null", "none", "?", "-", "--"})
CSV_BYTES_FACTOR = 20  # peak bytes of parsing per byte of CSV text (measured 16-17 with tracemalloc)


# ---------------------------------------------------------------------------------------------- labels
def encode_labels(where: str, y: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Labels (m,) from numbers or strings, and their class names (see the module docstring)."""
    if y.dtype.kind in "US":
        return classes_seen(where, y.astype(str))
    if y.dtype.kind not in "biuf":
        raise DataFileError(f"{where}: expected numeric or string labels, received dtype {y.dtype}")
    ints = integer_labels(where, y)
    if ints is None:
        return y.astype(np.float64), []
    values, codes = np.unique(ints, return_inverse=True)   # O(m): never sized by the largest label
    if len(values) > _base.MAX_CLASSES:
        classes_seen(where, [str(v) for v in values])         # the same one-line refusal
    return codes.reshape(-1).astype(np.int64), [str(v) for v in values]


def _summary(X: np.ndarray, class_names: list[str]) -> str:
    kind = f"{len(class_names)} classes" if class_names else "real-valued targets"
    return f"{X.shape[0]} rows, {X.shape[1]} features, {kind}"


# ------------------------------------------------------------------------------------------------- CSV
def load_csv(path: Any, target: int | str = -1, header: bool | str = "infer", *, delimiter: str = ",") -> Dataset:
    """A CSV table with numeric features and the label in one column.

    Args:
        path: the .csv file.
        target: the label column (default the last): an int is an index (negative counts from
            the end); a str is a column name, or, when the header has no column of exactly that
            name, an index written as text ("0", "-1", as from the command line).
        header: True (first row holds column names), False (no header), or "infer": detected
            from the data (:func:`detect_header`: a column whose first cell is text over numbers).
        delimiter: the cell separator.

    Returns a Dataset with X_train (m, n_x) float64 and y_train (m,) (see the module docstring),
    no test split, ``feature_names`` (with a header) and ``target`` (the label column's name and
    index); its description says which column is the label and how it was chosen. Empty files, ragged rows, missing values (empty, NA, nan, ...) and
    non-numeric feature cells raise DataFileError naming the file, the line and the column.
    """
    path = existing_path("path", path)
    if header not in ("infer", True, False):
        raise check.fail("header", header, "True, False or 'infer'")
    where = f"path '{path}'"
    return _table(_read_rows(path, where, delimiter), where, path.stem, path.name, str(path), target, header)


def load_csv_text(text: str, name: str = "table", target: int | str = -1, header: bool | str = "infer", *,
                  delimiter: str = ",") -> Dataset:
    """:func:`load_csv` on CSV text already in memory (an upload): the same rules and messages.

    ``name`` only names the table in messages and in the Dataset; nothing is read from or
    written to the file system.
    """
    if not isinstance(text, str):
        raise check.fail_type("text", text, "CSV text (str)")
    if header not in ("infer", True, False):
        raise check.fail("header", header, "True, False or 'infer'")
    where = f"file '{name}'"
    return _table(_parse_rows(text, where, delimiter), where, str(name).rsplit(".", 1)[0] or "table", str(name),
                  f"uploaded CSV {name}", target, header)


def _table(rows: list[tuple[int, list[str]]], where: str, stem: str, filename: str, source: str, target: Any,
           header: bool | str) -> Dataset:
    """The Dataset of a CSV table's rows (see :func:`load_csv`)."""
    n_cols = len(rows[0][1])
    has_header = detect_header(rows) if header == "infer" else header
    col, how = resolve_target(where, target, header_names(rows, has_header), n_cols, header)
    names = [c.strip() for c in rows[0][1]] if has_header else [str(j) for j in range(n_cols)]
    where_col = [f"column {j} ({n!r})" if has_header else f"column {j}" for j, n in enumerate(names)]
    data = rows[1:] if has_header else rows
    if not data:
        raise DataFileError(f"{where}: expected at least one data row after the header, received none")
    X = _features(where, data, [j for j in range(n_cols) if j != col], where_col)
    y_cells = _label_cells(where, data, col, where_col[col])
    y, class_names = encode_labels(f"{where}, {where_col[col]}", _label_array(y_cells))
    return Dataset(stem, X, y, None, None, class_names, None,
                   f"CSV table {filename}: {_summary(X, class_names)} (label: {where_col[col]}, {how})", source,
                   feature_names=tuple(n for j, n in enumerate(names) if j != col) if has_header else None,
                   target={"name": names[col] if has_header else None, "index": col})


def _read_rows(path: Path, where: str, delimiter: str, min_cols: int = 2) -> list[tuple[int, list[str]]]:
    """Non-blank rows as (line number, cells); every row must have as many cells as the first."""
    memory.require(CSV_BYTES_FACTOR * path.stat().st_size, "path", f"'{path}' ({path.stat().st_size} bytes)",
                   "a CSV table (parsing holds about 20 bytes per byte of text)")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataFileError(f"{where}: expected a UTF-8 text file, received undecodable bytes at offset {exc.start}") from exc
    except OSError as exc:
        raise DataFileError(f"{where}: expected a readable file, received an error ({exc})") from exc
    return _parse_rows(text, where, delimiter, min_cols)


def _parse_rows(text: str, where: str, delimiter: str, min_cols: int = 2) -> list[tuple[int, list[str]]]:
    """Non-blank rows of CSV text as (line number, cells); every row must have as many cells as the first."""
    if text.startswith("\ufeff"):
        text = text[1:]
    rows: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        for row in reader:
            if row and not (len(row) == 1 and not row[0].strip()):
                rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise DataFileError(f"{where}: expected well-formed CSV, received an error at line {reader.line_num} ({exc})") from exc
    if not rows:
        raise DataFileError(f"{where}: expected a CSV table, received an empty file")
    n_cols = len(rows[0][1])
    for line, row in rows:
        if len(row) != n_cols:
            raise DataFileError(f"{where}: expected {n_cols} cells on every row like line {rows[0][0]}, "
                                f"received {len(row)} on line {line}")
    if n_cols < min_cols:
        raise DataFileError(f"{where}: expected at least {min_cols} columns"
                            f"{' (features and a label)' if min_cols == 2 else ''}, received {n_cols}")
    return rows


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _cell_problem(cell: str) -> str | None:
    """Why one feature cell is not a finite number, or None when it is."""
    text = cell.strip()
    if text.lower() in MISSING:
        return f"a number, received a missing value {cell!r}"
    try:
        value = float(text)
    except ValueError:
        return f"a number, received {cell!r}"
    return None if np.isfinite(value) else f"a finite number, received {cell!r}"


def _features(where: str, data: list[tuple[int, list[str]]], cols: list[int], names: list[str]) -> np.ndarray:
    """The feature cells as float64 (m, len(cols)); the first bad cell raises DataFileError naming ``names[j]``."""
    cells = np.array([[row[j] for j in cols] for _, row in data], dtype=str)
    try:
        X = np.char.strip(cells).astype(np.float64)
        if np.isfinite(X).all():
            return X
    except ValueError:
        pass
    for line, row in data:  # slow path: find and name the first bad cell
        for j in cols:
            problem = _cell_problem(row[j])
            if problem is not None:
                raise DataFileError(f"{where}: line {line}, {names[j]}: expected {problem}")
    return np.array([[float(row[j]) for j in cols] for _, row in data], dtype=np.float64)


def _label_cells(where: str, data: list[tuple[int, list[str]]], col: int, column: str) -> list[str]:
    cells = [row[col].strip() for _, row in data]
    for (line, row), cell in zip(data, cells):
        if cell.lower() in MISSING:
            raise DataFileError(f"{where}: line {line}, {column}: expected a label, "
                                f"received a missing value {row[col]!r}")
    return cells


def _label_array(cells: list[str]) -> np.ndarray:
    """Numbers when every label cell is a finite number, else the strings."""
    try:
        values = np.array([float(c) for c in cells])
    except ValueError:
        return np.array(cells, dtype=str)
    return values if np.isfinite(values).all() else np.array(cells, dtype=str)


# ------------------------------------------------------------------ header, label column, feature names
HEADER_SAMPLE = 1000  # data rows compared with the first row to detect a header


def detect_header(rows: list[tuple[int, list[str]]]) -> bool:
    """Whether the first row is a header, judged from the data: in some column, the first row holds
    text (not a number, not a missing marker) while the rows below hold numbers (at least 90% of
    the present cells of the first :data:`HEADER_SAMPLE` rows). A file of one row is a header
    (with no data) only when none of its cells is a number.

    A header whose names are all numbers cannot be told from data: pass ``header=True``.
    """
    first, below = rows[0][1], rows[1:HEADER_SAMPLE + 1]
    if not below:
        return not any(_is_number(c) for c in first)
    for j, cell in enumerate(first):
        if _is_number(cell) or cell.strip().lower() in MISSING:
            continue
        present = [r[j] for _, r in below if r[j].strip().lower() not in MISSING]
        if present and sum(_is_number(c) for c in present) >= 0.9 * len(present):
            return True
    return False


def header_names(rows: list[tuple[int, list[str]]], has_header: bool) -> list[str] | None:
    """The stripped cells of the first row when it is a header, else None."""
    return [c.strip() for c in rows[0][1]] if has_header else None


def _is_int(text: str) -> bool:
    try:
        int(text.strip())
    except ValueError:
        return False
    return True


def resolve_target(where: str, target: Any, names: list[str] | None, n_cols: int,
                   header: bool | str = "infer") -> tuple[int, str]:
    """The label column's index, and how it was chosen ("by name", "by index").

    A str is a column name when the header has a column of exactly that name; otherwise a
    str that is an integer ("0", "-1") is an index. An int is an index (negative counts
    from the end).
    """
    if isinstance(target, str):
        text = target.strip()
        if names is not None and text in names:
            return names.index(text), "chosen by name" + (" (the header has a column of that name)" if _is_int(text)
                                                          else "")
        if not _is_int(text):
            if names is None:
                how = "header=False" if header is False else "no header row was detected (pass header=True if it has one)"
                raise DataFileError(f"target: expected a column index for {where} ({how}), received the name "
                                    f"{target!r}")
            raise DataFileError(f"target: expected one of the column names {names} of {where}, received "
                                f"{target!r}{check.did_you_mean(text, names)}")
        target = int(text)
    if isinstance(target, bool) or not isinstance(target, (int, np.integer)):
        raise check.fail_type("target", target, "a column index (int) or a column name (str)")
    if not -n_cols <= int(target) < n_cols:
        raise DataFileError(f"target: expected a column index in [{-n_cols}, {n_cols - 1}] for {where}, "
                            f"received {target}")
    return int(target) % n_cols, "chosen by index"


def load_csv_inputs(path: Any, n_features: int, *, feature_names: Any = None, target: Any = None,
                    recorded_target: dict[str, Any] | None = None, header: bool | str = "infer",
                    delimiter: str = ",") -> tuple[np.ndarray, str]:
    """The inputs X (m, n_features) of a CSV table for a trained model: what :func:`load_csv` read, without labels.

    The table may be the training file itself (with its label column) or features only, with or
    without a header. The label column is dropped when ``target`` names it (as in
    :func:`load_csv`), or when the model recorded it (``recorded_target``: its name, found in the
    header, or its index when the file has one column more than the model's inputs). When the
    model recorded ``feature_names`` and the file has a header, the columns are matched by name
    (any order); a missing or unexpected column is an error naming it. Returns X and a note
    saying which columns were used.
    """
    path = existing_path("path", path)
    where = f"path '{path}'"
    rows = _read_rows(path, where, delimiter, min_cols=1)
    n_cols = len(rows[0][1])
    has_header = detect_header(rows) if header == "infer" else header
    names = header_names(rows, has_header)
    drop, how = _label_column(where, target, recorded_target, names, n_cols, n_features)
    cols = [j for j in range(n_cols) if j != drop]
    if feature_names is not None and names is not None:
        cols = _by_name(where, [str(f) for f in feature_names], names, cols)
        how += "; features matched by name"
    elif len(cols) != n_features:
        dropped = f" after dropping the label column {drop}" if drop is not None else ""
        raise DataFileError(f"{where}: expected {n_features} feature columns{dropped}, as the model's input layer "
                            f"has, received {len(cols)} (the label column is dropped by --target / target= or by the "
                            "name the model recorded)")
    data = rows[1:] if has_header else rows
    if not data:
        raise DataFileError(f"{where}: expected at least one data row after the header, received none")
    where_col = [f"column {j} ({n!r})" if names else f"column {j}" for j, n in enumerate(names or [""] * n_cols)]
    return _features(where, data, cols, where_col), how


def _label_column(where: str, target: Any, recorded: dict[str, Any] | None, names: list[str] | None,
                  n_cols: int, n_features: int) -> tuple[int | None, str]:
    """Which column of an input table is the label (None: none), and a note saying why."""
    if target is not None:
        col, how = resolve_target(where, target, names, n_cols)
        return col, f"dropped the label column {col} ({how})"
    recorded = recorded or {}
    if names is not None and recorded.get("name") in names:
        col = names.index(recorded["name"])
        return col, f"dropped the label column {recorded['name']!r} (the name the model recorded)"
    index = recorded.get("index")
    if names is None and n_cols == n_features + 1 and isinstance(index, int) and 0 <= index < n_cols:
        return index, f"dropped the label column {index} (the index the model recorded)"
    return None, "no label column"


def _by_name(where: str, wanted: list[str], names: list[str], cols: list[int]) -> list[int]:
    """The columns of ``wanted`` names, in that order; missing or unexpected columns are errors."""
    present = {names[j]: j for j in cols}
    missing = [n for n in wanted if n not in present]
    extra = [n for n in present if n not in wanted]
    if missing or extra:
        parts = ([f"missing {missing}"] if missing else []) + ([f"unexpected {extra}"] if extra else [])
        raise DataFileError(f"{where}: expected the feature columns the model was trained on {wanted}, received "
                            f"columns {[names[j] for j in cols]} ({'; '.join(parts)})")
    return [present[n] for n in wanted]


def align_features(where: str, X: np.ndarray, names: Any, wanted: Any) -> np.ndarray:
    """The columns of X (named ``names``) in the order of ``wanted`` (a model's feature names), checked by name."""
    if names is None or wanted is None:
        return X
    names, wanted = [str(n) for n in names], [str(n) for n in wanted]
    order = _by_name(where, wanted, names, list(range(len(names))))
    return X[:, order]


# ------------------------------------------------------------------------------------------------- NPZ
NPZ_KEYS = ("X", "y", "X_train", "y_train", "X_test", "y_test", "class_names")
"""The arrays :func:`load_npz` reads; any other member of the archive is never read."""


def load_npz(path: Any, *, max_bytes: int | None = None) -> Dataset:
    """A NumPy archive with arrays ``X`` (m, n_x) and ``y`` (m,), optionally ``X_test``, ``y_test``, ``class_names``.

    ``X_train``/``y_train`` are accepted for ``X``/``y``. ``X`` may also be a stack of RGB images
    (m, H, W, 3), flattened to (m, H*W*3) with ``image_shape = (H, W, 3)``. Integer labels with a
    ``class_names`` array are class numbers into it; otherwise labels are encoded as the module
    docstring says. The archive is read safely (:func:`read_npz`): the arrays it would expand to are
    at most ``max_bytes`` (default :data:`~descentlab.datasets._base.MAX_DATA_BYTES`), numbers or text,
    never Python objects; anything else raises DataFileError.
    """
    path = existing_path("path", path)
    where = f"path '{path}'"
    arrays, members = read_npz(path, where, NPZ_KEYS, max_bytes=max_bytes)
    X_key = "X" if "X" in arrays else "X_train"
    y_key = "y" if "y" in arrays else "y_train"
    if X_key not in arrays or y_key not in arrays:
        raise DataFileError(f"{where}: expected arrays named X and y (or X_train and y_train), "
                            f"received keys {sorted(members)[:20]}")
    X, image_shape = _npz_features(where, X_key, arrays[X_key])
    y_raw = _npz_labels(where, y_key, arrays[y_key], X, arrays[X_key].shape)
    X_test = y_test_raw = None
    if ("X_test" in arrays) != ("y_test" in arrays):
        raise DataFileError(f"{where}: expected X_test and y_test together, received only one of them")
    if "X_test" in arrays:
        X_test, test_shape = _npz_features(where, "X_test", arrays["X_test"])
        if test_shape != image_shape or X_test.shape[1] != X.shape[1]:
            raise DataFileError(f"{where}: expected X_test with rows like X ({arrays[X_key].shape[1:]}), "
                                f"received shape {arrays['X_test'].shape}")
        y_test_raw = _npz_labels(where, "y_test", arrays["y_test"], X_test, arrays["X_test"].shape)
    y, y_test, class_names = _npz_classes(where, arrays.get("class_names"), y_raw, y_test_raw)
    return Dataset(path.stem, X, y, X_test, y_test, class_names, image_shape,
                   f"NumPy archive {path.name}: {_summary(X, class_names)}", str(path))


def read_npz(path: Any, where: str, keys: tuple[str, ...] = NPZ_KEYS, *,
             max_bytes: int | None = None) -> tuple[dict[str, np.ndarray], list[str]]:
    """The arrays ``keys`` of a .npz archive (those it has), and the names of all its arrays.

    Every wanted member's .npy header is read first: its dtype must be numbers or text (never
    Python objects), its size must agree with the archive's record of the member, and all of them
    together must fit in ``max_bytes`` and in memory, before any array is built. Not an archive,
    a single .npy file, a pickle, a truncated or corrupt archive: one DataFileError line.
    """
    limit = _base.MAX_DATA_BYTES if max_bytes is None else check.integer("max_bytes", max_bytes, low=1)
    try:
        with open(path, "rb") as fh:
            _not_npz(where, fh.read(8))
            fh.seek(0)
            with zipfile.ZipFile(fh) as zf:
                members = {i.filename[:-4]: i for i in zf.infolist() if i.filename.endswith(".npy")}
                plan = {k: _npy_header(where, zf, members[k], k) for k in keys if k in members}
                _check_total(where, plan, limit)
                for k, (nbytes, shape, dtype, header_bytes) in plan.items():
                    if header_bytes + nbytes != members[k].file_size:
                        raise DataFileError(f"{where}: array {k!r}: its header declares shape {shape} of {dtype} "
                                            f"({nbytes} bytes), the archive holds "
                                            f"{max(members[k].file_size - header_bytes, 0)} bytes for it (corrupt archive)")
                return {k: _npy_data(where, zf, members[k], k) for k in plan}, list(members)
    except DataFileError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, RuntimeError) as exc:
        raise DataFileError(f"{where}: expected a valid .npz archive (np.savez), received an unreadable file "
                            f"({type(exc).__name__}: {' '.join(str(exc).split())[:120]})") from None


def _not_npz(where: str, first: bytes) -> None:
    if first.startswith(b"\x93NUMPY"):
        raise DataFileError(f"{where}: expected an .npz archive (np.savez), received a single .npy array "
                            "(np.save); save it with np.savez(path, X=..., y=...)")
    if first[:1] == b"\x80":
        raise DataFileError(f"{where}: expected plain numeric arrays (np.savez), received pickled Python objects, "
                            "which are never loaded")


def _npy_header(where: str, zf: zipfile.ZipFile, info: zipfile.ZipInfo, key: str) -> tuple[int, tuple, np.dtype, int]:
    """(data bytes, shape, dtype, header bytes) of one member, from its .npy header alone; numbers or text only."""
    with zf.open(info) as fh:
        version = np.lib.format.read_magic(fh)
        if version not in ((1, 0), (2, 0)):
            raise DataFileError(f"{where}: array {key!r}: expected a .npy header of version 1.0 or 2.0, received {version}")
        read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, _, dtype = read(fh)
        header_bytes = fh.tell()
    if dtype.hasobject:
        raise DataFileError(f"{where}: array {key!r}: expected plain numeric arrays, received dtype {dtype} "
                            "(pickled Python objects, which are never loaded)")
    if dtype.kind not in "biufUS":
        raise DataFileError(f"{where}: array {key!r}: expected a dtype of numbers or text, received dtype {dtype}")
    return math.prod(shape) * dtype.itemsize, shape, dtype, header_bytes   # Python integers: no wrap-around


def _check_total(where: str, plan: dict[str, tuple[int, tuple, np.dtype, int]], limit: int) -> None:
    total = sum(p[0] for p in plan.values())
    if total > limit:
        sizes = ", ".join(f"{k} {p[1]} {p[2]}" for k, p in plan.items())
        raise DataFileError(f"{where}: expected arrays of at most {limit} bytes in all (the limit; "
                            f"load_npz(max_bytes=...) changes it), received arrays that expand to {total} bytes ({sizes})")
    memory.require(total, "path", str(where), "arrays")


def _npy_data(where: str, zf: zipfile.ZipFile, info: zipfile.ZipInfo, key: str) -> np.ndarray:
    """One member's array, read in chunks into its own buffer (never pickles)."""
    with zf.open(info) as fh:
        return np.lib.format.read_array(fh, allow_pickle=False)


def _npz_features(where: str, key: str, X: np.ndarray) -> tuple[np.ndarray, tuple[int, ...] | None]:
    image_shape = None
    if X.ndim == 4 and X.shape[-1] == 3:
        image_shape = tuple(int(d) for d in X.shape[1:])
        X = X.reshape(len(X), -1)
    if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
        raise DataFileError(f"{where}: expected {key} of shape (m, n_x) (or (m, H, W, 3) images), "
                            f"received shape {X.shape}")
    if X.dtype.kind not in "biuf":
        raise DataFileError(f"{where}: expected {key} of a numeric dtype, received dtype {X.dtype}")
    if X.dtype.kind == "f" and not np.isfinite(X).all():
        r, c = np.argwhere(~np.isfinite(X))[0]
        raise DataFileError(f"{where}: expected finite values in {key}, received {X[r, c]} at row {r}, column {c}")
    return (X.astype(np.uint8) if X.dtype.kind == "b" else X), image_shape


def _npz_labels(where: str, key: str, y: np.ndarray, X: np.ndarray, x_shape: tuple[int, ...]) -> np.ndarray:
    m = len(X)
    if y.ndim == 2 and 1 in y.shape:
        y = y.reshape(-1)
    if y.ndim != 1 or len(y) != m:
        hint = ""
        if len(x_shape) == 2 and x_shape[1] == y.size and x_shape[0] != y.size:
            hint = " (X looks like the course layout (n_x, m): pass X.T, one example per row)"
        raise DataFileError(f"{where}: expected {key} of shape ({m},), one label per row of X, "
                            f"received shape {y.shape}{hint}")
    return y


def _npz_classes(where: str, stored: np.ndarray | None, y: np.ndarray,
                 y_test: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None, list[str]]:
    """Labels and class names: the archive's class_names index integer labels; else train and test together."""
    both = y if y_test is None else np.concatenate([y, y_test])
    if stored is None:
        codes, names = encode_labels(f"{where}, array{'s y and y_test' if y_test is not None else ' y'}", both)
        return codes[:len(y)], (None if y_test is None else codes[len(y):]), names
    ints = integer_labels(where, both) if both.dtype.kind in "biuf" else None
    if ints is None:
        raise DataFileError(f"{where}: expected no class_names array when the labels are text or not whole numbers "
                            "(the label values become the class names), received one")
    if stored.ndim != 1 or stored.dtype.kind not in "US" or not 1 <= len(stored) <= _base.MAX_CLASSES:
        raise DataFileError(f"{where}: expected class_names as a 1-D array of 1 to {_base.MAX_CLASSES} strings, "
                            f"received shape {stored.shape} and dtype {stored.dtype}")
    names = [s.decode() if isinstance(s, bytes) else str(s) for s in stored.tolist()]
    bad = np.flatnonzero((ints < 0) | (ints >= len(names)))
    if bad.size:
        raise DataFileError(f"{where}: expected labels in 0..{len(names) - 1} that index class_names, "
                            f"received {ints[bad[0]]}")
    return ints[:len(y)], (None if y_test is None else ints[len(y):]), names
