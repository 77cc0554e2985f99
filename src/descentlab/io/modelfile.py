"""Model files: one ``.safetensors`` file per model, loadable without executing code.

Tensors: ``W1, b1, ..., WL, bL`` in the network's dtype (plus
``preprocessing.mean``/``preprocessing.std`` when the model standardizes its
inputs). The JSON header (``__metadata__["descentlab"]``) holds::

    {"format_version": 1, "descentlab_version": "...",
     "network": {"layer_dims": [...], "hidden": [...], "output": "...", "dtype": "...", ...},
     "preprocessing": null | {"kind": "scale", "factor": ...} | {"kind": "standardize", ...},
     "class_names": null | [...], "info": {...}}

:func:`save` and :func:`read` handle the file (:mod:`.tensorfile` adds and checks the sha256 of every
tensor and of this header, and writes the same bytes for the same model); :func:`descentlab.load`
(``descentlab.core.network``) checks every header field against the tensors
(:mod:`descentlab.core.modeldoc`) before it rebuilds the network. Any safetensors reader sees the weights::

    from safetensors.numpy import load_file      # or safetensors.torch / safetensors.tensorflow
    weights = load_file("model.safetensors")     # {"W1": array(...), "b1": ..., ...}
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from .._version import __version__
from ..errors import ModelFileError
from . import tensorfile
from .jsonsafe import jsonable

FORMAT = "descentlab.model"
FORMAT_VERSION = 1


def header(net: Any) -> dict[str, Any]:
    """The JSON header of a network's model file (``net`` is a :class:`~descentlab.Network`)."""
    return {
        "format_version": FORMAT_VERSION,
        "descentlab_version": __version__,
        "network": net.config(),
        "preprocessing": None if net.preprocessing is None else net.preprocessing.to_dict(),
        "class_names": net.class_names,
        "info": jsonable(net.info),
    }


def tensors(net: Any) -> dict[str, np.ndarray]:
    """The named tensors of a network's model file: W1, b1, ... and the preprocessing statistics."""
    out = {name: view.copy() for name, view in net.params.items()}
    if net.preprocessing is not None:
        out.update(net.preprocessing.arrays())
    return out


def to_bytes(net: Any) -> bytes:
    """The model file of ``net`` as bytes (for a download): exactly what :func:`save` writes."""
    if not np.isfinite(net.theta).all():
        raise ModelFileError("refusing to save a network whose parameters are not all finite")
    return tensorfile.encode(FORMAT, header(net), tensors(net))


def save(net: Any, path: str | os.PathLike) -> None:
    """Write ``net`` to ``path`` atomically (a temporary file, fsync, then rename)."""
    if not np.isfinite(net.theta).all():
        raise ModelFileError(f"{path}: refusing to save a network whose parameters are not all finite")
    tensorfile.write(path, FORMAT, header(net), tensors(net))


def read(path: str | os.PathLike, *, max_bytes: int = tensorfile.MAX_FILE_BYTES) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The header document and the tensors of a model file, after checking its format and version.

    :func:`descentlab.load` builds the :class:`~descentlab.Network` from them. Never executes code.
    """
    doc, arrays = tensorfile.read(path, FORMAT, max_bytes=max_bytes)
    version = doc.get("format_version")
    if version != FORMAT_VERSION:
        by = doc.get("descentlab_version", "an unknown version")
        raise ModelFileError(f"{path}: expected model format version {FORMAT_VERSION}, received {version!r} "
                             f"(written by descentlab {by}); upgrade descentlab or re-save the model")
    return doc, arrays
