"""Check a network's backpropagation against central finite differences.

Builds a network of the given shape with random weights and random data (both
from --seed), checks every parameter and prints the report. Exits 0 when the
check passes and 1 when it fails.
"""

from __future__ import annotations

import argparse
import json

import numpy as np

from ..core import memory
from ..core.activations import ACTIVATIONS
from ..core.initializers import INITIALIZER_NAMES
from ..core.outputs import OUTPUTS
from ._args import int_list, names, number, positive_int

ORDER = 50
HELP = "check gradients of a network against finite differences"


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("--layers", type=int_list, default=[4, 5, 3, 1], help="layer sizes, e.g. 4,5,3,1 (default)")
    p.add_argument("--hidden", default="relu", help=f"hidden activation: {names(ACTIVATIONS)} (default relu)")
    p.add_argument("--output", default="sigmoid", help=f"output: {names(OUTPUTS)} (default sigmoid)")
    p.add_argument("--init", default="he", help=f"initializer: {names(INITIALIZER_NAMES)} (default he)")
    p.add_argument("--l2", type=number, default=0.0, help="L2 strength lambda (default 0)")
    p.add_argument("--keep-prob", type=number, default=1.0, help="dropout keep probability; masks are fixed for the check")
    p.add_argument("--examples", type=positive_int, default=8, help="number of random examples (default 8)")
    p.add_argument("--epsilon", type=number, default=1e-7, help="finite-difference step (default 1e-7)")
    p.add_argument("--threshold", type=number, default=1e-7, help="largest difference that passes (default 1e-7)")
    p.add_argument("--fast", action="store_true", help="directional check first, full check only on failure")
    p.add_argument("--seed", type=int, default=1, help="seed for weights, data and masks (default 1)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")


def run(args: argparse.Namespace) -> int:
    from ..core.gradcheck import check_gradients
    from ..core.network import Network

    memory.require_network(args.layers, name="--layers")
    net = Network(args.layers, hidden=args.hidden, output=args.output, init=args.init, seed=args.seed)
    rng = np.random.default_rng(args.seed)
    net.theta += 0.01 * rng.standard_normal(net.n_params)  # nonzero biases: no ReLU sits exactly on its kink
    X = rng.standard_normal((args.examples, args.layers[0]))
    n_out = args.layers[-1]
    if net.output == "softmax":
        y = rng.integers(0, n_out, args.examples)
    elif net.output == "sigmoid":
        y = rng.integers(0, 2, (args.examples, n_out)) if n_out > 1 else rng.integers(0, 2, args.examples)
    else:
        y = rng.standard_normal((args.examples, n_out))
    report = check_gradients(net, X, y, l2=args.l2, epsilon=args.epsilon, threshold=args.threshold,
                             keep_prob=args.keep_prob, fast=args.fast, seed=args.seed)
    print(json.dumps(report.to_dict(), indent=2) if args.json else report)
    return 0 if report.passed else 1
