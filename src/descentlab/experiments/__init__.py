"""The course's experiments as runnable, reproducible presets, plus user-defined comparisons.

>>> from descentlab.experiments import PRESETS, run_experiment
>>> sorted(PRESETS)[:3]
['gradient-checking', 'initialization', 'optimization']

- :data:`PRESETS`: the course's experiments (initialization, regularization,
  gradient-checking, optimization, optimization-decay, signs), each an
  :class:`Experiment` (data set + base configuration + arms that change one factor);
- :func:`run_experiment` runs one (``seeds=N`` repeats every arm, ``quick=True`` is a
  smoke-test size) and returns an :class:`ExperimentResult` (``.table()``,
  ``.to_dict()``, ``.figures``, ``.conclusions``); :func:`write_outputs` writes it;
- :func:`load_comparison` reads a TOML comparison (see ``examples/``);
- :func:`run_demo` / :func:`write_demo`: every course experiment and one HTML report.
"""

from .comparison import comparison_from_dict, load_comparison
from .conclusions import Conclusion
from .demo import DemoResult, run_demo, write_demo
from .outputs import write_outputs
from .presets import DEMO, PRESETS
from .records import ArmResult, ExperimentResult, RunResult
from .report import render_report
from .runner import run_arm_seeds, run_experiment, run_seeds
from .spec import KEYS, Arm, Experiment

__all__ = [
    "PRESETS", "DEMO", "Experiment", "Arm", "KEYS", "run_experiment", "run_arm_seeds", "run_seeds",
    "ExperimentResult", "ArmResult", "RunResult", "Conclusion", "write_outputs", "render_report",
    "load_comparison", "comparison_from_dict", "run_demo", "write_demo", "DemoResult", "get_experiment",
]


def get_experiment(name_or_path):
    """A preset by name, or a comparison from a .toml file."""
    import os

    from .._checks import did_you_mean
    from ..errors import InputError
    if isinstance(name_or_path, str) and name_or_path in PRESETS:
        return PRESETS[name_or_path]
    if isinstance(name_or_path, (str, os.PathLike)) and str(name_or_path).lower().endswith(".toml"):
        return load_comparison(name_or_path)
    raise InputError(f"experiment: expected one of {sorted(PRESETS)} or a path to a .toml comparison, "
                     f"received {name_or_path!r}{did_you_mean(name_or_path, PRESETS)}")
