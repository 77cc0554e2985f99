"""The data files shipped inside the package (``descentlab/data``), checked against ``SHA256SUMS``.

Each file is hashed the first time it is read in a process; later reads skip the hash while
the file's size and modification time are unchanged. The package never reads anything
outside ``descentlab/data`` for its built-in data sets.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import io
import threading
from importlib import resources
from pathlib import Path

import numpy as np

from ..errors import DataFileError

SUMS_FILE = "SHA256SUMS"
_lock = threading.Lock()
_verified: dict[str, tuple[int, int]] = {}   # file name -> (size, mtime_ns) of a verified copy
_sums: dict[str, str] | None = None
_paths: dict[str, Path] = {}
_exit_stack = contextlib.ExitStack()
atexit.register(_exit_stack.close)


def data_path(name: str) -> Path:
    """A real filesystem path to the vendored file ``name`` (extracted if the package is zipped)."""
    with _lock:
        if name not in _paths:
            ref = resources.files("descentlab").joinpath("data", name)
            if isinstance(ref, Path):
                _paths[name] = ref
            else:  # pragma: no cover - zipimport installs only
                _paths[name] = _exit_stack.enter_context(resources.as_file(ref))
        path = _paths[name]
    if not path.is_file():
        raise DataFileError(f"descentlab data file '{name}': expected it at '{path}', received nothing there: "
                            "the installation is incomplete; reinstall descentlab")
    return path


def checksums() -> dict[str, str]:
    """``{file name: sha256}`` from ``descentlab/data/SHA256SUMS``."""
    global _sums
    if _sums is None:
        text = data_path(SUMS_FILE).read_text(encoding="utf-8")
        sums = {}
        for line in text.splitlines():
            if line.strip():
                digest, fname = line.split(maxsplit=1)
                sums[fname.strip()] = digest
        _sums = sums
    return _sums


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verify(path: Path, expected: str, data: bytes | None = None) -> None:
    """Raise DataFileError unless the file (or its already read ``data``) has sha256 ``expected``."""
    found = hashlib.sha256(data).hexdigest() if data is not None else sha256_file(path)
    if found != expected:
        raise DataFileError(f"{path}: expected sha256 {expected} (SHA256SUMS), received a file with sha256 {found}: "
                            "the vendored data file is damaged or was modified; reinstall descentlab")


def _stamp(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def _expected(name: str) -> str:
    expected = checksums().get(name)
    if expected is None:
        raise DataFileError(f"descentlab data file '{name}': expected a line for it in {SUMS_FILE}, received none")
    return expected


def _check_once(name: str, path: Path, data: bytes | None = None) -> None:
    expected = _expected(name)
    stamp = _stamp(path)
    if _verified.get(name) != stamp:
        verify(path, expected, data)
        with _lock:
            _verified[name] = stamp


def verified_path(name: str) -> Path:
    """The path of vendored file ``name``, its sha256 checked once per process."""
    path = data_path(name)
    _check_once(name, path)
    return path


def read_verified(name: str) -> bytes:
    """The bytes of vendored file ``name``; the bytes returned are the bytes hashed (first read only)."""
    path = data_path(name)
    data = path.read_bytes()
    _check_once(name, path, data)
    return data


def load_arrays(name: str) -> dict[str, np.ndarray]:
    """The arrays of a vendored .npz file (no pickle)."""
    with np.load(io.BytesIO(read_verified(name)), allow_pickle=False) as npz:
        return {key: npz[key] for key in npz.files}
