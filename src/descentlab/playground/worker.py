"""A worker process: it holds sessions and trains the playing ones in equal turns.

The server (:mod:`.pool`) starts a few workers (one per core by default) and puts
each new session on the least loaded one. A worker's loop:

1. take every message waiting on its pipe (open, settings, control, ack, request, close);
2. give each playing session one turn of ``limits.quantum`` seconds of training,
   round robin, so every session on a worker gets an equal share of its core
   whatever its network or speed (a frame's cost comes out of the same turn);
3. send each session's frame when it is due (at most ``limits.fps`` a second, and
   only once the page has acknowledged all but one of the frames it was sent).

Nothing here reads or writes a file: data arrive as arrays (an upload was parsed
by the server), and exports leave as bytes.
"""

from __future__ import annotations

import sys
import time
import traceback
from collections import deque
from typing import Any

import numpy as np

from ..core.gradcheck import check_gradients
from ..errors import DescentlabError, InputError, InputTypeError
from ..training import threads
from . import exports
from .limits import Limits
from .live import live_conclusions
from .session import Session

GRADCHECK_FLOPS = 3e9
"""About what a full gradient check may cost (4 m P² flops for m examples and P parameters): about a second."""


def gradcheck(session: Session) -> dict[str, Any]:
    """check_gradients on the focused run's network and training data (the first m examples that fit the budget)."""
    run = session.runs[session.focus]
    X, y = session.dataset.X_train, session.dataset.y_train
    P = run.net.n_params
    m = min(len(X), max(16, int(GRADCHECK_FLOPS / (4 * P * P))))
    run.stepper.runner.sync_to_net()
    cfg = run.stepper.cfg
    with np.errstate(all="ignore"):
        report = check_gradients(run.net, X[:m], y[:m], l2=cfg.l2, keep_prob=cfg.keep_prob)
    return {"run": run.name, "examples": m, "of": len(X), "epoch": run.stepper.epoch, "steps": run.stepper.steps,
            "report": report.to_dict(), "text": str(report)}


REQUESTS = {
    "gradcheck": lambda s: ("json", gradcheck(s)),
    "python": lambda s: ("text", exports.python_code(s)),
    "toml": lambda s: ("text", exports.toml_text(s)),
    "model": lambda s: ("file", exports.model_bytes(s)),
    "data": lambda s: ("file", exports.data_bytes(s)),
}


class Worker:
    """The sessions of one worker process and what it does with each message."""

    def __init__(self, conn: Any, limits: Limits) -> None:
        self.conn, self.limits = conn, limits
        self.sessions: dict[str, Session] = {}
        self.order: deque[str] = deque()

    def send(self, *msg: Any) -> None:
        self.conn.send(msg)

    # ------------------------------------------------------------------ messages
    def handle(self, msg: tuple) -> bool:
        """Act on one message; False on shutdown."""
        if msg is None or msg[0] == "shutdown":
            return False
        op, sid = msg[0], msg[1]
        if op != "open" and sid not in self.sessions:
            return True  # a message that crossed the session's close
        try:
            getattr(self, f"on_{op}")(sid, *msg[2:])
        except (DescentlabError, InputError, InputTypeError, ValueError, TypeError) as exc:
            self.send("error", sid, " ".join(str(exc).split()))
        except Exception as exc:  # a bug: say so on the page, keep the worker (and the other sessions) alive
            traceback.print_exc(file=sys.stderr)
            self.send("error", sid, f"internal error ({type(exc).__name__}: {exc}); the session goes on")
        return True

    def on_open(self, sid: str, settings: dict, upload: Any) -> None:
        self.sessions[sid] = Session(settings, self.limits, upload)
        self.order.append(sid)
        self.send("data", sid, self.sessions[sid].data_message())

    def on_settings(self, sid: str, settings: dict, upload: Any) -> None:
        s = self.sessions[sid]
        if upload is not None:
            s.upload = upload
        s.build(settings)
        self.send("data", sid, s.data_message())

    def on_close(self, sid: str) -> None:
        self.sessions.pop(sid, None)
        if sid in self.order:
            self.order.remove(sid)

    def on_ack(self, sid: str, seq: int) -> None:
        s = self.sessions.get(sid)
        if s is not None:
            s.inflight = max(0, s.inflight - 1)

    def on_control(self, sid: str, op: str, value: Any = None) -> None:
        s = self.sessions[sid]
        if op == "play":
            if s.done:
                raise InputError("play: the runs are at the epochs where they stop (raise 'stop at', or reset)")
            s.playing = True
            s.dirty = True
        elif op == "pause":
            s.playing = False
            s.dirty = True
            self._conclusions(s, force=True)
        elif op in ("step", "epoch"):
            s.playing = False
            s.step(epochs=op == "epoch")
            self._conclusions(s, force=True)
        elif op == "reset":
            s.reset()
        elif op == "speed":
            s.set_speed(value)
        elif op == "set":
            s.set_live(value)
        elif op == "focus":
            s.set_focus(value)
        else:
            raise InputError(f"control: expected play, pause, step, epoch, reset, speed, set or focus, received {op!r}")

    def on_request(self, sid: str, rid: int, what: str) -> None:
        if what not in REQUESTS:
            raise InputError(f"request: expected one of {sorted(REQUESTS)}, received {what!r}")
        kind, payload = REQUESTS[what](self.sessions[sid])
        self.send("reply", sid, rid, what, kind, payload)

    # ------------------------------------------------------------------ the loop
    def _conclusions(self, s: Session, force: bool = False) -> None:
        now = time.perf_counter()
        if s.settings.get("preset") and (force or now - s._conclusions_at > 1.0):
            with np.errstate(all="ignore"):
                s.conclusions = live_conclusions(s)
            s._conclusions_at = now
            s.dirty = True

    def turns(self) -> None:
        """One round: a training turn for every playing session, then the frames that are due."""
        for _ in range(len(self.order)):
            sid = self.order[0]
            self.order.rotate(-1)
            s = self.sessions[sid]
            if s.playing:
                s.turn(self.limits.quantum)
                if s.playing and s.settings.get("preset"):
                    self._conclusions(s)
                elif not s.playing:  # it just reached its epochs
                    self._conclusions(s, force=True)
            now = time.perf_counter()
            if s.frame_due(now):
                self.send("frame", sid, s.frame())

    def wait(self) -> float | None:
        """How long the loop may block on its pipe: not at all while training, until a frame is due, or forever."""
        if any(s.playing for s in self.sessions.values()):
            return 0.0
        pending = [s for s in self.sessions.values() if s.dirty and s.inflight < 2]
        return 0.005 if pending else None

    def run(self) -> None:
        with threads.blas_threads(1):
            while True:
                timeout = self.wait()
                while self.conn.poll(timeout):
                    if not self.handle(self.conn.recv()):
                        return
                    timeout = 0.0
                self.turns()


def main(conn: Any, limits: dict[str, Any]) -> None:
    """The worker's loop on ``conn``, until the server says shutdown or goes away."""
    try:
        Worker(conn, Limits(**limits)).run()
    except (EOFError, OSError, KeyboardInterrupt):  # the server went away: end quietly
        pass


if __name__ == "__main__":  # started by .pool: python -m descentlab.playground.worker FD LIMITS
    import json
    import signal
    from multiprocessing.connection import Connection

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which stops its workers
    main(Connection(int(sys.argv[1])), json.loads(sys.argv[2]))
