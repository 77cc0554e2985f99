"""descentlab playground: the course's lessons, live in the browser, on descentlab's own engine.

``descentlab playground`` (:mod:`descentlab.cli.playground_cmd`) starts the server
(:mod:`.server`: Starlette + uvicorn + WebSockets; ``pip install 'descentlab[playground]'``).
This package's modules that need no web server are importable on their own:
:mod:`.data` (``make_data``, which the exported Python code calls), :mod:`.state`
(the settings and their URL), :mod:`.session` (a session's runs and frames).

>>> from descentlab.playground import url_for
>>> url_for("initialization")
'http://127.0.0.1:8765/#preset=initialization'
"""

from __future__ import annotations

from typing import Any, Mapping

from ..experiments.links import DEFAULT_URL, fragment

__all__ = ["DEFAULT_PORT", "url_for"]

DEFAULT_PORT = 8765


def url_for(experiment: Any = None, *, settings: Mapping[str, Any] | None = None, host: str = "127.0.0.1",
            port: int = DEFAULT_PORT, token: str | None = None) -> str | None:
    """The playground URL that opens an experiment (a preset name, an Experiment) or playground settings live.

    ``experiment``: a preset name or :class:`~descentlab.experiments.Experiment` (None when it cannot be
    opened: see :func:`descentlab.experiments.links.openable`); ``settings``: a dict of playground settings
    (:mod:`.state`). ``token``: the server's access token, when the link should carry it.
    """
    from urllib.parse import urlencode

    from .. import _checks as check
    base = DEFAULT_URL if (host, port) == ("127.0.0.1", DEFAULT_PORT) else f"http://{host}:{port}/"
    if token is not None:
        base += "?" + urlencode({"token": token})
    if settings is not None:
        from .limits import Limits
        from .state import normalize, to_fragment
        return f"{base}#{to_fragment(normalize(settings, Limits()))}"
    if isinstance(experiment, str):
        from ..experiments.presets import PRESETS
        if experiment not in PRESETS:
            raise check.fail("experiment", experiment, f"a preset name (one of {sorted(PRESETS)}) or an Experiment")
        experiment = PRESETS[experiment]
    frag = fragment(experiment) if experiment is not None else ""
    if frag is None:
        return None
    return base + (f"#{frag}" if frag else "")
