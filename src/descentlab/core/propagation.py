"""Forward and backward propagation over a flat parameter buffer.

Inside the engine, activations are stored feature-major, one example per
*column* (the course's layout), with a constant row of ones appended so that
biases are weights of that row. With ``Θ[l] = [W[l] | b[l]]`` (see
:mod:`.layout`) and a batch ``X`` (B, n_0) whose last column is ones:

    Z[1]ᵀ = Θ[1] Xᵀ                 (= (X W[1]ᵀ + b[1])ᵀ)
    A[l]  = g(Z[l]) · D[l]/keep_prob[l],   then a row of ones below it
    Z[l]  = Θ[l] A[l-1]              logits = Z[L], shape (n_L, B)

Backward, from dZ[L] = (A[L] − Y) / B (see :mod:`.outputs`):

    dΘ[l] = dZ[l] A[l-1]ᵀ            (= [dW[l] | db[l]] in one product)
    dA[l-1] = Θ[l]ᵀ dZ[l]            (its last row, for the constant ones, is ignored)
    dA[l-1] ·= D[l-1]/keep_prob[l-1];   dZ[l-1] = dA[l-1] · g'(Z[l-1])

Each layer costs one matrix product forward and two backward, plus the
activation. Every array is written in place into a :class:`Workspace`,
preallocated once per batch shape, so a training step allocates almost nothing.
Leading axes (K networks in lockstep, or K perturbed copies of one) broadcast
through every operation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .activations import Activation
from .layout import Layout
from .regularization import draw_mask


class Workspace:
    """Preallocated feature-major buffers for batches of B examples (leading axes ``lead``).

    ``A[l]`` is (..., n_l + 1, B) for hidden layers (last row = ones) and
    (..., n_L, B) for the logits; ``dA[l]`` matches ``A[l]``; ``act[l]`` is the
    view of ``A[l]`` without the ones row.
    """

    def __init__(self, layer_dims: tuple[int, ...], lead: tuple[int, ...], batch: int, dtype,
                 dropout: tuple[bool, ...] = (), keep_pre: tuple[bool, ...] = ()) -> None:
        sizes = layer_dims[1:]
        L = len(sizes)
        dropout = tuple(dropout) + (False,) * (L - len(dropout))
        keep_pre = tuple(keep_pre) + (False,) * (L - len(keep_pre))
        self.batch = batch
        self.inv_batch = np.array(1.0 / batch, dtype)  # 0-d: dJ/dZ[L] = (A - Y) / B
        rows = [n + 1 if l < L - 1 else n for l, n in enumerate(sizes)]
        self.A = [np.empty(lead + (r, batch), dtype) for r in rows]
        for a in self.A[:-1]:
            a[..., -1, :] = 1
        self.AT = [a.swapaxes(-1, -2) for a in self.A]  # transposed views, made once
        self.dA = [np.empty(lead + (r, batch), dtype) for r in rows]
        self.act = [a[..., :n, :] for a, n in zip(self.A, sizes)]
        self.dact = [d[..., :n, :] for d, n in zip(self.dA, sizes)]
        self.masks = [np.empty(lead + (n, batch), dtype) if on else None for n, on in zip(sizes, dropout)]
        self.pre = [np.empty(lead + (n, batch), dtype) if on else None for n, on in zip(sizes, keep_pre)]
        self.scratch = [np.empty(lead + (n, batch), dtype) for n in sizes]
        # plain matrices take np.dot (less call overhead); stacks of K networks take np.matmul
        self.mm = np.matmul if lead else np.dot


@dataclass
class Kernel:
    """The block views, gradient views and activations of one network, ready for propagation."""

    layer_dims: tuple[int, ...]
    acts: tuple[Activation, ...]
    theta: list[np.ndarray]   # Θ[l] views (..., n_l, n_{l-1}+1)
    dtheta: list[np.ndarray]  # dΘ[l] views into the gradient buffer

    def __post_init__(self) -> None:
        self.thetaT = [t.swapaxes(-1, -2) for t in self.theta]  # views, made once
        self.g = [a.forward for a in self.acts]                  # g(z) in place, per hidden layer
        self.g_grad = [a.backward for a in self.acts]            # da *= g'(z), per hidden layer

    @classmethod
    def build(cls, layout: Layout, acts: tuple[Activation, ...], theta: np.ndarray,
              grad: np.ndarray | None) -> "Kernel":
        return cls(layout.layer_dims, acts, layout.block_views(theta),
                   layout.block_views(grad) if grad is not None else [])

    def workspace(self, X: np.ndarray, dropout: tuple[bool, ...] = ()) -> Workspace:
        """Buffers for inputs X (..., B, n_0 + 1)."""
        lead = np.broadcast_shapes(X.shape[:-2], self.theta[0].shape[:-2])
        keep_pre = tuple(on and not act.sign_only for on, act in zip(dropout, self.acts))
        return Workspace(self.layer_dims, lead, X.shape[-2], X.dtype, dropout, keep_pre)

    def forward(self, X: np.ndarray, ws: Workspace, masks: list | None = None) -> np.ndarray:
        """Fill the workspace from inputs X (..., B, n_0 + 1) whose last column is ones; return logits (..., n_L, B)."""
        last = len(self.theta) - 1
        act, mm = ws.act, (ws.mm if X.ndim == 2 else np.matmul)
        mm(self.theta[0], X.swapaxes(-1, -2), out=act[0])
        for l in range(last):
            z = act[l]
            self.g[l](z)
            if masks:
                mask = masks[l]
                if mask is not None:
                    if ws.pre[l] is not None:
                        np.copyto(ws.pre[l], z)
                    z *= mask
            mm(self.theta[l + 1], ws.A[l], out=act[l + 1])
        return ws.A[last]

    def backward(self, X: np.ndarray, ws: Workspace, masks: list | None = None) -> None:
        """From ``ws.dA[-1]`` (already dJ/dZ[L]), write every dΘ[l] = [dW[l] | db[l]] into the gradient buffer."""
        dz = ws.dA[-1]
        dtheta, thetaT, dA, dact, AT = self.dtheta, self.thetaT, ws.dA, ws.dact, ws.AT
        mm = ws.mm if X.ndim == 2 else np.matmul
        for l in range(len(self.theta) - 1, 0, -1):
            mm(dz, AT[l - 1], out=dtheta[l])
            mm(thetaT[l], dz, out=dA[l - 1])
            dz = dact[l - 1]
            a = ws.act[l - 1]
            if masks and masks[l - 1] is not None:
                dz *= masks[l - 1]
                if ws.pre[l - 1] is not None:
                    a = ws.pre[l - 1]
            self.g_grad[l - 1](dz, a, ws.scratch[l - 1])
        mm(dz, X, out=dtheta[0])


def with_ones(X: np.ndarray) -> np.ndarray:
    """X (..., m, n) -> (..., m, n + 1) with a last column of ones (the bias input).

    When X is already the view ``X1[..., :-1]`` of such an array (as
    ``Network.prepare_inputs(..., bias_column=True)`` returns), X1 itself is
    returned: a large data set is never copied twice.
    """
    base = X.base
    if (isinstance(base, np.ndarray) and base.flags.c_contiguous and base.dtype == X.dtype
            and base.shape == X.shape[:-1] + (X.shape[-1] + 1,)
            and base.__array_interface__["data"][0] == X.__array_interface__["data"][0]
            and X.strides == base.strides and (base[..., -1] == 1).all()):
        return base
    out = np.empty(X.shape[:-1] + (X.shape[-1] + 1,), dtype=X.dtype)
    out[..., :-1] = X
    out[..., -1] = 1
    return out


def scaled_masks(rng, ws: Workspace, keep_probs: tuple[float, ...]) -> list:
    """Draw fresh inverted-dropout masks D/keep_prob, shape (..., n_l, B), into the workspace.

    The rule is :func:`.regularization.draw_mask`; hidden layers with keep_prob 1 get None.
    """
    return [None if (buf is None or kp >= 1.0) else draw_mask(rng, kp, buf) for buf, kp in zip(ws.masks, keep_probs)]


def loss_and_backprop(kernel: Kernel, output, X: np.ndarray, Y: np.ndarray, ws: Workspace,
                      masks: list | None = None) -> np.ndarray:
    """One forward and backward pass on a batch; return the *sum* of per-example losses.

    X: (..., B, n_0 + 1) with a ones column; Y: targets (..., n_L, B), feature-major.
    The gradient buffer receives dJ/dθ for J = (1/B) Σ_i L_i (no L2 term: callers add
    ``(λ/m) W`` on the whole buffer).
    """
    logits = kernel.forward(X, ws, masks)
    delta = ws.dA[-1]
    loss_sum = output.loss(logits, Y, delta)
    delta *= ws.inv_batch
    kernel.backward(X, ws, masks)
    return loss_sum
