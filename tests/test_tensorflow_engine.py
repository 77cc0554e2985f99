"""fit(engine="tensorflow"): a descentlab model at the end, checkpoints, the guard, a missing TensorFlow."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import numpy as np
import pytest

from descentlab import EngineUnavailableError, Network, fit
from descentlab.errors import InputError, NonFiniteError


def _data(m=120, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, 4))
    y = (X[:, 0] * X[:, 1] + 0.3 * X[:, 2] > 0).astype(np.int64)
    return X, y


def _net(seed=1, dtype="float64"):
    return Network([4, 8, 5, 1], hidden="relu", output="sigmoid", init="he", seed=seed, dtype=dtype)


FIT = dict(optimizer="adam", lr=0.02, batch_size=16, l2=0.1, keep_prob=0.8, seed=5, verbose=0, engine="tensorflow")


# ------------------------------------------------------------------------ TensorFlow missing
def test_import_of_the_engine_module_does_not_import_tensorflow():
    code = ("import sys, descentlab.engines.tensorflow_engine, descentlab; "
            "assert 'tensorflow' not in sys.modules, 'tensorflow imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_missing_tensorflow_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorflow", None)  # `import tensorflow` now raises ImportError
    X, y = _data(20)
    with pytest.raises(EngineUnavailableError) as info:
        fit(_net(), X, y, epochs=1, batch_size=10, verbose=0, engine="tensorflow")
    message = str(info.value)
    assert "\n" not in message and "pip install 'descentlab[tensorflow]'" in message
    assert isinstance(info.value, ImportError)


# --------------------------------------------------------------------------- with TensorFlow
pytest.importorskip("tensorflow")
from descentlab.engines import tensorflow_engine as tfe  # noqa: E402


def test_signs_subset_learns_and_returns_an_ordinary_model(tmp_path):
    from descentlab import Standardize, load
    from descentlab.datasets import load_signs

    data = load_signs()
    rng = np.random.default_rng(0)
    idx = np.concatenate([rng.choice(np.flatnonzero(data.y_train == k), 40, replace=False) for k in range(6)])
    X, y = data.X_train[idx], data.y_train[idx]  # 240 photos, 40 per class
    net = Network([12288, 25, 12, 6], hidden="relu", output="softmax", init="he", seed=1, dtype="float32",
                  preprocessing=Standardize.fit(X))
    h = fit(net, X, y, optimizer="adam", lr=3e-4, epochs=6, batch_size=32, seed=0, verbose=0, engine="tensorflow")
    assert h["cost"][-1] < 0.5 * h["cost"][0]
    assert h["accuracy"][-1] > 0.6 and net.accuracy(X, y) > 0.6
    assert net.accuracy(data.X_test, data.y_test) > 0.4  # unseen photos; chance is 1/6
    assert net.theta.dtype == np.float32 and net.info["training"]["engine"] == "tensorflow"
    # the NumPy buffer holds the trained weights: predict, save and load act on them
    assert np.allclose(net.forward(X[:20]), tfe.forward(net, X[:20]), rtol=1e-5, atol=1e-5)
    path = tmp_path / "signs.dl"
    net.save(path)
    assert np.array_equal(load(path).predict(X[:20]), net.predict(X[:20]))


def test_resume_from_a_checkpoint_equals_an_uninterrupted_run(tmp_path):
    X, y = _data()
    Xv, yv = _data(40, seed=2)
    ref = _net()
    h_ref = fit(ref, X, y, epochs=6, validation_data=(Xv, yv), **FIT)
    ck = tmp_path / "run.ckpt"
    fit(_net(), X, y, epochs=3, validation_data=(Xv, yv), checkpoint=ck, checkpoint_every=3, **FIT)
    resumed = _net(seed=99)  # other initial weights: the checkpoint overwrites them
    h = fit(resumed, X, y, epochs=6, validation_data=(Xv, yv), resume=ck, **FIT)
    assert np.array_equal(resumed.theta, ref.theta)
    assert h["cost"] == h_ref["cost"] and h["val_cost"] == h_ref["val_cost"] and len(h) == 6


def test_checkpoint_holds_the_numpy_engines_arrays_and_engines_can_swap_on_resume(tmp_path):
    from descentlab.training.checkpoint import load

    X, y = _data()
    settings = {**FIT, "optimizer": "adamw", "engine": "numpy"}
    ref = _net()
    fit(ref, X, y, epochs=4, **settings)
    ck_np, ck_tf = tmp_path / "np.ckpt", tmp_path / "tf.ckpt"
    fit(_net(), X, y, epochs=2, checkpoint=ck_np, checkpoint_every=2, **settings)
    fit(_net(), X, y, epochs=2, checkpoint=ck_tf, checkpoint_every=2, **{**settings, "engine": "tensorflow"})
    (doc_np, arr_np), (doc_tf, arr_tf) = load(ck_np), load(ck_tf)
    assert sorted(arr_np) == sorted(arr_tf) == ["optimizer.decay_mask", "optimizer.s", "optimizer.v", "theta"]
    assert doc_np["optimizer"] == doc_tf["optimizer"] == {"t": 16}
    for k in arr_np:
        assert arr_tf[k].dtype == arr_np[k].dtype
        assert np.allclose(arr_tf[k], arr_np[k], rtol=1e-12, atol=1e-15)
    swapped = _net()  # a NumPy checkpoint, continued by TensorFlow
    fit(swapped, X, y, epochs=4, resume=ck_np, **{**settings, "engine": "tensorflow"})
    assert np.allclose(swapped.theta, ref.theta, rtol=1e-12, atol=1e-14)


def test_ctrl_c_mid_epoch_stops_between_chunks_and_resumes_identically(tmp_path, monkeypatch):
    X, y = _data(200)  # 13 steps per epoch
    ref = _net()
    fit(ref, X, y, epochs=3, **FIT)

    monkeypatch.setattr(tfe, "CHUNK_STEPS", 4)
    calls = []
    draw = tfe.TensorFlowRunner._draw_masks

    def draw_and_interrupt(self, s0, s1):
        calls.append(s0)
        if len(calls) == 6:  # the second chunk of the second epoch (steps 4-7) is about to run
            os.kill(os.getpid(), signal.SIGINT)
        return draw(self, s0, s1)

    monkeypatch.setattr(tfe.TensorFlowRunner, "_draw_masks", draw_and_interrupt)
    ck = tmp_path / "mid.ckpt"
    h = fit(_net(), X, y, epochs=3, checkpoint=ck, **FIT)
    assert h.interrupted and len(h) == 1
    from descentlab.training.checkpoint import load
    doc, _ = load(ck)
    assert doc["epoch"] == 1 and doc["accum"]["step"] == 8
    monkeypatch.setattr(tfe.TensorFlowRunner, "_draw_masks", draw)
    resumed = _net()
    fit(resumed, X, y, epochs=3, resume=ck, **FIT)
    assert np.array_equal(resumed.theta, ref.theta)


# ---------------------------------------------------------------------- the non-finite guard
def _diverging(engine, policy, lr=5.0):
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((100, 4)) * 1e3, rng.standard_normal(100) * 1e3
    net = Network([4, 8, 1], hidden="relu", output="linear", seed=1)
    try:
        h = fit(net, X, y, optimizer="gd", lr=lr, epochs=5, batch_size=10, seed=3, verbose=0, engine=engine,
                on_nonfinite=policy, max_skips=3)
        return net, ("finished", h.stop_reason, len(h))
    except NonFiniteError as err:
        return net, ("raised", err.epoch, err.step, str(err))


@pytest.mark.parametrize("policy", ["raise", "stop", "skip"])
def test_non_finite_guard_behaves_like_the_numpy_engine(policy):
    ref, out_ref = _diverging("numpy", policy)
    got, out = _diverging("tensorflow", policy)
    assert out == out_ref
    assert np.isfinite(got.theta).all() and np.allclose(got.theta, ref.theta, rtol=1e-12, atol=0)


def test_an_overflowing_update_falls_back_to_the_start_of_the_epoch():
    ref, out_ref = _diverging("numpy", "raise", lr=1e305)
    got, out = _diverging("tensorflow", "raise", lr=1e305)
    assert out == out_ref and "start of epoch 0" in out[3]
    assert np.array_equal(got.theta, ref.theta) and np.array_equal(got.theta, _net_initial())


def _net_initial():
    return Network([4, 8, 1], hidden="relu", output="linear", seed=1).theta


# ------------------------------------------------------------------------------- the rest
def test_early_stopping_restores_the_best_weights_into_both_buffers():
    X, y = _data()
    Xv, yv = _data(40, seed=3)
    net = _net()
    h = fit(net, X, y, epochs=40, validation_data=(Xv, yv), early_stopping=3, **{**FIT, "lr": 0.1})
    best = h.best_epoch
    assert best is not None
    assert np.isclose(net.cost(Xv, yv).data, h["val_cost"][best], rtol=1e-12)


def test_custom_optimizer_rules_are_refused():
    from dataclasses import dataclass

    from descentlab import GD

    @dataclass(frozen=True)
    class Halving(GD):
        def update(self, theta, grad, state, lr):
            super().update(theta, grad, state, lr / 2)

    X, y = _data(20)
    with pytest.raises(InputError, match="optimizer"):
        fit(_net(), X, y, optimizer=Halving(lr=0.1), epochs=1, batch_size=10, verbose=0, engine="tensorflow")


def test_linear_output_float32_and_full_batch():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((80, 3)).astype(np.float32)
    y = (X @ np.array([1.0, -2.0, 0.5]) + 0.1).astype(np.float32)
    net = Network([3, 6, 1], hidden="tanh", output="linear", seed=0, dtype="float32")
    h = fit(net, X, y, optimizer="momentum", lr=0.1, epochs=60, batch_size=None, seed=0, verbose=0,
            engine="tensorflow")
    assert h["accuracy"][-1] is None and h["cost"][-1] < 0.1 * h["cost"][0]


# ------------------------------------------------------------------------ start-up noise
def test_training_with_tensorflow_prints_no_start_up_noise(tmp_path):
    """TensorFlow's C++ libraries print absl's preamble and the oneDNN notice (twice) when they load;
    import_tensorflow drops exactly those lines."""
    import descentlab
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    env["PYTHONPATH"] = str(os.path.dirname(os.path.dirname(descentlab.__file__)))  # the tree under test
    proc = subprocess.run([sys.executable, "-m", "descentlab.cli.main", "train", "moons", "--layers", "2,3,1",
                           "--epochs", "2", "--engine", "tensorflow", "--quiet", "--out", str(tmp_path / "m.safetensors")],
                          capture_output=True, text=True, env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "absl::InitializeLog" not in proc.stderr and "oneDNN" not in proc.stderr and "port.cc" not in proc.stderr
    assert [ln for ln in proc.stderr.splitlines() if not ln.startswith("data: ")] == [], proc.stderr
    assert proc.stdout.startswith("moons: 2 epochs")


def test_the_start_up_filter_drops_only_the_known_lines():
    from descentlab.engines.tensorflow_engine import _STARTUP_NOISE
    noise = ["WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
             "I0000 00:00:1796020246.000906   24008 port.cc:153] oneDNN custom operations are on. You may see "
             "slightly different numerical results due to floating-point round-off errors from different "
             "computation orders. To turn them off, set the environment variable `TF_ENABLE_ONEDNN_OPTS=0`.",
             "I0000 00:00:1796020226.408553   23915 cpu_feature_guard.cc:227] This TensorFlow binary is optimized "
             "to use available CPU instructions in performance-critical operations.",
             "To enable the following instructions: AVX2 FMA, in other operations, rebuild TensorFlow with the "
             "appropriate compiler flags."]
    kept = ["E0000 00:00:1796020246.000906   24008 cuda_dnn.cc:8310] Unable to register cuDNN factory",
            "Traceback (most recent call last):", "ImportError: libcudart.so.12: cannot open shared object file",
            "W0000 00:00:1 123 something_else.cc:1] a warning worth seeing"]
    assert all(_STARTUP_NOISE.match(line) for line in noise)
    assert not any(_STARTUP_NOISE.match(line) for line in kept)
