"""descentlab.course.initialization against a course-style NumPy transcription and the course's numbers."""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pytest
from course_oracle import o_backward, o_forward

from descentlab.course import initialization as ci
from descentlab.errors import InputError


# --------------------------------------------------------------------------- the oracle
# The course's init_utils.py and notebook, transcribed; a private RandomState(3) gives
# the draws of the course's np.random.seed(3).
def o_init(layers_dims, kind):
    rs = np.random.RandomState(3)
    p = {}
    for l in range(1, len(layers_dims)):
        shape = (layers_dims[l], layers_dims[l - 1])
        if kind == "zeros":
            p["W" + str(l)] = np.zeros(shape)
        elif kind == "random":
            p["W" + str(l)] = rs.randn(*shape) * 10
        else:
            p["W" + str(l)] = rs.randn(*shape) * np.sqrt(2. / layers_dims[l - 1])
        p["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return p


def o_loss(a3, Y):
    m = Y.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        logprobs = np.multiply(-np.log(a3), Y) + np.multiply(-np.log(1 - a3), 1 - Y)
    return 1. / m * np.nansum(logprobs)


def o_model(X, Y, learning_rate=0.01, num_iterations=15000, initialization="he"):
    p = o_init([X.shape[0], 10, 5, 1], initialization)
    costs = []
    for i in range(num_iterations):
        a3, cache = o_forward(X, p)
        costs.append(o_loss(a3, Y))
        g = o_backward(X, Y, cache)
        for l in range(1, 4):
            p["W" + str(l)] = p["W" + str(l)] - learning_rate * g["dW" + str(l)]
            p["b" + str(l)] = p["b" + str(l)] - learning_rate * g["db" + str(l)]
    return p, costs


def _accuracy(p, X, Y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the course's sigmoid overflows on huge logits
        a3, _ = o_forward(X, p)
    return float(np.mean((a3 > 0.5) == Y))


@pytest.fixture(scope="module")
def circles():
    """The course's circles data in its layout: (X_train, Y_train, X_test, Y_test)."""
    try:
        from descentlab.datasets import load_circles
    except ImportError:
        load_circles = None
    if load_circles is not None:
        d = load_circles()
        return d.X_train.T.copy(), d.y_train.reshape(1, -1).copy(), d.X_test.T.copy(), d.y_test.reshape(1, -1).copy()
    sk = pytest.importorskip("sklearn.datasets")
    X, y = sk.make_circles(n_samples=300, noise=.05, random_state=np.random.RandomState(1))
    Xt, yt = sk.make_circles(n_samples=100, noise=.05, random_state=np.random.RandomState(2))
    return X.T.copy(), y.reshape(1, -1), Xt.T.copy(), yt.reshape(1, -1)


# --------------------------------------------------------------------------- initializers
@pytest.mark.parametrize("dims", [[2, 4, 1], [3, 2, 1], [5, 7, 3, 2, 1], [2, 10, 5, 1]])
@pytest.mark.parametrize("kind", ["zeros", "random", "he"])
def test_initializers_give_the_course_draws_exactly(dims, kind):
    fn = getattr(ci, f"initialize_parameters_{kind}")
    state = np.random.get_state()[1].copy()
    got = fn(dims)
    assert np.array_equal(np.random.get_state()[1], state)  # NumPy's global random state untouched
    want = o_init(dims, kind)
    assert list(got) == list(want)
    for k in want:
        assert got[k].shape == want[k].shape
        np.testing.assert_array_equal(got[k], want[k])


def test_initializers_print_the_course_values():
    he = ci.initialize_parameters_he([2, 4, 1])
    np.testing.assert_allclose(he["W1"], [[1.78862847, 0.43650985], [0.09649747, -1.8634927],
                                          [-0.2773882, -0.35475898], [-0.08274148, -0.62700068]], atol=1e-8)
    np.testing.assert_allclose(he["W2"], [[-0.03098412, -0.33744411, -0.92904268, 0.62552248]], atol=1e-8)
    rnd = ci.initialize_parameters_random([3, 2, 1])
    np.testing.assert_allclose(rnd["W1"], [[17.88628473, 4.36509851, 0.96497468],
                                           [-18.63492703, -2.77388203, -3.54758979]], atol=1e-7)
    np.testing.assert_allclose(rnd["W2"], [[-0.82741481, -6.27000677]], atol=1e-8)
    zeros = ci.initialize_parameters_zeros([3, 2, 1])
    assert not any(v.any() for v in zeros.values()) and zeros["b1"].shape == (2, 1)


# --------------------------------------------------------------------------- utils
def test_forward_backward_loss_update_match_the_course():
    rs = np.random.RandomState(5)
    X, Y = rs.randn(3, 9), (rs.rand(1, 9) < 0.5).astype(int)
    p = {k: rs.randn(*v.shape) for k, v in o_init([3, 4, 2, 1], "he").items()}
    a3, cache = ci.forward_propagation(X, p)
    oa3, ocache = o_forward(X, p)
    np.testing.assert_allclose(a3, oa3, rtol=1e-12)
    assert len(cache) == 12
    for got, want in zip(cache, ocache):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    grads = ci.backward_propagation(X, Y, cache)
    want = o_backward(X, Y, ocache)
    assert set(grads) == set(want)
    for k in want:
        np.testing.assert_allclose(grads[k], want[k], rtol=1e-10, atol=1e-15, err_msg=k)
    assert ci.compute_loss(a3, Y) == pytest.approx(o_loss(oa3, Y), rel=1e-12)
    new = ci.update_parameters(copy.deepcopy(p), grads, 0.1)
    for k in p:
        np.testing.assert_allclose(new[k], p[k] - 0.1 * want["d" + k], rtol=1e-12, atol=1e-15)


def test_compute_loss_treats_saturated_probabilities_like_the_course():
    Y = np.array([[1, 0, 1, 0]])
    a3 = np.array([[1.0, 0.0, 0.5, 0.25]])  # 0 log 0 terms count 0, as the course's nansum
    assert ci.compute_loss(a3, Y) == pytest.approx(o_loss(a3, Y), rel=1e-14)
    assert ci.compute_loss(np.array([[0.0, 0.5, 0.5, 0.5]]), Y) == np.inf


def test_predict_prints_the_accuracy(capsys):
    rs = np.random.RandomState(2)
    X, Y = rs.randn(2, 50), (rs.rand(1, 50) < 0.5).astype(int)
    p = {k: rs.randn(*v.shape) for k, v in o_init([2, 10, 5, 1], "he").items()}
    pred = ci.predict(X, Y, p)
    a3, _ = o_forward(X, p)
    np.testing.assert_array_equal(pred, (a3 > 0.5).astype(int))
    assert capsys.readouterr().out == f"Accuracy: {np.mean((a3 > 0.5) == Y)}\n"
    np.testing.assert_array_equal(ci.predict_dec(p, X), a3 > 0.5)


# --------------------------------------------------------------------------- model
@pytest.mark.parametrize("kind", ["he", "zeros", "random"])
def test_model_short_runs_match_the_course_loop(circles, kind):
    X, Y, _, _ = circles
    got = ci.model(X, Y, learning_rate=0.05, num_iterations=60, print_cost=False, initialization=kind)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        want, _ = o_model(X, Y, learning_rate=0.05, num_iterations=60, initialization=kind)
    for k in want:
        np.testing.assert_allclose(got[k], want[k], rtol=1e-9, atol=1e-12, err_msg=k)


@pytest.mark.parametrize("kind,train,test", [("zeros", 0.5, 0.5), ("random", 0.83, 0.86),
                                             ("he", 0.9933333333333333, 0.96)])
def test_model_reproduces_the_course(circles, capsys, kind, train, test):
    X, Y, Xt, Yt = circles
    p = ci.model(X, Y, initialization=kind)
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 15 and out[0].startswith("Cost after iteration 0: ") and out[-1].startswith(
        "Cost after iteration 14000: ")
    costs = [float(line.rsplit(": ", 1)[1]) for line in out]
    assert all(np.isfinite(costs))  # the course prints inf at iteration 0 for random
    if kind == "he":  # the course's printed costs
        assert costs[0] == pytest.approx(0.8830537463419761, rel=1e-12)
        assert costs[1] == pytest.approx(0.6879825919728063, rel=1e-10)
        assert costs[-1] == pytest.approx(0.07357895962677366, rel=1e-8)
    if kind == "zeros":
        assert costs == [pytest.approx(np.log(2), rel=1e-15)] * 15
    if kind == "random":
        assert costs[0] > 100  # the true cost of confidently wrong logits, not inf
    assert _accuracy(p, X, Y) == train
    assert _accuracy(p, Xt, Yt) == test


def test_bad_inputs_raise_input_errors_naming_the_argument(circles):
    X, Y, _, _ = circles
    with pytest.raises(InputError, match=r"initialization.*'xavier'"):
        ci.model(X, Y, num_iterations=1, print_cost=False, initialization="xavier")
    with pytest.raises(InputError, match=r"X: .*one example per column"):
        ci.model(X[0], Y, num_iterations=1, print_cost=False)
    with pytest.raises(InputError, match=r"Y: .*\(1, 300\)"):
        ci.model(X, Y[:, :100], num_iterations=1, print_cost=False)
    with pytest.raises(InputError, match=r"Y: .*label 2"):
        ci.model(X, Y * 2, num_iterations=1, print_cost=False)
    with pytest.raises(InputError, match=r"learning_rate"):
        ci.model(X, Y, learning_rate=0, num_iterations=1, print_cost=False)
    with pytest.raises(InputError, match=r"layer_dims"):
        ci.initialize_parameters_he([2])
    p = ci.initialize_parameters_he([2, 10, 5, 1])
    with pytest.raises(InputError, match=r"X: .*\(2, m\).*pass X\.T"):
        ci.forward_propagation(X.T, p)
    with pytest.raises(InputError, match=r"parameters\['b2'\]"):
        ci.forward_propagation(X, {**p, "b2": np.zeros((4, 1))})
    with pytest.raises(InputError, match=r"a3"):
        ci.compute_loss(np.array([[1.5, 0.2]]), np.array([[1, 0]]))
