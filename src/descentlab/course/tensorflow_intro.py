"""The course's TensorFlow notebook (Course 2, week 3), older edition, TensorFlow 1:
``TensorFlow_Tutorial_v3b.ipynb`` (2019-2020) with ``tf_utils.py``.

The 2017 ``Tensorflow Tutorial.ipynb`` differs in two places (:mod:`descentlab.course.v2017.tensorflow_intro`);
the current edition, TensorFlow 2, is :mod:`descentlab.course.current.tensorflow_intro`.

The learner's TensorFlow 1 code, run on TensorFlow 2 through ``tf.compat.v1``: graphs, placeholders,
sessions, ``get_variable`` with Glorot-uniform weights (``tf.contrib.layers.xavier_initializer(seed=1)``
is the same initializer op as ``tf.compat.v1.glorot_uniform_initializer(seed=1)``) and zero biases,
``tf.train.AdamOptimizer``. Eager execution is never disabled: every graph is built inside a graph
context, so the TensorFlow 2 edition's functions keep working in the same process.

- ``linear_function()``: ``np.random.seed(1)``, X (3, 1), W (4, 3), b (4, 1) in that order (a private
  RandomState: the same draws), ``W X + b`` run in a session: a float64 NumPy array.
- ``sigmoid(z)``, ``cost(logits, labels)`` (``sigmoid_cross_entropy_with_logits``, elementwise),
  ``one_hot_matrix(labels, C)`` ((C, m), float32) and ``ones(shape)``: each feeds a placeholder or
  runs a constant in its own graph and returns what ``sess.run`` returns (NumPy values).
- ``create_placeholders(n_x, n_y)``, ``initialize_parameters()``, ``forward_propagation(X,
  parameters)`` and ``compute_cost(Z3, Y)`` (``reduce_mean`` of the softmax cross-entropy) add
  nodes to the current default graph, as in TensorFlow 1: inside ``with tf.compat.v1.Session() as
  sess:`` or ``with tf.Graph().as_default():`` they build into that graph; called at the top level
  they build into TensorFlow's global default graph (``tf.compat.v1.reset_default_graph()`` resets
  it, as the notebook's ``tf.reset_default_graph()`` did).
- ``model(X_train, Y_train, X_test, Y_test, learning_rate=0.0001, num_epochs=1500,
  minibatch_size=32, print_cost=True)``: the notebook's model in a graph of its own (the notebook
  reset the global default graph): ``tf.set_random_seed(1)``, ``seed = 3``, each epoch
  ``seed + 1`` and ``random_mini_batches``, one ``AdamOptimizer`` step per mini-batch, and
  ``epoch_cost += minibatch_cost / minibatch_size`` (v3b's divisor: the printed cost is the sum of
  the mini-batch means over 32); prints ``Cost after epoch i: %f`` every 100 epochs,
  ``Parameters have been trained!``, ``Train Accuracy: ...`` and ``Test Accuracy: ...``; returns
  the trained parameters as NumPy arrays. The cost plot is not drawn. The weights' sizes come
  from the data (the notebook's ``initialize_parameters`` is fixed to 12288 inputs and 6 classes,
  which is what the SIGNS data has).
- ``tf_utils``: ``load_dataset()`` (the SIGNS photos in the course's arrays: descentlab vendors the
  course's ``test_signs.h5`` and, for training, the CS230 JPEGs of the same photos, not
  pixel-identical to ``train_signs.h5``), ``random_mini_batches`` (Y keeps its C rows),
  ``convert_to_one_hot``, ``predict`` (one image (12288, 1) -> its class) and
  ``forward_propagation_for_predict``.

Importing this module imports TensorFlow. NumPy's global random state is never read or changed.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import _checks as check
from ..engines.tensorflow_engine import import_tensorflow
from . import _checks as cc

tf = import_tensorflow()
v1 = tf.compat.v1

__all__ = [
    "linear_function", "sigmoid", "cost", "one_hot_matrix", "ones", "create_placeholders", "initialize_parameters",
    "forward_propagation", "compute_cost", "model", "load_dataset", "random_mini_batches", "convert_to_one_hot",
    "predict", "forward_propagation_for_predict",
]

#: The course's network: 12288 = 64 x 64 x 3 pixels, hidden layers of 25 and 12 units, 6 signs.
COURSE_LAYER_DIMS: tuple[int, int, int, int] = (12288, 25, 12, 6)
_NAMES = ("W1", "b1", "W2", "b2", "W3", "b3")


def default_graph() -> Any:
    """A context that builds into the current default graph; at the top level (eager), TensorFlow's global one."""
    if tf.executing_eagerly():
        return v1.get_default_graph().as_default()
    return contextlib.nullcontext()


