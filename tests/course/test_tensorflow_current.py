"""The TensorFlow notebook, current edition, TensorFlow 2 (W3A1/Tensorflow_introduction.ipynb, 2021+), against
descentlab.course.current.tensorflow_intro: the tests of its public_tests.py (2022 revision) and the 2021 revision's
inline tests, called as the notebook calls them; and both TensorFlow editions in one process.

Sources (repo @ commit : path), cross-checked in /work/research/course/tensorflow-current.md:
  revision 2 public_tests.py: shivamaggarwal513/coursera-deep-learning-specialization @ 8c609ce4923b765f2817b5585cf91dd097f9a0e3 :
      c2-improving-deep-neural-networks/week-3/a1-tensorflow-introduction/public_tests.py
  revision 1 notebook (inline tests, compute_cost): kiyan-rezaee/Improving-Deep-Neural-Networks-Hyperparameter-Tuning-
      Regularization-and-Optimization @ f293d909e35e00137364c83f3e7df3324df9522f : Tensorflow_introduction.py
Values that need the course's train_signs.h5 and the GlorotNormal(seed=1) stream of the course's TensorFlow (2.3-2.9;
Keras 3 draws another) are checked for shape and type only: each such test says so.
"""

from __future__ import annotations

import numpy as np
import pytest
from course_checks import printed

from descentlab.course import tensorflow_intro as tf1
from descentlab.course.current import tensorflow_intro as co
from descentlab.errors import InputError, InputTypeError

tf = co.tf
EagerTensor = type(tf.constant(0.0))
ResourceVariable = type(tf.Variable(0.0))
PRED = [[2.4048107, 5.0334096], [-0.7921977, -4.1523376], [0.9447198, -0.46802214],
        [1.158121, 3.9810789], [4.768706, 2.3220146], [6.1481323, 3.909829]]


@pytest.fixture(scope="module")
def new_y_train():
    """new_y_train = y_train.map(one_hot_matrix): the tests use its first batch of 2, the labels 5 and 0 of
    train_signs.h5 (the v3b notebook prints y = 5 for index 0; the expected losses are those of classes 5 and 0)."""
    y_train = tf.data.Dataset.from_tensor_slices(np.array([5, 0, 1, 2], dtype=np.int64))
    return y_train.map(co.one_hot_matrix)


@pytest.fixture(scope="module")
def signs():
    """The notebook's data cells on descentlab's SIGNS data: x.map(normalize), y.map(one_hot_matrix)."""
    x_train, y_train, x_test, y_test = co.load_dataset()
    return x_train.map(co.normalize), y_train.map(co.one_hot_matrix), x_test.map(co.normalize), y_test.map(co.one_hot_matrix)


def test_linear_function_test():
    result = co.linear_function()
    print(result)
    assert type(result) == EagerTensor, "Use the TensorFlow API"
    assert np.allclose(result, [[-2.15657382], [2.95891446], [-1.08926781], [-0.84538042]]), "Error"


def test_sigmoid_test():
    result = co.sigmoid(-1)
    assert type(result) == EagerTensor
    assert result.dtype == tf.float32
    assert np.isclose(co.sigmoid(0), 0.5)
    assert np.isclose(co.sigmoid(-1), 0.26894143)
    assert np.isclose(co.sigmoid(12), 0.9999939)


def test_sigmoid_revision_1_inline_asserts():
    # the 2021 notebook asserts exact float32 equality: sigmoid(0) == 0.5, sigmoid(-1) == 0.26894143 and
    # sigmoid(12) == 0.9999939. The first two hold. The third cannot with the course's own code on TensorFlow >= 2.16:
    # tf.keras.activations.sigmoid(12.) is now the correctly rounded float32 0.99999386, one float32 unit below the
    # 0.9999939 (= 0.99999392) the course's TensorFlow computed. Checked here to that one unit.
    assert co.sigmoid(0) == 0.5
    assert co.sigmoid(-1) == 0.26894143
    assert co.sigmoid(12) != 0.9999939
    assert abs(float(co.sigmoid(12)) - float(np.float32(0.9999939))) <= float(np.spacing(np.float32(0.9999939)))


def test_one_hot_matrix_test():
    # public_tests (2022): Test 1 label tf.constant(1), C = 4; Test 2 label [2], C = 5
    label = tf.constant(1)
    C = 4
    result = co.one_hot_matrix(label, C)
    assert result.shape[0] == C, "Use the parameter C"
    assert np.allclose(result, [0., 1., 0., 0.]), "Wrong output. Use tf.one_hot"
    label_2 = [2]
    C = 5
    result = co.one_hot_matrix(label_2, C)
    assert result.shape[0] == C, "Use the parameter C"
    assert np.allclose(result, [0., 0., 1., 0., 0.]), "Wrong output. Use tf.reshape as instructed"


