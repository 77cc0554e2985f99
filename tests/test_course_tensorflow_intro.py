"""Tests of descentlab.course.tensorflow_intro against independent NumPy computations."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from descentlab.course import tensorflow_intro as ti  # noqa: E402
from descentlab.errors import InputError, InputTypeError, NonFiniteError  # noqa: E402

# Small layer sizes so the tests are quick; the functions take any n_x and n_y.
DIMS = (12, 25, 12, 6)


def _np_params(parameters):
    return {k: np.asarray(v.numpy() if hasattr(v, "numpy") else v, dtype=np.float64) for k, v in parameters.items()}


def _np_forward(X, p):
    A1 = np.maximum(p["W1"] @ X + p["b1"], 0.0)
    A2 = np.maximum(p["W2"] @ A1 + p["b2"], 0.0)
    return p["W3"] @ A2 + p["b3"]


def _np_softmax_ce(Z, Y):
    """Mean over columns of logsumexp(z) - y.z, computed stably."""
    zmax = Z.max(axis=0)
    lse = zmax + np.log(np.exp(Z - zmax).sum(axis=0))
    return float(np.mean(lse - (Y * Z).sum(axis=0)))


def _data(n_x=12, m=64, C=6, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n_x, m)
    labels = rng.randint(0, C, m)
    Y = np.zeros((C, m))
    Y[labels, np.arange(m)] = 1.0
    return X, Y, labels


def test_import_descentlab_does_not_import_tensorflow():
    code = "import sys, descentlab; assert 'tensorflow' not in sys.modules, 'tensorflow imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


# --------------------------------------------------------------------------- linear_function

def test_linear_function_matches_numpy_with_the_course_draws():
    rng = np.random.RandomState(1)
    X = rng.randn(3, 1)
    W = rng.randn(4, 3)
    b = rng.randn(4, 1)
    state = np.random.get_state()[1].copy()
    result = ti.linear_function()
    assert np.array_equal(np.random.get_state()[1], state), "the global NumPy random state changed"
    assert isinstance(result, np.ndarray) and result.shape == (4, 1) and result.dtype == np.float64
    np.testing.assert_allclose(result, W @ X + b, rtol=1e-12)
    # The values the course's notebook printed.
    np.testing.assert_allclose(result.ravel(), [-2.15657382, 2.95891446, -1.08926781, -0.84538042], atol=1e-8)


# --------------------------------------------------------------------------- sigmoid

@pytest.mark.parametrize("z", [0, 12, -3.5, 0.25])
def test_sigmoid_scalar(z):
    out = ti.sigmoid(z)
    assert isinstance(out, np.float32)
    assert out == pytest.approx(1.0 / (1.0 + math.exp(-z)), rel=1e-6)


def test_sigmoid_array_and_course_values():
    z = np.array([[-2.0, 0.0], [3.0, 12.0]])
    np.testing.assert_allclose(ti.sigmoid(z), 1.0 / (1.0 + np.exp(-z)), rtol=1e-6)
    assert ti.sigmoid(0) == 0.5
    assert ti.sigmoid(12) == pytest.approx(0.999994, abs=1e-6)


def test_sigmoid_bad_input():
    with pytest.raises(InputError, match="z: expected"):
        ti.sigmoid(float("nan"))
    with pytest.raises(InputTypeError, match="z: expected"):
        ti.sigmoid("1.0")


# --------------------------------------------------------------------------- cost

def test_cost_matches_stable_numpy_formula():
    rng = np.random.RandomState(3)
    z = rng.randn(5, 7) * 4
    y = rng.rand(5, 7)
    expected = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
    out = ti.cost(z, y)
    assert out.shape == z.shape and out.dtype == np.float32
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)


def test_cost_course_example():
    logits = 1.0 / (1.0 + np.exp(-np.array([0.2, 0.4, 0.7, 0.9])))
    out = ti.cost(logits, np.array([0, 0, 1, 1]))
    np.testing.assert_allclose(out, [1.00538719, 1.03664088, 0.41385433, 0.39956614], rtol=1e-6)


def test_cost_bad_input():
    with pytest.raises(InputError, match=r"labels: expected an array of shape \(3,\)"):
        ti.cost(np.zeros(3), np.zeros(4))
    with pytest.raises(InputError, match=r"labels: expected numbers in \[0, 1\]"):
        ti.cost(np.zeros(2), np.array([0.0, 2.0]))
    with pytest.raises(InputError, match="logits: expected only finite values"):
        ti.cost(np.array([0.0, np.inf]), np.array([0.0, 1.0]))


# --------------------------------------------------------------------------- one-hot

def test_one_hot_matrix_matches_manual_construction():
    labels = np.array([1, 2, 3, 0, 2, 1])
    expected = np.zeros((4, 6))
    for j, c in enumerate(labels):
        expected[c, j] = 1.0
    out = ti.one_hot_matrix(labels, 4)
    assert out.shape == (4, 6) and out.dtype == np.float32
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(ti.one_hot_matrix(labels.reshape(1, -1), 4), expected)


def test_convert_to_one_hot_matches_manual_construction():
    Y = np.array([[0, 5, 2, 2, 1, 4, 3]])
    expected = np.zeros((6, 7))
    expected[Y[0], np.arange(7)] = 1.0
    out = ti.convert_to_one_hot(Y, 6)
    assert out.shape == (6, 7) and out.dtype == np.float64
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(ti.convert_to_one_hot(Y[0], 6), expected)


@pytest.mark.parametrize("func", [ti.one_hot_matrix, ti.convert_to_one_hot])
def test_one_hot_bad_input(func):
    name = "labels" if func is ti.one_hot_matrix else "Y"
    with pytest.raises(InputError, match=rf"{name}: expected .*\[0, 3\], received 'label 4 at position 2'"):
        func(np.array([0, 1, 4]), 4)
    with pytest.raises(InputError, match=rf"{name}: expected .*received 'label -1 at position 0'"):
        func(np.array([-1, 1]), 4)
    with pytest.raises(InputError, match=rf"{name}: expected .*integer class labels"):
        func(np.array([0.5, 1.0]), 4)
    with pytest.raises(InputError, match=r"C: expected an integer in \[2, inf\], received 1"):
        func(np.array([0, 0]), 1)
    with pytest.raises(InputError, match=rf"{name}: expected a 1-D array"):
        func(np.zeros((2, 3), dtype=int), 4)


# --------------------------------------------------------------------------- ones

def test_ones():
    out = ti.ones([3])
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, np.ones(3))
    np.testing.assert_array_equal(ti.ones((2, 3)), np.ones((2, 3)))
    np.testing.assert_array_equal(ti.ones(4), np.ones(4))
    with pytest.raises(InputError, match="shape: expected"):
        ti.ones([2, -1])
    with pytest.raises(InputTypeError, match="shape: expected"):
        ti.ones("3")


# --------------------------------------------------------------------------- initialize_parameters

def test_initialize_parameters_course_shapes_and_glorot_scale():
    params = ti.initialize_parameters()
    shapes = {"W1": (25, 12288), "b1": (25, 1), "W2": (12, 25), "b2": (12, 1), "W3": (6, 12), "b3": (6, 1)}
    assert list(params) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    for key, shape in shapes.items():
        assert isinstance(params[key], tf.Variable)
        assert params[key].dtype == tf.float32
        assert tuple(params[key].shape) == shape
    for key in ("b1", "b2", "b3"):
        assert not params[key].numpy().any()
    for key in ("W1", "W2", "W3"):
        w = params[key].numpy()
        fan_out, fan_in = w.shape
        target = math.sqrt(2.0 / (fan_in + fan_out))
        # Keras draws a normal truncated at 2 standard deviations, scaled up by
        # 1 / 0.87962566 so that the kept values have std `target`.
        assert np.abs(w).max() <= 2 * target / 0.87962566103423978 * (1 + 1e-6)
        assert abs(w.mean()) < 5 * target / math.sqrt(w.size)
        if key == "W1":  # 307200 draws: the sample std is within 1% of the target
            assert w.std() == pytest.approx(target, rel=0.01)
        else:
            assert w.std() == pytest.approx(target, rel=0.25)


def test_initialize_parameters_is_deterministic_and_seeded():
    a = ti.initialize_parameters(DIMS)
    b = ti.initialize_parameters(DIMS)
    c = ti.initialize_parameters(DIMS, seed=2)
    for key in a:
        np.testing.assert_array_equal(a[key].numpy(), b[key].numpy())
    assert not np.array_equal(a["W1"].numpy(), c["W1"].numpy())
    assert a["W1"].shape == (25, 12)


def test_initialize_parameters_bad_layer_dims():
    with pytest.raises(InputError, match=r"layer_dims: expected four layer sizes"):
        ti.initialize_parameters((12, 6))
    with pytest.raises(InputError, match=r"layer_dims: expected a sequence"):
        ti.initialize_parameters((12, 0, 12, 6))


# --------------------------------------------------------------------------- forward_propagation / compute_cost

def test_forward_propagation_matches_numpy():
    params = ti.initialize_parameters(DIMS)
    X, _, _ = _data(m=10)
    Z3 = ti.forward_propagation(X, params)
    assert tf.is_tensor(Z3) and Z3.dtype == tf.float32 and tuple(Z3.shape) == (6, 10)
    # Non-zero biases, so the broadcasting of b (n_l, 1) is tested too.
    rng = np.random.RandomState(5)
    p = {k: (v + rng.randn(*v.shape) * 0.1 if k.startswith("b") else v) for k, v in _np_params(params).items()}
    np.testing.assert_allclose(ti.forward_propagation(X, p).numpy(), _np_forward(X, p), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(Z3.numpy(), _np_forward(X, _np_params(params)), rtol=1e-4, atol=1e-5)


def test_forward_propagation_course_size():
    params = ti.initialize_parameters()
    X = np.random.RandomState(2).rand(12288, 3)
    np.testing.assert_allclose(ti.forward_propagation(X, params).numpy(), _np_forward(X, _np_params(params)),
                               rtol=1e-4, atol=1e-5)


def test_forward_and_cost_are_differentiable_and_work_in_tf_function():
    params = ti.initialize_parameters(DIMS)
    X, Y, _ = _data(m=8)
    with tf.GradientTape() as tape:
        c = ti.compute_cost(ti.forward_propagation(X, params), Y)
    grads = tape.gradient(c, list(params.values()))
    assert all(g is not None for g in grads)
    assert float(tf.reduce_sum(tf.abs(grads[0]))) > 0

    @tf.function
    def graph_cost(x, y):
        return ti.compute_cost(ti.forward_propagation(x, params), y)

    assert float(graph_cost(tf.constant(X, tf.float32), tf.constant(Y, tf.float32))) == pytest.approx(float(c), rel=1e-6)


def test_forward_propagation_bad_input():
    params = ti.initialize_parameters(DIMS)
    with pytest.raises(InputError, match=r"X: expected a 2-D array of real numbers of shape \(12, m\)"):
        ti.forward_propagation(np.zeros((5, 3)), params)
    with pytest.raises(InputError, match="X: expected only finite values"):
        ti.forward_propagation(np.full((12, 2), np.nan), params)
    bad = dict(params, b2=np.zeros((12,)))
    with pytest.raises(InputError, match=r"parameters\['b2'\]: expected a column of shape \(12, 1\)"):
        ti.forward_propagation(np.zeros((12, 3)), bad)
    bad = dict(params, W2=np.zeros((12, 7)))
    with pytest.raises(InputError, match=r"parameters\['W2'\]: expected a 2-D array of shape \(n_2, 25\)"):
        ti.forward_propagation(np.zeros((12, 3)), bad)
    with pytest.raises(InputError, match="parameters: expected a dict with keys .* received 'a dict without W3, b3'"):
        ti.forward_propagation(np.zeros((12, 3)), {k: params[k] for k in ("W1", "b1", "W2", "b2")})


def test_compute_cost_matches_numpy_log_sum_exp():
    rng = np.random.RandomState(4)
    Z3 = rng.randn(6, 9) * 3
    _, Y, _ = _data(m=9, seed=4)
    c = ti.compute_cost(Z3, Y)
    assert tf.is_tensor(c) and c.shape == () and c.dtype == tf.float32
    assert float(c) == pytest.approx(_np_softmax_ce(Z3, Y), rel=1e-5)
    # Large logits stay finite (computed from logits, not from softmax probabilities).
    assert float(ti.compute_cost(Z3 * 100, Y)) == pytest.approx(_np_softmax_ce(Z3 * 100, Y), rel=1e-5)


def test_compute_cost_bad_input():
    _, Y, _ = _data(m=4)
    with pytest.raises(InputError, match=r"Y: expected a 2-D array of real numbers of shape \(6, 5\)"):
        ti.compute_cost(np.zeros((6, 5)), Y)
    with pytest.raises(InputError, match=r"Z3: expected logits for at least 2 classes"):
        ti.compute_cost(np.zeros((1, 4)), np.ones((1, 4)))
    with pytest.raises(InputError, match=r"Y: expected labels in \[0, 1\] whose columns each sum to 1"):
        ti.compute_cost(np.zeros((6, 4)), Y * 2)


# --------------------------------------------------------------------------- random_mini_batches

def test_random_mini_batches_partition_and_permutation():
    m, n_x = 148, 5
    X = np.arange(n_x * m, dtype=float).reshape(n_x, m)
    Y = np.arange(m).reshape(1, m)
    state = np.random.get_state()[1].copy()
    batches = ti.random_mini_batches(X, Y, 64, seed=7)
    assert np.array_equal(np.random.get_state()[1], state), "the global NumPy random state changed"
    assert [b[0].shape for b in batches] == [(5, 64), (5, 64), (5, 20)]
    assert [b[1].shape for b in batches] == [(1, 64), (1, 64), (1, 20)]
    seen = np.concatenate([b[1][0] for b in batches])
    assert sorted(seen.tolist()) == list(range(m))  # every example exactly once
    perm = np.random.RandomState(7).permutation(m)
    np.testing.assert_array_equal(np.concatenate([b[0] for b in batches], axis=1), X[:, perm])
    np.testing.assert_array_equal(seen, perm)
    for bx, by in batches:  # X and Y stay paired
        np.testing.assert_array_equal(bx, X[:, by[0]])


def test_random_mini_batches_exact_multiple_and_default_seed():
    X, Y, _ = _data(n_x=3, m=128)
    batches = ti.random_mini_batches(X, Y)
    assert [b[0].shape[1] for b in batches] == [64, 64]
    np.testing.assert_array_equal(batches[0][1], Y[:, np.random.RandomState(0).permutation(128)[:64]])


def test_random_mini_batches_bad_input():
    X, Y, _ = _data(n_x=3, m=10)
    with pytest.raises(InputError, match=r"Y: expected a 2-D array of real numbers of shape \(n_y, 10\)"):
        ti.random_mini_batches(X, Y[:, :9])
    with pytest.raises(InputError, match=r"mini_batch_size: expected an integer in \[1, inf\], received 0"):
        ti.random_mini_batches(X, Y, 0)
    with pytest.raises(InputError, match="seed: expected"):
        ti.random_mini_batches(X, Y, 4, seed=-1)


# --------------------------------------------------------------------------- predict

def test_predict_is_argmax_of_numpy_forward():
    params = ti.initialize_parameters(DIMS)
    X, _, _ = _data(m=30)
    pred = ti.predict(X, params)
    assert pred.shape == (30,) and pred.dtype == np.int64
    np.testing.assert_array_equal(pred, np.argmax(_np_forward(X, _np_params(params)), axis=0))
    assert ti.predict(X[:, :1], _np_params(params)).shape == (1,)


# --------------------------------------------------------------------------- model

def test_model_cost_falls_on_small_data(capsys):
    X, Y, _ = _data(n_x=12, m=64)
    state = np.random.get_state()[1].copy()
    params, costs = ti.model(X, Y, X[:, :10], Y[:, :10], learning_rate=0.01, num_epochs=3,
                             minibatch_size=16, print_cost=False, return_costs=True)
    assert np.array_equal(np.random.get_state()[1], state), "the global NumPy random state changed"
    assert capsys.readouterr().out == ""
    assert len(costs) == 3 and all(np.isfinite(costs))
    assert costs[2] < costs[1] < costs[0]
    assert {k: v.shape for k, v in params.items()} == {
        "W1": (25, 12), "b1": (25, 1), "W2": (12, 25), "b2": (12, 1), "W3": (6, 12), "b3": (6, 1)}
    assert all(isinstance(v, np.ndarray) and v.dtype == np.float32 for v in params.values())


def test_model_matches_an_eager_reference_with_the_course_seed_schedule():
    X, Y, _ = _data(n_x=12, m=40, C=3, seed=1)
    lr, size, epochs = 0.005, 16, 2
    params, costs = ti.model(X, Y, X, Y, learning_rate=lr, num_epochs=epochs, minibatch_size=size,
                             print_cost=False, return_costs=True)
    ref = ti.initialize_parameters((12, 25, 12, 3))
    variables = list(ref.values())
    opt = tf.keras.optimizers.Adam(learning_rate=lr, epsilon=1e-8)
    ref_costs = []
    seed = 3
    for _ in range(epochs):
        seed += 1  # the course: seed = seed + 1 before each epoch's shuffle
        total = 0.0
        for bx, by in ti.random_mini_batches(X, Y, size, seed):
            with tf.GradientTape() as tape:
                c = ti.compute_cost(ti.forward_propagation(bx, ref), by)
            opt.apply_gradients(zip(tape.gradient(c, variables), variables))
            total += float(c) * bx.shape[1] / X.shape[1]
        ref_costs.append(total)
    for key in params:
        np.testing.assert_allclose(params[key], ref[key].numpy(), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(costs, ref_costs, rtol=1e-5)


def test_model_prints_the_course_progress(capsys):
    X, Y, _ = _data(n_x=4, m=20)
    out = ti.model(X, Y, X[:, :5], Y[:, :5], num_epochs=1, minibatch_size=8)
    assert set(out) == {"W1", "b1", "W2", "b2", "W3", "b3"}
    text = capsys.readouterr().out
    assert text.startswith("Cost after epoch 0: ")
    assert "Train Accuracy:" in text and "Test Accuracy:" in text


def test_model_zero_epochs_returns_the_initial_parameters():
    X, Y, _ = _data(n_x=12, m=8)
    params, costs = ti.model(X, Y, X, Y, num_epochs=0, print_cost=False, return_costs=True)
    assert costs == []
    init = ti.initialize_parameters(DIMS)
    for key in params:
        np.testing.assert_array_equal(params[key], init[key].numpy())


def test_model_bad_input():
    X, Y, _ = _data(n_x=4, m=10)
    with pytest.raises(InputError, match="Y_train: expected one-hot labels"):
        ti.model(X, Y * 0.5, X, Y, print_cost=False)
    with pytest.raises(InputError, match=r"X_test: expected a 2-D array of real numbers of shape \(4, m\)"):
        ti.model(X, Y, X[:3], Y, print_cost=False)
    with pytest.raises(InputError, match=r"Y_test: expected .* shape \(6, 10\)"):
        ti.model(X, Y, X, Y[:5], print_cost=False)
    with pytest.raises(InputError, match=r"learning_rate: expected a finite number in \(0.0, inf\], received 0"):
        ti.model(X, Y, X, Y, learning_rate=0, print_cost=False)
    with pytest.raises(InputError, match=r"minibatch_size: expected an integer in \[1, inf\]"):
        ti.model(X, Y, X, Y, minibatch_size=0, print_cost=False)
    with pytest.raises(InputError, match="Y_train: expected one-hot labels of shape \\(C, m\\) with C >= 2"):
        ti.model(X, np.ones((1, 10)), X, np.ones((1, 10)), print_cost=False)
    with pytest.raises(InputError, match="X_train: expected values within float32's range"):
        ti.model(X * 1e300, Y, X, Y, print_cost=False)


def test_model_raises_non_finite_error(monkeypatch):
    forward = ti._forward

    def nan_forward(X, parameters, **kwargs):
        return forward(X, parameters, **kwargs) * float("nan")

    monkeypatch.setattr(ti, "_forward", nan_forward)
    X, Y, _ = _data(n_x=4, m=10)
    with pytest.raises(NonFiniteError, match="epoch 0, mini-batch 0") as info:
        ti.model(X, Y, X, Y, num_epochs=2, print_cost=False)
    assert (info.value.epoch, info.value.step) == (0, 0)
