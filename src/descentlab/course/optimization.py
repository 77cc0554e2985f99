"""The course's "Optimization Methods" assignment (Improving Deep Neural Networks, week 2).

The notebook's functions with the course's names, signatures and return
values, in its layout: ``X`` (n_x, m), one example per column; labels ``Y``
(1, m); parameters a dict ``{"W1", "b1", ...}`` with ``W[l]`` (n_l, n_{l-1}),
``b[l]`` (n_l, 1); gradients, velocities and Adam moments dicts
``{"dW1", "db1", ...}`` of the same shapes.

Thin layers over descentlab's training code:

- the update functions flatten the dicts into one vector in the core's buffer
  order and run ONE step of the core optimizer (:class:`~descentlab.GD`,
  :class:`~descentlab.Momentum`, :class:`~descentlab.Adam`), then write the
  results back into the caller's dicts (rebinding their entries to new arrays,
  as the course's ``parameters["W1"] = parameters["W1"] - ...`` does) and return
  them. So a notebook checked against these functions is checked against the
  very formulas ``fit`` trains with;
- ``random_mini_batches`` is :func:`descentlab.minibatches` with a
  ``RandomState(seed)`` (the course's ``np.random.seed(seed)`` permutation);
- ``update_lr`` and ``schedule_lr_decay`` are the core's
  :class:`~descentlab.InverseTimeDecay` and :class:`~descentlab.StaircaseDecay`;
- ``model`` is :func:`descentlab.fit` with ``shuffle="course"`` (before epoch i
  the course calls ``random_mini_batches(X, Y, size, seed=10 + 1 + i)``), the
  course's He initialization (seed 3) and, with ``decay``, a schedule delayed by
  one epoch (the course updates the rate *after* epoch i with
  ``decay(learning_rate0, i, decay_rate)``).

Adam's ε is added after the square root, α v̂ / (√ŝ + ε), as in the course's
formula (and PyTorch). NumPy's global random state is never touched.

>>> update_lr(0.5, 2, 1)
0.16666666666666666
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, ClassVar

import numpy as np

from .. import _checks as check
from ..core.layout import Layout
from ..core.network import Network
from ..training.batching import minibatches
from ..training.fit import fit
from ..training.optimizers import GD, Adam, Momentum, bias_correction
from ..training.schedules import InverseTimeDecay, Schedule, StaircaseDecay
from . import _layout as lay

__all__ = [
    "update_parameters_with_gd", "random_mini_batches", "initialize_velocity", "update_parameters_with_momentum",
    "initialize_adam", "update_parameters_with_adam", "update_lr", "schedule_lr_decay", "model",
    "initialize_parameters", "forward_propagation", "backward_propagation", "compute_cost", "predict",
    "predict_dec",
]

OPTIMIZERS = ("gd", "momentum", "adam")


# --------------------------------------------------------------------------- dict <-> flat helpers
def _layout(parameters: Any) -> Layout:
    return Layout(lay.layer_dims_of(parameters))


def _like(name: str, value: Any, layout: Layout) -> None:
    """Check that a d-prefixed dict (grads, v, s) has the parameters' shapes."""
    dims = lay.layer_dims_of(value, name, prefix="d")
    if dims != layout.layer_dims:
        raise check.fail(name, f"a dict for a {list(dims)} network",
                         f"dW[l], db[l] shaped like the parameters of the {list(layout.layer_dims)} network")


def _flat(named: Any, layout: Layout, name: str) -> np.ndarray:
    if name != "parameters":
        _like(name, named, layout)
    return lay.flatten(named, layout, prefix="" if name == "parameters" else "d", name=name)


def _beta(name: str, value: Any) -> float:
    return check.real(name, value, low=0.0, high=1.0, high_open=True)


def _epsilon(value: Any) -> float:
    return check.real("epsilon", value, low=0.0)


# --------------------------------------------------------------------------- gradient descent
def update_parameters_with_gd(parameters: Any, grads: Any, learning_rate: float) -> dict[str, np.ndarray]:
    """One step of gradient descent, W[l] -= α dW[l], b[l] -= α db[l] (the core's :class:`~descentlab.GD`).

    Returns ``parameters`` (the same dict, its entries rebound to the new arrays).
    """
    lr = lay.learning_rate(learning_rate)
    layout = _layout(parameters)
    theta, g = _flat(parameters, layout, "parameters"), _flat(grads, layout, "grads")
    opt = GD(lr=lr)
    state = opt.init(theta)
    opt.update(theta, g, state, lr)
    return lay.write_back(parameters, lay.unflatten(theta, layout, like=parameters))


