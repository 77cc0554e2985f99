"""The playground's web server: Starlette on uvicorn, one WebSocket per browser session.

Security (the cross-site WebSocket hijacking and DNS-rebinding classes that
Jupyter has had advisories for):

- every request needs the access token: ``?token=...`` in the URL (the printed one),
  or the cookie the server sets when that URL is opened (then the token leaves the
  address bar); tokens are compared in constant time (:func:`hmac.compare_digest`);
  ``--no-token`` is refused unless the server listens on a loopback address only;
- a server on a loopback address answers only requests whose Host is a loopback name
  (a DNS-rebinding page has another name);
- a WebSocket whose Origin is not the page's own is refused;
- an upload is a message of at most ``max_upload_bytes``, parsed in memory by
  :func:`descentlab.datasets.load_csv_text`; no value from a client becomes a path;
- every value a client sends is checked (:mod:`.state`, the same checks as a TOML
  comparison and the registries); a bad one gets a message on the page and the
  session goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import ipaddress
import json
import secrets
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from .._version import __version__
from ..core.activations import ACTIVATIONS
from ..core.initializers import INITIALIZER_NAMES
from ..errors import DescentlabError, InputError, InputTypeError
from ..training.batching import SHUFFLES
from ..training.optimizers import OPTIMIZERS
from ..training.schedules import SCHEDULES
from .data import DATA_SETS, FEATURES
from .limits import Limits
from .pool import Pool
from .session import SPEEDS
from .state import (
    DEFAULTS,
    LIVE_KEYS,
    PLAYABLE_PRESETS,
    changed_keys,
    normalize,
    parse_fragment,
    preset_settings,
    to_fragment,
)
from .uploads import parse_upload

STATIC = Path(__file__).parent / "static"
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1", "[::1]")
CONTROLS = ("play", "pause", "step", "epoch", "reset", "speed", "focus")
REQUESTS = ("gradcheck", "python", "toml", "model", "data")
HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
                                "style-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; "
                                "base-uri 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address) is this machine only."""
    if host.strip("[]") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass
class ServerConfig:
    """How the server listens and whom it lets in."""

    host: str = "127.0.0.1"
    port: int = 8765
    token: str | None = field(default_factory=lambda: secrets.token_urlsafe(24))
    limits: Limits = field(default_factory=Limits)
    workers: int | None = None
    allowed_origins: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.token is None and not is_loopback(self.host):
            raise InputError(f"host: expected an access token when listening on {self.host!r} (not only this "
                             "machine), received --no-token; drop --no-token (a token is made and printed)")
        if self.token is not None and (not isinstance(self.token, str) or len(self.token) < 8):
            raise InputError("token: expected at least 8 characters, received a shorter token")

    @property
    def cookie(self) -> str:
        return f"descentlab-playground-{self.port}"  # cookies ignore ports: one name per server

    def url(self, fragment: str = "") -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        host = f"[{host}]" if ":" in host else host
        query = f"?{urlencode({'token': self.token})}" if self.token else ""
        return f"http://{host}:{self.port}/{query}" + (f"#{fragment}" if fragment else "")


# ----------------------------------------------------------------------------------------- access
def _host_ok(config: ServerConfig, headers: Any) -> bool:
    if not is_loopback(config.host):
        return True
    host = headers.get("host", "")
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return name.strip("[]") in ("localhost", "127.0.0.1", "::1") or is_loopback(name)


def _token_ok(config: ServerConfig, given: str | None) -> bool:
    if config.token is None:
        return True
    return given is not None and hmac.compare_digest(given.encode(), config.token.encode())


def _authorized(config: ServerConfig, scope_headers: Any, query: dict[str, str], cookies: dict[str, str]) -> bool:
    if not _host_ok(config, scope_headers):
        return False
    return _token_ok(config, query.get("token")) or _token_ok(config, cookies.get(config.cookie))


