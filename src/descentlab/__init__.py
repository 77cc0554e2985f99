"""descentlab: train fully connected networks and see why gradient descent converges, or fails to.

The package is layered; each layer imports only itself and the layers listed before
it (``tests/test_layering.py`` reads every import, the lazy ones included, and checks it):

1. the foundation: ``descentlab.errors``, ``descentlab._checks`` (argument checks and their
   messages), ``descentlab._version``;
2. ``descentlab.io``: file formats (safetensors files with limits, atomic writes, model-file
   headers, images), none of which needs a network;
3. ``descentlab.core``: the NumPy engine core (layout, activations, outputs and losses,
   initializers, L2 and dropout, propagation, the Network and its files, gradient checking,
   diagnostics);
4. ``descentlab.engines``: the runner interface (``engines.base``) and the engines that run
   a network description (NumPy, TensorFlow), chosen by name in ``engines.ENGINES``;
5. ``descentlab.datasets`` and ``descentlab.plot``: data and figures;
6. ``descentlab.training``: optimizers, schedules, mini-batches, FitConfig, ``fit`` and ``fit_many``;
7. ``descentlab.course``: the course's own code, every edition (older, ``current``, ``v2017``), in its layout;
8. ``descentlab.experiments``: the course's comparisons, their runs, records, checks and reports;
9. ``descentlab.tune``: hyperparameter search (Optuna, Dask), on top of the experiments;
10. the interfaces: ``descentlab.sklearn``, ``descentlab.notebook``, ``descentlab.cli``,
    ``descentlab.playground`` and this package's names.
"""

from __future__ import annotations

from ._version import __version__
from .core.gradcheck import GradientReport, check_gradients, gradient_check
from .core.initializers import Initializer
from .core.network import Cost, Network, load, save
from .core.preprocessing import Scale, Standardize
from .errors import (
    CheckpointError,
    DataFileError,
    DescentlabError,
    EngineUnavailableError,
    InputError,
    InputTypeError,
    MemoryLimitError,
    ModelFileError,
    NonFiniteError,
    UnverifiedFileWarning,
)
from . import tune  # a callable module: descentlab.tune(spec, ...) runs a search
from .training import (
    GD,
    Adam,
    AdamW,
    Callback,
    EarlyStopping,
    ExponentialDecay,
    FitConfig,
    History,
    InverseTimeDecay,
    Momentum,
    RMSProp,
    StaircaseDecay,
    Stepper,
    fit,
    fit_many,
    minibatches,
)

__all__ = [
    "__version__",
    "Network", "Cost", "Initializer", "Scale", "Standardize",
    "gradient_check", "check_gradients", "GradientReport",
    "fit", "fit_many", "Stepper", "tune", "FitConfig", "History", "minibatches", "Callback", "EarlyStopping", "load", "save",
    "GD", "Momentum", "RMSProp", "Adam", "AdamW", "InverseTimeDecay", "StaircaseDecay", "ExponentialDecay",
    "DescentlabError", "InputError", "InputTypeError", "ModelFileError", "DataFileError", "NonFiniteError",
    "EngineUnavailableError", "CheckpointError", "MemoryLimitError", "UnverifiedFileWarning",
]
