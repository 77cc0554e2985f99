"""The TensorFlow notebook, older edition, TensorFlow 1 (TensorFlow_Tutorial_v3b.ipynb 2019-2020 and the 2017
"Tensorflow Tutorial.ipynb"), against descentlab.course.tensorflow_intro and descentlab.course.v2017.tensorflow_intro.

No test module: each cell prints what the notebook compares with its "Expected Output". Sources (repo @ commit : path),
cross-checked in /work/research/course/tensorflow-older.md:
  v3b notebook: amanchadha/coursera-deep-learning-specialization @ 2b7585afd30bac5f90a5bf83a52f60d222016674 :
                C2 - Improving Deep Neural Networks Hyperparameter tuning, Regularization and Optimization/Week 3/TensorFlow_Tutorial_v3b.ipynb
  helpers:      amanchadha/coursera-deep-learning-specialization @ 835e099dfeb8b63caeabe25311ae400b0590a4a1 : C2 - .../Week 3/tf_utils.py
  2017 cells:   a text export of the 2017 notebook (research notes) and Kulbear/deep-learning-coursera's notebook (listed there)
Values that need the course's train_signs.h5, which descentlab does not have (it vendors the course's test_signs.h5 and
the CS230 JPEGs of the training photos), are checked for shape and type only: each such test says so.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from course_checks import printed

from descentlab.course import tensorflow_intro as co
from descentlab.course.v2017 import tensorflow_intro as co2017
from descentlab.errors import InputError, InputTypeError

tf = co.tf
PRINTED = 5e-9


def test_import_descentlab_does_not_import_tensorflow():
    code = "import sys, descentlab, descentlab.course; assert 'tensorflow' not in sys.modules, 'tensorflow imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


# --------------------------------------------------------------------------------- the warm-up cells
def test_linear_function_cell():
    # print( "result = " + str(linear_function()))  ->  [[-2.15657382] [ 2.95891446] [-1.08926781] [-0.84538042]]
    result = co.linear_function()
    assert isinstance(result, np.ndarray) and result.dtype == np.float64  # what sess.run returns
    np.testing.assert_allclose(result, [[-2.15657382], [2.95891446], [-1.08926781], [-0.84538042]], rtol=0,
                               atol=PRINTED)


def test_sigmoid_cell():
    # print ("sigmoid(0) = " + str(sigmoid(0))); print ("sigmoid(12) = " + str(sigmoid(12)))  ->  0.5, 0.999994
    assert co.sigmoid(0) == 0.5 and isinstance(co.sigmoid(0), np.float32)
    assert co.sigmoid(12) == pytest.approx(0.999994, abs=5e-7)  # printed with 6 digits by the NumPy of the time


def test_cost_cell_2017():
    # logits = sigmoid(np.array([0.2,0.4,0.7,0.9])); cost = cost(logits, np.array([0,0,1,1]))  (sigmoid applied first)
    logits = co2017.sigmoid(np.array([0.2, 0.4, 0.7, 0.9]))
    cost = co2017.cost(logits, np.array([0, 0, 1, 1]))
    # one float32 unit: the course's TensorFlow rounded the sigmoid of 0.7 to the other neighbouring float32 (as it
    # printed sigmoid(12) = 0.9999939 where TensorFlow 2.21 gives the correctly rounded 0.99999386)
    np.testing.assert_allclose(cost, [1.00538719, 1.03664088, 0.41385433, 0.39956614], rtol=2 ** -23, atol=PRINTED)


def test_cost_cell_v3b():
    # logits = np.array([0.2,0.4,0.7,0.9]); cost = cost(logits, np.array([0,0,1,1]))
    cost = co.cost(np.array([0.2, 0.4, 0.7, 0.9]), np.array([0, 0, 1, 1]))
    assert cost.dtype == np.float32 and cost.shape == (4,)
    np.testing.assert_allclose(cost, [0.79813886, 0.91301525, 0.40318605, 0.34115386], rtol=0, atol=PRINTED)


def test_one_hot_matrix_cell():
    # labels = np.array([1,2,3,0,2,1]); one_hot = one_hot_matrix(labels, C = 4)
    one_hot = co.one_hot_matrix(np.array([1, 2, 3, 0, 2, 1]), C=4)
    assert one_hot.dtype == np.float32
    np.testing.assert_array_equal(one_hot, [[0., 0., 0., 1., 0., 0.], [1., 0., 0., 0., 0., 1.],
                                            [0., 1., 0., 0., 1., 0.], [0., 0., 1., 0., 0., 0.]])


def test_ones_cell():
    # print ("ones = " + str(ones([3])))  ->  [ 1.  1.  1.]
    ones = co.ones([3])
    assert ones.dtype == np.float32
    np.testing.assert_array_equal(ones, [1., 1., 1.])


# ------------------------------------------------------------------------------------ the data cells
@pytest.fixture(scope="module")
def signs():
    """The notebook's data cells: load_dataset(), flatten, / 255., convert_to_one_hot(..., 6)."""
    X_train_orig, Y_train_orig, X_test_orig, Y_test_orig, classes = co.load_dataset()
    X_train = X_train_orig.reshape(X_train_orig.shape[0], -1).T / 255.
    X_test = X_test_orig.reshape(X_test_orig.shape[0], -1).T / 255.
    Y_train = co.convert_to_one_hot(Y_train_orig, 6)
    Y_test = co.convert_to_one_hot(Y_test_orig, 6)
    return X_train, Y_train, X_test, Y_test, (X_train_orig, Y_train_orig, X_test_orig, Y_test_orig, classes)


