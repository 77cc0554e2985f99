"""The "Optimization Methods" notebook, current edition (W2A1/Optimization_methods.ipynb, 2021+), against
descentlab.course.current.optimization: every test of its public_tests.py in the three revisions of the fixtures, the
notebook's own asserts and every model cell.

Sources (repo @ commit : path), cross-checked in /work/research/course/optimization-current.md:
  revision A tests:     greyhatguy007/deep-learning-specialization @ 4f3647d753aee4a80fddb6a58495e0c7b9073072 :
      C2-Improving Deep Neural Networks: Hyperparameter Tuning, Regularization and Optimization/week2/pogramming assignments/W2A1/public_tests.py
  revision A fixtures:  opt_cases.py (testCases.py, the older file: W2 (3, 3), a 4-value Adam case)
  revision A' fixtures: the same numbers with a 9-value Adam case (an unnamed copy); revision B: opt_cases.py rev "B"
      (shivamaggarwal513/coursera-deep-learning-specialization @ ded9d4c0a0f755e277c9c805374f8b339f6743dd :
       c2-improving-deep-neural-networks/week-2/a1-optimization-algorithms/{public_tests,test_cases}.py)
  notebook cells:       kiyan-rezaee/Improving-Deep-Neural-Networks-Hyperparameter-Tuning-Regularization-and-Optimization @
      1fd81764a7a762a304138e14f7b53da30b8913bd : Optimization_methods.py
The tests use the course's multiple_test (course_checks.py: 6-decimal comparisons), np.allclose and np.isclose, as each
public test does; the update tests compare shapes with the INPUT dicts, as the course's do.
"""

from __future__ import annotations

import math

import numpy as np
import opt_cases as F
import pytest
from course_checks import multiple_test, printed

from descentlab.course import optimization as older
from descentlab.course.current import optimization as co

REVS = ["A", "B"]

GD = {
    "A": {"W1": [[1.63535156, -0.62320365, -0.53718766], [-1.07799357, 0.85639907, -2.29470142]],
          "b1": [[1.74604067], [-0.75184921]],
          "W2": [[0.32171798, -0.25467393, 1.46902454], [-2.05617317, -0.31554548, -0.3756023],
                 [1.1404819, -1.09976462, -0.1612551]],
          "b2": [[-0.88020257], [0.02561572], [0.57539477]]},
    "B": {"W1": [[1.63312395, -0.61217855, -0.5339999], [-1.06196243, 0.85396039, -2.3105546]],
          "b1": [[1.73978682], [-0.77021546]],
          "W2": [[0.32587637, -0.24814147], [1.47146563, -2.05746183], [-0.32772076, -0.37713775]],
          "b2": [[1.13773698], [-1.09301954], [-0.16397615]]},
}


@pytest.mark.parametrize("rev", REVS)
def test_update_parameters_with_gd_test(rev):
    parameters, grads, _ = F.update_parameters_with_gd_test_case(rev)
    learning_rate = 0.01
    expected_output = GD[rev]
    params_up = co.update_parameters_with_gd(parameters, grads, learning_rate)
    for key in params_up.keys():
        assert type(params_up[key]) == np.ndarray, f"Wrong type for {key}. We expected np.ndarray"
        assert params_up[key].shape == parameters[key].shape, f"Wrong shape for {key}. {params_up[key].shape} != {parameters[key].shape}"
        assert np.allclose(params_up[key], expected_output[key]), f"Wrong values. Check you formulas for {key}"


def test_random_mini_batches_test_rev_A():
    np.random.seed(1)
    mini_batch_size = 2
    X = np.random.randn(7, 3)
    Y = np.random.randn(1, 3) < 0.5
    expected_output = [
        (np.array([[-0.52817175, -0.61175641], [-2.3015387, 0.86540763], [0.3190391, -0.7612069],
                   [-2.06014071, 1.46210794], [1.13376944, -0.38405435], [-0.87785842, -0.17242821],
                   [-1.10061918, 0.58281521]]), np.array([[False, False]])),
        (np.array([[1.62434536], [-1.07296862], [1.74481176], [-0.24937038], [-0.3224172], [-1.09989127],
                   [0.04221375]]), np.array([[False]]))]
    multiple_test(co.random_mini_batches, [X, Y, mini_batch_size], expected_output)


