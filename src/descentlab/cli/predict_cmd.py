"""Predict with a saved model: classes of image files, or of the rows of a table.

INPUT is one or more image files (JPEG, PNG, ...: each is oriented by its EXIF
tag, converted to RGB, center-cropped, resized to the model's input size and
preprocessed exactly as the model file says) or one .csv/.npz file of inputs.

A CSV file is read as `descentlab train` reads it: a header row is detected
from the data, and the file may still hold its label column, which is dropped
(by the name or index the model file recorded, or by --target). When the model
recorded the names of its feature columns, the file's columns are matched by
name, in any order. Each row gets its most likely class, its probability and
the --top most likely classes (regression models: the predicted values).

examples:
  descentlab predict signs.safetensors my_hand.jpg other.png
  descentlab predict moons.safetensors points.csv --json
  descentlab predict iris.safetensors iris.csv --top 2
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

from .._format import number, percent
from ._args import positive_int

ORDER = 30
HELP = "predict classes for images or a table of inputs"
_IMAGES = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".ppm"}
_HEADER = {"auto": "infer", "yes": True, "no": False}


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", help="a model file")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="image files, or one .csv/.npz file of inputs")
    p.add_argument("--top", type=positive_int, default=3, help="how many classes to show per image or row (default 3)")
    p.add_argument("--target", default=None,
                   help="label column of a CSV file to drop (name or index; default: the column the model recorded)")
    p.add_argument("--header", choices=list(_HEADER), default="auto",
                   help="does the CSV file start with a header row? (default auto: detected from the data)")
    p.add_argument("--json", action="store_true", help="print the predictions as one JSON document")


def _check_image_model(net: Any) -> None:
    """A model trained on numbers, not images, says so in one line (not a shape mismatch)."""
    from ..errors import InputError
    n = net.layer_dims[0]
    if not net.info.get("image_shape") and n != 64 * 64 * 3:
        raise InputError(f"model: this model takes {n} number{'s' if n != 1 else ''} per example, not images; "
                         f"give it a .csv or .npz table with {n} input column{'s' if n != 1 else ''}")


def _table(net: Any, path: str, args: argparse.Namespace) -> tuple[np.ndarray, str]:
    """The input rows of a .csv/.npz file, and a note of how the columns were chosen."""
    from ..datasets.tables import load_csv_inputs
    from ..errors import DataFileError
    p = Path(path)
    if not p.is_file():
        raise DataFileError(f"input: the file '{path}' does not exist (expected an image file or a .csv/.npz table)")
    if p.suffix.lower() == ".npz":
        from ..datasets.tables import read_npz  # header-checked, size-limited, never a pickle
        arrays, names = read_npz(p, path, ("X",))
        if "X" not in arrays:
            raise DataFileError(f"{path}: expected an array named X, received {sorted(names)[:20]}")
        return arrays["X"], "array X"
    if p.suffix.lower() == ".csv":
        table = net.info.get("table") or {}
        return load_csv_inputs(p, net.layer_dims[0], feature_names=table.get("feature_names"), target=args.target,
                               recorded_target=table.get("target"), header=_HEADER[args.header])
    raise DataFileError(f"{path}: expected an image file ({', '.join(sorted(_IMAGES))}) or a .csv/.npz table")


def row_predictions(net: Any, X: np.ndarray, top: int) -> list[dict[str, Any]]:
    """One record per row: the class, its probability, every class's probability, the ``top`` classes."""
    if not net.head.is_classifier:
        values = np.asarray(net.predict(X), dtype=np.float64)
        return [{"row": i + 1, "value": v.tolist()} for i, v in enumerate(values)]
    proba = np.asarray(net.predict_proba(X), dtype=np.float64)
    if proba.ndim == 1:
        proba = np.column_stack([1.0 - proba, proba])
    names = [str(n) for n in net.class_names] if net.class_names else [str(k) for k in range(proba.shape[1])]
    out = []
    for i, p in enumerate(proba):
        order = np.argsort(-p, kind="stable")[:top]
        label = int(order[0])
        out.append({"row": i + 1, "label": label, "class": names[label], "probability": float(p[label]),
                    "probabilities": p.tolist(), "top": [[names[k], float(p[k])] for k in order]})
    return out


def _line(pred: dict[str, Any]) -> str:
    if "value" in pred:
        value = pred["value"]
        shown = ", ".join(number(v) for v in value) if isinstance(value, list) else number(value)
        return f"row {pred['row']}: {shown}"
    ranked = ", ".join(f"{name} {percent(p)}" for name, p in pred["top"])
    return f"row {pred['row']}: {pred['class']} ({percent(pred['probability'])}); top {len(pred['top'])}: {ranked}"


def run(args: argparse.Namespace) -> int:
    from ..core.network import load as load_model

    net = load_model(args.model)
    if all(Path(i).suffix.lower() in _IMAGES for i in args.inputs):
        _check_image_model(net)
        preds = [net.predict_image(path, top=args.top) for path in args.inputs]
        if args.json:
            print(json.dumps([{"path": str(p.path), "label": p.label, "class": p.class_name,
                               "probabilities": p.probabilities.tolist(), "top": [[n, pr] for n, pr in p.top]}
                              for p in preds]))
        else:
            for p in preds:
                print(p)
        return 0
    if len(args.inputs) != 1:
        from ..errors import InputError
        raise InputError(f"inputs: expected image files or one table, received {len(args.inputs)} non-image inputs")
    X, how = _table(net, args.inputs[0], args)
    preds = row_predictions(net, X, args.top)
    if args.json:
        print(json.dumps({"input": args.inputs[0], "columns": how, "predictions": preds}))
    else:
        print("\n".join(_line(p) for p in preds))
    return 0
