"""Arms that run the course's own code (:mod:`descentlab.course`) beside descentlab's, on the same recipe.

An :class:`~.spec.Arm` with ``code`` set runs the course's function named there instead of
descentlab's trainer, with the arm's settings, and records what the course's code printed:

============================================================  =======================================
``code``                                                      what runs
============================================================  =======================================
``"initialization.model"``                                    the Initialization notebook's ``model``
``"regularization.model"``                                    the Regularization notebook's ``model``
``"gradient_checking.backward_propagation_n_fixed"``          ``gradient_check_n`` on the corrected
                                                              backward pass
``"gradient_checking.backward_propagation_n"``                ``gradient_check_n`` on the notebook's
                                                              backward pass (its two planted mistakes)
============================================================  =======================================

The course's code seeds itself (``np.random.seed(3)`` for the weights, ``np.random.seed(1)`` in the
dropout forward pass), so such an arm runs once whatever the number of seeds. Its recipe must be the
course's: the settings the course's function does not take (the architecture, the optimizer) are
checked against the function's fixed ones. A trained course arm keeps a descentlab Network holding
its final parameters (for the decision-boundary figure and the model file); it has no per-epoch
history (the course's ``model`` returns only the parameters), so it is not in the cost figure.
"""

from __future__ import annotations

import contextlib
import io
import re
import time
from typing import Any, Callable, Mapping

import numpy as np

from ..errors import InputError
from .records import RunResult
from .spec import Arm, Experiment, build_network

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _printed(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, list[str]]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = fn(*args, **kwargs)
    return result, [_ANSI.sub("", line) for line in out.getvalue().splitlines()]


def _require(where: str, cfg: Mapping[str, Any], key: str, allowed: Any, what: str) -> None:
    value = cfg.get(key)
    if value not in (allowed if isinstance(allowed, tuple) else (allowed,)):
        raise InputError(f"{where}: {key}: expected {what}, received {value!r}")