def _run(fetch_and_feed: Any) -> Any:
    """Build ``fetch_and_feed()`` -> (fetches, feed_dict) in a graph of its own and run it in a session."""
    with tf.Graph().as_default():
        fetches, feed = fetch_and_feed()
        sess = v1.Session()
        result = sess.run(fetches, feed_dict=feed)
        sess.close()
    return result


# --------------------------------------------------------------------------- 1. the warm-up functions
def linear_function() -> np.ndarray:
    """Y = W X + b with the course's X (3, 1), W (4, 3), b (4, 1) (``np.random.seed(1)``, drawn in that order).

    Returns the (4, 1) float64 array ``sess.run`` gives: [[-2.15657382], [2.95891446], [-1.08926781], [-0.84538042]].
    """
    def build() -> tuple[Any, None]:
        rng = np.random.RandomState(1)
        X = tf.constant(rng.randn(3, 1), name="X")
        W = tf.constant(rng.randn(4, 3), name="W")
        b = tf.constant(rng.randn(4, 1), name="b")
        return tf.add(tf.matmul(W, X), b), None
    return _run(build)


def _reals(name: str, value: Any) -> np.ndarray:
    arr = cc.array(name, value, "a real number or an array of real numbers")
    if arr.dtype.kind == "f" and np.isnan(arr).any():
        raise check.fail(name, value, "real numbers (no NaN)")
    return arr


def sigmoid(z: Any) -> Any:
    """The sigmoid of z: a float32 placeholder ``x`` fed with z, ``tf.sigmoid(x)`` run in a session.

    Returns a NumPy float32 (``sigmoid(0) = 0.5``, ``sigmoid(12) = 0.99999386``) or float32 array.
    """
    _reals("z", z)

    def build() -> tuple[Any, dict]:
        x = v1.placeholder(tf.float32, name="x")
        return tf.sigmoid(x), {x: z}
    return _run(build)


def cost(logits: Any, labels: Any) -> np.ndarray:
    """``tf.nn.sigmoid_cross_entropy_with_logits(logits=z, labels=y)``, elementwise (nothing averaged), float32.

    The 2017 notebook fed ``sigmoid(np.array([0.2, 0.4, 0.7, 0.9]))`` as the logits, v3b the raw values.
    """
    z = cc.finite("logits", _reals("logits", logits))
    y = _reals("labels", labels)
    if y.shape != z.shape:
        raise check.fail("labels", y, f"an array of shape {z.shape}, the shape of logits")

    def build() -> tuple[Any, dict]:
        zp = v1.placeholder(tf.float32, name="z")
        yp = v1.placeholder(tf.float32, name="y")
        return tf.nn.sigmoid_cross_entropy_with_logits(logits=zp, labels=yp), {zp: logits, yp: labels}
    return _run(build)


def _class_labels(name: str, labels: Any, C: int) -> np.ndarray:
    expected = f"integer class labels in [0, {C - 1}], a 1-D array or a (1, m) row"
    arr = cc.array(name, labels, expected)
    if arr.ndim == 2 and arr.shape[0] == 1:
        arr = arr.reshape(-1)
    if arr.ndim != 1 or arr.size == 0 or arr.dtype.kind not in "iu":
        raise check.fail(name, arr, expected)
    bad = (arr < 0) | (arr >= C)
    if bad.any():
        i = int(np.argmax(bad))
        raise check.fail(name, f"label {arr[i]} at position {i}", expected)
    return arr


def one_hot_matrix(labels: Any, C: int) -> np.ndarray:
    """``tf.one_hot(labels, C, axis=0)`` run in a session: (C, m) float32, column j one-hot for labels[j]."""
    C = check.integer("C", C, low=2)
    y = _class_labels("labels", labels, C)

    def build() -> tuple[Any, None]:
        depth = tf.constant(C, name="C")
        return tf.one_hot(y, depth, axis=0), None
    return _run(build)