def test_random_mini_batches_test_rev_B():
    np.random.seed(1)
    mini_batch_size = 2
    X = np.random.randn(5, 7)
    Y = np.random.randn(1, 7) < 0.5
    expected_output = [
        (np.array([[1.74481176, -0.52817175], [-0.38405435, -0.24937038], [-1.10061918, -0.17242821],
                   [-0.93576943, 0.50249434], [-0.67124613, -0.69166075]]), np.array([[True, True]])),
        (np.array([[-0.61175641, -1.07296862], [0.3190391, 1.46210794], [-1.09989127, -0.87785842],
                   [0.90159072, 0.90085595], [0.53035547, -0.39675353]]), np.array([[True, False]])),
        (np.array([[1.62434536, -2.3015387], [-0.7612069, -0.3224172], [1.13376944, 0.58281521],
                   [1.14472371, -0.12289023], [-0.26788808, -0.84520564]]), np.array([[True, True]])),
        (np.array([[0.86540763], [-2.06014071], [0.04221375], [-0.68372786], [-0.6871727]]), np.array([[False]])),
    ]
    result = multiple_test(co.random_mini_batches, [X, Y, mini_batch_size], expected_output)
    assert all(mb[1].dtype == bool for mb in result)  # the labels keep Y's dtype


def test_random_mini_batches_notebook_asserts():
    # the notebook's cell after the graded function: indices as values, to check that only columns are shuffled
    np.random.seed(1)
    mini_batch_size = 64
    nx = 12288
    m = 148
    X = np.array([x for x in range(nx * m)]).reshape((m, nx)).T
    Y = np.random.randn(1, m) < 0.5
    mini_batches = co.random_mini_batches(X, Y, mini_batch_size)
    n_batches = len(mini_batches)
    assert n_batches == math.ceil(m / mini_batch_size), f"Wrong number of mini batches. {n_batches} != {math.ceil(m / mini_batch_size)}"
    for k in range(n_batches - 1):
        assert mini_batches[k][0].shape == (nx, mini_batch_size)
        assert mini_batches[k][1].shape == (1, mini_batch_size)
        assert np.sum(np.sum(mini_batches[k][0] - mini_batches[k][0][0], axis=0)) == ((nx * (nx - 1) / 2) * mini_batch_size)
    if m % mini_batch_size > 0:
        assert mini_batches[n_batches - 1][0].shape == (nx, m % mini_batch_size)
    assert np.allclose(mini_batches[0][0][0][0:3], [294912, 86016, 454656]), "Wrong values. It happens if the order of X rows(features) changes"
    assert np.allclose(mini_batches[-1][0][-1][0:3], [1425407, 1769471, 897023]), "Wrong values. It happens if the order of X rows(features) changes"


def test_random_mini_batches_test_case_cell():
    # the notebook's next cell (the older test case): prints the shapes and the sanity check
    X_assess, Y_assess, mini_batch_size = F.random_mini_batches_test_case()
    mini_batches = co.random_mini_batches(X_assess, Y_assess, mini_batch_size)
    assert [mb[0].shape for mb in mini_batches] == [(12288, 64), (12288, 64), (12288, 20)]
    assert [mb[1].shape for mb in mini_batches] == [(1, 64), (1, 64), (1, 20)]
    np.testing.assert_allclose(mini_batches[0][0][0][0:3], [0.90085595, -0.7612069, 0.2344157], rtol=0, atol=5e-9)


@pytest.mark.parametrize("rev", REVS)
def test_initialize_velocity_test(rev):
    parameters = F.initialize_velocity_test_case(rev)
    expected_output = {"dW1": np.zeros(parameters["W1"].shape), "db1": np.zeros(parameters["b1"].shape),
                       "dW2": np.zeros(parameters["W2"].shape), "db2": np.zeros(parameters["b2"].shape)}
    assert expected_output["dW1"].shape == ((2, 3) if rev == "A" else (3, 2))
    multiple_test(co.initialize_velocity, [parameters], expected_output)


