"""The playground without a server: settings and their URL, data, sessions, frames, exports, live conclusions."""

from __future__ import annotations

import io
import tomllib

import numpy as np
import pytest

import descentlab as dl
from descentlab.datasets import load
from descentlab.errors import InputError
from descentlab.experiments import PRESETS, comparison_from_dict, load_comparison, render_report, run_experiment
from descentlab.experiments.links import decode_value, encode_value, fragment, openable, playground_url
from descentlab.playground import url_for
from descentlab.playground import exports, frames
from descentlab.playground.data import FEATURES, make_data
from descentlab.playground.limits import Limits
from descentlab.playground.live import live_conclusions
from descentlab.playground.session import Session
from descentlab.playground.state import (
    DEFAULTS,
    normalize,
    parse_fragment,
    preset_settings,
    run_configs,
    to_fragment,
)

L = Limits()


def _session(**changes):
    return Session(normalize(changes, L), L)


# ------------------------------------------------------------------------------------ settings
def test_defaults_are_checked_and_layers_follow_the_features():
    s = normalize({"features": ["x1", "x2", "x1sq"], "layers": [9, 4, 7]}, L)
    assert s["layers"] == [3, 4, 1] and s["features"] == ["x1", "x2", "x1sq"]
    assert normalize({}, L)["layers"] == DEFAULTS["layers"]


@pytest.mark.parametrize("bad,match", [
    ({"lr": -1}, "lr: expected"), ({"lr": "fast"}, "lr"), ({"hidden": "swish"}, "hidden"), ({"init": "orthogonal"}, "init"),
    ({"optimizer": "lbfgs"}, "optimizer"), ({"batch_size": 0}, "batch_size"), ({"keep_prob": 0}, "keep_prob"),
    ({"l2": -0.1}, "l2"), ({"seed": -3}, "seed"), ({"data": "mnist"}, "data"), ({"noise": 2}, "noise"),
    ({"split": 0.95}, "split"), ({"features": []}, "features"), ({"features": ["x3"]}, "features"),
    ({"n": 10**6}, "n"), ({"layers": [2, 33, 1]}, "at most 32 units"), ({"layers": [2] + [2] * 7 + [1]}, "hidden layers"),
    ({"layers": [2, 32, 32, 32, 32, 1]}, "2500 parameters"), ({"speed": 3}, "playground setting"),
    ({"arms": [{"name": "a", "lr": 0.1, "init": "zeros"}]}, "ONE factor"),
    ({"arms": [{"name": str(k), "seed": k} for k in range(5)]}, "at most 4"),
    ({"arms": [{"name": "a", "seed": 1}, {"name": "a", "seed": 2}]}, "name"),
    ({"arms": [{"name": "a", "dtype": "float32"}]}, "run setting"),
    ({"schedule": {"name": "staircase", "rate": -1}}, "schedule"), ({"preset": "signs"}, "preset"),
])
def test_bad_values_name_the_setting(bad, match):
    with pytest.raises((InputError, TypeError, ValueError), match=match):
        normalize(bad, L)


def test_the_url_holds_every_setting_and_reads_back():
    s = normalize({"data": "spiral", "noise": 0.15, "split": 0.3, "dseed": 7, "n": 500,
                   "features": ["x1", "x2", "sinx1"], "layers": [3, 8, 8, 1], "hidden": "tanh", "init": "lecun",
                   "init_scale": 0.5, "optimizer": "momentum", "beta": 0.8, "lr": 0.03,
                   "schedule": {"name": "staircase", "rate": 1, "interval": 50, "delay": 1}, "batch_size": None,
                   "l2": 0.01, "keep_prob": [0.9, 0.8], "seed": 123, "epochs": 400,
                   "arms": [{"name": "tanh", "hidden": "tanh"}, {"name": "relu", "hidden": "relu"}], "title": "t & u"}, L)
    frag = to_fragment(s)
    assert parse_fragment(frag, L) == s
    assert parse_fragment("#" + frag, L) == s


def test_a_preset_url_is_its_name_and_expands_to_the_course_settings():
    s = normalize(preset_settings("initialization"), L)
    assert to_fragment(s) == "preset=initialization"
    assert parse_fragment("preset=initialization", L) == s
    assert [a["init"] for a in s["arms"]] == ["zeros", "random", "he"] and s["epochs"] == 15000
    assert s["batch_size"] is None and s["optimizer"] == "gd" and s["lr"] == 0.01 and s["seed"] == 3
    changed = parse_fragment("preset=initialization&lr=0.02", L)
    assert changed["lr"] == 0.02 and to_fragment(changed) == "preset=initialization&lr=0.02"


