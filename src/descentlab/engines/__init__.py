"""Engines run one network description: NumPy (the core, always there), numba (compiled, the
default when it works) and TensorFlow (optional).

An engine's runner (:class:`.base.Runner`) trains one epoch at a time on
prepared arrays and keeps the network's NumPy buffer current, so everything
after training (predict, save, plots) is the same whichever engine trained the
model. :data:`ENGINES` is the registry: a new engine is one entry here and one
module that depends on the core and on :mod:`.base` only. ``"auto"`` is the
default: :func:`resolve` turns it into ``"numba"`` when numba is installed, works
and runs the network and optimizer, else into ``"numpy"`` (saying once why, when
numba is missing or broken).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any, Callable


def _numpy() -> type:
    from .numpy_engine import NumpyRunner
    return NumpyRunner


def _numpy_many() -> type:
    from .numpy_many import ManyRunner
    return ManyRunner


def _numba() -> type:
    from .numba_engine import NumbaRunner
    return NumbaRunner


def _numba_many() -> type:
    from .numba_engine import NumbaManyRunner
    return NumbaManyRunner


def _auto() -> type:
    return runner_class(resolve("auto"))


def _tensorflow() -> type:
    from .tensorflow_engine import TensorFlowRunner
    return TensorFlowRunner


@dataclass(frozen=True)
class Engine:
    """A registered engine: its name, what it is, and how to get its runner class (imported on demand)
    and, when it has one, its lockstep runner class for K runs (``fit_many``)."""

    name: str
    description: str
    load: Callable[[], type]
    lockstep: Callable[[], type] | None = None


ENGINES: dict[str, Engine] = {
    "auto": Engine("auto", "numba when it is installed and runs the network, else numpy (the default)", _auto),
    "numpy": Engine("numpy", "the NumPy core (always available; the reference)", _numpy, _numpy_many),
    "numba": Engine("numba", "the NumPy core's steps compiled and fused with numba (pip install numba)", _numba,
                    _numba_many),
    "tensorflow": Engine("tensorflow", "TensorFlow 2 (pip install 'descentlab[tensorflow]')", _tensorflow),
}


def runner_class(name: str) -> type:
    """The runner class of the engine ``name`` (a key of :data:`ENGINES`)."""
    return ENGINES[name].load()


def lockstep_engine(name: str, net: Any = None, optimizer: Any = None) -> str:
    """The engine that trains K runs of ``net`` in lockstep when ``name`` is asked for: the engine itself
    when it has a lockstep runner (numba: for networks small enough for its whole-chunk kernel), else numpy."""
    name = resolve(name, net, optimizer)
    if name == "numba" and net is not None:
        from .numba_engine import small
        return "numba" if small(net) else "numpy"
    return name if ENGINES[name].lockstep is not None else "numpy"


def lockstep_class(name: str) -> type:
    """The lockstep runner class of engine ``name`` (see :func:`lockstep_engine`)."""
    return ENGINES[name].lockstep()


_NUMBA: dict[str, Any] = {}  # "error": why numba cannot be used (None: it works), checked once per process


def numba_error() -> str | None:
    """None when numba is installed and compiles (or loads from its cache) the kernels, else why not.

    The first call imports numba and runs one small kernel; when that fails descentlab says so once
    (on stderr) and trains with NumPy.
    """
    if "error" not in _NUMBA:
        _NUMBA["error"] = _probe_numba()
        if _NUMBA["error"] is not None:
            print(f"descentlab: {_NUMBA['error']}; training with the NumPy engine (engine='numpy')", file=sys.stderr)
    return _NUMBA["error"]


def _probe_numba() -> str | None:
    try:
        from . import numba_kernels as nk
        if nk.numba is None:
            return "numba is not installed (pip install numba), so the compiled engine is off"
        import numpy as np
        nk.squared_norm(np.ones((3, 2)), 0.0)
    except Exception as exc:  # an incompatible numba or llvmlite, a failed compilation
        return f"numba does not work here ({type(exc).__name__}: {exc})"
    return None


def resolve(name: str, net: Any = None, optimizer: Any = None) -> str:
    """The engine that runs: ``name`` itself, or for "auto" "numba" when numba works and runs ``net``
    (its activations and output) and ``optimizer`` (its update is its rule), else "numpy"."""
    if name != "auto":
        return name
    if numba_error() is not None:
        return "numpy"
    from .numba_engine import runs
    return "numba" if runs(net, optimizer) else "numpy"
