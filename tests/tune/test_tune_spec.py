"""Tune specs and options: every mistake is one line naming the key, exit status 2, before anything runs."""

from __future__ import annotations

import pytest
from conftest import spec_doc, write_spec

import descentlab as dl
from descentlab.cli.main import main
from descentlab.errors import InputError
from descentlab.tune.spec import TuneOptions, load_spec, spec_from_dict


def _space(**dims):
    return spec_doc(space=dims)


BAD = [
    ("unknown distribution", _space(lr={"normal": [0.0, 1.0]}), "space.lr.normal"),
    ("empty range", _space(lr={"log_uniform": [0.1, 0.01]}), "space.lr.log_uniform"),
    ("log range reaching 0", _space(l2={"log_uniform": [0.0, 1.0]}), "space.l2.log_uniform"),
    ("1 - beta reaching 0", _space(beta={"one_minus_log_uniform": [0.9, 1.0]}), "space.beta.one_minus_log_uniform"),
    ("unknown hyperparameter", _space(learning_rate={"log_uniform": [1e-3, 1e-1]}), "space.learning_rate"),
    ("choice of incompatible types", _space(batch_size={"choice": [32, "fast"]}), "space.batch_size.choice[1]"),
    ("choice of a list for a number", _space(lr={"choice": [0.1, [0.2]]}), "space.lr.choice[1]"),
    ("layers that do not fit the data", _space(layers={"choice": [[2, 8, 1], [3, 8, 1]]}), "space"),
    ("no space", {k: v for k, v in spec_doc().items() if k != "space"}, "space"),
    ("arms in a tune spec", spec_doc(arms=[{"name": "a"}]), "arms"),
    ("unknown [tune] option", spec_doc(tune={"trails": 3}), "tune.trails"),
    ("bad [tune] sampler", spec_doc(tune={"sampler": "bayes"}), "tune.sampler"),
    ("bad base value", spec_doc(base={"layers": [2, 8, 1], "lr": -1.0}), "base.lr"),
]


@pytest.mark.parametrize("what, doc, key", BAD, ids=[b[0] for b in BAD])
def test_a_bad_spec_is_one_line_naming_the_key_and_exit_2_before_anything_runs(what, doc, key, tmp_path, capsys):
    spec = write_spec(tmp_path, doc)
    out = tmp_path / "out"
    status = main(["tune", str(spec), "--out", str(out)])
    err = capsys.readouterr().err
    assert status == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("descentlab: error: "), err
    assert key in lines[0] and "Traceback" not in err
    assert not out.exists(), "nothing may be written (no study, no output folder) before the spec is valid"


@pytest.mark.parametrize("args, says", [
    (["--storage", "not a url"], "storage"),
    (["--storage", "sqlite://"], "in-memory"),
    (["--cluster", "nowhere"], "cluster"),
    (["--cluster", "tcp://host:port"], "cluster"),
    (["--cluster", "missing-file.json"], "cluster"),
    (["--trials", "0"], "--trials"),
    (["--validation", "1.5"], "--validation"),
    (["--sampler", "bayes"], "--sampler"),
    (["--timeout", "-3"], "--timeout"),
])
def test_bad_options_are_one_line_and_exit_2(args, says, tmp_path, capsys):
    spec = write_spec(tmp_path, spec_doc())
    status = main(["tune", str(spec), "--out", str(tmp_path / "out"), *args])
    err = capsys.readouterr().err
    assert status == 2 and len(err.strip().splitlines()) == 1 and says in err, err
    assert not (tmp_path / "out").exists()


def test_a_password_in_a_bad_storage_url_is_never_printed(tmp_path, capsys):
    spec = write_spec(tmp_path, spec_doc())
    status = main(["tune", str(spec), "--out", str(tmp_path / "out"), "--storage",
                   "postgresql://tuner:hunter2secret@127.0.0.1:1/studies"])
    captured = capsys.readouterr()
    assert status == 2 and "hunter2secret" not in captured.err + captured.out
    assert "tuner:***@127.0.0.1:1" in captured.err


def test_python_errors_are_input_errors_naming_the_key(tmp_path):
    with pytest.raises(InputError, match=r"^spec: space\.lr\.log_uniform: "):
        dl.tune(_space(lr={"log_uniform": [0, 1]}), out=tmp_path / "o")
    with pytest.raises(InputError, match=r"^trials: "):
        dl.tune(spec_doc(), trials=0, out=tmp_path / "o")
    with pytest.raises(InputError, match=r"^report_every: "):
        dl.tune(spec_doc(), report_every=0, out=tmp_path / "o")
    with pytest.raises(InputError, match="an option of tune"):
        dl.tune(spec_doc(), trails=3, out=tmp_path / "o")
    with pytest.raises(InputError, match=r"^seeds: .*tensorflow"):
        dl.tune(spec_doc(base={"layers": [2, 8, 1], "engine": "tensorflow"}), seeds=2, out=tmp_path / "o")
    assert not (tmp_path / "o").exists()


def test_spec_file_and_options(tmp_path):
    doc = spec_doc(tune={"trials": 7, "sampler": "tpe", "pruner": "successive-halving", "seeds": 2})
    spec = load_spec(write_spec(tmp_path, doc, "my-search.toml"))
    assert spec.name == "t" and spec.options.trials == 7 and spec.options.pruner == "successive_halving"
    assert spec.options.merged(trials=9, sampler=None).trials == 9
    assert spec.options.merged(trials=9, sampler=None).sampler == "tpe"
    assert spec.options.direction == "minimize" and TuneOptions(objective="val_accuracy").direction == "maximize"
    nameless = load_spec(write_spec(tmp_path, {k: v for k, v in doc.items() if k != "name"}, "my-search.toml"))
    assert nameless.name == "my-search"
    assert spec_from_dict(doc).fingerprint(spec.options) == spec.fingerprint(spec.options)


def test_the_callable_module_is_still_a_module():
    import descentlab.tune.spec as spec_module
    assert callable(dl.tune) and dl.tune.spec is spec_module
    assert "tune" in dl.__all__
