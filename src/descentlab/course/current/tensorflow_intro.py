"""The course's TensorFlow notebook (Course 2, week 3), current edition, TensorFlow 2:
``W3A1/Tensorflow_introduction.ipynb`` (2021+) with its ``public_tests.py``.

The learner's TensorFlow 2 code, eager, with the course's names and layout (one example per column;
the model transposes each mini-batch of ``tf.data`` rows):

- ``linear_function()``: ``np.random.seed(1)``, X (3, 1), W (4, 3), b (4, 1) (a private RandomState:
  the same draws), returns ``tf.add(tf.matmul(W, X), b)``, an ``EagerTensor`` (float64).
- ``sigmoid(z)``: ``tf.keras.activations.sigmoid(tf.cast(z, tf.float32))``, an ``EagerTensor``.
- ``one_hot_matrix(label, depth=6)``: ONE label to a vector of shape (depth,),
  ``tf.reshape(tf.one_hot(label, depth, axis=0), (depth,))`` (usable in ``Dataset.map``).
- ``initialize_parameters()``: six ``tf.Variable``: W1 (25, 12288), b1 (25, 1), W2 (12, 25),
  b2 (12, 1), W3 (6, 12), b3 (6, 1), ALL drawn from one ``tf.keras.initializers.GlorotNormal(seed=1)``
  (the biases too, as this edition does; the TensorFlow 1 edition starts them at zero).
- ``forward_propagation(X, parameters)``: LINEAR -> RELU -> LINEAR -> RELU -> LINEAR, Z3 (no softmax).
- ``compute_total_loss(logits, labels)``: the SUM over the examples of
  ``tf.keras.losses.categorical_crossentropy(tf.transpose(labels), tf.transpose(logits), from_logits=True)``
  (the 2022 revision); ``compute_cost`` is the 2021 revision's MEAN.
- ``model(X_train, Y_train, X_test, Y_test, learning_rate=0.0001, num_epochs=1500, minibatch_size=32,
  print_cost=True)`` takes ``tf.data.Dataset``s (flattened images and one-hot labels), zips and
  batches them without shuffling, trains with ``tf.keras.optimizers.Adam(learning_rate)``, divides
  the epoch's total loss by m and, every 10 epochs, prints ``Cost after epoch i: %f``,
  ``Train accuracy: <tensor>`` and ``Test_accuracy: <tensor>``; returns ``(parameters, costs,
  train_acc, test_acc)``. (Keras 3 renamed the metrics' ``reset_states`` to ``reset_state``; the
  2021 revision divided mean mini-batch costs by m, about 1/32 of this edition's printed cost.)
- ``normalize(image)`` and ``load_dataset()``: the notebook's preprocessing and its four
  ``tf.data.Dataset``s (x_train, y_train, x_test, y_test) of the SIGNS photos: descentlab vendors the
  course's ``test_signs.h5`` and, for training, the CS230 JPEGs of the same photos (not pixel-identical
  to ``train_signs.h5``).

With Keras 3 (TensorFlow >= 2.16) a seeded initializer draws a different stream than the course's
TensorFlow 2.3-2.9 did, and ``train_signs.h5`` is not vendored: ``forward_propagation_test``'s and
``model``'s printed numbers are not reproducible here (the notebook itself says "Numbers you get can be
different"). Importing this module imports TensorFlow; the TensorFlow 1 editions work in the same process.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ... import _checks as check
from ...engines.tensorflow_engine import import_tensorflow

tf = import_tensorflow()

__all__ = [
    "linear_function", "sigmoid", "one_hot_matrix", "initialize_parameters", "forward_propagation",
    "compute_total_loss", "compute_cost", "model", "normalize", "load_dataset",
]

_NAMES = ("W1", "b1", "W2", "b2", "W3", "b3")
_SHAPES = {"W1": (25, 12288), "b1": (25, 1), "W2": (12, 25), "b2": (12, 1), "W3": (6, 12), "b3": (6, 1)}


def linear_function() -> Any:
    """Y = W X + b with the course's X (3, 1), W (4, 3), b (4, 1) (``np.random.seed(1)``, drawn in that order).

    Returns the (4, 1) float64 ``EagerTensor`` [[-2.15657382], [2.95891446], [-1.08926781], [-0.84538042]].
    """
    rng = np.random.RandomState(1)
    X = tf.constant(rng.randn(3, 1), name="X")
    W = tf.constant(rng.randn(4, 3), name="W")
    b = tf.constant(rng.randn(4, 1), name="b")
    return tf.add(tf.matmul(W, X), b)


def sigmoid(z: Any) -> Any:
    """``tf.keras.activations.sigmoid(tf.cast(z, tf.float32))``: a float32 ``EagerTensor``."""
    if isinstance(z, (str, bytes)) or z is None:
        raise check.fail_type("z", z, "a real number, an array or a tensor")
    z = tf.cast(z, tf.float32)
    return tf.keras.activations.sigmoid(z)


def one_hot_matrix(label: Any, depth: int = 6) -> Any:
    """The one-hot vector of ONE label: ``tf.reshape(tf.one_hot(label, depth, axis=0), (depth,))``, shape (depth,).

    ``label`` is an integer, a tensor or a one-element list (``[2]``); ``new_y_train =
    y_train.map(one_hot_matrix)`` maps a data set of labels (depth 6, the six signs).
    """
    depth = check.integer("depth", depth, low=1)
    if isinstance(label, (str, bytes, float)) or label is None:
        raise check.fail_type("label", label, f"one integer class label in [0, {depth - 1}]")
    if not tf.is_tensor(label) or hasattr(label, "numpy"):
        value = np.asarray(label.numpy() if hasattr(label, "numpy") else label)
        if value.size != 1 or value.dtype.kind not in "iu" or not 0 <= int(value.reshape(-1)[0]) < depth:
            raise check.fail("label", label, f"one integer class label in [0, {depth - 1}]")
    return tf.reshape(tf.one_hot(label, depth, axis=0), (depth,))


def initialize_parameters() -> dict[str, Any]:
    """W1, b1, W2, b2, W3, b3 as ``tf.Variable``, each drawn by one ``tf.keras.initializers.GlorotNormal(seed=1)``."""
    initializer = tf.keras.initializers.GlorotNormal(seed=1)
    return {name: tf.Variable(initializer(shape=_SHAPES[name])) for name in _NAMES}


def _parameters(parameters: Any) -> dict[str, Any]:
    expected = "a dict with W1, b1, W2, b2, W3, b3 (tf.Variable, tensors or arrays)"
    if not isinstance(parameters, Mapping):
        raise check.fail_type("parameters", parameters, expected)
    missing = [k for k in _NAMES if k not in parameters]
    if missing:
        raise check.fail("parameters", f"a dict without {', '.join(missing)}", expected)
    return parameters


def forward_propagation(X: Any, parameters: Any) -> Any:
    """LINEAR -> RELU -> LINEAR -> RELU -> LINEAR on X (n_x, m): Z3 (n_y, m), the logits (no softmax).

    ``tf.math.add(tf.linalg.matmul(W1, X), b1)``, ``tf.keras.activations.relu``, ... as the notebook;
    differentiable under a ``tf.GradientTape`` with respect to the variables.
    """
    p = _parameters(parameters)
    Z1 = tf.math.add(tf.linalg.matmul(p["W1"], X), p["b1"])
    A1 = tf.keras.activations.relu(Z1)
    Z2 = tf.math.add(tf.linalg.matmul(p["W2"], A1), p["b2"])
    A2 = tf.keras.activations.relu(Z2)
    return tf.math.add(tf.linalg.matmul(p["W3"], A2), p["b3"])


def _shape(value: Any) -> tuple:
    shape = getattr(value, "shape", None)
    return tuple(shape) if shape is not None else tuple(np.shape(value))


def _cross_entropies(logits: Any, labels: Any) -> Any:
    shape_l, shape_y = _shape(logits), _shape(labels)
    if len(shape_l) != 2 or shape_l != shape_y:
        raise check.fail("labels", f"shape {shape_y}", f"one-hot labels of the logits' shape {shape_l} (classes, examples)")
    return tf.keras.losses.categorical_crossentropy(tf.transpose(labels), tf.transpose(logits), from_logits=True)


def compute_total_loss(logits: Any, labels: Any) -> Any:
    """The SUM over the examples (columns) of the softmax cross-entropy: ``tf.reduce_sum(categorical_crossentropy(...))``."""
    return tf.reduce_sum(_cross_entropies(logits, labels))


def compute_cost(logits: Any, labels: Any) -> Any:
    """The 2021 revision's MEAN over the examples of the softmax cross-entropy (``tf.reduce_mean``)."""
    return tf.reduce_mean(_cross_entropies(logits, labels))


