"""Settings in a link: how ``descentlab playground`` reads an experiment from its URL.

The playground keeps its whole state in the URL's fragment, as TensorFlow
Playground does, so a link opens the same experiment: same data, same seed,
same initial weights. The fragment is ``key=value`` pairs joined by ``&``:

- ``preset=NAME``: one of the course's comparisons (:data:`.presets.PRESETS`);
- the settings of :data:`.spec.KEYS`, each written as in a TOML comparison:
  ``layers=2,10,5,1``, ``init=he``, ``lr=0.01``, ``batch_size=full``,
  ``keep_prob=0.86`` (or ``0.9,0.8``), ``schedule=staircase`` or, with
  parameters, ``schedule={"name":"staircase","rate":1,...}`` (JSON);
- ``arms=[{"name":"zeros","init":"zeros"}, ...]`` (JSON): up to four runs that
  each change one factor of the settings above, side by side;
- the playground's own data keys (``data``, ``noise``, ``split``, ...), read by
  :mod:`descentlab.playground.state`.

This module is the one home of the format for the settings of :data:`.spec.KEYS`
(every value is checked by :func:`.spec.normalize_value`, as in a TOML file); the
report of ``descentlab run`` links each experiment here with :func:`playground_url`.
"""

from __future__ import annotations

import json
import math
from typing import Any, Mapping
from urllib.parse import quote

from .. import _checks as check
from ..errors import InputError
from .spec import KEYS, Experiment, normalize_value

DEFAULT_URL = "http://127.0.0.1:8765/"
"""Where ``descentlab playground`` listens by default (``--port`` changes it)."""

PLAYGROUND_DATA = ("circles", "moons", "football")
"""The course's data sets the playground can open (2 features, 2 classes)."""

MAX_ARMS = 4
UNSUPPORTED = {"engine": ("numpy", "auto"), "dtype": ("float64",), "preprocessing": (None,)}
"""Settings the playground does not vary, and the values it plays (it trains float64 on the NumPy engine,
step by step, inputs as they are; an arm on "auto" would train on numba, equal to rounding)."""


def encode_value(key: str, value: Any) -> str:
    """A checked setting as it is written in a link (``layers`` [2, 10, 1] -> ``2,10,1``)."""
    if value is None:
        return "full" if key == "batch_size" else "none"
    if isinstance(value, Mapping):
        return json.dumps(dict(value), separators=(",", ":"), sort_keys=True)
    if isinstance(value, (list, tuple)):
        return ",".join(encode_value(key, v) for v in value)
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def decode_value(key: str, text: str, where: str = "URL") -> Any:
    """A setting read from a link, checked like the same setting in a TOML comparison."""
    if key not in KEYS:
        raise InputError(f"{where}: expected a known setting (one of {', '.join(sorted(KEYS))}), received {key}")
    if not isinstance(text, str) or len(text) > 2000:
        raise check.fail(f"{where} {key}", text, "a short text value")
    value: Any = text.strip()
    if value.startswith("{"):
        try:
            value = json.loads(value)
        except ValueError:
            raise check.fail(f"{where} {key}", text, KEYS[key].expected) from None
    elif "," in value:
        value = [_scalar(v) for v in value.split(",")]
    else:
        value = _scalar(value)
    if key == "layers" and not isinstance(value, list):
        value = [value]
    return normalize_value(key, value, f"{where} {key}")


def _scalar(text: str) -> Any:
    """A number when the text is one (int before float), else the text."""
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        return text
    return value if math.isfinite(value) else text


def openable(experiment: Experiment) -> str | None:
    """Why the playground cannot open ``experiment``, or None when it can."""
    if experiment.kind != "train":
        return f"a {experiment.kind} experiment trains nothing to watch"
    if experiment.source == "preset" and experiment.dataset in PLAYGROUND_DATA:
        return None
    if experiment.dataset not in PLAYGROUND_DATA:
        return f"its data ({experiment.dataset}) is not one of the playground's 2-D sets {list(PLAYGROUND_DATA)}"
    if len(experiment.engine_arms) > MAX_ARMS:
        return f"it has {len(experiment.engine_arms)} arms; the playground shows at most {MAX_ARMS} side by side"
    for arm in experiment.engine_arms:
        cfg = experiment.config(arm)
        for key, allowed in UNSUPPORTED.items():
            if cfg.get(key, allowed[0]) not in allowed:
                return f"arm {arm.name!r} sets {key} = {cfg[key]!r}; the playground uses {key} = {allowed[0]!r}"
        if cfg["output"] != "sigmoid" or list(cfg["layers"])[-1] != 1:
            return f"arm {arm.name!r} is not a binary classifier with one sigmoid output"
    return None


def fragment(experiment: Experiment) -> str | None:
    """The URL fragment that opens ``experiment`` in the playground, or None when it cannot (:func:`openable`)."""
    if openable(experiment) is not None:
        return None
    if experiment.source == "preset":
        return f"preset={quote(experiment.name)}"
    pairs = [("data", experiment.dataset), ("title", experiment.title)]
    pairs += [(k, encode_value(k, v)) for k, v in experiment.base.items() if k not in UNSUPPORTED]
    arms = [{"name": a.name, **{k: v for k, v in a.overrides.items()}} for a in experiment.engine_arms]
    pairs.append(("arms", json.dumps(arms, separators=(",", ":"))))
    return "&".join(f"{k}={quote(str(v), safe=',:')}" for k, v in pairs)


def playground_url(experiment: Experiment, base: str = DEFAULT_URL) -> str | None:
    """The link that opens ``experiment`` live in a running ``descentlab playground`` (None when it cannot)."""
    frag = fragment(experiment)
    return None if frag is None else f"{base}#{frag}"