@pytest.mark.parametrize("frag,match", [("colour=red", "playground setting"), ("lr=abc", "lr"),
                                        ("arms=[{", "JSON"), ("n=ten", "n"), ("preset=nope", "preset")])
def test_bad_urls_are_refused_with_a_message(frag, match):
    with pytest.raises((InputError, TypeError, ValueError), match=match):
        parse_fragment(frag, L)


def test_value_codec_matches_the_toml_settings():
    for key, value in [("layers", [2, 10, 1]), ("batch_size", None), ("keep_prob", [0.9, 0.8]), ("lr", 0.0007),
                       ("schedule", {"name": "staircase", "rate": 1, "interval": 1000, "delay": 1}), ("hidden", "relu")]:
        assert decode_value(key, encode_value(key, value)) == value


def test_links_open_the_course_comparisons_and_2d_toml_comparisons():
    assert playground_url(PRESETS["initialization"]) == "http://127.0.0.1:8765/#preset=initialization"
    assert url_for("optimization", port=9000, token="abcdefgh") == "http://127.0.0.1:9000/?token=abcdefgh#preset=optimization"
    assert playground_url(PRESETS["gradient-checking"]) is None and "gradcheck" in openable(PRESETS["gradient-checking"])
    assert playground_url(PRESETS["signs"]) is None
    exp = load_comparison("examples/batch-size-comparison.toml")
    s = parse_fragment(fragment(exp), L)
    assert s["data"] == exp.dataset and [a["name"] for a in s["arms"]] == [a.name for a in exp.arms]
    assert [a.get("batch_size") for a in s["arms"]] == [a.overrides["batch_size"] for a in exp.arms]
    assert s["layers"] == list(exp.base["layers"]) and s["lr"] == exp.base["lr"]
    assert "5 arms" in openable(load_comparison("examples/regularization-comparison.toml"))
    url = url_for(settings={"data": "xor", "lr": 0.1})
    assert "data=xor" in url and "lr=0.1" in url


# ------------------------------------------------------------------------------------ data
def test_course_data_keeps_its_split_and_noise_jitters_it():
    d = make_data({"data": "circles"})
    course = load("circles")
    assert np.array_equal(d.X_train, course.X_train) and np.array_equal(d.X_test, course.X_test)
    noisy = make_data({"data": "circles", "noise": 0.1, "dseed": 3})
    assert noisy.X_train.shape == d.X_train.shape and not np.array_equal(noisy.X_train, d.X_train)
    assert np.array_equal(noisy.y_train, d.y_train)
    resplit = make_data({"data": "moons", "split": 0.2})
    assert len(resplit.X_test) == 60 and len(resplit.X_train) == 240
    assert make_data({"data": "moons"}).X_test is None


def test_features_are_tensorflow_playgrounds():
    d = make_data({"data": "xor", "n": 50, "features": list(FEATURES)})
    Z = d.inputs(d.X_train)
    x1, x2 = d.X_train[:, 0], d.X_train[:, 1]
    assert np.allclose(Z, np.column_stack([x1, x2, x1 ** 2, x2 ** 2, x1 * x2, np.sin(x1), np.sin(x2)]))
    assert d.dataset().X_train.shape == (25, 7)


# ------------------------------------------------------------------------------------ sessions
def test_a_run_is_the_network_and_streams_its_seed_gives():
    s = _session(layers=[2, 6, 1], seed=11, init="he")
    net = dl.Network([2, 6, 1], init="he", seed=11)
    assert np.array_equal(s.runs[0].net.theta, net.theta)
    s.playing = True
    for _ in range(20):
        s.turn(0.002)
    assert s.runs[0].stepper.steps > 0
    s.reset()
    assert np.array_equal(s.runs[0].net.theta, net.theta) and s.runs[0].stepper.steps == 0


def test_runs_of_a_comparison_advance_in_lockstep_by_epochs():
    s = _session(data="moons", layers=[2, 5, 2, 1], arms=[{"name": "full", "batch_size": None},
                                                          {"name": "64", "batch_size": 64}, {"name": "sgd", "batch_size": 1}])
    s.playing = True
    for _ in range(30):
        s.turn(0.003)
    progress = [r.progress for r in s.runs]
    assert max(progress) - min(progress) <= 1.0 + 1e-9  # within one step of the slowest-stepping run
    s.step(epochs=True)
    assert len({r.stepper.epoch for r in s.runs}) == 1 and all(r.stepper.step_in_epoch == 0 for r in s.runs)


