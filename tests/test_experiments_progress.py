"""Progress of `descentlab run` / `demo`: a bar per arm and an overall bar, seen WHILE an arm trains."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import descentlab
from descentlab.experiments import PRESETS
from descentlab.experiments.progress import Planned, Progress, estimate_seconds, plan


def _env() -> dict:
    src = str(Path(descentlab.__file__).resolve().parents[1])  # the tree under test
    return {**os.environ, "PYTHONPATH": src}


def test_run_shows_progress_while_an_arm_trains_and_says_what_lockstep_did(tmp_path):
    toml = tmp_path / "slow.toml"
    toml.write_text('dataset = "moons"\n[base]\nlayers = [2, 16, 16, 1]\nepochs = 600\nbatch_size = 8\n'
                    'optimizer = "gd"\nlr = 0.01\n[[arms]]\nname = "slow"\n[[arms]]\nname = "other"\nlr = 0.02\n')
    proc = subprocess.Popen([sys.executable, "-m", "descentlab.cli.main", "run", str(toml), "--seeds", "3",
                             "--out", str(tmp_path / "out")], stderr=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True, env=_env())
    t0 = time.monotonic()
    first = proc.stderr.readline()
    first_at = time.monotonic() - t0
    running = proc.poll() is None
    _, rest = proc.communicate(timeout=900)
    total = time.monotonic() - t0
    assert proc.returncode == 0, rest
    # the first line comes after the first epoch of the first arm, while the run goes on
    assert first.startswith("slow: slow (seed 1): epoch 1/600 (0%)") and running, first
    assert "overall: arms 0/2 · runs 0/6" in first and first_at < total / 2
    lines = (first + rest).splitlines()
    assert any(ln.startswith("slow: slow, seeds 2-3 together in lockstep: epoch 1/600") for ln in lines)
    done = [ln for ln in lines if "trained together in lockstep (fit_many)" in ln]
    assert len(done) == 2 and done[0].startswith("slow: slow, seeds 2-3: 2 runs trained together in lockstep")
    assert "per run on average" in done[0]
    assert not any("(seed 2)" in ln or "(seed 3)" in ln for ln in lines)  # no per-seed times that never were
    assert lines[-1].startswith("slow: arms 2/2 · runs 6/6 · 100% · done in")


def test_quiet_means_no_progress(tmp_path, capsys):
    from descentlab.cli.main import main
    assert main(["run", "gradient-checking", "--quiet", "--out", str(tmp_path)]) in (0, 1)
    assert "epoch" not in capsys.readouterr().err


def test_the_overall_bar_weighs_arms_by_their_expected_cost():
    from descentlab.datasets import load
    moons, signs = load("moons"), load("signs")
    opt = PRESETS["optimization"]
    cheap = estimate_seconds(opt.config(opt.arms[0]), moons)
    sig = PRESETS["signs-course"]
    dear = estimate_seconds(sig.config(sig.arms[0]), signs)
    assert 0.2 < cheap < 10 and 20 < dear < 400 and dear > 20 * cheap  # the SIGNS arm weighs what it costs
    planned = plan([opt], {"optimization": moons}, seeds=2, quick=True)
    assert [(p.arm, p.runs, p.epochs) for p in planned] == [("gd", 2, 1000), ("momentum", 2, 1000), ("adam", 2, 1000)]


def test_progress_counts_arms_runs_and_work():
    stream = io.StringIO()
    bars = Progress([Planned("e", "a", 2, 10, 1.0), Planned("e", "b", 2, 10, 3.0)], kind="lines", stream=stream)
    one = bars.arm("e", "a", 1, "a (seed 1)")
    for _ in range(10):
        one.epoch()
    one.finish(arm_done=False)
    assert bars.done_runs == 1 and bars.done_arms == 0 and abs(bars.fraction() - 0.125) < 1e-12
    both = bars.arm("e", "a", 1, "a (seed 2)")
    both.epoch()
    both.finish(arm_done=True)  # stopped early: its work counts as done
    assert bars.done_runs == 2 and bars.done_arms == 1 and abs(bars.fraction() - 0.25) < 1e-12
    assert "arms 1/2 · runs 2/4 · 25%" in bars.status()
    assert stream.getvalue().splitlines()[0].startswith("e: a (seed 1): epoch 1/10 (10%)")


def test_the_overall_time_left_is_never_less_than_the_training_arms_own(monkeypatch):
    """Seen in the demo after the numba engine came: the cost model weighed a small arm as dear as a SIGNS
    arm, so the overall bar said 1 min 39 s left while the SIGNS arm alone needed 4 min 16 s."""
    import descentlab.experiments.progress as progress
    clock = [0.0]
    monkeypatch.setattr(progress.time, "monotonic", lambda: clock[0])
    p = Progress([Planned("a", "small", 1, 100, 50.0), Planned("b", "big", 1, 100, 50.0)], kind="lines",
                 stream=io.StringIO())
    small = p.arm("a", "small", 1, "small")
    for _ in range(100):
        clock[0] += 0.01
        small.epoch()
    small.finish(True)                                   # half the planned work in 1 s: "1 s left" by the model
    big = p.arm("b", "big", 1, "big")
    clock[0] += 10.0
    big.epoch()                                          # the big arm: 10 s an epoch, 99 epochs to go
    assert p.time_left() == pytest.approx(990.0)
    big.finish(True)
    assert p.current is None
