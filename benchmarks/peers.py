"""Peer implementations of the two workloads: scikit-learn, PyTorch (eager) and TensorFlow (tf.function).

Each function does the same work as the course-style reference (``course_reference.py``) with the
data and hyper-parameters of ``workloads.py``, and returns the same result dict
(``workloads.epoch_result``): ``seconds`` (model construction + training), ``seconds_per_epoch``
(after the warm-up epochs), ``accuracy`` (train accuracy), ``final_cost`` (mean cost of the last
epoch). Imports of the peer libraries happen before the clock starts.

What "the same work" means for each peer:

* scikit-learn ``MLPClassifier(solver="adam")``: same layers, activation, lr, betas, eps, batch size
  and epochs, ``alpha=0``, ``tol=0``, ``n_iter_no_change=inf``, ``early_stopping=False``,
  ``shuffle=True``. It cannot use the course's shuffling seeds or He initialization (it uses its own
  RandomState and Glorot-uniform initialization), its Adam folds the bias corrections into the step
  size (``lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t)``, so eps is not bias-corrected), and it
  computes the loss every step, as the course does. SIGNS seconds per epoch = one ``fit`` of
  ``num_epochs`` epochs divided by ``num_epochs`` (it includes sklearn's one-off input validation
  and initialization), after an untimed ``fit`` of ``warmup_epochs`` epochs on a separate estimator.
* PyTorch eager: ``nn.Sequential`` of ``nn.Linear``/``nn.ReLU`` initialized with the course's He
  weights, ``torch.optim.Adam`` (its update is the course form ``lr * v_hat / (sqrt(s_hat) + eps)``),
  ``BCEWithLogitsLoss`` / ``CrossEntropyLoss`` on logits, the course's per-epoch permutations
  (seeds 11, 12, ...) gathered batch by batch, ``loss.item()`` accumulated every step.
  Default threads (one per core) unless ``threads`` is given: on a loaded machine (more runnable
  processes than cores) torch's default 2 threads made the tiny moons steps up to 30x slower
  (measured: 282 ms vs 9 ms per epoch), hence the extra ``torch-1t`` row. Skipped cleanly by the
  runner when torch is not importable.
* TensorFlow: variables initialized with the course's He weights, one ``tf.function`` train step
  (forward, loss, ``GradientTape`` gradients and the course-form Adam update written with
  ``assign``; the summed cost accumulated in a variable every step), traced once thanks to an
  ``input_signature`` with a free batch dimension. Each epoch's mini-batches (same permutations)
  are converted to tensors before that epoch's steps; no ``tf.data``. The first epoch includes
  tracing.

The moons runs are float64 everywhere (as the course); SIGNS runs take ``dtype``.
"""

from __future__ import annotations

import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from workloads import (MOONS, SIGNS, batch_bounds, clock, course_permutation, epoch_result,  # noqa: E402
                       he_init, moons_data, signs_data)


# ============================================================================ scikit-learn
def _sklearn_estimator(cfg: dict, max_iter: int, random_state: int = 3):
    from sklearn.neural_network import MLPClassifier

    return MLPClassifier(hidden_layer_sizes=tuple(cfg["layers_dims"][1:-1]), activation="relu", solver="adam",
                         alpha=0.0, batch_size=cfg["mini_batch_size"], learning_rate="constant",
                         learning_rate_init=cfg["learning_rate"], max_iter=max_iter, shuffle=True,
                         random_state=random_state, tol=0.0, n_iter_no_change=np.inf, early_stopping=False,
                         beta_1=cfg["beta1"], beta_2=cfg["beta2"], epsilon=cfg["epsilon"], verbose=False)


def _sklearn_fit(est, X, y):
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)   # max_iter reached is the point here
        est.fit(X, y)
    return est


def sklearn_moons(num_epochs: int = MOONS["num_epochs"]) -> dict:
    import sklearn.neural_network  # noqa: F401  (import before the clock)

    X, y = moons_data()
    start = clock()
    est = _sklearn_fit(_sklearn_estimator(MOONS, num_epochs), X, y)
    end = clock()
    return {**epoch_result(start=start, epoch_ends=[end], warmup_epochs=0, accuracy=est.score(X, y),
                           cost=est.loss_, dtype=str(est.coefs_[0].dtype)),
            "epochs": est.n_iter_, "timed_epochs": est.n_iter_, "seconds_per_epoch": (end - start) / est.n_iter_,
            "first_epoch_seconds": None}


