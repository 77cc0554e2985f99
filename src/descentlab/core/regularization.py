"""L2 regularization and inverted dropout: their formulas, written once.

Every engine and facade takes these rules from here (an engine written in another
framework translates them into its own operations, and a parity test pins the
translation).

L2 (weights only, never biases), for a training set of m examples:

    J_L2 = λ/(2m) Σ_l ||W[l]||²          dJ_L2/dW[l] = (λ/m) W[l]

Since the gradient term is ``(λ/m) W``, the penalty is also ``½ Σ θ · (λ/m) W``:
a training step that has just formed ``(λ/m) W`` for the gradient gets the
penalty from it with one dot product (:func:`add_l2_gradient`).

Inverted dropout on a hidden layer with keep probability p:

    D = (u < p), u ~ U[0, 1) drawn from the run's dropout stream
    A ← A · D / p                        (the same D / p scales dA backward)

so the expected activation is unchanged and nothing is rescaled at test time.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .. import _checks as check


# ------------------------------------------------------------------------------------------- L2
def l2_gradient_scale(lambd: Any, m: int) -> Any:
    """λ/m, the factor of W in dJ/dW (a number, or one per run for K runs in lockstep)."""
    return lambd / m


def l2_penalty_scale(lambd: Any, m: int) -> Any:
    """λ/(2m), the factor of Σ ||W||² in J."""
    return lambd / (2 * m)


def squared_weights(theta: np.ndarray, weight_mask: np.ndarray) -> Any:
    """Σ_l ||W[l]||² of a flat buffer (P,) (a float), or of each row of a (K, P) buffer (an array (K,))."""
    return (theta * theta) @ weight_mask


def l2_penalty(theta: np.ndarray, weight_mask: np.ndarray, lambd: Any, m: int) -> Any:
    """J_L2 = λ/(2m) Σ_l ||W[l]||² (per row of a (K, P) buffer)."""
    return l2_penalty_scale(lambd, m) * squared_weights(theta, weight_mask)


def l2_gradient_factor(lambd: Any, m: int, weight_mask: np.ndarray) -> np.ndarray:
    """(λ/m) on every weight of the buffer and 0 on every bias: dJ_L2/dθ = factor · θ."""
    return l2_gradient_scale(lambd, m) * weight_mask


def add_l2_gradient(theta: np.ndarray, grad: np.ndarray, factor: np.ndarray, tmp: np.ndarray) -> Any:
    """grad += factor · θ, in place (``tmp`` is scratch); return the penalty ½ (factor · θ) · θ.

    For a (K, P) buffer the penalty is one number per run.
    """
    np.multiply(theta, factor, out=tmp)  # (λ/m) W
    grad += tmp
    if theta.ndim == 1:
        return 0.5 * float(np.dot(tmp, theta))
    return 0.5 * np.einsum("kp,kp->k", tmp, theta)


# -------------------------------------------------------------------------------------- dropout
def keep_mask(rng: Any, shape: tuple[int, ...], keep_prob: float) -> np.ndarray:
    """D = (u < keep_prob), u ~ U[0, 1) of ``shape`` from ``rng``: True where a unit is kept."""
    return rng.random(shape) < keep_prob


def scale_mask(keep: np.ndarray, keep_prob: float, out: np.ndarray | None = None) -> np.ndarray:
    """D / keep_prob as numbers (1/keep_prob where kept, 0 where dropped), into ``out`` if given."""
    return np.multiply(keep, 1.0 / keep_prob, out=out)


def draw_mask(rng: Any, keep_prob: float, out: np.ndarray) -> np.ndarray:
    """A fresh scaled mask D / keep_prob of ``out``'s shape, written into ``out``."""
    return scale_mask(keep_mask(rng, out.shape, keep_prob), keep_prob, out)


def check_masks(masks: Any, keep_probs: Sequence[float], sizes: Sequence[int], m: int) -> list[np.ndarray | None]:
    """User-given dropout masks, one 0/1 array (m, n_l) per hidden layer (None: no dropout there), as booleans.

    Args:
        masks: the masks, in layer order.
        keep_probs: the keep probability of each hidden layer.
        sizes: the hidden layers' sizes n_l.
        m: the number of examples.
    """
    if len(masks) != len(sizes):
        raise check.fail("masks", f"{len(masks)} masks", f"one 0/1 mask per hidden layer ({len(sizes)})")
    out: list[np.ndarray | None] = []
    for l, (mask, n) in enumerate(zip(masks, sizes)):
        if mask is None:
            out.append(None)
            continue
        mask = np.asarray(mask)
        if mask.shape != (m, n):
            raise check.fail(f"masks[{l}]", mask, f"shape {(m, n)} (examples, units)")
        out.append(mask != 0)
    return out
