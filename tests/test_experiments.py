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
    assert _accuracies(result) == {"zeros": (0.5, 0.5), "random": (0.83, 0.86), "he": (0.9933, 0.96),
                                   "random, the course's code": (0.83, 0.86)}
    rand = result.arm("random").first
    assert np.isfinite(rand.initial_cost) and rand.initial_cost > 1000  # descentlab's cost from the logits
    course = result.arm("random, the course's code")
    assert course.first.initial_cost == np.inf and course.first.extra["printed"][0] == "Cost after iteration 0: inf"
    assert "the course's code printed 'Cost after iteration 0: inf'; descentlab: initial cost 1773.59" in result.table()
    assert result.arm("zeros").first.extra["symmetric_layers"] == [1, 2]
    assert all(c.passed for c in result.conclusions) and result.passed
    doc = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert doc["arms"][3]["runs"][0]["printed"][0] == "Cost after iteration 0: inf"
    assert any("inf" in c["measured"] and c["passed"] for c in doc["conclusions"])


def test_regularization_reproduces_the_course():
    result = run_experiment(PRESETS["regularization"], figures=False)
    acc = _accuracies(result)
    assert acc["none"] == (0.9479, 0.915)
    assert acc["L2 0.7"] == (0.9384, 0.93)
    assert acc["dropout 0.86, the course's code (one fixed mask)"] == (0.9289, 0.95)  # the course's code, exactly
    # fresh dropout masks every iteration (the course reused one): near, not equal to, the course's 0.95
    assert 0.92 <= acc["dropout 0.86, fresh masks"][1] <= 0.96
    assert all(c.passed for c in result.conclusions), [c for c in result.conclusions if not c.passed]
    assert "ONE fixed mask" in result.table()


def test_gradient_checking_passes_the_right_pass_and_names_the_broken_parameters():
    result = run_experiment(PRESETS["gradient-checking"], figures=False)
    ok, bad = result.arm("correct").first.extra, result.arm("broken").first.extra
    assert ok["passed"] and ok["difference"] < 1e-7
    assert not bad["passed"] and sorted(bad["failed"]) == ["W2", "b1"]
    assert bad["difference"] == pytest.approx(0.2850931567761623, rel=1e-6)  # the course's number
    course_ok = result.arm("correct, the course's algorithm").first.extra
    course_bad = result.arm("broken, the course's algorithm").first.extra
    assert course_ok["difference"] == pytest.approx(1.1890913024229996e-07, rel=1e-5) and course_ok["passed"]
    assert course_bad["difference"] == pytest.approx(0.2850931567761623, rel=1e-12) and not course_bad["passed"]
    assert ok["difference"] * 10 < course_ok["difference"]
    assert result.passed and len(result.conclusions) == 4


# ------------------------------------------------------------------- the course's code beside descentlab's
def _course_arm_result(name, arm_name, **changes):
    """The experiment with one of its course arms changed, run quickly with that arm alone."""
    from dataclasses import replace
    exp = PRESETS[name]
    arm = replace(exp.arm(arm_name), **changes)
    return replace(exp, arms=(arm,), checks=None, quick=exp.quick)


def test_conclusions_about_the_course_code_can_fail():
    from descentlab.experiments import conclusions
    from descentlab.experiments.records import ArmResult

    result = run_experiment(PRESETS["gradient-checking"], figures=False)
    c_ok = result.arm("correct, the course's algorithm")
    c_ok.runs[0].extra["difference"] = 1.9e-9  # as if the course's algorithm had found descentlab's number
    assert [c.passed for c in conclusions.check(result)][2] is False
    reg = run_experiment(PRESETS["regularization"], quick=True, figures=False)
    fixed = reg.arm("dropout 0.86, the course's code (one fixed mask)")
    assert [c for c in conclusions.check(reg) if "ONE fixed mask" in c.text][0].passed is False  # 3000 iterations
    assert isinstance(fixed, ArmResult) and fixed.runs[0].test_accuracy != 0.95


def test_a_course_arm_must_have_the_course_recipe():
    with pytest.raises(InputError, match=r"initialization: random, the course's code: layers: expected \[n_x, 10, 5, 1\]"):
        run_experiment(_course_arm_result("initialization", "random, the course's code",
                                          overrides={"layers": [2, 4, 1]}), quick=True, figures=False)
    with pytest.raises(InputError, match=r"code: expected one of"):
        run_experiment(_course_arm_result("initialization", "random, the course's code", code="initialization.fit"),
                       quick=True, figures=False)


