"""Predict with a saved model: classes of image files, or of the rows of a table.

INPUT is one or more image files (JPEG, PNG, ...: each is oriented by its EXIF
tag, converted to RGB, center-cropped, resized to the model's input size and
preprocessed exactly as the model file says) or one .csv/.npz file of inputs.

examples:
  descentlab predict signs.safetensors my_hand.jpg other.png
  descentlab predict moons.safetensors points.csv --json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

ORDER = 30
HELP = "predict classes for images or a table of inputs"
_IMAGES = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".ppm"}


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", help="a model file")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="image files, or one .csv/.npz file of inputs")
    p.add_argument("--top", type=int, default=3, help="how many classes to show per image (default 3)")
    p.add_argument("--json", action="store_true", help="print the predictions as one JSON document")


def _table(net, path: str) -> np.ndarray:
    from ..errors import DataFileError
    p = Path(path)
    if not p.is_file():
        raise DataFileError(f"input: expected an existing image or .csv/.npz file, received {path!r} (no such file)")
    if p.suffix.lower() == ".npz":
        from ..datasets.tables import read_npz  # header-checked, size-limited, never a pickle
        arrays, names = read_npz(p, path, ("X",))
        if "X" not in arrays:
            raise DataFileError(f"{path}: expected an array named X, received {sorted(names)[:20]}")
        return arrays["X"]
    if p.suffix.lower() == ".csv":
        try:
            return np.loadtxt(p, delimiter=",", ndmin=2)
        except ValueError as exc:
            raise DataFileError(f"{path}: expected a CSV of {net.layer_dims[0]} numeric columns without header ({exc})") from None
    raise DataFileError(f"{path}: expected an image file ({', '.join(sorted(_IMAGES))}) or a .csv/.npz table")


def run(args: argparse.Namespace) -> int:
    from ..core.network import load as load_model

    net = load_model(args.model)
    if all(Path(i).suffix.lower() in _IMAGES for i in args.inputs):
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
    X = _table(net, args.inputs[0])
    labels = net.predict(X)
    names = net.class_names
    shown = [names[int(k)] if (names and net.head.is_classifier) else k for k in labels.tolist()]
    if args.json:
        print(json.dumps({"predictions": shown}))
    else:
        print("\n".join(str(s) for s in shown))
    return 0