def _origin_ok(config: ServerConfig, headers: Any) -> bool:
    """A browser's WebSocket must come from the page itself: Origin == http://<Host> (or an allowed origin)."""
    origin = headers.get("origin")
    if origin is None:
        return True  # not a browser: nothing can make it send our cookie; the token is still required
    own = f"http://{headers.get('host', '')}"
    return hmac.compare_digest(origin.encode(), own.encode()) or origin in config.allowed_origins


def _denied(status: int, text: str):
    from starlette.responses import PlainTextResponse
    return PlainTextResponse(text, status_code=status, headers=HEADERS)


class _Guard:
    """ASGI middleware: every HTTP request needs the token (query or cookie) and a good Host."""

    def __init__(self, app: Any, config: ServerConfig) -> None:
        self.app, self.config = app, config

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from starlette.requests import Request
        request = Request(scope, receive)
        if not _authorized(self.config, request.headers, dict(request.query_params), request.cookies):
            reason = ("this server answers only to its loopback address (127.0.0.1 or localhost)"
                      if not _host_ok(self.config, request.headers) else
                      "open the URL that `descentlab playground` printed (it carries ?token=...)")
            await _denied(403, f"descentlab playground: access refused: {reason}.\n")(scope, receive, send)
            return
        token = request.query_params.get("token")
        if token is not None and self.config.token is not None and request.url.path == "/":
            await self._set_cookie(request)(scope, receive, send)
            return
        await self.app(scope, receive, _with_headers(send))

    def _set_cookie(self, request: Any):
        """Trade the token in the URL for a cookie, and drop it from the address bar (the fragment stays)."""
        from starlette.responses import RedirectResponse
        rest = [(k, v) for k, v in parse_qsl(request.url.query) if k != "token"]
        response = RedirectResponse("/" + (f"?{urlencode(rest)}" if rest else ""), status_code=303, headers=HEADERS)
        response.set_cookie(self.config.cookie, self.config.token, httponly=True, samesite="strict")
        return response


def _with_headers(send: Any) -> Any:
    async def wrapped(message: dict) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            present = {k.lower() for k, _ in headers}
            for k, v in HEADERS.items():
                if k.lower().encode() not in present:
                    headers.append((k.lower().encode(), v.encode()))
            message = {**message, "headers": headers}
        await send(message)
    return wrapped


# ----------------------------------------------------------------------------------------- sessions
def hello(limits: Limits) -> dict[str, Any]:
    """What the page needs to draw its controls: the registries' names, the limits and the presets."""
    return {
        "type": "hello", "version": __version__, "limits": limits.to_dict(), "reasons": Limits.reasons(),
        "choices": {"data": list(DATA_SETS), "features": {k: v[0] for k, v in FEATURES.items()},
                    "hidden": list(ACTIVATIONS), "init": list(INITIALIZER_NAMES),
                    "optimizer": [o for o in OPTIMIZERS if o != "sgd"], "schedule": list(SCHEDULES),
                    "shuffle": list(SHUFFLES), "speeds": list(SPEEDS)},
        "live": list(LIVE_KEYS), "defaults": DEFAULTS,
        "presets": [{"name": n, "title": e.title, "description": e.description,
                     "arms": [a.name for a in e.engine_arms], "epochs": e.base.get("epochs")}
                    for n, e in PLAYABLE_PRESETS.items()],
    }


