"""Optimizers: ``init(theta) -> state`` and ``update(theta, grad, state, lr)`` pairs.

Each acts on the WHOLE flat parameter buffer at once, in place, with a handful
of vectorized operations and no per-layer loop. ``lr`` is the learning rate of
the current step (the schedule's value); ``state`` is a :class:`State`: the step
count ``t`` and the optimizer's arrays shaped like ``theta`` (what a checkpoint
stores); the scratch arrays of the update live apart, in ``state.cache``.
Hyperparameters may be numbers or arrays that broadcast against ``theta``
(one value per network when K networks train in lockstep, ``theta`` (K, P)).

Update rules, with g the gradient and α the learning rate (the course's forms):

========  ===============================================================
gd        θ ← θ − α g
momentum  v ← β v + (1 − β) g;  θ ← θ − α v
          (nesterov: θ ← θ − α (β v + (1 − β) g), after updating v)
rmsprop   s ← β s + (1 − β) g²;  θ ← θ − α g / (√s + ε)
adam      v ← β1 v + (1 − β1) g;  s ← β2 s + (1 − β2) g²;  t ← t + 1
          v̂ = v / (1 − β1^t);  ŝ = s / (1 − β2^t);  θ ← θ − α v̂ / (√ŝ + ε)
adamw     θ ← θ − α λ_wd θ (weights only), then the adam step
========  ===============================================================

Each rule is written once, in :meth:`Optimizer.rule`, over a few primitives
(:class:`NumpyOps`: an exponential moving average of g or g², a step g / (√s + ε),
a descent θ ← θ − α·step), the way optax composes ``update_moment`` and
``bias_correction``. The NumPy engine runs the rule with :class:`NumpyOps`, in
place on cache-sized blocks of the buffer; another engine runs the very same rule
with its own primitives (the TensorFlow engine's ``TensorFlowOps``) and the
per-step numbers of :meth:`Optimizer.coefficients` (Adam's bias-corrected α_t
and ε_t among them), so no engine restates a formula.

How these map onto other libraries is in the README's Conventions table and
pinned by tests/test_training_optimizers.py.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any, ClassVar

import numpy as np

from .. import _checks as check


def _prob(name: str, value: Any, *, low_open: bool = False) -> Any:
    """A hyperparameter in [0, 1) (a number, or an array of them for lockstep runs)."""
    if np.ndim(value):
        arr = np.asarray(value, dtype=np.float64)
        if not (np.isfinite(arr).all() and (arr >= 0).all() and (arr < 1).all()):
            raise check.fail(name, value, "values in [0, 1)")
        return arr
    return check.real(name, value, low=0.0, high=1.0, high_open=True, low_open=low_open)


def _positive(name: str, value: Any, allow_zero: bool = False) -> Any:
    if np.ndim(value):
        arr = np.asarray(value, dtype=np.float64)
        if not (np.isfinite(arr).all() and ((arr >= 0) if allow_zero else (arr > 0)).all()):
            raise check.fail(name, value, "positive finite values")
        return arr
    return check.real(name, value, low=0.0, low_open=not allow_zero)


def bias_correction(beta: Any, t: int) -> Any:
    """1 − β^t: divides an exponential moving average started at 0 to make it unbiased after t steps."""
    return 1 - beta ** t


CHUNK = 32_768
"""Parameters per block of an update. A step makes a dozen passes over its arrays; done a block
at a time, the block's arrays stay in the core's cache between passes (about 25% faster for
the 308k-parameter SIGNS network; a small network is one block)."""


class State(dict):
    """An optimizer's state: ``{"t": steps taken, slot name: array shaped like theta}``.

    Only that is state (what a checkpoint stores and an engine restores); the
    update's scratch arrays and per-block views are kept apart in ``cache``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cache: dict[str, Any] = {}


