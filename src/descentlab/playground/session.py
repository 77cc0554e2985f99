"""One browser session: its data, its runs (one, or up to four side by side), and what it shows.

A session lives in a worker process (:mod:`.worker`). Each run is a
:class:`~descentlab.Stepper` on the network that
:func:`descentlab.experiments.spec.build_network` builds from the run's settings
and seed, so a run is the very run ``descentlab run`` or ``dl.fit`` would train
(:mod:`.exports` writes that code). The runs of a comparison advance in lockstep:
after every turn each has trained the same number of epochs, to the step (runs that
differ in batch size have different steps per epoch).
"""

from __future__ import annotations

import math
import time
from typing import Any, Mapping

import numpy as np

from ..core.outputs import sigmoid, softmax
from ..core.propagation import with_ones
from ..datasets import Dataset
from ..errors import InputError
from ..experiments import spec
from ..training.stepper import Stepper
from . import frames
from .data import FEATURES, PlayData, make_data
from .limits import Limits
from .state import LIVE_KEYS, run_configs

SPEEDS = (1, 3, 10, 30, 100, 300, 1_000, 3_000, 10_000, None)
"""Steps a second a run may take, slowest to fastest; None is as fast as the session's share of a core."""


class Run:
    """One network of a session: its settings, network, stepper and the buffers its views are drawn from."""

    def __init__(self, name: str, cfg: Mapping[str, Any], data: PlayData, dataset: Dataset, grids: tuple) -> None:
        self.name, self.cfg = name, dict(cfg)
        self.net = spec.build_network(self.cfg, self.cfg["seed"], dataset, name)
        self.net.info["playground"] = {"data": data.name, "features": list(data.features), "run": name}
        # the NumPy engine: it stops after any step (one step, Ctrl-C, a live change), where the numba engine
        # trains chunks of steps; the exported code names it, so that it reproduces the run bit for bit
        fit_cfg = spec.fit_config(self.cfg, self.cfg["seed"], name).override(engine="numpy")
        val = (dataset.X_test, dataset.y_test) if dataset.X_test is not None else None
        self.stepper = Stepper(self.net, dataset.X_train, dataset.y_train, config=fit_cfg, validation_data=val)
        grid1, unit1 = grids
        self.grid1, self.unit1 = grid1, unit1
        self.grid_ws = self.net.kernel.workspace(grid1)
        self.unit_ws = self.net.kernel.workspace(unit1)
        self.seconds_per_step = 2e-5  # refined by every turn
        self.snapshot()

    def snapshot(self) -> None:
        """Remember the live settings the run starts from (the exports write them, then replay the changes)."""
        c = self.stepper.cfg
        self.start_values = {"lr": c.optimizer.lr, "l2": c.l2, "keep_prob": c.keep_prob}

    def reset(self) -> None:
        self.stepper.reset()
        self.snapshot()

    def set_live(self, change: Mapping[str, Any]) -> None:
        """Change lr / l2 / keep_prob from the next step; before the first step it is the run's start."""
        self.stepper.set(**change)
        self.cfg.update(change)
        if self.stepper.steps == 0:
            self.stepper.changes.clear()
            self.snapshot()

    @property
    def progress(self) -> float:
        """Epochs trained, with the open epoch's fraction."""
        s = self.stepper
        return s.epoch + s.step_in_epoch / s.steps_per_epoch

    def steps_to(self, progress: float) -> int:
        """Steps from here to ``progress`` epochs (0 when already there)."""
        s = self.stepper
        target = math.ceil(progress * s.steps_per_epoch - 1e-9)
        return max(0, target - (s.epoch * s.steps_per_epoch + s.step_in_epoch))

    def train(self, k: int) -> int:
        if k <= 0 or self.stepper.stopped:
            return 0
        t0 = time.perf_counter()
        done = self.stepper.step(k)
        if done:
            self.seconds_per_step = 0.7 * self.seconds_per_step + 0.3 * (time.perf_counter() - t0) / done
        return done

    def boundary(self, kind: str, target_range: tuple[float, float]) -> list[tuple[str, np.ndarray]]:
        """The output over the grid, quantized: P(class 1), or (class, confidence), or the regression value."""
        logits = self.net.kernel.forward(self.grid1, self.grid_ws)
        with np.errstate(all="ignore"):
            if kind == "binary":
                return [("b", frames.quantize(sigmoid(logits[0]), 0.0, 1.0))]
            if kind == "multiclass":
                p = softmax(logits, axis=0)
                c = p.shape[0]
                return [("b", p.argmax(axis=0).astype(np.uint8)), ("c", frames.quantize(p.max(axis=0), 1.0 / c, 1.0))]
            return [("b", frames.quantize(logits[0], *target_range))]

    def units(self) -> tuple[np.ndarray, np.ndarray]:
        """Every hidden and output unit's output over the small grid, quantized per unit (and the scales)."""
        self.net.kernel.forward(self.unit1, self.unit_ws)
        rows = np.concatenate([a for a in self.unit_ws.act], axis=0)
        with np.errstate(all="ignore"):
            rows = np.nan_to_num(rows, nan=0.0, posinf=1e300, neginf=-1e300)
            return frames.quantize_symmetric(rows)

    def stats(self, has_test: bool) -> dict[str, Any]:
        s = self.stepper
        with np.errstate(all="ignore"):
            data_cost, l2_term, acc = s.evaluate()
            test_cost, _, test_acc = s.evaluate(validation=True) if has_test else (None, None, None)
        f = frames.finite
        return {"name": self.name, "epoch": s.epoch, "step": s.step_in_epoch, "steps": s.steps,
                "steps_per_epoch": s.steps_per_epoch, "progress": self.progress, "lr": s.current_lr(),
                "l2": s.cfg.l2, "keep_prob": list(s.cfg.keep_prob), "cost": f(data_cost + l2_term),
                "cost_data": f(data_cost), "cost_l2": f(l2_term), "accuracy": f(acc), "test_cost": f(test_cost),
                "test_accuracy": f(test_acc), "stopped": s.stopped, "changes": len(s.changes),
                "since_change": s.steps - s.changes[-1][0] if s.changes else None}

    def diagnostics(self, X: np.ndarray, y: np.ndarray) -> dict[str, Any]:
        """Per-layer weight and gradient norms, dead ReLU units and identical units (net.diagnose)."""
        with np.errstate(all="ignore"):
            diag = self.net.diagnose(X, y)
            layers = [{"layer": st.layer, "units": st.units, "w_norm": frames.finite(np.linalg.norm(self.net.params[f"W{st.layer}"])),
                       "g_norm": frames.finite(st.grad_norm), "dead": st.dead_units,
                       "identical": st.identical_groups, "frac_zero": frames.finite(st.frac_zero)}
                      for st in diag.layers]
        return {"layers": layers, "symmetric": diag.symmetric_layers, "warnings": diag.warnings()}


