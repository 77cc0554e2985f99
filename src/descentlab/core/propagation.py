"""Forward and backward propagation over a flat parameter buffer.

Layout: a batch ``X`` has shape ``(..., B, n_0)``: B examples in rows (leading
axes, if any, index independent networks trained in lockstep). For layer l:

    Z[l] = A[l-1] @ W[l].T + b[l]           A[0] = X
    A[l] = g(Z[l]) * D[l] / keep_prob[l]    (hidden layers; D[l] = 0/1 dropout mask)
    logits = Z[L]

Backward, from ``dZ[L] = (A[L] - Y) / B`` (see :mod:`descentlab.core.outputs`):

    dW[l] = dZ[l].T @ A[l-1]          db[l] = sum over examples of dZ[l]
    dA[l-1] = dZ[l] @ W[l]            dA[l-1] *= D[l-1] / keep_prob[l-1]
    dZ[l-1] = dA[l-1] * g'(Z[l-1])

Every array is written in place into a :class:`Workspace`, preallocated once per
batch shape, so a training step allocates almost nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .activations import Activation
from .layout import Layout


class Workspace:
    """Preallocated activations and deltas for batches of shape ``lead + (B, n)``."""

    def __init__(self, layer_dims: tuple[int, ...], lead: tuple[int, ...], batch: int, dtype,
                 dropout: tuple[bool, ...] = (), keep_pre: tuple[bool, ...] = ()) -> None:
        shape = lambda n: lead + (batch, n)  # noqa: E731
        sizes = layer_dims[1:]
        self.batch = batch
        self.A = [np.empty(shape(n), dtype) for n in sizes]  # A[-1] holds the logits
        self.dZ = [np.empty(shape(n), dtype) for n in sizes]
        self.masks = [np.empty(shape(n), dtype) if on else None for n, on in zip(sizes, dropout)]
        self.pre = [np.empty(shape(n), dtype) if on else None for n, on in zip(sizes, keep_pre)]


@dataclass
class Kernel:
    """The views and activations of one network, ready for propagation.

    ``W``/``dW`` are lists of views (..., n_l, n_{l-1}); ``b``/``db`` views (..., n_l);
    ``b_row`` the same biases as (..., 1, n_l) rows that broadcast over a batch.
    """

    layer_dims: tuple[int, ...]
    acts: tuple[Activation, ...]
    W: list[np.ndarray]
    b_row: list[np.ndarray]
    dW: list[np.ndarray]
    db: list[np.ndarray]

    @classmethod
    def build(cls, layout: Layout, acts: tuple[Activation, ...], theta: np.ndarray,
              grad: np.ndarray | None) -> "Kernel":
        p = layout.views(theta)
        g = layout.views(grad) if grad is not None else None
        L = layout.n_layers
        return cls(
            layout.layer_dims, acts,
            W=[p[f"W{l}"] for l in range(1, L + 1)],
            b_row=[p[f"b{l}"][..., None, :] for l in range(1, L + 1)],
            dW=[g[f"W{l}"] for l in range(1, L + 1)] if g else [],
            db=[g[f"b{l}"] for l in range(1, L + 1)] if g else [],
        )

    def workspace(self, X: np.ndarray, dropout: tuple[bool, ...] = ()) -> Workspace:
        lead = np.broadcast_shapes(X.shape[:-2], self.W[0].shape[:-2])
        keep_pre = tuple(on and not act.sign_only for on, act in zip(dropout, self.acts))
        return Workspace(self.layer_dims, lead, X.shape[-2], X.dtype, dropout, keep_pre)

    def forward(self, X: np.ndarray, ws: Workspace, masks: list | None = None) -> np.ndarray:
        """Fill ``ws.A`` and return the logits. ``masks[l]`` are *scaled* masks D/keep_prob or None."""
        a_prev = X
        last = len(self.W) - 1
        for l, (W, b) in enumerate(zip(self.W, self.b_row)):
            z = ws.A[l]
            np.matmul(a_prev, W.swapaxes(-1, -2), out=z)
            z += b
            if l < last:
                self.acts[l].forward(z)
                mask = masks[l] if masks else None
                if mask is not None:
                    if ws.pre[l] is not None:
                        np.copyto(ws.pre[l], z)
                    z *= mask
            a_prev = z
        return ws.A[last]

    def backward(self, X: np.ndarray, ws: Workspace, masks: list | None = None) -> None:
        """From ``ws.dZ[-1]`` (already dJ/dZ[L]), write every dW and db into the gradient views."""
        L = len(self.W)
        dz = ws.dZ[L - 1]
        for l in range(L - 1, -1, -1):
            a_prev = X if l == 0 else ws.A[l - 1]
            np.matmul(dz.swapaxes(-1, -2), a_prev, out=self.dW[l])
            np.sum(dz, axis=-2, out=self.db[l])
            if l == 0:
                break
            da = ws.dZ[l - 1]
            np.matmul(dz, self.W[l], out=da)
            mask = masks[l - 1] if masks else None
            if mask is not None:
                da *= mask
            pre = ws.pre[l - 1]
            self.acts[l - 1].backward(da, pre if (mask is not None and pre is not None) else ws.A[l - 1])
            dz = da


def scaled_masks(rng, ws: Workspace, keep_probs: tuple[float, ...]) -> list:
    """Draw fresh inverted-dropout masks D/keep_prob into the workspace (None where keep_prob is 1)."""
    out = []
    for buf, kp in zip(ws.masks, keep_probs):
        if buf is None or kp >= 1.0:
            out.append(None)
            continue
        keep = rng.random(buf.shape) < kp
        np.multiply(keep, 1.0 / kp, out=buf)
        out.append(buf)
    return out


def loss_and_backprop(kernel: Kernel, output, X: np.ndarray, Y: np.ndarray, ws: Workspace,
                      masks: list | None = None) -> np.ndarray:
    """One forward and backward pass on a batch; return the *sum* of per-example losses.

    The gradient views receive dJ/dθ for J = (1/B) Σ_i L_i (no L2 term: callers add
    ``(λ/m) W`` on the whole buffer).
    """
    logits = kernel.forward(X, ws, masks)
    delta = ws.dZ[-1]
    loss_sum = output.loss(logits, Y, delta)
    delta *= 1.0 / X.shape[-2]
    kernel.backward(X, ws, masks)
    return loss_sum
