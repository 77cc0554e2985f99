"""What every training run prepares once: its data, its random streams, and its summary at the end.

``fit`` and ``fit_many`` both start here. Everything random in a run comes from
its ``seed``: ``SeedSequence(seed)`` is split into independent streams for the
shuffle, the dropout masks and the validation split (the weights were drawn
when the network was built, from its own seed), so changing ``keep_prob`` never
changes the batch order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _checks as check
from ..core import labels


@dataclass
class PreparedData:
    """Training and validation arrays, checked, cast and preprocessed once."""

    X: np.ndarray
    Y: np.ndarray
    labels: np.ndarray | None
    Xv: np.ndarray | None = None
    Yv: np.ndarray | None = None
    labels_v: np.ndarray | None = None

    @classmethod
    def prepare(cls, net: Any, X: Any, y: Any, validation_data: Any, validation_split: float,
                rng: np.random.Generator) -> "PreparedData":
        name_classes(net, y)
        Xp = net.prepare_inputs(X, "X", bias_column=True)  # a view of the engine's (m, n_0 + 1) array
        Y = net.encode_targets(y, len(Xp), "y")
        Xv = Yv = None
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise check.fail("validation_data", validation_data, "a pair (X_val, y_val)")
            Xv = net.prepare_inputs(validation_data[0], "validation_data[0]")
            Yv = net.encode_targets(validation_data[1], len(Xv), "validation_data[1]")
        elif validation_split:
            Xp, Y, Xv, Yv = _split(Xp, Y, validation_split, rng)
        labels = lambda A: A.argmax(axis=1) if (A is not None and net.output == "softmax") else None  # noqa: E731
        return cls(Xp, Y, labels(Y), Xv, Yv, labels(Yv))


def name_classes(net: Any, y: Any) -> None:
    """Text labels (``"cat"``, ``"dog"``) for a network without class names: its classes become the sorted
    distinct labels (``net.class_names``, saved with the model), as scikit-learn's ``classes_``; the
    network's targets then map them to 0..C-1 (:mod:`descentlab.core.labels`)."""
    if net.class_names is None and net.head.is_classifier and labels.is_text(y):
        names = labels.classes_of(y)
        want = 2 if net.output == "sigmoid" else net.layer_dims[-1]
        if len(names) != want:
            raise check.fail_described("y", f"{len(names)} distinct labels {names[:10]}",
                                       f"{want} classes, as many as the network's {net.output} output has "
                                       "(or set net.class_names to the classes, in output order)")
        net.class_names = names


def _split(Xp: np.ndarray, Y: np.ndarray, fraction: float, rng: np.random.Generator) -> tuple:
    """Hold out ceil(fraction · m) examples, drawn with the split stream, for validation."""
    n_val = int(math.ceil(fraction * len(Xp)))
    if not 0 < n_val < len(Xp):
        raise check.fail("validation_split", fraction, f"a fraction leaving examples on both sides of {len(Xp)}")
    order = rng.permutation(len(Xp))
    Xv, Yv = Xp[order[:n_val]], Y[order[:n_val]]
    return Xp.base[order[n_val:]][:, :-1], np.ascontiguousarray(Y[order[n_val:]]), Xv, Yv


def streams(seed: int) -> tuple[np.random.Generator, np.random.Generator, np.random.Generator]:
    """The run's independent (shuffle, dropout, split) streams, from its seed."""
    shuffle, dropout, split = np.random.SeedSequence(seed).spawn(3)
    return tuple(np.random.Generator(np.random.PCG64(s)) for s in (shuffle, dropout, split))


def summary(history: Any, cfg: Any) -> dict[str, Any]:
    """What ``net.info["training"]`` records of a finished run."""
    last = history.last() or {}
    return {"epochs": len(history), "optimizer": cfg.optimizer.config(), "batch_size": cfg.batch_size,
            "l2": cfg.l2, "keep_prob": list(cfg.keep_prob), "seed": cfg.seed, "engine": cfg.engine,
            "final_cost": last.get("cost"), "final_accuracy": last.get("accuracy"),
            "final_val_accuracy": last.get("val_accuracy"), "stop_reason": history.stop_reason}
