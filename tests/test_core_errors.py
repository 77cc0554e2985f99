"""Bad input to the core: a ValueError/TypeError subclass naming the argument, value and expectation."""

from __future__ import annotations

import numpy as np
import pytest

from descentlab import DescentlabError, Network, check_gradients

net = Network([3, 4, 2], output="softmax", seed=1)
X = np.ones((5, 3))


@pytest.mark.parametrize("call,name,words", [
    (lambda: Network([3]), "layer_dims", "at least two"),
    (lambda: Network([3, 0, 1]), "layer_dims", "positive"),
    (lambda: Network([3, -2, 1]), "layer_dims", "positive"),
    (lambda: Network("3,4"), "layer_dims", "sequence"),
    (lambda: Network([3, 2.5, 1]), "layer_dims", "integers"),
    (lambda: Network([3, 4, 1], hidden="relu6"), "hidden", "relu"),
    (lambda: Network([3, 4, 1], output="sigmod"), "output", "sigmoid"),
    (lambda: Network([3, 4, 1], init="kaiming_uniform"), "init", "he"),
    (lambda: Network([3, 4, 1], dtype=np.int32), "dtype", "float64"),
    (lambda: Network([3, 4, 1], hidden=["relu", "tanh"]), "hidden", "list of 1"),
    (lambda: net.forward(np.ones((5, 4))), "X", "3 features"),
    (lambda: net.forward(np.ones(3)), "X", "2-D"),
    (lambda: net.forward(np.ones((0, 3))), "X", "at least one"),
    (lambda: net.forward(np.array([[1, np.nan, 3.0]])), "X", "finite"),
    (lambda: net.forward(np.array([[1, np.inf, 3.0]])), "X", "finite"),
    (lambda: net.forward([["a", "b", "c"]]), "X", "real numbers"),
    (lambda: net.cost(X, [0, 1, 2, 1, 0]), "y", "0..1"),
    (lambda: net.cost(X, [0, 1, -1, 1, 0]), "y", "0..1"),
    (lambda: net.cost(X, [0, 1]), "y", "5 targets"),
    (lambda: net.cost(X, [0, 1, 1, 1, 0], l2=-0.1), "l2", "[0.0, inf]"),
    (lambda: net.cost(X, [0, 1, 1, 1, 0], l2=float("nan")), "l2", "finite"),
    (lambda: Network([3, 4, 1], seed=1).cost(X, ["a", "b", "a", "b", "a"]), "y", "numbers, not strings"),
    (lambda: Network([3, 4, 1], seed=1).cost(X, [0, 1, 2, 1, 0]), "y", "0 or 1"),
    (lambda: Network([3, 4, 1], seed=1).cost(X, np.zeros((1, 5))), "y", "(1, m) layout"),
    (lambda: net.loss_and_grad(X, [0] * 5, keep_prob=0.0), "keep_prob", "(0.0, 1.0]"),
    (lambda: net.loss_and_grad(X, [0] * 5, keep_prob=1.5), "keep_prob", "(0.0, 1.0]"),
    (lambda: net.loss_and_grad(X, [0] * 5, keep_prob=[0.5, 0.5]), "keep_prob", "one per hidden layer"),
    (lambda: check_gradients(net, X, [0] * 5, epsilon=0), "epsilon", "(0.0, inf]"),
    (lambda: Network([3, 4, 1], seed="abc"), "seed", "integer seed"),
])
def test_bad_input_names_the_argument(call, name, words):
    with pytest.raises((ValueError, TypeError)) as info:
        call()
    assert isinstance(info.value, DescentlabError)
    message = str(info.value)
    assert message.startswith(f"{name}:"), message
    assert words in message, message
    assert "received" in message
