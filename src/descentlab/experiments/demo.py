"""``descentlab demo``: every course experiment, one summary table, one HTML report, one verdict."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from . import report as _report
from .outputs import check_out, publish
from .presets import DEMO, PRESETS
from .progress import Progress, plan
from .records import ExperimentResult, machine, machine_load, slug
from .runner import load_dataset, run_experiment


@dataclass
class DemoResult:
    results: list[ExperimentResult]
    seconds: float
    quick: bool
    written: list[Path] = field(default_factory=list)
    machine: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)

    def to_dict(self) -> dict[str, Any]:
        return {"quick": self.quick, "seconds": round(self.seconds, 3), "passed": self.passed,
                "machine": self.machine, "experiments": [r.to_dict() for r in self.results]}

    def table(self) -> str:
        return "\n\n".join(r.table() for r in self.results)


def run_demo(*, quick: bool = False, seeds: int = 1, names: Sequence[str] = DEMO,
             log: Callable[[str], None] | None = None, progress: bool = False) -> DemoResult:
    """Run the course experiments in order; later ones may compare themselves with earlier ones.

    Each data set is loaded once (the two SIGNS experiments share theirs). With
    ``progress=True`` a bar per arm and an overall bar (arms, runs, time left) go to
    stderr while the experiments run (see :mod:`.progress`).
    """
    t0, load = time.perf_counter(), machine_load()
    experiments = [PRESETS[name] for name in names]
    datasets = _datasets(experiments)
    bars = Progress(plan(experiments, datasets, seeds, quick), title="demo") if progress else None
    done: dict[str, ExperimentResult] = {}
    try:
        for exp in experiments:
            done[exp.name] = run_experiment(exp, seeds=seeds, quick=quick, context=done, log=log,
                                            dataset=datasets.get(exp.name), progress=bars)
    finally:
        if bars is not None:
            bars.close()
    return DemoResult(list(done.values()), time.perf_counter() - t0, quick, machine=machine(load))


def _datasets(experiments: Sequence[Any]) -> dict[str, Any]:
    """experiment name -> its data set, each distinct data set loaded once."""
    cache: dict[tuple, Any] = {}
    out = {}
    for exp in experiments:
        key = (exp.dataset, tuple(sorted(exp.dataset_options.items())))
        if key not in cache:
            cache[key] = load_dataset(exp)
        out[exp.name] = cache[key]
    return out


def check_demo_out(out: Any, *, quick: bool = False, names: Sequence[str] = DEMO) -> Path:
    """Before the demo trains anything: ``out`` must be writable, descentlab's, with room for the report."""
    return check_out(out, [PRESETS[n] for n in names], quick=quick)


def write_demo(demo: DemoResult, out: Any) -> list[Path]:
    """report.html (self-contained), results.json, the figures (figures/<experiment>-<name>.png) and the SIGNS
    models, published as one whole set (see :mod:`.outputs`): a reader never sees two runs' files mixed."""
    title = "descentlab: the experiments of Improving Deep Neural Networks, reproduced and checked"
    files: dict[str, Any] = {}  # rendered in memory first: a failure writes nothing
    for r in demo.results:
        if r.experiment.name == "signs":  # the model worth keeping: predict your own photos with it
            files.update({f"signs-{name}": net for name, net in r.models.items()})
        for name, png in r.figures.items():
            files[f"figures/{slug(r.name)}-{name}"] = png
    files["results.json"] = (json.dumps(demo.to_dict(), indent=2, allow_nan=False) + "\n").encode("utf-8")
    files["report.html"] = _report.render_report(demo.results, title=title, seconds=demo.seconds).encode("utf-8")
    demo.written = publish(files, out)
    return demo.written
