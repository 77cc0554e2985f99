"""Reading and writing safetensors files with a descentlab JSON header, safely and reproducibly.

A file is a standard safetensors file (readable by the ``safetensors`` library
from NumPy, PyTorch or TensorFlow) whose ``__metadata__`` holds three strings:

- ``format``: ``descentlab.model`` or ``descentlab.checkpoint``;
- ``descentlab``: the JSON document (the model's description, a checkpoint's state);
- ``checksums``: JSON ``{"header": sha256 of the document, "tensors": {name: sha256 of its bytes}}``.

Writing is deterministic: the same tensors and document give the same bytes (keys
sorted, tensors in a fixed order, no hash-seeded container anywhere), so a sha256
of the file identifies a model. Reading never executes code and allocates no more
than the tensors themselves: the header is parsed as JSON within size limits, every
tensor entry is checked (float32 or float64, a shape whose size matches its byte
range, byte ranges that tile the data exactly, with no overlap and no gap) before any
array is built, each tensor is read straight into its array and checked against its
checksum, and any problem is a :class:`~descentlab.errors.ModelFileError` (one line,
naming the file). A file written before checksums existed loads with one
:class:`~descentlab.errors.UnverifiedFileWarning`.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import struct
import warnings
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from ..errors import ModelFileError, UnverifiedFileWarning
from .atomic import atomic_write
from .jsonsafe import nesting_depth

MAX_FILE_BYTES = 2 * 1024**3  # 2 GiB
MAX_HEADER_BYTES = 16 * 1024**2  # 16 MiB
MAX_TENSORS = 10_000
MAX_DEPTH = 64  # nesting of the JSON document
_DTYPES = {"F64": np.dtype("<f8"), "F32": np.dtype("<f4")}
_SIGNATURES = {
    b"PK\x03\x04": "a zip archive (a PyTorch .pt/.pth file or a NumPy .npz?)",
    b"\x89HDF": "an HDF5 file (a Keras .h5 file?)",
    b"\x93NUMPY": "a NumPy .npy file",
}


# ------------------------------------------------------------------------------------------- writing
def _code(name: str, arr: np.ndarray) -> str:
    for code, dt in _DTYPES.items():
        if arr.dtype.kind == "f" and arr.dtype.itemsize == dt.itemsize:
            return code
    raise ModelFileError(f"tensor {name!r}: expected float32 or float64 values, received dtype {arr.dtype}")


def _bytes_view(arr: np.ndarray) -> memoryview:
    """The little-endian bytes of a C-contiguous array, without a copy."""
    return memoryview(arr.reshape(-1)).cast("B")


def _layout(tensors: dict[str, np.ndarray]) -> tuple[dict[str, dict[str, Any]], list[np.ndarray]]:
    """Entries and little-endian arrays in file order: wider dtypes first (aligned), then by name."""
    prepared = {}
    for name, value in tensors.items():
        arr = np.asarray(value)
        code = _code(name, arr)
        prepared[name] = (code, np.ascontiguousarray(arr, dtype=_DTYPES[code]))
    order = sorted(prepared, key=lambda n: (-prepared[n][1].itemsize, n))
    entries, arrays, pos = {}, [], 0
    for name in order:
        code, arr = prepared[name]
        entries[name] = {"dtype": code, "shape": list(arr.shape), "data_offsets": [pos, pos + arr.nbytes]}
        arrays.append(arr)
        pos += arr.nbytes
    return entries, arrays


def encode_header(kind: str, header: dict[str, Any], tensors: dict[str, np.ndarray]) -> tuple[bytes, list[np.ndarray]]:
    """The file's first bytes (length, JSON header padded to 8 bytes) and its arrays in file order."""
    entries, arrays = _layout(tensors)
    doc = json.dumps(header, allow_nan=False, sort_keys=True)
    sums = {"header": hashlib.sha256(doc.encode("utf-8")).hexdigest(),
            "tensors": {name: hashlib.sha256(_bytes_view(a)).hexdigest() for name, a in zip(entries, arrays)}}
    meta = {"format": kind, "descentlab": doc, "checksums": json.dumps(sums, sort_keys=True)}
    head = json.dumps({"__metadata__": meta, **entries}, sort_keys=True, separators=(",", ":")).encode("utf-8")
    head += b" " * (-(8 + len(head)) % 8)
    return struct.pack("<Q", len(head)) + head, arrays


