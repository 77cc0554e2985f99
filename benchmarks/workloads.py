"""The two benchmark workloads: their data, hyper-parameters and shared helpers.

Every implementation (the course-style reference, the peers, descentlab) takes its data and
settings from here, so they all do the same work:

* ``moons``: the course's optimization workload (Improving Deep Neural Networks, week 2):
  ``make_moons(n_samples=300, noise=.2)`` drawn after ``np.random.seed(3)``, network [2, 5, 2, 1]
  ReLU, ReLU, sigmoid, He initialization, Adam (lr 0.0007, beta1 0.9, beta2 0.999, eps 1e-8),
  mini-batches of 64 reshuffled every epoch with the course's seeds (11, 12, ...), binary
  cross-entropy computed every step, 10000 epochs (5 mini-batches each: 50,000 steps).
  Metric: seconds for the whole training run.
* ``signs``: SIGNS-shaped data (1080 examples of 64*64*3 = 12288 features in [0, 1], labels
  0..5, fixed seed), network [12288, 25, 12, 6] ReLU, ReLU, softmax, Adam lr 1e-4, mini-batches
  of 32. Metric: seconds per epoch, over a few epochs timed after one untimed warm-up epoch.

Data layout here is descentlab's: ``X`` (m, n_x), ``y`` (m,). The course-style reference
transposes to the course's (n_x, m).
"""

from __future__ import annotations

import time

import numpy as np

MOONS = {
    "layers_dims": (2, 5, 2, 1),
    "learning_rate": 0.0007,
    "beta1": 0.9,
    "beta2": 0.999,
    "epsilon": 1e-8,
    "mini_batch_size": 64,
    "num_epochs": 10000,
    "first_seed": 10,          # the course: seed = 10; each epoch seed += 1 before shuffling
    "init_seed": 3,            # the course: np.random.seed(3) in initialize_parameters
}

SIGNS = {
    "layers_dims": (12288, 25, 12, 6),
    "m": 1080,
    "data_seed": 0,
    "learning_rate": 1e-4,
    "beta1": 0.9,
    "beta2": 0.999,
    "epsilon": 1e-8,
    "mini_batch_size": 32,
    "num_epochs": 5,           # timed epochs
    "warmup_epochs": 1,        # untimed epochs run first (imports, tracing, page faults)
    "first_seed": 10,
    "init_seed": 3,
}

clock = time.perf_counter


def moons_data() -> tuple[np.ndarray, np.ndarray]:
    """The course's moons: ``np.random.seed(3); make_moons(n_samples=300, noise=.2)``.

    ``make_moons(random_state=None)`` draws from the global RandomState; a ``RandomState(3)``
    gives the same draws without touching global state. Returns X (300, 2) float64, y (300,) int.
    """
    from sklearn.datasets import make_moons

    X, y = make_moons(n_samples=300, noise=.2, random_state=np.random.RandomState(3))
    return X.astype(np.float64), y.astype(np.int64)


def signs_data(dtype=np.float64, m: int = SIGNS["m"], n_x: int = SIGNS["layers_dims"][0],
               n_classes: int = SIGNS["layers_dims"][-1], seed: int = SIGNS["data_seed"]
               ) -> tuple[np.ndarray, np.ndarray]:
    """SIGNS-shaped data: uint8-like pixel values scaled to [0, 1], balanced-ish labels 0..5."""
    rng = np.random.RandomState(seed)
    X = rng.randint(0, 256, size=(m, n_x)).astype(dtype) / dtype(255.0)
    y = rng.randint(0, n_classes, size=m).astype(np.int64)
    return X.astype(dtype, copy=False), y


def he_init(layers_dims, seed: int = 3) -> list[tuple[np.ndarray, np.ndarray]]:
    """The course's He initialization, as [(W1, b1), ...] with W (n_l, n_{l-1}), b (n_l,).

    Same draws as ``np.random.seed(seed); W = np.random.randn(n_l, n_{l-1}) * np.sqrt(2 / n_{l-1})``.
    """
    rng = np.random.RandomState(seed)
    out = []
    for l in range(1, len(layers_dims)):
        W = rng.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(2.0 / layers_dims[l - 1])
        out.append((W, np.zeros(layers_dims[l])))
    return out


def course_permutation(m: int, seed: int) -> np.ndarray:
    """``np.random.seed(seed); np.random.permutation(m)`` without the global state."""
    return np.random.RandomState(seed).permutation(m)


def batch_bounds(m: int, batch_size: int) -> list[tuple[int, int]]:
    """The course's mini-batch slices: full batches, then the remainder (if any) last."""
    return [(k, min(k + batch_size, m)) for k in range(0, m, batch_size)]


def epoch_result(*, start: float, epoch_ends: list[float], warmup_epochs: int, accuracy: float,
                 cost: float, **extra) -> dict:
    """The dict every implementation returns (JSON-serializable).

    ``seconds``: from ``start`` (before initialization) to the end of the last epoch.
    ``seconds_per_epoch``: mean over the epochs after the warm-up ones.
    """
    epochs = len(epoch_ends)
    timed = epochs - warmup_epochs
    if timed <= 0:
        raise ValueError("need at least one epoch after the warm-up epochs")
    t0 = start if warmup_epochs == 0 else epoch_ends[warmup_epochs - 1]
    total = epoch_ends[-1] - start
    res = {
        "seconds": total,
        "seconds_per_epoch": (epoch_ends[-1] - t0) / timed,
        "first_epoch_seconds": epoch_ends[0] - start,
        "epochs": epochs,
        "timed_epochs": timed,
        "accuracy": float(accuracy),
        "final_cost": float(cost),
    }
    res.update(extra)
    return res
