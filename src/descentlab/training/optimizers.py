"""Optimizers: ``init(theta) -> state`` and ``update(theta, grad, state, lr)`` pairs.

Each acts on the WHOLE flat parameter buffer at once, in place, with a handful
of vectorized operations and no per-layer loop. ``lr`` is the learning rate of
the current step (the schedule's value); ``state`` is a dict of arrays shaped
like ``theta`` plus the step count ``t``, so a checkpoint can store it as is.
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

How these map onto other libraries is in the README's Conventions table and
pinned by tests/test_optimizers.py.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, ClassVar

import numpy as np

from ..core import _checks as check

State = dict[str, Any]


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


CHUNK = 32_768
"""Parameters per block of an update. A step makes a dozen passes over its arrays; done a block
at a time, the block's arrays stay in the core's cache between passes (about 25% faster for
the 308k-parameter SIGNS network; a small network is one block)."""


def _blocks(theta: np.ndarray, grad: np.ndarray, state: State, names: tuple[str, ...]) -> list[tuple]:
    """(theta, grad, tmp, *slots) views, one tuple per block of the last axis; cached in the state."""
    cached = state.get("_blocks")
    if cached is not None and cached[0] is theta and cached[1] is grad:
        return cached[2]
    arrays = (theta, grad, state["_tmp"]) + tuple(state[n] for n in names)
    size = theta.shape[-1]
    blocks = [tuple(a[..., i:i + CHUNK] for a in arrays) for i in range(0, size, CHUNK)]
    state["_blocks"] = (theta, grad, blocks)
    return blocks


@dataclass(frozen=True)
class Optimizer:
    """Base class: a subclass lists its state arrays (``slots``), computes the step's scalars
    (``coefficients``) and applies the rule to one block of arrays (``apply``)."""

    lr: float = 0.01
    name: ClassVar[str] = "optimizer"
    slots: ClassVar[tuple[str, ...]] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "lr", _positive("lr", self.lr))

    def init(self, theta: np.ndarray, weight_mask: np.ndarray | None = None) -> State:
        """The state: the step count t, zero arrays shaped like theta, and a scratch array."""
        return {"t": 0, "_tmp": np.zeros_like(theta), **{n: np.zeros_like(theta) for n in self.slots}}

    def constants(self, dtype: Any) -> tuple:
        """The step's fixed numbers as 0-d arrays of the parameters' dtype (a NumPy call converts a
        Python number on every call; an array it does not)."""
        return ()

    def update(self, theta: np.ndarray, grad: np.ndarray, state: State, lr: Any) -> None:
        """One step with learning rate ``lr``, in place on ``theta`` and ``state``."""
        t = state["t"] = state["t"] + 1
        const = state.get("_const")
        if const is None:
            const = state["_const"] = self.constants(theta.dtype)
        coef = self.coefficients(t, lr) + const
        for block in _blocks(theta, grad, state, self.slots):
            self.apply(coef, *block)

    def coefficients(self, t: int, lr: Any) -> tuple:
        return (lr,)

    def apply(self, coef: tuple, theta: np.ndarray, grad: np.ndarray, tmp: np.ndarray, *slots: np.ndarray) -> None:
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

    def apply(self, coef, theta, grad, tmp):
        (lr,) = coef
        np.multiply(grad, lr, out=tmp)
        theta -= tmp                      # θ ← θ − α g


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

    def apply(self, coef, theta, grad, tmp, v):
        lr, beta, one_minus_beta = coef
        np.multiply(grad, one_minus_beta, out=tmp)
        v *= beta
        v += tmp                          # v ← β v + (1 − β) g
        if self.nesterov:
            np.multiply(v, self.beta, out=tmp)
            tmp += (1 - self.beta) * grad  # β v + (1 − β) g
            tmp *= lr
        else:
            np.multiply(v, lr, out=tmp)
        theta -= tmp                      # θ ← θ − α v


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

    def apply(self, coef, theta, grad, tmp, s):
        lr, beta, one_minus_beta, eps = coef
        np.multiply(grad, grad, out=tmp)
        tmp *= one_minus_beta
        s *= beta
        s += tmp                          # s ← β s + (1 − β) g²
        np.sqrt(s, out=tmp)
        tmp += eps                        # √s + ε
        np.divide(grad, tmp, out=tmp)
        tmp *= lr
        theta -= tmp                      # θ ← θ − α g / (√s + ε)


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
        # ε_t = ε √c2 (c1 = 1 − β1^t, c2 = 1 − β2^t): the same number, one pass fewer.
        root_c2 = np.sqrt(1 - self.beta2 ** t)
        return lr * root_c2 / (1 - self.beta1 ** t), self.epsilon * root_c2

    def constants(self, dtype):
        return tuple(np.asarray(c, dtype) for c in (self.beta1, 1 - self.beta1, self.beta2, 1 - self.beta2))

    def apply(self, coef, theta, grad, tmp, v, s):
        lr_t, eps_t, b1, one_minus_b1, b2, one_minus_b2 = coef
        np.multiply(grad, one_minus_b1, out=tmp)
        v *= b1
        v += tmp                          # v ← β1 v + (1 − β1) g
        np.multiply(grad, grad, out=tmp)
        tmp *= one_minus_b2
        s *= b2
        s += tmp                          # s ← β2 s + (1 − β2) g²
        np.sqrt(s, out=tmp)
        tmp += eps_t
        np.divide(v, tmp, out=tmp)
        tmp *= lr_t
        theta -= tmp                      # θ ← θ − α v̂ / (√ŝ + ε)


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

    def apply(self, coef, theta, grad, tmp, v, s, decay_mask):
        lr = coef[0]
        np.multiply(theta, decay_mask, out=tmp)
        tmp *= lr * self.weight_decay
        theta -= tmp                      # θ ← θ − α λ_wd θ (weights)
        super().apply(coef[1:], theta, grad, tmp, v, s)


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
    allowed = {f.name for f in fields(cls)} - {"lr"}
    for key in hyper:
        if key not in allowed:
            raise check.fail(key, hyper[key], f"no {key} for {cls.name} (it takes {sorted(allowed) or 'only lr'})")
    return cls(**({"lr": lr} if lr is not None else {}), **hyper)