class NumpyOps:
    """The primitives of an update rule, in place on one block of NumPy arrays (``tmp`` is scratch).

    Each writes into its first argument or into ``tmp`` and returns what it wrote,
    so a rule reads as its equations and allocates nothing.
    """

    __slots__ = ("tmp",)

    def __init__(self, tmp: np.ndarray) -> None:
        self.tmp = tmp

    def ema(self, slot: np.ndarray, x: np.ndarray, beta: Any, one_minus_beta: Any) -> np.ndarray:
        """slot ← β slot + (1 − β) x."""
        np.multiply(x, one_minus_beta, out=self.tmp)
        slot *= beta
        slot += self.tmp
        return slot

    def ema_square(self, slot: np.ndarray, x: np.ndarray, beta: Any, one_minus_beta: Any) -> np.ndarray:
        """slot ← β slot + (1 − β) x²."""
        tmp = self.tmp
        np.multiply(x, x, out=tmp)
        tmp *= one_minus_beta
        slot *= beta
        slot += tmp
        return slot

    def over_root(self, x: np.ndarray, s: np.ndarray, eps: Any) -> np.ndarray:
        """x / (√s + ε), into tmp."""
        tmp = self.tmp
        np.sqrt(s, out=tmp)
        tmp += eps
        np.divide(x, tmp, out=tmp)
        return tmp

    def mix(self, v: np.ndarray, x: np.ndarray, beta: Any, one_minus_beta: Any) -> np.ndarray:
        """β v + (1 − β) x, into tmp (v unchanged)."""
        tmp = self.tmp
        np.multiply(v, beta, out=tmp)
        tmp += one_minus_beta * x
        return tmp

    def times(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """a · b, into tmp."""
        np.multiply(a, b, out=self.tmp)
        return self.tmp

    def descend(self, theta: np.ndarray, step: np.ndarray, lr: Any) -> None:
        """θ ← θ − α · step."""
        tmp = self.tmp
        if step is tmp:
            tmp *= lr
        else:
            np.multiply(step, lr, out=tmp)
        theta -= tmp


def _blocks(theta: np.ndarray, grad: np.ndarray, state: State, names: tuple[str, ...]) -> list[tuple]:
    """(ops, (theta, grad, *slots)) per block of the last axis, views made once and cached in the state."""
    cached = state.cache.get("blocks")
    if cached is not None and cached[0] is theta and cached[1] is grad:
        return cached[2]
    tmp = state.cache.setdefault("tmp", np.zeros_like(theta))
    arrays = (tmp, theta, grad) + tuple(state[n] for n in names)
    size = theta.shape[-1]
    blocks = []
    for i in range(0, size, CHUNK):
        views = tuple(a[..., i:i + CHUNK] for a in arrays)
        blocks.append((NumpyOps(views[0]), views[1:]))
    state.cache["blocks"] = (theta, grad, blocks)
    return blocks


@dataclass(frozen=True)
class Optimizer:
    """Base class: a subclass lists its state arrays (``slots``), the step's numbers (``coefficients``,
    ``constants``) and its update :meth:`rule`, written once over an engine's primitives."""

    lr: float = 0.01
    name: ClassVar[str] = "optimizer"
    slots: ClassVar[tuple[str, ...]] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "lr", _positive("lr", self.lr))

    def init(self, theta: np.ndarray, weight_mask: np.ndarray | None = None) -> State:
        """The state: the step count t and zero arrays shaped like theta, one per slot."""
        return State({"t": 0, **{n: np.zeros_like(theta) for n in self.slots}})

    def constants(self, dtype: Any) -> tuple:
        """The step's fixed numbers as 0-d arrays of the parameters' dtype (a NumPy call converts a
        Python number on every call; an array it does not)."""
        return ()

    def coefficients(self, t: int, lr: Any) -> tuple:
        """The numbers of step ``t`` (1 for the first) at learning rate ``lr``; every engine uses them."""
        return (lr,)

    def update(self, theta: np.ndarray, grad: np.ndarray, state: State, lr: Any) -> None:
        """One step with learning rate ``lr``, in place on ``theta`` and ``state``."""
        t = state["t"] = state["t"] + 1
        const = state.cache.get("const")
        if const is None:
            const = state.cache["const"] = self.constants(theta.dtype)
        coef = self.coefficients(t, lr) + const
        for ops, arrays in _blocks(theta, grad, state, self.slots):
            self.rule(ops, coef, *arrays)

    @property
    def portable(self) -> bool:
        """Whether the whole update is :meth:`rule` (so every engine can run it): False when a subclass
        overrides :meth:`update` itself, which only the NumPy engine calls."""
        return type(self).update is Optimizer.update

    def rule(self, ops: Any, coef: tuple, theta: Any, grad: Any, *slots: Any) -> None:
        """The update of ``theta`` and the slots from ``grad``, with the step's ``coef``
        (``coefficients(t, lr) + constants(dtype)``), in an engine's primitives ``ops``."""
        raise NotImplementedError

    def config(self) -> dict[str, Any]:
        cfg = {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in asdict(self).items()}
        return {"name": self.name, **cfg}