def test_one_hot_matrix_revision_1_inline_test():
    result = co.one_hot_matrix(tf.constant(1), 4)
    assert result.shape[0] == 4 and np.allclose(result, [0., 1., 0., 0.])
    result = co.one_hot_matrix([2], 4)
    assert np.allclose(result, [0., 0., 1., 0.])
    lines = printed(lambda: (print("Test 1:", co.one_hot_matrix(tf.constant(1), 4)),
                             print("Test 2:", co.one_hot_matrix([2], 4))))[1]
    assert lines == ["Test 1: tf.Tensor([0. 1. 0. 0.], shape=(4,), dtype=float32)",
                     "Test 2: tf.Tensor([0. 0. 1. 0.], shape=(4,), dtype=float32)"]


def test_initialize_parameters_test():
    parameters = co.initialize_parameters()
    values = {"W1": (25, 12288), "b1": (25, 1), "W2": (12, 25), "b2": (12, 1), "W3": (6, 12), "b3": (6, 1)}
    lines = []
    for key in parameters:
        lines.append(f"{key} shape: {tuple(parameters[key].shape)}")
        assert type(parameters[key]) == ResourceVariable, "All parameter must be created using tf.Variable"
        assert tuple(parameters[key].shape) == values[key], f"{key}: wrong shape"
        assert np.abs(np.mean(parameters[key].numpy())) < 0.5, f"{key}: Use the GlorotNormal initializer"
        assert np.std(parameters[key].numpy()) > 0 and np.std(parameters[key].numpy()) < 1, f"{key}: Use the GlorotNormal initializer"
    assert lines == ["W1 shape: (25, 12288)", "b1 shape: (25, 1)", "W2 shape: (12, 25)", "b2 shape: (12, 1)",
                     "W3 shape: (6, 12)", "b3 shape: (6, 1)"]


