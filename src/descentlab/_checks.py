"""Argument and array validation shared by every public entry point.

Each check raises :class:`~descentlab.errors.InputError` (a ``ValueError``) or
:class:`~descentlab.errors.InputTypeError` (a ``TypeError``) with a message of
the form ``"<name>: expected <what>, received <value>"``.
"""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from .errors import InputError, InputTypeError


def _show(value: Any) -> str:
    """A short, safe rendering of a received value for an error message."""
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, np.generic):  # np.int64(2) -> 2: no NumPy reprs in messages
        value = value.item()
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def fail(name: str, value: Any, expected: str) -> InputError:
    """Build (not raise) the standard error for argument ``name``."""
    return InputError(f"{name}: expected {expected}, received {_show(value)}")


def fail_described(name: str, description: str, expected: str) -> InputError:
    """Like :func:`fail`, with the received value described in words (not quoted): "received the label 2"."""
    return InputError(f"{name}: expected {expected}, received {description}")


def fail_type(name: str, value: Any, expected: str) -> InputTypeError:
    return InputTypeError(f"{name}: expected {expected}, received {_show(value)} of type {type(value).__name__}")


def real(name: str, value: Any, *, low: float | None = None, high: float | None = None,
         low_open: bool = False, high_open: bool = False) -> float:
    """A finite real number in the given interval."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise fail_type(name, value, "a real number")
    v = float(value)
    lo_txt = "(" if low_open else "["
    hi_txt = ")" if high_open else "]"
    where = f"a finite number in {lo_txt}{'-inf' if low is None else low}, {'inf' if high is None else high}{hi_txt}"
    if not math.isfinite(v):
        raise fail(name, value, where)
    if low is not None and (v < low or (low_open and v == low)):
        raise fail(name, value, where)
    if high is not None and (v > high or (high_open and v == high)):
        raise fail(name, value, where)
    return v


def integer(name: str, value: Any, *, low: int | None = None, high: int | None = None) -> int:
    """An integer (not a bool) in [low, high]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise fail_type(name, value, "an integer")
    v = int(value)
    if (low is not None and v < low) or (high is not None and v > high):
        lo = "-inf" if low is None else low
        hi = "inf" if high is None else high
        raise fail(name, value, f"an integer in [{lo}, {hi}]")
    return v


def did_you_mean(value: Any, choices: Iterable[str]) -> str:
    """' (did you mean 'adam'?)' when a known name is close to a misspelt ``value`` (difflib), else ''."""
    if not isinstance(value, str):
        return ""
    options = {c.lower().replace("-", "_"): c for c in choices}
    near = difflib.get_close_matches(value.strip().lower().replace("-", "_"), list(options), n=1, cutoff=0.7)
    return f" (did you mean {options[near[0]]!r}?)" if near else ""


def choice(name: str, value: Any, choices: Iterable[str]) -> str:
    """One of a set of names (case-insensitive, '-' and '_' equivalent); a near miss is suggested."""
    options = sorted(choices)
    if not isinstance(value, str):
        raise fail_type(name, value, f"one of {options}")
    key = value.strip().lower().replace("-", "_")
    if key not in options:
        error = fail(name, value, f"one of {options}")
        raise InputError(f"{error}{did_you_mean(value, options)}")
    return key


def layer_dims(value: Any) -> tuple[int, ...]:
    """At least two positive integer layer sizes."""
    expected = "a sequence of at least two positive integers, e.g. [2, 10, 1]"
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray)):
        raise fail_type("layer_dims", value, expected)
    dims = list(value)
    if len(dims) < 2:
        raise fail("layer_dims", value, expected)
    for d in dims:
        if isinstance(d, bool) or not isinstance(d, numbers.Integral) or int(d) < 1:
            raise fail("layer_dims", value, expected)
    return tuple(int(d) for d in dims)


def features(name: str, X: Any, n_x: int | None = None, *, dtype: Any = None) -> np.ndarray:
    """A finite 2-D array (m, n_x) with m >= 1, as ``dtype`` (default float64; False keeps X's own)."""
    if isinstance(X, (str, bytes)) or X is None:
        raise fail_type(name, X, "a 2-D array of numbers of shape (m, n_x)")
    try:
        arr = np.asarray(X)
    except Exception as exc:  # ragged lists and the like
        raise fail(name, X, "a 2-D array of numbers of shape (m, n_x)") from exc
    if arr.dtype.kind not in "biuf":
        raise fail(name, arr, "a 2-D array of real numbers (bool, int or float)")
    if arr.ndim != 2:
        want = f"(m, {n_x})" if n_x is not None else "(m, n_x)"
        raise fail(name, arr, f"a 2-D array of shape {want}; reshape a single example with X.reshape(1, -1)")
    if arr.shape[0] == 0:
        raise fail(name, arr, "at least one example (row)")
    if n_x is not None and arr.shape[1] != n_x:
        raise fail(name, arr, f"{n_x} features (columns), as the network's input layer has")
    exact = arr.dtype.kind in "biu"  # integers are always finite
    if dtype is not False:  # dtype=False: check only, keep the caller's dtype (no copy)
        arr = arr.astype(dtype if dtype is not None else np.float64, copy=False)
    if not exact and not np.isfinite(arr).all():
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise fail(name, f"a value {arr[tuple(bad)]} at row {bad[0]}, column {bad[1]}", "only finite values (no NaN or inf)")
    return arr


def same_length(name_a: str, a: np.ndarray, name_b: str, b: np.ndarray) -> None:
    if len(a) != len(b):
        raise InputError(f"{name_b}: expected {len(a)} entries, one per row of {name_a}, received {len(b)}")


def keep_probs(value: Any, n_hidden: int) -> tuple[float, ...]:
    """``keep_prob`` as one probability per hidden layer, each in (0, 1]."""
    if isinstance(value, (Sequence, np.ndarray)) and not isinstance(value, str):
        probs = list(value)
        if len(probs) != n_hidden:
            raise fail("keep_prob", value, f"a number or a list of {n_hidden} numbers, one per hidden layer")
    else:
        probs = [value] * n_hidden
    return tuple(real("keep_prob", p, low=0.0, high=1.0, low_open=True) for p in probs)


FLOAT_DTYPES = ("float64", "float32")


def float_dtype(name: str, value: Any) -> np.dtype:
    """A floating dtype the engine computes in: float64 or float32 (a name, a NumPy type or a dtype)."""
    try:
        dt = np.dtype(value)
    except (TypeError, ValueError):
        dt = None
    if dt is None or dt.name not in FLOAT_DTYPES:
        raise fail(name, value, "'float64' or 'float32'")
    return dt
