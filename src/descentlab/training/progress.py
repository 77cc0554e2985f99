"""Progress while training: what ``fit(..., verbose=1)`` shows, wherever it runs.

Like Keras's ``verbose=1``, progress is shown everywhere, in the form the output can display:

- a Jupyter kernel with ipywidgets: tqdm's widget bar;
- a Jupyter kernel without ipywidgets, or a terminal: a text bar on stderr, redrawn in
  place (``\\r``); no ``TqdmWarning`` (``tqdm.auto`` warns and then, since a kernel's
  stderr is not a terminal, draws nothing);
- anything else (a pipe, a log file, CI): one line per ``interval`` seconds on stderr,
  plus the first and the last epoch, so a log shows progress without a line per epoch.

:func:`display_kind` says which; :class:`LineBar` is the plain-line form, which
the experiment runner's progress uses too.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from typing import Any, TextIO

#: Seconds between two progress lines when the output is not a terminal.
LINE_INTERVAL = 10.0


def in_jupyter_kernel() -> bool:
    """True inside a Jupyter (ipykernel) kernel, where stderr is shown in the notebook but is not a TTY."""
    if "ipykernel" not in sys.modules or "IPython" not in sys.modules:
        return False
    get_ipython = getattr(sys.modules["IPython"], "get_ipython", None)
    shell = get_ipython() if get_ipython is not None else None
    return shell is not None and getattr(shell, "kernel", None) is not None


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def display_kind(stream: TextIO | None = None) -> str:
    """How progress can be shown on ``stream`` (default stderr): "widget", "text" or "lines"."""
    stream = sys.stderr if stream is None else stream
    if in_jupyter_kernel():
        return "widget" if importlib.util.find_spec("ipywidgets") is not None else "text"
    return "text" if _is_terminal(stream) else "lines"


def duration(seconds: float) -> str:
    """A short human duration: '0.4 s', '42 s', '3 min 05 s', '1 h 02 min'."""
    if seconds != seconds or seconds < 0:  # NaN or negative: unknown
        return "?"
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, secs = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class LineBar:
    """Progress as plain lines: the first update, one every ``interval`` seconds, and the last.

    ``describe(done, total, elapsed)`` is printed after the description; the default
    says "epoch 40/100 (40%), 1.2 s, about 1.8 s left".
    """

    def __init__(self, total: int, desc: str = "", *, initial: int = 0, unit: str = "epoch",
                 stream: TextIO | None = None, interval: float | None = None) -> None:
        self.total, self.n, self.desc, self.unit = int(total), int(initial), desc, unit
        self.stream = stream
        self.interval = LINE_INTERVAL if interval is None else interval
        self.postfix = ""
        self._start = self._last = time.monotonic()
        self._first = True
        self._initial = int(initial)

    def set_postfix_str(self, text: str, refresh: bool = False) -> None:
        self.postfix = text

    def update(self, k: int = 1) -> None:
        self.n += k
        now = time.monotonic()
        if self._first or self.n >= self.total or now - self._last >= self.interval:
            self._first = False
            self._last = now
            self.write_line()

    def line(self) -> str:
        elapsed = time.monotonic() - self._start
        done = self.n - self._initial
        left = elapsed / done * (self.total - self.n) if done > 0 else float("nan")
        pct = 100.0 * self.n / self.total if self.total else 100.0
        text = f"{self.unit} {self.n}/{self.total} ({pct:.0f}%), {duration(elapsed)}"
        if self.n < self.total:
            text += f", about {duration(left)} left"
        head = f"{self.desc}: " if self.desc else ""
        tail = f" · {self.postfix}" if self.postfix else ""
        return head + text + tail

    def write_line(self) -> None:
        stream = sys.stderr if self.stream is None else self.stream
        print(self.line(), file=stream, flush=True)

    def close(self) -> None:
        pass


def text_bar(total: int, desc: str = "", *, initial: int = 0, unit: str = "epoch", position: int | None = None,
             leave: bool = True, stream: TextIO | None = None) -> Any:
    """A tqdm text bar on stderr, always drawn (also where stderr is not a TTY, e.g. a Jupyter kernel)."""
    from tqdm.std import tqdm
    return tqdm(total=total, initial=initial, desc=desc or None, unit=unit, file=stream or sys.stderr,
                disable=False, leave=leave, position=position, dynamic_ncols=_is_terminal(stream or sys.stderr),
                ncols=None if _is_terminal(stream or sys.stderr) else 100, mininterval=0.2)


def widget_bar(total: int, desc: str = "", *, initial: int = 0, unit: str = "epoch") -> Any:
    """tqdm's Jupyter widget bar (needs ipywidgets)."""
    from tqdm.notebook import tqdm
    return tqdm(total=total, initial=initial, desc=desc or None, unit=unit, leave=True)


def make_bar(kind: str, total: int, desc: str = "", **kw: Any) -> Any:
    """A bar of ``kind`` ("widget", "text" or "lines"; see :func:`display_kind`)."""
    if kind == "widget":
        try:
            return widget_bar(total, desc, initial=kw.get("initial", 0), unit=kw.get("unit", "epoch"))
        except ImportError:  # ipywidgets too old or broken: the text bar still works
            kind = "text"
    if kind == "text":
        return text_bar(total, desc, **kw)
    kw.pop("position", None)
    kw.pop("leave", None)
    return LineBar(total, desc, **kw)


class EpochProgress:
    """``fit``'s progress over epochs (see the module docstring); ``verbose=0`` shows nothing."""

    def __init__(self, verbose: int, total: int, initial: int, kind: str | None = None) -> None:
        self.bar = make_bar(kind or display_kind(), total, initial=initial) if verbose else None
        self._last = 0.0

    def update(self, logs: dict[str, Any]) -> None:
        if self.bar is None:
            return
        now = time.monotonic()
        if now - self._last > 0.5 or isinstance(self.bar, LineBar):
            self._last = now
            post = f"cost {logs['cost']:.4g}"
            if logs.get("val_cost") is not None:
                post += f", val_cost {logs['val_cost']:.4g}"
            self.bar.set_postfix_str(post, refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
