"""The argument checks of descentlab.course: what each of the course's functions needs, and no more.

A course function checks the arguments its own arithmetic needs (a 2-D ``X`` with
one example per column, labels with one entry per example, the keys and shapes of
the dicts it reads) and nothing else: the update functions, for instance, accept
any dict of arrays whose gradients and slots have matching keys and shapes, as the
course's per-key updates do, whether or not the layers chain into a network. Every
failure is one :class:`~descentlab.errors.InputError` (or ``InputTypeError``) line
naming the argument, the value received and what was expected.

The checks return the arrays as given (``np.asarray``), never converted to another
dtype, so the course's arithmetic runs on the caller's numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import _checks as check


# --------------------------------------------------------------------------------------- arrays
def array(name: str, value: Any, expected: str) -> np.ndarray:
    """``value`` as a NumPy array of real numbers (or booleans)."""
    if isinstance(value, (str, bytes)) or value is None or isinstance(value, Mapping):
        raise check.fail_type(name, value, expected)
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise check.fail(name, value, expected) from exc
    if arr.dtype.kind not in "biuf":
        raise check.fail(name, arr, expected)
    return arr


def finite(name: str, arr: np.ndarray) -> np.ndarray:
    """``arr``, after checking that it holds no NaN or infinity."""
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise check.fail(name, f"a value {arr[bad]} at index {list(bad)}", "only finite values (no NaN or inf)")
    return arr


def inputs(name: str, X: Any, n_x: int | None = None) -> np.ndarray:
    """X in the course's layout (n_x, m), one example per column; a transposed X gets a hint."""
    want = f"({n_x if n_x is not None else 'n_x'}, m)"
    expected = f"a 2-D array of real numbers of shape {want}, one example per column (the course's layout)"
    arr = array(name, X, expected)
    if arr.ndim != 2 or arr.dtype.kind == "b":
        raise check.fail(name, arr, expected)
    if n_x is not None and arr.shape[0] != n_x:
        if arr.shape[1] == n_x:
            expected += f"; this looks like the (m, n_x) layout: pass {name}.T"
        raise check.fail(name, arr, expected)
    if arr.shape[1] == 0:
        raise check.fail(name, arr, "at least one example (column)")
    return finite(name, arr)


def data(X: Any, Y: Any) -> tuple[np.ndarray, np.ndarray]:
    """(X, Y) for a ``model``: X (n_x, m) and 0/1 labels Y (1, m); an X whose rows match Y's examples gets a hint."""
    arr = array("X", X, "a 2-D array of real numbers of shape (n_x, m), one example per column")
    y = np.shape(Y) if not isinstance(Y, (str, bytes)) and Y is not None else ()
    if arr.ndim == 2 and len(y) == 2 and y[0] == 1 and arr.shape[1] != y[1] and arr.shape[0] == y[1]:
        raise check.fail("X", arr, f"a 2-D array of shape (n_x, {y[1]}), one example per column like Y (the course's "
                                   "layout); this looks like the (m, n_x) layout: pass X.T")
    Xc = inputs("X", X)
    return Xc, labels("Y", Y, Xc.shape[1])


def labels(name: str, Y: Any, m: int, *, flat: bool = False, binary: bool = True) -> np.ndarray:
    """Labels of shape (1, m), one per example (also (m,) when ``flat``), 0/1 when ``binary``.

    Binary booleans come back as 0/1 integers (the course's ``1 - Y`` needs numbers); other labels as given.
    """
    shape = f"(1, {m})" + (f" or ({m},)" if flat else "")
    expected = f"{'0/1 labels' if binary else 'labels'} of shape {shape}, one per example (column of X)"
    arr = array(name, Y, expected)
    ok = arr.shape == (1, m) or (flat and arr.shape == (m,))
    if not ok:
        if arr.shape == (m, 1):
            expected += f"; this looks like the (m, 1) layout: pass {name}.T"
        raise check.fail(name, arr, expected)
    if binary and not np.isin(arr, (0, 1)).all():
        bad = arr[~np.isin(arr, (0, 1))].flat[0].item()
        raise check.fail(name, f"a label {bad!r}", expected)
    return arr.astype(np.int64) if (binary and arr.dtype.kind == "b") else arr


