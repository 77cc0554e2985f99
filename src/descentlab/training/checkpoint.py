"""Checkpoints: everything needed to continue a run bit for bit.

A checkpoint is a safetensors file (format ``descentlab.checkpoint``) with the
parameters, the optimizer's arrays and, in its JSON header, the network
description, the fit settings, the epoch and step reached, the states of the
shuffle and dropout streams, the partial sums of an unfinished epoch, the
history so far, and a fingerprint of the training data. Written atomically.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

import numpy as np

from ..errors import InputError, ModelFileError
from ..io import tensorfile
from ..io.modelfile import header as model_header

FORMAT = "descentlab.checkpoint"
FORMAT_VERSION = 1


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


def load(path: str | os.PathLike) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    doc, arrays = tensorfile.read(path, FORMAT)
    if doc.get("format_version") != FORMAT_VERSION:
        raise ModelFileError(f"{path}: expected checkpoint format version {FORMAT_VERSION}, received {doc.get('format_version')!r}")
    if "theta" not in arrays:
        raise ModelFileError(f"{path}: the checkpoint holds no parameters")
    return doc, arrays


def check_matches(doc: dict[str, Any], arrays: dict[str, np.ndarray], net: Any, cfg: Any, fingerprint: str) -> None:
    """Refuse a checkpoint of another network, other settings or other data than the run resuming from it."""
    saved_net = doc.get("model", {}).get("network", {})
    if saved_net.get("layer_dims") != list(net.layer_dims) or saved_net.get("hidden") != list(net.hidden) \
            or saved_net.get("output") != net.output or saved_net.get("dtype") != net.dtype.name:
        raise InputError(f"resume: expected a checkpoint of {net!r}, received one of {saved_net}")
    diff = cfg.resumable_diff(doc.get("fit", {}))
    if diff:
        raise InputError(f"resume: the settings {diff} differ from the checkpoint's; pass the same settings to continue the run")
    if doc.get("data") != fingerprint:
        raise InputError("resume: the training data differ from the data the checkpoint was trained on")
    if arrays["theta"].shape != net.theta.shape:
        raise InputError(f"resume: parameters of shape {arrays['theta'].shape} do not fit {net.theta.shape}")
