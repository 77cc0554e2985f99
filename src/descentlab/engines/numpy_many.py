"""K networks of one architecture trained in lockstep on the NumPy engine.

The K parameter vectors are the rows of one (K, P) buffer; the kernel's block
views then carry a leading runs axis, so every layer is one *batched* matrix
product over the K networks and every optimizer step is a handful of vector
operations over K·P numbers. Python's per-operation overhead, which dominates
small networks, is paid once for all K runs.

Each run keeps its own shuffle and dropout streams and draws from them in the
same order as a single run would, so run k ends where ``fit`` with the same
seed ends, up to floating-point rounding (batched and single products may
round differently).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core.outputs import correct_count
from ..core.propagation import Kernel, loss_and_backprop, with_ones
from ..core.regularization import add_l2_gradient, draw_mask, l2_gradient_factor
from .base import batch_bounds, nonfinite_what


class ManyRunner:
    """Trains the rows of ``theta`` (K, P) on X (m, n_0), Y (m, n_L); implements :class:`.base.LockstepRunner`."""

    def __init__(self, layout: Any, acts: tuple, output: Any, theta: np.ndarray, X: np.ndarray, Y: np.ndarray,
                 labels: np.ndarray | None, optimizer: Any, l2: np.ndarray, keep_prob: np.ndarray,
                 batch_size: int | None, shared_order: bool, dropout_rngs: list) -> None:
        self.K, self.m = theta.shape[0], len(X)
        self.theta, self.grad = theta, np.zeros_like(theta)
        self.kernel = Kernel.build(layout, acts, self.theta, self.grad)
        self.out = output
        self.X, self.Y, self.labels = with_ones(X), Y, labels  # Y stays example-major here: gathered per run
        self.bounds = batch_bounds(self.m, batch_size)
        self.shared = shared_order
        self.keep = keep_prob  # (K, n_hidden)
        self.dropout = bool((keep_prob < 1).any())
        self.rngs = dropout_rngs
        self.optimizer = optimizer
        wmask = layout.weight_mask(theta.dtype)
        self.state = optimizer.init(self.theta, wmask)
        self.l2coef = l2_gradient_factor(l2[:, None], self.m, wmask) if (l2 > 0).any() else None
        self._tmp = np.empty_like(theta)
        self.alive = np.ones(self.K, bool)
        self.frozen: dict[int, np.ndarray] = {}
        self._ws = self._workspaces(theta.dtype, Y.shape[1], labels is not None)

    def _workspaces(self, dtype: Any, n_out: int, has_labels: bool) -> dict[int, tuple]:
        """One (workspace, X batches, Y batches, label batches) per distinct batch size."""
        out = {}
        dropout = tuple(bool((self.keep[:, l] < 1).any()) for l in range(self.keep.shape[1]))
        lead = () if self.shared else (self.K,)
        for start, stop in self.bounds:
            B = stop - start
            if B not in out:
                xb = np.empty(lead + (B, self.X.shape[1]), dtype)
                yb = np.empty(lead + (B, n_out), dtype)
                lb = np.empty(lead + (B,), np.int64) if has_labels else None
                ws = self.kernel.workspace(np.empty((self.K, B, self.X.shape[1]), dtype), dropout)
                out[B] = (ws, xb, yb, lb)
        return out

    def _masks(self, ws: Any) -> list:
        masks = []
        for l, buf in enumerate(ws.masks):
            if buf is None:
                masks.append(None)
                continue
            for k, rng in enumerate(self.rngs):  # run k draws exactly what a single run would
                kp = self.keep[k, l]
                if kp < 1.0:
                    draw_mask(rng, kp, buf[k])
                else:
                    buf[k] = 1.0
            masks.append(buf)
        return masks

    def run_epoch(self, perm: np.ndarray, lr: np.ndarray, acc: dict[str, np.ndarray]) -> list[tuple[int, int, str]]:
        """One epoch for every run; ``perm`` is (m,) when the order is shared, else (K, m).

        Returns the runs that stopped in this epoch: (run, step, what was not finite).
        """
        theta, grad, tmp = self.theta, self.grad, self._tmp
        faults = []
        for s, (start, stop) in enumerate(self.bounds):
            ws, xb, ybT, lb = self._batch(perm, start, stop)
            masks = self._masks(ws) if self.dropout else None
            loss = loss_and_backprop(self.kernel, self.out, xb, ybT, ws, masks)
            l2 = add_l2_gradient(theta, grad, self.l2coef, tmp) * (stop - start) if self.l2coef is not None else 0.0
            faults += self._stop_nonfinite(s, loss)
            self.optimizer.update(theta, grad, self.state, lr)
            for k, row in self.frozen.items():
                theta[k] = row
            live = self.alive
            acc["loss"] += np.where(live, loss, 0.0)
            acc["l2"] += np.where(live, l2, 0.0)
            if self.out.is_classifier:
                acc["correct"] += np.where(live, correct_count(ws.A[-1], ybT, lb), 0)
            acc["seen"] += np.where(live, stop - start, 0)
        return faults

    def _batch(self, perm: np.ndarray, start: int, stop: int) -> tuple:
        """The step's (workspace, X, Y feature-major, labels), gathered in each run's order."""
        ws, xb, yb, lb = self._ws[stop - start]
        idx = perm[..., start:stop]
        self.X.take(idx, axis=0, out=xb)
        self.Y.take(idx, axis=0, out=yb)
        if lb is not None:
            self.labels.take(idx, out=lb)
        return ws, xb, yb.swapaxes(-1, -2), lb

    def _stop_nonfinite(self, step: int, loss: np.ndarray) -> list[tuple[int, int, str]]:
        """Freeze the live runs whose cost or gradient stopped being finite at this step."""
        grad = self.grad
        bad = ~(np.isfinite(loss) & np.isfinite(np.einsum("kp,kp->k", grad, grad))) & self.alive
        out = []
        for k in np.flatnonzero(bad):
            self.alive[k] = False
            self.frozen[k] = self.theta[k].copy()
            out.append((int(k), step, nonfinite_what(float(loss[k]))))
        return out

    def evaluate(self, X: np.ndarray, Y: np.ndarray, labels: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None]:
        """Per-run (data cost, accuracy) on prepared arrays X (m, n_0), Y (m, n_L)."""
        X1, YT = with_ones(X), np.ascontiguousarray(Y.T)
        ws = self.kernel.workspace(np.empty((self.K,) + X1.shape, X1.dtype))
        logits = self.kernel.forward(X1, ws)
        with np.errstate(over="ignore", invalid="ignore"):
            cost = self.out.loss(logits, YT, None) / len(X1)
        acc = correct_count(logits, YT, labels) / len(X1) if self.out.is_classifier else None
        return cost, acc
