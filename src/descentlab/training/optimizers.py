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


@dataclass(frozen=True)
class Optimizer:
    """Base class: subclasses define ``init`` and ``update`` and list their hyperparameters."""

    lr: float = 0.01
    name: ClassVar[str] = "optimizer"

    def __post_init__(self) -> None:
        object.__setattr__(self, "lr", _positive("lr", self.lr))

    def init(self, theta: np.ndarray, weight_mask: np.ndarray | None = None) -> State:
        return {"t": 0, "_tmp": np.zeros_like(theta)}

    def update(self, theta: np.ndarray, grad: np.ndarray, state: State, lr: Any) -> None:
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

    def update(self, theta, grad, state, lr):
        tmp = state["_tmp"]
        np.multiply(grad, lr, out=tmp)
        theta -= tmp
        state["t"] += 1


@dataclass(frozen=True)
class Momentum(Optimizer):
    """Momentum in the course's exponentially weighted form.

    v ← β v + (1 − β) g;  θ ← θ − α v. With ``nesterov=True`` the step looks
    ahead: θ ← θ − α (β v + (1 − β) g) with the updated v. β = 0 is plain GD.
    """

    beta: float = 0.9
    nesterov: bool = False
    name: ClassVar[str] = "momentum"

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "beta", _prob("beta", self.beta))

    def init(self, theta, weight_mask=None):
        return {**super().init(theta), "v": np.zeros_like(theta)}

    def update(self, theta, grad, state, lr):
        v, tmp = state["v"], state["_tmp"]
        np.multiply(grad, 1 - self.beta, out=tmp)
        v *= self.beta
        v += tmp
        if self.nesterov:
            np.multiply(v, self.beta, out=tmp)
            tmp += (1 - self.beta) * grad
            tmp *= lr
        else:
            np.multiply(v, lr, out=tmp)
        theta -= tmp
        state["t"] += 1


@dataclass(frozen=True)
class RMSProp(Optimizer):
    """RMSProp: s ← β s + (1 − β) g²;  θ ← θ − α g / (√s + ε), ε outside the root."""

    beta: float = 0.9
    epsilon: float = 1e-8
    name: ClassVar[str] = "rmsprop"

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "beta", _prob("beta", self.beta))
        object.__setattr__(self, "epsilon", _positive("epsilon", self.epsilon, allow_zero=True))

    def init(self, theta, weight_mask=None):
        return {**super().init(theta), "s": np.zeros_like(theta)}

    def update(self, theta, grad, state, lr):
        s, tmp = state["s"], state["_tmp"]
        np.multiply(grad, grad, out=tmp)
        tmp *= 1 - self.beta
        s *= self.beta
        s += tmp
        np.sqrt(s, out=tmp)
        tmp += self.epsilon
        np.divide(grad, tmp, out=tmp)
        tmp *= lr
        theta -= tmp
        state["t"] += 1


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

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "beta1", _prob("beta1", self.beta1))
        object.__setattr__(self, "beta2", _prob("beta2", self.beta2))
        object.__setattr__(self, "epsilon", _positive("epsilon", self.epsilon, allow_zero=True))

    def init(self, theta, weight_mask=None):
        return {**super().init(theta), "v": np.zeros_like(theta), "s": np.zeros_like(theta)}

    def update(self, theta, grad, state, lr):
        v, s, tmp = state["v"], state["s"], state["_tmp"]
        t = state["t"] = state["t"] + 1
        b1, b2 = self.beta1, self.beta2
        np.multiply(grad, 1 - b1, out=tmp)      # v ← β1 v + (1 − β1) g
        v *= b1
        v += tmp
        np.multiply(grad, grad, out=tmp)        # s ← β2 s + (1 − β2) g²
        tmp *= 1 - b2
        s *= b2
        s += tmp
        # α v̂ / (√ŝ + ε) computed as α_t v / (√s + ε_t), with α_t = α √c2 / c1 and
        # ε_t = ε √c2 (c1 = 1 − β1^t, c2 = 1 − β2^t): the same number, one operation fewer.
        root_c2 = np.sqrt(1 - b2 ** t)
        np.sqrt(s, out=tmp)
        tmp += self.epsilon * root_c2
        np.divide(v, tmp, out=tmp)
        tmp *= lr * root_c2 / (1 - b1 ** t)
        theta -= tmp


@dataclass(frozen=True)
class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019).

    θ ← θ − α λ_wd θ on the weights (biases are not decayed), then the Adam step,
    as ``torch.optim.AdamW`` does (it decays every parameter it is given).
    """

    weight_decay: float = 0.01
    name: ClassVar[str] = "adamw"

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "weight_decay", _positive("weight_decay", self.weight_decay, allow_zero=True))

    def init(self, theta, weight_mask=None):
        mask = np.ones_like(theta) if weight_mask is None else np.broadcast_to(weight_mask, theta.shape).astype(theta.dtype)
        return {**super().init(theta), "decay_mask": mask}

    def update(self, theta, grad, state, lr):
        tmp = state["_tmp"]
        np.multiply(theta, state["decay_mask"], out=tmp)
        tmp *= lr * self.weight_decay
        theta -= tmp
        super().update(theta, grad, state, lr)


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