def random_mini_batches(X: Any, Y: Any, mini_batch_size: int = 64, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """Shuffle (X, Y) column-wise with the course's ``np.random.seed(seed)`` permutation and cut it in batches.

    Returns ``[(mini_batch_X, mini_batch_Y), ...]``: batches of ``mini_batch_size``
    columns, the last one smaller when m is not a multiple.
    """
    Xc = lay.inputs("X", X)
    m = Xc.shape[1]
    Ya = lay._array("Y", Y, f"an array of shape (1, {m}), one label per column of X")
    if Ya.ndim == 1:
        Ya = Ya.reshape(1, -1)
    if Ya.ndim != 2 or Ya.shape[1] != m:
        raise check.fail("Y", Ya, f"an array of shape (1, {m}), one label per column of X")
    size = check.integer("mini_batch_size", mini_batch_size, low=1)
    seed = check.integer("seed", seed, low=0, high=2**32 - 1)
    return [(xb.T, yb.T) for xb, yb in minibatches(Xc.T, Ya.T, size, np.random.RandomState(seed))]


# --------------------------------------------------------------------------- momentum
def initialize_velocity(parameters: Any) -> dict[str, np.ndarray]:
    """v = {dW1: 0, db1: 0, ...}, zeros shaped like the parameters (the core's Momentum state)."""
    layout = _layout(parameters)
    state = Momentum().init(np.zeros(layout.size))
    return lay.unflatten(state["v"], layout, prefix="d")


def update_parameters_with_momentum(parameters: Any, grads: Any, v: Any, beta: float,
                                    learning_rate: float) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """One momentum step (the core's :class:`~descentlab.Momentum`): v ← β v + (1 − β) g;  θ ← θ − α v.

    Returns ``(parameters, v)``, the caller's dicts with their entries rebound.
    """
    lr = lay.learning_rate(learning_rate)
    layout = _layout(parameters)
    theta, g, vel = _flat(parameters, layout, "parameters"), _flat(grads, layout, "grads"), _flat(v, layout, "v")
    opt = Momentum(lr=lr, beta=_beta("beta", beta))
    state = opt.init(theta)
    state["v"][...] = vel
    opt.update(theta, g, state, lr)
    lay.write_back(parameters, lay.unflatten(theta, layout, like=parameters))
    lay.write_back(v, lay.unflatten(state["v"], layout, prefix="d", like=v))
    return parameters, v


# --------------------------------------------------------------------------- Adam
def initialize_adam(parameters: Any) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """(v, s): the first and second moment dicts {dW1, db1, ...}, zeros (the core's Adam state)."""
    layout = _layout(parameters)
    state = Adam().init(np.zeros(layout.size))
    return (lay.unflatten(state["v"], layout, prefix="d"), lay.unflatten(state["s"], layout, prefix="d"))


def update_parameters_with_adam(parameters: Any, grads: Any, v: Any, s: Any, t: int, learning_rate: float = 0.01,
                                beta1: float = 0.9, beta2: float = 0.999, epsilon: float = 1e-8, *,
                                return_corrected: bool = False) -> tuple:
    """One Adam step, step number ``t`` (1 for the first), with the core's :class:`~descentlab.Adam`.

    v ← β1 v + (1 − β1) g;  s ← β2 s + (1 − β2) g²;  v̂ = v / (1 − β1^t);  ŝ = s / (1 − β2^t);
    θ ← θ − α v̂ / (√ŝ + ε).

    Returns ``(parameters, v, s)`` (the caller's dicts, entries rebound), or with
    ``return_corrected=True`` the newer course's
    ``(parameters, v, s, v_corrected, s_corrected)``.
    """
    lr = lay.learning_rate(learning_rate)
    t = check.integer("t", t, low=1)
    return_corrected = lay.flag("return_corrected", return_corrected)
    layout = _layout(parameters)
    theta, g = _flat(parameters, layout, "parameters"), _flat(grads, layout, "grads")
    v_flat, s_flat = _flat(v, layout, "v"), _flat(s, layout, "s")
    opt = Adam(lr=lr, beta1=_beta("beta1", beta1), beta2=_beta("beta2", beta2), epsilon=_epsilon(epsilon))
    state = opt.init(theta)
    state["v"][...], state["s"][...], state["t"] = v_flat, s_flat, t - 1  # the core's update counts t itself
    opt.update(theta, g, state, lr)
    lay.write_back(parameters, lay.unflatten(theta, layout, like=parameters))
    lay.write_back(v, lay.unflatten(state["v"], layout, prefix="d", like=v))
    lay.write_back(s, lay.unflatten(state["s"], layout, prefix="d", like=s))
    if not return_corrected:
        return parameters, v, s
    v_corrected = {k: val / bias_correction(opt.beta1, t) for k, val in v.items()}
    s_corrected = {k: val / bias_correction(opt.beta2, t) for k, val in s.items()}
    return parameters, v, s, v_corrected, s_corrected


# --------------------------------------------------------------------------- learning-rate decay
def _lr0(value: Any) -> float:
    return check.real("learning_rate0", value, low=0.0)


def _decay_rate(value: Any) -> float:
    return check.real("decay_rate", value, low=0.0)


def _time_interval(value: Any) -> int:
    return check.integer("time_interval", value, low=1)


def update_lr(learning_rate0: float, epoch_num: int, decay_rate: float) -> float:
    """α = α0 / (1 + decay_rate · epoch_num) (the core's :class:`~descentlab.InverseTimeDecay`)."""
    epoch = check.integer("epoch_num", epoch_num, low=0)
    return float(InverseTimeDecay(rate=_decay_rate(decay_rate)).rate_at(_lr0(learning_rate0), epoch))


def schedule_lr_decay(learning_rate0: float, epoch_num: int, decay_rate: float, time_interval: int = 1000) -> float:
    """α = α0 / (1 + decay_rate · ⌊epoch_num / time_interval⌋) (the core's :class:`~descentlab.StaircaseDecay`)."""
    epoch = check.integer("epoch_num", epoch_num, low=0)
    schedule = StaircaseDecay(rate=_decay_rate(decay_rate), interval=_time_interval(time_interval))
    return float(schedule.rate_at(_lr0(learning_rate0), epoch))


@dataclass(frozen=True)
class _CourseDecay(Schedule):
    """Any course-style ``decay(learning_rate0, epoch_num, decay_rate)``, applied as the course's ``model`` does.

    Epoch 0 runs at α0; epoch e >= 1 at ``decay(α0, e - 1, decay_rate)``.
    """

    fn: Callable[..., Any] | None = None
    rate: float = 1.0
    name: ClassVar[str] = "course_decay"

    def __call__(self, lr0: float, epoch: int) -> float:
        if epoch <= 0:
            return lr0
        value = self.fn(lr0, epoch - 1, self.rate)
        if isinstance(value, np.ndarray) and value.ndim == 0:
            value = value[()]
        return check.real("decay", value, low=0.0, low_open=True)


def _schedule(decay: Any, decay_rate: Any) -> Schedule | None:
    if decay is None:
        return None
    if not callable(decay) or isinstance(decay, str):
        raise check.fail_type("decay", decay, "None or a function decay(learning_rate0, epoch_num, decay_rate), "
                                               "e.g. update_lr or schedule_lr_decay")
    if decay is update_lr:
        return InverseTimeDecay(rate=_decay_rate(decay_rate), delay=1)
    if decay is schedule_lr_decay:
        return StaircaseDecay(rate=_decay_rate(decay_rate), interval=1000, delay=1)
    return _CourseDecay(fn=decay, rate=check.real("decay_rate", decay_rate))


def _layers_dims(value: Any) -> tuple[int, ...]:
    try:
        return check.layer_dims(value)
    except (ValueError, TypeError) as exc:
        raise check.fail("layers_dims", value, "a list of at least two positive integers, e.g. [2, 5, 2, 1]") from exc


def model(X: Any, Y: Any, layers_dims: Any, optimizer: str, learning_rate: float = 0.0007, mini_batch_size: int = 64,
          beta: float = 0.9, beta1: float = 0.9, beta2: float = 0.999, epsilon: float = 1e-8, num_epochs: int = 10000,
          print_cost: bool = True, decay: Callable[..., float] | None = None,
          decay_rate: float = 1) -> dict[str, np.ndarray]:
    """Train a ReLU/.../sigmoid network with mini-batch gd, momentum or Adam, the course's way.

    Args:
        X: inputs (n_x, m); Y: 0/1 labels (1, m).
        layers_dims: [n_x, n_1, ..., 1] (the course's [n_x, 5, 2, 1]).
        optimizer: "gd", "momentum" or "adam".
        learning_rate: α (α0 with ``decay``).
        mini_batch_size: examples per step; the epoch's order is the course's
            ``np.random.seed(10 + 1 + epoch)`` permutation.
        beta: momentum's β. beta1, beta2, epsilon: Adam's.
        num_epochs: passes over the data (the course's older default, 10000; the 2021
            notebook uses 5000).
        print_cost: print ``Cost after epoch i: c`` every 1000 epochs (the epoch's
            cost: the sum of the per-example losses of its mini-batches over m) and,
            with ``decay``, the learning rate set after that epoch.
        decay: None, or ``update_lr``, ``schedule_lr_decay`` (time_interval 1000) or
            any function ``decay(learning_rate0, epoch_num, decay_rate)``: after
            epoch i the rate becomes ``decay(learning_rate0, i, decay_rate)``.
        decay_rate: passed to ``decay``.

    Returns:
        parameters: the trained dict.
    """
    name = check.choice("optimizer", optimizer, OPTIMIZERS)
    dims = _layers_dims(layers_dims)
    Xc, y = lay.data(X, Y, dims[0], dims[-1])
    m = Xc.shape[1]
    lr = lay.learning_rate(learning_rate)
    size = check.integer("mini_batch_size", mini_batch_size, low=1)
    epochs = check.integer("num_epochs", num_epochs, low=0)
    print_cost = lay.flag("print_cost", print_cost)
    if name == "gd":
        opt = GD(lr=lr)
    elif name == "momentum":
        opt = Momentum(lr=lr, beta=_beta("beta", beta))
    else:
        opt = Adam(lr=lr, beta1=_beta("beta1", beta1), beta2=_beta("beta2", beta2), epsilon=_epsilon(epsilon))
    schedule = _schedule(decay, decay_rate)
    net = Network(dims, hidden=lay.HIDDEN, output=lay.OUTPUT, init="he", seed=3)
    if epochs:
        fit(net, Xc.T, y, optimizer=opt, epochs=epochs, batch_size=min(size, m), shuffle="course", schedule=schedule,
            verbose=0, seed=0, callbacks=[lay.PrintCost(1000, "epoch", "%f", schedule, lr)] if print_cost else [])
    return lay.from_network(net)


# --------------------------------------------------------------------------- opt_utils
def initialize_parameters(layer_dims: Any) -> dict[str, np.ndarray]:
    """He initialization, W[l] = randn(n_l, n_{l-1}) · sqrt(2 / n_{l-1}) after the course's seed 3; b[l] = 0."""
    return lay.initial_parameters(layer_dims, "he")


def forward_propagation(X: Any, parameters: Any) -> tuple[np.ndarray, tuple]:
    """LINEAR -> RELU -> ... -> LINEAR -> SIGMOID. Returns (a3, cache = (z1, a1, W1, b1, ...))."""
    net = lay.to_network(parameters)
    return lay.forward_cache(net, lay.inputs("X", X, net.layer_dims[0]))


def backward_propagation(X: Any, Y: Any, cache: Any) -> dict[str, np.ndarray]:
    """The gradients dict of ``opt_utils``: dz3 = (a3 - Y) / m, dW3, db3, da2, ..., dW1, db1.

    dW and db come from the core's backprop; the dz, da entries are formed from the cache.
    """
    return lay.backward(X, Y, cache, lower=True, dz_over_m=True)


def compute_cost(a3: Any, Y: Any) -> float:
    """The SUM over examples of -y log a3 - (1 - y) log(1 - a3) (``model`` divides the epoch's total by m)."""
    total, _ = lay.cross_entropy("a3", a3, Y)
    return total


def predict(X: Any, y: Any, parameters: Any) -> np.ndarray:
    """Predictions (1, m) with threshold 0.5; prints ``Accuracy: ...``."""
    return lay.course_predict(X, y, parameters)


def predict_dec(parameters: Any, X: Any) -> np.ndarray:
    """Boolean predictions a3 > 0.5, shape (1, m)."""
    net = lay.to_network(parameters)
    return lay.predictions(net, lay.inputs("X", X, net.layer_dims[0])) == 1
