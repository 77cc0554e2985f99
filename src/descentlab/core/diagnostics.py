"""What a learner looks at after a run: layer statistics, symmetric units, dead ReLUs.

- **Identical units** (symmetry not broken): hidden units of one layer whose
  incoming weights and bias are equal compute the same function and receive the
  same gradient forever. Zero initialization makes every unit of a layer
  identical, so the network is no wider than one unit per layer.
- **Dead units**: a ReLU unit whose pre-activation is <= 0 for every example
  outputs 0 and gets no gradient, so it never recovers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .propagation import loss_and_backprop, with_ones


@dataclass
class LayerStats:
    """Statistics of one layer l over the examples given."""

    layer: int
    units: int
    activation: str
    act_mean: float
    act_std: float
    frac_zero: float  # fraction of (example, unit) activations exactly 0
    weight_std: float
    grad_norm: float | None
    dead_units: list[int] = field(default_factory=list)
    identical_groups: list[list[int]] = field(default_factory=list)


@dataclass
class Diagnostics:
    layers: list[LayerStats]

    @property
    def symmetric_layers(self) -> list[int]:
        """Hidden layers in which every unit is identical to every other."""
        return [s.layer for s in self.layers if s.units > 1 and any(len(g) == s.units for g in s.identical_groups)]

    @property
    def dead_fraction(self) -> dict[int, float]:
        return {s.layer: len(s.dead_units) / s.units for s in self.layers if s.activation in ("relu", "leaky_relu")}

    def warnings(self) -> list[str]:
        out = []
        for s in self.layers:
            for g in s.identical_groups:
                if len(g) == s.units and s.units > 1:
                    out.append(f"layer {s.layer}: all {s.units} units are identical: symmetry is not broken "
                               "(zero or constant initialization); the layer acts as a single unit")
                else:
                    out.append(f"layer {s.layer}: units {g} are identical")
            if s.dead_units:
                out.append(f"layer {s.layer}: {len(s.dead_units)} of {s.units} units are dead "
                           f"(output 0 for every example): {s.dead_units[:10]}{' ...' if len(s.dead_units) > 10 else ''}")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"layers": [s.__dict__ for s in self.layers], "warnings": self.warnings()}

    def __str__(self) -> str:
        head = f"{'layer':>5} {'units':>5} {'act':>10} {'mean A':>9} {'std A':>9} {'zeros':>6} {'std W':>9} {'|dW|':>9} {'dead':>5} {'identical':>9}"
        rows = [head]
        for s in self.layers:
            grad = "-" if s.grad_norm is None else f"{s.grad_norm:.3g}"
            ident = max((len(g) for g in s.identical_groups), default=0)
            rows.append(f"{s.layer:>5} {s.units:>5} {s.activation:>10} {s.act_mean:>9.3g} {s.act_std:>9.3g} "
                        f"{s.frac_zero:>6.0%} {s.weight_std:>9.3g} {grad:>9} {len(s.dead_units):>5} {ident:>9}")
        rows += [f"! {w}" for w in self.warnings()]
        return "\n".join(rows)


def _identical_groups(W: np.ndarray, b: np.ndarray, tol: float) -> list[list[int]]:
    rows = np.hstack([W, b[:, None]]).astype(np.float64)
    scale = max(float(np.abs(rows).max()), 1.0)
    keys = np.round(rows / (tol * scale)).astype(np.int64) if tol > 0 else rows
    _, inverse, counts = np.unique(keys, axis=0, return_inverse=True, return_counts=True)
    inverse = inverse.reshape(-1)
    return [np.flatnonzero(inverse == k).tolist() for k in np.flatnonzero(counts > 1)]


def diagnose(net, X: Any, y: Any = None, *, l2: float = 0.0, tol: float = 1e-10) -> Diagnostics:
    """Diagnose ``net`` on inputs X (and targets y for gradient norms)."""
    X1 = with_ones(net.prepare_inputs(X))
    ws = net._workspace(X1)
    if y is not None:
        YT = np.ascontiguousarray(net.encode_targets(y, len(X1)).T)
        saved = net.grad.copy()
        loss_and_backprop(net.kernel, net.head, X1, YT, ws)
        grads = {k: float(np.linalg.norm(v)) for k, v in net.grads.items()}
        net.grad[...] = saved
    else:
        net.kernel.forward(X1, ws)
        grads = None
    layers = []
    L = net.layout.n_layers
    for l in range(1, L + 1):
        A = ws.act[l - 1].T  # (m, n_l)
        W, b = net.params[f"W{l}"], net.params[f"b{l}"]
        act = net.hidden[l - 1] if l < L else net.output
        hidden = l < L
        dead = np.flatnonzero((A <= 0).all(axis=0)).tolist() if hidden and act in ("relu", "leaky_relu") else []
        layers.append(LayerStats(
            layer=l, units=A.shape[1], activation=act, act_mean=float(A.mean()), act_std=float(A.std()),
            frac_zero=float(np.mean(A == 0)), weight_std=float(W.std()),
            grad_norm=None if grads is None else grads[f"W{l}"],
            dead_units=dead, identical_groups=_identical_groups(W, b, tol) if hidden else []))
    return Diagnostics(layers)
