"""The NumPy engine: the training step on the flat buffer, with preallocated workspaces.

One step, for a batch of B examples (m in the training set):

    gather X[idx], Y[idx] into preallocated buffers
    forward + loss (from logits) + backward          -> grad  (core.propagation)
    grad += (λ/m) · W            (weights only, on the whole buffer at once)
    non-finite guard on the cost and |grad|²
    optimizer.update(theta, grad, state, lr)          (a few in-place vector ops)
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from ..core.activations import ZERO
from ..core.outputs import correct_count
from ..core.propagation import loss_and_backprop, scaled_masks, with_ones
from ..core.regularization import add_l2_gradient, l2_gradient_factor
from .base import EpochAccum, StepFault, batch_bounds, needs_gather, nonfinite_what

__all__ = ["NumpyRunner", "EpochAccum", "StepFault"]


class NumpyRunner:
    """Trains ``net`` in place on prepared arrays X (m, n_0) and Y (m, n_L); implements :class:`.base.Runner`."""

    def __init__(self, net: Any, X: np.ndarray, Y: np.ndarray, labels: np.ndarray | None, cfg: Any,
                 dropout_rng: np.random.Generator) -> None:
        self.net, self.cfg = net, cfg
        self.theta, self.grad = net.theta, net.grad
        self.kernel, self.out = net.kernel, net.head
        self.X = with_ones(X)                     # (m, n_0 + 1): the bias input is a column of ones
        self.Y = np.ascontiguousarray(Y.T)        # (n_L, m): feature-major, as the engine computes
        self.labels = labels
        self.m = len(X)
        self.bounds = batch_bounds(self.m, cfg.batch_size)
        self.gather = needs_gather(cfg, self.bounds)
        self._ws = self._workspaces(X.dtype, Y.dtype, labels is not None, tuple(p < 1.0 for p in cfg.keep_prob))
        wmask = net.layout.weight_mask(net.dtype)
        self.state = cfg.optimizer.init(self.theta, wmask)
        self.l2coef = l2_gradient_factor(cfg.l2, self.m, wmask) if cfg.l2 else None
        self._tmp = np.empty_like(self.theta)
        self.rng = dropout_rng
        self.skipped: list[tuple[int, int, str]] = []
        self.last_good: np.ndarray | None = None
        self._eval_ws: dict[tuple, Any] = {}

    def _workspaces(self, xdtype: Any, ydtype: Any, has_labels: bool, dropout: tuple[bool, ...]) -> dict[int, tuple]:
        """One (workspace, X batch, Y batch, label batch) per distinct batch size."""
        out = {}
        for start, stop in self.bounds:
            B = stop - start
            if B not in out:
                ws = self.kernel.workspace(self.X[:B], dropout)
                xb = np.empty((B, self.X.shape[1]), xdtype) if self.gather else None
                yb = np.empty((self.Y.shape[0], B), ydtype) if self.gather else None
                lb = np.empty(B, np.int64) if (self.gather and has_labels) else None
                out[B] = (ws, xb, yb, lb)
        return out

    # ------------------------------------------------------------------ state
    def optimizer_arrays(self) -> dict[str, np.ndarray]:
        return {k: v for k, v in self.state.items() if isinstance(v, np.ndarray)}

    def optimizer_meta(self) -> dict[str, Any]:
        return {"t": int(self.state["t"])}

    def load_optimizer(self, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> None:
        for k, v in self.optimizer_arrays().items():
            v[...] = arrays[k]
        self.state["t"] = int(meta["t"])

    def sync_to_net(self) -> None:
        """The NumPy engine trains net.theta itself: nothing to copy."""

    def sync_from_net(self) -> None:
        """net.theta is the engine's own buffer: nothing to copy."""

    # -------------------------------------------------------------- training
    def _batch(self, perm: np.ndarray, start: int, stop: int) -> tuple:
        """The step's (workspace, X, Y, labels): gathered in the epoch's order, or the whole data."""
        ws, xb, yb, lb = self._ws[stop - start]
        if not self.gather:
            return ws, self.X, self.Y, self.labels
        idx = perm[start:stop]
        self.X.take(idx, axis=0, out=xb)
        self.Y.take(idx, axis=1, out=yb)
        if lb is not None:
            self.labels.take(idx, out=lb)
        return ws, xb, yb, lb

    def run_epoch(self, epoch: int, perm: np.ndarray, lr: float, acc: EpochAccum,
                  interrupted: Callable[[], bool]) -> StepFault | None:
        """Train the steps ``acc.step ..`` of one epoch; return a fault, or None."""
        theta, grad, tmp, update, state = self.theta, self.grad, self._tmp, self.cfg.optimizer.update, self.state
        kernel, out, dropout, keep, l2coef = self.kernel, self.out, self.cfg.dropout, self.cfg.keep_prob, self.l2coef
        classify, zero, batch = out.is_classifier, ZERO[theta.dtype], self._batch
        self.last_good = theta.copy()  # the fallback if an update itself overflows
        for s in range(acc.step, len(self.bounds)):
            start, stop = self.bounds[s]
            ws, xb, yb, lb = batch(perm, start, stop)
            masks = scaled_masks(self.rng, ws, keep) if dropout else None
            loss = float(loss_and_backprop(kernel, out, xb, yb, ws, masks))
            l2 = add_l2_gradient(theta, grad, l2coef, tmp) * (stop - start) if l2coef is not None else 0.0
            if not (math.isfinite(loss) and math.isfinite(float(np.dot(grad, grad)))):
                fault = self._fault(epoch, s, loss)
                if fault is not None:
                    acc.step = s
                    return fault
                acc.step = s + 1
                continue
            update(theta, grad, state, lr)
            acc.loss += loss
            acc.l2 += l2  # B · λ/(2m) Σ||W||²
            if classify:
                acc.correct += correct_count(ws.A[-1], yb, lb, zero)
            acc.seen += stop - start
            acc.step = s + 1
            if interrupted():
                break
        return None

    def _fault(self, epoch: int, step: int, loss: float) -> StepFault | None:
        """A non-finite step: None when it is skipped (within the budget), else the fault to report."""
        what = nonfinite_what(loss)
        if self.cfg.on_nonfinite == "skip" and len(self.skipped) < self.cfg.max_skips:
            self.skipped.append((epoch, step, what))
            return None
        if np.isfinite(self.theta).all():
            kept = "the parameters of this step (all finite)"
        else:
            self.theta[...] = self.last_good
            kept = f"the parameters from the start of epoch {epoch} (the update before this step overflowed)"
        return StepFault(step, what, kept)

    def evaluate(self, X: np.ndarray, Y: np.ndarray, labels: np.ndarray | None) -> tuple[float, float | None]:
        """(data cost, accuracy) of the current parameters on prepared arrays X (m, n_0), Y (m, n_L)."""
        key = (id(X), X.shape)
        if key not in self._eval_ws:
            X1 = with_ones(X)
            self._eval_ws[key] = (X1, np.ascontiguousarray(Y.T), self.kernel.workspace(X1))
        X1, YT, ws = self._eval_ws[key]
        logits = self.kernel.forward(X1, ws)
        cost = float(self.out.loss(logits, YT, None)) / len(X1)
        if not self.out.is_classifier:
            return cost, None
        return cost, correct_count(logits, YT, labels) / len(X1)
