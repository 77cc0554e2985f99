"""A playground session's settings: checked like the CLI's, kept in the URL, expanded from the course's presets.

The settings are one flat dict:

- data keys (:data:`DATA_KEYS`): ``data``, ``n``, ``noise``, ``split``, ``dseed``, ``features``
  (see :mod:`.data`);
- the run's settings, the keys of :data:`descentlab.experiments.spec.KEYS` the playground
  varies (:data:`RUN_KEYS`), checked by :func:`~descentlab.experiments.spec.normalize_value`
  exactly as in a TOML comparison (``descentlab run``), names from the registries;
  ``epochs`` is where training pauses by itself (None: never);
- ``arms``: up to four runs side by side, each ``{"name": ..., <settings of ONE factor>}``;
- ``preset`` and ``title``: the course's comparison the settings came from, if any.

:func:`normalize` checks a whole dict (an unknown key, a bad value or a network over the
:class:`~.limits.Limits` is an :class:`~descentlab.errors.InputError` naming it);
:func:`to_fragment` / :func:`parse_fragment` write and read the URL fragment
(:mod:`descentlab.experiments.links` holds the format of the run's settings).
"""

from __future__ import annotations

import json
from typing import Any, Mapping
from urllib.parse import quote, unquote

from .. import _checks as check
from ..errors import InputError, InputTypeError
from ..experiments.links import MAX_ARMS, UNSUPPORTED, decode_value, encode_value
from ..experiments.presets import PRESETS
from ..experiments.spec import DEFAULTS as SPEC_DEFAULTS
from ..experiments.spec import KEYS, factors_of, normalize_value
from .data import COURSE_DATA, DATA_SETS, check_features
from .limits import Limits

DATA_KEYS = ("data", "n", "noise", "split", "dseed", "features")
RUN_KEYS = tuple(k for k in KEYS if k not in UNSUPPORTED and k != "output")
LIVE_KEYS = ("lr", "l2", "keep_prob")
"""Settings that change a run between two steps, without a reset (as in TensorFlow Playground)."""
META_KEYS = ("arms", "preset", "title")
ALL_KEYS = DATA_KEYS + RUN_KEYS + META_KEYS

DEFAULTS: dict[str, Any] = {
    "data": "circles", "n": 400, "noise": 0.0, "split": None, "dseed": 0, "features": ["x1", "x2"],
    "layers": [2, 10, 5, 1], "hidden": "relu", "init": "he", "init_scale": None, "seed": 1,
    "optimizer": "adam", "lr": 0.01, "beta": None, "beta1": None, "beta2": None, "epsilon": None,
    "weight_decay": None, "schedule": None, "epochs": None, "batch_size": 64, "shuffle": "random",
    "l2": 0.0, "keep_prob": 1.0, "arms": [], "preset": None, "title": None,
}
"""The page a plain ``descentlab playground`` opens: the course's circles, a [10, 5] ReLU network, Adam."""

PLAYABLE_PRESETS = {name: exp for name, exp in PRESETS.items()
                    if exp.kind == "train" and exp.dataset in COURSE_DATA}


def normalize(raw: Mapping[str, Any], limits: Limits, n_outputs: int = 1) -> dict[str, Any]:
    """Every setting of ``raw`` checked and completed with :data:`DEFAULTS`; layers fitted to the features."""
    if not isinstance(raw, Mapping):
        raise check.fail("settings", raw, "a table of settings")
    for key in raw:
        if key not in ALL_KEYS:
            raise InputError(f"{key}: expected a playground setting (one of {', '.join(ALL_KEYS)}), received {key!r}")
    out = {**DEFAULTS, **raw}
    out.update(_data_settings(out, limits))
    for key in RUN_KEYS:
        if out[key] is not None or key == "schedule":
            out[key] = _run_value(key, out[key])
    out["layers"] = fit_layers(out["layers"], len(out["features"]), n_outputs, limits)
    out["arms"] = _arms(out["arms"], out, limits, n_outputs)
    out["preset"] = None if out["preset"] is None else check.choice("preset", out["preset"], PLAYABLE_PRESETS)
    if out["title"] is not None and (not isinstance(out["title"], str) or len(out["title"]) > 200):
        raise check.fail("title", out["title"], "a text of at most 200 characters")
    return out


