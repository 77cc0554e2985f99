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
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from ..core.activations import ZERO
from ..core.propagation import loss_and_backprop, scaled_masks, with_ones
from ..training.batching import batch_bounds


@dataclass
class EpochAccum:
    """Running sums of one epoch; a checkpoint can stop and restart it at ``step``."""

    step: int = 0
    loss: float = 0.0
    l2: float = 0.0
    correct: float = 0.0
    seen: int = 0

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class StepFault:
    """A step whose cost or gradient was not finite."""

    step: int
    what: str
    kept: str  # which parameters were kept
    skipped: list[tuple[int, str]] = field(default_factory=list)


class NumpyRunner:
    """Trains ``net`` in place on prepared arrays X (m, n_0) and Y (m, n_L)."""

    def __init__(self, net: Any, X: np.ndarray, Y: np.ndarray, labels: np.ndarray | None, cfg: Any,
                 dropout_rng: np.random.Generator) -> None:
        self.net, self.cfg = net, cfg
        self.theta, self.grad = net.theta, net.grad
        self.kernel, self.out = net._kernel, net._out
        self.X = with_ones(X)                     # (m, n_0 + 1): the bias input is a column of ones
        self.Y = np.ascontiguousarray(Y.T)        # (n_L, m): feature-major, as the engine computes
        self.labels = labels
        self.m = len(X)
        self.bounds = batch_bounds(self.m, cfg.batch_size)
        # full batch: the order of a sum over all examples does not matter, so skip the gather
        self.gather = cfg.batch_size is not None and (len(self.bounds) > 1 or cfg.shuffle == "random")
        dropout = tuple(p < 1.0 for p in cfg.keep_prob)
        self._ws = {}
        for start, stop in self.bounds:
            B = stop - start
            if B not in self._ws:
                ws = self.kernel.workspace(self.X[:B], dropout)
                xb = np.empty((B, self.X.shape[1]), X.dtype) if self.gather else None
                yb = np.empty((self.Y.shape[0], B), Y.dtype) if self.gather else None
                lb = np.empty(B, np.int64) if (self.gather and labels is not None) else None
                self._ws[B] = (ws, xb, yb, lb)
        wmask = net.layout.weight_mask(net.dtype)
        self.state = cfg.optimizer.init(self.theta, wmask)
        self.l2coef = (cfg.l2 / self.m) * wmask if cfg.l2 else None
        self._tmp = np.empty_like(self.theta)
        self.rng = dropout_rng
        self.skipped: list[tuple[int, int, str]] = []
        self.last_good: np.ndarray | None = None
        self._eval_ws: dict[tuple, Any] = {}

    # ------------------------------------------------------------------ state
    def optimizer_arrays(self) -> dict[str, np.ndarray]:
        return {k: v for k, v in self.state.items() if isinstance(v, np.ndarray) and not k.startswith("_")}

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
    def _correct(self, logits: np.ndarray, yb: np.ndarray, lb: np.ndarray | None) -> float:
        """How many examples of a batch are classified right; logits and yb are (n_L, B)."""
        if lb is not None:
            return np.count_nonzero(logits.argmax(axis=0) == lb)
        return np.count_nonzero((logits > 0) == yb) / yb.shape[0]  # yb holds exact 0.0/1.0

    def run_epoch(self, epoch: int, perm: np.ndarray, lr: float, acc: EpochAccum,
                  interrupted: Callable[[], bool]) -> StepFault | None:
        """Train the steps ``acc.step ..`` of one epoch; return a fault, or None."""
        theta, grad, tmp, update, state = self.theta, self.grad, self._tmp, self.cfg.optimizer.update, self.state
        X, Y, labels, classify = self.X, self.Y, self.labels, self.out.is_classifier
        kernel, out, dropout, keep, l2coef = self.kernel, self.out, self.cfg.dropout, self.cfg.keep_prob, self.l2coef
        n_out, zero = Y.shape[0], ZERO[theta.dtype]
        self.last_good = theta.copy()  # the fallback if an update itself overflows
        for s in range(acc.step, len(self.bounds)):
            start, stop = self.bounds[s]
            ws, xb, yb, lb = self._ws[stop - start]
            if self.gather:
                idx = perm[start:stop]
                X.take(idx, axis=0, out=xb)
                Y.take(idx, axis=1, out=yb)
                if lb is not None:
                    labels.take(idx, out=lb)
            else:
                xb, yb, lb = X, Y, labels
            masks = scaled_masks(self.rng, ws, keep) if dropout else None
            loss = float(loss_and_backprop(kernel, out, xb, yb, ws, masks))
            l2 = 0.0
            if l2coef is not None:
                np.multiply(theta, l2coef, out=tmp)  # (λ/m) W
                grad += tmp
                l2 = 0.5 * float(np.dot(tmp, theta)) * (stop - start)  # B · λ/(2m) Σ||W||²
            if not (math.isfinite(loss) and math.isfinite(float(np.dot(grad, grad)))):
                fault = self._fault(epoch, s, loss)
                if fault is not None:
                    acc.step = s
                    return fault
                acc.step = s + 1
                continue
            update(theta, grad, state, lr)
            acc.loss += loss
            acc.l2 += l2
            if classify:
                z = ws.A[-1]
                acc.correct += (np.count_nonzero(z.argmax(axis=0) == lb) if lb is not None else
                                np.count_nonzero(np.greater(z, zero) == yb) / n_out)
            acc.seen += stop - start
            acc.step = s + 1
            if interrupted():
                break
        return None

    def _fault(self, epoch: int, step: int, loss: float) -> StepFault | None:
        what = f"the cost is {loss}" if not math.isfinite(loss) else "the gradient is not finite"
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
        return cost, self._correct(logits, YT, labels) / len(X1)
