"""The gradient-checking experiment's runs: the course's test case, checked with backprop or a broken pass."""

from __future__ import annotations

import time
from typing import Any, Mapping, Sequence

import numpy as np

from ..core.gradcheck import check_gradients
from ..core.network import Network
from ..errors import InputError
from .records import RunResult
from .spec import Arm, Experiment


def gradcheck_case(layers: Sequence[int], seed: int):
    """The course's gradient-checking test case: x (m=3 examples, 4 features), y, and the weights.

    With the course's [4, 5, 3, 1] network and seed 1 these are the draws of
    ``gradient_check_n_test_case()``: ``np.random.seed(1); x = randn(4, 3); y = [1, 1, 0];
    W1 = randn(5, 4); b1 = randn(5, 1); ...``. X is returned as (3, 4), one example per row.
    """
    rs = np.random.RandomState(seed)
    x = rs.randn(layers[0], 3)
    y = np.array([1, 1, 0])
    net = Network(list(layers), hidden="relu", output="sigmoid", init="zeros", seed=seed)
    for l in range(1, len(layers)):
        net.params[f"W{l}"][...] = rs.randn(layers[l], layers[l - 1])
        net.params[f"b{l}"][...] = rs.randn(layers[l], 1)[:, 0]
    return net, x.T.copy(), y


def broken_backward(net: Any, X: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    """The course's deliberately wrong backward pass: backprop with dW2 doubled and db1 multiplied by 4."""
    net.loss_and_grad(X, y)
    grads = {k: v.copy() for k, v in net.grads.items()}
    grads["W2"] *= 2
    grads["b1"] *= 4
    return grads


def gradcheck_run(experiment: Experiment, arm: Arm, cfg: Mapping[str, Any], dataset: Any, seed: int,
                  keep: bool = True) -> RunResult:
    """check_gradients on the course's test case, with backprop (arm "correct") or the broken pass."""
    layers = cfg["layers"]
    if len(layers) != 4:
        raise InputError(f"{experiment.name}: layers: expected 4 sizes (the broken pass changes W2 and b1), "
                         f"received {layers}")
    net, X, y = gradcheck_case(layers, seed)
    t0 = time.perf_counter()
    report = check_gradients(net, X, y, gradient=broken_backward if arm.name == "broken" else None)
    seconds = time.perf_counter() - t0
    extra = {"difference": report.difference, "passed": report.passed, "threshold": report.threshold,
             "failed": report.failed(), "per_parameter": {p.name: p.difference for p in report.params},
             "report": str(report)}
    return RunResult(seed=seed, seconds=seconds, epochs=0, extra=extra)
