"""Initializers: exact seeded draws (the course's) and the statistics of each rule."""

from __future__ import annotations

import math

import numpy as np
import pytest

from descentlab import Network
from descentlab.core.initializers import get_initializer

DIMS = [2, 10, 5, 1]


def _course_draws(seed, dims, rule):
    """np.random.seed(seed); then rule(randn(n_l, n_{l-1}), l) for l = 1..L, as the course writes it."""
    state = np.random.get_state()
    try:
        np.random.seed(seed)
        return [rule(np.random.randn(dims[l], dims[l - 1]), l) for l in range(1, len(dims))]
    finally:
        np.random.set_state(state)


@pytest.mark.parametrize("init,rule", [
    ("random", lambda w, l: w * 10),                                       # initialize_parameters_random
    ("he", lambda w, l: w * np.sqrt(2. / DIMS[l - 1])),                   # initialize_parameters_he
    ("lecun", lambda w, l: w / np.sqrt(DIMS[l - 1])),                     # regularization notebook
    ("xavier", lambda w, l: w * np.sqrt(2. / (DIMS[l - 1] + DIMS[l]))),
])
def test_seeded_draws_are_the_course_draws(init, rule):
    net = Network(DIMS, init=init, seed=3)
    expected = _course_draws(3, DIMS, rule)
    for l, W in enumerate(expected, start=1):
        assert np.array_equal(net.params[f"W{l}"], W)
        assert np.array_equal(net.params[f"b{l}"], np.zeros(DIMS[l]))


def test_global_numpy_state_is_never_used():
    state = np.random.get_state()
    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    Network([5, 7, 3], init="he", seed=9)
    Network([5, 7, 3], init="glorot_uniform", seed=None)
    after = np.random.get_state()[1]
    np.random.set_state(state)
    assert np.array_equal(before, after)


def test_zeros_initialization():
    net = Network(DIMS, init="zeros", seed=1)
    assert not net.theta.any()


@pytest.mark.parametrize("init,std", [
    ("he", lambda fi, fo: math.sqrt(2 / fi)),
    ("lecun", lambda fi, fo: math.sqrt(1 / fi)),
    ("glorot_normal", lambda fi, fo: math.sqrt(2 / (fi + fo))),
    ("glorot_uniform", lambda fi, fo: math.sqrt(2 / (fi + fo))),  # U(-a, a) has std a/sqrt(3)
    ("random", lambda fi, fo: 10.0),
])
def test_statistics(init, std):
    net = Network([400, 300, 1], init=init, seed=np.random.default_rng(0))
    W = net.params["W1"]
    assert abs(W.mean()) < 0.02 * std(400, 300) * 10
    assert W.std() == pytest.approx(std(400, 300), rel=0.02)
    if init == "glorot_uniform":
        limit = math.sqrt(6 / 700)
        assert W.max() <= limit and W.min() >= -limit


def test_generator_and_randomstate_are_accepted_and_reproducible():
    a = Network(DIMS, seed=np.random.default_rng(5))
    b = Network(DIMS, seed=np.random.default_rng(5))
    assert np.array_equal(a.theta, b.theta)
    c = Network(DIMS, seed=np.random.RandomState(3))
    assert np.array_equal(c.theta, Network(DIMS, seed=3).theta)


def test_seed_none_is_recorded_and_reproduces():
    a = Network(DIMS, seed=None)
    assert isinstance(a.seed, int)
    assert np.array_equal(Network(DIMS, seed=a.seed).theta, a.theta)


def test_init_scale_and_aliases():
    assert get_initializer("xavier") == get_initializer("glorot")
    a = Network(DIMS, init="random", seed=3, init_scale=1.0)
    b = Network(DIMS, init="random", seed=3)
    assert np.allclose(b.theta, 10 * a.theta)