def _run_value(key: str, value: Any) -> Any:
    if key == "epochs" and value is None:
        return None
    return normalize_value(key, value, key)


def _data_settings(s: Mapping[str, Any], limits: Limits) -> dict[str, Any]:
    split = s["split"]
    if isinstance(split, str) and split.strip().lower() in ("none", "course", "default", ""):
        split = None
    return {
        "data": check.choice("data", s["data"], DATA_SETS),
        "n": check.integer("n", s["n"], low=10, high=limits.max_points),
        "noise": check.real("noise", s["noise"], low=0.0, high=1.0),
        "split": None if split is None else check.real("split", split, low=0.0, high=0.9),
        "dseed": check.integer("dseed", s["dseed"], low=0, high=2**32 - 1),
        "features": list(check_features(s["features"])),
    }


def fit_layers(layers: Any, n_inputs: int, n_outputs: int, limits: Limits) -> list[int]:
    """``layers`` with its first size the number of features and its last the outputs, within the limits."""
    dims = list(check.layer_dims(layers))
    hidden = dims[1:-1]
    if len(hidden) > limits.max_hidden_layers:
        raise check.fail("layers", layers, f"at most {limits.max_hidden_layers} hidden layers")
    if any(h > limits.max_units for h in hidden):
        raise check.fail("layers", layers, f"at most {limits.max_units} units in a hidden layer")
    dims = [n_inputs, *hidden, n_outputs]
    params = sum((a + 1) * b for a, b in zip(dims[:-1], dims[1:]))
    if params > limits.max_params:
        raise check.fail("layers", layers, f"a network of at most {limits.max_params} parameters "
                         f"(this one has {params}; see the limits' reasons)")
    return dims


def _arms(arms: Any, base: Mapping[str, Any], limits: Limits, n_outputs: int) -> list[dict[str, Any]]:
    """Checked arms: each a name and the settings of ONE factor, at most ``limits.max_runs``."""
    if not isinstance(arms, (list, tuple)):
        raise check.fail("arms", arms, "a list of runs, each {name, settings of one factor}")
    if len(arms) > min(limits.max_runs, MAX_ARMS):
        raise check.fail("arms", f"{len(arms)} runs", f"at most {min(limits.max_runs, MAX_ARMS)} runs side by side")
    out, names = [], set()
    for i, arm in enumerate(arms):
        where = f"arms[{i}]"
        if not isinstance(arm, Mapping):
            raise check.fail(where, arm, "a table {name, settings}")
        name = arm.get("name")
        if not isinstance(name, str) or not name.strip() or len(name) > 40 or name in names:
            raise check.fail(f"{where}.name", name, "a short name no other run has")
        names.add(name)
        overrides = {}
        for key, value in arm.items():
            if key == "name":
                continue
            if key not in RUN_KEYS:
                raise check.fail(f"{where}.{key}", value, f"a run setting (one of {', '.join(RUN_KEYS)})")
            overrides[key] = _run_value(key, value)
        if "layers" in overrides:
            overrides["layers"] = fit_layers(overrides["layers"], len(base["features"]), n_outputs, limits)
        if len(factors_of(overrides)) > 1:
            raise InputError(f"{where} ({name}): expected the settings of ONE factor, received {sorted(overrides)} "
                             f"which change {factors_of(overrides)}")
        out.append({"name": name, **overrides})
    return out


def run_configs(settings: Mapping[str, Any], output: str) -> list[tuple[str, dict[str, Any]]]:
    """(name, spec configuration) of each run: the base settings, then each arm's (one run when no arms)."""
    nullable = ("batch_size", "schedule")  # None means something here: full batch, a constant rate
    base = {**SPEC_DEFAULTS, **{k: settings[k] for k in RUN_KEYS if settings.get(k) is not None or k in nullable},
            "output": output}
    base["epochs"] = settings.get("epochs") or SPEC_DEFAULTS["epochs"]  # the planned length (None: never stops)
    if not settings["arms"]:
        return [("run", base)]
    return [(arm["name"], {**base, **{k: v for k, v in arm.items() if k != "name"}}) for arm in settings["arms"]]


