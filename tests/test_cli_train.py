"""The training command line: train, evaluate, predict, info; exit statuses; one-line errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from descentlab.cli.main import main


def _run(args, capsys):
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_train_evaluate_info_predict(tmp_path, capsys):
    model = str(tmp_path / "moons.safetensors")
    code, out, err = _run(["train", "moons", "--layers", "2,5,2,1", "--lr", "0.01", "--epochs", "300",
                           "--seed", "3", "--out", model, "--json"], capsys)
    assert code == 0, err
    res = json.loads(out)
    assert res["epochs"] == 300 and res["train_accuracy"] > 0.85 and res["model"] == model
    code, out, _ = _run(["evaluate", model, "moons", "--json"], capsys)
    assert code == 0 and json.loads(out)["train"]["accuracy"] == pytest.approx(res["train_accuracy"])
    code, out, _ = _run(["info", model], capsys)
    assert code == 0 and "Network([2, 5, 2, 1]" in out and "300 epochs" in out
    table = tmp_path / "points.csv"
    np.savetxt(table, np.array([[0.0, 1.0], [1.0, -0.5]]), delimiter=",")
    code, out, _ = _run(["predict", model, str(table), "--json"], capsys)
    assert code == 0 and len(json.loads(out)["predictions"]) == 2


def test_train_resume_from_checkpoint(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the models go to the default path, descentlab-out/train/
    ck = str(tmp_path / "run.ckpt")
    base = ["train", "circles", "--layers", "2,6,1", "--epochs", "6", "--seed", "1", "--json", "--quiet"]
    code, full, _ = _run(base, capsys)
    code, _, _ = _run(base[:5] + ["3"] + base[6:] + ["--checkpoint", ck, "--checkpoint-every", "3"], capsys)
    code, resumed, err = _run(base + ["--resume", ck], capsys)
    assert code == 0, err
    assert json.loads(resumed)["final_cost"] == json.loads(full)["final_cost"]


@pytest.mark.parametrize("args,words", [
    (["train", "nosuchdata"], "no such data set"),
    (["train", "moons", "--layers", "3,4,1"], "--layers"),
    (["train", "moons", "--lr", "-1"], "lr"),
    (["train", "moons", "--optimizer", "adagrad"], "optimizer"),
    (["train", "moons", "--keep-prob", "0"], "keep_prob"),
    (["train", "moons", "--epochs", "0"], "positive"),
    (["train", "moons", "--batch-size", "0"], "positive"),
    (["train", "moons", "--l2", "-0.5"], "l2"),
    (["train", "moons", "--lr-decay", "cosine"], "--lr-decay"),
    (["evaluate", "missing.safetensors", "moons"], "no such file"),
    (["info", "pyproject.toml"], "safetensors"),
    (["predict", "missing.safetensors", "x.jpg"], "no such file"),
])
def test_bad_usage_is_one_line_and_status_2(args, words, capsys):
    code, out, err = _run(args, capsys)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("descentlab: error:") and words in err
    assert "Traceback" not in err


def test_predict_your_own_image_from_the_command_line(tmp_path, capsys):
    from descentlab import Network, Standardize
    from descentlab.datasets import sample_image_path
    X = np.random.default_rng(0).integers(0, 256, (50, 12288)).astype(np.uint8)
    net = Network([12288, 4, 6], output="softmax", seed=0, preprocessing=Standardize.fit(X),
                  class_names=[str(k) for k in range(6)])
    net.info["image_shape"] = [64, 64, 3]
    model = tmp_path / "signs.safetensors"
    net.save(model)
    code, out, err = _run(["predict", str(model), str(sample_image_path()), "--json"], capsys)
    assert code == 0, err
    (pred,) = json.loads(out)
    assert pred["label"] in range(6) and pred["class"] == str(pred["label"])
    assert sum(pred["probabilities"]) == pytest.approx(1.0) and len(pred["top"]) == 3
    code, out, _ = _run(["predict", str(model), str(sample_image_path())], capsys)
    assert code == 0 and out.startswith("thumbs_up.jpg: ")


# ------------------------------------------------------------------ predict reads what train reads
def _iris_like(tmp_path):
    """A CSV with a header and a text label column in the middle, as users write them."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((150, 3))
    species = np.array(["setosa", "versicolor", "virginica"])[(X[:, 0] > 0).astype(int) + (X[:, 1] > 0.3)]
    lines = ["sepal,petal,species,width"] + [f"{a:.6f},{b:.6f},{s},{c:.6f}" for (a, b, c), s in zip(X, species)]
    (tmp_path / "mine.csv").write_text("\n".join(lines) + "\n")
    return X, species


