"""fit: mini-batches, history, validation, early stopping, the non-finite guard, checkpoints and resume."""

from __future__ import annotations

import json
import os
import signal

import numpy as np
import pytest

from descentlab import Callback, EarlyStopping, Network, NonFiniteError, fit, minibatches
from descentlab.training.batching import Shuffler, batch_bounds


def _data(m=120, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, 2))
    y = (X[:, 0] ** 2 + X[:, 1] > 0.5).astype(int)
    return X, y


def _net(seed=3, **kw):
    return Network([2, 8, 4, 1], seed=seed, **kw)


# ------------------------------------------------------------------ mini-batches
@pytest.mark.parametrize("m,size,expected", [(148, 64, [64, 64, 20]), (128, 64, [64, 64]), (5, 1, [1] * 5),
                                              (10, None, [10]), (10, 50, [10])])
def test_partition_sizes(m, size, expected):
    X, y = np.arange(m * 2).reshape(m, 2), np.arange(m)
    batches = list(minibatches(X, y, size, np.random.default_rng(0)))
    assert [len(xb) for xb, _ in batches] == expected
    seen = np.concatenate([yb for _, yb in batches])
    assert sorted(seen.tolist()) == list(range(m))  # every example exactly once
    for xb, yb in batches:
        assert np.array_equal(xb[:, 0] // 2, yb)  # X and y shuffled together


def test_course_shuffle_reproduces_the_course_permutations():
    sh = Shuffler("course", 300)
    state = np.random.get_state()
    try:
        for epoch in range(3):
            np.random.seed(10 + 1 + epoch)
            assert np.array_equal(sh.permutation(epoch), np.random.permutation(300))
    finally:
        np.random.set_state(state)


def test_batch_bounds():
    assert batch_bounds(148, 64) == [(0, 64), (64, 128), (128, 148)]


# ------------------------------------------------------------------ fit and history
def test_fit_learns_moons_and_records_history(moons):
    X, y = moons
    net = Network([2, 5, 2, 1], seed=3)
    h = fit(net, X, y, optimizer="adam", lr=0.01, epochs=200, batch_size=64, seed=0, verbose=0,
            validation_data=(X[:50], y[:50]))
    assert len(h) == 200 and h["epoch"][-1] == 199
    assert h["cost"][-1] < h["cost"][0] * 0.6
    assert net.accuracy(X, y) > 0.85
    assert h["accuracy"][-1] > 0.8 and h["val_accuracy"][-1] is not None
    assert all(t > 0 for t in h["time"]) and set(h["lr"]) == {0.01}
    doc = json.loads(json.dumps(h.to_dict()))
    assert doc["history"]["cost"] == h["cost"] and doc["seed"] == 0


def test_history_cost_terms_with_l2():
    X, y = _data()
    h = fit(_net(), X, y, lr=0.01, epochs=3, l2=0.5, seed=0, verbose=0)
    for c, d, r in zip(h["cost"], h["cost_data"], h["cost_l2"]):
        assert r > 0 and c == pytest.approx(d + r)


def test_full_batch_cost_matches_the_network_cost():
    X, y = _data()
    net = _net()
    before = net.cost(X, y, l2=0.3).total
    h = fit(net, X, y, optimizer="gd", lr=0.1, epochs=1, batch_size=None, l2=0.3, seed=0, verbose=0)
    assert h["cost"][0] == pytest.approx(before, rel=1e-12)


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


def test_print_every_prints_like_the_course(capsys):
    X, y = _data()
    fit(_net(), X, y, epochs=5, print_every=2, verbose=0, seed=0)
    lines = capsys.readouterr().out.splitlines()
    assert [ln.split(":")[0] for ln in lines] == ["Cost after epoch 0", "Cost after epoch 2", "Cost after epoch 4"]


def test_schedule_is_applied_per_epoch():
    X, y = _data()
    h = fit(_net(), X, y, optimizer="gd", lr=0.4, epochs=4, schedule={"name": "inverse_time", "rate": 1.0},
            seed=0, verbose=0)
    assert h["lr"] == pytest.approx([0.4, 0.2, 0.4 / 3, 0.1])


def test_batch_size_larger_than_m_uses_one_batch_of_everything():
    X, y = _data(m=20)
    a, b = _net(), _net()
    fit(a, X, y, optimizer="gd", epochs=3, batch_size=64, verbose=0, seed=0)
    fit(b, X, y, optimizer="gd", epochs=3, batch_size=None, verbose=0, seed=0)
    assert np.allclose(a.theta, b.theta, rtol=1e-12, atol=1e-15)  # equal up to the order of the sum


def test_early_stopping_restores_the_best_weights():
    X, y = _data(200)
    Xv, yv = _data(100, seed=1)
    best = {}

    class Spy(Callback):
        def on_epoch_end(self, epoch, logs, run):
            best.setdefault("costs", []).append(logs["val_cost"])
            if logs["val_cost"] == min(best["costs"]):
                best["theta"] = run.net.theta.copy()

    net = _net()
    h = fit(net, X, y, lr=0.2, epochs=200, batch_size=16, seed=0, verbose=0, validation_data=(Xv, yv),
            callbacks=[Spy()], early_stopping=EarlyStopping(patience=3))
    assert h.stop_reason and "early stopping" in h.stop_reason
    assert h.best_epoch == int(np.argmin(best["costs"]))
    assert np.array_equal(net.theta, best["theta"])


def test_early_stopping_restores_best_even_when_patience_never_ran_out():
    X, y = _data(200)
    Xv, yv = _data(100, seed=1)
    net = _net()
    h = fit(net, X, y, lr=0.5, epochs=15, batch_size=8, seed=0, verbose=0, validation_data=(Xv, yv),
            early_stopping=100)
    assert h.stop_reason is None
    assert net.cost(Xv, yv).data == pytest.approx(min(h["val_cost"]), rel=1e-12)


def test_early_stopping_needs_validation():
    X, y = _data()
    with pytest.raises(ValueError, match="early_stopping"):
        fit(_net(), X, y, epochs=2, early_stopping=3, verbose=0)


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
    settings = {k: v for k, v in FIT.items() if k not in ("optimizer", "lr")}
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
