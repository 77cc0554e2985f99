"""Writing an experiment's files: results.json, the figures, the models and report.html."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..io.atomic import atomic_write_bytes
from .records import ExperimentResult
from . import report as _report


def write_outputs(result: ExperimentResult, out: Any, *, report: bool = True) -> list[Path]:
    """Write results.json, the PNG figures, the models and report.html into ``out``, each atomically.

    Everything is rendered in memory first and nothing is written before the
    whole run has finished; every file then goes through a temporary file and a
    rename. So a failed or interrupted run never leaves a half-written file and
    never overwrites a good one.
    """
    files: dict[str, bytes] = dict(result.figures)
    files["results.json"] = (json.dumps(result.to_dict(), indent=2, allow_nan=False) + "\n").encode("utf-8")
    if report:
        files["report.html"] = _report.render_report([result]).encode("utf-8")
    folder = Path(out).expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, net in result.models.items():
        net.save(folder / name)  # atomic (io.modelfile)
        written.append(folder / name)
    for name, data in files.items():  # results.json and report.html last
        written.append(atomic_write_bytes(folder / name, data))
    return written