class ClientSession:
    """The server's side of one browser session: its checked settings, its upload, its worker session."""

    def __init__(self, ws: Any, pool: Pool, limits: Limits) -> None:
        self.ws, self.pool, self.limits = ws, pool, limits
        self.settings = normalize({}, limits)
        self.upload: Any = None
        self.queue: asyncio.Queue = asyncio.Queue()
        self.pending: dict[int, str] = {}
        self.rid = 0
        self.sid = pool.open(self.settings, self.queue.put_nowait)

    @property
    def n_outputs(self) -> int:
        if self.upload is None or self.settings["data"] != "upload":
            return 1
        names = self.upload.class_names
        return len(names) if len(names) > 2 else 1

    async def say(self, doc: dict[str, Any]) -> None:
        await self.ws.send_text(json.dumps(doc, allow_nan=False))

    async def error(self, message: str) -> None:
        await self.say({"type": "error", "message": message})

    async def state(self) -> None:
        await self.say({"type": "state", "settings": self.settings, "fragment": to_fragment(self.settings)})

    # -------------------------------------------------------------------- from the page
    async def on_text(self, text: str) -> None:
        try:
            msg = json.loads(text)
        except ValueError:
            await self.error("message: expected JSON, received something else")
            return
        if not isinstance(msg, dict) or not isinstance(msg.get("type"), str):
            await self.error("message: expected an object with a 'type'")
            return
        handler = getattr(self, f"do_{msg['type']}", None)
        if handler is None:
            await self.error(f"message: expected a known type, received {msg['type']!r}")
            return
        try:
            await handler(msg)
        except (DescentlabError, InputError, InputTypeError, ValueError, TypeError) as exc:
            await self.error(" ".join(str(exc).split()))

    async def apply(self, new: dict[str, Any], force: bool = False) -> None:
        """Rebuild the worker's session with new checked settings (live keys alone change without a reset)."""
        if new["data"] == "upload" and self.upload is None:
            raise InputError("data: expected an uploaded CSV first (choose a file), received 'upload' with none")
        changed = changed_keys(self.settings, new) | ({"data"} if force else set())
        arm_keys = {k for arm in new["arms"] for k in arm}
        live = changed and changed <= set(LIVE_KEYS) and not (changed & arm_keys)
        self.settings = new
        if live:
            self.pool.send(self.sid, "control", "set", {k: new[k] for k in changed})
        elif changed:
            self.pool.send(self.sid, "settings", new, self.upload if new["data"] == "upload" else None)
        await self.state()

    async def do_hash(self, msg: dict) -> None:
        fragment = msg.get("fragment", "")
        if not isinstance(fragment, str):
            raise InputTypeError("fragment: expected text")
        if fragment.strip("#") == "":
            await self.state()
            return
        await self.apply(parse_fragment(fragment, self.limits, 1))

    async def do_update(self, msg: dict) -> None:
        changes = msg.get("changes")
        if not isinstance(changes, dict) or not changes:
            raise InputError("changes: expected an object of settings, received none")
        raw = {**self.settings, **changes}
        await self.apply(normalize(raw, self.limits, self.n_outputs if raw.get("data") == "upload" else 1))

    async def do_preset(self, msg: dict) -> None:
        await self.apply(normalize(preset_settings(msg.get("name")), self.limits))

    async def do_new_seed(self, msg: dict) -> None:
        await self.apply({**self.settings, "seed": secrets.randbelow(2**32)})

    async def do_control(self, msg: dict) -> None:
        op = msg.get("op")
        if op not in CONTROLS:
            raise InputError(f"op: expected one of {list(CONTROLS)}, received {op!r}")
        value = msg.get("value")
        if op == "speed" and value not in SPEEDS:
            raise InputError(f"speed: expected one of {list(SPEEDS)}, received {value!r}")
        if op == "focus" and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise InputError(f"focus: expected a run index, received {value!r}")
        self.pool.send(self.sid, "control", op, value)

    async def do_ack(self, msg: dict) -> None:
        self.pool.send(self.sid, "ack", msg.get("seq"))

    async def do_request(self, msg: dict) -> None:
        what = msg.get("what")
        if what not in REQUESTS:
            raise InputError(f"request: expected one of {list(REQUESTS)}, received {what!r}")
        if what in self.pending.values():
            raise InputError(f"request: a {what} request is already running; wait for it")
        self.rid += 1
        self.pending[self.rid] = what
        self.pool.send(self.sid, "request", self.rid, what)

    async def on_bytes(self, data: bytes) -> None:
        """An upload: uint32 header length, a JSON header {"name": ...}, then the file's bytes."""
        try:
            if len(data) < 4:
                raise InputError("upload: expected a header and a file, received a short message")
            (n,) = struct.unpack("<I", data[:4])
            if n > 4096 or 4 + n > len(data):
                raise InputError("upload: expected a header of at most 4096 bytes")
            header = json.loads(data[4:4 + n].decode("utf-8"))
            dataset = parse_upload(header.get("name"), data[4 + n:], self.limits)
        except (DescentlabError, InputError, InputTypeError, ValueError, TypeError) as exc:
            await self.error(" ".join(str(exc).split()))
            return
        self.upload = dataset
        new = normalize({**self.settings, "data": "upload", "split": None, "preset": None, "arms": []},
                        self.limits, self.n_outputs_of(dataset))
        await self.apply(new, force=True)
        await self.say({"type": "uploaded", "description": dataset.description})

    @staticmethod
    def n_outputs_of(dataset: Any) -> int:
        return len(dataset.class_names) if len(dataset.class_names) > 2 else 1

    # -------------------------------------------------------------------- to the page
    async def pump(self) -> None:
        """Forward what the worker sends: frames and data as binary messages, the rest as JSON."""
        while True:
            msg = await self.queue.get()
            kind = msg[0]
            if kind in ("frame", "data"):
                await self.ws.send_bytes(msg[2])
            elif kind == "error":
                await self.error(msg[2])
            elif kind == "reply":
                await self._reply(*msg[2:])

    async def _reply(self, rid: int, what: str, kind: str, payload: Any) -> None:
        self.pending.pop(rid, None)
        if kind == "file":
            name, data = payload
            import numpy as np

            from .frames import pack
            await self.ws.send_bytes(pack("file", {"what": what, "name": name},
                                          [("bytes", np.frombuffer(data, dtype=np.uint8))]))
        else:
            await self.say({"type": "reply", "what": what, kind: payload})


