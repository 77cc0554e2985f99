"""The exceptions descentlab raises.

Every error a user can cause is a :class:`DescentlabError`. Errors about bad
arguments or bad data are also ``ValueError`` (or ``TypeError``) subclasses, so
code that already catches those keeps working. Messages follow one pattern:
they name the argument, the value received and what was expected.
"""

from __future__ import annotations

__all__ = [
    "DescentlabError",
    "InputError",
    "InputTypeError",
    "ModelFileError",
    "CheckpointError",
    "DataFileError",
    "MemoryLimitError",
    "NonFiniteError",
    "EngineUnavailableError",
    "UnverifiedFileWarning",
    "MissingExtraError",
]


class DescentlabError(Exception):
    """Base class of every error descentlab raises on purpose."""


class InputError(DescentlabError, ValueError):
    """An argument or a data array has a bad value."""


class InputTypeError(DescentlabError, TypeError):
    """An argument has the wrong type."""


class ModelFileError(DescentlabError, ValueError):
    """A model, checkpoint or data file cannot be read safely."""


class CheckpointError(ModelFileError):
    """A checkpoint cannot be read safely, fails validation, or belongs to another run."""


class MemoryLimitError(InputError, MemoryError):
    """A request (a network, its training, a data file) needs more memory than the limit allows.

    Raised before anything is allocated; also a ``MemoryError``. The limit follows the
    machine's available memory (see :mod:`descentlab.core.memory`) and can be changed.
    """


class DataFileError(DescentlabError, ValueError):
    """A data or image file is missing, unreadable, malformed or unsafe."""


class NonFiniteError(DescentlabError, FloatingPointError):
    """Training produced a NaN or an infinite cost or gradient."""

    def __init__(self, message: str, *, epoch: int, step: int) -> None:
        super().__init__(message)
        self.epoch = epoch
        self.step = step


class EngineUnavailableError(DescentlabError, ImportError):
    """An optional engine (TensorFlow) is not installed."""


class UnverifiedFileWarning(UserWarning):
    """A model or checkpoint file carries no checksums (written before they existed): it loads unverified."""
class MissingExtraError(DescentlabError, ModuleNotFoundError):
    """An optional part of descentlab was imported without the package it needs.

    The message is one line naming the ``pip install 'descentlab[extra]'`` to run.
    """

    def __init__(self, part: str, package: str, extra: str, cause: BaseException | None = None) -> None:
        detail = f" ({cause})" if cause is not None else ""
        super().__init__(f"{part} needs {package}, which is not installed{detail}; "
                         f"install it with: pip install 'descentlab[{extra}]'")
        self.name = getattr(cause, "name", None) or package
