"""The "Initialization" notebook, older edition (Initialization.ipynb, 2017-2020), against descentlab.course.initialization.

The older edition has no test module: the notebook prints values and compares them with its "Expected Output"
tables. Each test makes the notebook's call and checks what it prints or returns against the course's numbers.
Sources (repo @ commit : path), collected and cross-checked in /work/research/course/initialization-older.md:
  notebook: amanchadha/coursera-deep-learning-specialization @ 3f055e4a8db0d76efbfb6f5a0e7e854535a3e2ec :
            C2 - Improving Deep Neural Networks Hyperparameter tuning, Regularization and Optimization/Week 1/Initialization/Initialization.ipynb
  helpers:  amanchadha/coursera-deep-learning-specialization @ a0e2e6c4e10b9bc2b5252b9343bfc672eb3cf955 :
            C2 - Improving Deep Neural Networks Hyperparameter tuning, Regularization and Optimization/Week 1/Initialization/init_utils.py
  printed model outputs: text exports of the notebook (research notes, copies A and B), which agree on every digit
  the platform does not change (see each test).
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from course_checks import printed, values
from course_oracle import o_backward, o_forward

from descentlab.course import initialization as co
from descentlab.errors import InputError, InputTypeError

PRINTED = 5e-9  # the notebook prints arrays with 8 decimals: equal to half a printed unit


# ------------------------------------------------------------------------ the initialization cells
def test_initialize_parameters_zeros_cell():
    # parameters = initialize_parameters_zeros([3,2,1]); prints W1 = [[0. 0. 0.] [0. 0. 0.]], b1 = [[0.] [0.]], W2 = [[0. 0.]], b2 = [[0.]]
    parameters = co.initialize_parameters_zeros([3, 2, 1])
    assert list(parameters) == ["W1", "b1", "W2", "b2"]
    for key, shape in {"W1": (2, 3), "b1": (2, 1), "W2": (1, 2), "b2": (1, 1)}.items():
        assert parameters[key].shape == shape and parameters[key].dtype == np.float64 and not parameters[key].any()


def test_initialize_parameters_random_cell():
    # parameters = initialize_parameters_random([3, 2, 1]) (np.random.seed(3), randn * 10)
    parameters = co.initialize_parameters_random([3, 2, 1])
    np.testing.assert_allclose(parameters["W1"], [[17.88628473, 4.36509851, 0.96497468],
                                                  [-18.63492703, -2.77388203, -3.54758979]], rtol=0, atol=PRINTED)
    np.testing.assert_allclose(parameters["W2"], [[-0.82741481, -6.27000677]], rtol=0, atol=PRINTED)
    assert parameters["b1"].shape == (2, 1) and not parameters["b1"].any()
    assert parameters["b2"].shape == (1, 1) and not parameters["b2"].any()


def test_initialize_parameters_he_cell():
    # parameters = initialize_parameters_he([2, 4, 1]) (np.random.seed(3), randn * np.sqrt(2./layers_dims[l-1]))
    parameters = co.initialize_parameters_he([2, 4, 1])
    np.testing.assert_allclose(parameters["W1"], [[1.78862847, 0.43650985], [0.09649747, -1.8634927],
                                                  [-0.2773882, -0.35475898], [-0.08274148, -0.62700068]],
                               rtol=0, atol=PRINTED)
    np.testing.assert_allclose(parameters["W2"], [[-0.03098412, -0.33744411, -0.92904268, 0.62552248]],
                               rtol=0, atol=PRINTED)
    assert parameters["b1"].shape == (4, 1) and parameters["b2"].shape == (1, 1)
    assert not parameters["b1"].any() and not parameters["b2"].any()


# ------------------------------------------------------------------------------------- the model cells
# train_X, train_Y, test_X, test_Y = load_dataset(): np.random.seed(1); make_circles(n_samples=300, noise=.05);
# np.random.seed(2); make_circles(n_samples=100, noise=.05) (init_utils.load_dataset; the arrays are vendored).
def _model_cell(initialization):
    """The notebook cell: parameters = model(train_X, train_Y, initialization = "..."), then the two predicts."""
    train_X, train_Y, test_X, test_Y = co.load_dataset()
    parameters, lines = printed(co.model, train_X, train_Y, initialization=initialization)
    lines.append("On the train set:")
    predictions_train, more = printed(co.predict, train_X, train_Y, parameters)
    lines += more + ["On the test set:"]
    predictions_test, more = printed(co.predict, test_X, test_Y, parameters)
    return lines + more, predictions_train, predictions_test


@pytest.fixture(scope="module")
def he_run():
    return _model_cell("he")


@pytest.fixture(scope="module")
def zeros_run():
    return _model_cell("zeros")


@pytest.fixture(scope="module")
def random_run():
    return _model_cell("random")


def _cost_lines(lines):
    costs = values(lines, "Cost after iteration")
    assert lines[:15] == [f"Cost after iteration {i}: {costs[i]}" for i in range(0, 15000, 1000)]
    return costs


# He: the copies agree on iteration 0; later costs differ between copies in the last 1-3 digits (BLAS), e.g. 3000
# 0.6526117768893807 / ...805, 9000 ...836 / ...684 / ...834, 13000 ...428 / ...283 / ...277: compared to rel 1e-12.
HE_COSTS = [0.8830537463419761, 0.6879825919728063, 0.6751286264523371, 0.6526117768893807, 0.6082958970572938,
            0.5304944491717495, 0.4138645817071794, 0.3117803464844441, 0.23696215330322562, 0.18597287209206836,
            0.1501555628037182, 0.12325079292273548, 0.09917746546525937, 0.0845705595402428, 0.07357895962677366]


def test_model_he_prints_the_course_costs_and_accuracies(he_run):
    lines, _, _ = he_run
    costs = _cost_lines(lines)
    assert lines[0] == "Cost after iteration 0: 0.8830537463419761"
    for i, expected in enumerate(HE_COSTS):
        assert float(costs[1000 * i]) == pytest.approx(expected, rel=1e-12, abs=0)
    assert lines[15:] == ["On the train set:", "Accuracy: 0.9933333333333333", "On the test set:", "Accuracy: 0.96"]


def test_model_zeros_prints_log2_and_predicts_one_class(zeros_run):
    # prints 0.6931471805599453 at every iteration (one copy: 0.6931471805599455 at 10000: the last bit varies)
    lines, predictions_train, predictions_test = zeros_run
    costs = _cost_lines(lines)
    assert lines[0] == "Cost after iteration 0: 0.6931471805599453"
    assert all(float(c) == pytest.approx(0.6931471805599453, rel=4e-16, abs=0) for c in costs.values())
    assert lines[15:] == ["On the train set:", "Accuracy: 0.5", "On the test set:", "Accuracy: 0.5"]
    # print ("predictions_train = " + str(predictions_train)) -> all zeros, (1, 300) and (1, 100) integers
    assert predictions_train.shape == (1, 300) and predictions_test.shape == (1, 100)
    assert predictions_train.dtype.kind == "i" and not predictions_train.any() and not predictions_test.any()


# Random (x10): every copy prints inf at iteration 0 and the accuracies 0.83 / 0.86; from iteration 1000 on the copies
# differ from the 3rd-4th significant digit (saturated sigmoids round differently on each platform): copy A 1000:
# 0.6237287551108738, copy B 0.6243339944795463, others 0.6247924745506072, 0.6250982793959966; so the later costs
# are compared with copy A to 2%.
RANDOM_COPY_A = [None, 0.6237287551108738, 0.5981106708339466, 0.5638353726276827, 0.550152614449184,
                 0.5444235275228304, 0.5374184054630083, 0.47357131493578297, 0.39775634899580387,
                 0.3934632865981078, 0.39202525076484457, 0.38921493051297673, 0.38614221789840486,
                 0.38497849983013926, 0.38278397192120406]


def test_model_random_prints_inf_then_the_course_costs(random_run):
    lines, predictions_train, predictions_test = random_run
    costs = _cost_lines(lines)
    assert lines[0] == "Cost after iteration 0: inf"
    for i in range(1, 15):
        assert float(costs[1000 * i]) == pytest.approx(RANDOM_COPY_A[i], rel=0.02)
    assert lines[15:] == ["On the train set:", "Accuracy: 0.83", "On the test set:", "Accuracy: 0.86"]
    # print (predictions_train): 0/1 integers
    assert set(np.unique(predictions_train)) == {0, 1} and predictions_test.shape == (1, 100)


def test_model_random_cost_is_inf_because_a_sigmoid_output_rounds_to_1():
    # the cause of the printed inf: with x10 weights some a3 is exactly 1.0 for a y = 0 point, and -log(1 - 1) = inf
    train_X, train_Y, _, _ = co.load_dataset()
    a3, _ = co.forward_propagation(train_X, co.initialize_parameters_random([2, 10, 5, 1]))
    assert (a3[train_Y == 0] == 1.0).any()
    assert co.compute_loss(a3, train_Y) == np.inf


def test_model_returns_the_parameters_dict():
    train_X, train_Y, _, _ = co.load_dataset()
    parameters = co.model(train_X, train_Y, num_iterations=2, print_cost=False)
    assert list(parameters) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert parameters["W1"].shape == (10, 2) and parameters["W3"].shape == (1, 5)


# ----------------------------------------------------------------------- init_utils on other data
# (beyond the notebook: the same functions, checked against a plain transcription of the course's code)
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


@pytest.mark.parametrize("dims", [[2, 4, 1], [3, 2, 1], [5, 7, 3, 2, 1], [2, 10, 5, 1]])
@pytest.mark.parametrize("kind", ["zeros", "random", "he"])
def test_initializers_give_the_course_draws_bit_for_bit(dims, kind):
    fn = getattr(co, f"initialize_parameters_{kind}")
    state = np.random.get_state()[1].copy()
    got = fn(dims)
    assert np.array_equal(np.random.get_state()[1], state)  # NumPy's global random state untouched
    want = o_init(dims, kind)
    assert list(got) == list(want)
    for k in want:
        np.testing.assert_array_equal(got[k], want[k])


def test_forward_backward_loss_update_are_the_course_code():
    rs = np.random.RandomState(5)
    X, Y = rs.randn(3, 9), (rs.rand(1, 9) < 0.5).astype(int)
    p = {k: rs.randn(*v.shape) for k, v in o_init([3, 4, 2, 1], "he").items()}
    a3, cache = co.forward_propagation(X, p)
    oa3, ocache = o_forward(X, p)
    np.testing.assert_array_equal(a3, oa3)
    assert len(cache) == 12
    for got, want in zip(cache, ocache):
        np.testing.assert_array_equal(got, want)
    grads = co.backward_propagation(X, Y, cache)
    want = o_backward(X, Y, ocache)
    assert list(grads) == ["dz3", "dW3", "db3", "da2", "dz2", "dW2", "db2", "da1", "dz1", "dW1", "db1"]
    for k in want:
        np.testing.assert_array_equal(grads[k], want[k], err_msg=k)
    with np.errstate(divide="ignore", invalid="ignore"):
        expected_loss = 1. / 9 * np.nansum(np.multiply(-np.log(oa3), Y) + np.multiply(-np.log(1 - oa3), 1 - Y))
    assert co.compute_loss(a3, Y) == expected_loss
    original = copy.deepcopy(p)
    new = co.update_parameters(p, grads, 0.1)
    assert new is p  # the course rebinds the entries of the dict it was given
    for k in original:
        np.testing.assert_array_equal(new[k], original[k] - 0.1 * want["d" + k])


def test_sigmoid_and_relu_are_the_utils():
    z = np.array([[-800.0, -1.0, 0.0, 2.0, 40.0]])
    np.testing.assert_array_equal(co.sigmoid(z[:, 1:]), 1 / (1 + np.exp(-z[:, 1:])))
    assert co.sigmoid(40.0) == 1.0 and co.sigmoid(-800.0) == 0.0  # exactly 1 and 0 (exp overflows), as the course's
    np.testing.assert_array_equal(co.relu(z), np.maximum(0, z))


def test_compute_loss_nansum_drops_0_log_0_but_keeps_inf():
    Y = np.array([[1, 0, 1, 0]])
    assert co.compute_loss(np.array([[1.0, 0.0, 0.5, 0.25]]), Y) == pytest.approx((np.log(2) + np.log(4 / 3)) / 4)
    assert co.compute_loss(np.array([[0.0, 0.5, 0.5, 0.5]]), Y) == np.inf


def test_predict_prints_the_accuracy_and_predict_dec_thresholds():
    rs = np.random.RandomState(2)
    X, Y = rs.randn(2, 50), (rs.rand(1, 50) < 0.5).astype(int)
    p = {k: rs.randn(*v.shape) for k, v in o_init([2, 10, 5, 1], "he").items()}
    pred, lines = printed(co.predict, X, Y, p)
    a3, _ = o_forward(X, p)
    np.testing.assert_array_equal(pred, (a3 > 0.5).astype(int))
    assert lines == ["Accuracy: " + str(np.mean((a3 > 0.5) == Y))]
    np.testing.assert_array_equal(co.predict_dec(p, X), a3 > 0.5)


def test_plot_decision_boundary_draws_the_course_call():
    train_X, train_Y, _, _ = co.load_dataset()
    parameters = co.initialize_parameters_he([2, 10, 5, 1])
    ax = co.plot_decision_boundary(lambda x: co.predict_dec(parameters, x.T), train_X, train_Y)
    assert ax.get_xlabel() == "x1" and ax.get_ylabel() == "x2"


def test_load_dataset_is_the_course_circles():
    train_X, train_Y, test_X, test_Y = co.load_dataset()
    assert train_X.shape == (2, 300) and train_Y.shape == (1, 300)
    assert test_X.shape == (2, 100) and test_Y.shape == (1, 100)
    import sklearn.datasets  # a test dependency

    np.random.seed(1)  # init_utils.load_dataset (the global state is restored after the test)
    X, y = sklearn.datasets.make_circles(n_samples=300, noise=.05)
    np.testing.assert_array_equal(train_X, X.T)
    np.testing.assert_array_equal(train_Y, y.reshape((1, 300)))


# ---------------------------------------------------------------------------------------- bad input
def test_bad_inputs_raise_one_line_errors_naming_the_argument():
    train_X, train_Y, _, _ = co.load_dataset()
    with pytest.raises(InputError, match=r"^initialization: .*'xavier'"):
        co.model(train_X, train_Y, num_iterations=1, print_cost=False, initialization="xavier")
    with pytest.raises(InputError, match=r"^X: .*one example per column"):
        co.model(train_X[0], train_Y, num_iterations=1, print_cost=False)
    with pytest.raises(InputError, match=r"^Y: .*\(1, 300\)"):
        co.model(train_X, train_Y[:, :100], num_iterations=1, print_cost=False)
    with pytest.raises(InputError, match=r"^Y: .*label 2"):
        co.model(train_X, train_Y * 2, num_iterations=1, print_cost=False)
    with pytest.raises(InputError, match=r"^learning_rate"):
        co.model(train_X, train_Y, learning_rate=0, num_iterations=1, print_cost=False)
    with pytest.raises(InputTypeError, match=r"^print_cost"):
        co.model(train_X, train_Y, num_iterations=1, print_cost="yes")
    with pytest.raises(InputError, match=r"layer_dims"):
        co.initialize_parameters_he([2])
    p = co.initialize_parameters_he([2, 10, 5, 1])
    with pytest.raises(InputError, match=r"^X: .*\(2, m\).*pass X\.T"):
        co.forward_propagation(train_X.T, p)
    with pytest.raises(InputError, match=r"^parameters\['b2'\]"):
        co.forward_propagation(train_X, {**p, "b2": np.zeros((4, 1))})
    with pytest.raises(InputError, match=r"^parameters\['W2'\]: .*columns must match the rows of W1"):
        co.forward_propagation(train_X, {**p, "W2": np.zeros((5, 3))})
    with pytest.raises(InputError, match=r"^a3"):
        co.compute_loss(np.array([[1.5, 0.2]]), np.array([[1, 0]]))
    _, cache = co.forward_propagation(train_X, p)
    with pytest.raises(InputError, match=r"^cache"):
        co.backward_propagation(train_X, train_Y, cache[:-1])
    with pytest.raises(InputError, match=r"^grads\['dW2'\]: expected shape \(5, 10\)"):
        co.update_parameters(p, {**co.backward_propagation(train_X, train_Y, cache), "dW2": np.zeros((5, 2))}, 0.1)