class Session:
    """A session's settings, data and runs, trained in turns and drawn in frames."""

    def __init__(self, settings: Mapping[str, Any], limits: Limits, upload: Dataset | None = None) -> None:
        self.limits = limits
        self.upload = upload
        self.playing = False
        self.speed: int | None = None
        self.focus = 0
        self.generation = 0
        self.seq = 0
        self.inflight = 0
        self.last_frame = 0.0
        self.frame_cost = 0.0
        self.rate = 0.0
        self._rate_mark = (time.perf_counter(), 0)
        self.dirty = True
        self.conclusions: list[dict[str, Any]] | None = None
        self._conclusions_at = 0.0
        self.build(settings)

    # ------------------------------------------------------------------ building
    def build(self, settings: Mapping[str, Any]) -> None:
        """(Re)build the data and every run from ``settings``: epoch 0, the seed's initial weights."""
        data = make_data(settings, self.upload)
        dataset = data.dataset()
        self.settings, self.data, self.dataset = dict(settings), data, dataset
        grid1 = with_ones(data.inputs(data.grid(self.limits.grid)))
        unit1 = with_ones(data.inputs(data.grid(self.limits.unit_grid)))
        self.runs = [Run(name, cfg, data, dataset, (grid1, unit1)) for name, cfg in run_configs(settings, data.output)]
        self.focus = min(self.focus, len(self.runs) - 1)
        self.generation += 1
        self.target = (float(np.min(data.y_train)), float(np.max(data.y_train))) if data.kind == "regression" else (0.0, 1.0)
        self.conclusions, self.dirty = None, True
        self._diag, self._diag_key, self._diag_at = None, None, 0.0

    def reset(self) -> None:
        """Every run back to its initial weights and streams (the settings stay)."""
        for run in self.runs:
            run.reset()
        self.conclusions, self.dirty = None, True
        self._diag = None

    @property
    def stop_at(self) -> int | None:
        return self.settings.get("epochs")

    @property
    def progress(self) -> float:
        return min(r.progress for r in self.runs)

    @property
    def done(self) -> bool:
        alive = [r for r in self.runs if not r.stepper.stopped]
        return not alive or (self.stop_at is not None and all(r.progress >= self.stop_at for r in alive))

    # ------------------------------------------------------------------ controls
    def set_live(self, values: Mapping[str, Any]) -> None:
        """lr, l2 and keep_prob from the next step on; an arm that sets one itself keeps its own value."""
        for key in values:
            if key not in LIVE_KEYS:
                raise InputError(f"{key}: expected a setting that changes live ({', '.join(LIVE_KEYS)}), received {key!r}")
        for run, arm in zip(self.runs, self.settings["arms"] or [{}] * len(self.runs)):
            change = {k: v for k, v in values.items() if k not in arm}
            if change:
                run.set_live(change)
        self.settings.update(values)
        self.dirty = True

    def set_speed(self, speed: Any) -> None:
        if speed is not None and speed not in SPEEDS:
            raise InputError(f"speed: expected one of {list(SPEEDS)}, received {speed!r}")
        self.speed = speed

    def step(self, epochs: bool = False) -> None:
        """One step of every run (or, with ``epochs``, to the end of the current epoch), in lockstep."""
        if epochs:
            target = math.floor(self.progress + 1e-9) + 1
        else:
            fastest = max(r.stepper.steps_per_epoch for r in self.runs)
            target = self.progress + 1.0 / fastest
        for run in self.runs:
            run.train(run.steps_to(target))
        self.dirty = True

    def set_focus(self, index: Any) -> None:
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(self.runs):
            raise InputError(f"focus: expected a run index in [0, {len(self.runs) - 1}], received {index!r}")
        self.focus = index
        self.dirty = True

    # ------------------------------------------------------------------ training turns
    def turn(self, budget: float) -> int:
        """Train every run about ``budget`` seconds in all, in lockstep, at most at the speed; return the steps."""
        if not self.playing or self.done:
            self.playing = self.playing and not self.done
            return 0
        cost_per_epoch = sum(r.stepper.steps_per_epoch * r.seconds_per_step for r in self.runs if not r.stepper.stopped)
        delta = budget / max(cost_per_epoch, 1e-9)
        if self.speed is not None:
            fastest = max(r.stepper.steps_per_epoch for r in self.runs)
            delta = min(delta, self._speed_epochs(fastest))
        target = self.progress + max(delta, 1e-12)
        if self.stop_at is not None:
            target = min(target, self.stop_at)
        done = sum(run.train(run.steps_to(target)) for run in self.runs)
        self._count(done)
        if done:
            self.dirty = True
        if self.done:
            self.playing = False
        return done

    def _speed_epochs(self, steps_per_epoch: int) -> float:
        """Epochs allowed by the speed since the last turn (a token bucket of at most 0.2 s of steps)."""
        now = time.perf_counter()
        last = getattr(self, "_speed_mark", now)
        self._speed_mark = now
        self._credit = min(getattr(self, "_credit", 0.0) + (now - last) * self.speed, max(1.0, 0.2 * self.speed))
        steps = math.floor(self._credit)
        self._credit -= steps
        return steps / steps_per_epoch

    def _count(self, steps: int) -> None:
        now = time.perf_counter()
        t0, n = self._rate_mark
        n += steps
        if now - t0 >= 0.5:
            self.rate, self._rate_mark = n / (now - t0), (now, 0)
        else:
            self._rate_mark = (t0, n)

    # ------------------------------------------------------------------ frames
    def frame_due(self, now: float) -> bool:
        interval = max(1.0 / self.limits.fps, 4 * self.frame_cost)
        return self.dirty and self.inflight < 2 and now - self.last_frame >= interval

    def frame(self) -> bytes:
        """The next frame: every run's numbers and boundary, the focused run's units, weights and diagnostics."""
        t0 = time.perf_counter()
        self.seq += 1
        has_test = self.dataset.X_test is not None
        arrays: list[tuple[str, np.ndarray]] = []
        runs = []
        for k, run in enumerate(self.runs):
            runs.append(run.stats(has_test))
            arrays += [(f"{name}{k}", grid) for name, grid in run.boundary(self.data.kind, self.target)]
        focus = self.runs[self.focus]
        units, scales = focus.units()
        arrays += [("units", units), ("uscale", scales), ("theta", focus.net.theta.astype(np.float32))]
        meta = {"seq": self.seq, "gen": self.generation, "playing": self.playing, "done": self.done,
                "rate": self.rate if self.playing else 0.0, "focus": self.focus, "runs": runs, "speed": self.speed,
                "diag": self._diagnostics(focus)}
        if self.conclusions is not None:
            meta["conclusions"] = self.conclusions
        data = frames.pack("frame", meta, arrays)
        self.last_frame = time.perf_counter()
        self.frame_cost = 0.8 * self.frame_cost + 0.2 * (self.last_frame - t0)
        self.inflight += 1
        self.dirty = self.playing
        return data

    def _diagnostics(self, run: Run) -> dict[str, Any]:
        """The focused run's diagnostics, recomputed at most 5 times a second while playing (they need a
        forward and backward pass over the whole training set)."""
        now = time.perf_counter()
        key = (id(run), run.stepper.steps, self.generation)
        if self._diag is None or (key != self._diag_key and (not self.playing or now - self._diag_at >= 0.2)):
            self._diag = run.diagnostics(self.dataset.X_train, self.dataset.y_train)
            self._diag_key, self._diag_at = key, now
        return self._diag

    def data_message(self) -> bytes:
        """What the page draws once per build: the points, the features over the grid, the network's shape."""
        d = self.data
        raw = d.grid(self.limits.unit_grid)
        fgrid = np.stack([FEATURES[f][1](raw) for f in FEATURES])  # every feature, for its thumbnail
        feats, fscale = frames.quantize_symmetric(fgrid)
        arrays = [("xtr", d.X_train), ("ytr", d.y_train.astype(np.float32)), ("feat", feats), ("fscale", fscale)]
        if d.X_test is not None:
            arrays += [("xte", d.X_test), ("yte", d.y_test.astype(np.float32))]
        meta = {"gen": self.generation, "data": d.name, "kind": d.kind, "class_names": d.class_names,
                "description": d.description, "extent": d.extent(), "grid": self.limits.grid,
                "unit_grid": self.limits.unit_grid, "features": [FEATURES[f][0] for f in d.features],
                "feature_keys": list(d.features), "all_features": list(FEATURES), "target": self.target,
                "runs": [{"name": r.name, "layers": list(r.net.layer_dims), "hidden": list(r.net.hidden),
                          "output": r.net.output, "params": r.net.n_params} for r in self.runs],
                "n_train": len(d.X_train), "n_test": 0 if d.X_test is None else len(d.X_test),
                "preset": self.settings.get("preset"), "title": self.settings.get("title")}
        return frames.pack("data", meta, [(k, np.asarray(v)) for k, v in arrays])