MOMENTUM = {
    "A": ({"W1": [[1.62544598, -0.61290114, -0.52907334], [-1.07347112, 0.86450677, -2.30085497]],
           "b1": [[1.74493465], [-0.76027113]],
           "W2": [[0.31930698, -0.24990073, 1.4627996], [-2.05974396, -0.32173003, -0.38320915],
                  [1.13444069, -1.0998786, -0.1713109]],
           "b2": [[-0.87809283], [0.04055394], [0.58207317]]},
          {"dW1": [[-0.11006192, 0.11447237, 0.09015907], [0.05024943, 0.09008559, -0.06837279]],
           "dW2": [[-0.02678881, 0.05303555, -0.06916608], [-0.03967535, -0.06871727, -0.08452056],
                   [-0.06712461, -0.00126646, -0.11173103]],
           "db1": [[-0.01228902], [-0.09357694]],
           "db2": [[0.02344157], [0.16598022], [0.07420442]]}),
    "B": ({"W1": [[1.62522322, -0.61179863, -0.52875457], [-1.071868, 0.86426291, -2.30244029]],
           "b1": [[1.74430927], [-0.76210776]],
           "W2": [[0.31972282, -0.24924749], [1.46304371, -2.05987282], [-0.32294756, -0.38336269]],
           "b2": [[1.1341662], [-1.09920409], [-0.171583]]},
          {"dW1": [[-0.08778584, 0.00422137, 0.05828152], [-0.11006192, 0.11447237, 0.09015907]],
           "dW2": [[-0.06837279, -0.01228902], [-0.09357694, -0.02678881], [0.05303555, -0.06916608]],
           "db1": [[0.05024943], [0.09008559]],
           "db2": [[-0.03967535], [-0.06871727], [-0.08452056]]}),
}


@pytest.mark.parametrize("rev", REVS)
def test_update_parameters_with_momentum_test(rev):
    parameters, grads, v = F.update_parameters_with_momentum_test_case(rev)
    beta = 0.9
    learning_rate = 0.01
    expected_parameters, expected_v = ({k: np.array(x) for k, x in d.items()} for d in MOMENTUM[rev])
    multiple_test(co.update_parameters_with_momentum, [parameters, grads, v, beta, learning_rate],
                  (expected_parameters, expected_v))


@pytest.mark.parametrize("rev", REVS)
def test_initialize_adam_test(rev):
    parameters = F.initialize_adam_test_case(rev)
    zeros = {"dW1": np.zeros((2, 3)), "db1": np.zeros((2, 1)), "dW2": np.zeros(F.W2_SHAPE[rev]), "db2": np.zeros((3, 1))}
    multiple_test(co.initialize_adam, [parameters], (zeros, {k: a.copy() for k, a in zeros.items()}))


ADAM = {  # row 0 only, as the course's test checks
    "A": dict(v={"dW1": [-0.22012384, 0.22894474, 0.18031814], "dW2": [-0.05357762, 0.10607109, -0.13833215],
                 "db1": [-0.02457805], "db2": [0.04688314]},
              s={"dW1": [0.13567261, 0.14676395, 0.09104097], "dW2": [8.03757060e-03, 3.15030152e-02, 5.35801947e-02],
                 "db1": [0.00169142], "db2": [0.00615448]},
              p={"W1": [1.63942428, -0.6268425, -0.54320974], "W2": [0.33356139, -0.26425199, 1.47707772],
                 "b1": [1.75854357], "b2": [-0.89228024]}),
    "B": dict(v={"dW1": [-0.17557168, 0.00844275, 0.11656304], "dW2": [-0.13674557, -0.02457805],
                 "db1": [0.10049887], "db2": [-0.07935071]},
              s={"dW1": [0.08631117, 0.00019958, 0.03804344], "dW2": [0.05235818, 0.00169142],
                 "db1": [0.02828006], "db2": [0.0176303]},
              p={"W1": [1.63937725, -0.62327448, -0.54308727], "W2": [0.33400549, -0.23563857],
                 "b1": [1.72995096], "b2": [1.14852557]}),
}


def _adam_case(rev, nine):
    case = F.update_parameters_with_adam_test_case(rev, nine)
    if len(case) == 4:  # revision A: the test sets the numbers itself
        t, learning_rate, beta1, beta2, epsilon = 2, 0.02, 0.8, 0.888, 1e-2
        return (*case, t, learning_rate, beta1, beta2, epsilon)
    return case