def sklearn_signs(dtype: str = "float64", num_epochs: int = SIGNS["num_epochs"],
                  warmup_epochs: int = SIGNS["warmup_epochs"], m: int = SIGNS["m"]) -> dict:
    import sklearn.neural_network  # noqa: F401

    X, y = signs_data(np.dtype(dtype).type, m=m)
    if warmup_epochs:
        _sklearn_fit(_sklearn_estimator(SIGNS, warmup_epochs), X, y)
    start = clock()
    est = _sklearn_fit(_sklearn_estimator(SIGNS, num_epochs), X, y)
    end = clock()
    return {**epoch_result(start=start, epoch_ends=[end], warmup_epochs=0, accuracy=est.score(X, y),
                           cost=est.loss_, dtype=str(est.coefs_[0].dtype)),
            "epochs": est.n_iter_, "timed_epochs": est.n_iter_,
            "seconds_per_epoch": (end - start) / est.n_iter_, "first_epoch_seconds": None,
            "note": "per epoch = one fit of num_epochs / num_epochs, after an untimed warm-up fit"}


# ============================================================================ PyTorch (eager)
def _torch_train(X, y, cfg: dict, num_epochs: int, warmup_epochs: int, torch_dtype, binary: bool,
                 threads: int | None = None) -> dict:
    import torch

    if threads:
        torch.set_num_threads(threads)

    dims = cfg["layers_dims"]
    m = X.shape[0]
    bounds = batch_bounds(m, cfg["mini_batch_size"])
    Xt = torch.from_numpy(X)
    yt = torch.from_numpy(y.astype(X.dtype).reshape(-1, 1)) if binary else torch.from_numpy(y)
    epoch_ends: list[float] = []

    start = clock()
    layers: list = []
    for l, (W, b) in enumerate(he_init(dims, cfg["init_seed"]), start=1):
        lin = torch.nn.Linear(dims[l - 1], dims[l], dtype=torch_dtype)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(W))
            lin.bias.copy_(torch.from_numpy(b))
        layers.append(lin)
        if l < len(dims) - 1:
            layers.append(torch.nn.ReLU())
    net = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(net.parameters(), lr=cfg["learning_rate"], betas=(cfg["beta1"], cfg["beta2"]),
                           eps=cfg["epsilon"])
    loss_fn = torch.nn.BCEWithLogitsLoss() if binary else torch.nn.CrossEntropyLoss()
    seed = cfg["first_seed"]
    cost_avg = float("nan")
    for _ in range(warmup_epochs + num_epochs):
        seed += 1
        perm = torch.from_numpy(course_permutation(m, seed))
        cost_total = 0.0
        for a, b in bounds:
            idx = perm[a:b]
            opt.zero_grad()
            loss = loss_fn(net(Xt[idx]), yt[idx])
            loss.backward()
            opt.step()
            cost_total += loss.item() * (b - a)
        cost_avg = cost_total / m
        epoch_ends.append(clock())

    with torch.no_grad():
        logits = net(Xt)
        pred = (logits[:, 0] > 0).numpy().astype(int) if binary else logits.argmax(dim=1).numpy()
    return epoch_result(start=start, epoch_ends=epoch_ends, warmup_epochs=warmup_epochs,
                        accuracy=np.mean(pred == y), cost=cost_avg, dtype=str(torch_dtype).replace("torch.", ""),
                        threads=torch.get_num_threads())


def torch_moons(num_epochs: int = MOONS["num_epochs"], threads: int | None = None) -> dict:
    """``threads``: ``torch.set_num_threads`` (None: torch's default, one per core)."""
    import torch

    X, y = moons_data()
    return _torch_train(X, y, MOONS, num_epochs, 0, torch.float64, binary=True, threads=threads)


def torch_signs(dtype: str = "float64", num_epochs: int = SIGNS["num_epochs"],
                warmup_epochs: int = SIGNS["warmup_epochs"], m: int = SIGNS["m"], threads: int | None = None) -> dict:
    import torch

    X, y = signs_data(np.dtype(dtype).type, m=m)
    return _torch_train(X, y, SIGNS, num_epochs, warmup_epochs, getattr(torch, dtype), binary=False,
                        threads=threads)


