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

import math
from typing import Any

import numpy as np

from ..core.propagation import Kernel, loss_and_backprop, with_ones
from ..training.batching import batch_bounds


class ManyRunner:
    """Trains the rows of ``theta`` (K, P) on X (m, n_0), Y (m, n_L)."""

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
        self.l2coef = (l2[:, None] / self.m) * wmask if (l2 > 0).any() else None
        self._tmp = np.empty_like(theta)
        self.alive = np.ones(self.K, bool)
        self.frozen: dict[int, np.ndarray] = {}
        self._ws = {}
        for start, stop in self.bounds:
            B = stop - start
            if B not in self._ws:
                lead = () if self.shared else (self.K,)
                xb = np.empty(lead + (B, self.X.shape[1]), theta.dtype)
                yb = np.empty(lead + (B, Y.shape[1]), theta.dtype)
                lb = np.empty(lead + (B,), np.int64) if labels is not None else None
                ws = self.kernel.workspace(np.empty((self.K, B, self.X.shape[1]), theta.dtype),
                                           tuple(bool((keep_prob[:, l] < 1).any()) for l in range(keep_prob.shape[1])))
                self._ws[B] = (ws, xb, yb, lb)

    def _masks(self, ws: Any) -> list:
        masks = []
        for l, buf in enumerate(ws.masks):
            if buf is None:
                masks.append(None)
                continue
            for k, rng in enumerate(self.rngs):  # run k draws exactly what a single run would
                kp = self.keep[k, l]
                if kp < 1.0:
                    np.multiply(rng.random(buf.shape[1:]) < kp, 1.0 / kp, out=buf[k])
                else:
                    buf[k] = 1.0
            masks.append(buf)
        return masks

    def _correct(self, logits: np.ndarray, yb: np.ndarray, lb: np.ndarray | None) -> np.ndarray:
        if lb is not None:
            return np.count_nonzero(logits.argmax(axis=-2) == lb, axis=-1)
        return np.count_nonzero((logits > 0) == yb, axis=(-2, -1)) / yb.shape[-2]

    def run_epoch(self, perm: np.ndarray, lr: np.ndarray, acc: dict[str, np.ndarray]) -> list[tuple[int, int, str]]:
        """One epoch for every run; ``perm`` is (m,) when the order is shared, else (K, m).

        Returns the runs that stopped in this epoch: (run, step, what was not finite).
        """
        theta, grad, tmp = self.theta, self.grad, self._tmp
        faults = []
        for s, (start, stop) in enumerate(self.bounds):
            ws, xb, yb, lb = self._ws[stop - start]
            idx = perm[..., start:stop]
            self.X.take(idx, axis=0, out=xb)
            self.Y.take(idx, axis=0, out=yb)
            if lb is not None:
                self.labels.take(idx, out=lb)
            ybT = yb.swapaxes(-1, -2)
            masks = self._masks(ws) if self.dropout else None
            loss = loss_and_backprop(self.kernel, self.out, xb, ybT, ws, masks)
            l2 = 0.0
            if self.l2coef is not None:
                np.multiply(theta, self.l2coef, out=tmp)
                grad += tmp
                l2 = 0.5 * np.einsum("kp,kp->k", tmp, theta) * (stop - start)
            bad = ~(np.isfinite(loss) & np.isfinite(np.einsum("kp,kp->k", grad, grad))) & self.alive
            for k in np.flatnonzero(bad):
                self.alive[k] = False
                self.frozen[k] = theta[k].copy()
                faults.append((int(k), s, f"the cost is {loss[k]}" if not math.isfinite(loss[k]) else "the gradient is not finite"))
            self.optimizer.update(theta, grad, self.state, lr)
            for k, row in self.frozen.items():
                theta[k] = row
            live = self.alive
            acc["loss"] += np.where(live, loss, 0.0)
            acc["l2"] += np.where(live, l2, 0.0)
            if self.out.is_classifier:
                acc["correct"] += np.where(live, self._correct(ws.A[-1], ybT, lb), 0)
            acc["seen"] += np.where(live, stop - start, 0)
        return faults

    def evaluate(self, X: np.ndarray, Y: np.ndarray, labels: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None]:
        """Per-run (data cost, accuracy) on prepared arrays X (m, n_0), Y (m, n_L)."""
        X1, YT = with_ones(X), np.ascontiguousarray(Y.T)
        ws = self.kernel.workspace(np.empty((self.K,) + X1.shape, X1.dtype))
        logits = self.kernel.forward(X1, ws)
        with np.errstate(over="ignore", invalid="ignore"):
            cost = self.out.loss(logits, YT, None) / len(X1)
        acc = self._correct(logits, YT, labels) / len(X1) if self.out.is_classifier else None
        return cost, acc
