"""Class labels given as text (``"setosa"``, ``"cat"``): their mapping to the class numbers 0..C-1.

scikit-learn's convention (``classes_``): the classes are the sorted distinct labels, and
class k is ``classes[k]``. A :class:`~descentlab.core.network.Network` keeps them in
``net.class_names`` (saved in the model file), so text labels given to ``fit``,
``cost`` or ``accuracy`` are mapped through them, and ``net.class_names[k]`` names a
prediction ``k``.

>>> import numpy as np
>>> classes_of(np.array(["dog", "cat", "dog"]))
['cat', 'dog']
>>> codes(np.array(["dog", "cat", "dog"]), ["cat", "dog"]).tolist()
[1, 0, 1]
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .._checks import fail, fail_described


def is_text(y: Any) -> bool:
    """True when ``y`` is an array-like of strings (NumPy str/bytes, or objects that are all str)."""
    if isinstance(y, (str, bytes)) or y is None:
        return False
    try:
        arr = np.asarray(y)
    except Exception:  # ragged and the like: the encoders say what is wrong
        return False
    if arr.dtype.kind in "US":
        return arr.size > 0
    return arr.dtype.kind == "O" and arr.size > 0 and all(isinstance(v, str) for v in arr.reshape(-1))


def classes_of(y: Any) -> list[str]:
    """The sorted distinct text labels of ``y``."""
    return [str(c) for c in np.unique(np.asarray(y).astype(str))]


def codes(y: Any, class_names: Sequence[str], name: str = "y") -> np.ndarray:
    """Text labels (m,) as class numbers (m,) int64 through ``class_names``; an unknown label is an error."""
    arr = np.asarray(y).astype(str)
    if arr.ndim == 2 and 1 in arr.shape:
        arr = arr.reshape(-1)
    if arr.ndim != 1:
        raise fail(name, np.asarray(y), "text labels of shape (m,)")
    names = [str(c) for c in class_names]
    index = {c: k for k, c in enumerate(names)}
    unknown = [v for v in dict.fromkeys(arr.tolist()) if v not in index]
    if unknown:
        shown = ", ".join(repr(v) for v in unknown[:5]) + (", ..." if len(unknown) > 5 else "")
        raise fail_described(name, f"{'the label' if len(unknown) == 1 else 'the labels'} {shown}",
                             f"labels among the model's classes {names}")
    return np.fromiter((index[v] for v in arr.tolist()), dtype=np.int64, count=len(arr))