# ============================================================================ TensorFlow (tf.function)
def _tf_train(X, y, cfg: dict, num_epochs: int, warmup_epochs: int, binary: bool) -> dict:
    import tensorflow as tf

    dims = cfg["layers_dims"]
    m = X.shape[0]
    np_dtype = X.dtype
    dtype = tf.as_dtype(np_dtype)
    bounds = batch_bounds(m, cfg["mini_batch_size"])
    y_np = y.astype(np_dtype).reshape(-1, 1) if binary else y.astype(np.int64)
    lr, b1, b2, eps = (cfg[k] for k in ("learning_rate", "beta1", "beta2", "epsilon"))
    epoch_ends: list[float] = []

    start = clock()
    Ws, bs = [], []
    for W, b in he_init(dims, cfg["init_seed"]):
        Ws.append(tf.Variable(W.astype(np_dtype)))
        bs.append(tf.Variable(b.astype(np_dtype)))
    params = [v for pair in zip(Ws, bs) for v in pair]
    v_m = [tf.Variable(tf.zeros_like(p)) for p in params]
    v_s = [tf.Variable(tf.zeros_like(p)) for p in params]
    t = tf.Variable(0.0, dtype=dtype)
    cost_sum = tf.Variable(0.0, dtype=dtype)

    def logits_of(xb):
        a = xb
        for W, b in zip(Ws[:-1], bs[:-1]):
            a = tf.nn.relu(tf.matmul(a, W, transpose_b=True) + b)
        return tf.matmul(a, Ws[-1], transpose_b=True) + bs[-1]

    y_spec = tf.TensorSpec([None, 1], dtype) if binary else tf.TensorSpec([None], tf.int64)

    @tf.function(input_signature=[tf.TensorSpec([None, dims[0]], dtype), y_spec])
    def train_step(xb, yb):
        with tf.GradientTape() as tape:
            logits = logits_of(xb)
            if binary:
                losses = tf.nn.sigmoid_cross_entropy_with_logits(labels=yb, logits=logits)
            else:
                losses = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=yb, logits=logits)
            loss = tf.reduce_mean(losses)
        grads = tape.gradient(loss, params)
        cost_sum.assign_add(tf.reduce_sum(losses))
        t.assign_add(1.0)
        bc1 = 1.0 - tf.pow(tf.constant(b1, dtype), t)
        bc2 = 1.0 - tf.pow(tf.constant(b2, dtype), t)
        for p, g, mm, ss in zip(params, grads, v_m, v_s):
            mm.assign(b1 * mm + (1.0 - b1) * g)
            ss.assign(b2 * ss + (1.0 - b2) * tf.square(g))
            p.assign_sub(lr * (mm / bc1) / (tf.sqrt(ss / bc2) + eps))
        return loss

    seed = cfg["first_seed"]
    cost_avg = float("nan")
    for _ in range(warmup_epochs + num_epochs):
        seed += 1
        perm = course_permutation(m, seed)
        batches = [(tf.constant(X[perm[a:b]]), tf.constant(y_np[perm[a:b]])) for a, b in bounds]
        cost_sum.assign(0.0)
        for xb, yb in batches:
            train_step(xb, yb)
        cost_avg = float(cost_sum.numpy()) / m
        epoch_ends.append(clock())

    logits = logits_of(tf.constant(X)).numpy()
    pred = (logits[:, 0] > 0).astype(int) if binary else logits.argmax(axis=1)
    return epoch_result(start=start, epoch_ends=epoch_ends, warmup_epochs=warmup_epochs,
                        accuracy=np.mean(pred == y), cost=cost_avg, dtype=str(np_dtype))


def tf_moons(num_epochs: int = MOONS["num_epochs"]) -> dict:
    import tensorflow  # noqa: F401

    X, y = moons_data()
    return _tf_train(X, y, MOONS, num_epochs, 0, binary=True)


def tf_signs(dtype: str = "float64", num_epochs: int = SIGNS["num_epochs"],
             warmup_epochs: int = SIGNS["warmup_epochs"], m: int = SIGNS["m"]) -> dict:
    import tensorflow  # noqa: F401

    X, y = signs_data(np.dtype(dtype).type, m=m)
    return _tf_train(X, y, SIGNS, num_epochs, warmup_epochs, binary=False)


if __name__ == "__main__":
    import argparse
    import json

    funcs = {"sklearn_moons": sklearn_moons, "sklearn_signs": sklearn_signs, "torch_moons": torch_moons,
             "torch_signs": torch_signs, "tf_moons": tf_moons, "tf_signs": tf_signs}
    ap = argparse.ArgumentParser(description="Run one peer benchmark in this process and print its result.")
    ap.add_argument("name", choices=sorted(funcs))
    ap.add_argument("--epochs", type=int, default=None)
    ap.add_argument("--dtype", choices=("float64", "float32"), default=None, help="signs only")
    a = ap.parse_args()
    kw = {} if a.epochs is None else {"num_epochs": a.epochs}
    if a.dtype:
        kw["dtype"] = a.dtype
    print(json.dumps(funcs[a.name](**kw), indent=1))