def probabilities(name: str, A: Any, m: int | None = None) -> np.ndarray:
    """Sigmoid outputs of shape (1, m), in [0, 1] (0 and 1 included: the course's cost turns them into inf)."""
    expected = f"probabilities in [0, 1] of shape (1, {m if m is not None else 'm'})"
    arr = array(name, A, expected)
    if arr.ndim != 2 or arr.shape[0] != 1 or (m is not None and arr.shape[1] != m):
        raise check.fail(name, arr, expected)
    if np.isnan(arr).any() or (arr < 0).any() or (arr > 1).any():
        raise check.fail(name, arr, expected + " (sigmoid outputs)")
    return arr


# --------------------------------------------------------------------------------------- numbers
def scalar(name: str, value: Any) -> float:
    """A finite real number (NumPy scalars and 0-d arrays included), returned as given."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    check.real(name, value)
    return value


def positive(name: str, value: Any) -> Any:
    check.real(name, value, low=0.0, low_open=True)
    return value


def nonnegative(name: str, value: Any) -> Any:
    check.real(name, value, low=0.0)
    return value


def keep_prob(value: Any) -> Any:
    check.real("keep_prob", value, low=0.0, high=1.0, low_open=True)
    return value


def beta(name: str, value: Any) -> Any:
    check.real(name, value, low=0.0, high=1.0, high_open=True)
    return value


def flag(name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise check.fail_type(name, value, "True or False")
    return bool(value)


def count(name: str, value: Any, low: int = 0) -> int:
    return check.integer(name, value, low=low)


# ------------------------------------------------------------------------------------ parameter dicts
def _layers_in(d: Mapping, w: str) -> int:
    L = 0
    while f"{w}{L + 1}" in d:
        L += 1
    return L


def parameters(params: Any, name: str = "parameters", *, chain: bool = True) -> int:
    """The number of layers L of a dict {W1, b1, ..., WL, bL}, after checking what a forward pass needs.

    Each W[l] is a 2-D array and each b[l] has one entry per row of W[l], shape (n_l, 1);
    with ``chain`` (a forward pass multiplies them in turn) the columns of W[l]
    match the rows of W[l-1].
    """
    expected = "a dict with keys W1, b1, ..., WL, bL (W[l] of shape (n_l, n_{l-1}), b[l] of shape (n_l, 1))"
    if not isinstance(params, Mapping):
        raise check.fail_type(name, params, expected)
    L = _layers_in(params, "W")
    if L == 0:
        raise check.fail(name, f"a dict with keys {sorted(map(str, params))[:8]}", expected)
    prev = None
    for l in range(1, L + 1):
        if f"b{l}" not in params:
            raise check.fail(name, f"a dict without b{l}", expected)
        key = f"{name}['W{l}']"
        W = finite(key, array(key, params[f"W{l}"], "a 2-D array of real numbers of shape (n_l, n_{l-1})"))
        if W.ndim != 2 or 0 in W.shape:
            raise check.fail(key, W, "a 2-D array of shape (n_l, n_{l-1})")
        if chain and prev is not None and W.shape[1] != prev:
            raise check.fail(key, W, f"shape ({W.shape[0]}, {prev}): its columns must match the rows of W{l - 1}")
        bkey = f"{name}['b{l}']"
        b = finite(bkey, array(bkey, params[f"b{l}"], f"an array of shape ({W.shape[0]}, 1)"))
        if b.shape != (W.shape[0], 1):
            raise check.fail(bkey, b, f"shape ({W.shape[0]}, 1), one bias per row of W{l}")
        prev = W.shape[0]
    return L


def per_key(params: Any, name: str = "parameters") -> list[str]:
    """The keys W1, b1, ..., WL, bL of a dict the course updates key by key (any shapes: no chaining)."""
    expected = "a dict with keys W1, b1, ..., WL, bL of arrays of real numbers"
    if not isinstance(params, Mapping):
        raise check.fail_type(name, params, expected)
    L = _layers_in(params, "W")
    if L == 0:
        raise check.fail(name, f"a dict with keys {sorted(map(str, params))[:8]}", expected)
    keys = []
    for l in range(1, L + 1):
        if f"b{l}" not in params:
            raise check.fail(name, f"a dict without b{l}", expected)
        for key in (f"W{l}", f"b{l}"):
            full = f"{name}['{key}']"
            finite(full, array(full, params[key], "an array of real numbers"))
            keys.append(key)
    return keys


def like(name: str, d: Any, keys: list[str], ref: Mapping, ref_name: str = "parameters") -> None:
    """``d`` has an entry ``'d' + key`` shaped like ``ref[key]`` for every key (grads, velocities, moments)."""
    expected = f"a dict with keys {', '.join('d' + k for k in keys[:4])}{', ...' if len(keys) > 4 else ''}"
    if not isinstance(d, Mapping):
        raise check.fail_type(name, d, expected)
    for key in keys:
        if "d" + key not in d:
            raise check.fail(name, f"a dict without d{key}", expected + f", one per entry of {ref_name}")
        full = f"{name}['d{key}']"
        arr = finite(full, array(full, d["d" + key], f"an array of shape {np.shape(ref[key])}"))
        if arr.shape != np.shape(ref[key]):
            raise check.fail(full, arr, f"shape {np.shape(ref[key])}, like {ref_name}['{key}']")


def cache(value: Any, X: np.ndarray, *, dropout: bool = False) -> int:
    """The number of layers L of a forward pass's cache, after checking its length and the shapes it must have.

    Without dropout: (Z1, A1, W1, b1, ..., ZL, AL, WL, bL), four entries per layer;
    with dropout the hidden layers also carry their mask: (Z1, D1, A1, W1, b1, ...).
    """
    form = "(Z1, D1, A1, W1, b1, ..., ZL, AL, WL, bL)" if dropout else "(Z1, A1, W1, b1, ..., ZL, AL, WL, bL)"
    expected = f"a tuple {form} as forward_propagation{'_with_dropout' if dropout else ''} returns it"
    if not isinstance(value, (tuple, list)):
        raise check.fail_type("cache", value, expected)
    per_hidden = 5 if dropout else 4
    n = len(value)
    if n < 4 or (n - 4) % per_hidden:
        raise check.fail("cache", f"a tuple of {n} entries", expected)
    L = (n - 4) // per_hidden + 1
    m = X.shape[1]
    rows, i = X.shape[0], 0
    for l in range(1, L + 1):
        has_mask = dropout and l < L
        Z, W, b = value[i], value[i + (3 if has_mask else 2)], value[i + (4 if has_mask else 3)]
        W = array(f"cache W{l}", W, "a 2-D array of real numbers")
        if W.ndim != 2 or W.shape[1] != rows:
            raise check.fail(f"cache W{l}", W, f"a 2-D array with {rows} columns")
        for what, arr in (("Z", Z), ("A", value[i + (2 if has_mask else 1)])) + ((("D", value[i + 1]),) if has_mask else ()):
            arr = array(f"cache {what}{l}", arr, f"an array of shape ({W.shape[0]}, {m})")
            if arr.shape != (W.shape[0], m):
                raise check.fail(f"cache {what}{l}", arr, f"an array of shape ({W.shape[0]}, {m}), one column per example")
        array(f"cache b{l}", b, f"an array of shape ({W.shape[0]}, 1)")
        rows = W.shape[0]
        i += 5 if has_mask else 4
    return L
