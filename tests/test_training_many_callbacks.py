"""fit_many's callbacks: fit's protocol, with one value per run in the logs, and one stop for every run."""

from __future__ import annotations

import numpy as np

import descentlab as dl
from descentlab.training.callbacks import Callback


class Recorder(Callback):
    def __init__(self, stop_at: int | None = None) -> None:
        self.calls: list = []
        self.stop_at = stop_at

    def on_train_begin(self, run):
        self.calls.append(("begin", len(run.histories)))

    def on_epoch_end(self, epoch, logs, run):
        self.calls.append(("epoch", epoch, logs))
        if epoch == self.stop_at:
            run.stop_training = True

    def on_train_end(self, run):
        self.calls.append(("end", [len(h) for h in run.histories]))


def _data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 2))
    return X, (X[:, 0] * X[:, 1] > 0).astype(int), rng.standard_normal((20, 2))


def test_callbacks_see_every_run_and_the_histories_match():
    X, y, Xv = _data()
    yv = (Xv[:, 0] > 0).astype(int)
    nets = [dl.Network([2, 4, 1], seed=s) for s in range(3)]
    cb = Recorder()
    hs = dl.fit_many(nets, X, y, optimizer="adam", lr=[0.01, 0.02, 0.05], epochs=6, seeds=[0, 1, 2],
                     validation_data=(Xv, yv), eval_every=2, callbacks=[cb])
    assert cb.calls[0] == ("begin", 3) and cb.calls[-1] == ("end", [6, 6, 6])
    epochs = [c for c in cb.calls if c[0] == "epoch"]
    assert [c[1] for c in epochs] == list(range(6))
    for _, epoch, logs in epochs:
        assert logs["epoch"] == epoch and logs["cost"].shape == (3,)
        np.testing.assert_array_equal(logs["cost"], [h["cost"][epoch] for h in hs])
        measured = (epoch + 1) % 2 == 0
        assert np.isnan(logs["val_cost"]).all() != measured
        if measured:
            np.testing.assert_array_equal(logs["val_cost"], [h["val_cost"][epoch] for h in hs])


def test_stop_training_ends_every_run_after_that_epoch():
    X, y, _ = _data()
    nets = [dl.Network([2, 4, 1], seed=s) for s in range(2)]
    cb = Recorder(stop_at=2)
    hs = dl.fit_many(nets, X, y, epochs=10, seeds=[0, 1], callbacks=[cb])
    assert [len(h) for h in hs] == [3, 3] and cb.calls[-1] == ("end", [3, 3])
    # the parameters are those after epoch 2: the same as a 3-epoch run
    again = [dl.Network([2, 4, 1], seed=s) for s in range(2)]
    dl.fit_many(again, X, y, epochs=3, seeds=[0, 1])
    for a, b in zip(nets, again):
        np.testing.assert_array_equal(a.theta, b.theta)
