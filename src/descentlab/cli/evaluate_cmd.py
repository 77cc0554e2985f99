"""Evaluate a saved model on a data set: cost and accuracy.

DATA is a built-in data set, a .csv/.npz file or an image folder. A data set
with a test split is evaluated on it (and on its training split).
"""

from __future__ import annotations

import argparse
import json

ORDER = 20
HELP = "evaluate a saved model on a data set"


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", help="a model file written by descentlab train or net.save")
    p.add_argument("data", help="built-in data set name, .csv/.npz file or image folder")
    p.add_argument("--target", default=None, help="label column of a CSV file (name or index)")
    p.add_argument("--json", action="store_true", help="print the result as one JSON document")


def evaluate(net, X, y) -> dict:
    out = {"examples": int(len(X)), "cost": net.cost(X, y).data}
    if net.head.is_classifier:
        out["accuracy"] = net.accuracy(X, y)
    return out


def run(args: argparse.Namespace) -> int:
    from ..core.network import load as load_model
    from ..datasets import load

    net = load_model(args.model)
    ds = load(args.data, **({"target": args.target} if args.target is not None else {}))
    result = {"model": args.model, "dataset": ds.name, "train": evaluate(net, ds.X_train, ds.y_train)}
    if ds.X_test is not None:
        result["test"] = evaluate(net, ds.X_test, ds.y_test)
    if args.json:
        print(json.dumps(result))
        return 0
    for split in ("train", "test"):
        if split in result:
            r = result[split]
            acc = f", accuracy {r['accuracy']:.4f}" if "accuracy" in r else ""
            print(f"{ds.name} {split} ({r['examples']} examples): cost {r['cost']:.6g}{acc}")
    return 0