def ones(shape: Any) -> np.ndarray:
    """``tf.ones(shape)`` run in a session: a float32 array of ones."""
    expected = "a non-negative integer or a list of non-negative integers"
    dims = [shape] if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool) else shape
    if isinstance(dims, (str, bytes)) or not isinstance(dims, (list, tuple, np.ndarray)):
        raise check.fail_type("shape", shape, expected)
    dims = [check.integer("shape", d, low=0) for d in np.asarray(dims).reshape(-1).tolist()]
    return _run(lambda: (tf.ones(dims), None))


# ---------------------------------------------------------------------------- 2. building the network
def placeholders(n_x: Any, n_y: Any, *, named: bool) -> tuple[Any, Any]:
    """Float32 placeholders [n_x, None] and [n_y, None] in the current default graph (named "X", "Y" if ``named``)."""
    n_x = check.integer("n_x", n_x, low=1)
    n_y = check.integer("n_y", n_y, low=1)
    with default_graph():
        if named:
            return (v1.placeholder(tf.float32, [n_x, None], name="X"),
                    v1.placeholder(tf.float32, [n_y, None], name="Y"))
        return v1.placeholder(shape=[n_x, None], dtype=tf.float32), v1.placeholder(shape=[n_y, None], dtype=tf.float32)


def create_placeholders(n_x: int, n_y: int) -> tuple[Any, Any]:
    """X, Y = float32 placeholders of shapes [n_x, None] and [n_y, None], named "X" and "Y" (v3b)."""
    return placeholders(n_x, n_y, named=True)


def variables(layer_dims: tuple[int, ...]) -> dict[str, Any]:
    """``tf.set_random_seed(1)``, then W[l] = ``get_variable`` with the Glorot-uniform (Xavier) initializer, seed 1, b[l] = 0."""
    v1.set_random_seed(1)  # in a graph context: the graph-level seed, not TensorFlow's global state
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = v1.get_variable("W" + str(l), [layer_dims[l], layer_dims[l - 1]],
                                                   initializer=v1.glorot_uniform_initializer(seed=1))
        parameters["b" + str(l)] = v1.get_variable("b" + str(l), [layer_dims[l], 1], initializer=v1.zeros_initializer())
    return parameters


def initialize_parameters() -> dict[str, Any]:
    """The course's variables W1 [25, 12288], b1 [25, 1], W2 [12, 25], b2 [12, 1], W3 [6, 12], b3 [6, 1].

    Weights from ``xavier_initializer(seed=1)`` (Glorot uniform), biases zero, after
    ``tf.set_random_seed(1)``; created in the current default graph (a second call in the same
    graph fails, as in TensorFlow 1: reset the graph first).
    """
    with default_graph():
        return variables(COURSE_LAYER_DIMS)


def _parameters(parameters: Any) -> dict[str, Any]:
    expected = "a dict with W1, b1, W2, b2, W3, b3 (variables, tensors or arrays)"
    if not isinstance(parameters, Mapping):
        raise check.fail_type("parameters", parameters, expected)
    missing = [k for k in _NAMES if k not in parameters]
    if missing:
        raise check.fail("parameters", f"a dict without {', '.join(missing)}", expected)
    return {k: parameters[k] for k in _NAMES}


def _forward(X: Any, p: Mapping[str, Any]) -> Any:
    Z1 = tf.add(tf.matmul(p["W1"], X), p["b1"])
    A1 = tf.nn.relu(Z1)
    Z2 = tf.add(tf.matmul(p["W2"], A1), p["b2"])
    A2 = tf.nn.relu(Z2)
    return tf.add(tf.matmul(p["W3"], A2), p["b3"])


def forward_propagation(X: Any, parameters: Any) -> Any:
    """LINEAR -> RELU -> LINEAR -> RELU -> LINEAR: the graph node Z3 (no softmax; the cost applies it)."""
    p = _parameters(parameters)
    with default_graph():
        return _forward(X, p)


def compute_cost(Z3: Any, Y: Any) -> Any:
    """``tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=tf.transpose(Z3), labels=tf.transpose(Y)))``."""
    with default_graph():
        logits = tf.transpose(Z3)
        labels = tf.transpose(Y)
        return tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=logits, labels=labels))


