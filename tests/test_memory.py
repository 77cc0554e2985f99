"""Memory: training allocates the same each step (nothing grows), and data are converted once."""

from __future__ import annotations

import tracemalloc

import numpy as np

from descentlab import Callback, Network, Scale, fit


class _Snapshots(Callback):
    def __init__(self):
        self.current = []

    def on_epoch_end(self, epoch, logs, run):
        self.current.append(tracemalloc.get_traced_memory()[0])


def test_allocations_do_not_grow_over_the_run():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((512, 20)), rng.integers(0, 3, 512)
    net = Network([20, 32, 16, 3], output="softmax", seed=1)
    snaps = _Snapshots()
    tracemalloc.start()
    try:
        fit(net, X, y, optimizer="adam", lr=1e-3, epochs=60, batch_size=32, l2=0.1, keep_prob=0.9, seed=0,
            verbose=0, callbacks=[snaps])
    finally:
        tracemalloc.stop()
    early, late = snaps.current[5], snaps.current[-1]
    # 55 more epochs of 16 steps each: only the History's few floats per epoch may be added
    assert late - early < 55 * 2_000, (early, late)


def test_inputs_are_converted_once_into_the_engine_layout():
    X = np.random.default_rng(0).integers(0, 256, (300, 1000)).astype(np.uint8)
    net = Network([1000, 4, 2], output="softmax", seed=1, dtype="float32", preprocessing=Scale(1 / 255))
    tracemalloc.start()
    try:
        Xp = net.prepare_inputs(X, bias_column=True)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    one_copy = 300 * 1001 * 4
    assert peak < 1.2 * one_copy  # no float64 or second float32 copy on the way
    assert Xp.base.shape == (300, 1001) and (Xp.base[:, -1] == 1).all()
    assert np.allclose(Xp, X / 255, atol=1e-7)
