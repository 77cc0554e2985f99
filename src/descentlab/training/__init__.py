"""Training: optimizers, schedules, mini-batches, fit and its History."""

from .batching import minibatches
from .callbacks import Callback, EarlyStopping
from .config import FitConfig
from .fit import fit
from .history import History
from .many import fit_many
from .optimizers import GD, Adam, AdamW, Momentum, Optimizer, RMSProp, get_optimizer
from .schedules import Constant, ExponentialDecay, InverseTimeDecay, Schedule, StaircaseDecay, get_schedule
from .stepper import Stepper

__all__ = [
    "fit", "fit_many", "Stepper", "FitConfig", "History", "minibatches", "Callback", "EarlyStopping",
    "Optimizer", "GD", "Momentum", "RMSProp", "Adam", "AdamW", "get_optimizer",
    "Schedule", "Constant", "InverseTimeDecay", "StaircaseDecay", "ExponentialDecay", "get_schedule",
]