def _dataset(name: str, value: Any) -> Any:
    if not isinstance(value, tf.data.Dataset):
        raise check.fail_type(name, value, "a tf.data.Dataset (e.g. x_train.map(normalize))")
    return value


def model(X_train: Any, Y_train: Any, X_test: Any, Y_test: Any, learning_rate: float = 0.0001, num_epochs: int = 1500,
          minibatch_size: int = 32, print_cost: bool = True) -> tuple[dict[str, Any], list, list, list]:
    """The notebook's model: three layers, Adam, mini-batches in the data sets' order.

    Args:
        X_train, Y_train: ``tf.data.Dataset`` of flattened images (12288,) and one-hot labels (6,).
        X_test, Y_test: the test set, evaluated every 10 epochs.
        learning_rate: Adam's learning rate. num_epochs: passes over the data.
        minibatch_size: examples per mini-batch. print_cost: print every 10 epochs.

    Returns:
        ``(parameters, costs, train_acc, test_acc)``: the six variables, and every 10 epochs the
        epoch's cost (total loss / m) and the train and test accuracies (``EagerTensor``).
    """
    for name, value in (("X_train", X_train), ("Y_train", Y_train), ("X_test", X_test), ("Y_test", Y_test)):
        _dataset(name, value)
    check.real("learning_rate", learning_rate, low=0.0, low_open=True)
    num_epochs = check.integer("num_epochs", num_epochs, low=0)
    minibatch_size = check.integer("minibatch_size", minibatch_size, low=1)
    if not isinstance(print_cost, (bool, np.bool_)):
        raise check.fail_type("print_cost", print_cost, "True or False")
    costs, train_acc, test_acc = [], [], []
    parameters = initialize_parameters()
    W1, b1, W2, b2, W3, b3 = (parameters[k] for k in _NAMES)
    optimizer = tf.keras.optimizers.Adam(learning_rate)
    test_accuracy = tf.keras.metrics.CategoricalAccuracy()
    train_accuracy = tf.keras.metrics.CategoricalAccuracy()
    dataset = tf.data.Dataset.zip((X_train, Y_train))
    test_dataset = tf.data.Dataset.zip((X_test, Y_test))
    m = dataset.cardinality().numpy()
    minibatches = dataset.batch(minibatch_size).prefetch(8)
    test_minibatches = test_dataset.batch(minibatch_size).prefetch(8)
    for epoch in range(num_epochs):
        epoch_total_loss = 0.
        train_accuracy.reset_state()
        for (minibatch_X, minibatch_Y) in minibatches:
            with tf.GradientTape() as tape:
                Z3 = forward_propagation(tf.transpose(minibatch_X), parameters)
                minibatch_total_loss = compute_total_loss(Z3, tf.transpose(minibatch_Y))
            train_accuracy.update_state(minibatch_Y, tf.transpose(Z3))
            trainable_variables = [W1, b1, W2, b2, W3, b3]
            grads = tape.gradient(minibatch_total_loss, trainable_variables)
            optimizer.apply_gradients(zip(grads, trainable_variables))
            epoch_total_loss += minibatch_total_loss
        epoch_total_loss /= m
        if print_cost and epoch % 10 == 0:
            print("Cost after epoch %i: %f" % (epoch, epoch_total_loss))
            print("Train accuracy:", train_accuracy.result())
            for (minibatch_X, minibatch_Y) in test_minibatches:
                Z3 = forward_propagation(tf.transpose(minibatch_X), parameters)
                test_accuracy.update_state(minibatch_Y, tf.transpose(Z3))
            print("Test_accuracy:", test_accuracy.result())
            costs.append(epoch_total_loss)
            train_acc.append(train_accuracy.result())
            test_acc.append(test_accuracy.result())
            test_accuracy.reset_state()
    return parameters, costs, train_acc, test_acc


def normalize(image: Any) -> Any:
    """The notebook's preprocessing of one image: ``tf.cast(image, tf.float32) / 255.0`` reshaped to ``[-1,]``."""
    image = tf.cast(image, tf.float32) / 255.0
    image = tf.reshape(image, [-1, ])
    return image


def load_dataset() -> tuple[Any, Any, Any, Any]:
    """x_train, y_train, x_test, y_test: ``tf.data.Dataset.from_tensor_slices`` of the SIGNS images (64, 64, 3) and labels.

    As the notebook builds them from ``train_signs.h5`` / ``test_signs.h5``: the test set is the
    course's file, the training photos the CS230 JPEGs of the same photos (not pixel-identical).
    """
    from ...datasets import load_signs

    d = load_signs()
    shape = (-1, *d.image_shape)
    return (tf.data.Dataset.from_tensor_slices(d.X_train.reshape(shape)), tf.data.Dataset.from_tensor_slices(d.y_train),
            tf.data.Dataset.from_tensor_slices(d.X_test.reshape(shape)), tf.data.Dataset.from_tensor_slices(d.y_test))