def test_training_pauses_at_the_epochs_asked():
    s = _session(data="moons", layers=[2, 3, 1], epochs=7, batch_size=100)
    s.playing = True
    while s.playing:
        s.turn(0.01)
    assert s.runs[0].stepper.epoch == 7 and s.runs[0].stepper.step_in_epoch == 0 and s.done


def test_live_changes_skip_the_arms_that_set_them():
    s = _session(arms=[{"name": "slow", "lr": 0.001}, {"name": "base", "seed": 2}])
    s.step()
    s.set_live({"lr": 0.05, "l2": 0.1})
    assert s.runs[0].stepper.cfg.optimizer.lr == 0.001 and s.runs[1].stepper.cfg.optimizer.lr == 0.05
    assert s.runs[0].stepper.cfg.l2 == 0.1 == s.runs[1].stepper.cfg.l2
    with pytest.raises(InputError, match="live"):
        s.set_live({"optimizer": "gd"})


def test_a_frame_carries_the_quantized_boundary_and_the_weights():
    s = _session(data="gaussian", layers=[2, 3, 1], dseed=1)
    s.step()
    kind, meta, arrays = frames.unpack(s.frame())
    run = s.runs[0]
    assert kind == "frame" and meta["runs"][0]["steps"] == 1 and arrays["b0"].shape == (L.grid ** 2,)
    grid = s.data.grid(L.grid)
    p = run.net.predict_proba(s.data.inputs(grid))
    assert np.abs(arrays["b0"].astype(int) - np.round(p * 255)).max() <= 1
    assert np.array_equal(arrays["theta"], run.net.theta.astype(np.float32))
    assert arrays["units"].size == (3 + 1) * L.unit_grid ** 2
    assert meta["diag"]["layers"][0]["units"] == 3
    k, dmeta, darrays = frames.unpack(s.data_message())
    assert k == "data" and darrays["xtr"].shape == (s.data.X_train.size,) and dmeta["kind"] == "binary"


def test_pack_and_quantize():
    data = frames.pack("x", {"a": 1}, [("u", np.arange(5, dtype=np.uint8)), ("f", np.array([1.5, -2.0]))])
    kind, meta, arrays = frames.unpack(data)
    assert kind == "x" and meta == {"a": 1} and list(arrays["u"]) == [0, 1, 2, 3, 4] and list(arrays["f"]) == [1.5, -2.0]
    assert list(frames.quantize(np.array([-1.0, 0.0, 0.5, 1.0, 2.0]), 0.0, 1.0)) == [0, 0, 128, 255, 255]
    q, scale = frames.quantize_symmetric(np.array([[-2.0, 0.0, 2.0], [0.0, 0.0, 0.0]]))
    assert q.tolist() == [[0, 128, 255], [128, 128, 128]] and scale.tolist() == [2.0, 0.0]


# ------------------------------------------------------------------------------------ exports
def _run_code(code):
    namespace = {}
    exec(compile(code, "<playground export>", "exec"), namespace)  # noqa: S102 - our own generated code
    return namespace


def test_python_export_reproduces_plain_runs_with_fit(capsys):
    s = _session(data="moons", layers=[2, 5, 2, 1], batch_size=64, optimizer="adam", lr=0.02, keep_prob=0.9, l2=0.05,
                 split=0.2, noise=0.1, features=["x1", "x2", "x1x2"])
    for _ in range(3):
        s.step(epochs=True)
    code = exports.python_code(s)
    assert "dl.fit(" in code and "dl.Stepper" not in code
    ns = _run_code(code)
    assert np.array_equal(ns["net"].theta, s.runs[0].net.theta)


def test_python_export_replays_live_changes_and_partial_epochs_exactly(capsys):
    s = _session(arms=[{"name": "a", "init": "he"}, {"name": "b", "init": "lecun"}], keep_prob=0.8, batch_size=32)
    s.set_live({"lr": 0.02})  # before the first step: the runs' start value
    for _ in range(7):
        s.step()
    s.set_live({"lr": 0.05, "keep_prob": 0.9})
    s.step()
    s.set_live({"l2": 0.3})
    for _ in range(3):
        s.step()
    code = exports.python_code(s)
    assert "run.set(lr=0.05, keep_prob=0.9)" in code and "run.set(l2=0.3)" in code and "lr=0.02" in code
    ns = _run_code(code)
    assert np.array_equal(ns["net"].theta, s.runs[1].net.theta)  # the last block is run "b"
    assert "Not bit for bit" in exports.toml_text(s)