@pytest.mark.parametrize("rev,nine", [("A", False), ("A", True), ("B", True)], ids=["A", "A'", "B"])
def test_update_parameters_with_adam_test(rev, nine):
    parametersi, grads, vi, si, t, learning_rate, beta1, beta2, epsilon = _adam_case(rev, nine)
    shapes_p = {k: a.shape for k, a in parametersi.items()}
    shapes_v = {k: a.shape for k, a in vi.items()}
    shapes_s = {k: a.shape for k, a in si.items()}
    c1 = 1.0 / (1 - beta1 ** t)
    c2 = 1.0 / (1 - beta2 ** t)
    parameters, v, s, vc, sc = co.update_parameters_with_adam(parametersi, grads, vi, si, t, learning_rate, beta1,
                                                              beta2, epsilon)
    expected = ADAM[rev]
    for key in v.keys():
        assert type(v[key]) == np.ndarray, f"Wrong type for v['{key}']. Expected np.ndarray"
        assert v[key].shape == shapes_v[key], f"Wrong shape for v['{key}']"
        assert np.allclose(v[key][0], expected["v"][key]), f"Wrong values. Check you formulas for v['{key}']"
    for key in vc.keys():
        assert type(vc[key]) == np.ndarray and vc[key].shape == shapes_v[key]
        assert np.allclose(vc[key][0], np.array(expected["v"][key]) * c1), f"Wrong values for v_corrected['{key}']"
    for key in s.keys():
        assert type(s[key]) == np.ndarray and s[key].shape == shapes_s[key]
        assert np.allclose(s[key][0], expected["s"][key]), f"Wrong values. Check you formulas for s['{key}']"
    for key in sc.keys():
        assert type(sc[key]) == np.ndarray and sc[key].shape == shapes_s[key]
        assert np.allclose(sc[key][0], np.array(expected["s"][key]) * c2), f"Wrong values for s_corrected['{key}']"
    for key in parameters.keys():
        assert type(parameters[key]) == np.ndarray and parameters[key].shape == shapes_p[key]
        assert np.allclose(parameters[key][0], expected["p"][key]), f"Wrong values. Check you formulas for parameters['{key}']"


def test_adam_cell_prints_the_notebooks_expected_values():
    # the revision-A notebook's "Expected values" after the Adam cell: the whole arrays, printed with 8 decimals
    parametersi, grads, vi, si, t, learning_rate, beta1, beta2, epsilon = _adam_case("A", False)
    parameters, *_ = co.update_parameters_with_adam(parametersi, grads, vi, si, t, learning_rate, beta1, beta2, epsilon)
    expected = {"W1": [[1.63942428, -0.6268425, -0.54320974], [-1.08782943, 0.85036983, -2.2865723]],
                "W2": [[0.33356139, -0.26425199, 1.47707772], [-2.04538458, -0.30744933, -0.36903141],
                       [1.14873036, -1.09256871, -0.15734651]],
                "b1": [[1.75854357], [-0.74616067]], "b2": [[-0.89228024], [0.02707193], [0.56782561]]}
    for k, v in expected.items():
        np.testing.assert_allclose(parameters[k], v, rtol=0, atol=5e-9, err_msg=k)


def test_update_lr_test():
    learning_rate = 0.5
    epoch_num = 2
    decay_rate = 1
    expected_output = 0.16666666666666666
    output = co.update_lr(learning_rate, epoch_num, decay_rate)
    assert np.isclose(output, expected_output), f"output: {output} expected: {expected_output}"
    # the notebook cell prints "Original learning rate:  0.5" / "Updated learning rate:  0.16666666666666666"
    assert printed(print, "Updated learning rate: ", output)[1] == ["Updated learning rate:  0.16666666666666666"]


def test_schedule_lr_decay_test():
    for args, expected in (((0.5, 100, 1, 100), 0.25), ((0.5, 10, 1, 100), 0.5), ((0.3, 1000, 0.25, 100), 0.085714285),
                           ((0.3, 100, 0.25, 100), 0.24)):
        output = co.schedule_lr_decay(*args)
        assert np.isclose(output, expected), f"output: {output} expected: {expected}"
    # the notebook cell: schedule_lr_decay(0.5, 10, 0.3, 100) and (0.5, 100, 0.3, 100)
    lines = printed(print, "Updated learning rate after 10 epochs: ", co.schedule_lr_decay(0.5, 10, 0.3, 100))[1]
    lines += printed(print, "Updated learning rate after 100 epochs: ", co.schedule_lr_decay(0.5, 100, 0.3, 100))[1]
    assert lines == ["Updated learning rate after 10 epochs:  0.5",
                     "Updated learning rate after 100 epochs:  0.3846153846153846"]