# ------------------------------------------------------------------------------------------ 3. model
def _model_data(X_train: Any, Y_train: Any, X_test: Any, Y_test: Any) -> tuple[np.ndarray, ...]:
    x_train = cc.inputs("X_train", X_train)
    y_train = cc.array("Y_train", Y_train, f"one-hot labels of shape (C, {x_train.shape[1]})")
    if y_train.ndim != 2 or y_train.shape[1] != x_train.shape[1] or y_train.shape[0] < 2:
        raise check.fail("Y_train", y_train, f"one-hot labels of shape (C, {x_train.shape[1]}), C >= 2")
    x_test = cc.inputs("X_test", X_test, x_train.shape[0])
    y_test = cc.array("Y_test", Y_test, f"one-hot labels of shape ({y_train.shape[0]}, {x_test.shape[1]})")
    if y_test.shape != (y_train.shape[0], x_test.shape[1]):
        raise check.fail("Y_test", y_test, f"one-hot labels of shape ({y_train.shape[0]}, {x_test.shape[1]})")
    return x_train, y_train, x_test, y_test


def train(X_train: Any, Y_train: Any, X_test: Any, Y_test: Any, learning_rate: Any, num_epochs: Any,
          minibatch_size: Any, print_cost: Any, *, divide_by: str, named: bool) -> dict[str, np.ndarray]:
    """The notebooks' TensorFlow 1 model (v3b: ``divide_by="minibatch_size"``; 2017: ``"num_minibatches"``)."""
    X_train, Y_train, X_test, Y_test = _model_data(X_train, Y_train, X_test, Y_test)
    cc.positive("learning_rate", learning_rate)
    num_epochs = cc.count("num_epochs", num_epochs)
    minibatch_size = cc.count("minibatch_size", minibatch_size, low=1)
    print_cost = cc.flag("print_cost", print_cost)
    with tf.Graph().as_default():
        v1.set_random_seed(1)
        seed = 3
        (n_x, m) = X_train.shape
        n_y = Y_train.shape[0]
        X, Y = placeholders(n_x, n_y, named=named)
        parameters = variables((n_x, *COURSE_LAYER_DIMS[1:-1], n_y))
        Z3 = _forward(X, parameters)
        cost_node = compute_cost(Z3, Y)
        optimizer = v1.train.AdamOptimizer(learning_rate=learning_rate).minimize(cost_node)
        init = v1.global_variables_initializer()
        with v1.Session() as sess:
            sess.run(init)
            for epoch in range(num_epochs):
                epoch_cost = 0.
                num_minibatches = int(m / minibatch_size)
                seed = seed + 1
                for minibatch_X, minibatch_Y in _mini_batches(X_train, Y_train, minibatch_size, seed):
                    _, minibatch_cost = sess.run([optimizer, cost_node], feed_dict={X: minibatch_X, Y: minibatch_Y})
                    epoch_cost += minibatch_cost / (minibatch_size if divide_by == "minibatch_size" else num_minibatches)
                if print_cost and epoch % 100 == 0:
                    print("Cost after epoch %i: %f" % (epoch, epoch_cost))
            parameters = sess.run(parameters)
            print("Parameters have been trained!")
            correct_prediction = tf.equal(tf.argmax(Z3), tf.argmax(Y))
            accuracy = tf.reduce_mean(tf.cast(correct_prediction, "float"))
            print("Train Accuracy:", accuracy.eval({X: X_train, Y: Y_train}))
            print("Test Accuracy:", accuracy.eval({X: X_test, Y: Y_test}))
    return parameters


def model(X_train: Any, Y_train: Any, X_test: Any, Y_test: Any, learning_rate: float = 0.0001, num_epochs: int = 1500,
          minibatch_size: int = 32, print_cost: bool = True) -> dict[str, np.ndarray]:
    """The notebook's three-layer softmax model, trained with ``tf.train.AdamOptimizer`` on mini-batches.

    Args:
        X_train: (n_x, m_train) inputs; Y_train: one-hot (n_y, m_train) (``convert_to_one_hot``).
        X_test, Y_test: the test set, for the printed test accuracy.
        learning_rate: Adam's learning rate. num_epochs: passes over the training set.
        minibatch_size: examples per mini-batch. print_cost: print the cost every 100 epochs.

    Prints ``Cost after epoch i: %f`` every 100 epochs (the sum of the epoch's mini-batch costs
    divided by ``minibatch_size``, as the v3b notebook computes it), ``Parameters have been
    trained!``, ``Train Accuracy: ...`` and ``Test Accuracy: ...`` (always, as the notebook).

    Returns:
        the trained parameters, a dict of float32 NumPy arrays (what ``sess.run(parameters)`` gives).
    """
    return train(X_train, Y_train, X_test, Y_test, learning_rate, num_epochs, minibatch_size, print_cost,
                 divide_by="minibatch_size", named=True)


