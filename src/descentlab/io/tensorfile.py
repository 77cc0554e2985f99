"""Reading and writing safetensors files with a descentlab JSON header, safely.

A file is a standard safetensors file (readable by the ``safetensors`` library
from NumPy, PyTorch or TensorFlow) whose ``__metadata__`` holds two strings:
``format`` (``descentlab.model`` or ``descentlab.checkpoint``) and
``descentlab`` (a JSON document). Reading never executes code: the header is
parsed as JSON within size limits, every tensor entry is checked (dtype, shape,
offsets inside the file) before any array is built, and any other problem
becomes a :class:`~descentlab.errors.ModelFileError`.
"""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelFileError
from .atomic import atomic_write_bytes

MAX_FILE_BYTES = 2 * 1024**3  # 2 GiB
MAX_HEADER_BYTES = 16 * 1024**2  # 16 MiB
_DTYPES = {"F64": np.float64, "F32": np.float32, "I64": np.int64, "I32": np.int32, "U8": np.uint8}
_SIGNATURES = {
    b"\x80": "a Python pickle (descentlab never loads pickles)",
    b"PK\x03\x04": "a zip archive (a PyTorch .pt/.pth file or a NumPy .npz?)",
    b"\x89HDF": "an HDF5 file (a Keras .h5 file?)",
    b"\x93NUMPY": "a NumPy .npy file",
}


def encode(kind: str, header: dict[str, Any], tensors: dict[str, np.ndarray]) -> bytes:
    """The bytes of a safetensors file holding ``tensors`` and the JSON ``header`` (what :func:`write` writes)."""
    from safetensors.numpy import save

    body = {k: np.ascontiguousarray(v) for k, v in tensors.items()}
    return save(body, metadata={"format": kind, "descentlab": json.dumps(header, allow_nan=False)})


def write(path: str | os.PathLike, kind: str, header: dict[str, Any], tensors: dict[str, np.ndarray]) -> None:
    """Write ``tensors`` and the JSON ``header`` atomically as a safetensors file."""
    atomic_write_bytes(path, encode(kind, header, tensors))


def _err(path: Path, what: str) -> ModelFileError:
    return ModelFileError(f"{path}: {what}")


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    if not path.exists():
        raise _err(path, "no such file")
    if not path.is_file():
        raise _err(path, "not a regular file")
    size = path.stat().st_size
    if size > max_bytes:
        raise _err(path, f"file of {size} bytes is larger than the limit of {max_bytes} bytes")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise _err(path, f"cannot be read ({exc.strerror or exc})") from exc


def _looks_like(data: bytes) -> str | None:
    """What a file that is not safetensors seems to be, for the error message."""
    if data[:1] == b"\x80" and data[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        return "a Python pickle (descentlab never loads pickles)"
    for magic, what in _SIGNATURES.items():
        if magic != b"\x80" and data.startswith(magic):
            return what
    return None


def _parse_header(path: Path, data: bytes) -> tuple[dict[str, Any], int]:
    n = struct.unpack("<Q", data[:8])[0] if len(data) >= 8 else None
    if n is None or n > MAX_HEADER_BYTES or 8 + n > len(data) or data[8:9] != b"{":
        what = _looks_like(data)
        if what is not None:
            raise _err(path, f"expected a safetensors file, received {what}")
        if n is None:
            raise _err(path, f"expected a safetensors file, received {len(data)} bytes (truncated?)")
        raise _err(path, f"expected a header of at most {min(MAX_HEADER_BYTES, max(len(data) - 8, 0))} bytes "
                         f"starting with '{{', the file declares {n} (truncated or not safetensors)")
    try:
        header = json.loads(data[8:8 + n].decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise _err(path, f"header is not valid JSON ({type(exc).__name__})") from exc
    if not isinstance(header, dict):
        raise _err(path, "header is not a JSON object")
    return header, 8 + n


def _check_entries(path: Path, header: dict[str, Any], body: int) -> None:
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        ok = isinstance(entry, dict) and entry.get("dtype") in _DTYPES and isinstance(entry.get("shape"), list) \
            and isinstance(entry.get("data_offsets"), list) and len(entry["data_offsets"]) == 2
        if ok:
            shape, (begin, end) = entry["shape"], entry["data_offsets"]
            ok = all(isinstance(d, int) and not isinstance(d, bool) and 0 <= d < 2**40 for d in shape) \
                and all(isinstance(o, int) and not isinstance(o, bool) for o in (begin, end)) \
                and 0 <= begin <= end <= body \
                and end - begin == int(np.prod(shape, dtype=np.int64)) * np.dtype(_DTYPES[entry["dtype"]]).itemsize
        if not ok:
            raise _err(path, f"tensor entry {str(name)[:40]!r} is malformed (dtype, shape or offsets)")


def read(path: str | os.PathLike, kind: str, max_bytes: int = MAX_FILE_BYTES) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Return (header, tensors) of a descentlab safetensors file of the given kind."""
    path = Path(path)
    data = _read_bytes(path, max_bytes)
    header, start = _parse_header(path, data)
    _check_entries(path, header, len(data) - start)
    meta = header.get("__metadata__")
    if not isinstance(meta, dict) or meta.get("format") != kind or not isinstance(meta.get("descentlab"), str):
        found = meta.get("format") if isinstance(meta, dict) else None
        raise _err(path, f"expected a {kind} file, received a safetensors file with format {found!r}")
    try:
        doc = json.loads(meta["descentlab"])
    except (ValueError, RecursionError) as exc:
        raise _err(path, "the descentlab header is not valid JSON") from exc
    if not isinstance(doc, dict):
        raise _err(path, "the descentlab header is not a JSON object")
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        arr = np.frombuffer(data, dtype=np.dtype(_DTYPES[entry["dtype"]]).newbyteorder("<"), count=(end - begin) // np.dtype(_DTYPES[entry["dtype"]]).itemsize, offset=start + begin)
        tensors[name] = arr.reshape(entry["shape"]).astype(_DTYPES[entry["dtype"]], copy=True)
    return doc, tensors
