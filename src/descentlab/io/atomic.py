"""Atomic file writes: the file at ``path`` is always the old complete file or the new one.

The bytes go to a temporary file in the same folder, which is flushed and
fsync'ed, then renamed over ``path`` with ``os.replace`` (atomic on POSIX), and
the folder is fsync'ed so the rename survives a crash. On any error the
temporary file is removed and ``path`` is untouched. A writer killed outright
(SIGKILL) can only leave its temporary file, never a partial ``path``; the
next successful write of ``path`` removes such leftovers.
"""

from __future__ import annotations

import os
import tempfile
from glob import escape as glob_escape
from pathlib import Path
from typing import Callable


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _remove_stale(folder: Path, name: str, keep: str) -> None:
    """Remove temporary files of ``name`` left by writers that were killed (SIGKILL) mid-write."""
    for stale in folder.glob(f".{glob_escape(name)}.*.tmp"):
        if str(stale) != keep:
            try:
                stale.unlink()
            except OSError:
                pass


def atomic_write(path: str | os.PathLike, write: Callable[[object], None], mode: str = "wb") -> Path:
    """Call ``write(fileobj)`` on a temporary file, then move it over ``path``."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise FileNotFoundError(f"path: expected a file in an existing folder, received {str(path)!r} (no folder {str(folder)!r})")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; give the file the usual permissions
        with os.fdopen(fd, mode) as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        _remove_stale(folder, path.name, keep=tmp)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(folder)
    return path


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    return atomic_write(path, lambda fh: fh.write(data))


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    return atomic_write(path, lambda fh: fh.write(text.encode("utf-8")))
