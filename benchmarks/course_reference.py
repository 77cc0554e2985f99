"""The course-style reference implementation: the baseline the speed goal is measured against.

This is written the way the course's "Optimization methods" assignment (Improving Deep Neural
Networks, week 2, ``opt_utils.py`` + the notebook) writes it: parameters, gradients and Adam
moments in per-layer dicts keyed ``"W1"``, ``"dW1"``..., the (n_x, m) layout, the three-layer
forward/backward unrolled with a tuple cache, Adam with a ``for l in range(1, L + 1)`` loop and
``np.power`` bias corrections, mini-batches built with the global ``np.random.seed(seed)`` and
``list(np.random.permutation(m))``, the cost summed every step. It is not slowed down on purpose
and not optimized beyond the course (no preallocation, no in-place updates, no flat buffers).

Departures from the course, all needed to run the second workload or float32, none affecting
float64 moons:

* the output activation is ``"sigmoid"`` (course) or ``"softmax"`` (SIGNS-shaped workload; the
  course trains SIGNS in TensorFlow, so the softmax/cross-entropy here follows the course's
  NumPy conventions: ``dZ3 = (A3 - Y) / m``, cost ``-sum(Y * log(A3))``);
* ``dtype``: for float32 the hyper-parameters are passed as ``np.float32`` scalars, Y is cast, the
  Adam moments use ``np.zeros_like`` and the ReLU mask is float32, so nothing silently promotes to
  float64 (the course's ``np.int64(a > 0)`` mask would);
* ``model`` accepts ``epoch_log`` (a list it appends ``(time.perf_counter(), cost_avg)`` to after
  every epoch) so seconds per epoch and the last epoch's cost can be read without changing the work.

Run it: ``python benchmarks/course_reference.py`` (moons, 10000 epochs: prints the cost every 1000
epochs, the train accuracy, about 0.94, and the elapsed time), or
``python benchmarks/course_reference.py --workload signs --dtype float32 --epochs 5``.
"""

from __future__ import annotations

import argparse
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from workloads import MOONS, SIGNS, clock, epoch_result, moons_data, signs_data  # noqa: E402


# ----------------------------------------------------------------------------- activations
def sigmoid(x):
    s = 1 / (1 + np.exp(-x))
    return s


def relu(x):
    s = np.maximum(0, x)
    return s


def softmax(x):
    x_exp = np.exp(x - np.max(x, axis=0, keepdims=True))
    s = x_exp / np.sum(x_exp, axis=0, keepdims=True)
    return s


# ----------------------------------------------------------------------------- parameters
def initialize_parameters_he(layers_dims):
    """He initialization, the course's way: the global seed 3, W randn * sqrt(2 / n_{l-1}), b zeros.

    Returns parameters: dict "W1", "b1", ..., "WL", "bL" with W (n_l, n_{l-1}) and b (n_l, 1).
    """
    np.random.seed(3)
    parameters = {}
    L = len(layers_dims) - 1  # number of layers

    for l in range(1, L + 1):
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(2. / layers_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))

    return parameters


def initialize_adam(parameters):
    """v and s: dicts "dW1", "db1", ... of zeros shaped like the parameters."""
    L = len(parameters) // 2
    v = {}
    s = {}

    for l in range(1, L + 1):
        v["dW" + str(l)] = np.zeros_like(parameters["W" + str(l)])
        v["db" + str(l)] = np.zeros_like(parameters["b" + str(l)])
        s["dW" + str(l)] = np.zeros_like(parameters["W" + str(l)])
        s["db" + str(l)] = np.zeros_like(parameters["b" + str(l)])

    return v, s


