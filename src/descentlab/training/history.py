"""History: what happened in each epoch of a run, as a plain dict of lists (like Keras's).

Keys, one entry per epoch:

- ``epoch``: 0-based epoch index;
- ``cost``, ``cost_data``, ``cost_l2``: the epoch's cost and its two terms. Each
  step adds its batch's summed loss and B·λ/(2m)·Σ||W||²; the epoch total is
  divided by m. (The course's ``cost_avg``.)
- ``accuracy``: the fraction of training examples classified right *as they
  were trained* during the epoch (Keras's running metric; dropout on);
- ``val_cost``, ``val_accuracy``: on ``validation_data`` after the epoch
  (None when not evaluated);
- ``lr``: the learning rate used in the epoch;
- ``time``: the epoch's wall time in seconds.
"""

from __future__ import annotations

import math
import sys
from typing import Any

def _plain(value: Any) -> Any:
    """A NumPy scalar as the Python number it holds (np.float64 -> float), other values unchanged."""
    return value.item() if hasattr(value, "item") and getattr(value, "shape", None) == () else value


KEYS = ("epoch", "cost", "cost_data", "cost_l2", "accuracy", "val_cost", "val_accuracy", "lr", "time")


class History:
    """Per-epoch records of a run, plus how it ended."""

    def __init__(self, config: dict[str, Any] | None = None, seed: int | None = None) -> None:
        self.history: dict[str, list] = {k: [] for k in KEYS}
        self.config = dict(config or {})
        self.seed = seed
        self.stop_reason: str | None = None
        self.best_epoch: int | None = None
        self.interrupted = False

    def append(self, logs: dict[str, Any]) -> None:
        for k in KEYS:
            self.history[k].append(_plain(logs.get(k)))

    def __getitem__(self, key: str) -> list:
        return self.history[key]

    def __len__(self) -> int:
        return len(self.history["epoch"])

    def __repr__(self) -> str:
        last = self.last()
        cost = f", final cost {last['cost']:.6g}" if last and last.get("cost") is not None else ""
        return f"History({len(self)} epochs{cost}{', stopped: ' + self.stop_reason if self.stop_reason else ''})"

    def last(self) -> dict[str, Any] | None:
        """The last epoch's record, as plain Python numbers (int, float or None), or None before any epoch."""
        return {k: _plain(v[-1]) for k, v in self.history.items()} if len(self) else None

    @property
    def epochs(self) -> int:
        return len(self)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the lists plus how the run ended."""
        clean = {k: [None if isinstance(x, float) and not math.isfinite(x) else x for x in v] for k, v in self.history.items()}
        return {"history": clean, "config": self.config, "seed": self.seed, "stop_reason": self.stop_reason,
                "best_epoch": self.best_epoch, "interrupted": self.interrupted}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "History":
        h = cls(data.get("config"), data.get("seed"))
        for k in KEYS:
            h.history[k] = list(data.get("history", {}).get(k, []))
        h.stop_reason, h.best_epoch = data.get("stop_reason"), data.get("best_epoch")
        h.interrupted = bool(data.get("interrupted", False))
        return h

    def plot(self, ax: Any = None, keys: tuple[str, ...] = ("cost", "val_cost"), log: bool = False):
        """Plot cost curves (or any keys) against the epoch and return the matplotlib Figure.

        Without ``ax`` the curves go on a new pyplot figure (pyplot's current figure, with
        your backend), so ``plt.savefig(...)`` or ``plt.show()`` afterwards sees them, as
        after pandas' ``.plot()``; with ``ax`` they go on that Axes and its figure is returned.
        """
        from ..plot import history_curves, new_figure
        if ax is None:
            ax = new_figure(pyplot=True).add_subplot()
        fig = history_curves(self, ax=ax, keys=keys, log=log).figure
        fig._ipython_display_ = _shown_once(fig)  # Jupyter: `h.plot()` as a cell's last line shows one image
        return fig


def _shown_once(fig: Any):
    """IPython's display of a figure that pyplot's inline backend will show at the end of the cell.

    Returning the figure from ``h.plot()`` as a cell's last line would show it twice (IPython's
    result, then the backend's end-of-cell flush): the result shows nothing while pyplot still
    holds the figure, and the flush (or a later ``display(fig)``) shows it once.
    """
    def _ipython_display_() -> None:
        import matplotlib.pyplot as plt
        if plt.fignum_exists(fig.number) and not _called_by_inline_backend():
            return
        from IPython.display import Image, display

        from ..plot import to_png
        display(Image(data=to_png(fig)))
    return _ipython_display_


def _called_by_inline_backend() -> bool:
    frame = sys._getframe(2)
    while frame is not None:
        if "matplotlib_inline" in frame.f_code.co_filename:
            return True
        frame = frame.f_back
    return False
