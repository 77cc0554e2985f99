"""Evaluate a saved model on a data set: cost and accuracy.

DATA is a built-in data set, a .csv/.npz file or an image folder. A data set
with a test split is evaluated on it (and on its training split). A CSV file is
read as `descentlab train` read it: its label column is the one the model file
recorded (by name, or by index without a header) unless --target says another;
the feature columns are matched by the names the model recorded; text labels
are mapped to the model's own classes.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import numpy as np

from .._format import number

ORDER = 20
HELP = "evaluate a saved model on a data set"
_HEADER = {"auto": "infer", "yes": True, "no": False}


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", help="a model file written by descentlab train or net.save")
    p.add_argument("data", help="built-in data set name, .csv/.npz file or image folder")
    p.add_argument("--target", default=None,
                   help="label column of a CSV file (name or index; default: the column the model recorded, else the last)")
    p.add_argument("--header", choices=list(_HEADER), default="auto",
                   help="does the CSV file start with a header row? (default auto: detected from the data)")
    p.add_argument("--json", action="store_true", help="print the result as one JSON document")


def evaluate(net, X, y) -> dict:
    out = {"examples": int(len(X)), "cost": net.cost(X, y).data}
    if net.head.is_classifier:
        out["accuracy"] = net.accuracy(X, y)
    return out


def _load(net: Any, args: argparse.Namespace) -> Any:
    """The data set, its CSV label column chosen as the model recorded it (unless --target)."""
    from ..datasets import load
    options: dict[str, Any] = {}
    if str(args.data).lower().endswith(".csv"):
        options["header"] = _HEADER[args.header]
        recorded = (net.info.get("table") or {}).get("target") or {}
        target = args.target if args.target is not None else (recorded.get("name") or recorded.get("index"))
        if target is not None:
            options["target"] = target if isinstance(target, str) else int(target)
    elif args.target is not None:
        options["target"] = args.target
    return load(args.data, **options)


def _model_labels(net: Any, ds: Any, y: np.ndarray) -> np.ndarray:
    """Labels numbered as the data set numbers its classes, renumbered as the model numbers them."""
    if not net.head.is_classifier or not net.class_names or not ds.class_names or ds.class_names == net.class_names:
        return y
    from ..core.labels import codes
    return codes(np.asarray(ds.class_names)[y], net.class_names, f"labels of '{ds.name}'")


def run(args: argparse.Namespace) -> int:
    from ..core.network import load as load_model
    from ..datasets.tables import align_features

    net = load_model(args.model)
    ds = _load(net, args)
    wanted = (net.info.get("table") or {}).get("feature_names")
    result = {"model": args.model, "dataset": ds.name}
    for split, X, y in (("train", ds.X_train, ds.y_train), ("test", ds.X_test, ds.y_test)):
        if X is not None:
            X = align_features(f"'{ds.name}'", X, ds.feature_names, wanted)
            result[split] = evaluate(net, X, _model_labels(net, ds, y))
    if args.json:
        print(json.dumps(result))
        return 0
    for split in ("train", "test"):
        if split in result:
            r = result[split]
            acc = f", accuracy {number(r['accuracy'])}" if "accuracy" in r else ""
            print(f"{ds.name} {split} ({r['examples']} examples): cost {number(r['cost'])}{acc}")
    return 0
