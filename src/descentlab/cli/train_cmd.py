"""Train a network on a built-in data set or your own file, and save the model.

DATA is a built-in data set (circles, moons, football, signs), a .csv or .npz
file, or an image folder. A CSV file's header row is detected from the data
(--header to say so); its label column is --target (default: the last), a
column name or an index (negative counts from the end). The model file (--out,
default descentlab-out/train/<data>.safetensors) holds the weights
(safetensors), the architecture, the input preprocessing, the class names and,
for a CSV table, the names of its feature columns and of its label column, so
that `descentlab predict` and `descentlab evaluate` read the same table.

examples:
  descentlab train moons --layers 2,5,2,1 --optimizer adam --lr 0.0007 --epochs 10000 --out moons.safetensors
  descentlab train football --layers 2,20,3,1 --init lecun --optimizer gd --lr 0.3 --batch-size full --epochs 30000 --l2 0.7
  descentlab train signs --layers 12288,25,12,6 --standardize --lr 1e-4 --epochs 100 --engine tensorflow --out signs.safetensors
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from .. import _checks as check
from .._format import number as fmt
from ..core import memory
from ..core.activations import ACTIVATIONS
from ..core.initializers import INITIALIZER_NAMES
from ..core.outputs import OUTPUTS
from ..engines import ENGINES
from ..io.atomic import check_writable
from ..training.batching import SHUFFLES
from ..training.optimizers import OPTIMIZERS
from ._args import int_list, names, number, positive_int

ORDER = 10
HELP = "train a network and save the model"
HEADER = {"auto": "infer", "yes": True, "no": False}


def batch_size(text: str) -> int | None:
    if text.strip().lower() in ("full", "none", "all"):
        return None
    return positive_int(text)


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("data", help="built-in data set name, .csv/.npz file or image folder")
    p.add_argument("--target", default=None,
                   help="label column of a CSV file: a column name, or an index (negative counts from the end; "
                        "a name the header has wins); default: the last column")
    p.add_argument("--header", choices=list(HEADER), default="auto",
                   help="does the CSV file start with a header row? (default auto: detected from the data)")
    net = p.add_argument_group("network")
    net.add_argument("--layers", type=int_list, help="layer sizes including input and output, e.g. 2,10,5,1 "
                     "(default: n_x,10,5,n_out)")
    net.add_argument("--hidden", default="relu", help=f"hidden activation: {names(ACTIVATIONS)} (default relu)")
    net.add_argument("--output", default="auto", help=f"{names(OUTPUTS)} (default: from the labels)")
    net.add_argument("--init", default="he", help=f"{names(INITIALIZER_NAMES)}; xavier is glorot_normal (default he)")
    net.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    prep = net.add_mutually_exclusive_group()
    prep.add_argument("--standardize", action="store_true", help="standardize inputs with training-set statistics")
    prep.add_argument("--scale", type=number, default=None, help="multiply inputs by this factor (e.g. 0.00392157 for /255)")
    opt = p.add_argument_group("optimization")
    opt.add_argument("--optimizer", default="adam", help=f"{names(OPTIMIZERS)} (default adam)")
    opt.add_argument("--lr", type=number, default=None, help="learning rate (default: the optimizer's)")
    opt.add_argument("--beta", type=number, default=None, help="momentum / RMSProp beta")
    opt.add_argument("--beta1", type=number, default=None, help="Adam beta1")
    opt.add_argument("--beta2", type=number, default=None, help="Adam beta2")
    opt.add_argument("--epsilon", type=number, default=None, help="RMSProp/Adam epsilon")
    opt.add_argument("--batch-size", type=batch_size, default=64, help="examples per step, or 'full' (default 64)")
    opt.add_argument("--epochs", type=positive_int, default=100)
    opt.add_argument("--l2", type=number, default=0.0, help="L2 strength lambda")
    opt.add_argument("--keep-prob", type=number, default=1.0, help="dropout keep probability of hidden units")
    opt.add_argument("--lr-decay", default="none", help=f"none, {names(_DECAYS)}")
    opt.add_argument("--decay-rate", type=number, default=1.0, help="decay rate (exponential: base)")
    opt.add_argument("--decay-interval", type=positive_int, default=1000, help="epochs per staircase step")
    opt.add_argument("--shuffle", default="random", choices=list(SHUFFLES),
                     help="example order: " + "; ".join(f"{k}: {v}" for k, v in SHUFFLES.items()))
    opt.add_argument("--validation-split", type=number, default=0.0, help="fraction of training data held out")
    opt.add_argument("--early-stopping", type=positive_int, default=None, metavar="PATIENCE")
    opt.add_argument("--engine", default="auto", choices=list(ENGINES),
                     help="; ".join(f"{e.name}: {e.description}" for e in ENGINES.values()))
    run = p.add_argument_group("run")
    run.add_argument("--seed", type=int, default=0, help="seed of the weights and of the run (default 0)")
    run.add_argument("--out", default=None, metavar="MODEL",
                     help="write the trained model here (default descentlab-out/train/<data>.safetensors)")
    run.add_argument("--checkpoint", default=None, help="write a checkpoint here (and on Ctrl-C)")
    run.add_argument("--checkpoint-every", type=positive_int, default=None, metavar="N")
    run.add_argument("--resume", default=None, metavar="CHECKPOINT", help="continue a run from its checkpoint")
    run.add_argument("--print-every", type=positive_int, default=None, metavar="N", help="print the cost every N epochs")
    run.add_argument("--json", action="store_true", help="print the result as one JSON document")
    run.add_argument("--quiet", action="store_true", help="no progress bar")


# --lr-decay: each schedule of the registry the flags can set, and how --decay-rate/--decay-interval map onto it
_DECAYS = {"inverse_time": ("rate",), "staircase": ("rate", "interval"), "exponential": ("base",)}


def _schedule(args: argparse.Namespace) -> Any:
    name = check.choice("--lr-decay", args.lr_decay, ("none", *_DECAYS))
    if name == "none":
        return None
    values = {"rate": args.decay_rate, "base": args.decay_rate, "interval": args.decay_interval}
    return {"name": name, **{k: values[k] for k in _DECAYS[name]}}


def _output(args: argparse.Namespace, y: np.ndarray) -> tuple[str, int]:
    if args.output != "auto":
        out = check.choice("--output", args.output, OUTPUTS)
        return out, (int(y.max()) + 1 if out == "softmax" else 1)
    if y.dtype.kind == "f" and not np.all(np.mod(y, 1) == 0):
        return "linear", 1
    n_classes = int(y.max()) + 1
    return ("sigmoid", 1) if n_classes <= 2 else ("softmax", n_classes)


def load_data(args: argparse.Namespace) -> Any:
    """The data set of DATA, with --target and --header for a CSV table."""
    from ..datasets import load
    options = {} if args.target is None else {"target": args.target}
    if str(args.data).lower().endswith(".csv"):
        options["header"] = HEADER[args.header]
    return load(args.data, **options)


def default_out(ds: Any) -> str:
    """Where a model goes without --out: descentlab-out/train/<data set name>.safetensors."""
    from ..experiments.records import slug
    return f"descentlab-out/train/{slug(ds.name)}.safetensors"


def build_network(args: argparse.Namespace, ds: Any):
    from ..core.network import Network
    from ..core.preprocessing import Scale, Standardize

    output, n_out = _output(args, ds.y_train)
    layers = args.layers or [ds.n_features, 10, 5, n_out]
    if layers[0] != ds.n_features:
        raise check.fail("--layers", ",".join(map(str, layers)), f"a first size of {ds.n_features}, the data's number of features")
    memory.require_training(layers, args.dtype, len(ds.X_train), args.batch_size, optimizer=_optimizer(args),
                            l2=args.l2, keep_prob=args.keep_prob, output=output, name="--layers")
    prep = Standardize.fit(ds.X_train) if args.standardize else (Scale(args.scale) if args.scale is not None else None)
    net = Network(layers, hidden=args.hidden, output=output, init=args.init, seed=args.seed, dtype=args.dtype,
                  preprocessing=prep, class_names=ds.class_names or None)
    if ds.image_shape is not None:
        net.info["image_shape"] = list(ds.image_shape)
    net.info["dataset"] = ds.name
    if ds.target is not None or ds.feature_names is not None:  # so that predict reads the table train read
        net.info["table"] = {"feature_names": None if ds.feature_names is None else list(ds.feature_names),
                             "target": ds.target}
    return net


def _optimizer(args: argparse.Namespace):
    from ..training.optimizers import get_optimizer
    hyper = {"beta": args.beta, "beta1": args.beta1, "beta2": args.beta2, "epsilon": args.epsilon}
    return get_optimizer(args.optimizer, args.lr, **hyper)


def run(args: argparse.Namespace) -> int:
    from ..training.config import FitConfig
    from ..training.fit import fit

    ds = load_data(args)
    out = args.out or default_out(ds)
    # a bad output path fails now, not after the training (the default folder is made only to save)
    check_writable(out, "--out") if args.out else check_writable(Path(out).parent, "--out", folder=True)
    if args.checkpoint:
        check_writable(args.checkpoint, "--checkpoint")
    net = build_network(args, ds)
    config = FitConfig(optimizer=_optimizer(args), epochs=args.epochs, batch_size=args.batch_size, l2=args.l2,
                       keep_prob=args.keep_prob, schedule=_schedule(args), seed=args.seed, shuffle=args.shuffle,
                       engine=args.engine)
    config.resolve(net)  # every setting is checked before anything is printed: a bad one is one line
    check.real("--validation-split", args.validation_split, low=0.0, high=1.0, high_open=True)
    if args.resume and Path(args.resume).exists():
        from ..training import checkpoint
        checkpoint.load(args.resume)  # a damaged checkpoint is one line now, before anything is printed
    elif args.resume and args.resume != args.checkpoint:
        from ..errors import ModelFileError
        raise ModelFileError(f"{args.resume}: no such file")
    if not args.json:
        print(f"data: {ds.description}", file=sys.stderr)
        if args.batch_size is not None and args.batch_size >= len(ds.X_train):
            print(f"note: --batch-size {args.batch_size} >= the {len(ds.X_train)} training examples: "
                  "each step uses all of them (batch gradient descent)", file=sys.stderr)
    validation = (ds.X_test, ds.y_test) if (ds.X_test is not None and not args.validation_split) else None
    history = fit(net, ds.X_train, ds.y_train, config=config, validation_data=validation,
                  validation_split=args.validation_split, early_stopping=args.early_stopping,
                  verbose=0 if (args.quiet or args.json) else 1, print_every=args.print_every,
                  checkpoint=args.checkpoint, checkpoint_every=args.checkpoint_every, resume=args.resume)
    result = _result(net, ds, history)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    net.save(out)
    result["model"] = out
    result["model_default_path"] = args.out is None
    if args.json:
        print(json.dumps(result))
    else:
        _print(result)
    return 130 if history.interrupted else 0


def _result(net: Any, ds: Any, history: Any) -> dict[str, Any]:
    last = history.last() or {}
    res = {"dataset": ds.name, "network": net.config(), "epochs": len(history), "final_cost": last.get("cost"),
           "stop_reason": history.stop_reason, "seed": history.seed}
    if net.head.is_classifier:
        res["train_accuracy"] = net.accuracy(ds.X_train, ds.y_train)
        if ds.X_test is not None:
            res["test_accuracy"] = net.accuracy(ds.X_test, ds.y_test)
    return res


def _print(res: dict[str, Any]) -> None:
    cost = res["final_cost"]
    line = (f"{res['dataset']}: {res['epochs']} epochs, final cost {fmt(cost)}" if cost is not None
            else f"{res['dataset']}: no epoch completed")
    if "train_accuracy" in res:
        line += f", train accuracy {fmt(res['train_accuracy'])}"
    if "test_accuracy" in res:
        line += f", test accuracy {fmt(res['test_accuracy'])}"
    print(line)
    if res.get("stop_reason"):
        print(f"stopped: {res['stop_reason']}", file=sys.stderr)
    default = " (the default path; --out chooses another)" if res.get("model_default_path") else ""
    print(f"model written to {res['model']}{default}")
