"""Checkpoints: damaged or tampered files are refused in one line, and a refused resume changes nothing.

Guards: descentlab.training.checkpoint (load, validate, check_matches) through fit(resume=...) and the CLI.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from descentlab import Network, fit
from descentlab.cli.main import main
from descentlab.errors import CheckpointError
from descentlab.io import tensorfile
from descentlab.training import checkpoint as ckpt

FIT = dict(optimizer="adam", lr=0.01, batch_size=16, l2=0.05, keep_prob=0.9, seed=5, verbose=0)


def _data(m=100):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((m, 2))
    return X, (X[:, 0] * X[:, 1] > 0).astype(int)


def _net(seed=3):
    return Network([2, 30, 30, 1], seed=seed)


@pytest.fixture
def saved(tmp_path):
    """A checkpoint at epoch 4 of 10 (its path, document and tensors)."""
    X, y = _data()
    path = tmp_path / "run.ckpt"
    fit(_net(), X, y, epochs=4, checkpoint=path, checkpoint_every=4, **FIT)
    doc, arrays = tensorfile.read(path, ckpt.FORMAT)
    return path, doc, arrays


def _resume_refused(path, words):
    """Resuming raises one CheckpointError line, and leaves the network exactly as it was."""
    X, y = _data()
    net = _net(seed=99)
    before = net.theta.copy()
    with pytest.raises(CheckpointError, match=words) as info:
        fit(net, X, y, epochs=10, resume=path, **FIT)
    assert "\n" not in str(info.value)
    assert np.array_equal(net.theta, before)   # nothing was restored from a refused checkpoint
    return str(info.value)


def _rewrite(path, doc, arrays):
    """A tampered checkpoint with VALID checksums: only validation can catch it."""
    tensorfile.write(path, ckpt.FORMAT, doc, arrays)


def test_a_valid_checkpoint_resumes(saved):
    path, _, _ = saved
    X, y = _data()
    ref = _net()
    fit(ref, X, y, epochs=10, **FIT)
    net = _net(seed=99)
    fit(net, X, y, epochs=10, resume=path, **FIT)
    assert np.array_equal(net.theta, ref.theta)


def test_zeroed_tensor_bytes_are_refused(saved):
    path, _, _ = saved
    data = bytearray(path.read_bytes())
    data[-4000:] = bytes(4000)                  # bit rot in the last 4000 tensor bytes
    path.write_bytes(bytes(data))
    message = _resume_refused(path, "checksum")
    assert "run.ckpt" in message


def _tamper(doc, arrays, change):
    doc, arrays = copy.deepcopy(doc), dict(arrays)
    change(doc, arrays)
    return doc, arrays


HOSTILE = {
    "epoch -50": (lambda d, a: d.update(epoch=-50), "epoch"),
    "epoch 1e9": (lambda d, a: d.update(epoch=10**9), "epoch"),
    "epoch float": (lambda d, a: d.update(epoch=4.0), "epoch"),
    "epoch past the run": (lambda d, a: d.update(epoch=11), "epoch"),
    "epoch != history": (lambda d, a: d.update(epoch=3), "history|epoch"),
    "garbage history": (lambda d, a: d.update(history="garbage"), "history"),
    "history values": (lambda d, a: d["history"]["history"]["cost"].__setitem__(0, "x"), "history"),
    "history short": (lambda d, a: d["history"]["history"]["lr"].pop(), "history"),
    "no optimizer": (lambda d, a: d.pop("optimizer"), "optimizer"),
    "no dropout_state": (lambda d, a: d.pop("dropout_state"), "dropout_state"),
    "no history": (lambda d, a: d.pop("history"), "history"),
    "no optimizer tensor": (lambda d, a: a.pop("optimizer.v"), "optimizer"),
    "optimizer t negative": (lambda d, a: d["optimizer"].update(t=-1), "optimizer"),
    "optimizer t inconsistent": (lambda d, a: d["optimizer"].update(t=3), "optimizer|step"),
    "bad dropout_state": (lambda d, a: d.update(dropout_state={"bit_generator": "PCG64", "state": 5}), "dropout_state"),
    "bad shuffle_state": (lambda d, a: d.update(shuffle_state=[1, 2]), "shuffle_state"),
    "accum step": (lambda d, a: d.update(accum={"step": 99, "loss": 0.0, "l2": 0.0, "correct": 0.0, "seen": 0}), "accum"),
    "accum keys": (lambda d, a: d.update(accum={"step": 1}), "accum"),
    "accum seen": (lambda d, a: d.update(accum={"step": 1, "loss": 1.0, "l2": 0.0, "correct": 1.0, "seen": 3}), "accum"),
    "skipped": (lambda d, a: d.update(skipped=[["x"]]), "skipped"),
    "callbacks": (lambda d, a: d.update(callbacks={"0": {"wait": "abc"}}), "callbacks"),
    "data": (lambda d, a: d.update(data=5), "data"),
    "format": (lambda d, a: d.update(format_version="1"), "version"),
    "model": (lambda d, a: d.update(model=None), "model|network"),
    "theta dtype": (lambda d, a: a.update(theta=a["theta"].astype(np.float32)), "theta|float"),
    "theta shape": (lambda d, a: a.update(theta=a["theta"][:-1]), "theta|shape"),
    "theta nan": (lambda d, a: a.update(theta=np.full_like(a["theta"], np.nan)), "theta|finite"),
    "unknown tensor": (lambda d, a: a.update(evil=np.zeros(3)), "evil"),
    "settings": (lambda d, a: d["fit"].update(l2=0.5), "settings"),
}


@pytest.mark.parametrize("case", list(HOSTILE), ids=list(HOSTILE))
def test_tampered_checkpoints_are_refused_in_one_line(saved, case):
    path, doc, arrays = saved
    change, words = HOSTILE[case]
    _rewrite(path, *_tamper(doc, arrays, change))
    _resume_refused(path, words)


def test_checkpoint_load_raises_only_the_checkpoint_error(tmp_path):
    for data in (b"", b"garbage", b"\x80\x04pickle"):
        (tmp_path / "x.ckpt").write_bytes(data)
        with pytest.raises(CheckpointError):
            ckpt.load(tmp_path / "x.ckpt")
    Network([2, 3, 1], seed=0).save(tmp_path / "model.safetensors")   # a model file is not a checkpoint
    with pytest.raises(CheckpointError, match="checkpoint"):
        ckpt.load(tmp_path / "model.safetensors")


def test_the_cli_refuses_a_damaged_checkpoint_in_one_line(tmp_path, capsys):
    ck = str(tmp_path / "run.ckpt")
    args = ["train", "moons", "--layers", "2,20,1", "--epochs", "4", "--quiet", "--checkpoint", ck, "--checkpoint-every", "2"]
    assert main(args) == 0
    data = bytearray((tmp_path / "run.ckpt").read_bytes())
    data[-100:] = bytes(100)
    (tmp_path / "run.ckpt").write_bytes(bytes(data))
    capsys.readouterr()
    assert main(args[:5] + ["8"] + args[6:] + ["--resume", ck]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "checksum" in err and "run.ckpt" in err


def test_interrupted_mid_epoch_checkpoints_still_validate(tmp_path):
    """The consistency rules hold for every checkpoint fit writes, including one written mid-epoch."""
    import os
    import signal

    from descentlab.training.callbacks import Callback

    X, y = _data(200)
    path = tmp_path / "mid.ckpt"

    class CtrlCAtStep(Callback):
        def on_epoch_end(self, epoch, logs, run):
            if epoch == 1:
                os.kill(os.getpid(), signal.SIGINT)

    fit(_net(), X, y, epochs=6, checkpoint=path, callbacks=[CtrlCAtStep()], **FIT)
    ref = _net()
    fit(ref, X, y, epochs=6, **FIT)
    net = _net(seed=99)
    fit(net, X, y, epochs=6, resume=path, **FIT)
    assert np.array_equal(net.theta, ref.theta)


def test_skipped_steps_keep_the_step_count_consistent(tmp_path):
    """With on_nonfinite='skip', t = steps taken - steps skipped; such checkpoints validate and resume."""
    X, y = _data()
    X = X.copy()
    X[5] = 1e200                                   # a batch whose cost overflows: skipped, not applied
    path = tmp_path / "skip.ckpt"
    settings = {**FIT, "on_nonfinite": "skip", "max_skips": 100, "shuffle": "none"}
    fit(_net(), X, y, epochs=3, checkpoint=path, checkpoint_every=3, **settings)
    doc, _ = ckpt.load(path)
    assert doc["skipped"] and doc["optimizer"]["t"] == 3 * 7 - len(doc["skipped"])
    fit(_net(), X, y, epochs=4, resume=path, **settings)


def test_callback_state_is_validated_before_anything_is_restored(saved):
    """A callback's saved state is checked with the rest: a bad 'best' is refused before theta is touched."""
    from descentlab import EarlyStopping
    path, doc, arrays = saved
    _rewrite(path, *_tamper(doc, arrays, lambda d, a: d.update(callbacks={"0": {"best": "abc", "best_epoch": None,
                                                                                  "wait": 0}})))
    X, y = _data()
    net = _net(seed=99)
    before = net.theta.copy()
    with pytest.raises(CheckpointError, match="best"):
        fit(net, X, y, epochs=10, resume=path, early_stopping=EarlyStopping(patience=2, monitor="cost"), **FIT)
    assert np.array_equal(net.theta, before)
