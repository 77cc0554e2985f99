"""Shared plumbing of the course modules: the course's layout <-> the core's.

The course keeps one example per *column*: ``X`` is (n_x, m), labels ``Y`` are
(1, m), parameters are a dict ``{"W1", "b1", ..., "WL", "bL"}`` with ``W[l]``
(n_l, n_{l-1}) and ``b[l]`` (n_l, 1), gradients a dict ``{"dW1", "db1", ...}``
of the same shapes. The core keeps one example per *row* (``X`` (m, n_x),
``y`` (m,)) and all parameters in one flat buffer (see
:mod:`descentlab.core.layout`). Everything here converts between the two and
checks the course-side arguments, so that errors name the course's argument
(``X``, ``Y``, ``parameters``, ``cache`` ...), the value received and the
course's expected layout.

Every course network here has ReLU hidden layers and one sigmoid output
layer, as all three assignments' networks do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .. import _checks as check
from ..core.activations import ACTIVATIONS
from ..core.layout import Layout
from ..core.network import Network
from ..core.outputs import sigmoid as core_sigmoid
from ..training.callbacks import Callback

HIDDEN = "relu"
OUTPUT = "sigmoid"


# --------------------------------------------------------------------------- arrays
def _array(name: str, value: Any, expected: str) -> np.ndarray:
    if isinstance(value, (str, bytes)) or value is None or isinstance(value, Mapping):
        raise check.fail_type(name, value, expected)
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise check.fail(name, value, expected) from exc
    if arr.dtype.kind not in "biuf":
        raise check.fail(name, arr, expected)
    return arr


def _finite(name: str, arr: np.ndarray) -> np.ndarray:
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise check.fail(name, f"a value {arr[bad]} at index {list(bad)}", "only finite values (no NaN or inf)")
    return arr


def inputs(name: str, X: Any, n_x: int | None = None) -> np.ndarray:
    """X in the course's layout, (n_x, m), as float64; a transposed (m, n_x) array gets a hint."""
    want = f"({n_x if n_x is not None else 'n_x'}, m)"
    expected = f"a 2-D array of real numbers of shape {want}, one example per column (the course's layout)"
    arr = _array(name, X, expected)
    if arr.ndim != 2:
        raise check.fail(name, arr, expected)
    if n_x is not None and arr.shape[0] != n_x:
        if arr.shape[1] == n_x:
            expected += f"; this looks like the (m, n_x) layout: pass {name}.T"
        raise check.fail(name, arr, expected)
    if arr.shape[1] == 0:
        raise check.fail(name, arr, "at least one example (column)")
    return _finite(name, arr.astype(np.float64, copy=False))


