"""Experiments: the course presets reproduce the course, every preset runs small, TOML comparisons validate strictly."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from descentlab.cli.main import main
from descentlab.errors import InputError
from descentlab.experiments import (
    PRESETS, Arm, Experiment, comparison_from_dict, get_experiment, load_comparison, run_experiment, write_outputs,
)

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _accuracies(result):
    return {a.name: (round(a.mean("train_accuracy"), 4), round(a.mean("test_accuracy"), 4)) for a in result.arms}


# ------------------------------------------------------------------------------ the course's numbers
def test_initialization_reproduces_the_course():
    result = run_experiment(PRESETS["initialization"], figures=False)
    assert _accuracies(result) == {"zeros": (0.5, 0.5), "random": (0.83, 0.86), "he": (0.9933, 0.96)}
    rand = result.arm("random").first
    assert np.isfinite(rand.initial_cost) and rand.initial_cost > 1000  # the course printed inf
    assert result.arm("zeros").first.extra["symmetric_layers"] == [1, 2]
    assert all(c.passed for c in result.conclusions) and result.passed


def test_regularization_reproduces_the_course():
    result = run_experiment(PRESETS["regularization"], figures=False)
    acc = _accuracies(result)
    assert acc["none"] == (0.9479, 0.915)
    assert acc["L2 0.7"] == (0.9384, 0.93)
    # fresh dropout masks every iteration (the course reused one): near, not equal to, the course's 0.95
    assert 0.92 <= acc["dropout 0.86"][1] <= 0.96
    assert all(c.passed for c in result.conclusions), [c for c in result.conclusions if not c.passed]


def test_gradient_checking_passes_the_right_pass_and_names_the_broken_parameters():
    result = run_experiment(PRESETS["gradient-checking"], figures=False)
    ok, bad = result.arm("correct").first.extra, result.arm("broken").first.extra
    assert ok["passed"] and ok["difference"] < 1e-7
    assert not bad["passed"] and sorted(bad["failed"]) == ["W2", "b1"]
    assert bad["difference"] == pytest.approx(0.2850931567761624, rel=1e-6)  # the course's number
    assert result.passed


# ---------------------------------------------------------------------------- every preset, quick
@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_runs_quick_and_writes_its_outputs(name, tmp_path, capsys):
    out = tmp_path / name
    code = main(["run", name, "--quick", "--json", "--out", str(out)])
    stdout = capsys.readouterr().out
    doc = json.loads(stdout)  # ONE JSON document and nothing else
    assert code == 0
    assert doc["experiment"] == name and doc["quick"] is True
    for arm in doc["arms"]:
        assert set(arm) >= {"name", "std", "runs", "n_seeds"}
        if doc["kind"] == "train":
            assert arm["final_cost"] is not None and 0 <= arm["train_accuracy"] <= 1
            assert set(arm["std"]) >= {"final_cost", "train_accuracy", "test_accuracy"}
    written = {p.name for p in out.iterdir()}
    assert {"results.json", "report.html"} <= written
    pngs = [p for p in out.iterdir() if p.suffix == ".png"]
    assert pngs and all(p.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") for p in pngs)
    assert sorted(json.loads((out / "results.json").read_text())["figures"]) == sorted(p.name for p in pngs)
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
    if name in ("signs-course", "signs"):
        arm = "course-recipe" if name == "signs-course" else "recommended"
        assert {f"confusion-{arm}.png", f"misclassified-{arm}.png", "cost.png"} <= written
        from descentlab import Standardize, load
        model = load(out / f"model-{arm}.safetensors")
        assert model.preprocessing is not None and model.class_names == [str(k) for k in range(6)]
        assert model.info["image_shape"] == [64, 64, 3]
        assert isinstance(model.preprocessing, Standardize) == (name == "signs")
        timing = doc["engine_seconds_per_epoch"]
        assert timing["numpy"] > 0 and (timing["tensorflow"] > 0 or "not available" in timing["tensorflow"])
    if name in ("initialization", "regularization", "optimization", "optimization-decay"):
        assert {"cost.png", "boundaries.png"} <= written


def test_run_prints_the_table_and_the_course_numbers(tmp_path, capsys):
    assert main(["run", "gradient-checking", "--out", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    assert "broken" in text and "FAIL" in text and "W2" in text and "0.2851" in text


# ------------------------------------------------------------------------------------------- seeds
def _tiny(**over) -> Experiment:
    doc = {"name": "tiny", "dataset": "moons",
           "base": {"layers": [2, 4, 1], "optimizer": "adam", "lr": 0.01, "epochs": 15, "batch_size": 64,
                    "shuffle": "course", "seed": 7},
           "arms": [{"name": "adam"}, {"name": "gd", "optimizer": "gd", "lr": 0.1}]}
    doc.update(over)
    return comparison_from_dict(doc, "tiny.toml")


def test_seeds_repeat_each_arm_and_the_first_run_is_the_single_run():
    one = run_experiment(_tiny(), figures=False)
    three = run_experiment(_tiny(), seeds=3, figures=False)
    for a1, a3 in zip(one.arms, three.arms):
        assert [r.seed for r in a3.runs] == [7, 8, 9]
        assert a3.runs[0].final_cost == a1.runs[0].final_cost  # seeds=1 is the course run, exactly
        assert a3.std("final_cost") > 0                          # fresh weights / order per seed
        assert a3.mean("final_cost") == pytest.approx(np.mean([r.final_cost for r in a3.runs]))
    doc = three.to_dict()
    assert doc["seeds"] == 3 and doc["arms"][0]["n_seeds"] == 3 and doc["arms"][0]["std"]["final_cost"] > 0
    assert "±" in three.table()


# ------------------------------------------------------------------------------------ comparisons
@pytest.mark.parametrize("path", sorted(p for p in EXAMPLES.glob("*.toml") if not p.name.startswith("tune-")),
                         ids=lambda p: p.name)  # tune-*.toml are tune specs (tests/tune/)
def test_example_comparisons_load(path):
    exp = load_comparison(path)
    assert exp.arms and exp.base["layers"]
    assert get_experiment(str(path)).name == exp.name


def test_example_comparison_runs_from_the_cli(tmp_path, capsys):
    path = EXAMPLES / "regularization-comparison.toml"
    assert main(["run", str(path), "--quick", "--json", "--out", str(tmp_path)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [a["name"] for a in doc["arms"]] == [a.name for a in load_comparison(path).arms]
    assert all(a["test_accuracy"] is not None for a in doc["arms"])
    assert (tmp_path / "report.html").is_file()


BAD = {
    "unknown setting": ('dataset = "football"\n[base]\nlayers = [2, 20, 3, 1]\nlrr = 0.3\n[[arms]]\nname = "a"\n',
                        ["base.lrr", "lrr = 0.3", "known setting"]),
    "unknown top-level key": ('dataset = "football"\nepochs = 3\n[base]\nlayers = [2, 3, 1]\n[[arms]]\nname = "a"\n',
                              ["epochs", "received 3"]),
    "wrong type": ('dataset = "football"\n[base]\nlayers = [2, 20, 3, 1]\nlr = "fast"\n[[arms]]\nname = "a"\n',
                   ["base.lr", "'fast'", "positive number"]),
    "bad arm value": ('dataset = "football"\n[base]\nlayers = [2, 3, 1]\n[[arms]]\nname = "a"\nkeep_prob = 1.5\n',
                      ["arms[0] (a).keep_prob", "1.5", "(0, 1]"]),
    "two factors": ('dataset = "football"\n[base]\nlayers = [2, 3, 1]\n[[arms]]\nname = "a"\nl2 = 0.1\nlr = 0.1\n',
                    ["arms[0] (a)", "ONE factor", "regularization", "optimizer"]),
    "layers do not fit": ('dataset = "football"\n[base]\nlayers = [3, 3, 1]\n[[arms]]\nname = "a"\n',
                          ["layers", "[3, 3, 1]", "first size 2"]),
    "no arms": ('dataset = "football"\n[base]\nlayers = [2, 3, 1]\n', ["arms", "at least one"]),
    "bad schedule": ('dataset = "moons"\n[base]\nlayers = [2, 3, 1]\nschedule = {name = "staircase", rat = 1}\n'
                     '[[arms]]\nname = "a"\n', ["schedule.rat", "rate"]),
    "bad optimizer": ('dataset = "moons"\n[base]\nlayers = [2, 3, 1]\noptimizer = "adamm"\n[[arms]]\nname = "a"\n',
                      ["base.optimizer", "'adamm'"]),
    "duplicate arm": ('dataset = "moons"\n[base]\nlayers = [2, 3, 1]\n[[arms]]\nname = "a"\n[[arms]]\nname = "a"\n',
                      ["arms[1].name", "'a'"]),
    "syntax": ('dataset = "moons"\n[base\n', ["valid TOML"]),
    "missing data file": ('dataset = "missing.csv"\n[base]\nlayers = [2, 3, 1]\n[[arms]]\nname = "a"\n',
                          ["dataset", "missing.csv"]),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_comparisons_fail_with_one_line_and_exit_2(case, tmp_path, capsys):
    text, needles = BAD[case]
    path = tmp_path / "bad.toml"
    path.write_text(text)
    assert main(["run", str(path), "--quick", "--out", str(tmp_path / "out")]) == 2
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert captured.out == ""
    assert len(err.splitlines()) == 1 and err.startswith("descentlab: error: ") and "Traceback" not in err
    assert "bad.toml" in err
    for needle in needles:
        assert needle in err, (needle, err)
    assert not (tmp_path / "out").exists()


def test_bad_comparisons_raise_input_error_from_python(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(BAD["wrong type"][0])
    with pytest.raises(InputError, match="base.lr"):
        load_comparison(path)
    with pytest.raises(InputError):
        get_experiment("no-such-experiment")
    with pytest.raises(InputError, match="ONE factor"):
        Experiment("x", "x", "moons", {"layers": [2, 3, 1]}, (Arm("a", {"l2": 0.1, "init": "zeros"}),))


def test_unknown_experiment_is_a_one_line_usage_error(capsys):
    assert main(["run", "no-such-experiment"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "initialization" in err


def test_csv_comparison_with_a_relative_path(tmp_path, capsys):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 3))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    np.savetxt(tmp_path / "data.csv", np.column_stack([X, y]), delimiter=",", fmt="%.6f")
    (tmp_path / "cmp.toml").write_text(
        'dataset = "data.csv"\n[base]\nlayers = [3, 4, 1]\nepochs = 5\npreprocessing = "standardize"\n'
        '[[arms]]\nname = "he"\n[[arms]]\nname = "lecun"\ninit = "lecun"\n')
    assert main(["run", str(tmp_path / "cmp.toml"), "--json", "--out", str(tmp_path / "out")]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["experiment"] == "cmp" and [a["test_accuracy"] for a in doc["arms"]] == [None, None]


# ------------------------------------------------------------------------------------------- files
def test_a_failed_write_leaves_the_previous_files_untouched(tmp_path, monkeypatch):
    result = run_experiment(_tiny(), figures=True)
    write_outputs(result, tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    import descentlab.experiments.report as report

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(report, "render_report", boom)
    with pytest.raises(OSError):
        write_outputs(run_experiment(_tiny(base={"layers": [2, 4, 1], "epochs": 3, "seed": 1}), figures=True),
                      tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_a_diverging_arm_is_reported_not_raised():
    exp = comparison_from_dict({"dataset": "moons", "base": {"layers": [2, 5, 1], "optimizer": "gd", "lr": 0.5,
                                                             "epochs": 30},
                                "arms": [{"name": "ok"}, {"name": "huge lr", "lr": 1e6}]}, "diverge.toml")
    result = run_experiment(exp)  # warnings are errors in the test suite: none may escape
    assert result.arm("ok").first.stop_reason is None
    assert "diverged" in result.arm("huge lr").first.stop_reason
    assert "stopped early" in result.table()
    json.dumps(result.to_dict(), allow_nan=False)