# ------------------------------------------------------------------------------------- the model cells
# train_X, train_Y = load_dataset() (moons, np.random.seed(3)); layers_dims = [train_X.shape[0], 5, 2, 1];
# then each cell runs model(...) and predictions = predict(train_X, train_Y, parameters). Every cell runs at its full
# length (5000 epochs, the default or the cell's num_epochs=5000): the printed lines are compared as text. The costs and
# learning rates are the ones the notebook copies print; the accuracies of gd and momentum are printed by a copy, the
# others are exact re-runs (the notebook's summary gives ">94%", ">94.6%", ">95.6%", "94%").
RUNS = {
    "gd": (dict(optimizer="gd"), ["0.702405", "0.668101", "0.635288", "0.600491", "0.573367"], None,
           "0.7166666666666667"),
    "momentum": (dict(beta=0.9, optimizer="momentum"), ["0.702413", "0.668167", "0.635388", "0.600591", "0.573444"],
                 None, "0.7166666666666667"),
    "adam": (dict(optimizer="adam"), ["0.702166", "0.167845", "0.141316", "0.138788", "0.136066"], None,
             "0.9433333333333334"),
    "gd, update_lr": (dict(optimizer="gd", learning_rate=0.1, num_epochs=5000, decay="update_lr"),
                      ["0.701091", "0.661884", "0.658620", "0.656765", "0.655486"],
                      ["0.100000", "0.000100", "0.000050", "0.000033", "0.000025"], "0.6533333333333333"),
    "gd, schedule_lr_decay": (dict(optimizer="gd", learning_rate=0.1, num_epochs=5000, decay="schedule_lr_decay"),
                              ["0.701091", "0.127161", "0.120304", "0.117033", "0.117512"],
                              ["0.100000", "0.050000", "0.033333", "0.025000", "0.020000"], "0.9433333333333334"),
    "momentum, schedule_lr_decay": (dict(optimizer="momentum", learning_rate=0.1, num_epochs=5000,
                                         decay="schedule_lr_decay"),
                                    ["0.702226", "0.128974", "0.125965", "0.123375", "0.123218"],
                                    ["0.100000", "0.050000", "0.033333", "0.025000", "0.020000"], "0.9533333333333334"),
    "adam, schedule_lr_decay": (dict(optimizer="adam", learning_rate=0.01, num_epochs=5000, decay="schedule_lr_decay"),
                                ["0.699346", "0.130074", "0.129826", "0.129282", "0.128361"],
                                ["0.010000", "0.005000", "0.003333", "0.002500", "0.002000"], "0.94"),
}


@pytest.mark.parametrize("name", list(RUNS))
def test_model_cell_prints_the_course_lines_and_accuracy(name):
    train_X, train_Y = co.load_dataset()
    layers_dims = [train_X.shape[0], 5, 2, 1]
    kwargs, costs, rates, accuracy = RUNS[name]
    kwargs = dict(kwargs)
    if "decay" in kwargs:  # the notebook passes the function itself
        kwargs["decay"] = getattr(co, kwargs["decay"])
    parameters, lines = printed(co.model, train_X, train_Y, layers_dims, **kwargs)
    lines += printed(co.predict, train_X, train_Y, parameters)[1]
    expected = []
    for i, cost in enumerate(costs):
        expected.append(f"Cost after epoch {1000 * i}: {cost}")
        if rates is not None:
            expected.append(f"learning rate after epoch {1000 * i}: {rates[i]}")
    assert lines == expected + [f"Accuracy: {accuracy}"]


def test_the_shared_functions_are_the_older_editions():
    for name in ("update_parameters_with_gd", "random_mini_batches", "initialize_velocity",
                 "update_parameters_with_momentum", "initialize_adam", "initialize_parameters", "compute_cost",
                 "forward_propagation", "backward_propagation", "predict", "predict_dec", "load_dataset"):
        assert getattr(co, name) is getattr(older, name), name
    import inspect

    assert inspect.signature(co.model).parameters["num_epochs"].default == 5000
