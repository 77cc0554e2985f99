"""A live view of training for Jupyter: one figure, redrawn in place every N epochs.

>>> from descentlab.notebook import LiveView                                # doctest: +SKIP
>>> dl.fit(net, X, y, validation_data=(Xv, yv), callbacks=[LiveView(every=50, X=X, y=y)])  # doctest: +SKIP

The figure shows the training cost (and, with L2, its data term), the validation
cost when there is validation data, and, for a network with two inputs given
``X`` and ``y``, its decision boundary on them. It is shown once with
``IPython.display.display(..., display_id=True)`` and then *updated* through that
display id, so the cell holds one image however long the run; the notebook keeps
the last one. Outside a kernel, give ``path=`` and the image is written there
(atomically) instead, to watch in an image viewer.

This is a :class:`~descentlab.training.Callback`, so it lives above ``training``
(with the other interfaces); it draws with :mod:`descentlab.plot`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from . import _checks as check
from . import plot
from .errors import InputError, MissingExtraError
from .io.atomic import atomic_write_bytes
from .training.callbacks import Callback
from .training.progress import in_jupyter_kernel

__all__ = ["LiveView"]


class LiveView(Callback):
    """Redraw the cost curves (with the validation cost) and a 2-D decision boundary every ``every`` epochs.

    Args:
        every: epochs between two redraws (the last epoch is always drawn).
        X, y: points (m, 2) and labels (m,) to draw the decision boundary on (2-input
            classifiers only); without them only the curves are drawn.
        log: logarithmic cost axis.
        resolution: grid points along each axis of the boundary.
        path: write the image to this PNG file instead of displaying it (for scripts).
        dpi: resolution of the image.
    """

    def __init__(self, every: int = 10, X: Any = None, y: Any = None, *, log: bool = False, resolution: int = 100,
                 path: Any = None, dpi: int = 100) -> None:
        self.every = check.integer("every", every, low=1)
        if (X is None) != (y is None):
            raise check.fail("X, y", "only one of them", "both X and y (for the decision boundary), or neither")
        self.X = None if X is None else check.features("X", X, 2)
        self.y = None if y is None else np.asarray(y).reshape(-1)
        if self.X is not None:
            check.same_length("X", self.X, "y", self.y)
        self.log, self.resolution, self.dpi = bool(log), check.integer("resolution", resolution, low=2), dpi
        self.path = None if path is None else Path(path)
        self.handle: Any = None
        self.fig: Any = None
        self.draws = 0

    # --------------------------------------------------------------- the Callback hooks
    def on_train_begin(self, run: Any) -> None:
        if self.path is None and not in_jupyter_kernel():
            raise InputError("LiveView: expected to run in a Jupyter kernel (it updates one displayed image), "
                             "received no kernel; pass path='live.png' to write the image to a file instead")
        self.fig = plot.new_figure(self._figsize(run), pyplot=False)  # not pyplot's: no extra inline image
        self._show(run, final=False)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any], run: Any) -> None:
        if (epoch + 1) % self.every == 0:
            self._show(run, final=False)

    def on_train_end(self, run: Any) -> None:
        if self.fig is not None:
            self._show(run, final=True)

    # --------------------------------------------------------------------- drawing
    def _figsize(self, run: Any) -> tuple[float, float]:
        return (11.0, 4.0) if self._boundary(run) else (6.4, 4.0)

    def _boundary(self, run: Any) -> bool:
        net = run.net
        return self.X is not None and net.layer_dims[0] == 2 and net.head.is_classifier

    def draw(self, run: Any) -> Any:
        """Draw the current state of ``run`` on the view's one figure and return it."""
        fig = self.fig
        fig.clf()
        history = run.history
        axes = fig.subplots(1, 2 if self._boundary(run) else 1, squeeze=False)[0]
        keys = [k for k in ("cost", "cost_data", "val_cost") if any(v is not None for v in history[k])]
        if not any(history["cost_l2"]) and "cost_data" in keys:
            keys.remove("cost_data")  # without L2 the data term is the cost
        if len(history):
            plot.history_curves(history, ax=axes[0], keys=tuple(keys), log=self.log)
            names = {"cost": "training cost" + (" (with L2)" if "cost_data" in keys else ""),
                     "cost_data": "training cost (data term)", "val_cost": "validation cost (data term)"}
            for line, key in zip(axes[0].get_lines(), [k for k in keys if any(v is not None for v in history[k])]):
                line.set_label(names[key])
            axes[0].legend(fontsize="small")
            axes[0].set_ylabel("cost")
        last = history.last() or {}
        text = [f"epoch {len(history)}/{run.cfg.epochs}"]
        text += [f"{k.replace('_', ' ')} {last[k]:.4g}" for k in ("cost", "val_cost") if last.get(k) is not None]
        axes[0].set_title(" · ".join(text))
        if self._boundary(run):
            with np.errstate(all="ignore"):
                plot.decision_boundary(run.net, self.X, self.y, ax=axes[1], resolution=self.resolution,
                                       title="decision boundary")
        fig.tight_layout()
        return fig

    def _show(self, run: Any, final: bool) -> None:
        png = plot.to_png(self.draw(run), dpi=self.dpi)
        self.draws += 1
        meta = {"descentlab": {"epoch": len(run.history), "draw": self.draws, "final": final}}
        if self.path is not None:
            atomic_write_bytes(self.path, png)
            return
        display_module = _ipython_display()
        image = display_module.Image(data=png, format="png")
        if self.handle is None:
            self.handle = display_module.display(image, metadata=meta, display_id=True)
        else:
            self.handle.update(image, metadata=meta)


def _ipython_display() -> Any:
    try:
        import IPython.display as display_module
    except ImportError as exc:
        raise MissingExtraError("descentlab.notebook.LiveView", "IPython", "notebook", exc) from None
    return display_module
