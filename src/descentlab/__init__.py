"""descentlab: train fully connected networks and see why gradient descent converges, or fails to.

The package is layered; each layer builds only on the ones above it here:

- ``descentlab.core``: the NumPy engine core (network, initializers, losses,
  propagation, gradient checking, diagnostics);
- ``descentlab.training``: optimizers, schedules, mini-batches and ``fit``;
- ``descentlab.io``: model files, checkpoints and images;
- ``descentlab.engines``: other engines (TensorFlow) that run the same description;
- ``descentlab.datasets``, ``descentlab.experiments``, ``descentlab.plot``:
  data, the course's comparisons, figures and reports;
- ``descentlab.course``: the course's own functions, in the course's layout;
- ``descentlab.sklearn`` and ``descentlab.cli``: the interfaces.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .core.gradcheck import GradientReport, check_gradients, gradient_check
from .core.initializers import Initializer
from .core.network import Cost, Network
from .core.preprocessing import Scale, Standardize
from .io.modelfile import load
from .training import (
    GD,
    Adam,
    AdamW,
    Callback,
    EarlyStopping,
    ExponentialDecay,
    History,
    InverseTimeDecay,
    Momentum,
    RMSProp,
    StaircaseDecay,
    fit,
    fit_many,
    minibatches,
)
from .errors import (
    DataFileError,
    DescentlabError,
    EngineUnavailableError,
    InputError,
    InputTypeError,
    ModelFileError,
    NonFiniteError,
)

__all__ = [
    "__version__",
    "Network", "Cost", "Initializer", "Scale", "Standardize",
    "gradient_check", "check_gradients", "GradientReport",
    "fit", "fit_many", "History", "minibatches", "Callback", "EarlyStopping", "load",
    "GD", "Momentum", "RMSProp", "Adam", "AdamW", "InverseTimeDecay", "StaircaseDecay", "ExponentialDecay",
    "DescentlabError", "InputError", "InputTypeError", "ModelFileError", "DataFileError", "NonFiniteError",
    "EngineUnavailableError",
]