# --------------------------------------------------------------------------------------- tf_utils
def load_dataset() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(X_train_orig (1080, 64, 64, 3) uint8, Y_train_orig (1, 1080), X_test_orig (120, 64, 64, 3), Y_test_orig (1, 120), classes).

    The test set is the course's ``test_signs.h5``; the training photos are the CS230 JPEGs of the
    same photos (descentlab does not ship the course's ``train_signs.h5``: numbers computed on the
    training set are near, not equal to, the notebook's). Pass your own files to
    :func:`descentlab.datasets.load_signs` to use the course's.
    """
    from ..datasets import load_signs

    d = load_signs()
    shape = (-1, *d.image_shape)
    return (d.X_train.reshape(shape), d.y_train.reshape((1, -1)), d.X_test.reshape(shape), d.y_test.reshape((1, -1)),
            np.arange(len(d.class_names)))


def _mini_batches(X: Any, Y: Any, mini_batch_size: int, seed: int) -> list[tuple[Any, Any]]:
    m = X.shape[1]
    permutation = np.random.RandomState(seed).permutation(m)  # np.random.seed(seed); np.random.permutation(m)
    shuffled_X = X[:, permutation]
    shuffled_Y = Y[:, permutation].reshape((Y.shape[0], m))
    batches = []
    num_complete_minibatches = math.floor(m / mini_batch_size)
    for k in range(0, num_complete_minibatches):
        batches.append((shuffled_X[:, k * mini_batch_size:k * mini_batch_size + mini_batch_size],
                        shuffled_Y[:, k * mini_batch_size:k * mini_batch_size + mini_batch_size]))
    if m % mini_batch_size != 0:
        batches.append((shuffled_X[:, num_complete_minibatches * mini_batch_size:m],
                        shuffled_Y[:, num_complete_minibatches * mini_batch_size:m]))
    return batches


def random_mini_batches(X: Any, Y: Any, mini_batch_size: int = 64, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """The course's mini-batches of ``tf_utils``: ``np.random.seed(seed)``, a permutation of the m columns, batches.

    Y (C, m) keeps its C rows (``opt_utils``' version reshapes Y to one row).
    """
    Xc = cc.array("X", X, "a 2-D array of shape (n_x, m), one example per column")
    if Xc.ndim != 2 or Xc.shape[1] == 0:
        raise check.fail("X", Xc, "a 2-D array of shape (n_x, m), one example per column")
    Yc = cc.array("Y", Y, f"an array of shape (n_y, {Xc.shape[1]})")
    if Yc.ndim != 2 or Yc.shape[1] != Xc.shape[1]:
        raise check.fail("Y", Yc, f"an array of shape (n_y, {Xc.shape[1]}), one column per column of X")
    size = cc.count("mini_batch_size", mini_batch_size, low=1)
    seed = check.integer("seed", seed, low=0, high=2**32 - 1)
    return _mini_batches(Xc, Yc, size, seed)


def convert_to_one_hot(Y: Any, C: int) -> np.ndarray:
    """``np.eye(C)[Y.reshape(-1)].T``: labels (1, m) to a float64 one-hot matrix (C, m)."""
    C = check.integer("C", C, low=2)
    y = _class_labels("Y", Y, C)
    return np.eye(C)[y.reshape(-1)].T


def forward_propagation_for_predict(X: Any, parameters: Any) -> Any:
    """The forward pass of ``tf_utils`` (the same as ``forward_propagation``): Z3, in the current default graph."""
    return forward_propagation(X, parameters)


def predict(X: Any, parameters: Any) -> np.ndarray:
    """The class of ONE image X (n_x, 1): ``tf.argmax`` of Z3, run in a session; a (1,) int64 array.

    ``parameters`` are NumPy arrays (as ``model`` returns them); the course's placeholder is
    ``[12288, 1]``, i.e. one flattened 64 x 64 x 3 image scaled to [0, 1].
    """
    p = _parameters(parameters)
    n_x = np.shape(p["W1"])[1]
    x_arr = cc.array("X", X, f"one image of shape ({n_x}, 1)")
    if x_arr.shape != (n_x, 1):
        raise check.fail("X", x_arr, f"one image of shape ({n_x}, 1) (a column)")

    def build() -> tuple[Any, dict]:
        params = {k: tf.convert_to_tensor(v) for k, v in p.items()}
        x = v1.placeholder("float", [n_x, 1])
        z3 = _forward(x, params)
        return tf.argmax(z3), {x: X}
    return _run(build)
