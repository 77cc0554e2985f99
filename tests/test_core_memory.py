"""Bounded memory: estimates checked against measured peaks, the limit and its override, one-line refusals.

Guards: descentlab.core.memory, and the places that call it before allocating: Network, fit
(optimizer state and data), fit_many, the CLI (train, gradcheck) and TOML comparisons.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from descentlab import Network, fit, fit_many
from descentlab.core import memory
from descentlab.errors import InputError, MemoryLimitError

GiB = 2**30


@pytest.fixture
def machine(monkeypatch):
    """A machine with 24 GiB available, whatever this one has (no limit set by the environment)."""
    monkeypatch.delenv(memory.ENV, raising=False)
    monkeypatch.setattr(memory, "available_bytes", lambda: 24 * GiB)
    memory.set_limit("auto")
    yield
    memory.set_limit("auto")


def _peak(fn):
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# ------------------------------------------------------------------------------------------ estimates
@pytest.mark.parametrize("dims,dtype", [([100, 2000, 500, 10], np.float64), ([3000, 300, 1], np.float64),
                                        ([100, 2000, 500, 10], np.float32)])
def test_network_estimate_matches_the_measured_peak(dims, dtype):
    measured = _peak(lambda: Network(dims, output="softmax" if dims[-1] > 1 else "sigmoid", dtype=dtype, seed=0))
    estimate = memory.network_bytes(dims, dtype)
    assert 0.9 * measured <= estimate <= 1.25 * measured, (estimate, measured)


@pytest.mark.parametrize("dims,m,batch,opt,l2,keep,dtype", [
    ([500, 1000, 200, 10], 2000, 64, "adam", 0.1, 0.8, np.float64),
    ([500, 1000, 200, 10], 2000, None, "adam", 0.0, 1.0, np.float64),
    ([50, 3000, 3000, 10], 500, 128, "adamw", 0.0, 1.0, np.float32),
    ([50, 300, 10], 20000, None, "gd", 0.0, 0.5, np.float64),
])
@pytest.mark.parametrize("engine", ["numpy", "numba"])
def test_training_estimate_matches_the_measured_peak(dims, m, batch, opt, l2, keep, dtype, engine):
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((m, dims[0])), rng.integers(0, dims[-1], m)
    net = Network(dims, output="softmax", dtype=dtype, seed=0)
    settings = dict(optimizer=opt, epochs=1, batch_size=batch, l2=l2, keep_prob=keep, verbose=0, engine=engine)
    fit(net.copy(), X[:64], y[:64], **settings)  # load the engine's kernels first: loading is not training
    measured = _peak(lambda: fit(net, X, y, **settings))
    from descentlab.training.optimizers import get_optimizer
    estimate = memory.training_bytes(dims, dtype, m, batch, slots=len(get_optimizer(opt).slots), l2=bool(l2),
                                     dropout=keep < 1, softmax=True, engine=engine)
    assert 0.85 * measured <= estimate <= 1.3 * measured, (estimate, measured)


# ------------------------------------------------------------------------------------------ the limit
def test_a_request_that_fits_tightly_is_allowed(machine):
    memory.require(15e9, "layer_dims", [2, 3], "a network")       # 15 GB on a 24 GiB machine: allocate it


def test_a_request_above_the_limit_is_refused_in_one_line(machine):
    with pytest.raises(MemoryLimitError) as info:
        memory.require(30 * GiB, "layer_dims", [2, 3], "a network")
    message = str(info.value)
    assert "\n" not in message and "30.0 GiB" in message and "24.0 GiB" in message and memory.ENV in message
    assert isinstance(info.value, MemoryError) and isinstance(info.value, ValueError)


def test_the_limit_can_be_raised_or_lowered_by_the_user(machine, monkeypatch):
    monkeypatch.setenv(memory.ENV, "40G")
    memory.require(30 * GiB, "x", 1, "y")                           # allowed by the user's limit
    monkeypatch.setenv(memory.ENV, "none")
    memory.require(10**15, "x", 1, "y")
    monkeypatch.setenv(memory.ENV, "1M")
    with pytest.raises(MemoryLimitError, match=memory.ENV):
        memory.require(2 * 2**20, "x", 1, "y")                      # an explicit limit checks small requests too
    monkeypatch.delenv(memory.ENV)
    memory.set_limit("100G")
    memory.require(90 * GiB, "x", 1, "y")
    memory.set_limit(None)
    memory.require(10**15, "x", 1, "y")


@pytest.mark.parametrize("text,expected", [("40G", 40 * GiB), ("512m", 512 * 2**20), ("1.5GiB", int(1.5 * GiB)),
                                           ("123456", 123456), ("none", None)])
def test_sizes_parse(text, expected):
    assert memory.parse_size(text) == expected


@pytest.mark.parametrize("text", ["abc", "-5G", "0", "12X", ""])
def test_bad_sizes_are_refused_in_one_line(text):
    with pytest.raises(InputError, match=memory.ENV):
        memory.parse_size(text)


def test_available_memory_is_read_from_this_machine():
    found = memory.available_bytes()
    assert found is None or 2**20 < found < 2**50


# ------------------------------------------------------------------------------- callers refuse early
def test_a_huge_network_is_refused_before_allocating(machine):
    peak = _peak(lambda: pytest.raises(MemoryLimitError, Network, [2, 100_000, 100_000, 1]))
    assert peak < 2**20


def test_fit_refuses_optimizer_state_that_does_not_fit(machine, monkeypatch):
    net = Network([2, 1000, 1], seed=0)                             # 32 KB of parameters
    monkeypatch.setenv(memory.ENV, str(net.theta.nbytes * 3))       # room for the network, not for Adam's state
    with pytest.raises(MemoryLimitError, match="optimizer"):
        fit(net, np.zeros((4, 2)), np.zeros(4), epochs=1, verbose=0)


def test_fit_refuses_data_that_do_not_fit(machine, monkeypatch):
    net = Network([50, 3, 1], seed=0)
    X = np.zeros((20_000, 50), np.float32)                          # 8 MB once converted to float64
    monkeypatch.setenv(memory.ENV, "4M")
    with pytest.raises(MemoryLimitError, match="X"):
        fit(net, X, np.zeros(20_000), epochs=1, verbose=0, optimizer="gd", lr=0.1)


def test_fit_many_estimates_all_its_runs_first(machine, monkeypatch):
    nets = [Network([20, 300, 1], seed=k) for k in range(8)]
    per_run = memory.network_bytes([20, 300, 1]) + memory.training_bytes([20, 300, 1], np.float64, 1000, 64)
    monkeypatch.setenv(memory.ENV, str(int(3 * per_run)))
    with pytest.raises(MemoryLimitError, match="8 runs"):
        fit_many(nets, np.zeros((1000, 20)), np.zeros(1000), epochs=1)
