"""Atomic file writes: the file at ``path`` is always the old complete file or a new complete one.

The bytes go to a temporary file in the same folder, which is flushed and
fsync'ed, then renamed over ``path`` with ``os.replace`` (atomic on POSIX), and
the folder is fsync'ed so the rename survives a crash. On any error the
temporary file is removed and ``path`` is untouched.

Several processes (or threads) may write one path at once: each writes its own
temporary file and the last rename wins, so ``path`` is always one writer's
complete file. A writer killed outright (SIGKILL) can only leave its temporary
file behind. Its name says who wrote it::

    .<name>.<owner>-<pid>-<start>-<random>.tmp

``owner`` tags the machine and PID namespace, ``pid`` the writing process and
``start`` that process's start time (Linux ``/proc/<pid>/stat``), so a later
successful write removes a leftover only when it is *provably* abandoned: its
owner is this machine and namespace, and no process with that PID and start
time exists (a PID reused by another process does not keep a leftover alive).
Anything else, a live writer's file above all, is left alone.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import socket
from pathlib import Path
from typing import Callable

from ..errors import InputError

_MAX_STEM_BYTES = 120  # leaves room for the tag in a 255-byte file name
_TEMP = re.compile(r"^\.(?P<stem>.+)\.(?P<owner>[0-9a-f]{8})-(?P<pid>\d+)-(?P<start>\d+)-[0-9a-f]+\.tmp$")


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


def process_start(pid: int) -> int | None:
    """When process ``pid`` started (clock ticks since boot, from /proc), or None if unknown or gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
    except OSError:
        return None
    fields = stat[stat.rfind(b")") + 2:].split()   # the command name may hold spaces and parentheses
    try:
        return int(fields[19])                      # field 22 of stat; 20th after the name
    except (IndexError, ValueError):
        return None


def _owner() -> str:
    """8 hex digits naming this machine, boot and PID namespace: PIDs are only compared within one."""
    parts = [socket.gethostname()]
    try:
        parts.append(Path("/proc/sys/kernel/random/boot_id").read_text().strip())
    except OSError:
        parts.append("")
    try:
        parts.append(str(os.stat("/proc/self/ns/pid").st_ino))
    except OSError:
        parts.append("")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:8]


_OWNER = _owner()


def _stem(name: str) -> str:
    """The file name, shortened with a hash when it is long (a temporary name must stay under 255 bytes)."""
    if len(name.encode("utf-8")) <= _MAX_STEM_BYTES:
        return name
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:12]
    return name.encode("utf-8")[:_MAX_STEM_BYTES - 13].decode("utf-8", "ignore") + "~" + digest


def temp_name(name: str, *, pid: int | None = None, start: int | None = None, owner: str | None = None) -> str:
    """The temporary file name a writer of ``name`` uses (see the module docstring)."""
    pid = os.getpid() if pid is None else pid
    if start is None:
        start = process_start(pid) or 0
    return f".{_stem(name)}.{owner or _OWNER}-{pid}-{start}-{secrets.token_hex(4)}.tmp"


def _alive(pid: int, start: int) -> bool:
    """Whether the process that wrote a temporary file may still be running."""
    if pid == os.getpid():
        return True                     # this process (another thread may be writing the same path)
    now = process_start(pid)
    if now is not None:
        return start == 0 or now == start
    try:
        os.kill(pid, 0)                 # no /proc (or it hides the pid): ask the kernel
    except ProcessLookupError:
        return False
    except OSError:
        return True                     # it exists (owned by someone else)
    return True


def _remove_abandoned(folder: Path, name: str) -> None:
    """Remove the temporary files of ``name`` whose writers are provably gone."""
    stem = _stem(name)
    try:
        candidates = [p for p in folder.iterdir() if p.name.startswith(f".{stem}.") and p.name.endswith(".tmp")]
    except OSError:
        return
    for tmp in candidates:
        match = _TEMP.match(tmp.name)
        if match is None or match["stem"] != stem or match["owner"] != _OWNER:
            continue
        if not _alive(int(match["pid"]), int(match["start"])):
            try:
                tmp.unlink()
            except OSError:
                pass


def atomic_write(path: str | os.PathLike, write: Callable[[object], None], mode: str = "wb") -> Path:
    """Call ``write(fileobj)`` on a temporary file, then move it over ``path``."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise FileNotFoundError(f"path: expected a file in an existing folder, received {str(path)!r} (no folder {str(folder)!r})")
    tmp = folder / temp_name(path.name)
    # O_EXCL: never reuse a file; 0o666 minus the umask, like any new file (no process-wide umask dance)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
    try:
        with os.fdopen(fd, mode) as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(folder)
    _remove_abandoned(folder, path.name)
    return path


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    return atomic_write(path, lambda fh: fh.write(data))


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    return atomic_write(path, lambda fh: fh.write(text.encode("utf-8")))


def check_writable(path: str | os.PathLike, name: str, *, need: int = 0, folder: bool = False) -> Path:
    """Fail now, before any work, unless ``path`` can be written (a file, or with ``folder=True`` a folder).

    Checks that the folder exists (or, for ``folder=True``, that it can be created), that
    ``path`` is not the wrong kind of thing (a folder where a file goes, a file where a
    folder goes), that a file can really be created there (a read-only folder or file
    system fails), and that at least ``need`` bytes are free. Raises
    :class:`~descentlab.errors.InputError` naming the argument ``name``.
    """
    path = Path(path).expanduser()
    if folder:
        if path.exists() and not path.is_dir():
            raise InputError(f"{name}: expected a folder, received '{path}' (an existing file)")
        existing = path
        while not existing.exists():
            existing = existing.parent
        if not existing.is_dir():
            raise InputError(f"{name}: expected a folder, received '{path}' ('{existing}' is a file)")
    else:
        if path.is_dir():
            raise InputError(f"{name}: expected a file path, received '{path}' (a folder)")
        existing = path.parent if str(path.parent) else Path(".")
        if not existing.is_dir():
            raise InputError(f"{name}: expected a file in an existing folder, received '{path}' (no folder '{existing}')")
    probe = existing / temp_name(".probe")
    try:
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        os.unlink(probe)
    except OSError as exc:
        raise InputError(f"{name}: expected a writable location, received '{path}' "
                         f"({exc.strerror or exc} in '{existing}')") from None
    free = shutil.disk_usage(existing).free
    if need and free < need:
        raise InputError(f"{name}: expected room for about {need / 1e6:.1f} MB, received '{path}' on a file system "
                         f"with {free / 1e6:.1f} MB free")
    return path
