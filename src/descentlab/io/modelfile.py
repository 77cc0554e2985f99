"""Model files: one ``.safetensors`` file per model, loadable without executing code.

Tensors: ``W1, b1, ..., WL, bL`` in the network's dtype (plus
``preprocessing.mean``/``preprocessing.std`` when the model standardizes its
inputs). The JSON header (``__metadata__["descentlab"]``) holds::

    {"format_version": 1, "descentlab_version": "...",
     "network": {"layer_dims": [...], "hidden": [...], "output": "...", "dtype": "...", ...},
     "preprocessing": null | {"kind": "scale", "factor": ...} | {"kind": "standardize", ...},
     "class_names": null | [...], "info": {...}}

Any safetensors reader sees the weights::

    from safetensors.numpy import load_file      # or safetensors.torch / safetensors.tensorflow
    weights = load_file("model.safetensors")     # {"W1": array(...), "b1": ..., ...}
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ..core.network import Network
from ..core.preprocessing import preprocessing_from
from ..errors import DescentlabError, ModelFileError
from . import tensorfile

FORMAT = "descentlab.model"
FORMAT_VERSION = 1


def header(net: Network) -> dict[str, Any]:
    from .. import __version__
    return {
        "format_version": FORMAT_VERSION,
        "descentlab_version": __version__,
        "network": net.config(),
        "preprocessing": None if net.preprocessing is None else net.preprocessing.to_dict(),
        "class_names": net.class_names,
        "info": _jsonable(net.info),
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def tensors(net: Network) -> dict[str, np.ndarray]:
    out = {name: view.copy() for name, view in net.params.items()}
    if net.preprocessing is not None:
        out.update(net.preprocessing.arrays())
    return out


def save(net: Network, path: str | os.PathLike) -> None:
    """Write ``net`` to ``path`` atomically (a temporary file, fsync, then rename)."""
    if not np.isfinite(net.theta).all():
        raise ModelFileError(f"{path}: refusing to save a network whose parameters are not all finite")
    tensorfile.write(path, FORMAT, header(net), tensors(net))


def network_from(doc: dict[str, Any], arrays: dict[str, np.ndarray], where: str) -> Network:
    """Rebuild a Network from a header document and its tensors (shared with checkpoints)."""
    cfg = doc.get("network")
    if not isinstance(cfg, dict):
        raise ModelFileError(f"{where}: the header has no network description")
    try:
        net = Network(cfg.get("layer_dims"), hidden=cfg.get("hidden") or [], output=cfg.get("output"),
                      init="zeros", seed=0, dtype=cfg.get("dtype"),
                      preprocessing=preprocessing_from(doc.get("preprocessing"), arrays),
                      class_names=doc.get("class_names"))
    except (DescentlabError, ValueError, TypeError) as exc:
        raise ModelFileError(f"{where}: invalid network description: {exc}") from exc
    for name in net.layout.names():
        arr, shape = arrays.get(name), net.layout.shape(name)
        if arr is None or arr.shape != shape:
            got = "missing" if arr is None else f"shape {arr.shape}"
            raise ModelFileError(f"{where}: tensor {name}: expected shape {shape}, received {got}")
        if not np.isfinite(arr).all():
            raise ModelFileError(f"{where}: tensor {name} holds NaN or infinite values")
        net.params[name][...] = arr
    if cfg.get("init") and isinstance(cfg.get("init"), str):
        net.init = net.init.__class__(cfg["init"], float(cfg.get("init_scale") or 1.0)) if cfg["init"] in (
            "zeros", "random", "he", "lecun", "glorot_normal", "glorot_uniform") else net.init
    net.seed = cfg.get("seed") if isinstance(cfg.get("seed"), int) else None
    info = doc.get("info")
    net.info = dict(info) if isinstance(info, dict) else {}
    return net


def load(path: str | os.PathLike, *, max_bytes: int = tensorfile.MAX_FILE_BYTES) -> Network:
    """Load a model file written by :func:`save` (or ``net.save``). Never executes code."""
    doc, arrays = tensorfile.read(path, FORMAT, max_bytes=max_bytes)
    version = doc.get("format_version")
    if version != FORMAT_VERSION:
        by = doc.get("descentlab_version", "an unknown version")
        raise ModelFileError(f"{path}: expected model format version {FORMAT_VERSION}, received {version!r} "
                             f"(written by descentlab {by}); upgrade descentlab or re-save the model")
    return network_from(doc, arrays, str(path))
