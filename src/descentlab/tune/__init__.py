"""``descentlab tune``: hyperparameter search as the course teaches it, from a laptop to a cluster.

>>> import descentlab as dl
>>> result = dl.tune("examples/tune-moons.toml", trials=30, jobs=2)     # doctest: +SKIP
>>> result.best["params"], result.final["test_accuracy"]                 # doctest: +SKIP

Built on Optuna (samplers, pruners, the study in a database) and Dask distributed (the
workers): see :mod:`.search` for the order of a search, :mod:`.spec` for the spec's
``[space]`` table and options, :mod:`.storage` for the database, :mod:`.execution` for
workers and clusters, :mod:`.trial` for what one trial does, :mod:`.outputs` for the files.

This package is itself callable: ``descentlab.tune(spec, ...)`` is :func:`.search.tune`
(the module stays a module, so ``descentlab.tune.spec`` and friends remain importable).
Optuna, Dask and SQLAlchemy are imported only when a search runs
(``pip install 'descentlab[tune]'``).
"""

from __future__ import annotations

import sys
import types
from typing import Any

__all__ = ["tune", "load_spec", "TuneResult"]


def tune(spec: Any, **options: Any) -> Any:
    """Run a hyperparameter search; see :func:`descentlab.tune.search.tune` for every option."""
    from .search import tune as _tune
    return _tune(spec, **options)


def load_spec(path: Any) -> Any:
    """Read and check a tune spec (a TOML file with a [space] table)."""
    from .spec import load_spec as _load
    return _load(path)


def __getattr__(name: str) -> Any:
    if name == "TuneResult":
        from .results import TuneResult
        return TuneResult
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _CallableModule(types.ModuleType):
    """``descentlab.tune(...)`` calls :func:`tune`; ``descentlab.tune.<module>`` still reaches the modules."""

    def __call__(self, spec: Any, **options: Any) -> Any:
        return tune(spec, **options)


sys.modules[__name__].__class__ = _CallableModule
