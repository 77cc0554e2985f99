"""Gradient checking as a tool: 1-D, N-D reports, fast mode, the CLI."""

from __future__ import annotations

import numpy as np
import pytest

from descentlab import Network, check_gradients, gradient_check
from descentlab.cli.main import main


def test_one_dimensional_check():
    assert gradient_check(lambda t: 3.0 * t, lambda t: 3.0, 4.0) < 1e-9
    assert gradient_check(lambda t: 3.0 * t, lambda t: 3.1, 4.0) > 1e-3
    assert gradient_check(lambda t: np.sum(t ** 3), lambda t: 3 * t ** 2, np.array([1.0, -2.0, 0.5])) < 1e-7


def _course_net():
    rng = np.random.default_rng(1)
    net = Network([4, 5, 3, 1], seed=1)
    net.theta += 0.1 * rng.standard_normal(net.n_params)
    return net, rng.standard_normal((3, 4)), np.array([1, 1, 0])


def _broken(net, X, y):
    net.loss_and_grad(X, y)
    g = {k: v.copy() for k, v in net.grads.items()}
    g["W2"] *= 2
    g["b1"] *= 4
    return g


def test_report_passes_a_correct_backward_and_names_a_broken_one():
    net, X, y = _course_net()
    good = check_gradients(net, X, y)
    assert good.passed and good.failed() == []
    bad = check_gradients(net, X, y, gradient=_broken)
    assert not bad.passed
    assert bad.failed() == ["b1", "W2"]
    text = str(bad)
    assert "FAIL" in text and "W2" in text and "b1" in text
    w2 = next(p for p in bad.params if p.name == "W2")
    idx, backprop, numeric = w2.worst[0]
    assert backprop == pytest.approx(2 * numeric, rel=1e-5)


def test_fast_mode_passes_and_falls_back_to_locate_a_fault():
    net, X, y = _course_net()
    fast = check_gradients(net, X, y, fast=True)
    assert fast.passed and fast.mode.startswith("fast")
    bad = check_gradients(net, X, y, fast=True, gradient=_broken)
    assert not bad.passed and "then full" in bad.mode
    assert bad.failed() == ["b1", "W2"]


def test_report_to_dict_is_json_ready():
    import json
    net, X, y = _course_net()
    doc = check_gradients(net, X, y).to_dict()
    assert json.loads(json.dumps(doc))["passed"] is True
    assert [p["name"] for p in doc["params"]] == ["W1", "b1", "W2", "b2", "W3", "b3"]


def test_large_network_fast_mode():
    rng = np.random.default_rng(0)
    net = Network([500, 40, 20, 6], output="softmax", seed=1)
    report = check_gradients(net, rng.random((16, 500)), rng.integers(0, 6, 16), fast=True)
    assert report.passed


@pytest.mark.parametrize("args,code", [
    (["gradcheck", "--layers", "4,5,3,1"], 0),
    (["gradcheck", "--layers", "6,8,3", "--output", "softmax", "--hidden", "tanh", "--l2", "0.7"], 0),
    (["gradcheck", "--layers", "5,7,2", "--output", "linear", "--keep-prob", "0.8", "--fast"], 0),
    (["gradcheck", "--layers", "4,x"], 2),
    (["gradcheck", "--hidden", "nope"], 2),
    (["gradcheck", "--keep-prob", "0"], 2),
])
def test_cli_exit_codes(args, code, capsys):
    assert main(args) == code
    out, err = capsys.readouterr()
    if code == 0:
        assert "Gradient check: PASS" in out
    else:
        assert err.count("\n") == 1 and "Traceback" not in err


def test_cli_json(capsys):
    import json
    assert main(["gradcheck", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["passed"] is True