# ----------------------------------------------------------------------------- propagation
def forward_propagation(X, parameters, output="sigmoid"):
    """LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID (or SOFTMAX).

    Returns a3 (the output, (n_3, m)) and the cache used by backward_propagation.
    """
    W1 = parameters["W1"]
    b1 = parameters["b1"]
    W2 = parameters["W2"]
    b2 = parameters["b2"]
    W3 = parameters["W3"]
    b3 = parameters["b3"]

    z1 = np.dot(W1, X) + b1
    a1 = relu(z1)
    z2 = np.dot(W2, a1) + b2
    a2 = relu(z2)
    z3 = np.dot(W3, a2) + b3
    if output == "sigmoid":
        a3 = sigmoid(z3)
    else:
        a3 = softmax(z3)

    cache = (z1, a1, W1, b1, z2, a2, W2, b2, z3, a3, W3, b3)

    return a3, cache


def compute_cost(a3, Y, output="sigmoid"):
    """The summed (not yet averaged) cross-entropy of a mini-batch; the model divides by m."""
    if output == "sigmoid":
        logprobs = np.multiply(-np.log(a3), Y) + np.multiply(-np.log(1 - a3), 1 - Y)
        cost_total = np.sum(logprobs)
    else:
        cost_total = -np.sum(np.multiply(Y, np.log(a3)))

    return cost_total


def backward_propagation(X, Y, cache):
    """Gradients of the mean cross-entropy: dict "dz3", "dW3", "db3", "da2", ..., "db1"."""
    m = X.shape[1]
    (z1, a1, W1, b1, z2, a2, W2, b2, z3, a3, W3, b3) = cache
    # The course's ReLU mask is np.int64(a > 0); in float32 an int64 mask would promote to float64.
    mask = np.int64 if a1.dtype == np.float64 else a1.dtype.type

    dz3 = 1. / m * (a3 - Y)
    dW3 = np.dot(dz3, a2.T)
    db3 = np.sum(dz3, axis=1, keepdims=True)

    da2 = np.dot(W3.T, dz3)
    dz2 = np.multiply(da2, mask(a2 > 0))
    dW2 = np.dot(dz2, a1.T)
    db2 = np.sum(dz2, axis=1, keepdims=True)

    da1 = np.dot(W2.T, dz2)
    dz1 = np.multiply(da1, mask(a1 > 0))
    dW1 = np.dot(dz1, X.T)
    db1 = np.sum(dz1, axis=1, keepdims=True)

    gradients = {"dz3": dz3, "dW3": dW3, "db3": db3,
                 "da2": da2, "dz2": dz2, "dW2": dW2, "db2": db2,
                 "da1": da1, "dz1": dz1, "dW1": dW1, "db1": db1}

    return gradients


def update_parameters_with_adam(parameters, grads, v, s, t, learning_rate=0.01,
                                beta1=0.9, beta2=0.999, epsilon=1e-8):
    """One Adam step, layer by layer: theta -= lr * v_hat / (sqrt(s_hat) + eps)."""
    L = len(parameters) // 2
    v_corrected = {}
    s_corrected = {}

    for l in range(1, L + 1):
        # Moving average of the gradients.
        v["dW" + str(l)] = beta1 * v["dW" + str(l)] + (1 - beta1) * grads["dW" + str(l)]
        v["db" + str(l)] = beta1 * v["db" + str(l)] + (1 - beta1) * grads["db" + str(l)]

        # Bias-corrected first moment estimate.
        v_corrected["dW" + str(l)] = v["dW" + str(l)] / (1 - np.power(beta1, t))
        v_corrected["db" + str(l)] = v["db" + str(l)] / (1 - np.power(beta1, t))

        # Moving average of the squared gradients.
        s["dW" + str(l)] = beta2 * s["dW" + str(l)] + (1 - beta2) * np.power(grads["dW" + str(l)], 2)
        s["db" + str(l)] = beta2 * s["db" + str(l)] + (1 - beta2) * np.power(grads["db" + str(l)], 2)

        # Bias-corrected second raw moment estimate.
        s_corrected["dW" + str(l)] = s["dW" + str(l)] / (1 - np.power(beta2, t))
        s_corrected["db" + str(l)] = s["db" + str(l)] / (1 - np.power(beta2, t))

        # Update parameters.
        parameters["W" + str(l)] = parameters["W" + str(l)] - learning_rate * v_corrected["dW" + str(l)] / (np.sqrt(s_corrected["dW" + str(l)]) + epsilon)
        parameters["b" + str(l)] = parameters["b" + str(l)] - learning_rate * v_corrected["db" + str(l)] / (np.sqrt(s_corrected["db" + str(l)]) + epsilon)

    return parameters, v, s, v_corrected, s_corrected