@dataclass(frozen=True)
class GD(Optimizer):
    """Gradient descent: θ ← θ − α g (batch, mini-batch or stochastic, by batch size).

    >>> import numpy as np
    >>> theta, g = np.array([1.0, 2.0]), np.array([0.5, -1.0])
    >>> opt = GD(lr=0.1); state = opt.init(theta); opt.update(theta, g, state, 0.1); theta
    array([0.95, 2.1 ])
    """

    name: ClassVar[str] = "gd"

    def rule(self, ops, coef, theta, grad):
        (lr,) = coef
        ops.descend(theta, grad, lr)                                    # θ ← θ − α g


@dataclass(frozen=True)
class Momentum(Optimizer):
    """Momentum in the course's exponentially weighted form.

    v ← β v + (1 − β) g;  θ ← θ − α v. With ``nesterov=True`` the step looks
    ahead: θ ← θ − α (β v + (1 − β) g) with the updated v. β = 0 is plain GD.
    """

    beta: float = 0.9
    nesterov: bool = False
    name: ClassVar[str] = "momentum"
    slots: ClassVar[tuple[str, ...]] = ("v",)

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "beta", _prob("beta", self.beta))

    def constants(self, dtype):
        return np.asarray(self.beta, dtype), np.asarray(1 - self.beta, dtype)

    def rule(self, ops, coef, theta, grad, v):
        lr, beta, one_minus_beta = coef
        v = ops.ema(v, grad, beta, one_minus_beta)                      # v ← β v + (1 − β) g
        if self.nesterov:
            ops.descend(theta, ops.mix(v, grad, self.beta, 1 - self.beta), lr)   # θ ← θ − α (β v + (1 − β) g)
        else:
            ops.descend(theta, v, lr)                                   # θ ← θ − α v


@dataclass(frozen=True)
class RMSProp(Optimizer):
    """RMSProp: s ← β s + (1 − β) g²;  θ ← θ − α g / (√s + ε), ε outside the root."""

    beta: float = 0.9
    epsilon: float = 1e-8
    name: ClassVar[str] = "rmsprop"
    slots: ClassVar[tuple[str, ...]] = ("s",)

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "beta", _prob("beta", self.beta))
        object.__setattr__(self, "epsilon", _positive("epsilon", self.epsilon, allow_zero=True))

    def constants(self, dtype):
        return np.asarray(self.beta, dtype), np.asarray(1 - self.beta, dtype), np.asarray(self.epsilon, dtype)

    def rule(self, ops, coef, theta, grad, s):
        lr, beta, one_minus_beta, eps = coef
        s = ops.ema_square(s, grad, beta, one_minus_beta)               # s ← β s + (1 − β) g²
        ops.descend(theta, ops.over_root(grad, s, eps), lr)             # θ ← θ − α g / (√s + ε)