def write(path: str | os.PathLike, kind: str, header: dict[str, Any], tensors: dict[str, np.ndarray]) -> None:
    """Write ``tensors`` and the JSON ``header`` atomically as a safetensors file (deterministic bytes)."""
    prefix, arrays = encode_header(kind, header, tensors)

    def write_all(fh: BinaryIO) -> None:
        fh.write(prefix)
        for arr in arrays:
            fh.write(_bytes_view(arr))

    atomic_write(path, write_all)


def encode(kind: str, header: dict[str, Any], tensors: dict[str, np.ndarray]) -> bytes:
    """The bytes of the file :func:`write` writes (e.g. for a download), all in memory."""
    prefix, arrays = encode_header(kind, header, tensors)
    return b"".join([prefix, *(bytes(_bytes_view(a)) for a in arrays)])


# ------------------------------------------------------------------------------------------- reading
def _err(path: Path, what: str) -> ModelFileError:
    return ModelFileError(f"{path}: {what}")


def _file_size(path: Path, max_bytes: int) -> int:
    if not path.exists():
        raise _err(path, "no such file")
    if not path.is_file():
        raise _err(path, "not a regular file")
    size = path.stat().st_size
    if size > max_bytes:
        raise _err(path, f"file of {size} bytes is larger than the limit of {max_bytes} bytes")
    return size


