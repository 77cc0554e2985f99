"""Start the playground: the course's lessons, live in the browser, on descentlab's own engine.

Press play and watch the decision boundary form; move the learning rate, L2 or
keep_prob while it trains; compare up to four runs that differ in one factor (the
course's comparisons are one click each, their "what to remember" checked live);
check the gradients; share the URL (same data, seed and initial weights); download
the model, the Python code (dl.fit) and the TOML comparison (descentlab run).

The server listens on 127.0.0.1 and prints its URL, which carries an access token
(opened once, the token becomes a cookie). --host 0.0.0.0 opens it to a classroom:
the token is then required (--no-token is refused). Needs
pip install 'descentlab[playground]' (Starlette, uvicorn, websockets).

examples:
  descentlab playground
  descentlab playground --no-browser --port 9000
  descentlab playground --open initialization      # one of the course's comparisons
  descentlab playground --host 0.0.0.0 --max-sessions 40
"""

from __future__ import annotations

import argparse
import socket
import sys
import threading
import time

from ._args import positive_int

ORDER = 64
HELP = "the playground: train in the browser, live, and compare (descentlab[playground])"
TRIES = 20  # ports tried after the default one when it is taken


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only; "
                   "0.0.0.0: every interface, token required)")
    p.add_argument("--port", type=positive_int, default=None,
                   help="port (default 8765, or the next free one when 8765 is taken)")
    p.add_argument("--no-browser", action="store_true", help="print the URL, do not open a browser")
    p.add_argument("--token", default=None, help="the access token (default: a random one, printed in the URL)")
    p.add_argument("--no-token", action="store_true", help="no token (only with a loopback --host)")
    p.add_argument("--open", default=None, metavar="PRESET",
                   help="open one of the course's comparisons (initialization, regularization, optimization, "
                        "optimization-decay)")
    p.add_argument("--max-sessions", type=positive_int, default=None, help="browser sessions open at once (default 16)")
    p.add_argument("--workers", type=positive_int, default=None,
                   help="worker processes that train the sessions (default: one per core)")
    p.add_argument("--allow-origin", action="append", default=[], metavar="URL",
                   help="another page origin allowed to open the WebSocket (e.g. behind a proxy); repeatable")


def _free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def _port(host: str, wanted: int | None) -> int:
    from ..errors import InputError
    from ..playground import DEFAULT_PORT
    if wanted is not None:
        if not _free(host, wanted):
            raise InputError(f"--port: expected a free port, received {wanted} (in use)")
        return wanted
    for port in range(DEFAULT_PORT, DEFAULT_PORT + TRIES + 1):
        if _free(host, port):
            return port
    raise InputError(f"--port: expected a free port near {DEFAULT_PORT}, received none free in "
                     f"{DEFAULT_PORT}-{DEFAULT_PORT + TRIES}; pass --port")


def _requirements() -> None:
    from ..errors import DescentlabError
    missing = []
    for module in ("starlette", "uvicorn", "websockets"):
        try:
            __import__(module)
        except ImportError:
            missing.append(module)
    if missing:
        raise DescentlabError(f"playground: needs {', '.join(missing)}: pip install 'descentlab[playground]'")


def build_config(args: argparse.Namespace):
    """The server's configuration from the options (checked: a bad option is one line and exit status 2)."""
    import secrets

    from ..errors import InputError
    from ..playground.limits import Limits
    from ..playground.server import ServerConfig
    from ..playground.state import PLAYABLE_PRESETS
    if args.no_token and args.token:
        raise InputError("--no-token: expected either --token or --no-token, received both")
    if args.open is not None and args.open not in PLAYABLE_PRESETS:
        raise InputError(f"--open: expected one of {sorted(PLAYABLE_PRESETS)}, received {args.open!r}")
    limits = Limits(**({"max_sessions": args.max_sessions} if args.max_sessions else {}))
    token = None if args.no_token else (args.token or secrets.token_urlsafe(24))
    return ServerConfig(host=args.host, port=_port(args.host, args.port), token=token, limits=limits,
                        workers=args.workers, allowed_origins=tuple(args.allow_origin))


def run(args: argparse.Namespace) -> int:
    _requirements()
    import uvicorn

    from ..playground.server import create_app
    config = build_config(args)
    url = config.url(f"preset={args.open}" if args.open else "")
    server = uvicorn.Server(uvicorn.Config(create_app(config), host=config.host, port=config.port, log_level="warning",
                                           ws_max_size=4 * config.limits.max_upload_bytes + 65_536))
    threading.Thread(target=_announce, args=(server, url, not args.no_browser), daemon=True).start()
    try:
        server.run()  # Ctrl-C: uvicorn closes the sessions and the lifespan stops the workers
    except KeyboardInterrupt:
        pass
    print("descentlab playground: stopped", file=sys.stderr)
    return 0


def _announce(server, url: str, browser: bool) -> None:
    """Print the URL (and open the browser) once the server listens."""
    deadline = time.monotonic() + 60
    while not server.started and not server.should_exit and time.monotonic() < deadline:
        time.sleep(0.05)
    if not server.started:
        return
    print(f"descentlab playground: {url}\n(Ctrl-C to stop)", flush=True)
    if browser:
        import webbrowser
        try:
            webbrowser.open(url)
        except Exception as exc:  # no browser here: the printed URL is enough
            print(f"descentlab playground: could not open a browser ({exc}); open the URL above", file=sys.stderr)