@dataclass(frozen=True)
class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015), bias-corrected, ε after the square root.

    v ← β1 v + (1 − β1) g;  s ← β2 s + (1 − β2) g²;  t ← t + 1;
    v̂ = v / (1 − β1^t);  ŝ = s / (1 − β2^t);  θ ← θ − α v̂ / (√ŝ + ε).
    This is PyTorch's ``torch.optim.Adam`` exactly. Keras and scikit-learn add
    their ε to the *uncorrected* √s (see the README's Conventions).
    """

    lr: float = 0.001
    beta1: float = 0.9
    beta2: float = 0.999
    epsilon: float = 1e-8
    name: ClassVar[str] = "adam"
    slots: ClassVar[tuple[str, ...]] = ("v", "s")

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "beta1", _prob("beta1", self.beta1))
        object.__setattr__(self, "beta2", _prob("beta2", self.beta2))
        object.__setattr__(self, "epsilon", _positive("epsilon", self.epsilon, allow_zero=True))

    def coefficients(self, t, lr):
        # α v̂ / (√ŝ + ε) is computed as α_t v / (√s + ε_t) with α_t = α √c2 / c1 and
        # ε_t = ε √c2 (c1, c2 the bias corrections of β1, β2): the same number, one pass fewer.
        root_c2 = np.sqrt(bias_correction(self.beta2, t))
        return lr * root_c2 / bias_correction(self.beta1, t), self.epsilon * root_c2

    def constants(self, dtype):
        return tuple(np.asarray(c, dtype) for c in (self.beta1, 1 - self.beta1, self.beta2, 1 - self.beta2))

    def rule(self, ops, coef, theta, grad, v, s):
        lr_t, eps_t, b1, one_minus_b1, b2, one_minus_b2 = coef
        v = ops.ema(v, grad, b1, one_minus_b1)                          # v ← β1 v + (1 − β1) g
        s = ops.ema_square(s, grad, b2, one_minus_b2)                   # s ← β2 s + (1 − β2) g²
        ops.descend(theta, ops.over_root(v, s, eps_t), lr_t)            # θ ← θ − α v̂ / (√ŝ + ε)


@dataclass(frozen=True)
class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019).

    θ ← θ − α λ_wd θ on the weights (biases are not decayed), then the Adam step,
    as ``torch.optim.AdamW`` does (it decays every parameter it is given).
    """

    weight_decay: float = 0.01
    name: ClassVar[str] = "adamw"
    slots: ClassVar[tuple[str, ...]] = ("v", "s", "decay_mask")

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "weight_decay", _positive("weight_decay", self.weight_decay, allow_zero=True))

    def init(self, theta, weight_mask=None):
        state = super().init(theta)
        state["decay_mask"][...] = 1 if weight_mask is None else np.broadcast_to(weight_mask, theta.shape)
        return state

    def coefficients(self, t, lr):
        return (lr,) + super().coefficients(t, lr)

    def rule(self, ops, coef, theta, grad, v, s, decay_mask):
        lr = coef[0]
        ops.descend(theta, ops.times(theta, decay_mask), lr * self.weight_decay)   # θ ← θ − α λ_wd θ (weights)
        super().rule(ops, coef[1:], theta, grad, v, s)


OPTIMIZERS: dict[str, type[Optimizer]] = {
    "gd": GD, "sgd": GD, "momentum": Momentum, "rmsprop": RMSProp, "adam": Adam, "adamw": AdamW,
}


def get_optimizer(optimizer: Any, lr: float | None = None, **hyper: Any) -> Optimizer:
    """An :class:`Optimizer` from an instance or a name plus hyperparameters (None values ignored)."""
    hyper = {k: v for k, v in hyper.items() if v is not None}
    if isinstance(optimizer, Optimizer):
        extra = {**({"lr": lr} if lr is not None else {}), **hyper}
        if extra:
            name = next(iter(extra))
            raise check.fail(name, extra[name], f"no separate {name} when optimizer is an Optimizer instance "
                             f"(set it on the instance: {optimizer.name}({name}=...))")
        return optimizer
    cls = OPTIMIZERS[check.choice("optimizer", optimizer, OPTIMIZERS)]
    _check_hyper(cls, hyper)
    return cls(**({"lr": lr} if lr is not None else {}), **hyper)


def configure(optimizer: Optimizer, **hyper: Any) -> Optimizer:
    """A copy of ``optimizer`` with some hyperparameters (``lr`` included) changed; None values are ignored."""
    hyper = {k: v for k, v in hyper.items() if v is not None}
    _check_hyper(type(optimizer), {k: v for k, v in hyper.items() if k != "lr"})
    return replace(optimizer, **hyper) if hyper else optimizer


def _check_hyper(cls: type, hyper: dict[str, Any]) -> None:
    allowed = {f.name for f in fields(cls)} - {"lr"}
    for key in hyper:
        if key not in allowed:
            raise check.fail(key, hyper[key], f"no {key} for {cls.name} (it takes {sorted(allowed) or 'only lr'})")