def test_dataset_cells_print_the_course_shapes(signs):
    # the labels and pixels of the training photos need the course's train_signs.h5 ("y = 5" for index 0):
    # checked here for shape and type only
    X_train, Y_train, X_test, Y_test, (X_train_orig, Y_train_orig, X_test_orig, Y_test_orig, classes) = signs
    assert X_train_orig.shape == (1080, 64, 64, 3) and X_train_orig.dtype == np.uint8
    assert Y_train_orig.shape == (1, 1080) and Y_test_orig.shape == (1, 120) and X_test_orig.shape == (120, 64, 64, 3)
    np.testing.assert_array_equal(classes, [0, 1, 2, 3, 4, 5])
    lines = printed(lambda: (print("number of training examples = " + str(X_train.shape[1])),
                             print("number of test examples = " + str(X_test.shape[1])),
                             print("X_train shape: " + str(X_train.shape)), print("Y_train shape: " + str(Y_train.shape)),
                             print("X_test shape: " + str(X_test.shape)), print("Y_test shape: " + str(Y_test.shape))))[1]
    assert lines == ["number of training examples = 1080", "number of test examples = 120",
                     "X_train shape: (12288, 1080)", "Y_train shape: (6, 1080)", "X_test shape: (12288, 120)",
                     "Y_test shape: (6, 120)"]


# ---------------------------------------------------------------------------- the graph-building cells
def test_create_placeholders_cell():
    # X, Y = create_placeholders(12288, 6): Tensor("X:0", shape=(12288, ?), dtype=float32) (v3b names them; TF 2
    # prints an unknown dimension as None); the 2017 placeholders are unnamed: Tensor("Placeholder_1:0", ...)
    with tf.Graph().as_default():
        X, Y = co.create_placeholders(12288, 6)
        X0, Y0 = co2017.create_placeholders(12288, 6)
    assert str(X) == 'Tensor("X:0", shape=(12288, None), dtype=float32)'
    assert str(Y) == 'Tensor("Y:0", shape=(6, None), dtype=float32)'
    assert str(X0) == 'Tensor("Placeholder:0", shape=(12288, None), dtype=float32)'
    assert str(Y0) == 'Tensor("Placeholder_1:0", shape=(6, None), dtype=float32)'


def test_initialize_parameters_cell():
    # tf.reset_default_graph(); with tf.Session() as sess: parameters = initialize_parameters(); print("W1 = " + ...)
    tf.compat.v1.reset_default_graph()
    with tf.compat.v1.Session() as sess:
        parameters = co.initialize_parameters()
        lines = printed(lambda: [print(k + " = " + str(parameters[k])) for k in ("W1", "b1", "W2", "b2")])[1]
        sess.run(tf.compat.v1.global_variables_initializer())
        values = sess.run(parameters)
    assert lines == ["W1 = <tf.Variable 'W1:0' shape=(25, 12288) dtype=float32>",
                     "b1 = <tf.Variable 'b1:0' shape=(25, 1) dtype=float32>",
                     "W2 = <tf.Variable 'W2:0' shape=(12, 25) dtype=float32>",
                     "b2 = <tf.Variable 'b2:0' shape=(12, 1) dtype=float32>"]  # (TF 1 printed dtype=float32_ref)
    for l, (n, n_prev) in enumerate(((25, 12288), (12, 25), (6, 12)), start=1):
        W, b = values[f"W{l}"], values[f"b{l}"]
        limit = np.sqrt(6 / (n + n_prev))  # xavier_initializer(seed = 1): Glorot uniform
        assert W.shape == (n, n_prev) and np.abs(W).max() <= limit and not b.any()
        assert W.std() == pytest.approx(limit / np.sqrt(3), rel=0.02 if l == 1 else 0.25)
    assert tf.executing_eagerly()