def random_mini_batches(X, Y, mini_batch_size=64, seed=0):
    """Shuffle (X, Y) with ``np.random.seed(seed)`` and cut it into mini-batches, the last one smaller."""
    np.random.seed(seed)
    m = X.shape[1]
    mini_batches = []

    # Step 1: Shuffle (X, Y)
    permutation = list(np.random.permutation(m))
    shuffled_X = X[:, permutation]
    shuffled_Y = Y[:, permutation].reshape((Y.shape[0], m))

    # Step 2: Partition (shuffled_X, shuffled_Y), minus the end case.
    num_complete_minibatches = math.floor(m / mini_batch_size)
    for k in range(0, num_complete_minibatches):
        mini_batch_X = shuffled_X[:, k * mini_batch_size:(k + 1) * mini_batch_size]
        mini_batch_Y = shuffled_Y[:, k * mini_batch_size:(k + 1) * mini_batch_size]
        mini_batch = (mini_batch_X, mini_batch_Y)
        mini_batches.append(mini_batch)

    # Handling the end case (last mini-batch < mini_batch_size)
    if m % mini_batch_size != 0:
        mini_batch_X = shuffled_X[:, num_complete_minibatches * mini_batch_size:]
        mini_batch_Y = shuffled_Y[:, num_complete_minibatches * mini_batch_size:]
        mini_batch = (mini_batch_X, mini_batch_Y)
        mini_batches.append(mini_batch)

    return mini_batches


# ----------------------------------------------------------------------------- model
def model(X, Y, layers_dims, optimizer="adam", learning_rate=0.0007, mini_batch_size=64,
          beta1=0.9, beta2=0.999, epsilon=1e-8, num_epochs=10000, print_cost=True,
          output="sigmoid", dtype=np.float64, epoch_log=None):
    """The course's 3-layer model trained with mini-batch Adam.

    X: (n_x, m); Y: (1, m) labels (sigmoid) or (C, m) one-hot (softmax).
    Returns (parameters, costs) with costs the epoch-average cost every 100 epochs.
    """
    if optimizer != "adam":
        raise ValueError("optimizer: expected 'adam', received %r" % (optimizer,))
    if len(layers_dims) != 4:
        raise ValueError("layers_dims: expected 4 sizes (the course's 3-layer model), received %r" % (layers_dims,))
    costs = []
    t = 0            # Adam's step counter
    seed = 10        # the course's shuffling seeds: 11, 12, ...
    m = X.shape[1]

    parameters = initialize_parameters_he(layers_dims)
    if dtype != np.float64:
        parameters = {k: p.astype(dtype) for k, p in parameters.items()}
        learning_rate, beta1, beta2, epsilon = (dtype(h) for h in (learning_rate, beta1, beta2, epsilon))
    v, s = initialize_adam(parameters)

    for i in range(num_epochs):
        # Define the random minibatches. We increment the seed to reshuffle differently the dataset after each epoch
        seed = seed + 1
        minibatches = random_mini_batches(X, Y, mini_batch_size, seed)
        cost_total = 0

        for minibatch in minibatches:
            (minibatch_X, minibatch_Y) = minibatch

            a3, caches = forward_propagation(minibatch_X, parameters, output)
            cost_total += compute_cost(a3, minibatch_Y, output)
            grads = backward_propagation(minibatch_X, minibatch_Y, caches)

            t = t + 1  # Adam counter
            parameters, v, s, _, _ = update_parameters_with_adam(parameters, grads, v, s, t, learning_rate,
                                                                 beta1, beta2, epsilon)
        cost_avg = cost_total / m

        if print_cost and i % 1000 == 0:
            print("Cost after epoch %i: %f" % (i, cost_avg))
        if i % 100 == 0:
            costs.append(cost_avg)
        if epoch_log is not None:
            epoch_log.append((clock(), cost_avg))

    return parameters, costs


