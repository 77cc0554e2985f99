"""The flat buffer: named views share memory; indices and locate agree."""

from __future__ import annotations

import numpy as np

from descentlab import Network
from descentlab.core.layout import Layout


def test_views_write_through_to_the_buffer():
    net = Network([3, 4, 2], seed=1)
    net.params["W1"][1, 2] = 42.0
    net.params["b2"][1] = -7.0
    assert 42.0 in net.theta and -7.0 in net.theta
    for name, view in net.params.items():
        assert np.shares_memory(view, net.theta)
        assert np.shares_memory(net.grads[name], net.grad)
    assert net.params["W1"].shape == (4, 3) and net.params["b1"].shape == (4,)


def test_indices_flatten_and_locate_agree():
    layout = Layout((3, 4, 2))
    theta = np.arange(layout.size, dtype=float)
    views = layout.views(theta)
    for name in layout.names():
        assert np.array_equal(theta[layout.indices(name)], views[name].reshape(-1))
    assert np.array_equal(layout.flatten(views), theta)
    for i in range(layout.size):
        name, idx = layout.locate(i)
        assert views[name][idx] == theta[i]
    assert layout.weight_mask().sum() == 3 * 4 + 4 * 2


def test_batched_buffer_views_carry_the_runs_axis():
    layout = Layout((3, 4, 2))
    buf = np.zeros((5, layout.size))
    views = layout.views(buf)
    assert views["W1"].shape == (5, 4, 3) and views["b2"].shape == (5, 2)
    views["W2"][3] = 1
    assert buf[3].sum() == 8 and buf.sum() == 8


def test_pickled_and_deep_copied_networks_keep_their_views_and_train():
    import copy
    import pickle

    from descentlab import fit

    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((30, 3)), rng.integers(0, 2, 30)
    for clone in (lambda n: pickle.loads(pickle.dumps(n)), copy.deepcopy, lambda n: n.copy()):
        net = Network([3, 4, 1], seed=1)
        twin = clone(net)
        assert np.array_equal(twin.theta, net.theta)
        for name, view in twin.params.items():
            assert np.shares_memory(view, twin.theta) and not np.shares_memory(view, net.theta)
        before = twin.theta.copy()
        fit(twin, X, y, epochs=2, verbose=0, seed=0)
        assert not np.array_equal(twin.theta, before)
        assert np.array_equal(net.theta, before)
