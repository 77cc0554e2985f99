"""Gradient checking: backprop against central finite differences, as a tool.

The numeric gradient of J at θ along coordinate i is

    g̃_i = (J(θ + ε e_i) - J(θ - ε e_i)) / (2ε)

and the reported difference is the course's relative distance

    difference = ||g - g̃|| / (||g|| + ||g̃||)

which is below ~1e-7 when backprop is right (float64, ε = 1e-7). Each named
parameter is judged the same way on its own entries, except that a parameter
whose every error is below the rounding noise of a central difference,
``noise = 64 · u · max(|J|, 1) / ε`` (u = 2^-52, about 1.4e-7 for |J| <= 1 and
ε = 1e-7), also passes: its gradient is too small for finite differences to
tell anything, and saying FAIL there would be a false alarm. The check
always runs in float64, whatever the network's dtype. Many perturbed copies of
θ are evaluated together: they form the leading "runs" axis of one batched
forward pass, so a full check costs a few large matrix products instead of
2P small ones.

The fast mode compares directional derivatives g·v with
(J(θ + εv) - J(θ - εv)) / (2ε) along k random unit directions v (the idea of
PyTorch's ``gradcheck(fast_mode=True)``), and falls back to the full check to
say where a failure is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from .. import _checks as check
from .layout import Layout
from .network import Network
from .propagation import Kernel, with_ones
from .regularization import keep_mask, l2_penalty, scale_mask

_CHUNK_FLOATS = 4_000_000  # activations held at once by one batched forward


def relative_difference(a: np.ndarray, b: np.ndarray) -> float:
    """||a - b|| / (||a|| + ||b||), and 0 when both are zero."""
    num = float(np.linalg.norm(np.ravel(a) - np.ravel(b)))
    den = float(np.linalg.norm(np.ravel(a)) + np.linalg.norm(np.ravel(b)))
    return 0.0 if den == 0.0 else num / den


def gradient_check(f: Callable[[Any], float], df: Callable[[Any], Any], theta: Any,
                   epsilon: float = 1e-7) -> float:
    """1-D (or any-shape) check of ``df`` against central differences of ``f``.

    ``f(theta)`` returns a scalar and ``df(theta)`` its gradient, same shape as
    theta. Returns ||g - g̃|| / (||g|| + ||g̃||).

    >>> round(gradient_check(lambda t: 3.0 * t, lambda t: 3.0, 4.0), 12)
    0.0
    """
    epsilon = check.real("epsilon", epsilon, low=0.0, low_open=True)
    theta = np.array(theta, dtype=np.float64)
    flat = theta.reshape(-1)
    numeric = np.empty_like(flat)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + epsilon
        plus = float(f(theta if theta.ndim else theta[()]))
        flat[i] = old - epsilon
        minus = float(f(theta if theta.ndim else theta[()]))
        flat[i] = old
        numeric[i] = (plus - minus) / (2 * epsilon)
    grad = np.asarray(df(theta if theta.ndim else theta[()]), dtype=np.float64)
    return relative_difference(grad, numeric)


@dataclass
class ParamCheck:
    """The check of one named parameter (W1, b1, ...)."""

    name: str
    shape: tuple[int, ...]
    difference: float
    passed: bool
    max_error: float
    noise: float
    worst: list[tuple[tuple[int, ...], float, float]] = field(default_factory=list)  # (index, backprop, numeric)


@dataclass
class GradientReport:
    """The result of :func:`check_gradients`; ``bool(report)`` is ``report.passed``."""

    difference: float
    threshold: float
    passed: bool
    mode: str
    epsilon: float
    n_params: int
    params: list[ParamCheck]
    notes: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.passed

    def failed(self) -> list[str]:
        return [p.name for p in self.params if not p.passed]

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": bool(self.passed), "difference": float(self.difference), "threshold": self.threshold,
            "mode": self.mode, "epsilon": self.epsilon, "n_params": self.n_params, "notes": list(self.notes),
            "params": [{"name": p.name, "shape": list(p.shape), "difference": float(p.difference), "passed": bool(p.passed),
                        "max_error": p.max_error, "noise": p.noise,
                        "worst": [{"index": list(i), "backprop": b, "numeric": n} for i, b, n in p.worst]}
                       for p in self.params],
        }

    def __str__(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        lines = [f"Gradient check: {verdict}  difference {self.difference:.3e} "
                 f"(threshold {self.threshold:.0e}; {self.mode}; {self.n_params} parameters; "
                 f"epsilon {self.epsilon:g}; float64)"]
        width = max((len(p.name) for p in self.params), default=2)
        for p in self.params:
            shape = "x".join(map(str, p.shape))
            verdict = "ok" if p.difference < self.threshold else ("ok (errors below rounding noise)" if p.passed else "FAIL")
            line = f"  {p.name:<{width}}  {shape:>10}  difference {p.difference:.3e}  {verdict}"
            if not p.passed and p.worst:
                idx, b, n = p.worst[0]
                line += f"  worst at {list(idx)}: backprop {b:.6g}, numeric {n:.6g}"
            lines.append(line)
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


class _Objective:
    """J(θ) for many θ at once: rows of a (K, P) matrix, on fixed data and fixed dropout masks."""

    def __init__(self, net: Network, X: np.ndarray, Y: np.ndarray, l2: float, masks: list | None) -> None:
        self.net, self.l2, self.masks = net, l2, masks
        self.X, self.Y = with_ones(X), np.ascontiguousarray(Y.T)
        self.wmask = net.layout.weight_mask()
        self.m = len(X)
        self.batch = max(1, _CHUNK_FLOATS // (len(X) * max(net.layer_dims)))

    def __call__(self, thetas: np.ndarray) -> np.ndarray:
        out = np.empty(len(thetas))
        for start in range(0, len(thetas), self.batch):
            block = thetas[start:start + self.batch]
            kernel = Kernel.build(self.net.layout, self.net.activations, block, None)
            ws = kernel.workspace(self.X, tuple(m is not None for m in (self.masks or [])))
            logits = kernel.forward(self.X, ws, self.masks)
            data = self.net.head.loss(logits, self.Y, None) / self.m
            reg = l2_penalty(block, self.wmask, self.l2, self.m) if self.l2 else 0.0
            out[start:start + len(block)] = data + reg
        return out


def _fixed_masks(net: Network, X: np.ndarray, keep_prob: Any, seed: Any) -> tuple[list | None, list | None]:
    probs = check.keep_probs(keep_prob, len(net.hidden))
    if all(p == 1.0 for p in probs):
        return None, None
    rng = np.random.default_rng(seed)
    keep = [keep_mask(rng, (len(X), n), p) for n, p in zip(net.layer_dims[1:-1], probs)]
    scaled = [np.ascontiguousarray(scale_mask(k.T, p)) for k, p in zip(keep, probs)]
    return keep, scaled


def _backprop(net: Network, X: np.ndarray, y: Any, l2: float, keep: list | None, keep_prob: Any,
              gradient: Callable | None) -> np.ndarray:
    if gradient is None:
        net.loss_and_grad(X, y, l2=l2, keep_prob=keep_prob, masks=keep)
        return net.grad.copy()
    g = gradient(net, X, y)
    if isinstance(g, dict):
        for name in net.layout.names():
            if name not in g or np.size(g[name]) != int(np.prod(net.layout.shape(name))):
                raise check.fail("gradient", f"a dict without a {net.layout.shape(name)} entry {name!r}",
                                 f"a gradient for every parameter {net.layout.names()}")
        return net.layout.flatten(g)
    vec = np.asarray(g, dtype=np.float64).reshape(-1)
    if vec.size != net.n_params:
        raise check.fail("gradient", g, f"{net.n_params} entries, one per parameter")
    return vec


def _per_param(layout: Layout, g: np.ndarray, num: np.ndarray, threshold: float, noise: float,
               top: int = 3) -> list[ParamCheck]:
    checks = []
    for name in layout.names():
        idx, shape = layout.indices(name), layout.shape(name)
        a, b = g[idx], num[idx]
        diff = relative_difference(a, b)
        err = np.abs(a - b)
        order = np.argsort(-err)[:top]
        worst = [(tuple(int(i) for i in np.unravel_index(j, shape)), float(a[j]), float(b[j])) for j in order]
        max_err = float(err.max())
        checks.append(ParamCheck(name, shape, diff, bool(diff < threshold or max_err <= noise), max_err, noise, worst))
    return checks


def _numeric_full(objective: _Objective, theta: np.ndarray, epsilon: float) -> np.ndarray:
    P = theta.size
    numeric = np.empty(P)
    step = max(1, objective.batch // 2)
    for start in range(0, P, step):
        idx = np.arange(start, min(P, start + step))
        thetas = np.repeat(theta[None, :], 2 * len(idx), axis=0)
        thetas[np.arange(len(idx)), idx] += epsilon
        thetas[len(idx) + np.arange(len(idx)), idx] -= epsilon
        J = objective(thetas)
        numeric[idx] = (J[:len(idx)] - J[len(idx):]) / (2 * epsilon)
    return numeric


def check_gradients(net: Network, X: Any, y: Any, l2: float = 0.0, epsilon: float = 1e-7,
                    threshold: float = 1e-7, *, keep_prob: Any = 1.0, fast: bool = False,
                    directions: int = 4, seed: int = 0, gradient: Callable | None = None) -> GradientReport:
    """Check backprop (or ``gradient(net, X, y)``) against central differences, for any architecture.

    Args:
        net: the network; it is copied to float64 and left unchanged.
        X, y: a batch of inputs (m, n_0) and targets.
        l2: λ of the L2 term λ/(2m) Σ||W||².
        epsilon: the finite-difference step ε.
        threshold: the largest difference that passes, overall and per parameter.
        keep_prob: with dropout, one set of masks is drawn from ``seed`` and fixed
            for the whole check (backprop and every perturbed cost use it); the
            report says so. Without fixed masks the cost would change from one
            evaluation to the next and the check would be meaningless.
        fast: compare ``directions`` random directional derivatives first; fall back
            to the full check, which locates the fault, only when they disagree.
        gradient: an alternative gradient to check (a flat vector or a dict
            name -> array), e.g. a hand-written backward pass.
    """
    epsilon = check.real("epsilon", epsilon, low=0.0, low_open=True)
    threshold = check.real("threshold", threshold, low=0.0, low_open=True)
    l2 = check.real("l2", l2, low=0.0)
    directions = check.integer("directions", directions, low=1)
    net64 = net.astype(np.float64)
    Xp = net64.prepare_inputs(X)
    net64.preprocessing = None  # X is now preprocessed
    Y = net64.encode_targets(y, len(Xp))
    keep, scaled = _fixed_masks(net64, Xp, keep_prob, seed)
    notes = [f"dropout: one set of masks (keep_prob={keep_prob}) drawn with seed {seed} and fixed for the whole check"] if keep else []
    g = _backprop(net64, Xp, Y, l2, keep, keep_prob, gradient)
    objective = _Objective(net64, Xp, Y, l2, scaled)
    if fast:
        report = _fast(net64, objective, g, epsilon, threshold, directions, seed, notes)
        if report.passed:
            return report
        notes = notes + [f"fast mode failed ({report.difference:.3e} over {directions} directions); full check follows"]
    numeric = _numeric_full(objective, net64.theta, epsilon)
    J = float(objective(net64.theta[None, :])[0])
    noise = 64 * np.finfo(np.float64).eps * max(abs(J), 1.0) / epsilon
    params = _per_param(net64.layout, g, numeric, threshold, noise)
    diff = relative_difference(g, numeric)
    passed = bool(diff < threshold and all(p.passed for p in params))
    return GradientReport(diff, threshold, passed, "full" if not fast else "fast, then full", epsilon,
                          net64.n_params, params, notes)


def _fast(net: Network, objective: _Objective, g: np.ndarray, epsilon: float, threshold: float,
          k: int, seed: int, notes: list[str]) -> GradientReport:
    rng = np.random.default_rng([seed, 1])
    V = rng.standard_normal((k, net.n_params))
    V /= np.linalg.norm(V, axis=1, keepdims=True)
    thetas = np.concatenate([net.theta + epsilon * V, net.theta - epsilon * V])
    J = objective(thetas)
    numeric = (J[:k] - J[k:]) / (2 * epsilon)
    analytic = V @ g
    diff = relative_difference(analytic, numeric)
    J0 = float(objective(net.theta[None, :])[0])
    noise = 64 * np.finfo(np.float64).eps * max(abs(J0), 1.0) / epsilon
    passed = bool(diff < threshold or float(np.abs(analytic - numeric).max()) <= noise)
    shown = ", ".join(f"{a:.6g} vs {n:.6g}" for a, n in zip(analytic, numeric))
    return GradientReport(diff, threshold, passed, f"fast ({k} random directions)", epsilon,
                          net.n_params, [], notes + [f"directional derivatives, backprop vs numeric: {shown}"])