def test_forward_propagation_and_compute_cost_cells():
    # tf.reset_default_graph(); with tf.Session() as sess: X, Y = create_placeholders(12288, 6);
    # parameters = initialize_parameters(); Z3 = forward_propagation(X, parameters); cost = compute_cost(Z3, Y)
    tf.compat.v1.reset_default_graph()
    with tf.compat.v1.Session():
        X, Y = co.create_placeholders(12288, 6)
        parameters = co.initialize_parameters()
        Z3 = co.forward_propagation(X, parameters)
        cost = co.compute_cost(Z3, Y)
    assert str(Z3) == 'Tensor("Add_2:0", shape=(6, None), dtype=float32)'  # the notebook: Tensor("Add_2:0", shape=(6, ?), ...)
    assert str(cost) == 'Tensor("Mean:0", shape=(), dtype=float32)'


def test_compute_cost_is_the_mean_softmax_cross_entropy():
    # the current edition's test logits, with labels 5 and 0: the mean of 0.25361037 and 0.5566767
    pred = np.array([[2.4048107, 5.0334096], [-0.7921977, -4.1523376], [0.9447198, -0.46802214],
                     [1.158121, 3.9810789], [4.768706, 2.3220146], [6.1481323, 3.909829]], dtype=np.float32)
    labels = np.eye(6, dtype=np.float32)[[5, 0]].T
    with tf.Graph().as_default():
        Z3 = tf.compat.v1.placeholder(tf.float32, [6, None])
        Y = tf.compat.v1.placeholder(tf.float32, [6, None])
        cost = co.compute_cost(Z3, Y)
        with tf.compat.v1.Session() as sess:
            value = sess.run(cost, feed_dict={Z3: pred, Y: labels})
    assert abs(value - (0.25361037 + 0.5566767) / 2) < 1e-7


# ------------------------------------------------------------------------------------------ the model
# parameters = model(X_train, Y_train, X_test, Y_test): 1500 epochs; the notebook printed (v3b) 1.913693 at epoch 0,
# 1.048222 at 100, ... and Train Accuracy 0.999074, Test Accuracy 0.716667 (2017: 1.855702, 1.016458, ...). Those need
# train_signs.h5 and TensorFlow 1's graph: here the same code runs one epoch on descentlab's SIGNS data and the test
# checks the printed lines' format, the returned types, and the one difference between the releases.
@pytest.fixture(scope="module")
def one_epoch(signs):
    X_train, Y_train, X_test, Y_test, _ = signs
    v3b = printed(co.model, X_train, Y_train, X_test, Y_test, num_epochs=1)
    first = printed(co2017.model, X_train, Y_train, X_test, Y_test, num_epochs=1)
    return v3b, first


def test_model_prints_the_course_lines_and_returns_numpy_parameters(one_epoch):
    (parameters, lines), _ = one_epoch
    assert len(lines) == 4
    assert lines[0].startswith("Cost after epoch 0: ") and len(lines[0].split(": ")[1].split(".")[1]) == 6
    assert lines[1] == "Parameters have been trained!"
    assert lines[2].startswith("Train Accuracy: ") and 0 <= float(lines[2].split(": ")[1]) <= 1
    assert lines[3].startswith("Test Accuracy: ") and 0 <= float(lines[3].split(": ")[1]) <= 1
    shapes = {"W1": (25, 12288), "b1": (25, 1), "W2": (12, 25), "b2": (12, 1), "W3": (6, 12), "b3": (6, 1)}
    assert {k: v.shape for k, v in parameters.items()} == shapes
    assert all(isinstance(v, np.ndarray) and v.dtype == np.float32 for v in parameters.values())
    assert tf.executing_eagerly()


