"""Output layers and their losses, computed from the logits ``Z = A[L-1] @ W[L].T + b[L]``.

Every loss is evaluated from the logits with a stable formula, so it is finite and
correct for any |z| (the course computes ``log(sigmoid(z))``, which is ``-inf`` once
``sigmoid(z)`` rounds to 0). For one example ``i`` with logits ``z`` and target ``y``:

======== ======================== ================================================ ===============
output   activation               loss L_i (from logits)                           dL_i/dz
======== ======================== ================================================ ===============
sigmoid  a = 1 / (1 + e^-z)       max(z, 0) - y z + log(1 + e^-|z|)   (= BCE)      a - y
softmax  a_k = e^z_k / sum e^z_j  logsumexp(z) - z_y                  (= CE)       a - onehot(y)
linear   a = z                    1/2 sum_k (z_k - y_k)^2             (= MSE / 2)  a - y
======== ======================== ================================================ ===============

The cost is J = (1/m) sum_i L_i. Because each pair (activation, loss) is canonical,
``dJ/dZ = (A - Y) / m`` for all three, which is what the backward pass starts from.

The loss functions take logits and targets feature-major, ``(..., n_L, B)``, as
the engine stores them; ``activate``/``predict`` take the user's example-major
``(m, n_L)`` logits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from .._checks import fail, fail_described, fail_type
from .activations import ZERO

_SUM = (-2, -1)  # the example and unit axes; leading axes (runs) survive


def _bce(z: np.ndarray, y: np.ndarray, delta: np.ndarray | None) -> np.ndarray:
    # L = log(1 + e^z) - y z (softplus via logaddexp: exact and finite for any z);
    # dL/dz = σ(z) - y, with σ(z) = exp(z - softplus(z)) = exp(-softplus(-z)) in (0, 1].
    zero = ZERO.get(z.dtype, 0)
    sp = np.logaddexp(zero, z) if delta is None else np.logaddexp(zero, z, out=delta)
    if z.ndim == 2:
        loss = np.add.reduce(sp, axis=None) - np.vdot(y, z)
    else:
        loss = np.add.reduce(sp.reshape(sp.shape[:-2] + (-1,)), axis=-1) - _row_dots(y, z)
    if delta is not None:
        np.subtract(z, delta, out=delta)
        np.exp(delta, out=delta)
        delta -= y
    return loss


def _row_dots(y: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Σ over the last two axes of y·z, for z (..., n, B) and y (n, B) or (..., n, B)."""
    zf = z.reshape(z.shape[:-2] + (-1,))
    if y.ndim == 2:
        return zf @ y.reshape(-1)
    return np.einsum("...j,...j->...", zf, y.reshape(y.shape[:-2] + (-1,)))


def _softmax_ce(z: np.ndarray, y: np.ndarray, delta: np.ndarray | None) -> np.ndarray:
    s = z - z.max(axis=-2, keepdims=True)  # units on axis -2, examples on axis -1
    e = np.exp(s)
    total = e.sum(axis=-2, keepdims=True)
    loss = np.log(total).sum(axis=_SUM) - (s * y).sum(axis=_SUM)
    if delta is not None:
        np.divide(e, total, out=delta)
        delta -= y
    return loss


def _half_squared(z: np.ndarray, y: np.ndarray, delta: np.ndarray | None) -> np.ndarray:
    diff = z - y
    loss = 0.5 * (diff * diff).sum(axis=_SUM)
    if delta is not None:
        np.copyto(delta, diff)
    return loss


def sigmoid(z: Any) -> np.ndarray:
    """σ(z) = exp(−log(1 + e^−z)): relative precision in both tails (σ(−40) ≈ 4.2e-18, not 0), no overflow."""
    return np.exp(log_sigmoid(z))


def log_sigmoid(z: Any) -> np.ndarray:
    """log σ(z) = −log(1 + e^−z), finite for any z (log σ(z) for −z is log(1 − σ(z)))."""
    return -np.logaddexp(0, -np.asarray(z))


def softmax(z: Any, axis: int = -1) -> np.ndarray:
    """e^z_k / Σ_j e^z_j along ``axis``, shifted by the maximum so no exponential overflows."""
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(z: Any, axis: int = -1) -> np.ndarray:
    """log softmax(z) = (z − max z) − log Σ_j e^(z_j − max z), finite for any z."""
    s = z - np.max(z, axis=axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=axis, keepdims=True))


def correct_count(logits: np.ndarray, Y: np.ndarray, labels: np.ndarray | None, zero: Any = 0) -> Any:
    """How many examples of a batch are classified right, from feature-major logits (..., n_L, B).

    With ``labels`` (softmax: the class index of each example, (..., B)) an example
    is right when the largest logit is its label's; otherwise (sigmoid outputs,
    targets ``Y`` (..., n_L, B) holding exact 0.0/1.0) each unit is right when
    ``z > 0`` equals its target, and a batch counts the fraction of right units per
    example. Leading axes (K runs) give one count per run.
    """
    if logits.ndim == 2:
        if labels is not None:
            return np.count_nonzero(logits.argmax(axis=0) == labels)
        return np.count_nonzero(np.greater(logits, zero) == Y) / Y.shape[0]
    if labels is not None:
        return np.count_nonzero(logits.argmax(axis=-2) == labels, axis=-1)
    return np.count_nonzero(np.greater(logits, zero) == Y, axis=(-2, -1)) / Y.shape[-2]


