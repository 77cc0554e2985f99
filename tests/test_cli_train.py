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


def test_train_resume_from_checkpoint(tmp_path, capsys):
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