def data(X: Any, Y: Any, n_x: int | None = None, n_out: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """(X (n_x, m) float64, y (m, n_out) for the core) from the course's X and Y, checked together.

    When the network's n_x is not known yet (a ``model`` builds it from X), an X
    whose rows, not columns, match Y's examples is reported as transposed.
    """
    if n_x is None:
        arr = _array("X", X, "a 2-D array of real numbers of shape (n_x, m), one example per column")
        try:
            Ya = np.asarray(Y) if not isinstance(Y, (str, bytes)) and Y is not None else None
        except Exception:  # ragged lists: labels() below reports them
            Ya = None
        m = Ya.shape[-1] if Ya is not None and Ya.ndim in (1, 2) else None
        if arr.ndim == 2 and m is not None and arr.shape[1] != m and arr.shape[0] == m:
            raise check.fail("X", arr, f"a 2-D array of shape (n_x, {m}), one example per column (the course's "
                                       "layout), like Y; this looks like the (m, n_x) layout: pass X.T")
    Xc = inputs("X", X, n_x)
    return Xc, labels("Y", Y, Xc.shape[1], n_out)


def labels(name: str, Y: Any, m: int, n_out: int = 1) -> np.ndarray:
    """0/1 labels in the course's layout, (n_out, m) (a 1-D (m,) row is accepted when n_out is 1).

    Returns them example-major, (m, n_out) float64, ready for the core.
    """
    want = f"({n_out}, {m})" + (f" (or ({m},))" if n_out == 1 else "")
    expected = f"0/1 labels of shape {want}, one example per column (the course's layout)"
    arr = _array(name, Y, expected)
    if n_out == 1 and arr.ndim == 1:
        arr = arr.reshape(1, -1)
    if arr.shape != (n_out, m):
        if arr.ndim == 2 and arr.shape == (m, n_out):
            expected += f"; this looks like the (m, {n_out}) layout: pass {name}.T"
        raise check.fail(name, arr, expected)
    if not np.isin(arr, (0, 1)).all():
        bad = arr[~np.isin(arr, (0, 1))].flat[0].item()
        raise check.fail(name, f"a label {bad!r}", expected)
    return np.ascontiguousarray(arr.T, dtype=np.float64)


def scalar(name: str, value: Any) -> float:
    """A finite real number (NumPy scalars and 0-d arrays included)."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    return check.real(name, value)


def learning_rate(value: Any, name: str = "learning_rate") -> float:
    return check.real(name, value, low=0.0, low_open=True)


def keep_prob(value: Any) -> float:
    return check.real("keep_prob", value, low=0.0, high=1.0, low_open=True)


def lambd(value: Any) -> float:
    return check.real("lambd", value, low=0.0)


def flag(name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise check.fail_type(name, value, "True or False")
    return bool(value)


# --------------------------------------------------------------------------- parameter dicts
def layer_dims_of(parameters: Any, name: str = "parameters", prefix: str = "") -> tuple[int, ...]:
    """The layer sizes [n_0, ..., n_L] of a course dict {W1, b1, ..., WL, bL}, after checking its shapes.

    ``prefix`` is "d" for gradient dicts ({dW1, db1, ...}) and velocity/Adam dicts.
    """
    w, b = f"{prefix}W", f"{prefix}b"
    expected = (f"a dict with keys {w}1, {b}1, ..., {w}L, {b}L ({w}[l] of shape (n_l, n_{{l-1}}), "
                f"{b}[l] of shape (n_l, 1))")
    if not isinstance(parameters, Mapping):
        raise check.fail_type(name, parameters, expected)
    L = 0
    while f"{w}{L + 1}" in parameters:
        L += 1
    if L == 0:
        raise check.fail(name, f"a dict with keys {sorted(map(str, parameters))[:8]}", expected)
    dims = []
    for l in range(1, L + 1):
        if f"{b}{l}" not in parameters:
            raise check.fail(name, f"a dict without {b}{l}", expected)
        key = f"{name}['{w}{l}']"
        W = _array(key, parameters[f"{w}{l}"], "a 2-D array of real numbers of shape (n_l, n_{l-1})")
        if W.ndim != 2 or 0 in W.shape:
            raise check.fail(key, W, "a 2-D array of shape (n_l, n_{l-1})")
        if l == 1:
            dims.append(W.shape[1])
        elif W.shape[1] != dims[-1]:
            raise check.fail(key, W, f"shape ({W.shape[0]}, {dims[-1]}): its columns must match the rows of {w}{l - 1}")
        dims.append(W.shape[0])
        bkey = f"{name}['{b}{l}']"
        bias = _array(bkey, parameters[f"{b}{l}"], f"an array of shape ({W.shape[0]}, 1)")
        if bias.shape not in ((W.shape[0], 1), (W.shape[0],)):
            raise check.fail(bkey, bias, f"shape ({W.shape[0]}, 1), one bias per row of {w}{l}")
    return tuple(dims)


def names(L: int, prefix: str = "") -> list[str]:
    return [f"{prefix}{p}{l}" for l in range(1, L + 1) for p in ("W", "b")]


def flatten(named: Mapping, layout: Layout, prefix: str = "", name: str = "parameters") -> np.ndarray:
    """A flat vector in the core's buffer order from a course dict (keys ``prefix + "W1"``, ...)."""
    core = {}
    for key in layout.names():
        value = named[prefix + key]
        arr = _finite(f"{name}['{prefix}{key}']", np.asarray(value, dtype=np.float64))
        if arr.size != int(np.prod(layout.shape(key))):
            raise check.fail(f"{name}['{prefix}{key}']", arr, f"shape {_course_shape(layout, key)}, like {key}")
        core[key] = arr
    return layout.flatten(core)


def _course_shape(layout: Layout, key: str) -> tuple[int, ...]:
    shape = layout.shape(key)
    return shape if key[0] == "W" else (shape[0], 1)


def unflatten(vec: np.ndarray, layout: Layout, prefix: str = "", like: Mapping | None = None) -> dict[str, np.ndarray]:
    """A course dict (fresh arrays, b as (n_l, 1)) from a flat core-order vector.

    With ``like``, each array takes the shape of ``like[prefix + key]`` (so a
    caller's (n_l,) biases stay (n_l,)).
    """
    views = layout.views(vec)
    out = {}
    for key in layout.names():
        shape = _course_shape(layout, key)
        if like is not None and (prefix + key) in like:
            shape = np.shape(like[prefix + key])
        out[prefix + key] = np.array(views[key], dtype=np.float64).reshape(shape)
    return out


def to_network(parameters: Any, name: str = "parameters") -> Network:
    """A core :class:`Network` (ReLU hidden layers, sigmoid output) holding a copy of ``parameters``."""
    dims = layer_dims_of(parameters, name)
    net = Network(dims, hidden=HIDDEN, output=OUTPUT, init="zeros", seed=0)
    net.theta[...] = flatten(parameters, net.layout, name=name)
    return net


def from_network(net: Network) -> dict[str, np.ndarray]:
    """The course's parameter dict (copies; b of shape (n_l, 1)) of a network."""
    return unflatten(net.theta, net.layout)


def grads_of(net: Network) -> dict[str, np.ndarray]:
    """The course's gradient dict {dW1, db1, ...} (copies; db of shape (n_l, 1)) from ``net.grad``."""
    return unflatten(net.grad, net.layout, prefix="d")


def initial_parameters(layer_dims: Any, init: str, seed: int = 3) -> dict[str, np.ndarray]:
    """The course's seeded initialization (np.random.seed(seed) then randn per layer), via the core."""
    dims = check.layer_dims(layer_dims)
    return from_network(Network(dims, hidden=HIDDEN, output=OUTPUT, init=init, seed=seed))


def write_back(target: dict, new: Mapping) -> dict:
    """Rebind ``target``'s entries to the arrays of ``new`` (as the course's updates do) and return it."""
    for key, value in new.items():
        target[key] = value
    return target


# --------------------------------------------------------------------------- propagation
def masks_from(name: str, masks: Sequence[Any], dims: tuple[int, ...], m: int) -> list[np.ndarray]:
    """Course masks D[l] of shape (n_l, m), checked; returned as 0/1 arrays."""
    out = []
    for l, D in enumerate(masks, start=1):
        arr = _array(f"{name} D{l}", D, f"a 0/1 array of shape ({dims[l]}, {m})")
        if arr.shape != (dims[l], m):
            raise check.fail(f"{name} D{l}", arr, f"a 0/1 array of shape ({dims[l]}, {m})")
        out.append(arr != 0)
    return out


def sigmoid(Z: np.ndarray) -> np.ndarray:
    """The core's :func:`~descentlab.core.outputs.sigmoid` of Z as float64: relatively precise in both tails.

    (So the course's ``compute_cost(a3, Y)`` sees σ(z) ≈ 1e-17 rather than 0 where the course's
    own ``1 / (1 + np.exp(-z))`` is still above 0, and does not turn a finite cost into inf.)
    """
    return core_sigmoid(np.asarray(Z, dtype=np.float64))


def forward(net: Network, X: np.ndarray, masks: list[np.ndarray] | None = None,
            kp: float = 1.0) -> list[tuple[np.ndarray, np.ndarray]]:
    """[(Z[l], A[l]) for l = 1..L] in the course's layout, each Z computed by the core.

    ``Z[l]`` is the logit output of the core network truncated after layer l
    (its buffer is a prefix of ``net.theta``, the blocks being in layer order),
    so every Z is exactly what the whole network computes inside. A hidden
    ``A[l]`` is the core's activation of ``Z[l]``, times ``D[l] / keep_prob``
    with dropout (the value the core feeds to layer l + 1); ``A[L]`` is
    :func:`sigmoid` of the logits.
    """
    dims = net.layer_dims
    L = len(dims) - 1
    XT = X.T
    core_masks = [D.T for D in masks] if masks is not None else None
    out = []
    for l in range(1, L + 1):
        part = Network(dims[:l + 1], hidden=[HIDDEN] * (l - 1), output="linear", init="zeros", seed=0)
        part.theta[...] = net.theta[:part.n_params]
        given = core_masks[:l - 1] if (core_masks is not None and l > 1) else None
        Z = part.forward(XT, keep_prob=kp if given else 1.0, masks=given).T
        if l < L:
            A = np.array(Z)
            ACTIVATIONS[HIDDEN].forward(A)
            if masks is not None:
                A *= masks[l - 1] / kp
        else:
            A = sigmoid(Z)
        out.append((Z, A))
    return out


def forward_cache(net: Network, X: np.ndarray, masks: list[np.ndarray] | None = None,
                  kp: float = 1.0) -> tuple[np.ndarray, tuple]:
    """(A[L], cache) with the course's cache: (Z1, A1, W1, b1, ...) or, with masks, (Z1, D1, A1, W1, b1, ...)."""
    layers = forward(net, X, masks, kp)
    params = from_network(net)
    cache: list[Any] = []
    L = len(layers)
    for l, (Z, A) in enumerate(layers, start=1):
        cache.append(Z)
        if masks is not None and l < L:
            cache.append(masks[l - 1].copy())
        cache += [A, params[f"W{l}"], params[f"b{l}"]]
    return layers[-1][1], tuple(cache)


def parse_cache(cache: Any, dropout: bool) -> tuple[dict[str, np.ndarray], list, list, list]:
    """Split a course cache into (parameters, [Z[l]], [A[l]], [D[l]])."""
    per_hidden = 5 if dropout else 4
    form = "(Z1, D1, A1, W1, b1, ..., ZL, AL, WL, bL)" if dropout else "(Z1, A1, W1, b1, ..., ZL, AL, WL, bL)"
    expected = f"a tuple {form} as forward_propagation{'_with_dropout' if dropout else ''} returns it"
    if not isinstance(cache, (tuple, list)):
        raise check.fail_type("cache", cache, expected)
    n = len(cache)
    if n < 4 or (n - 4) % per_hidden:
        raise check.fail("cache", f"a tuple of {n} entries", expected)
    L = (n - 4) // per_hidden + 1
    params, Zs, As, Ds = {}, [], [], []
    i = 0
    for l in range(1, L + 1):
        Zs.append(cache[i])
        i += 1
        if dropout and l < L:
            Ds.append(cache[i])
            i += 1
        As.append(cache[i])
        params[f"W{l}"], params[f"b{l}"] = cache[i + 1], cache[i + 2]
        i += 3
    return params, Zs, As, Ds


def backward(X: Any, Y: Any, cache: Any, *, lambd_: float = 0.0, kp: float = 1.0, dropout: bool = False,
             lower: bool = False, dz_over_m: bool = False) -> dict[str, np.ndarray]:
    """The course's backward pass: dW[l], db[l] from the core; dZ[l], dA[l] as the course returns them.

    The core recomputes the forward pass from X and the cache's parameters
    (and masks) and writes dW, db (with the L2 term (λ/m) W). The course's
    gradient dicts also hold the intermediate dZ[l] and dA[l]; those are
    formed from the cache's A[l] and W[l] with the course's own formulas, as
    extra entries for inspection (the course's checks print dA1, dA2):

        dZ[L] = A[L] - Y   (times 1/m when ``dz_over_m``, as init_utils/opt_utils)
        dA[l] = W[l+1]ᵀ dZ[l+1]  (· D[l] / keep_prob with dropout)
        dZ[l] = dA[l] · 1[A[l] > 0]

    ``lower`` gives the utils' lower-case keys (dz3, da2, ...).
    """
    params, _Zs, As, Ds = parse_cache(cache, dropout)
    net = to_network(params, "cache")
    dims = net.layer_dims
    L = len(dims) - 1
    Xc = inputs("X", X, dims[0])
    m = Xc.shape[1]
    y = labels("Y", Y, m, dims[-1])
    core_masks = None
    if dropout:
        Ds = masks_from("cache", Ds, dims, m)
        core_masks = [D.T for D in Ds]
    for l, A in enumerate(As, start=1):
        A = _array(f"cache A{l}", A, f"an array of shape ({dims[l]}, {m})")
        if A.shape != (dims[l], m):
            raise check.fail(f"cache A{l}", A, f"an array of shape ({dims[l]}, {m}), like W{l} @ A{l - 1}")
    net.loss_and_grad(Xc.T, y, l2=lambd_, keep_prob=kp if dropout else 1.0, masks=core_masks)
    grads = grads_of(net)
    z, a = ("dz", "da") if lower else ("dZ", "dA")
    Yc = y.T
    dZ = np.asarray(As[-1], dtype=np.float64) - Yc
    if dz_over_m:
        dZ = dZ / m
    out: dict[str, np.ndarray] = {f"{z}{L}": dZ, f"dW{L}": grads[f"dW{L}"], f"db{L}": grads[f"db{L}"]}
    for l in range(L - 1, 0, -1):
        dA = np.dot(np.asarray(params[f"W{l + 1}"], dtype=np.float64).T, dZ)
        if dropout:
            dA = dA * Ds[l - 1]
            dA = dA / kp
        dZ = np.multiply(dA, np.int64(np.asarray(As[l - 1]) > 0))
        out.update({f"{a}{l}": dA, f"{z}{l}": dZ, f"dW{l}": grads[f"dW{l}"], f"db{l}": grads[f"db{l}"]})
    return out


def predictions(net: Network, X: np.ndarray) -> np.ndarray:
    """0/1 predictions (n_L, m) in the course's layout: the core's sigmoid(z) > 0.5, i.e. z > 0."""
    p = net.predict(X.T)
    return np.asarray(p, dtype=np.int64).reshape(len(X.T), -1).T.copy()


def course_predict(X: Any, y: Any, parameters: Any) -> np.ndarray:
    """The utils' ``predict``: 0/1 predictions (1, m); prints ``Accuracy: <fraction right>``."""
    net = to_network(parameters)
    Xc = inputs("X", X, net.layer_dims[0])
    yc = labels("y", y, Xc.shape[1], net.layer_dims[-1]).T
    p = predictions(net, Xc)
    print("Accuracy: " + str(float(np.mean(p == yc))))
    return p


def cross_entropy(name: str, A: Any, Y: Any) -> tuple[float, int]:
    """Σ of the course's -y log a - (1 - y) log(1 - a) over all entries, and m.

    Terms whose factor y or 1 - y is 0 contribute 0 (the course's ``nansum``
    drops the NaN of 0·log 0), so the sum is inf only if a label has
    probability 0 (a saturated sigmoid: compute costs from logits instead, as
    every ``model`` here does).
    """
    a = _array(name, A, "probabilities in [0, 1] of shape (1, m)")
    if a.ndim == 1:
        a = a.reshape(1, -1)
    if a.ndim != 2:
        raise check.fail(name, a, "probabilities in [0, 1] of shape (1, m)")
    a = a.astype(np.float64)
    if np.isnan(a).any() or (a < 0).any() or (a > 1).any():
        raise check.fail(name, a, "probabilities in [0, 1] (sigmoid outputs) of shape (1, m)")
    y = labels("Y", Y, a.shape[1], a.shape[0]).T
    with np.errstate(divide="ignore"):
        pos = np.where(y != 0, -np.log(np.where(y != 0, a, 1.0)), 0.0) * y
        neg = np.where(y != 1, -np.log(np.where(y != 1, 1.0 - a, 1.0)), 0.0) * (1 - y)
    return float(np.sum(pos + neg)), a.shape[1]


class PrintCost(Callback):
    """The course's report every ``every`` epochs, ``Cost after <word> i: <cost>`` (``fmt`` formats the cost:
    None prints it as Python does); with a schedule, also the rate set for the next epoch."""

    def __init__(self, every: int, word: str, fmt: str | None = None, schedule: Any = None, lr0: float = 0.0) -> None:
        self.every, self.word, self.fmt, self.schedule, self.lr0 = every, word, fmt, schedule, lr0

    def on_epoch_end(self, epoch, logs, run):
        if epoch % self.every == 0:
            cost = logs["cost"] if self.fmt is None else self.fmt % logs["cost"]
            print(f"Cost after {self.word} {epoch}: {cost}")
            if self.schedule is not None:
                print("learning rate after epoch %i: %f" % (epoch, self.schedule(self.lr0, epoch + 1)))