def predict(X, parameters, output="sigmoid"):
    """Predicted labels, shape (m,): a3 > 0.5 (sigmoid) or the arg-max class (softmax)."""
    a3, _ = forward_propagation(X, parameters, output)
    if output == "sigmoid":
        return (a3[0, :] > 0.5).astype(int)
    return np.argmax(a3, axis=0)


# ----------------------------------------------------------------------------- benchmark entry points
def run_moons(num_epochs: int = MOONS["num_epochs"], print_cost: bool = False) -> dict:
    """The course's Adam run on the moons; times ``model(...)`` (initialization + training)."""
    X, y = moons_data()
    train_X, train_Y = X.T, y.reshape((1, y.shape[0]))      # the course's load_dataset layout (int labels)
    c = MOONS
    epoch_log: list = []
    start = clock()
    parameters, costs = model(train_X, train_Y, list(c["layers_dims"]), "adam", learning_rate=c["learning_rate"],
                              mini_batch_size=c["mini_batch_size"], beta1=c["beta1"], beta2=c["beta2"],
                              epsilon=c["epsilon"], num_epochs=num_epochs, print_cost=print_cost,
                              epoch_log=epoch_log)
    accuracy = np.mean(predict(train_X, parameters) == y)
    return epoch_result(start=start, epoch_ends=[e[0] for e in epoch_log], warmup_epochs=0, accuracy=accuracy,
                        cost=epoch_log[-1][1], dtype="float64", steps=num_epochs * 5)


def run_signs(dtype: str = "float64", num_epochs: int = SIGNS["num_epochs"],
              warmup_epochs: int = SIGNS["warmup_epochs"], m: int = SIGNS["m"]) -> dict:
    """The naive course-style run on the SIGNS-shaped workload (softmax output), float64 or float32."""
    dt = np.dtype(dtype).type
    X, y = signs_data(dt, m=m)
    c = SIGNS
    n_classes = c["layers_dims"][-1]
    train_X = X.T                                    # (12288, m)
    train_Y = np.eye(n_classes, dtype=dt)[y].T       # the course's convert_to_one_hot: (6, m)
    epoch_log: list = []
    start = clock()
    parameters, costs = model(train_X, train_Y, list(c["layers_dims"]), "adam", learning_rate=c["learning_rate"],
                              mini_batch_size=c["mini_batch_size"], beta1=c["beta1"], beta2=c["beta2"],
                              epsilon=c["epsilon"], num_epochs=warmup_epochs + num_epochs, print_cost=False,
                              output="softmax", dtype=dt, epoch_log=epoch_log)
    accuracy = np.mean(predict(train_X, parameters, "softmax") == y)
    param_dtype = str(parameters["W1"].dtype)
    return epoch_result(start=start, epoch_ends=[e[0] for e in epoch_log], warmup_epochs=warmup_epochs,
                        accuracy=accuracy, cost=epoch_log[-1][1], dtype=param_dtype)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--workload", choices=("moons", "signs"), default="moons")
    p.add_argument("--epochs", type=int, default=None,
                   help="moons: training epochs (default 10000); signs: timed epochs (default 5)")
    p.add_argument("--dtype", choices=("float64", "float32"), default="float64", help="signs only")
    args = p.parse_args(argv)
    if args.workload == "moons":
        res = run_moons(args.epochs or MOONS["num_epochs"], print_cost=True)
        print("Train accuracy: %.4f" % res["accuracy"])
        print("Elapsed: %.3f s for %d epochs (%d Adam steps)" % (res["seconds"], res["epochs"], res["steps"]))
    else:
        res = run_signs(args.dtype, args.epochs or SIGNS["num_epochs"])
        print("Train accuracy: %.4f (random labels: only a sanity check)" % res["accuracy"])
        print("Elapsed: %.4f s/epoch (%s, %d timed epochs after %d warm-up)"
              % (res["seconds_per_epoch"], res["dtype"], res["timed_epochs"], res["epochs"] - res["timed_epochs"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
