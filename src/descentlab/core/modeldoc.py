"""The checks of a model header against its tensors, before a single parameter is allocated.

A model file's JSON header (see :mod:`descentlab.io.modelfile`) describes a network; its
tensors hold the weights. :func:`describe` validates every header field (type, range,
registry name) and the architecture against the shapes and dtypes of the tensors
actually in the file, so a header cannot make the loader allocate more than the file
holds: ``"layer_dims": [2, 1000000000, 1]`` with a 2-3-1 network's tensors is refused
in microseconds. Every failure is one :class:`~descentlab.errors.ModelFileError` line
naming the file, the field, what was expected and what was found.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._checks import FLOAT_DTYPES
from ..errors import ModelFileError
from .activations import ACTIVATIONS
from .outputs import OUTPUTS

MAX_NAME_CHARS = 1000   # one class name
MAX_TEXT_CHARS = 200    # init name, version


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _fail(where: str, field: str, expected: str, value: Any) -> ModelFileError:
    return ModelFileError(f"{where}: {field}: expected {expected}, received {_show(value)}")


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _short_text(where: str, field: str, value: Any, *, none: bool = True) -> str | None:
    if value is None and none:
        return None
    if not isinstance(value, str) or len(value) > MAX_TEXT_CHARS:
        raise _fail(where, field, f"a string of at most {MAX_TEXT_CHARS} characters" + (" or null" if none else ""), value)
    return value


def _layer_dims(where: str, cfg: dict[str, Any]) -> tuple[int, ...]:
    dims = cfg.get("layer_dims")
    if not isinstance(dims, list) or len(dims) < 2 or not all(_is_int(d) and d >= 1 for d in dims):
        raise _fail(where, "network.layer_dims", "a list of at least two positive integers", dims)
    return tuple(dims)


def _tensor_names(dims: tuple[int, ...], prep: dict[str, Any] | None) -> dict[str, tuple[int, ...]]:
    """The tensors a model of these layer sizes has, with their shapes."""
    shapes = {}
    for l in range(1, len(dims)):
        shapes[f"W{l}"] = (dims[l], dims[l - 1])
        shapes[f"b{l}"] = (dims[l],)
    if prep is not None and prep.get("kind") == "standardize":
        shapes["preprocessing.mean"] = shapes["preprocessing.std"] = (dims[0],)
    return shapes


def _check_tensors(where: str, dims: tuple[int, ...], dtype: np.dtype, prep: Any, arrays: dict[str, np.ndarray]) -> None:
    """The file's tensors are exactly the ones ``layer_dims`` implies, with its shapes and dtype, all finite."""
    expected = _tensor_names(dims, prep if isinstance(prep, dict) else None)
    extra = sorted(set(arrays) - set(expected))
    if extra:
        raise ModelFileError(f"{where}: unexpected tensor {extra[0][:40]!r}: a model of layer_dims {list(dims)[:20]} "
                             f"holds only {', '.join(list(expected)[:6])}{' ...' if len(expected) > 6 else ''}")
    for name, shape in expected.items():
        arr = arrays.get(name)
        if arr is None or arr.shape != shape:
            got = "no such tensor" if arr is None else f"a tensor of shape {arr.shape}"
            raise ModelFileError(f"{where}: tensor {name}: expected shape {shape} (from network.layer_dims "
                                 f"{list(dims)[:20]}), received {got}")
        if not name.startswith("preprocessing.") and arr.dtype != dtype:
            raise ModelFileError(f"{where}: tensor {name}: expected {dtype.name} values (network.dtype), "
                                 f"received {arr.dtype.name}")
        if not np.isfinite(arr).all():
            raise ModelFileError(f"{where}: tensor {name} holds NaN or infinite values")


