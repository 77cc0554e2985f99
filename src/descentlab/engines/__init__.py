"""Engines run one network description: NumPy (the core, always there) and TensorFlow (optional).

An engine's runner (:class:`.base.Runner`) trains one epoch at a time on
prepared arrays and keeps the network's NumPy buffer current, so everything
after training (predict, save, plots) is the same whichever engine trained the
model. :data:`ENGINES` is the registry: a new engine is one entry here and one
module that depends on the core and on :mod:`.base` only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


def _numpy() -> type:
    from .numpy_engine import NumpyRunner
    return NumpyRunner


def _tensorflow() -> type:
    from .tensorflow_engine import TensorFlowRunner
    return TensorFlowRunner


@dataclass(frozen=True)
class Engine:
    """A registered engine: its name, what it is, and how to get its runner class (imported on demand)."""

    name: str
    description: str
    load: Callable[[], type]


ENGINES: dict[str, Engine] = {
    "numpy": Engine("numpy", "the NumPy core (always available)", _numpy),
    "tensorflow": Engine("tensorflow", "TensorFlow 2 (pip install 'descentlab[tensorflow]')", _tensorflow),
}


def runner_class(name: str) -> type:
    """The runner class of the engine ``name`` (a key of :data:`ENGINES`)."""
    return ENGINES[name].load()
