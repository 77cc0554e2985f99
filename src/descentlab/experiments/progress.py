"""Progress of ``descentlab run`` and ``descentlab demo``: a bar for the arm that trains, and one over everything.

The arm's bar counts its epochs. The overall bar counts *work*: each arm's expected
seconds from a rough cost model (:func:`estimate_seconds`: steps and multiply-adds),
so that 10000 epochs of a 30-parameter network and 300 epochs of a 300,000-parameter
one weigh what they cost; its time left is the work left at the rate measured so far,
and it says how many arms and runs (arm x seed) are done.

Where stderr is a terminal (or a Jupyter kernel) the two are tqdm bars redrawn in
place; elsewhere (a pipe, a log file) one line every few seconds says the same, and
each run's time is printed when it ends. ``--seeds N`` trains seeds 2..N of an arm
together, in lockstep (:func:`~descentlab.fit_many`): that is one bar, and its
line says so.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import Any, Mapping, Sequence, TextIO

from ..training.callbacks import Callback
from ..training.progress import LineBar, display_kind, duration, in_jupyter_kernel, make_bar

# The rough cost model: seconds per epoch (History, callbacks, the shuffle), per optimizer step (NumPy
# call overhead, the update), per step with dropout (drawing the masks), and per example x parameter
# per epoch (the forward and backward matrix products), for float64 and float32, from the demo's own
# arms on the project's 2-core machine. Only ratios matter: the overall rate is measured as it runs.
EPOCH_SECONDS = 50e-6
STEP_SECONDS = 30e-6
DROPOUT_STEP_SECONDS = 150e-6
MAC_SECONDS = {"float64": 2.5e-10, "float32": 1.4e-10}


def estimate_seconds(cfg: Mapping[str, Any], dataset: Any, runs: int = 1) -> float:
    """Expected seconds of ``runs`` training runs of an arm's configuration on ``dataset`` (a rough model)."""
    if dataset is None:  # a gradient check: quick and fixed
        return 0.05 * runs
    m = len(dataset.X_train)
    layers = list(cfg["layers"])
    params = sum((layers[i] + 1) * layers[i + 1] for i in range(len(layers) - 1))
    batch = cfg.get("batch_size") or m
    steps = -(-m // min(batch, m))
    keep = cfg.get("keep_prob", 1.0)
    dropout = any(p < 1 for p in (keep if isinstance(keep, (list, tuple)) else [keep]))
    per_step = STEP_SECONDS + (DROPOUT_STEP_SECONDS if dropout else 0.0)
    per_epoch = EPOCH_SECONDS + steps * per_step + m * params * MAC_SECONDS.get(str(cfg.get("dtype", "float64")), 2.5e-10)
    return cfg["epochs"] * per_epoch * runs


@dataclass
class Planned:
    """One arm of the plan: its runs (one per seed), epochs and expected seconds."""

    experiment: str
    arm: str
    runs: int
    epochs: int
    seconds: float


def plan(experiments: Sequence[Any], datasets: Mapping[str, Any], seeds: int, quick: bool) -> list[Planned]:
    """Every arm the run will train, in order, with its expected cost."""
    out = []
    for exp in experiments:
        ds = datasets.get(exp.name)
        for arm in exp.arms:
            cfg = exp.config(arm, quick)
            epochs = cfg["epochs"] if exp.kind == "train" else 1
            runs = 1 if getattr(arm, "code", None) else seeds  # an arm running the course's code runs once
            out.append(Planned(exp.name, arm.name, runs, epochs, estimate_seconds(cfg, ds, runs)))
    return out


class Progress:
    """The two bars (or their lines): see the module docstring."""

    def __init__(self, planned: Sequence[Planned], *, title: str = "overall", kind: str | None = None,
                 stream: TextIO | None = None) -> None:
        self.planned = {(p.experiment, p.arm): p for p in planned}
        self.total_runs = sum(p.runs for p in planned)
        self.total_arms = len(planned)
        self.total = sum(p.seconds for p in planned) or 1.0
        self.kind = kind or display_kind(stream)
        if self.kind == "text" and in_jupyter_kernel():  # two text bars need a terminal's cursor moves
            self.kind = "lines"
        self.stream = stream
        self.title = title
        self.done_work = self.done_runs = self.done_arms = 0
        self.current: ArmProgress | None = None  # the phase that trains now
        self.start = time.monotonic()
        self.overall = None if self.kind == "lines" else make_bar(
            self.kind, 1000, title, unit="‰", position=0, stream=stream)
        if self.overall is not None:
            self.overall.bar_format = "{desc} |{bar}| {percentage:3.0f}%"
            self._refresh_overall()

    # ------------------------------------------------------------------ the overall state
    def fraction(self) -> float:
        return min(self.done_work / self.total, 1.0)

    def time_left(self) -> float | None:
        """Seconds left at the rate measured so far; None while there is too little to measure (1 s, 1%).

        Never less than the time the arm that trains needs at its own measured rate (the cost model
        weighs arms only roughly, and the engines speed arms up by different factors).
        """
        elapsed = time.monotonic() - self.start
        f = self.fraction()
        left = elapsed * (1 - f) / f if (f >= 0.01 and elapsed >= 1.0) else None
        arm_left = self.current.time_left() if self.current is not None else None
        return left if arm_left is None or left is None else max(left, arm_left)

    def status(self, percent: bool = True) -> str:
        """'arms 3/9 · runs 3/9 · 35% · about 2 min 10 s left'."""
        left = self.time_left()
        text = "time left: measuring" if left is None else f"about {duration(left)} left"
        if self.done_arms == self.total_arms:
            text = f"done in {duration(time.monotonic() - self.start)}"
        share = f"{100 * self.fraction():.0f}% · " if percent else ""
        return f"arms {self.done_arms}/{self.total_arms} · runs {self.done_runs}/{self.total_runs} · {share}{text}"

    def _refresh_overall(self) -> None:
        if self.overall is not None:
            self.overall.n = int(round(1000 * self.fraction()))
            self.overall.set_description_str(f"{self.title}: {self.status(percent=False)}", refresh=False)
            self.overall.refresh()

    # ----------------------------------------------------------------------- arms
    def arm(self, experiment: str, arm: str, runs: int, label: str) -> "ArmProgress":
        """The bar of one training phase of an arm: ``runs`` runs (1, or K seeds in lockstep)."""
        p = self.planned.get((experiment, arm)) or Planned(experiment, arm, runs, 1, 0.0)
        return ArmProgress(self, p, runs, f"{experiment}: {label}")

    def write(self, line: str) -> None:
        """A line of text that does not break the bars."""
        if self.overall is not None:
            self.overall.write(line, file=self.stream or sys.stderr)
        else:
            print(line, file=self.stream or sys.stderr, flush=True)

    def close(self) -> None:
        if self.overall is not None:
            self._refresh_overall()
            self.overall.close()
        else:
            self.write(f"{self.title}: {self.status()}")


class ArmProgress(Callback):
    """Progress of one phase of an arm: a fit Callback (``on_epoch_end``), or ``epoch()`` from ``fit_many``."""

    def __init__(self, owner: Progress, planned: Planned, runs: int, desc: str) -> None:
        self.owner, self.planned, self.runs = owner, planned, runs
        self.share = planned.seconds * runs / max(planned.runs, 1)  # this phase's part of the arm's work
        self.epochs = max(planned.epochs, 1)
        self.seen = 0
        self.start = time.monotonic()
        owner.current = self
        kind = owner.kind
        self.bar = make_bar(kind, self.epochs, desc, unit="epoch", position=1, leave=False, stream=owner.stream)

    def epoch(self, _epoch: Any = None) -> None:
        """One epoch of this phase is done."""
        self.seen += 1
        self.owner.done_work += self.share / self.epochs
        if isinstance(self.bar, LineBar):
            self.bar.set_postfix_str(f"overall: {self.owner.status()}")
        self.bar.update(1)
        self.owner._refresh_overall()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any], run: Any) -> None:
        self.epoch(epoch)

    def time_left(self) -> float | None:
        """Seconds this phase still needs at its own rate so far (None before its first epoch)."""
        elapsed = time.monotonic() - self.start
        return elapsed * (self.epochs - self.seen) / self.seen if self.seen else None

    def finish(self, arm_done: bool) -> None:
        """The phase ended (its runs are done); ``arm_done`` when it was the arm's last phase."""
        self.owner.done_work += self.share * (1 - self.seen / self.epochs)  # epochs not run (early stop)
        self.owner.done_runs += self.runs
        self.owner.done_arms += int(arm_done)
        if self.owner.current is self:
            self.owner.current = None
        self.bar.close()
        self.owner._refresh_overall()
