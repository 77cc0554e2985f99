"""Checkpoints: everything needed to continue a run bit for bit, validated completely before it is used.

A checkpoint is a safetensors file (format ``descentlab.checkpoint``, with the sha256
checksums of :mod:`descentlab.io.tensorfile`) holding the parameters ``theta``, the
optimizer's arrays ``optimizer.<slot>`` and any callback arrays ``callback<i>.<name>``,
and in its JSON header:

- ``format_version`` (1), ``model`` (the model header: the network description),
  ``fit`` (the run's settings), ``data`` (sha256 fingerprint of the training data);
- ``epoch``: epochs completed, 0 <= epoch <= fit.epochs; ``history``: one entry per
  completed epoch (so exactly ``epoch`` entries, numbered 0..epoch-1);
- ``accum``: null, or the sums of an unfinished epoch {step, loss, l2, correct, seen};
- ``optimizer``: {"t": update steps taken}; ``skipped``: [[epoch, step, what], ...], the
  non-finite steps skipped; ``shuffle_state``/``dropout_state``: PCG64 stream states;
  ``callbacks``: {index: state}.

:func:`load` checks every field's type and range and the consistency between them
(history length and epoch; t = epoch * batches + accum.step - skipped; accum.seen = the
examples of the steps taken), and :func:`check_matches` checks the checkpoint against
the run resuming from it (network, settings, data, batches). Any failure is one
:class:`~descentlab.errors.CheckpointError` line naming the file, raised before the run
changes anything: a resumed run never continues from a checkpoint that fails validation.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
from typing import Any

import numpy as np

from ..errors import CheckpointError, ModelFileError
from ..io import tensorfile
from ..io.modelfile import header as model_header
from .history import KEYS as HISTORY_KEYS

FORMAT = "descentlab.checkpoint"
FORMAT_VERSION = 1
ACCUM_KEYS = ("step", "loss", "l2", "correct", "seen")


def fingerprint(*arrays: np.ndarray) -> str:
    """sha256 of the arrays' shapes, dtypes and bytes."""
    h = hashlib.sha256()
    for a in arrays:
        h.update(repr((a.shape, a.dtype.str)).encode())
        h.update(np.ascontiguousarray(a).data)
    return h.hexdigest()