async def _serve_ws(ws: Any, config: ServerConfig) -> None:
    from starlette.websockets import WebSocketDisconnect
    query = dict(ws.query_params)
    if not (_authorized(config, ws.headers, query, ws.cookies) and _origin_ok(config, ws.headers)):
        await ws.close(code=1008)
        return
    await ws.accept()
    pool: Pool = ws.app.state.pool
    try:
        client = ClientSession(ws, pool, config.limits)
    except InputError as exc:
        await ws.send_text(json.dumps({"type": "error", "message": str(exc), "fatal": True}))
        await ws.close(code=1013)
        return
    pump = asyncio.create_task(client.pump())
    try:
        await ws.send_text(json.dumps(hello(config.limits)))
        await client.state()
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                break
            if message.get("text") is not None:
                if len(message["text"]) > 65_536:
                    await client.error("message: expected at most 65536 characters")
                    continue
                await client.on_text(message["text"])
            elif message.get("bytes") is not None:
                await client.on_bytes(message["bytes"])
    except WebSocketDisconnect:
        pass
    finally:
        pool.close(client.sid)
        pump.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await pump


def create_app(config: ServerConfig | None = None) -> Any:
    """The ASGI application (Starlette); its lifespan starts and stops the worker processes."""
    from starlette.applications import Starlette
    from starlette.responses import FileResponse
    from starlette.routing import Mount, Route, WebSocketRoute
    from starlette.staticfiles import StaticFiles

    config = config or ServerConfig()

    async def index(request: Any) -> Any:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    async def ws_endpoint(ws: Any) -> None:
        await _serve_ws(ws, config)

    @contextlib.asynccontextmanager
    async def lifespan(app: Any):
        pool = Pool(config.limits, config.workers)
        pool.start(asyncio.get_running_loop())
        app.state.pool = pool
        try:
            yield
        finally:
            pool.stop()

    app = Starlette(routes=[Route("/", index), WebSocketRoute("/ws", ws_endpoint),
                            Mount("/static", app=StaticFiles(directory=STATIC), name="static")],
                    lifespan=lifespan)
    app.state.config = config
    return _Guard(app, config)
