"""fit: seeds and streams, validation, the non-finite guard, checkpoints and resume (batching, history,
callbacks and schedules have their own files)."""

from __future__ import annotations

import os
import signal

import numpy as np
import pytest

from descentlab import Callback, Network, NonFiniteError, fit


def _data(m=120, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, 2))
    y = (X[:, 0] ** 2 + X[:, 1] > 0.5).astype(int)
    return X, y


def _net(seed=3, **kw):
    return Network([2, 8, 4, 1], seed=seed, **kw)




# ------------------------------------------------------------------ fit


def test_same_seed_same_run_and_streams_are_separate():
    X, y = _data()
    a, b = _net(), _net()
    fit(a, X, y, lr=0.01, epochs=5, seed=11, verbose=0)
    fit(b, X, y, lr=0.01, epochs=5, seed=11, verbose=0)
    assert np.array_equal(a.theta, b.theta)
    c = _net()
    fit(c, X, y, lr=0.01, epochs=5, seed=12, verbose=0)
    assert not np.array_equal(a.theta, c.theta)


def test_seed_none_is_recorded_and_reproduces():
    X, y = _data()
    a = _net()
    h = fit(a, X, y, epochs=2, seed=None, verbose=0)
    b = _net()
    fit(b, X, y, epochs=2, seed=h.seed, verbose=0)
    assert np.array_equal(a.theta, b.theta)


# ------------------------------------------------------------------ non-finite guard
def _diverging():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((100, 3)) * 100
    return X, X @ np.array([1.0, 2.0, 3.0])


def test_divergence_raises_with_epoch_step_and_cause():
    X, y = _diverging()
    net = Network([3, 4, 1], output="linear", seed=1)
    with pytest.raises(NonFiniteError) as info:
        fit(net, X, y, optimizer="gd", lr=0.1, epochs=100, verbose=0, seed=0)
    err = info.value
    assert f"epoch {err.epoch}, step {err.step}" in str(err)
    assert "learning rate (0.1) may be too high" in str(err) and "not scaled" in str(err)
    assert np.isfinite(net.theta).all()  # the last finite parameters were kept
    assert len(err.history) == err.epoch


def test_divergence_stop_and_skip_policies():
    X, y = _diverging()
    net = Network([3, 4, 1], output="linear", seed=1)
    h = fit(net, X, y, optimizer="gd", lr=0.1, epochs=100, verbose=0, seed=0, on_nonfinite="stop")
    assert "diverged" in h.stop_reason and len(h) < 100 and np.isfinite(net.theta).all()
    net = Network([3, 4, 1], output="linear", seed=1)
    with pytest.raises(NonFiniteError):
        fit(net, X, y, optimizer="gd", lr=0.1, epochs=100, verbose=0, seed=0, on_nonfinite="skip", max_skips=3)


# ------------------------------------------------------------------ checkpoints and resume
FIT = dict(optimizer="adam", lr=0.02, batch_size=16, l2=0.1, keep_prob=0.8, seed=5, verbose=0)


def test_resume_is_bit_identical(tmp_path):
    X, y = _data()
    Xv, yv = _data(50, seed=2)
    ref = _net()
    h_ref = fit(ref, X, y, epochs=12, validation_data=(Xv, yv), **FIT)
    ck = tmp_path / "run.ckpt"
    part = _net()
    fit(part, X, y, epochs=5, validation_data=(Xv, yv), checkpoint=ck, checkpoint_every=5, **FIT)
    resumed = _net(seed=99)  # different initial weights: the checkpoint must overwrite them
    h = fit(resumed, X, y, epochs=12, validation_data=(Xv, yv), resume=ck, **FIT)
    assert np.array_equal(resumed.theta, ref.theta)
    assert h["cost"] == h_ref["cost"] and len(h) == 12


def test_resume_refuses_other_settings_or_data(tmp_path):
    X, y = _data()
    ck = tmp_path / "run.ckpt"
    fit(_net(), X, y, epochs=2, checkpoint=ck, checkpoint_every=1, **FIT)
    with pytest.raises(ValueError, match="settings"):
        fit(_net(), X, y, epochs=4, resume=ck, **{**FIT, "lr": 0.5})
    with pytest.raises(ValueError, match="data"):
        fit(_net(), X * 2, y, epochs=4, resume=ck, **FIT)
    with pytest.raises(ValueError, match="checkpoint of"):
        fit(Network([2, 3, 1], seed=0), X, y, epochs=4, resume=ck, **FIT)