def test_predict_reads_the_csv_that_train_read(tmp_path, capsys):
    X, species = _iris_like(tmp_path)
    model, table = str(tmp_path / "m.safetensors"), str(tmp_path / "mine.csv")
    code, out, err = _run(["train", table, "--target", "species", "--layers", "3,16,3", "--lr", "0.02",
                           "--epochs", "150", "--out", model, "--quiet"], capsys)
    assert code == 0, err
    assert "label: column 2 ('species'), chosen by name" in err
    code, out, err = _run(["predict", model, table, "--json"], capsys)  # the same file, label column and all
    assert code == 0, err
    doc = json.loads(out)
    assert "dropped the label column 'species'" in doc["columns"] and "features matched by name" in doc["columns"]
    preds = doc["predictions"]
    assert len(preds) == 150 and np.mean([p["class"] for p in preds] == species) > 0.9
    assert all(abs(sum(p["probabilities"]) - 1) < 1e-9 and len(p["top"]) == 3 for p in preds)
    # features only, another column order, with a header: matched by name, same predictions
    (tmp_path / "features.csv").write_text("width,sepal,petal\n" + "".join(f"{c:.6f},{a:.6f},{b:.6f}\n"
                                                                            for a, b, c in X[:4]))
    code, out, err = _run(["predict", model, str(tmp_path / "features.csv"), "--top", "2"], capsys)
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 4 and all(ln.startswith(f"row {i + 1}: {preds[i]['class']} (") for i, ln in enumerate(lines))
    assert all(ln.count("%") == 3 and "top 2:" in ln for ln in lines)  # the class's and the top 2 probabilities
    # evaluate reads it too: the label column the model recorded, text labels mapped to the model's classes
    code, out, err = _run(["evaluate", model, table, "--json"], capsys)
    assert code == 0, err
    assert json.loads(out)["train"]["accuracy"] == pytest.approx(np.mean([p["class"] for p in preds] == species))
    (tmp_path / "wrong.csv").write_text("sepal,length,width\n1,2,3\n")
    code, _, err = _run(["predict", model, str(tmp_path / "wrong.csv")], capsys)
    assert code == 2 and "missing ['petal']" in err and "unexpected ['length']" in err


def test_target_is_an_index_unless_the_header_has_that_name(tmp_path, capsys):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((40, 3))
    label = (X[:, 1] > 0).astype(int)
    np.savetxt(tmp_path / "plain.csv", np.column_stack([label, X]), delimiter=",", fmt="%.6f")  # no header
    code, out, err = _run(["train", str(tmp_path / "plain.csv"), "--target", "0", "--epochs", "2", "--quiet", "--json",
                           "--out", str(tmp_path / "a.safetensors")], capsys)
    assert code == 0, err
    assert json.loads(out)["network"]["layer_dims"][0] == 3  # column 0 was the label, not the header
    code, out, err = _run(["train", str(tmp_path / "plain.csv"), "--target=-1", "--epochs", "2", "--quiet",
                           "--out", str(tmp_path / "b.safetensors")], capsys)
    assert code == 0 and "label: column 3, chosen by index" in err
    rows = "".join(f"{a:.5f},{b:.5f},{int(c)}\n" for a, b, c in zip(X[:, 0], X[:, 2], label))
    (tmp_path / "named.csv").write_text("1,0,2\n" + rows)  # a header whose names are numbers: needs --header yes
    code, out, err = _run(["train", str(tmp_path / "named.csv"), "--target", "0", "--header", "yes", "--epochs", "2",
                           "--quiet", "--out", str(tmp_path / "c.safetensors")], capsys)
    assert code == 0, err
    assert "label: column 1 ('0'), chosen by name (the header has a column of that name)" in err


def test_train_without_out_saves_to_the_default_path_and_says_so(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = _run(["train", "moons", "--layers", "2,3,1", "--epochs", "3", "--quiet"], capsys)
    assert code == 0, err
    assert "model written to descentlab-out/train/moons.safetensors (the default path" in out
    assert (tmp_path / "descentlab-out" / "train" / "moons.safetensors").is_file()


def test_tables_print_four_significant_digits_and_json_keeps_full_precision(tmp_path, capsys):
    base = ["train", "moons", "--layers", "2,3,1", "--epochs", "5", "--seed", "1", "--quiet",
            "--out", str(tmp_path / "m.safetensors")]
    code, out, _ = _run(base, capsys)
    import re
    assert re.fullmatch(r"moons: 5 epochs, final cost \d\.\d{3}\d*, train accuracy 0\.\d{4}", out.splitlines()[0]) \
        or re.search(r"final cost (0\.0*[1-9]\d{3}|\d\.\d{3}), train accuracy (0\.\d{4}|1\.000)$", out.splitlines()[0])
    code, js, _ = _run(base + ["--json"], capsys)
    cost = json.loads(js)["final_cost"]
    assert len(repr(cost)) > 8  # the float itself, not a rounded text


@pytest.mark.parametrize("args,words", [
    (["run", "initialisation"], "did you mean 'initialization'?"),
    (["train", "moons", "--optimiser", "adam"], "did you mean '--optimizer'?"),
    (["train", "moons", "--optimizer", "adma"], "did you mean 'adam'?"),
    (["train", "moons", "--engine", "tensorflw"], "did you mean 'tensorflow'?"),
    (["trian", "moons"], "did you mean 'train'?"),
    (["train", "mons"], "did you mean 'moons'?"),
    (["train", "mine.csv"], "the file 'mine.csv' does not exist"),
])
def test_misspelt_names_get_the_nearest_one_and_missing_files_say_so(args, words, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = _run(args, capsys)
    assert code == 2 and err.count("\n") == 1 and words in err, err


def test_an_image_for_a_model_of_numbers_is_a_plain_error(tmp_path, capsys):
    from descentlab.datasets import sample_image_path
    model = str(tmp_path / "moons.safetensors")
    assert _run(["train", "moons", "--layers", "2,3,1", "--epochs", "1", "--quiet", "--out", model], capsys)[0] == 0
    code, _, err = _run(["predict", model, str(sample_image_path())], capsys)
    assert code == 2 and "this model takes 2 numbers per example, not images" in err
    assert "12288" not in err and "a network with" not in err


def test_label_errors_show_plain_values():
    from descentlab import Network, fit
    from descentlab.errors import InputError
    with pytest.raises(InputError) as info:
        fit(Network([2, 1], seed=0), np.zeros((3, 2)), np.array([0, 1, 2], dtype=np.int64), epochs=1, verbose=0)
    assert str(info.value).endswith("received the label 2") and "np." not in str(info.value)