def test_a_course_arm_runs_once_whatever_the_seeds():
    result = run_experiment(_course_arm_result("initialization", "random, the course's code"), quick=True, seeds=2,
                            figures=False)
    assert [r.seed for r in result.arms[0].runs] == [3]


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
        assert {"confusion.png", f"misclassified-{arm}.png", "cost.png", "train-test.png"} <= written
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


# ------------------------------------------------------------------ issue 13: TOML bounds, arm names and file names
def test_deeply_nested_toml_is_one_line(tmp_path):
    path = tmp_path / "deep.toml"
    path.write_text("dataset = 'moons'\nx = " + "[" * 3000 + "]" * 3000 + "\n")
    with pytest.raises(InputError, match="deep.toml.*nests deeper") as info:
        load_comparison(path)
    assert "\n" not in str(info.value)


def test_nesting_within_the_recursion_limit_is_still_bounded(tmp_path):
    path = tmp_path / "layers.toml"
    path.write_text("dataset = 'moons'\n[base]\nlayers = " + "[" * 40 + "2" + "]" * 40 + "\n[[arms]]\nname = 'a'\n")
    with pytest.raises(InputError, match="nests deeper"):
        load_comparison(path)


def test_a_toml_file_over_the_size_bound_is_refused_before_reading(tmp_path):
    from descentlab.experiments import comparison
    path = tmp_path / "big.toml"
    path.write_text("# " + "x" * (comparison.MAX_BYTES + 10) + "\n")
    with pytest.raises(InputError, match="big.toml.*bytes"):
        load_comparison(path)


@pytest.mark.parametrize("names", [["lr 0.1", "lr 0.1"], ["Adam", "adam"], ["lr 0.1", " lr  0.1 "], ["ﬁ", "fi"]])
def test_duplicate_arm_names_are_refused(names):
    doc = {"dataset": "moons", "base": {"layers": [2, 3, 1], "epochs": 1}, "arms": [{"name": n} for n in names]}
    with pytest.raises(InputError, match=r"arms\[1\]\.name"):
        comparison_from_dict(doc, "dup.toml")


def test_every_arm_gets_its_own_files():
    """Names that reduce to one slug ('lr 0.1', 'lr-0.1'; 'α', 'β') still write one model file each."""
    names = ["lr 0.1", "lr-0.1", "α", "β", "model", "!!!"]
    doc = {"dataset": "moons", "base": {"layers": [2, 3, 1], "epochs": 2},
           "arms": [{"name": n} for n in names]}
    result = run_experiment(comparison_from_dict(doc, "names.toml"), figures=True)
    assert len(result.models) == len(names)
    files = [result.arm_file(n) for n in names]
    assert len(set(files)) == len(names) and all(f.startswith("model-") for f in files)
    assert result.arm_file("α") == "model-α.safetensors" and result.arm_file("lr 0.1") == "model-lr-0-1.safetensors"
    doc_out = result.to_dict()
    assert len(doc_out["models"]) == len(names)
    assert [a["model"] for a in doc_out["arms"]] == files
    assert "confusion.png" in result.figures  # one figure, every arm side by side (per-arm figures use arm_slug)
    assert len({result.arm_slug(n) for n in names}) == len(names)


def test_slug_keeps_letters_of_any_script_and_stays_short():
    from descentlab.experiments.records import slug, unique_slugs
    assert slug("Learning rate 0.1") == "learning-rate-0-1"
    assert slug("Größe") == "größe" and slug("学习率") == "学习率"
    assert slug("a/b\\c:d*e?f") == "a-b-c-d-e-f" and slug("...") == "arm"
    assert len(slug("é" * 200).encode("utf-8")) <= 60
    assert unique_slugs(["a", "A", "a-2", "a"]) == ["a", "a-3", "a-2", "a-4"]
def test_the_decay_checks_refuse_to_pass_when_the_rate_never_decayed():
    import dataclasses
    decay = PRESETS["optimization-decay"]
    assert {"gd, no decay", "momentum, no decay"} <= {a.name for a in decay.arms}
    flat = decay.config(decay.arm("gd, no decay"))
    assert flat["lr"] == decay.config(decay.arm("gd"))["lr"] == 0.1 and flat["schedule"] is None  # only decay differs
    quick = run_experiment(decay, quick=True, figures=False)
    checks = [c for c in quick.conclusions if c.passed is not None]
    assert checks and all(c.passed is False and "nothing was tested" in c.measured for c in checks)
    longer = dataclasses.replace(decay, base={**decay.base, "epochs": 1100}, quick={})  # the rate halves at 1001
    result = run_experiment(longer, figures=False)
    assert all("nothing was tested" not in c.measured for c in result.conclusions)
    assert "lr 0.1 down to 0.05" in result.conclusions[0].measured
    assert "with decay vs" in result.conclusions[1].measured and result.conclusions[2].passed is None