def test_the_2017_cost_divides_by_33_complete_minibatches_where_v3b_divides_by_32(one_epoch):
    (p_v3b, lines_v3b), (p_2017, lines_2017) = one_epoch
    cost_v3b, cost_2017 = (float(lines[0].split(": ")[1]) for lines in (lines_v3b, lines_2017))
    assert cost_v3b * 32 == pytest.approx(cost_2017 * 33, rel=2e-6)  # 34 mini-batches: the sum of their costs
    for k in p_v3b:  # the same training
        np.testing.assert_array_equal(p_v3b[k], p_2017[k])


def test_predict_one_image(one_epoch, signs):
    (parameters, _), _ = one_epoch
    _, _, X_test, _, _ = signs
    image = X_test[:, :1]
    prediction = co.predict(image, parameters)
    p = {k: v.astype(np.float64) for k, v in parameters.items()}
    a1 = np.maximum(p["W1"] @ image + p["b1"], 0)
    z3 = p["W3"] @ np.maximum(p["W2"] @ a1 + p["b2"], 0) + p["b3"]
    assert prediction.shape == (1,) and prediction.dtype == np.int64 and prediction[0] == np.argmax(z3[:, 0])


# ---------------------------------------------------------------------------------------- tf_utils
def test_random_mini_batches_keeps_the_label_rows():
    m, n_x = 148, 5
    X = np.arange(n_x * m, dtype=float).reshape(n_x, m)
    Y = np.eye(6)[:, np.arange(m) % 6]
    state = np.random.get_state()[1].copy()
    batches = co.random_mini_batches(X, Y, 64, seed=7)
    assert np.array_equal(np.random.get_state()[1], state)  # NumPy's global random state untouched
    assert [b[0].shape for b in batches] == [(5, 64), (5, 64), (5, 20)]
    assert [b[1].shape for b in batches] == [(6, 64), (6, 64), (6, 20)]
    perm = np.random.RandomState(7).permutation(m)
    np.testing.assert_array_equal(np.concatenate([b[0] for b in batches], axis=1), X[:, perm])
    np.testing.assert_array_equal(np.concatenate([b[1] for b in batches], axis=1), Y[:, perm])


def test_convert_to_one_hot():
    Y = np.array([[0, 5, 2, 2, 1, 4, 3]])
    out = co.convert_to_one_hot(Y, 6)
    assert out.shape == (6, 7) and out.dtype == np.float64
    np.testing.assert_array_equal(out, np.eye(6)[Y.reshape(-1)].T)


def test_graph_functions_called_eagerly_build_into_the_global_default_graph():
    tf.compat.v1.reset_default_graph()
    X, Y = co.create_placeholders(3, 2)  # at the top level, as in a TensorFlow 1 notebook
    assert X.graph is tf.compat.v1.get_default_graph() and tf.executing_eagerly()
    tf.compat.v1.reset_default_graph()


# ---------------------------------------------------------------------------------------- bad input
def test_bad_inputs_raise_one_line_errors_naming_the_argument():
    with pytest.raises(InputError, match=r"^labels: .*\[0, 3\].*received 'label 4 at position 2'"):
        co.one_hot_matrix(np.array([0, 1, 4]), 4)
    with pytest.raises(InputError, match=r"^C: expected an integer in \[2, inf\], received 1"):
        co.one_hot_matrix(np.array([0, 0]), 1)
    with pytest.raises(InputError, match=r"^labels: expected an array of shape \(3,\)"):
        co.cost(np.zeros(3), np.zeros(4))
    with pytest.raises(InputError, match=r"^logits: expected only finite values"):
        co.cost(np.array([0.0, np.inf]), np.array([0.0, 1.0]))
    with pytest.raises(InputTypeError, match=r"^z: "):
        co.sigmoid("1.0")
    with pytest.raises(InputError, match=r"^shape: "):
        co.ones([2, -1])
    with pytest.raises(InputError, match=r"^Y_test: .*\(6, 3\)"):
        co.model(np.zeros((4, 3)), np.eye(6)[:, :3], np.zeros((4, 3)), np.eye(5)[:, :3], num_epochs=0)
    with pytest.raises(InputError, match=r"^X: expected one image of shape \(12288, 1\)"):
        co.predict(np.zeros((12288, 2)), {k: np.zeros(s) for k, s in {
            "W1": (25, 12288), "b1": (25, 1), "W2": (12, 25), "b2": (12, 1), "W3": (6, 12), "b3": (6, 1)}.items()})
    with pytest.raises(InputError, match=r"^parameters: .*without W3, b3"):
        co.forward_propagation(np.zeros((3, 1)), {"W1": 0, "b1": 0, "W2": 0, "b2": 0})