def _looks_like(data: bytes) -> str | None:
    """What a file that is not safetensors seems to be, for the error message."""
    if data[:1] == b"\x80" and data[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        return "a Python pickle (descentlab never loads pickles)"
    for magic, what in _SIGNATURES.items():
        if data.startswith(magic):
            return what
    return None


def _read_header(path: Path, fh: BinaryIO, size: int) -> tuple[dict[str, Any], int]:
    """The safetensors header (a JSON object) and the offset where the data begin."""
    first = fh.read(16)
    n = struct.unpack("<Q", first[:8])[0] if len(first) >= 8 else None
    if n is None or n > MAX_HEADER_BYTES or 8 + n > size or first[8:9] != b"{":
        what = _looks_like(first)
        if what is not None:
            raise _err(path, f"expected a safetensors file, received {what}")
        if n is None:
            raise _err(path, f"expected a safetensors file, received {size} bytes (truncated?)")
        raise _err(path, f"expected a header of at most {min(MAX_HEADER_BYTES, max(size - 8, 0))} bytes "
                         f"starting with '{{', the file declares {n} (truncated or not safetensors)")
    fh.seek(8)
    raw = fh.read(n)
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise _err(path, f"header is not valid JSON ({type(exc).__name__})") from exc
    if not isinstance(header, dict):
        raise _err(path, "header is not a JSON object")
    return header, 8 + n


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _entry(path: Path, name: Any, entry: Any) -> tuple[str, np.dtype, tuple[int, ...], int, int]:
    """(name, dtype, shape, begin, end) of one tensor entry, or a ModelFileError saying what is wrong."""
    shown = repr(str(name)[:40])
    if not isinstance(entry, dict) or set(entry) != {"dtype", "shape", "data_offsets"}:
        raise _err(path, f"tensor entry {shown} is malformed (expected dtype, shape and data_offsets)")
    dtype, shape, offsets = entry["dtype"], entry["shape"], entry["data_offsets"]
    if dtype not in _DTYPES:
        raise _err(path, f"tensor {shown}: expected dtype F64 or F32 (float64 or float32), received {str(dtype)[:20]!r}")
    if not isinstance(shape, list) or len(shape) > 8 or not all(_is_int(d) and d >= 0 for d in shape):
        raise _err(path, f"tensor {shown}: expected a shape of at most 8 non-negative integers, received {str(shape)[:60]}")
    if not isinstance(offsets, list) or len(offsets) != 2 or not all(_is_int(o) and o >= 0 for o in offsets):
        raise _err(path, f"tensor {shown}: expected data_offsets [begin, end], received {str(offsets)[:60]}")
    begin, end = offsets
    need = math.prod(shape) * _DTYPES[dtype].itemsize  # Python integers: no wrap-around
    if end - begin != need:
        raise _err(path, f"tensor {shown}: shape {shape} of {dtype} needs {need} bytes, its data_offsets "
                         f"[{begin}, {end}] hold {end - begin}")
    return str(name), _DTYPES[dtype], tuple(shape), begin, end


def _entries(path: Path, header: dict[str, Any], body: int) -> list[tuple[str, np.dtype, tuple[int, ...], int, int]]:
    """Every tensor entry, checked, in data order; their byte ranges must tile [0, body) exactly."""
    names = [k for k in header if k != "__metadata__"]
    if len(names) > MAX_TENSORS:
        raise _err(path, f"expected at most {MAX_TENSORS} tensors, received {len(names)}")
    entries = sorted((_entry(path, k, header[k]) for k in names), key=lambda e: (e[3], e[4]))
    pos = 0
    for name, _, _, begin, end in entries:
        if begin != pos:
            what = "overlap the previous tensor's" if begin < pos else f"leave a gap of {begin - pos} bytes after the previous tensor's"
            raise _err(path, f"tensor {name!r}: its data_offsets [{begin}, {end}] {what} (expected to start at {pos})")
        pos = end
    if pos != body:
        raise _err(path, f"the tensors hold {pos} bytes, the file has {body} bytes of data (truncated or padded)")
    return entries


def _metadata(path: Path, header: dict[str, Any], kind: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The descentlab document (checked against its checksum) and the tensors' checksums (None: an old file)."""
    meta = header.get("__metadata__")
    if not isinstance(meta, dict) or meta.get("format") != kind or not isinstance(meta.get("descentlab"), str):
        found = meta.get("format") if isinstance(meta, dict) else None
        raise _err(path, f"expected a {kind} file, received a safetensors file with format {str(found)[:40]!r}")
    unknown = sorted(set(meta) - {"format", "descentlab", "checksums"})
    if unknown:  # e.g. a damaged "checksums" key, which would otherwise pass for an old file without checksums
        raise _err(path, f"the header's metadata has an unknown key {unknown[0][:40]!r} (the file is damaged)")
    sums = None
    if "checksums" in meta:
        try:
            sums = json.loads(meta["checksums"]) if isinstance(meta["checksums"], str) else None
        except (ValueError, RecursionError):
            sums = None
        if not (isinstance(sums, dict) and isinstance(sums.get("header"), str) and isinstance(sums.get("tensors"), dict)):
            raise _err(path, "the checksums in the header are malformed (the file is damaged)")
        if hashlib.sha256(meta["descentlab"].encode("utf-8")).hexdigest() != sums["header"]:
            raise _err(path, "the header document fails its sha256 checksum (the file is damaged); restore it from a copy")
    try:
        doc = json.loads(meta["descentlab"])
    except (ValueError, RecursionError) as exc:
        raise _err(path, "the descentlab header is not valid JSON") from exc
    if not isinstance(doc, dict):
        raise _err(path, "the descentlab header is not a JSON object")
    if nesting_depth(doc, MAX_DEPTH + 1) > MAX_DEPTH:
        raise _err(path, f"the descentlab header nests deeper than {MAX_DEPTH} levels")
    return doc, sums


def _read_tensor(path: Path, fh: BinaryIO, entry: tuple, expected: str | None) -> np.ndarray:
    """One tensor read straight into its own array (no intermediate copy), checked against its sha256."""
    name, dtype, shape, begin, end = entry
    arr = np.empty(math.prod(shape), dtype)
    view = _bytes_view(arr)
    got = 0
    while got < len(view):
        n = fh.readinto(view[got:])
        if not n:
            raise _err(path, f"tensor {name!r}: the file ends inside its data (truncated while reading?)")
        got += n
    if expected is not None and hashlib.sha256(view).hexdigest() != expected:
        raise _err(path, f"tensor {name!r} fails its sha256 checksum (the file is damaged); restore it from a copy")
    arr = arr.reshape(shape)
    return arr if arr.dtype.isnative else arr.astype(arr.dtype.newbyteorder("="))


def read(path: str | os.PathLike, kind: str, max_bytes: int = MAX_FILE_BYTES) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Return (header document, tensors) of a descentlab safetensors file of the given kind."""
    path = Path(path)
    size = _file_size(path, max_bytes)
    try:
        with open(path, "rb") as fh:  # one open file: a concurrent os.replace cannot mix two versions
            header, start = _read_header(path, fh, size)
            entries = _entries(path, header, size - start)
            doc, sums = _metadata(path, header, kind)
            if sums is not None and set(sums["tensors"]) != {e[0] for e in entries}:
                raise _err(path, "the checksums do not list exactly the file's tensors (the file is damaged)")
            fh.seek(start)
            tensors = {e[0]: _read_tensor(path, fh, e, None if sums is None else sums["tensors"][e[0]]) for e in entries}
    except OSError as exc:
        raise _err(path, f"cannot be read ({exc.strerror or exc})") from exc
    if sums is None:
        warnings.warn(f"{path}: this file has no checksums (written before descentlab stored them), so its "
                      "contents cannot be verified; save it again to add them", UnverifiedFileWarning, stacklevel=3)
    return doc, tensors
