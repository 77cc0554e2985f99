"""descentlab.plot: every public function draws, returns its Axes/Figure, and leaves the backend alone."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from descentlab import History, Network, plot
from descentlab.errors import InputError

PNG = b"\x89PNG\r\n\x1a\n"


def _axes():
    from matplotlib.figure import Figure
    return Figure().add_subplot()


def _history(costs, val=None) -> History:
    h = History()
    for i, c in enumerate(costs):
        h.append({"epoch": i, "cost": c, "val_cost": None if val is None else val[i], "accuracy": 0.5})
    return h


def test_history_curves_draws_recorded_keys_and_skips_missing_ones():
    ax = _axes()
    out = plot.history_curves(_history([0.7, 0.5, 0.4]), ax=ax)  # val_cost never recorded
    assert out is ax
    assert len(ax.get_lines()) == 1
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), [0.7, 0.5, 0.4])
    ax2 = _axes()
    plot.history_curves(_history([0.7, 0.5], val=[0.8, 0.6]), ax=ax2, log=True)
    assert len(ax2.get_lines()) == 2 and ax2.get_yscale() == "log"


def test_history_plot_method_uses_history_curves():
    ax = _axes()
    assert _history([1.0, 0.5]).plot(ax=ax, keys=("cost",)) is ax.figure
    assert len(ax.get_lines()) == 1


def test_cost_curves_from_dict_lists_and_seed_bands():
    ax = _axes()
    out = plot.cost_curves({"gd": [0.7, 0.6, 0.5], "adam": _history([0.7, 0.3, 0.1])}, ax=ax, log=True, title="t")
    assert out is ax and len(ax.get_lines()) == 2 and ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["gd", "adam"]
    ax = _axes()
    plot.cost_curves({"seeds": [_history([1.0, 0.5, 0.2]), _history([1.2, 0.6, 0.3])]}, ax=ax)
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), [1.1, 0.55, 0.25])
    assert len(ax.collections) == 1  # the min-max band


def test_long_curves_are_thinned_but_keep_both_ends():
    ax = _axes()
    y = np.linspace(1, 0, 30000)
    plot.cost_curves({"long": y}, ax=ax)
    line = ax.get_lines()[0]
    assert len(line.get_xdata()) <= 2000
    assert line.get_xdata()[0] == 0 and line.get_xdata()[-1] == 29999


def test_decision_boundary_with_a_network_and_a_function():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 2))
    y = (X[:, 0] > 0).astype(int)
    net = Network([2, 3, 1], seed=1)
    ax = _axes()
    assert plot.decision_boundary(net, X, y, ax=ax, resolution=20, title="net") is ax
    assert ax.get_title() == "net"
    ax = _axes()
    plot.decision_boundary(lambda G: (G[:, 0] > 0).astype(int), X, y, ax=ax, resolution=10, class_names=["a", "b"])
    with pytest.raises(InputError):
        plot.decision_boundary(net, rng.standard_normal((5, 3)), np.zeros(5), ax=_axes())


def test_confusion_counts_and_matrix():
    counts = plot.confusion_counts([0, 1, 2, 2], [0, 2, 2, 2], 3)
    np.testing.assert_array_equal(counts, [[1, 0, 0], [0, 0, 1], [0, 0, 2]])
    ax = _axes()
    assert plot.confusion_matrix([0, 1, 2, 2], [0, 2, 2, 2], ["zero", "one", "two"], ax=ax) is ax
    texts = sorted(t.get_text() for t in ax.texts)
    assert texts.count("0") == 6 and "2" in texts
    assert ax.get_title() == "3/4 right (75.0%)"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["zero", "one", "two"]


def test_image_grid_from_flat_uint8_rows():
    rows = np.random.default_rng(0).integers(0, 255, (5, 4 * 4 * 3), dtype=np.uint8)
    fig = plot.image_grid(rows, [f"#{i}" for i in range(5)], image_shape=(4, 4, 3), ncols=3, fig=_axes().figure)
    shown = [ax for ax in fig.axes if ax.images]
    assert len(shown) == 5
    assert [ax.get_title() for ax in shown] == [f"#{i}" for i in range(5)]
    assert plot.to_png(fig).startswith(PNG)
    with pytest.raises(InputError):
        plot.image_grid(rows, ["one title"], image_shape=(4, 4, 3), fig=_axes().figure)


def test_to_png_accepts_axes_and_figures():
    ax = plot.cost_curves([[1.0, 0.5]], ax=_axes())
    assert plot.to_png(ax).startswith(PNG)
    from PIL import Image
    with Image.open(io.BytesIO(plot.to_png(ax.figure))) as im:
        assert im.format == "PNG"


def _python(code: str, env_backend: str | None = None) -> str:
    import os
    env = dict(os.environ)
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    env.pop("MPLBACKEND", None)
    if env_backend:
        env["MPLBACKEND"] = env_backend
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=env,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_import_is_lazy_and_files_need_no_pyplot():
    out = _python("""
        import sys
        import descentlab.plot as plot
        print('matplotlib' in sys.modules)
        fig = plot.new_figure(pyplot=False)
        plot.cost_curves({'a': [1, 0.5]}, ax=fig.add_subplot())
        plot.to_png(fig)
        print('matplotlib.pyplot' in sys.modules)
    """)
    assert out.split() == ["False", "False"]


def test_headless_default_is_agg_and_a_chosen_backend_is_kept():
    # no display, nothing chosen: ax=None works (Agg) and returns an Axes
    out = _python("""
        import descentlab.plot as plot, matplotlib
        ax = plot.cost_curves({'a': [1, 0.5]})
        print(type(ax).__name__, matplotlib.get_backend().lower())
    """)
    assert out.split() == ["Axes", "agg"]
    # the user chose a backend (svg): it is kept
    out = _python("""
        import matplotlib
        matplotlib.use('svg')
        import matplotlib.pyplot as plt
        import descentlab.plot as plot
        ax = plot.history_curves({'epoch': [0, 1], 'cost': [1.0, 0.5]}, keys=('cost',))
        print(matplotlib.get_backend().lower(), ax.figure in [plt.figure(n) for n in plt.get_fignums()])
    """)
    assert out.split() == ["svg", "True"]
    out = _python("""
        import descentlab.plot as plot, matplotlib
        plot.confusion_matrix([0, 1], [1, 1])
        print(matplotlib.get_backend().lower())
    """, env_backend="svg")
    assert out == "svg"


def test_curves_that_coincide_stay_visible_and_are_named():
    ax = _axes()
    base = np.linspace(0.7, 0.4, 50)
    plot.cost_curves({"gd": base, "momentum": base * (1 + 1e-4), "adam": base / 2}, ax=ax)
    gd, momentum, adam = ax.get_lines()
    assert momentum.get_linewidth() < gd.get_linewidth() and momentum.get_linestyle() != "-"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["gd", "momentum (= gd: the curves coincide)", "adam"]
    assert plot.coinciding({"a": [1.0, 2.0], "b": [1.0, 2.1]}) == []  # 5% apart: drawn plainly


def test_l2_data_term_with_the_total_dashed_and_other_x_axes():
    h = History()
    for e, (d, r) in enumerate([(0.7, 0.2), (0.5, 0.25), (0.4, 0.3)]):
        h.append({"epoch": e, "cost": d + r, "cost_data": d, "cost_l2": r, "time": 0.5})
    ax = _axes()
    plot.cost_curves({"L2": h}, ax=ax, key="cost_data", dashed=["L2"], dashed_label="{label}: total")
    data, total = ax.get_lines()
    np.testing.assert_allclose(data.get_ydata(), [0.7, 0.5, 0.4])
    np.testing.assert_allclose(total.get_ydata(), [0.9, 0.75, 0.7])
    assert total.get_color() == data.get_color() and total.get_linestyle() != "-"
    ax = _axes()
    plot.cost_curves({"L2": h}, ax=ax, x="step", steps_per_epoch={"L2": 5})
    np.testing.assert_allclose(ax.get_lines()[0].get_xdata(), [5, 10, 15])
    ax = _axes()
    plot.cost_curves({"L2": h}, ax=ax, x="seconds")
    np.testing.assert_allclose(ax.get_lines()[0].get_xdata(), [0.5, 1.0, 1.5])
    assert ax.get_xlabel() == "seconds of training"
