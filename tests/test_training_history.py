"""History: what fit records per epoch, the cost's terms, the course-style cost lines."""

from __future__ import annotations

import json

import numpy as np
import pytest

from descentlab import Network, fit


def _data(m=120, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, 2))
    y = (X[:, 0] ** 2 + X[:, 1] > 0.5).astype(int)
    return X, y


def _net(seed=3, **kw):
    return Network([2, 8, 4, 1], seed=seed, **kw)


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


def test_print_every_prints_like_the_course(capsys):
    X, y = _data()
    fit(_net(), X, y, epochs=5, print_every=2, verbose=0, seed=0)
    lines = capsys.readouterr().out.splitlines()
    assert [ln.split(":")[0] for ln in lines] == ["Cost after epoch 0", "Cost after epoch 2", "Cost after epoch 4"]


def test_last_returns_plain_python_numbers():
    X, y = _data()
    h = fit(_net(), X, y, epochs=3, l2=0.1, seed=0, verbose=0, validation_data=(X, y))
    last = h.last()
    assert {type(v) for k, v in last.items()} <= {int, float}
    assert all(type(v) in (int, float) for key in ("cost", "cost_l2", "val_cost", "lr", "time") for v in h[key])


def test_plot_draws_on_pyplot_so_a_later_savefig_sees_it(tmp_path):
    """History.plot() without ax uses pyplot's current figure: plt.savefig afterwards is not blank."""
    import subprocess
    import sys
    out = tmp_path / "curve.png"
    code = ("import numpy as np, descentlab as dl\n"
            "X = np.random.default_rng(0).standard_normal((50, 2)); y = (X[:, 0] > 0).astype(int)\n"
            "h = dl.fit(dl.Network([2, 3, 1], seed=0), X, y, epochs=20, verbose=0, validation_data=(X, y))\n"
            "fig = h.plot()\n"
            "import matplotlib.pyplot as plt\n"
            "assert plt.gcf() is fig, 'not the current pyplot figure'\n"
            "assert len(fig.axes[0].get_lines()) == 2\n"
            f"plt.savefig({str(out)!r})\n")
    subprocess.run([sys.executable, "-c", code], check=True, env={**__import__("os").environ, "MPLBACKEND": "Agg"})
    from PIL import Image
    with Image.open(out) as im:
        pixels = np.asarray(im.convert("L"))
    assert (pixels < 128).mean() > 0.01  # curves, ticks and labels: not a blank page