def save(path: str | os.PathLike, *, net: Any, state: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
    doc = {"format_version": FORMAT_VERSION, "model": model_header(net), **state}
    tensors = {"theta": net.theta, **arrays}
    tensorfile.write(path, FORMAT, doc, tensors)


# ------------------------------------------------------------------------------------- small checks
class _Where:
    """Builds one-line CheckpointErrors naming the file and the field."""

    def __init__(self, path: Any) -> None:
        self.path = str(path)

    def __call__(self, field: str, expected: str, value: Any) -> CheckpointError:
        text = repr(value)
        text = text if len(text) <= 60 else text[:57] + "..."
        return CheckpointError(f"{self.path}: {field}: expected {expected}, received {text}")


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _int(err: _Where, field: str, v: Any, low: int, high: int | None = None) -> int:
    if not _is_int(v) or v < low or (high is not None and v > high):
        raise err(field, f"an integer in [{low}, {'inf' if high is None else high}]", v)
    return v


def _dict(err: _Where, field: str, v: Any, keys: tuple[str, ...] | None = None) -> dict[str, Any]:
    if not isinstance(v, dict) or (keys is not None and set(v) != set(keys)):
        raise err(field, "an object" + (f" with exactly the keys {list(keys)}" if keys else ""), v)
    return v


def _stream_state(err: _Where, field: str, state: Any, *, optional: bool = False) -> None:
    """A PCG64 bit-generator state that NumPy accepts (tried on a scratch generator)."""
    if state is None and optional:
        return
    ok = isinstance(state, dict) and state.get("bit_generator") == "PCG64"
    if ok:
        try:
            np.random.PCG64().state = state
        except Exception:  # noqa: BLE001 - NumPy raises TypeError, ValueError, KeyError, OverflowError
            ok = False
    if not ok:
        raise err(field, "a PCG64 random stream state", state)


# ------------------------------------------------------------------------------------- the document
def _history(err: _Where, h: Any, epoch: int) -> None:
    h = _dict(err, "history", h)
    lists = _dict(err, "history.history", h.get("history"), HISTORY_KEYS)
    for key in HISTORY_KEYS:
        values = lists[key]
        if not isinstance(values, list) or len(values) != epoch:
            raise err(f"history.history.{key}", f"a list of {epoch} entries, one per completed epoch", values)
    if lists["epoch"] != list(range(epoch)):
        raise err("history.history.epoch", f"the epochs 0..{epoch - 1}", lists["epoch"])
    for key in ("cost", "cost_data", "cost_l2", "val_cost", "lr", "time", "accuracy", "val_accuracy"):
        if not all(v is None or _is_num(v) for v in lists[key]):
            raise err(f"history.history.{key}", "finite numbers or null", lists[key])
    for key in ("accuracy", "val_accuracy"):
        if not all(v is None or 0 <= v <= 1 for v in lists[key]):
            raise err(f"history.history.{key}", "fractions in [0, 1] or null", lists[key])
    _dict(err, "history.config", h.get("config"))
    if h.get("seed") is not None:
        _int(err, "history.seed", h["seed"], 0)
    if h.get("stop_reason") is not None and not isinstance(h["stop_reason"], str):
        raise err("history.stop_reason", "a string or null", h["stop_reason"])
    if h.get("best_epoch") is not None:
        _int(err, "history.best_epoch", h["best_epoch"], 0, max(epoch - 1, 0))
    if not isinstance(h.get("interrupted", False), bool):
        raise err("history.interrupted", "true or false", h.get("interrupted"))


def _accum(err: _Where, accum: Any) -> None:
    if accum is None:
        return
    a = _dict(err, "accum", accum, ACCUM_KEYS)
    _int(err, "accum.step", a["step"], 0)
    _int(err, "accum.seen", a["seen"], 0)
    for key in ("loss", "l2", "correct"):
        if not _is_num(a[key]) or a[key] < 0:
            raise err(f"accum.{key}", "a finite number >= 0", a[key])
    if a["correct"] > a["seen"]:
        raise err("accum.correct", f"at most accum.seen ({a['seen']})", a["correct"])


def _skipped(err: _Where, skipped: Any, epoch: int, max_skips: int) -> None:
    if not isinstance(skipped, list) or len(skipped) > max_skips:
        raise err("skipped", f"a list of at most {max_skips} (fit.max_skips) skipped steps", skipped)
    for entry in skipped:
        ok = isinstance(entry, list) and len(entry) == 3 and _is_int(entry[0]) and 0 <= entry[0] <= epoch \
            and _is_int(entry[1]) and entry[1] >= 0 and isinstance(entry[2], str)
        if not ok:
            raise err("skipped", f"entries [epoch <= {epoch}, step >= 0, what]", entry)


def _callbacks(err: _Where, callbacks: Any, epoch: int) -> None:
    for key, state in _dict(err, "callbacks", callbacks).items():
        if not key.isdigit() or not isinstance(state, dict):
            raise err("callbacks", "an object {index: state object}", callbacks)
        for name, v in state.items():
            if not (v is None or _is_num(v) or isinstance(v, str)):
                raise err(f"callbacks.{key}.{name}", "a finite number, a string or null", v)
        if state.get("best") is not None and not _is_num(state["best"]):
            raise err(f"callbacks.{key}.best", "a finite number or null", state["best"])
        if "wait" in state:
            _int(err, f"callbacks.{key}.wait", state["wait"], 0)
        if state.get("best_epoch") is not None:
            _int(err, f"callbacks.{key}.best_epoch", state["best_epoch"], 0, max(epoch - 1, 0))


def _network(err: _Where, model: Any) -> dict[str, Any]:
    """The network description in ``model``, with layer sizes and dtype checked."""
    net = _dict(err, "model.network", _dict(err, "model", model).get("network"))
    dims = net.get("layer_dims")
    if not isinstance(dims, list) or len(dims) < 2 or not all(_is_int(d) and d >= 1 for d in dims):
        raise err("model.network.layer_dims", "a list of at least two positive integers", dims)
    if net.get("dtype") not in ("float64", "float32"):
        raise err("model.network.dtype", "'float64' or 'float32'", net.get("dtype"))
    return net


def _fit_settings(err: _Where, fit: Any) -> dict[str, Any]:
    fit = _dict(err, "fit", fit)
    _int(err, "fit.epochs", fit.get("epochs"), 1)
    _int(err, "fit.max_skips", fit.get("max_skips"), 0)
    return fit


def validate(doc: dict[str, Any], where: Any) -> None:
    """Every field of a checkpoint's document: types, ranges, and the consistency between them."""
    err = _Where(where)
    if doc.get("format_version") != FORMAT_VERSION:
        raise err("format_version", f"checkpoint format version {FORMAT_VERSION}", doc.get("format_version"))
    _network(err, doc.get("model"))
    fit = _fit_settings(err, doc.get("fit"))
    epoch = _int(err, "epoch", doc.get("epoch"), 0, fit["epochs"])
    _history(err, doc.get("history"), epoch)
    _accum(err, doc.get("accum"))
    _dict(err, "optimizer", doc.get("optimizer"), ("t",))
    _int(err, "optimizer.t", doc["optimizer"]["t"], 0)
    _stream_state(err, "shuffle_state", doc.get("shuffle_state"), optional=True)
    _stream_state(err, "dropout_state", doc.get("dropout_state"))
    _skipped(err, doc.get("skipped", []), epoch, fit["max_skips"])
    _callbacks(err, doc.get("callbacks", {}), epoch)
    if not isinstance(doc.get("data"), str) or not re.fullmatch(r"[0-9a-f]{64}", doc["data"]):
        raise err("data", "the sha256 fingerprint of the training data (64 hex digits)", doc.get("data"))


def _tensors(err: _Where, doc: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
    """theta, optimizer.* and callback<i>.* tensors: all shaped like the parameters, of their dtype, finite."""
    net = doc["model"]["network"]
    dims = net["layer_dims"]
    size = sum(dims[l] * (dims[l - 1] + 1) for l in range(1, len(dims)))
    callbacks = {f"callback{k}." for k in doc.get("callbacks", {})}
    for name, arr in arrays.items():
        if name != "theta" and not name.startswith("optimizer.") and not any(name.startswith(c) for c in callbacks):
            raise err(f"tensor {name[:40]!r}", "only theta, optimizer.* and the callbacks' tensors", "another tensor")
        if arr.shape != (size,) or arr.dtype.name != net["dtype"]:
            raise err(f"tensor {name}", f"shape ({size},) and dtype {net['dtype']} (model.network)",
                      f"shape {arr.shape} and dtype {arr.dtype.name}")
        if not np.isfinite(arr).all():
            raise err(f"tensor {name}", "finite values", "NaN or infinite values")
    if "theta" not in arrays:
        raise err("tensor theta", "the parameters", "no such tensor")


def load(path: str | os.PathLike) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The document and tensors of a checkpoint, after the checks of :func:`validate`; else CheckpointError."""
    try:
        doc, arrays = tensorfile.read(path, FORMAT)
    except CheckpointError:
        raise
    except ModelFileError as exc:
        raise CheckpointError(str(exc)) from None
    validate(doc, path)
    _tensors(_Where(path), doc, arrays)
    return doc, arrays


# ------------------------------------------------------------------------------------- against the run
def _steps(err: _Where, doc: dict[str, Any], bounds: list[tuple[int, int]]) -> None:
    """accum.seen = the examples of the unskipped steps taken, and t = epoch * batches + accum.step - skipped."""
    epoch, accum, skipped = doc["epoch"], doc.get("accum"), doc.get("skipped", [])
    step = 0 if accum is None else accum["step"]
    if accum is not None:
        if step >= len(bounds):
            raise err("accum.step", f"a step of an unfinished epoch, in [0, {len(bounds) - 1}] for this run's batches", step)
        skipped_now = [s for e, s, _ in skipped if e == epoch and s < step]
        seen = bounds[step][0] - sum(bounds[s][1] - bounds[s][0] for s in skipped_now)
        if accum["seen"] != seen:
            raise err("accum.seen", f"{seen}, the examples of the {step} steps taken", accum["seen"])
    expected_t = epoch * len(bounds) + step - len(skipped)
    if doc["optimizer"]["t"] != expected_t:
        raise err("optimizer.t", f"{expected_t} update steps (epoch {epoch} x {len(bounds)} batches + step {step} "
                  f"- {len(skipped)} skipped)", doc["optimizer"]["t"])


def check_matches(doc: dict[str, Any], arrays: dict[str, np.ndarray], net: Any, cfg: Any, fingerprint: str,
                  bounds: list[tuple[int, int]] | None = None, where: Any = "resume") -> None:
    """Refuse a checkpoint of another network, other settings, other data or other batches than the run resuming.

    ``doc`` and ``arrays`` come from :func:`load` (already validated); ``bounds`` are the run's batches.
    """
    err = _Where(where)
    saved_net = doc["model"]["network"]
    if saved_net.get("layer_dims") != list(net.layer_dims) or saved_net.get("hidden") != list(net.hidden) \
            or saved_net.get("output") != net.output or saved_net.get("dtype") != net.dtype.name:
        raise CheckpointError(f"resume: expected a checkpoint of {net!r}, received one of {saved_net}")
    diff = cfg.resumable_diff(doc["fit"])
    if diff:
        raise CheckpointError(f"resume: the settings {diff} differ from the checkpoint's; pass the same settings "
                              "to continue the run")
    if doc["data"] != fingerprint:
        raise CheckpointError("resume: the training data differ from the data the checkpoint was trained on")
    if doc["epoch"] > cfg.epochs:
        raise err("epoch", f"at most this run's epochs={cfg.epochs}", doc["epoch"])
    slots = {f"optimizer.{s}" for s in cfg.optimizer.slots}
    found = {k for k in arrays if k.startswith("optimizer.")}
    if found != slots:
        raise err("optimizer tensors", f"{sorted(slots)} for {cfg.optimizer.name}", sorted(found))
    if bounds is not None:
        _steps(err, doc, bounds)
