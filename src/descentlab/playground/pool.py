"""The server's side of the worker processes: start them, place sessions, route messages both ways.

Each worker (:mod:`.worker`) is a fresh Python process that talks to the server
over a socket pair. One reader thread per worker receives its messages and hands each to the
session's sink on the server's event loop. A new session goes to the worker with
the fewest sessions; ``max_sessions`` bounds them all.
"""

from __future__ import annotations

import itertools
import json
import os
import socket
import subprocess
import sys
import threading
from multiprocessing.connection import Connection
from typing import Any, Callable

from ..errors import InputError
from .limits import Limits


class _Handle:
    """One worker process, its pipe, its sessions and the thread that reads what it sends.

    The worker is ``python -m descentlab.playground.worker FD LIMITS``: a fresh interpreter (no fork
    of the server's threads and event loop, and no re-import of the caller's main script, which
    multiprocessing's 'spawn' would do) talking over one end of a socket pair, inherited as FD.
    """

    def __init__(self, limits: Limits, deliver: Callable[[tuple], None]) -> None:
        parent, child = socket.socketpair()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "descentlab.playground.worker", str(child.fileno()), json.dumps(limits.to_dict())],
                pass_fds=[child.fileno()], stdin=subprocess.DEVNULL, close_fds=True)
        finally:
            child.close()
        self.conn = Connection(parent.detach())
        self.sessions: set[str] = set()
        self.lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, args=(deliver,), daemon=True)
        self.reader.start()

    def _read(self, deliver: Callable[[tuple], None]) -> None:
        while True:
            try:
                msg = self.conn.recv()
            except (EOFError, OSError):
                return
            deliver(msg)

    def send(self, msg: tuple) -> None:
        with self.lock:
            self.conn.send(msg)

    def stop(self) -> None:
        try:
            self.send(("shutdown", None))
        except (OSError, ValueError):
            pass
        try:
            self.process.wait(timeout=3)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=3)
        self.conn.close()


class Pool:
    """Worker processes hosting the sessions; ``sink(msg)`` receives a session's messages on the event loop."""

    def __init__(self, limits: Limits, workers: int | None = None) -> None:
        self.limits = limits
        n = workers or min(os.cpu_count() or 1, 8)
        self._n = n
        self._handles: list[_Handle] = []
        self._where: dict[str, _Handle] = {}
        self._sinks: dict[str, Callable[[tuple], None]] = {}
        self._loop: Any = None
        self._ids = itertools.count(1)

    def start(self, loop: Any) -> None:
        """Start the workers; messages are delivered on ``loop`` (the server's asyncio loop)."""
        self._loop = loop
        self._handles = [_Handle(self.limits, self._deliver) for _ in range(self._n)]

    def _deliver(self, msg: tuple) -> None:  # on a reader thread
        if self._loop is not None and not self._loop.is_closed():
            try:
                self._loop.call_soon_threadsafe(self._dispatch, msg)
            except RuntimeError:  # the loop closed meanwhile (shutdown)
                pass

    def _dispatch(self, msg: tuple) -> None:  # on the event loop
        sink = self._sinks.get(msg[1])
        if sink is not None:
            sink(msg)

    @property
    def count(self) -> int:
        return len(self._where)

    def open(self, settings: dict[str, Any], sink: Callable[[tuple], None]) -> str:
        """A new session on the least loaded worker; its messages go to ``sink``. InputError when full."""
        if self.count >= self.limits.max_sessions:
            raise InputError(f"session: expected a free place, received none: this server has its maximum of "
                             f"{self.limits.max_sessions} sessions open (close another tab, or start the server "
                             "with a larger --max-sessions)")
        sid = f"s{next(self._ids)}"
        handle = min(self._handles, key=lambda h: len(h.sessions))
        handle.sessions.add(sid)
        self._where[sid] = handle
        self._sinks[sid] = sink
        handle.send(("open", sid, settings, None))
        return sid

    def send(self, sid: str, *msg: Any) -> None:
        handle = self._where.get(sid)
        if handle is not None:
            handle.send((msg[0], sid, *msg[1:]))

    def close(self, sid: str) -> None:
        handle = self._where.pop(sid, None)
        self._sinks.pop(sid, None)
        if handle is not None:
            handle.sessions.discard(sid)
            try:
                handle.send(("close", sid))
            except (OSError, ValueError):
                pass

    def stop(self) -> None:
        for handle in self._handles:
            handle.stop()
        self._handles = []