def _course_layout(dataset: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    return (dataset.X_train.T, dataset.y_train.reshape(1, -1), dataset.X_test.T, dataset.y_test.reshape(1, -1))


def _trained(experiment: Experiment, arm: Arm, cfg: Mapping[str, Any], dataset: Any, seed: int, module: Any,
             parameters: dict, lines: list[str], seconds: float, final_cost: float, keep: bool) -> RunResult:
    """The record of a course model's run: accuracies from the course's predict, the printed lines, a Network."""
    X, Y, X_test, Y_test = _course_layout(dataset)
    lines = list(lines)
    accuracy = {}
    for split, (Xs, Ys) in (("train", (X, Y)), ("test", (X_test, Y_test))):
        p, more = _printed(module.predict, Xs, Ys, parameters)
        lines += [f"On the {split} set:", *more]
        accuracy[split] = float(np.mean(p == Ys))
    first = lines[0].rsplit(": ", 1)[1] if lines and lines[0].startswith("Cost after iteration 0: ") else None
    net = build_network(cfg, seed, dataset, f"{experiment.name}: {arm.name}")
    for l in range(1, len(net.layer_dims)):
        net.params[f"W{l}"][...] = parameters[f"W{l}"]
        net.params[f"b{l}"][...] = parameters[f"b{l}"][:, 0]
    extra = {"code": f"descentlab.course.{arm.code}", "printed": lines}
    return RunResult(seed=seed, final_cost=final_cost, initial_cost=None if first is None else float(first),
                     train_accuracy=accuracy["train"], test_accuracy=accuracy["test"], seconds=seconds,
                     epochs=int(cfg["epochs"]), extra=extra, net=net if keep else None)


def _initialization(experiment: Experiment, arm: Arm, cfg: Mapping[str, Any], dataset: Any, seed: int,
                    keep: bool) -> RunResult:
    from ..course import initialization as course

    where = f"{experiment.name}: {arm.name}"
    _require(where, cfg, "init", ("zeros", "random", "he"), "'zeros', 'random' or 'he' (the course's model)")
    _require(where, cfg, "optimizer", "gd", "'gd' (the course's model is full-batch gradient descent)")
    _require(where, cfg, "batch_size", None, "the full batch (the course's model)")
    if list(cfg["layers"][1:]) != [*course.HIDDEN_LAYERS, 1]:
        raise InputError(f"{where}: layers: expected [n_x, 10, 5, 1] (the course's model), received {cfg['layers']}")
    X, Y, _, _ = _course_layout(dataset)
    t0 = time.perf_counter()
    parameters, lines = _printed(course.model, X, Y, learning_rate=cfg["lr"], num_iterations=int(cfg["epochs"]),
                                 print_cost=True, initialization=cfg["init"])
    seconds = time.perf_counter() - t0
    final = float(course.compute_loss(course.forward_propagation(X, parameters)[0], Y))
    return _trained(experiment, arm, cfg, dataset, seed, course, parameters, lines, seconds, final, keep)


def _regularization(experiment: Experiment, arm: Arm, cfg: Mapping[str, Any], dataset: Any, seed: int,
                    keep: bool) -> RunResult:
    from ..course import regularization as course

    where = f"{experiment.name}: {arm.name}"
    _require(where, cfg, "init", "lecun", "'lecun' (the course's randn / sqrt(n_prev))")
    _require(where, cfg, "optimizer", "gd", "'gd' (the course's model is full-batch gradient descent)")
    _require(where, cfg, "batch_size", None, "the full batch (the course's model)")
    if list(cfg["layers"][1:]) != [*course.HIDDEN_LAYERS, 1]:
        raise InputError(f"{where}: layers: expected [n_x, 20, 3, 1] (the course's model), received {cfg['layers']}")
    X, Y, _, _ = _course_layout(dataset)
    t0 = time.perf_counter()
    parameters, lines = _printed(course.model, X, Y, learning_rate=cfg["lr"], num_iterations=int(cfg["epochs"]),
                                 print_cost=True, lambd=cfg["l2"], keep_prob=cfg["keep_prob"])
    seconds = time.perf_counter() - t0
    a3 = course.forward_propagation(X, parameters)[0]
    final = float(course.compute_cost_with_regularization(a3, Y, parameters, cfg["l2"]) if cfg["l2"]
                  else course.compute_cost(a3, Y))
    return _trained(experiment, arm, cfg, dataset, seed, course, parameters, lines, seconds, final, keep)


def _gradient_check(experiment: Experiment, arm: Arm, cfg: Mapping[str, Any], dataset: Any, seed: int,
                    keep: bool) -> RunResult:
    """The course's ``gradient_check_n`` on the course's test case (the arms' network and seed)."""
    from ..course import gradient_checking as course
    from .gradchecks import gradcheck_case

    net, X_rows, y = gradcheck_case(cfg["layers"], seed)  # the draws of gradient_check_n_test_case()
    X = X_rows.T
    parameters = {}
    for l in range(1, len(net.layer_dims)):
        parameters[f"W{l}"] = net.params[f"W{l}"].copy()
        parameters[f"b{l}"] = net.params[f"b{l}"].reshape(-1, 1).copy()
    backward = getattr(course, arm.code.split(".", 1)[1])
    t0 = time.perf_counter()
    cost, cache = course.forward_propagation_n(X, y, parameters)
    gradients = backward(X, y, cache)
    difference, lines = _printed(course.gradient_check_n, parameters, gradients, X, y)
    seconds = time.perf_counter() - t0
    extra = {"code": f"descentlab.course.{arm.code}", "difference": float(difference),
             "passed": bool(difference <= course.THRESHOLD), "threshold": course.THRESHOLD, "failed": [],
             "report": "\n".join(lines), "printed": lines, "cost": float(cost),
             "A3": [float(a) for a in cache[-3].ravel()], "Y": [int(v) for v in np.ravel(y)]}
    return RunResult(seed=seed, seconds=seconds, epochs=0, extra=extra)


COURSE_RUNNERS: dict[str, Callable[..., RunResult]] = {
    "initialization.model": _initialization,
    "regularization.model": _regularization,
    "gradient_checking.backward_propagation_n_fixed": _gradient_check,
    "gradient_checking.backward_propagation_n": _gradient_check,
}


def course_run(experiment: Experiment, arm: Arm, cfg: Mapping[str, Any], dataset: Any, seed: int,
               keep: bool = True) -> RunResult:
    """Run ``arm`` with the course's own code named by ``arm.code`` (see :data:`COURSE_RUNNERS`)."""
    if arm.code not in COURSE_RUNNERS:
        raise InputError(f"{experiment.where}: {arm.name}: code: expected one of {sorted(COURSE_RUNNERS)}, "
                         f"received {arm.code!r}")
    return COURSE_RUNNERS[arm.code](experiment, arm, cfg, dataset, seed, keep)
