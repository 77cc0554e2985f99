"""The course's Week-3 TensorFlow assignment, in TensorFlow 2.

"Improving Deep Neural Networks", week 3, introduces TensorFlow with a few
small functions and then trains a three-layer network (LINEAR -> RELU ->
LINEAR -> RELU -> LINEAR -> SOFTMAX) on the SIGNS data set. This module gives
those functions with the course's names, signatures and layout: ``X`` is
``(n_x, m)``, one example per *column*; labels ``Y`` are one-hot ``(C, m)``;
parameters are a dict ``{"W1", "b1", ..., "W3", "b3"}`` with ``W[l]`` of shape
``(n_l, n_{l-1})`` and ``b[l]`` of shape ``(n_l, 1)``. (The rest of descentlab
uses ``(m, n_x)``; this module is the course's layer.)

What TensorFlow 1's graph machinery became
------------------------------------------
The course was written for TensorFlow 1, where one first built a graph and
then ran it. TensorFlow 2 executes eagerly, so:

- **Placeholders** (``tf.placeholder``) became **function arguments**.
  ``create_placeholders`` therefore has no counterpart: ``forward_propagation``
  and ``compute_cost`` take the data (NumPy arrays or tensors) directly.
- **Sessions** (``tf.Session``, ``sess.run``, ``feed_dict``) became **direct
  eager calls**. The small warm-up functions (``linear_function``, ``sigmoid``,
  ``cost``, ``one_hot_matrix``, ``ones``) used to return what ``sess.run``
  returned, a NumPy value, and they still do: each computes eagerly and
  returns ``tensor.numpy()``.
- **Variable initializers** (``tf.contrib.layers.xavier_initializer(seed=1)``,
  ``tf.global_variables_initializer``) became ``tf.Variable`` objects created
  already initialized, with ``tf.keras.initializers.GlorotNormal(seed=1)`` as
  the course's TensorFlow 2 edition does (biases start at zero).
- **The optimizer node** run once per mini-batch (``sess.run([optimizer,
  cost], feed_dict=...)``) became a **training step compiled with
  ``tf.function``**: ``tf.GradientTape`` records the forward pass, the
  gradients go to ``tf.keras.optimizers.Adam``. ``tf.set_random_seed`` and
  ``ops.reset_default_graph`` have no counterpart: nothing here reads
  TensorFlow's global random state and there is no default graph to reset.

``forward_propagation`` and ``compute_cost`` return tensors (so they can be
differentiated under a ``GradientTape``); ``predict`` and ``model`` return
NumPy arrays. All TensorFlow arithmetic is in float32, as in the course;
``linear_function`` uses float64 constants, as the course did, and
``random_mini_batches`` / ``convert_to_one_hot`` are pure NumPy.

Randomness is always explicit: ``linear_function`` draws from
``np.random.RandomState(1)`` and ``random_mini_batches`` from
``np.random.RandomState(seed)`` -- the same draws as the course's
``np.random.seed(...)`` calls, without touching NumPy's global state.

Importing this module imports TensorFlow (``import descentlab`` does not). It
sets ``TF_CPP_MIN_LOG_LEVEL=2`` in the environment unless already set, to keep
TensorFlow's C++ start-up messages quiet; it changes no other global state.
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .. import _checks
from .._checks import fail, fail_type
from ..errors import EngineUnavailableError, NonFiniteError

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
try:
    import tensorflow as tf
except ImportError as exc:  # pragma: no cover - depends on the installation
    raise EngineUnavailableError(
        "descentlab.course.tensorflow_intro needs TensorFlow; install it with "
        "pip install 'descentlab[tensorflow]'"
    ) from exc

__all__ = [
    "linear_function",
    "sigmoid",
    "cost",
    "one_hot_matrix",
    "ones",
    "initialize_parameters",
    "forward_propagation",
    "compute_cost",
    "model",
    "random_mini_batches",
    "convert_to_one_hot",
    "predict",
]

#: The course's network: 12288 = 64 * 64 * 3 pixels, two hidden layers, 6 signs.
COURSE_LAYER_DIMS: tuple[int, int, int, int] = (12288, 25, 12, 6)

_PARAM_NAMES = ("W1", "b1", "W2", "b2", "W3", "b3")


# ---------------------------------------------------------------------------
# validation helpers (course layout: one example per column)
# ---------------------------------------------------------------------------

def _symbolic(value: Any) -> bool:
    """True for a tensor or variable whose values cannot be read (inside ``tf.function``)."""
    return tf.is_tensor(value) and not (tf.executing_eagerly() and hasattr(value, "numpy"))


def _as_array(name: str, value: Any, expected: str) -> np.ndarray:
    """A NumPy view of ``value`` (array, list, eager tensor or variable)."""
    if isinstance(value, (str, bytes)) or value is None:
        raise fail_type(name, value, expected)
    try:
        arr = value.numpy() if hasattr(value, "numpy") else np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise fail(name, value, expected) from exc
    if arr.dtype.kind not in "biuf":
        raise fail(name, arr, expected)
    return arr


def _shape(value: Any) -> tuple[int | None, ...]:
    if tf.is_tensor(value) or isinstance(value, tf.Variable):
        return tuple(value.shape.as_list()) if value.shape.rank is not None else ()
    return tuple(np.shape(value))


def _check_finite(name: str, arr: np.ndarray) -> None:
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise fail(name, f"a value {arr[bad]} at index {bad}", "only finite values (no NaN or inf)")


def _course_matrix(name: str, value: Any, *, rows: int | None = None, cols: int | None = None,
                   rows_what: str = "n_x", finite: bool = True) -> np.ndarray | None:
    """Check a 2-D (rows, m) array; return it as NumPy, or None for a graph tensor.

    For a graph tensor only the static shape is checked.
    """
    want = f"({rows if rows is not None else rows_what}, {cols if cols is not None else 'm'})"
    expected = f"a 2-D array of real numbers of shape {want}, one example per column"
    if _symbolic(value):
        shape = _shape(value)
        if len(shape) != 2 or (rows is not None and shape[0] not in (None, rows)) or (
                cols is not None and shape[1] not in (None, cols)):
            raise fail(name, f"a tensor of shape {shape}", expected)
        if not value.dtype.is_floating and not value.dtype.is_integer:
            raise fail(name, f"a tensor of dtype {value.dtype.name}", expected)
        return None
    arr = _as_array(name, value, expected)
    if arr.ndim != 2 or (rows is not None and arr.shape[0] != rows) or (
            cols is not None and arr.shape[1] != cols):
        raise fail(name, arr, expected)
    if arr.shape[1] == 0:
        raise fail(name, arr, "at least one example (column)")
    if finite:
        _check_finite(name, arr)
    return arr


def _float32(value: Any) -> Any:
    """``value`` as a float32 tensor; tensors and variables stay differentiable."""
    if isinstance(value, tf.Variable) or tf.is_tensor(value):
        return value if value.dtype == tf.float32 else tf.cast(value, tf.float32)
    return tf.constant(np.asarray(value, dtype=np.float32))


def _num_classes(name: str, C: Any) -> int:
    return _checks.integer(name, C, low=2)


def _class_labels(name: str, labels: Any, C: int) -> np.ndarray:
    """Integer class labels in [0, C) as a 1-D int64 array (a (1, m) row is accepted)."""
    expected = f"a 1-D array (or a (1, m) row) of integer class labels in [0, {C - 1}]"
    arr = _as_array(name, labels, expected)
    if arr.ndim == 2 and arr.shape[0] == 1:
        arr = arr.reshape(-1)
    if arr.ndim != 1 or arr.size == 0:
        raise fail(name, arr, expected)
    if arr.dtype.kind == "b":
        raise fail(name, arr, expected)
    if arr.dtype.kind == "f":
        if not np.isfinite(arr).all() or not (arr == np.round(arr)).all():
            bad = int(np.argwhere(~np.isfinite(arr) | (arr != np.round(arr)))[0][0])
            raise fail(name, f"{arr[bad]!r} at position {bad}", expected)
    out = arr.astype(np.int64)
    bad_mask = (out < 0) | (out >= C)
    if bad_mask.any():
        bad = int(np.argmax(bad_mask))
        raise fail(name, f"label {out[bad]} at position {bad}", expected)
    return out


def _check_parameters(parameters: Any, n_x: int | None = None) -> dict[str, Any]:
    """Check the six course parameters and that their shapes chain; return them."""
    expected = "a dict with keys W1, b1, W2, b2, W3, b3 (W[l] of shape (n_l, n_{l-1}), b[l] of shape (n_l, 1))"
    if not isinstance(parameters, Mapping):
        raise fail_type("parameters", parameters, expected)
    missing = [k for k in _PARAM_NAMES if k not in parameters]
    if missing:
        raise fail("parameters", f"a dict without {', '.join(missing)}", expected)
    prev = n_x
    for l in (1, 2, 3):
        W, b = parameters[f"W{l}"], parameters[f"b{l}"]
        for key, p in ((f"W{l}", W), (f"b{l}", b)):
            if isinstance(p, (str, bytes)) or p is None:
                raise fail_type(f"parameters['{key}']", p, "a 2-D array or tensor of real numbers")
            if isinstance(p, tf.Variable) or tf.is_tensor(p):
                if not (p.dtype.is_floating or p.dtype.is_integer):
                    raise fail(f"parameters['{key}']", f"a tensor of dtype {p.dtype.name}",
                               "a 2-D array or tensor of real numbers")
            else:
                _as_array(f"parameters['{key}']", p, "a 2-D array or tensor of real numbers")
        w_shape, b_shape = _shape(W), _shape(b)
        if len(w_shape) != 2 or (prev is not None and w_shape[1] not in (None, prev)):
            cols = "n_{l-1}" if prev is None else prev
            raise fail(f"parameters['W{l}']", f"an array of shape {w_shape}", f"a 2-D array of shape (n_{l}, {cols})")
        if len(b_shape) != 2 or b_shape[1] != 1 or b_shape[0] not in (None, w_shape[0]):
            raise fail(f"parameters['b{l}']", f"an array of shape {b_shape}",
                       f"a column of shape ({w_shape[0]}, 1), one entry per row of W{l}")
        prev = w_shape[0]
    return {k: parameters[k] for k in _PARAM_NAMES}


def _check_one_hot(name: str, Y: np.ndarray) -> None:
    if not (((Y == 0) | (Y == 1)).all() and (Y.sum(axis=0) == 1).all()):
        bad = int(np.argmax(~(((Y == 0) | (Y == 1)).all(axis=0) & (Y.sum(axis=0) == 1))))
        raise fail(name, f"column {bad} = {Y[:, bad].tolist()}",
                   "one-hot labels: each column all zeros except a single 1 "
                   "(use convert_to_one_hot(labels, C))")


# ---------------------------------------------------------------------------
# 1. Exploring the TensorFlow library
# ---------------------------------------------------------------------------

def linear_function() -> np.ndarray:
    """Compute ``W X + b`` for the course's random ``X`` (3, 1), ``W`` (4, 3) and ``b`` (4, 1).

    The draws are the course's: ``np.random.seed(1)`` followed by
    ``randn(3, 1)``, ``randn(4, 3)``, ``randn(4, 1)``, here from a private
    ``np.random.RandomState(1)``. The constants are float64, as in the course.

    Returns:
        The (4, 1) float64 NumPy array (what the course's ``sess.run`` returned):
        ``[[-2.15657382], [2.95891446], [-1.08926781], [-0.84538042]]``.
    """
    rng = np.random.RandomState(1)
    X = tf.constant(rng.randn(3, 1), name="X")
    W = tf.constant(rng.randn(4, 3), name="W")
    b = tf.constant(rng.randn(4, 1), name="b")
    Y = tf.add(tf.matmul(W, X), b)
    return Y.numpy()


def sigmoid(z: Any) -> Any:
    """The sigmoid of ``z`` computed by ``tf.sigmoid`` in float32.

    Args:
        z: a real number, or an array of real numbers.

    Returns:
        A NumPy float32 scalar for a scalar ``z`` (``sigmoid(0) == 0.5``,
        ``sigmoid(12) == 0.99999386``), else a float32 array of ``z``'s shape.
    """
    if isinstance(z, numbers.Real) and not isinstance(z, bool):
        if np.isnan(z):
            raise fail("z", z, "a real number (not NaN)")
        arr = np.float32(z)
    else:
        arr = _as_array("z", z, "a real number or an array of real numbers")
        if arr.dtype.kind == "b":
            raise fail("z", arr, "a real number or an array of real numbers (not bool)")
        if np.isnan(arr).any():
            raise fail("z", arr, "real numbers (no NaN)")
    x = tf.constant(arr, dtype=tf.float32, name="x")
    return tf.sigmoid(x).numpy()


def cost(logits: Any, labels: Any) -> np.ndarray:
    """Sigmoid cross-entropy of ``labels`` given ``logits``, elementwise, as the course returns it.

    ``tf.nn.sigmoid_cross_entropy_with_logits``: ``max(z, 0) - z y + log(1 + exp(-|z|))``
    for each entry (nothing is averaged), in float32.

    Args:
        logits: real numbers ``z`` (any shape; the course passed sigmoid outputs).
        labels: targets ``y`` in [0, 1], the same shape as ``logits``.

    Returns:
        A float32 NumPy array of ``logits``' shape. For the course's
        ``cost(sigmoid([0.2, 0.4, 0.7, 0.9]), [0, 0, 1, 1])``:
        ``[1.0053872, 1.0366409, 0.4138543, 0.3995661]``.
    """
    z = _as_array("logits", logits, "real numbers (an array)")
    y = _as_array("labels", labels, "numbers in [0, 1], the shape of logits")
    _check_finite("logits", z)
    if y.shape != z.shape:
        raise fail("labels", y, f"an array of shape {z.shape}, the shape of logits")
    if (y.dtype.kind == "f" and np.isnan(y).any()) or ((y < 0) | (y > 1)).any():
        raise fail("labels", y, "numbers in [0, 1]")
    z_t = tf.constant(z, dtype=tf.float32, name="z")
    y_t = tf.constant(y, dtype=tf.float32, name="y")
    return tf.nn.sigmoid_cross_entropy_with_logits(logits=z_t, labels=y_t).numpy()


def one_hot_matrix(labels: Any, C: Any) -> np.ndarray:
    """One-hot matrix of shape (C, m): column j has a 1 in row ``labels[j]``.

    ``tf.one_hot(labels, C, axis=0)``, as the course wrote it.

    Args:
        labels: m integer class labels in [0, C), a 1-D array or a (1, m) row.
        C: the number of classes, at least 2.

    Returns:
        A float32 NumPy array of shape (C, m).
    """
    C = _num_classes("C", C)
    y = _class_labels("labels", labels, C)
    return tf.one_hot(y, C, axis=0).numpy()


def ones(shape: Any) -> np.ndarray:
    """An array of ones of the given shape (``tf.ones``), float32."""
    expected = "a non-negative integer or a sequence of non-negative integers"
    if isinstance(shape, numbers.Integral) and not isinstance(shape, bool):
        dims = [int(shape)]
    elif isinstance(shape, (Sequence, np.ndarray)) and not isinstance(shape, (str, bytes)):
        dims = list(np.asarray(shape).reshape(-1)) if isinstance(shape, np.ndarray) else list(shape)
        if isinstance(shape, np.ndarray) and shape.ndim > 1:
            raise fail("shape", shape, expected)
    else:
        raise fail_type("shape", shape, expected)
    for d in dims:
        if isinstance(d, (bool, np.bool_)) or not isinstance(d, numbers.Integral) or int(d) < 0:
            raise fail("shape", shape, expected)
    return tf.ones([int(d) for d in dims]).numpy()


# ---------------------------------------------------------------------------
# 2. Building the network
# ---------------------------------------------------------------------------

def initialize_parameters(layer_dims: Sequence[int] = COURSE_LAYER_DIMS, *, seed: int = 1) -> dict[str, Any]:
    """The course's parameters as float32 ``tf.Variable`` objects.

    ``W1`` (25, 12288), ``b1`` (25, 1), ``W2`` (12, 25), ``b2`` (12, 1),
    ``W3`` (6, 12), ``b3`` (6, 1) by default. The weights come from one
    ``tf.keras.initializers.GlorotNormal(seed=seed)``: a normal distribution
    truncated at two standard deviations and rescaled (by 1 / 0.8796) so the
    *drawn* values have standard deviation ``sqrt(2 / (fan_in + fan_out))``.
    A seeded Keras initializer is stateless, so the result depends on
    ``seed`` and the shapes only. The biases are zeros, as in the course's
    TensorFlow 1 edition (``tf.zeros_initializer``).

    Args:
        layer_dims: ``(n_x, n_h1, n_h2, n_y)``; the course's ``(12288, 25, 12, 6)``
            by default. ``model`` passes the sizes of its data here.
        seed: the initializer's seed (the course's is 1).

    Returns:
        ``{"W1": tf.Variable, "b1": ..., "W3": ..., "b3": ...}``.
    """
    dims = _checks.layer_dims(layer_dims)
    if len(dims) != 4:
        raise fail("layer_dims", layer_dims, "four layer sizes (n_x, n_h1, n_h2, n_y), e.g. (12288, 25, 12, 6)")
    seed = _checks.integer("seed", seed, low=0, high=2**31 - 1)
    initializer = tf.keras.initializers.GlorotNormal(seed=seed)
    parameters: dict[str, Any] = {}
    for l in (1, 2, 3):
        parameters[f"W{l}"] = tf.Variable(initializer(shape=(dims[l], dims[l - 1]), dtype="float32"), name=f"W{l}")
        parameters[f"b{l}"] = tf.Variable(tf.zeros((dims[l], 1), dtype=tf.float32), name=f"b{l}")
    return parameters


def _forward(X: Any, parameters: Mapping[str, Any], *, examples_as_rows: bool = False) -> Any:
    """LINEAR -> RELU -> LINEAR -> RELU -> LINEAR without checks.

    ``X`` is (n_x, m), or (m, n_x) with ``examples_as_rows``; ``Z3`` is (n_y, m) either way.
    """
    W1, b1, W2, b2, W3, b3 = (_float32(parameters[k]) for k in _PARAM_NAMES)
    Z1 = tf.add(tf.matmul(W1, X, transpose_b=examples_as_rows), b1)
    A1 = tf.nn.relu(Z1)
    Z2 = tf.add(tf.matmul(W2, A1), b2)
    A2 = tf.nn.relu(Z2)
    return tf.add(tf.matmul(W3, A2), b3)


def forward_propagation(X: Any, parameters: Mapping[str, Any]) -> Any:
    """The forward pass LINEAR -> RELU -> LINEAR -> RELU -> LINEAR, in float32.

    Args:
        X: the input, shape (n_x, m), one example per column (a NumPy array or
            a tensor; the course's placeholder became this argument).
        parameters: ``W1``, ``b1``, ``W2``, ``b2``, ``W3``, ``b3`` as
            variables, tensors or NumPy arrays; ``W1`` must have n_x columns.

    Returns:
        ``Z3``, a float32 tensor of shape (n_y, m): the logits of the last
        LINEAR unit, before any softmax. Differentiable with respect to
        ``tf.Variable`` parameters under a ``tf.GradientTape``.
    """
    params = _check_parameters(parameters)
    n_x = _shape(params["W1"])[1]
    _course_matrix("X", X, rows=n_x)
    return _forward(_float32(X), params)


def compute_cost(Z3: Any, Y: Any) -> Any:
    """Softmax cross-entropy of one-hot labels given logits, averaged over the examples.

    ``tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=Z3.T, labels=Y.T))``:
    the functions want one example per row, hence the transposes, as in the course.

    Args:
        Z3: logits, shape (C, m), C >= 2 (``forward_propagation``'s output).
        Y: labels, shape (C, m): one-hot columns (or, more generally, each
            column a probability distribution).

    Returns:
        A scalar float32 tensor (differentiable with respect to ``Z3``).
    """
    _course_matrix("Z3", Z3, rows_what="C")
    shape = _shape(Z3)
    if shape[0] is not None and shape[0] < 2:
        raise fail("Z3", f"an array of shape {shape}", "logits for at least 2 classes (C >= 2 rows)")
    y = _course_matrix("Y", Y, rows=shape[0], cols=shape[1], rows_what="C")
    if y is not None:
        if ((y < 0) | (y > 1)).any() or not np.allclose(y.sum(axis=0), 1.0, atol=1e-4):
            raise fail("Y", y, "labels in [0, 1] whose columns each sum to 1 (one-hot columns)")
    logits = tf.transpose(_float32(Z3))
    labels = tf.transpose(_float32(Y))
    return tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=logits, labels=labels))


# ---------------------------------------------------------------------------
# 3. Training and predicting
# ---------------------------------------------------------------------------

def _batch_indices(m: int, mini_batch_size: int, seed: int) -> list[np.ndarray]:
    """The course's shuffle and partition of range(m), as index arrays."""
    permutation = np.random.RandomState(seed).permutation(m)
    return [permutation[k:k + mini_batch_size] for k in range(0, m, mini_batch_size)]


def random_mini_batches(X: Any, Y: Any, mini_batch_size: int = 64, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """Shuffle the examples (columns) of ``(X, Y)`` and split them into mini-batches.

    The course's function: the permutation is ``np.random.RandomState(seed).permutation(m)``
    (the draws of ``np.random.seed(seed); np.random.permutation(m)``), the
    batches are consecutive runs of ``mini_batch_size`` shuffled columns, and
    the last one keeps the ``m % mini_batch_size`` remaining examples, if any.

    Args:
        X: inputs, shape (n_x, m).
        Y: labels, shape (n_y, m) (one-hot (C, m), or the (1, m) label row).
        mini_batch_size: examples per batch, at least 1.
        seed: the shuffle's seed, in [0, 2**32).

    Returns:
        A list of ``(mini_batch_X, mini_batch_Y)`` NumPy arrays of shapes
        ``(n_x, size)`` and ``(n_y, size)``, keeping the inputs' dtypes.
    """
    x = _course_matrix("X", X, finite=False)
    y = _course_matrix("Y", Y, cols=x.shape[1], rows_what="n_y", finite=False)
    size = _checks.integer("mini_batch_size", mini_batch_size, low=1)
    seed = _checks.integer("seed", seed, low=0, high=2**32 - 1)
    return [(x[:, idx], y[:, idx]) for idx in _batch_indices(x.shape[1], size, seed)]


def convert_to_one_hot(Y: Any, C: Any) -> np.ndarray:
    """``np.eye(C)[Y.reshape(-1)].T``: integer labels to a float64 one-hot matrix (C, m).

    Args:
        Y: m integer class labels in [0, C), a (1, m) row (as the course's
            data sets store them) or a 1-D array.
        C: the number of classes, at least 2.
    """
    C = _num_classes("C", C)
    y = _class_labels("Y", Y, C)
    return np.eye(C)[y.reshape(-1)].T


def predict(X: Any, parameters: Mapping[str, Any]) -> np.ndarray:
    """Class predictions: the row of the largest logit of ``forward_propagation``, per example.

    Args:
        X: inputs, shape (n_x, m) (a single example is (n_x, 1)).
        parameters: the six course parameters (NumPy arrays, as ``model``
            returns them, or variables).

    Returns:
        An int64 NumPy array of shape (m,) with values in [0, n_y).
    """
    Z3 = forward_propagation(X, parameters)
    return tf.argmax(Z3, axis=0).numpy().astype(np.int64)


def model(X_train: Any, Y_train: Any, X_test: Any, Y_test: Any, learning_rate: float = 0.0001,
          num_epochs: int = 1500, minibatch_size: int = 32, print_cost: bool = True, *,
          return_costs: bool = False) -> Any:
    """Train the three-layer network LINEAR->RELU->LINEAR->RELU->LINEAR->SOFTMAX with Adam.

    As the course: the parameters come from ``initialize_parameters`` (seed 1)
    with sizes ``(n_x, 25, 12, n_y)`` taken from the data (the course's
    ``(12288, 25, 12, 6)`` on SIGNS; any ``n_x`` and ``n_y >= 2`` work);
    ``seed`` starts at 3 and each epoch first adds 1 and then shuffles with
    ``random_mini_batches(X_train, Y_train, minibatch_size, seed)`` (the same
    permutation and partition; the batches are gathered from one float32
    copy of the data instead of copying the whole set every epoch); each
    mini-batch is one Adam step on ``compute_cost``. Adam is
    ``tf.keras.optimizers.Adam(learning_rate, epsilon=1e-8)``, the update of
    TensorFlow 1's ``tf.train.AdamOptimizer`` the course used. One training
    step (forward, ``tf.GradientTape``, update) is a ``tf.function``.

    With ``print_cost``, prints ``Cost after epoch i: ...`` every 100 epochs
    and, at the end, the train and test accuracies, as the course did (it also
    plotted the costs; this function does not plot).

    The cost of an epoch is the mean over its examples of the mini-batch costs
    (each mini-batch weighted by its size). The course divided the sum of the
    mini-batch costs by ``int(m / minibatch_size)``, which overstates it
    slightly when the last mini-batch is partial.

    Args:
        X_train: training inputs (n_x, m_train), one example per column.
        Y_train: one-hot training labels (n_y, m_train).
        X_test: test inputs (n_x, m_test), only used for the printed accuracy.
        Y_test: one-hot test labels (n_y, m_test).
        learning_rate: Adam's step size, > 0.
        num_epochs: passes over the training set, >= 0.
        minibatch_size: examples per mini-batch, >= 1.
        print_cost: print the progress and the accuracies.
        return_costs: also return the list of epoch costs (one per epoch).

    Returns:
        The trained parameters as a dict of float32 NumPy arrays
        ``{"W1": (25, n_x), "b1": (25, 1), ..., "b3": (n_y, 1)}`` (what the
        course's ``sess.run(parameters)`` returned), or
        ``(parameters, costs)`` when ``return_costs``.

    Raises:
        NonFiniteError: a mini-batch cost became NaN or infinite (try a
            smaller learning rate); it carries the epoch and the step (the
            mini-batch index within the epoch).
    """
    x_train = _course_matrix("X_train", X_train)
    n_x, m = x_train.shape
    y_train = _course_matrix("Y_train", Y_train, cols=m, rows_what="n_y")
    n_y = y_train.shape[0]
    if n_y < 2:
        raise fail("Y_train", y_train, "one-hot labels of shape (C, m) with C >= 2 classes")
    _check_one_hot("Y_train", y_train)
    x_test = _course_matrix("X_test", X_test, rows=n_x)
    y_test = _course_matrix("Y_test", Y_test, rows=n_y, cols=x_test.shape[1], rows_what="n_y")
    _check_one_hot("Y_test", y_test)
    learning_rate = _checks.real("learning_rate", learning_rate, low=0.0, low_open=True)
    num_epochs = _checks.integer("num_epochs", num_epochs, low=0)
    minibatch_size = _checks.integer("minibatch_size", minibatch_size, low=1)

    parameters = initialize_parameters((n_x, 25, 12, n_y), seed=1)
    variables = [parameters[k] for k in _PARAM_NAMES]
    optimizer = tf.keras.optimizers.Adam(learning_rate=learning_rate, epsilon=1e-8)
    optimizer.build(variables)

    # Examples as rows, so a mini-batch is a cheap row gather (W1 @ batch.T in the step).
    with np.errstate(over="ignore"):
        rows_x = np.ascontiguousarray(x_train.T, dtype=np.float32)
    if not np.isfinite(rows_x).all():
        raise fail("X_train", x_train, "values within float32's range (|x| < 3.4e38), as training is in float32")
    examples_x = tf.constant(rows_x)
    examples_y = tf.constant(np.ascontiguousarray(y_train.T, dtype=np.float32))

    @tf.function(input_signature=(
        tf.TensorSpec((None, n_x), tf.float32),
        tf.TensorSpec((None, n_y), tf.float32),
        tf.TensorSpec((None,), tf.int64),
    ), autograph=False)
    def train_step(all_x: Any, all_y: Any, idx: Any) -> Any:
        batch_x = tf.gather(all_x, idx)  # (size, n_x)
        batch_y = tf.gather(all_y, idx)  # (size, n_y)
        with tf.GradientTape() as tape:
            Z3 = _forward(batch_x, parameters, examples_as_rows=True)
            minibatch_cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(
                logits=tf.transpose(Z3), labels=batch_y))
        grads = tape.gradient(minibatch_cost, variables)
        optimizer.apply_gradients(zip(grads, variables))
        return minibatch_cost

    costs: list[float] = []
    seed = 3
    for epoch in range(num_epochs):
        seed = seed + 1
        epoch_cost = 0.0
        for step, idx in enumerate(_batch_indices(m, minibatch_size, seed)):
            minibatch_cost = float(train_step(examples_x, examples_y, tf.constant(idx, dtype=tf.int64)))
            if not np.isfinite(minibatch_cost):
                raise NonFiniteError(
                    f"the cost became {minibatch_cost} at epoch {epoch}, mini-batch {step} "
                    f"(learning_rate={learning_rate}); try a smaller learning rate",
                    epoch=epoch, step=step)
            epoch_cost += minibatch_cost * len(idx) / m
        costs.append(epoch_cost)
        if print_cost and epoch % 100 == 0:
            print(f"Cost after epoch {epoch}: {epoch_cost:f}")

    trained = {k: parameters[k].numpy() for k in _PARAM_NAMES}
    if print_cost:
        print("Parameters have been trained!")
        train_accuracy = float(np.mean(predict(x_train, trained) == np.argmax(y_train, axis=0)))
        test_accuracy = float(np.mean(predict(x_test, trained) == np.argmax(y_test, axis=0)))
        print("Train Accuracy:", train_accuracy)
        print("Test Accuracy:", test_accuracy)
    return (trained, costs) if return_costs else trained