def _network(where: str, cfg: Any, arrays: dict[str, np.ndarray], prep: Any) -> dict[str, Any]:
    if not isinstance(cfg, dict):
        raise _fail(where, "network", "an object describing the network (layer_dims, hidden, output, dtype)", cfg)
    dims = _layer_dims(where, cfg)
    if not isinstance(cfg.get("dtype"), str) or cfg["dtype"] not in FLOAT_DTYPES:
        raise _fail(where, "network.dtype", f"one of {list(FLOAT_DTYPES)}", cfg.get("dtype"))
    dtype = np.dtype(cfg["dtype"])
    _check_tensors(where, dims, dtype, prep, arrays)   # the architecture matches what the file holds
    hidden = cfg.get("hidden", [])
    if not isinstance(hidden, list) or len(hidden) != len(dims) - 2 or not all(isinstance(h, str) and h in ACTIVATIONS for h in hidden):
        raise _fail(where, "network.hidden", f"a list of {len(dims) - 2} activation names from {sorted(ACTIVATIONS)}", hidden)
    if not isinstance(cfg.get("output"), str) or cfg["output"] not in OUTPUTS:
        raise _fail(where, "network.output", f"one of {sorted(OUTPUTS)}", cfg.get("output"))
    scale = cfg.get("init_scale")
    if scale is not None and (isinstance(scale, bool) or not isinstance(scale, (int, float))
                              or not math.isfinite(scale) or scale < 0):
        raise _fail(where, "network.init_scale", "a finite number >= 0 or null", scale)
    seed = cfg.get("seed")
    if seed is not None and not (_is_int(seed) and 0 <= seed < 2**32):
        raise _fail(where, "network.seed", "an integer in [0, 2**32) or null", seed)
    return {"layer_dims": dims, "hidden": hidden, "output": cfg["output"], "dtype": dtype,
            "init": _short_text(where, "network.init", cfg.get("init")),
            "init_scale": None if scale is None else float(scale), "seed": seed}


def _class_names(where: str, names: Any, dims: tuple[int, ...]) -> list[str] | None:
    if names is None:
        return None
    most = max(2, dims[-1])
    if (not isinstance(names, list) or len(names) > most
            or not all(isinstance(n, str) and len(n) <= MAX_NAME_CHARS for n in names)):
        raise _fail(where, "class_names", f"null or a list of at most {most} strings (one per class of the "
                    f"{dims[-1]}-unit output) of at most {MAX_NAME_CHARS} characters", names)
    return names


def _preprocessing(where: str, prep: Any, dims: tuple[int, ...]) -> None:
    if prep is None:
        return
    kind = prep.get("kind") if isinstance(prep, dict) else None
    if kind == "scale":
        factor = prep.get("factor")
        if isinstance(factor, bool) or not isinstance(factor, (int, float)) or not math.isfinite(factor) or factor <= 0:
            raise _fail(where, "preprocessing.factor", "a finite number > 0", factor)
    elif kind == "standardize":
        if prep.get("n_features", dims[0]) != dims[0]:
            raise _fail(where, "preprocessing.n_features", f"{dims[0]}, the input layer's size", prep.get("n_features"))
    else:
        raise _fail(where, "preprocessing", "null, {'kind': 'scale', 'factor': ...} or {'kind': 'standardize', ...}", prep)


def describe(doc: dict[str, Any], arrays: dict[str, np.ndarray], where: str) -> dict[str, Any]:
    """Every field of a model header, checked against the tensors; the network's description.

    Returns ``{"layer_dims", "hidden", "output", "dtype", "init", "init_scale", "seed",
    "class_names", "info"}``, each of the right type. Nothing proportional to
    ``layer_dims`` is allocated before the tensors' shapes have confirmed it.
    """
    prep = doc.get("preprocessing")
    net = _network(where, doc.get("network"), arrays, prep)
    _preprocessing(where, prep, net["layer_dims"])
    _short_text(where, "descentlab_version", doc.get("descentlab_version"))
    info = doc.get("info")
    if info is not None and not isinstance(info, dict):
        raise _fail(where, "info", "an object (or null)", info)
    return {**net, "class_names": _class_names(where, doc.get("class_names"), net["layer_dims"]),
            "info": dict(info or {})}
