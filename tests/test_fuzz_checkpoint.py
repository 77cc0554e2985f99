"""Fuzzing checkpoints: random, mutated and hostile checkpoints raise only CheckpointError, and a resume
that fails changes nothing: a run never continues from a checkpoint that fails validation.

Guards: descentlab.training.checkpoint (load, validate, check_matches) and fit(resume=...).
"""

from __future__ import annotations

import copy
import functools
import struct

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from descentlab import EarlyStopping, Network, fit
from descentlab.errors import CheckpointError
from descentlab.io import tensorfile
from descentlab.training import checkpoint as ckpt

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                         HealthCheck.function_scoped_fixture])
FIT = dict(optimizer="adam", lr=0.01, batch_size=8, l2=0.05, keep_prob=0.9, seed=5, verbose=0)
X = np.random.default_rng(0).standard_normal((20, 2))
Y = (X[:, 0] > 0).astype(int)


@functools.lru_cache(maxsize=1)
def _valid(tmp="/tmp") -> bytes:
    import tempfile
    from pathlib import Path
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "run.ckpt"
        fit(Network([2, 4, 1], seed=0), X, Y, epochs=3, checkpoint=path, checkpoint_every=3, **FIT)
        return path.read_bytes()


def _resume(tmp_path, data: bytes) -> None:
    """Resume from ``data``: either it resumes, or CheckpointError and the network is untouched."""
    path = tmp_path / "fuzz.ckpt"
    path.write_bytes(data)
    net = Network([2, 4, 1], seed=1)
    before = net.theta.copy()
    try:   # with early stopping: a hostile callbacks state meets a callback that restores it
        fit(net, X, Y, epochs=5, resume=path, early_stopping=EarlyStopping(patience=100, monitor="cost"), **FIT)
    except CheckpointError:
        assert np.array_equal(net.theta, before), "a refused checkpoint changed the network"
        return
    doc, arrays = ckpt.load(path)        # it resumed: so the checkpoint passes every check
    ckpt.validate(doc, path)


@FUZZ
@given(data=st.binary(max_size=2048))
def test_random_bytes(tmp_path, data):
    try:
        ckpt.load(_write(tmp_path, data))
    except CheckpointError:
        pass


def _write(tmp_path, data):
    path = tmp_path / "random.ckpt"
    path.write_bytes(data)
    return path


@FUZZ
@given(data=st.data())
def test_mutated_valid_checkpoints(tmp_path, data):
    valid = bytearray(_valid())
    for _ in range(data.draw(st.integers(1, 6))):
        kind = data.draw(st.sampled_from(["flip", "cut", "insert", "splice_len", "zero_tail"]))
        pos = data.draw(st.integers(0, len(valid) - 1))
        if kind == "flip":
            valid[pos] = data.draw(st.integers(0, 255))
        elif kind == "cut":
            del valid[pos:pos + data.draw(st.integers(1, 64))]
        elif kind == "insert":
            valid[pos:pos] = data.draw(st.binary(min_size=1, max_size=32))
        elif kind == "zero_tail":
            n = data.draw(st.integers(1, 400))
            valid[-n:] = bytes(n)
        else:
            valid[:8] = struct.pack("<Q", data.draw(st.integers(0, 2**64 - 1)))
        if not valid:
            break
    _resume(tmp_path, bytes(valid))


json_values = st.recursive(st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False, allow_infinity=False) |
                           st.text(max_size=8),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                           max_leaves=20)
FIELDS = ["callbacks", "format_version", "model", "fit", "epoch", "accum", "shuffle_state", "dropout_state", "optimizer",
          "history", "callbacks", "data", "skipped"]


@FUZZ
@given(changes=st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=3),
       drop=st.lists(st.sampled_from(FIELDS), max_size=2),
       numbers=st.dictionaries(st.sampled_from(["epoch", "t", "step", "seen"]), st.integers(-5, 40), max_size=2),
       callback=st.none() | st.dictionaries(st.sampled_from(["best", "best_epoch", "wait", "other"]), json_values))
def test_hostile_checkpoint_headers(tmp_path, changes, drop, numbers, callback):
    """Valid checksums, hostile fields: only validation stands between them and the run."""
    path = tmp_path / "valid.ckpt"
    path.write_bytes(_valid())
    doc, arrays = tensorfile.read(path, ckpt.FORMAT)
    doc = copy.deepcopy(doc)
    doc.update(changes)
    for field in drop:
        doc.pop(field, None)
    if "epoch" in numbers:
        doc["epoch"] = numbers["epoch"]
    if "t" in numbers and isinstance(doc.get("optimizer"), dict):
        doc["optimizer"]["t"] = numbers["t"]
    if {"step", "seen"} & set(numbers):
        doc["accum"] = {"step": numbers.get("step", 1), "loss": 0.5, "l2": 0.0, "correct": 1.0, "seen": numbers.get("seen", 8)}
    if callback is not None:
        doc["callbacks"] = {"0": callback}      # the early stopping of the resuming run restores it
    tensorfile.write(path, ckpt.FORMAT, doc, arrays)
    _resume(tmp_path, path.read_bytes())


@FUZZ
@given(drop=st.lists(st.sampled_from(["theta", "optimizer.v", "optimizer.s"]), max_size=2),
       dtype=st.sampled_from([np.float64, np.float32]), extra=st.booleans(), cut=st.integers(0, 3))
def test_hostile_checkpoint_tensors(tmp_path, drop, dtype, extra, cut):
    path = tmp_path / "valid.ckpt"
    path.write_bytes(_valid())
    doc, arrays = tensorfile.read(path, ckpt.FORMAT)
    arrays = {k: v.astype(dtype)[:len(v) - cut] for k, v in arrays.items() if k not in drop}
    if extra:
        arrays["optimizer.extra"] = np.zeros(3)
    if arrays:
        tensorfile.write(path, ckpt.FORMAT, doc, arrays)
    _resume(tmp_path, path.read_bytes())


@FUZZ
@given(callback=st.dictionaries(st.sampled_from(["best", "best_epoch", "wait", "other"]), json_values, max_size=4))
def test_hostile_callback_states(tmp_path, callback):
    """Only the saved state of the resuming run's early stopping is hostile."""
    path = tmp_path / "valid.ckpt"
    path.write_bytes(_valid())
    doc, arrays = tensorfile.read(path, ckpt.FORMAT)
    doc["callbacks"] = {"0": callback}
    tensorfile.write(path, ckpt.FORMAT, doc, arrays)
    _resume(tmp_path, path.read_bytes())
