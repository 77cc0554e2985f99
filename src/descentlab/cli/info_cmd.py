"""Describe a saved model: architecture, parameters, preprocessing, classes, training."""

from __future__ import annotations

import argparse
import json

from .._format import number

ORDER = 40
HELP = "describe a saved model file"


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", help="a model file")
    p.add_argument("--json", action="store_true", help="print the model header as JSON")


def run(args: argparse.Namespace) -> int:
    from ..core.network import load
    from ..io.modelfile import header

    net = load(args.model)
    doc = header(net)
    if args.json:
        print(json.dumps(doc))
        return 0
    print(repr(net))
    print(f"  file format {doc['format_version']}, descentlab {doc['descentlab_version']}")
    prep = doc["preprocessing"]
    print(f"  preprocessing: {prep['kind'] if prep else 'none'}" + (f" (x {prep['factor']:g})" if prep and prep.get("factor") else ""))
    if net.class_names:
        print(f"  classes: {', '.join(map(str, net.class_names))}")
    table = net.info.get("table") or {}
    if table.get("feature_names"):
        print(f"  feature columns: {', '.join(map(str, table['feature_names']))}")
    if table.get("target"):
        target = table["target"]
        print("  label column: " + (repr(target["name"]) if target.get("name") else f"index {target.get('index')}"))
    if net.info.get("image_shape"):
        print(f"  image input: {'x'.join(map(str, net.info['image_shape']))}")
    training = net.info.get("training")
    if training:
        opt = training.get("optimizer", {})
        print(f"  trained: {training.get('epochs')} epochs, {opt.get('name')} lr {opt.get('lr')}, "
              f"batch {training.get('batch_size')}, l2 {training.get('l2')}, engine {training.get('engine')}, "
              f"final cost {number(training.get('final_cost'))}")
    return 0