# ------------------------------------------------------------------------------------ the URL
def to_fragment(settings: Mapping[str, Any]) -> str:
    """The URL fragment of ``settings``: the keys that differ from :data:`DEFAULTS`, in a fixed order."""
    pairs = []
    preset = settings.get("preset")
    base = _preset_normal(preset) if preset else DEFAULTS
    always = () if preset else ("layers", "seed")  # a link pins the weights even if the defaults change
    for key in ALL_KEYS:
        value = settings.get(key, DEFAULTS[key])
        if key == "preset" and value is not None:
            pairs.insert(0, ("preset", value))
            continue
        if value == base.get(key) and key not in always:
            continue
        if key == "arms":
            text = json.dumps(list(value), separators=(",", ":"))
        elif key in RUN_KEYS:
            text = encode_value(key, value)
        else:
            text = encode_value(key, value) if key != "split" or value is not None else "none"
        pairs.append((key, text))
    return "&".join(f"{k}={quote(str(v), safe=',:')}" for k, v in pairs)


def parse_fragment(fragment: str, limits: Limits, n_outputs: int = 1) -> dict[str, Any]:
    """The checked settings of a URL fragment (``#`` optional); ``preset=NAME`` starts from that preset."""
    if not isinstance(fragment, str) or len(fragment) > 20_000:
        raise check.fail("URL", fragment, "a URL fragment of at most 20,000 characters")
    raw: dict[str, Any] = {}
    for part in fragment.lstrip("#").split("&"):
        if not part:
            continue
        key, _, text = part.partition("=")
        key, text = unquote(key), unquote(text)
        if key not in ALL_KEYS:
            raise InputError(f"URL: expected a playground setting (one of {', '.join(ALL_KEYS)}), received {key!r}")
        raw[key] = _decode(key, text)
    if "preset" in raw:
        raw = {**preset_settings(raw["preset"]), **raw}
    return normalize(raw, limits, n_outputs)


def _decode(key: str, text: str) -> Any:
    if key in RUN_KEYS:
        if key == "epochs" and text.strip().lower() == "none":
            return None
        return decode_value(key, text)
    if key == "arms":
        try:
            return json.loads(text)
        except ValueError:
            raise check.fail("arms", text, "a JSON list of runs, e.g. [{\"name\":\"he\",\"init\":\"he\"}]") from None
    if key in ("n", "dseed"):
        return _number(key, text, int)
    if key in ("noise", "split"):
        return None if key == "split" and text.strip().lower() in ("none", "course", "") else _number(key, text, float)
    if key == "features":
        return [f for f in text.split(",") if f]
    return text


def _number(key: str, text: str, kind: type) -> Any:
    try:
        return kind(text)
    except ValueError:
        raise check.fail(key, text, "an integer" if kind is int else "a number") from None


def preset_settings(name: Any) -> dict[str, Any]:
    """The settings of one of the course's comparisons (its data, base settings and arms; paused at its epochs)."""
    exp = PLAYABLE_PRESETS[check.choice("preset", name, PLAYABLE_PRESETS)]
    base = {k: v for k, v in exp.base.items() if k in RUN_KEYS}
    arms = [{"name": a.name, **{k: v for k, v in a.overrides.items() if k in RUN_KEYS}} for a in exp.engine_arms]
    return {**DEFAULTS, "data": exp.dataset, "split": None, "noise": 0.0, "features": ["x1", "x2"],
            "schedule": None, **base, "arms": arms, "preset": exp.name, "title": exp.title}


def _preset_normal(name: str) -> dict[str, Any]:
    return normalize(preset_settings(name), Limits())


def changed_keys(old: Mapping[str, Any], new: Mapping[str, Any]) -> set[str]:
    return {k for k in ALL_KEYS if old.get(k) != new.get(k)}


def is_input_error(exc: BaseException) -> bool:
    return isinstance(exc, (InputError, InputTypeError))