def test_forward_propagation_test(signs):
    # forward_propagation_test(forward_propagation, new_train): the test's expected Z3 needs the first two photos of
    # train_signs.h5 and the course's GlorotNormal stream: checked here for type, shape and gradients only
    examples = signs[0]
    minibatches = examples.batch(2)
    parametersk = co.initialize_parameters()
    W1, b1, W2, b2, W3, b3 = (parametersk[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    minibatch = list(minibatches.take(1))[0]
    with tf.GradientTape() as tape:
        forward_pass = co.forward_propagation(tf.transpose(minibatch), parametersk)
        fake_cost = tf.reduce_mean(forward_pass - np.ones((6, 2)))
        assert type(forward_pass) == EagerTensor, "Your output is not a tensor"
        assert forward_pass.shape == (6, 2), "Last layer must use W3 and b3"
    trainable_variables = [W1, b1, W2, b2, W3, b3]
    grads = tape.gradient(fake_cost, trainable_variables)
    assert not (None in grads), "Wrong gradients. It could be due to the use of tf.Variable whithin forward_propagation"


def test_compute_cost_test_revision_1(new_y_train):
    pred = tf.constant(PRED)
    minibatches = new_y_train.batch(2)
    for minibatch in minibatches:
        result = co.compute_cost(pred, tf.transpose(minibatch))
        break
    assert type(result) == EagerTensor, "Use the TensorFlow API"
    assert np.abs(result - (0.25361037 + 0.5566767) / 2.0) < 1e-7, "Test does not match. Did you get the mean of your cost functions?"
    assert printed(print, result)[1] == ["tf.Tensor(0.4051435, shape=(), dtype=float32)"]


def test_compute_total_loss_test(new_y_train):
    pred = tf.constant(PRED)
    minibatches = new_y_train.batch(2)
    for minibatch in minibatches:
        result = co.compute_total_loss(pred, tf.transpose(minibatch))
        break
    assert type(result) == EagerTensor, "Use the TensorFlow API"
    assert np.abs(result - (0.50722074 + 1.1133534) / 2.0) < 1e-7, "Test 1 does not match. Did you get the reduce sum of your loss functions?"
    assert printed(print, result)[1] == ["tf.Tensor(0.810287, shape=(), dtype=float32)"]
    labels = tf.constant([[1., 0., 0.], [0., 1., 0.], [0., 0., 1.]])
    logits = tf.constant([[1., 0., 0.], [1., 0., 0.], [1., 0., 0.]])
    result = co.compute_total_loss(logits, labels)
    assert np.allclose(result, 3.295837), "Test 2 does not match."


def test_model_cell(signs):
    # parameters, costs, train_acc, test_acc = model(new_train, new_y_train, new_test, new_y_test, num_epochs=100)
    # The notebook printed (2022) Cost after epoch 0: 1.830244, Train accuracy: tf.Tensor(0.17037037, ...),
    # Test_accuracy: tf.Tensor(0.2, ...), ... epoch 90: 0.744699: those need train_signs.h5 and the course's
    # initializer stream. Here the same code runs 1 epoch on descentlab's SIGNS data: format and types only.
    new_train, new_y_train, new_test, new_y_test = signs
    (parameters, costs, train_acc, test_acc), lines = printed(co.model, new_train, new_y_train, new_test, new_y_test,
                                                              num_epochs=1)
    assert len(lines) == 3
    assert lines[0].startswith("Cost after epoch 0: ") and len(lines[0].split(": ")[1].split(".")[1]) == 6
    assert lines[1].startswith("Train accuracy: tf.Tensor(") and lines[1].endswith(", shape=(), dtype=float32)")
    assert lines[2].startswith("Test_accuracy: tf.Tensor(") and lines[2].endswith(", shape=(), dtype=float32)")
    assert list(parameters) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert all(type(v) == ResourceVariable for v in parameters.values())
    assert len(costs) == len(train_acc) == len(test_acc) == 1
    assert all(type(x) == EagerTensor for x in (costs[0], train_acc[0], test_acc[0]))


def test_model_cost_is_the_total_loss_over_m(signs):
    # one mini-batch holding all m examples: the epoch's printed cost is the total loss of the initial parameters / m
    x = signs[0].take(40)
    y = signs[1].take(40)
    _, lines = printed(co.model, x, y, x, y, num_epochs=1, minibatch_size=64)
    X = tf.transpose(tf.stack(list(x)))
    Y = tf.transpose(tf.stack(list(y)))
    expected = float(co.compute_total_loss(co.forward_propagation(X, co.initialize_parameters()), Y)) / 40
    assert lines[0] == "Cost after epoch 0: %f" % expected


def test_normalize_is_the_notebooks():
    image = tf.constant((np.arange(64 * 64 * 3) % 256).astype(np.uint8).reshape(64, 64, 3))
    out = co.normalize(image)
    assert out.shape == (12288,) and out.dtype == tf.float32
    np.testing.assert_allclose(out.numpy(), image.numpy().reshape(-1) / np.float32(255.0), rtol=1e-7)


def test_both_tensorflow_editions_work_in_one_process(signs):
    # a TensorFlow 1 graph, session and optimizer ...
    X_train = np.random.RandomState(0).rand(12288, 40)
    Y_train = np.eye(6)[:, np.arange(40) % 6]
    parameters, _ = printed(tf1.model, X_train, Y_train, X_train[:, :5], Y_train[:, :5], num_epochs=1)
    assert parameters["W1"].dtype == np.float32
    # ... then the TensorFlow 2 edition is still eager, and the other way round
    assert tf.executing_eagerly() and type(co.linear_function()) == EagerTensor
    assert type(co.sigmoid(0)) == EagerTensor
    assert isinstance(tf1.linear_function(), np.ndarray) and tf1.sigmoid(0) == 0.5
    assert tf.executing_eagerly() and type(co.one_hot_matrix(3)) == EagerTensor


def test_bad_inputs_raise_one_line_errors_naming_the_argument():
    with pytest.raises(InputError, match=r"^label: .*\[0, 3\]"):
        co.one_hot_matrix(4, 4)
    with pytest.raises(InputError, match=r"^depth: "):
        co.one_hot_matrix(1, 0)
    with pytest.raises(InputTypeError, match=r"^X_train: expected a tf\.data\.Dataset"):
        co.model(np.zeros((12288, 3)), None, None, None)
    with pytest.raises(InputError, match=r"^labels: .*\(6, 2\)"):
        co.compute_total_loss(tf.constant(PRED), tf.zeros((6, 3)))
    with pytest.raises(InputError, match=r"^parameters: .*without W3, b3"):
        co.forward_propagation(tf.zeros((3, 1)), {"W1": 0, "b1": 0, "W2": 0, "b2": 0})