def test_ctrl_c_writes_a_checkpoint_mid_epoch_and_resume_is_bit_identical(tmp_path):
    X, y = _data(200)
    ref = _net()
    fit(ref, X, y, epochs=6, **FIT)

    class CtrlC(Callback):
        def on_epoch_end(self, epoch, logs, run):
            if epoch == 2:
                os.kill(os.getpid(), signal.SIGINT)  # delivered to fit's handler: stop after this step

    ck = tmp_path / "run.ckpt"
    net = _net()
    h = fit(net, X, y, epochs=6, checkpoint=ck, callbacks=[CtrlC()], **FIT)
    assert h.interrupted and ck.exists()
    resumed = _net()
    fit(resumed, X, y, epochs=6, resume=ck, **FIT)
    assert np.array_equal(resumed.theta, ref.theta)


def test_ctrl_c_inside_an_epoch_resumes_at_the_step(tmp_path):
    from dataclasses import dataclass

    from descentlab import Adam

    X, y = _data(200)  # 13 steps per epoch
    # the NumPy engine honours Ctrl-C after every step (the numba engine between its chunks of steps:
    # tests/test_engine_numba.py); an optimizer that overrides update() runs on the NumPy engine only
    settings = {**{k: v for k, v in FIT.items() if k not in ("optimizer", "lr")}, "engine": "numpy"}
    ref = _net()
    fit(ref, X, y, epochs=3, optimizer=Adam(lr=0.02), **settings)

    @dataclass(frozen=True)
    class CtrlCAtStep(Adam):  # same name and hyperparameters as Adam: the checkpoint matches Adam's settings
        def update(self, theta, grad, state, lr):
            super().update(theta, grad, state, lr)
            if state["t"] == 13 + 4:  # the fourth step of the second epoch
                os.kill(os.getpid(), signal.SIGINT)

    ck = tmp_path / "mid.ckpt"
    h = fit(_net(), X, y, epochs=3, optimizer=CtrlCAtStep(lr=0.02), checkpoint=ck, **settings)
    assert h.interrupted and len(h) == 1
    from descentlab.training.checkpoint import load
    doc, _ = load(ck)
    assert doc["epoch"] == 1 and doc["accum"]["step"] == 4
    resumed = _net()
    fit(resumed, X, y, epochs=3, optimizer=Adam(lr=0.02), resume=ck, **settings)
    assert np.array_equal(resumed.theta, ref.theta)


def test_checkpoint_files_are_atomic_and_safe(tmp_path):
    X, y = _data()
    ck = tmp_path / "run.ckpt"
    fit(_net(), X, y, epochs=3, checkpoint=ck, checkpoint_every=1, **FIT)
    assert [p.name for p in tmp_path.iterdir()] == ["run.ckpt"]  # no temporary files left behind
    from safetensors.numpy import load_file
    assert "theta" in load_file(str(ck))


def test_text_labels_are_classes_recorded_in_the_model(tmp_path):
    from descentlab import load
    from descentlab.errors import InputError
    rng = np.random.default_rng(0)
    X = rng.standard_normal((120, 2))
    species = np.array(["setosa", "versicolor", "virginica"])[(X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5)]
    net = Network([2, 8, 3], output="softmax", seed=0)
    fit(net, X, list(species), epochs=200, lr=0.05, seed=0, verbose=0, validation_data=(X[:20], species[:20]))
    assert net.class_names == ["setosa", "versicolor", "virginica"]  # sorted, as scikit-learn's classes_
    assert net.accuracy(X, species) > 0.9
    assert [net.class_names[k] for k in net.predict(X[:5])] == list(species[:5])
    net.save(tmp_path / "m.safetensors")
    back = load(tmp_path / "m.safetensors")
    assert back.class_names == net.class_names and back.accuracy(X, species) == net.accuracy(X, species)
    with pytest.raises(InputError, match=r"y: expected labels among the model's classes .*received the label 'daisy'"):
        back.accuracy(X[:2], ["setosa", "daisy"])
    with pytest.raises(InputError, match=r"expected 1 classes|expected 2 classes"):
        fit(Network([2, 3, 1], seed=0), X, species, epochs=1, verbose=0)
