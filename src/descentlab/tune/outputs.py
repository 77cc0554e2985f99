"""A search's files: trials table (CSV, JSON), best configuration, best model, ``descentlab run`` TOML, report.

Everything is rendered in memory once the search has finished, then written file by
file atomically (temporary file + rename): an interrupted or failed search writes
nothing and never overwrites a good file. No file holds a password: the storage URL
appears only with its password replaced by ``***``.

======================  ==============================================================
file                    what
======================  ==============================================================
trials.csv              one row per trial: number, state, value, spread, hyperparameters, epochs, times
trials.json             the same, with every seed's value and the reported curve
best.json               the best trial, its full configuration, the retrained model's scores
best-model.safetensors  the best configuration trained again (first seed, training part)
best-run.toml           ``descentlab run best-run.toml`` trains the best configuration
report.html             the report section (figures embedded), one self-contained page
figures/*.png           the figures (see :mod:`.figures`)
======================  ==============================================================
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..io.atomic import atomic_write_bytes
from .report import page
from .tables import run_toml, trials_csv

FILES = ("trials.csv", "trials.json", "best.json", "best-model.safetensors", "best-run.toml", "report.html")


# ------------------------------------------------------------------------------------- write
def write_outputs(result: Any, out: Any) -> list[Path]:
    """Write every file of the search into ``out`` (see the module docstring); the paths written."""
    folder = Path(out).expanduser()
    files: dict[str, bytes] = {f"figures/{k}": v for k, v in result.figures.items()}
    files["trials.csv"] = trials_csv(result).encode("utf-8")
    doc = result.to_dict()
    files["trials.json"] = (json.dumps({"study": result.study, "storage": result.storage, "trials": doc["trials"]},
                                       indent=1, allow_nan=False) + "\n").encode("utf-8")
    best = {k: v for k, v in doc.items() if k != "trials"}
    files["best.json"] = (json.dumps(best, indent=2, allow_nan=False) + "\n").encode("utf-8")
    if result.best is not None:
        exp = result.experiment
        files["best-run.toml"] = run_toml(result, exp.dataset, dict(exp.dataset_options)).encode("utf-8")
    files["report.html"] = page(result).encode("utf-8")
    (folder / "figures").mkdir(parents=True, exist_ok=True)
    written = []
    if result.net is not None:
        result.net.save(folder / "best-model.safetensors")
        written.append(folder / "best-model.safetensors")
    for name, data in files.items():
        written.append(atomic_write_bytes(folder / name, data))
    return written