@dataclass(frozen=True)
class Output:
    """An output layer: how to turn logits into outputs, a loss, predictions and targets.

    ``loss(z, y, delta)`` (feature-major z, y of shape (..., n_L, B)) returns the
    *sum* of the per-example losses over the last two axes and, when ``delta``
    is given, writes ``A - Y`` into it.
    """

    name: str
    loss_name: str
    loss: Callable[[np.ndarray, np.ndarray, np.ndarray | None], np.ndarray]
    activate: Callable[[np.ndarray], np.ndarray]
    is_classifier: bool

    def predict(self, z: np.ndarray) -> np.ndarray:
        """Class labels (sigmoid, softmax) or values (linear) from logits (m, n_L)."""
        if self.name == "softmax":
            return z.argmax(axis=-1)
        if self.name == "sigmoid":
            labels = (z > 0).astype(np.int64)
            return labels[..., 0] if labels.shape[-1] == 1 else labels
        return z[..., 0] if z.shape[-1] == 1 else z

    def encode(self, y: Any, n_out: int, dtype: Any = np.float64, name: str = "y") -> np.ndarray:
        """Targets ``y`` as a float matrix ``Y`` of shape (m, n_out), after checking them."""
        return _ENCODERS[self.name](y, n_out, dtype, name)


def _as_array(y: Any, name: str) -> np.ndarray:
    if isinstance(y, (str, bytes)) or y is None:
        raise fail_type(name, y, "an array of targets of shape (m,)")
    try:
        return np.asarray(y)
    except Exception as exc:
        raise fail(name, y, "an array of targets of shape (m,)") from exc


def _encode_binary(y: Any, n_out: int, dtype: Any, name: str) -> np.ndarray:
    arr = _as_array(y, name)
    want = "labels 0 or 1 of shape (m,)" if n_out == 1 else f"0/1 labels of shape (m, {n_out})"
    if arr.dtype.kind not in "biuf":
        raise fail(name, arr, want + " (numbers, not strings: map classes to 0/1 first, or use descentlab.sklearn.DescentClassifier)")
    if n_out == 1 and arr.ndim == 2 and arr.shape[0] == 1 and arr.shape[1] > 1:
        raise fail(name, arr, want + "; this looks like the course's (1, m) layout: pass y.ravel()")
    if n_out == 1 and arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if (n_out == 1 and arr.ndim != 1) or (n_out > 1 and arr.shape[1:] != (n_out,)):
        raise fail(name, arr, want)
    if arr.size and not np.isin(arr, (0, 1)).all():
        bad = arr[~np.isin(arr, (0, 1))].flat[0]
        raise fail_described(name, f"the label {bad.item()!r}", want)
    return arr.reshape(len(arr), n_out).astype(dtype)


def _encode_classes(y: Any, n_out: int, dtype: Any, name: str) -> np.ndarray:
    arr = _as_array(y, name)
    want = f"integer class labels in 0..{n_out - 1} of shape (m,)"
    if arr.ndim == 2 and arr.shape == (len(arr), n_out) and arr.dtype.kind in "biuf":
        if np.isfinite(arr).all() and (arr >= 0).all() and np.allclose(arr.sum(axis=1), 1):
            return arr.astype(dtype)  # already one-hot (or soft) targets
        raise fail(name, arr, f"one-hot rows of length {n_out} that sum to 1, or {want}")
    if arr.ndim == 2 and 1 in arr.shape:
        arr = arr.ravel()
    if arr.ndim != 1 or arr.dtype.kind not in "biuf":
        raise fail(name, arr, want)
    if arr.dtype.kind == "f" and (not np.isfinite(arr).all() or (arr != np.round(arr)).any()):
        raise fail(name, arr, want)
    labels = arr.astype(np.int64)
    if labels.size and (labels.min() < 0 or labels.max() >= n_out):
        bad = labels[(labels < 0) | (labels >= n_out)][0]
        raise fail_described(name, f"the label {int(bad)}", want)
    onehot = np.zeros((len(labels), n_out), dtype=dtype)
    onehot[np.arange(len(labels)), labels] = 1
    return onehot


def _encode_real(y: Any, n_out: int, dtype: Any, name: str) -> np.ndarray:
    arr = _as_array(y, name)
    want = "real targets of shape (m,)" if n_out == 1 else f"real targets of shape (m, {n_out})"
    if arr.dtype.kind not in "biuf":
        raise fail(name, arr, want)
    if n_out == 1 and arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if (n_out == 1 and arr.ndim != 1) or (n_out > 1 and arr.shape[1:] != (n_out,)):
        raise fail(name, arr, want)
    out = arr.reshape(len(arr), n_out).astype(dtype)
    if not np.isfinite(out).all():
        raise fail(name, "a NaN or infinite target", "only finite targets")
    return out


_ENCODERS = {"sigmoid": _encode_binary, "softmax": _encode_classes, "linear": _encode_real}

OUTPUTS: dict[str, Output] = {
    "sigmoid": Output("sigmoid", "binary cross-entropy", _bce, sigmoid, True),
    "softmax": Output("softmax", "categorical cross-entropy", _softmax_ce, softmax, True),
    "linear": Output("linear", "half mean squared error", _half_squared, lambda z: np.array(z), False),
}