def test_toml_export_is_a_comparison_descentlab_run_reproduces(tmp_path):
    s = Session(normalize(preset_settings("initialization"), L), L)
    s.settings["epochs"] = 4
    for _ in range(4):
        s.step(epochs=True)
    text = exports.toml_text(s)
    exp = comparison_from_dict(tomllib.loads(text), "exported.toml")
    assert exp.dataset == "circles" and [a.name for a in exp.arms] == ["zeros", "random", "he"]
    result = run_experiment(exp, figures=False)
    for run, arm in zip(s.runs, result.arms):
        assert np.array_equal(arm.first.net.theta, run.net.theta), arm.name


def test_toml_export_of_modified_data_points_at_the_data_file(tmp_path):
    s = _session(data="spiral", n=120, noise=0.1, features=["x1", "x2", "sinx1"], layers=[3, 6, 1], batch_size=16)
    for _ in range(2):
        s.step(epochs=True)
    text = exports.toml_text(s)
    name, data = exports.data_bytes(s)
    (tmp_path / name).write_bytes(data)
    (tmp_path / "c.toml").write_text(text)
    exp = load_comparison(tmp_path / "c.toml")
    result = run_experiment(exp, figures=False)
    assert np.array_equal(result.arms[0].first.net.theta, s.runs[0].net.theta)
    ds = load(str(tmp_path / name))
    assert np.array_equal(ds.X_train, s.dataset.X_train) and np.array_equal(ds.y_test, s.dataset.y_test)


def test_the_model_download_loads_with_descentlab_load(tmp_path):
    s = _session(data="xor", layers=[2, 4, 1])
    s.step(epochs=True)
    name, data = exports.model_bytes(s)
    assert name.endswith(".safetensors")
    (tmp_path / name).write_bytes(data)
    net = dl.load(tmp_path / name)
    assert np.array_equal(net.theta, s.runs[0].net.theta)
    assert net.info["playground"]["features"] == ["x1", "x2"] and net.info["training"]["epochs"] == 1
    np.load(io.BytesIO(exports.data_bytes(s)[1]), allow_pickle=False)


# ------------------------------------------------------------------------------------ conclusions
def test_live_conclusions_are_the_reports_conclusions():
    s = Session(normalize(preset_settings("initialization"), L), L)
    for _ in range(30):
        s.step(epochs=True)
    live = live_conclusions(s)
    assert live["preset"] == "initialization" and live["epochs"] == 30 and live["course_epochs"] == 15000
    assert live["differs"] == []
    assert [c["text"] for c in live["items"]][0].startswith("Zero initialization does not break symmetry")
    assert live["items"][0]["passed"] is True  # zeros: symmetric, 50 %, from the first epoch on
    s.set_live({"lr": 0.5})
    assert "lr" in live_conclusions(s)["differs"]
    assert live_conclusions(_session()) is None


def test_the_report_links_each_experiment_to_the_playground():
    result = run_experiment(PRESETS["initialization"], quick=True, figures=False)
    html = render_report([result])
    assert 'href="http://127.0.0.1:8765/#preset=initialization"' in html


def test_run_configs_are_the_experiment_configs():
    s = normalize(preset_settings("optimization"), L)
    configs = run_configs(s, "sigmoid")
    exp = PRESETS["optimization"]
    for (name, cfg), arm in zip(configs, exp.arms):
        want = exp.config(arm)
        assert name == arm.name
        for key in ("layers", "hidden", "init", "seed", "optimizer", "lr", "epochs", "batch_size", "shuffle", "l2",
                    "keep_prob", "beta", "beta1", "beta2", "epsilon", "schedule"):
            assert cfg.get(key) == want.get(key), (name, key)


def test_an_uploaded_regression_table_shows_its_surface():
    from descentlab.datasets import load_csv_text
    rng = np.random.default_rng(3)
    X = rng.uniform(-2, 2, size=(60, 2))
    text = "a,b,t\n" + "\n".join(f"{a:.5f},{b:.5f},{a * a - b + 0.123:.5f}" for a, b in X)
    upload = load_csv_text(text, "surface.csv")
    s = Session(normalize({"data": "upload", "layers": [2, 6, 1], "optimizer": "adam", "lr": 0.05}, L), L, upload)
    assert s.data.kind == "regression" and s.runs[0].net.output == "linear"
    first = s.runs[0].stats(True)["cost"]
    for _ in range(40):
        s.step(epochs=True)
    kind, meta, arrays = frames.unpack(s.frame())
    assert meta["runs"][0]["accuracy"] is None and meta["runs"][0]["cost"] < first
    assert arrays["b0"].min() < arrays["b0"].max()  # a surface, not a constant
    lo, hi = s.target
    assert lo == s.data.y_train.min() and hi == s.data.y_train.max()  # the colour scale: the training targets
