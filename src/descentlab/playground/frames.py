"""The binary messages the server sends the page: a small JSON header, then typed arrays.

Layout (little-endian)::

    b"DLPG"                      4 bytes, the magic
    uint32 n                     the header's length in bytes
    header                       n bytes of UTF-8 JSON: {"kind": ..., "meta": {...},
                                 "arrays": [[name, dtype, length], ...]}
    padding to a multiple of 4, then each array's bytes in order, each padded to a multiple of 4

``dtype`` is "u8" (uint8) or "f32" (float32), so the page reads each array as a
``Uint8Array`` or ``Float32Array`` view of the message without copying
(``static/js/wire.js``). Grids are quantized to one byte a point (:func:`quantize`):
a 100 x 100 boundary is 10 kB, not a JSON list of 10,000 floats.
"""

from __future__ import annotations

import json
import struct
from typing import Any, Sequence

import numpy as np

MAGIC = b"DLPG"
DTYPES = {"u8": np.uint8, "f32": np.float32}


def _pad(n: int) -> int:
    return (-n) % 4


def pack(kind: str, meta: dict[str, Any], arrays: Sequence[tuple[str, np.ndarray]] = ()) -> bytes:
    """One message: ``kind``, the JSON-ready ``meta`` and the named arrays (uint8 or float32)."""
    parts, table = [], []
    for name, arr in arrays:
        code = "u8" if arr.dtype == np.uint8 else "f32"
        data = np.ascontiguousarray(arr, dtype=DTYPES[code]).tobytes()
        table.append([name, code, int(arr.size)])
        parts.append(data + b"\0" * _pad(len(data)))
    header = json.dumps({"kind": kind, "meta": meta, "arrays": table}, separators=(",", ":"),
                        allow_nan=False).encode("utf-8")
    head = MAGIC + struct.pack("<I", len(header)) + header
    return head + b"\0" * _pad(len(head)) + b"".join(parts)


def unpack(data: bytes) -> tuple[str, dict[str, Any], dict[str, np.ndarray]]:
    """(kind, meta, arrays) of a message made by :func:`pack` (for tests and tools)."""
    if data[:4] != MAGIC:
        raise ValueError("not a descentlab playground message")
    (n,) = struct.unpack("<I", data[4:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    offset = 8 + n + _pad(8 + n)
    arrays = {}
    for name, code, size in header["arrays"]:
        dtype = np.dtype(DTYPES[code])
        arrays[name] = np.frombuffer(data, dtype=dtype, count=size, offset=offset)
        offset += size * dtype.itemsize + _pad(size * dtype.itemsize)
    return header["kind"], header["meta"], arrays


def quantize(values: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Values in [lo, hi] as bytes 0..255 (clipped): round(255 (v - lo) / (hi - lo))."""
    scale = 255.0 / (hi - lo) if hi > lo else 0.0
    out = (np.asarray(values, np.float64) - lo) * scale + 0.5
    np.clip(out, 0.0, 255.0, out=out)
    return out.astype(np.uint8)


def quantize_symmetric(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row (a unit's outputs) as bytes around 128 on its own scale a = max |v| (returned, float32):
    byte = round(127.5 (v / a + 1)); a row of zeros stays at 128."""
    rows = np.asarray(rows, np.float64)
    scale = np.abs(rows).max(axis=1) if rows.size else np.zeros(len(rows))
    safe = np.where(scale > 0, scale, 1.0)
    out = (rows / safe[:, None] + 1.0) * 127.5 + 0.5
    np.clip(out, 0.0, 255.0, out=out)
    return out.astype(np.uint8), scale.astype(np.float32)


def finite(x: Any) -> Any:
    """A float for JSON: None when it is not finite (a diverged run)."""
    if x is None:
        return None
    x = float(x)
    return x if np.isfinite(x) else None
