"""The numba engine: the NumPy engine's training step, compiled and fused (the default when numba works).

``fit(net, X, y)`` trains with this module's :class:`NumbaRunner` when numba is installed
(``engine="auto"``, the default; ``engine="numba"`` asks for it, ``engine="numpy"`` for the
plain NumPy reference). It computes what :class:`~descentlab.engines.numpy_engine.NumpyRunner`
computes, to rounding, step for step (``tests/test_engine_numba.py`` pins it), with the kernels
of :mod:`.numba_kernels`:

- **Small networks** (the course's): a chunk of steps, up to a whole epoch, is ONE compiled
  call: gather, forward, loss from logits, backward, L2, the non-finite guard and the
  optimizer's update, with no Python or NumPy call per step.
- **Large networks** (SIGNS): the matrix products stay with BLAS, through the core's own
  forward and backward; the batch gather and the tail of the step (L2, the guard and the
  update) are compiled and fused, one pass over the parameters and the optimizer's state
  instead of a dozen.
- **The optimizer's update is its own rule**: :mod:`.numba_rule` traces ``optimizer.rule`` once
  with recording primitives (``TraceOps``, the counterpart of ``NumpyOps`` and ``TensorFlowOps``)
  into a short program that the kernels run; the per-step numbers are the optimizer's
  ``coefficients(t, lr)`` and ``constants(dtype)``. No update rule is restated here.
- **Dropout masks** come from fit's dropout stream, drawn in the NumPy engine's order: the
  uniforms of a chunk are one ``rng.random`` call, the same numbers as step-by-step draws.

numba compiles the kernels on first use and caches the machine code on disk
(see :func:`.numba_kernels.jit`), so later processes start without compiling.
"""

from __future__ import annotations

import functools
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

import numpy as np

from .. import _checks as check
from ..core.activations import ACTIVATIONS, LEAKY_SLOPE
from ..core.outputs import correct_count
from ..core.propagation import Kernel, loss_and_backprop, scaled_masks, with_ones
from ..core.regularization import check_masks, l2_gradient_factor, scale_mask
from ..errors import EngineUnavailableError
from . import numba_kernels as nk
from .base import EpochAccum, StepFault, batch_bounds, needs_gather, nonfinite_what
from .numba_rule import (
    TABLE_ROWS,
    TraceOps,
    fused_update,
    kernel_dir,
    trace_rule,
    update_source,
)

CHUNK_STEPS = 1024
"""Steps per compiled call of a small network; Ctrl-C is honoured between calls."""

KERNEL_PARAMS = 200_000
"""A network of at most this many parameters (multiply-adds per example and step, forward) runs whole
chunks of steps in one kernel; a larger one keeps its matrix products in BLAS (measured: see the
README's performance section)."""

THREADS = os.cpu_count() or 1
"""Threads of the lockstep kernel (see :meth:`NumbaManyRunner._run`): one per core. Measured on the 2-vCPU
machine of the README's performance section (32 moons runs): 1.3× faster than one thread on a quiet machine,
5% slower with a second process burning a core, the same under heavy load. Set it to 1 to never share."""

PARTS_PER_THREAD = 1
"""The runs are cut into this many parts per thread (more parts balance a busy machine better and cost one
hand-over each per epoch)."""


# ============================================================================ the network, for the kernels
def supported(net: Any) -> str | None:
    """None when the kernels implement every activation and the output of ``net``, else what is missing."""
    missing = [h for h in net.hidden if h not in nk.ACTIVATION_CODES]
    if net.output not in nk.OUTPUT_CODES:
        missing.append(net.output)
    return None if not missing else f"the numba kernels do not implement {', '.join(missing)}"


def runs(net: Any, optimizer: Any) -> bool:
    """Whether this engine trains ``net`` with ``optimizer`` (None: not known yet, assumed)."""
    if net is not None and supported(net) is not None:
        return False
    if optimizer is not None:
        try:
            trace_rule(optimizer)
        except Exception:  # an overridden update(), or a rule with primitives TraceOps does not record
            return False
    return True


def small(net: Any) -> bool:
    """Whether a step of ``net`` is cheap enough to run whole chunks of steps in one kernel."""
    return net.n_params <= KERNEL_PARAMS


class Described:
    """A network as the kernels read it: the layer table (``numba_kernels.N_`` ...), the output code,
    consts (leaky slope, 1 − slope, 0) and 1/B in the network's dtype, and the scratch rows it needs.

    ``layout``, ``hidden`` (activation names), ``output`` (its name), ``dtype``; ``dropout[l]``: whether
    hidden layer l drops units (in some run).
    """

    def __init__(self, layout: Any, hidden: tuple[str, ...], output: str, dtype: Any,
                 dropout: tuple[bool, ...]) -> None:
        dims, L = layout.layer_dims, len(layout.layer_dims) - 1
        self.net = np.full((L + 1, 7), -1, np.int64)
        self.net[:, nk.N_] = dims
        self.net[1:, nk.T_] = [b.start for b in layout.blocks]
        rows = 0
        for l in range(L + 1):
            hidden_layer = 0 < l < L
            drop = hidden_layer and dropout[l - 1]
            wanted = {nk.A_: True, nk.D_: l > 0, nk.M_: drop or l == L,
                      nk.P_: drop and not ACTIVATIONS[hidden[l - 1]].sign_only}
            for col, on in wanted.items():
                if on:
                    self.net[l, col], rows = rows, rows + dims[l]
            if hidden_layer:
                self.net[l, nk.G_] = nk.ACTIVATION_CODES[hidden[l - 1]]
        self.rows = rows
        self.out = nk.OUTPUT_CODES[output]
        # core/activations.py's leaky slope, and 1 − slope as the NumPy engine forms its derivative
        self.consts = np.array([LEAKY_SLOPE, 1 - LEAKY_SLOPE, 0.0], dtype)

    @classmethod
    def of(cls, net: Any, keep_prob: tuple[float, ...]) -> Described:
        return cls(net.layout, net.hidden, net.output, net.dtype, tuple(p < 1.0 for p in keep_prob))

    def args(self, batch: int, dtype: Any) -> tuple:
        """(net, out, consts, inv_batch): 1/B for B = 0 .. batch as the NumPy engine's ``ws.inv_batch``."""
        inv_batch = np.array([0.0] + [1.0 / b for b in range(1, batch + 1)], dtype)
        return self.net, self.out, self.consts, inv_batch


def _uniform_count(bounds: list[tuple[int, int]], sizes: list[int]) -> np.ndarray:
    """Uniforms drawn before each step (cumulative): Σ over dropout layers of n_l · B per step."""
    per_unit = sum(sizes)
    return np.cumsum([0] + [per_unit * (b - a) for a, b in bounds])


def _scales(keep_prob: tuple[float, ...], dtype: Any) -> np.ndarray:
    """D/p of a kept unit per hidden layer, as core/regularization.py's ``scale_mask`` computes it."""
    return np.array([scale_mask(np.ones(1, bool), p, np.empty(1, dtype))[0] for p in keep_prob] or [1.0], dtype)


_NO_UNIFORMS = np.zeros(0)
_NO_UNIFORMS_K = np.zeros((1, 0))


# ============================================================================ one network
class NumbaRunner:
    """Trains ``net`` on prepared arrays X (m, n_0) and Y (m, n_L); implements :class:`.base.Runner`.

    The parameters, the gradient, the update's scratch and the optimizer's slots are the rows of one
    register array ``regs``; ``sync_to_net``/``sync_from_net`` copy θ to and from ``net.theta``.
    """

    def __init__(self, net: Any, X: np.ndarray, Y: np.ndarray, labels: np.ndarray | None, cfg: Any,
                 dropout_rng: np.random.Generator) -> None:
        _require(net)
        self.net, self.cfg, self.opt = net, cfg, cfg.optimizer
        self.program = trace_rule(cfg.optimizer)
        self.dtype, self.m = net.dtype, len(X)
        self.X, self.Y = with_ones(X), np.ascontiguousarray(Y)
        self.labels = labels if labels is not None else np.zeros(0, np.int64)
        self.bounds = batch_bounds(self.m, cfg.batch_size)
        self._bounds = np.array(self.bounds, np.int64).reshape(-1, 2)
        self.gather = needs_gather(cfg, self.bounds)
        self._identity = np.arange(self.m)
        self.rng = dropout_rng
        self.skipped: list[tuple[int, int, str]] = []
        self._registers(net)
        self._regularization(net, cfg)
        self.kernel_mode = small(net)
        self._setup_kernel(net) if self.kernel_mode else self._setup_steps(net, labels)
        self._numbers: tuple[Any, int, np.ndarray] | None = None
        self._eval: dict[tuple, Any] = {}

    def _registers(self, net: Any) -> None:
        """regs (scratch, θ, g, slots...) from net.theta and the optimizer's initial state."""
        self.wmask = net.layout.weight_mask(net.dtype)
        state = self.opt.init(net.theta, self.wmask)
        self.regs = np.zeros((3 + len(self.program.slots), net.n_params), self.dtype)
        self.regs[nk.THETA] = net.theta
        for i, name in enumerate(self.program.slots):
            self.regs[3 + i] = state[name]
        self.theta = self.regs[nk.THETA]
        self.last_good = self.theta.copy()
        self.t = int(state["t"])

    def _regularization(self, net: Any, cfg: Any) -> None:
        self.factor = np.ascontiguousarray(l2_gradient_factor(cfg.l2, self.m, self.wmask) if cfg.l2
                                           else np.zeros(0), self.dtype)
        self.keep = np.array(cfg.keep_prob or (1.0,), np.float64)
        self.scale = _scales(cfg.keep_prob, self.dtype)
        self._drop_sizes = [n for n, p in zip(net.layer_dims[1:-1], cfg.keep_prob) if p < 1.0]
        self._draws = _uniform_count(self.bounds, self._drop_sizes)

    def _setup_kernel(self, net: Any) -> None:
        B = max(b - a for a, b in self.bounds)
        desc = Described.of(net, self.cfg.keep_prob)
        self.args = desc.args(B, self.dtype)
        self.ws = np.zeros((max(desc.rows, 1), B), self.dtype)
        self.lbuf = np.zeros(B, np.int64)
        self._res = np.zeros((min(CHUNK_STEPS, len(self.bounds)), nk.RESULT_COLUMNS))
        self._seen = [0] + np.cumsum([b - a for a, b in self.bounds]).tolist()  # examples before each step
        self._train = functools.partial(nk.train_steps, self.X, self.Y, self.labels, self._bounds, *self.args,
                                        self.regs, self.program.code, self.factor, self.keep, self.scale, self.ws,
                                        self.lbuf)

    def _setup_steps(self, net: Any, labels: np.ndarray | None) -> None:
        self.kernel = Kernel.build(net.layout, net.activations, self.regs[nk.THETA], self.regs[nk.GRAD])
        self.out, self.YT = net.head, np.ascontiguousarray(self.Y.T)
        self.consts = np.array([LEAKY_SLOPE, 1 - LEAKY_SLOPE, 0.0], self.dtype)
        dropout = tuple(p < 1.0 for p in self.cfg.keep_prob)
        fused = fused_update(self.program, type(self.opt).__name__, self.dtype)
        code = self.program.code
        self._update = fused if fused is not None else (lambda regs, numbers: nk.update(code, numbers, regs))
        self._ws: dict[int, tuple] = {}
        for start, stop in self.bounds:
            B = stop - start
            if B not in self._ws:
                xb = np.empty((B, self.X.shape[1]), self.dtype) if self.gather else None
                yb = np.empty((self.YT.shape[0], B), self.dtype) if self.gather else None
                lb = np.empty(B, np.int64) if (self.gather and labels is not None) else None
                self._ws[B] = (self.kernel.workspace(self.X[:B], dropout), xb, yb, lb)

    # ------------------------------------------------------------------ state
    def optimizer_arrays(self) -> dict[str, np.ndarray]:
        return {name: self.regs[3 + i] for i, name in enumerate(self.program.slots)}

    def optimizer_meta(self) -> dict[str, Any]:
        return {"t": int(self.t)}

    def load_optimizer(self, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> None:
        for i, name in enumerate(self.program.slots):
            self.regs[3 + i] = arrays[name]
        self.t = int(meta["t"])
        self._numbers = None

    def sync_to_net(self) -> None:
        """Copy the trained parameters into ``net.theta``."""
        self.net.theta[...] = self.theta

    def sync_from_net(self) -> None:
        """Load ``net.theta`` into the engine's parameters (after a resume or a restore)."""
        self.theta[...] = self.net.theta

    # -------------------------------------------------------------- training
    def _table(self, lr: Any, n: int) -> np.ndarray:
        """The numbers of the next n updates (t+1 ..), from a cached table of the optimizer's coefficients."""
        cached = self._numbers
        if cached is None or cached[0] != lr or not (cached[1] <= self.t and self.t + n <= cached[1] + len(cached[2])):
            cached = self._numbers = (lr, self.t, self.program.table(self.opt, self.t, max(n, TABLE_ROWS), lr,
                                                                      self.dtype))
        return cached[2][self.t - cached[1]:self.t - cached[1] + n]

    def _budget(self) -> int:
        return max(self.cfg.max_skips - len(self.skipped), 0) if self.cfg.on_nonfinite == "skip" else 0

    def run_epoch(self, epoch: int, perm: np.ndarray, lr: float, acc: EpochAccum,
                  interrupted: Callable[[], bool]) -> StepFault | None:
        """Train the steps ``acc.step ..`` of one epoch; return a fault, or None."""
        np.copyto(self.last_good, self.theta)  # the fallback if an update itself overflows
        order = perm if (self.gather and perm.dtype == np.int64) else np.asarray(
            perm if self.gather else self._identity, np.int64)
        if not self.kernel_mode:
            return self._steps(epoch, order, lr, acc, interrupted)
        n = len(self.bounds)
        while acc.step < n:
            s = acc.step
            fault = self._chunk(epoch, order, s, min(s + CHUNK_STEPS, n), lr, acc)
            if fault is not None or interrupted():
                return fault
        return None

    def _chunk(self, epoch: int, order: np.ndarray, s: int, s1: int, lr: float, acc: EpochAccum) -> StepFault | None:
        """Steps s .. s1-1 in one kernel call."""
        unif = self.rng.random(int(self._draws[s1] - self._draws[s])) if self._drop_sizes else _NO_UNIFORMS
        res = self._res[:s1 - s]
        stop = self._train(order, s, s1, self._table(lr, s1 - s), unif, self._budget(), res)
        return self._record(epoch, s, int(stop), s1, res, acc)

    def _record(self, epoch: int, s: int, stop: int, s1: int, res: np.ndarray, acc: EpochAccum) -> StepFault | None:
        """Add the chunk's steps to the epoch's sums, one step after the other as the NumPy engine adds them."""
        rows = res[:stop - s].tolist()
        if all(r[0] == nk.OK for r in rows):  # the usual chunk: every step trained
            self.t += len(rows)
            for _, loss, l2, correct in rows:
                acc.loss += loss
                acc.l2 += l2
                acc.correct += correct
            acc.seen += self._seen[stop] - self._seen[s]
        else:
            self._record_each(epoch, s, rows, acc)
        acc.step = stop
        if stop < s1:
            return self._fault(epoch, stop, float(res[stop - s, 1]))
        return None

    def _record_each(self, epoch: int, s: int, rows: list, acc: EpochAccum) -> None:
        for k, (status, loss, l2, correct) in enumerate(rows, start=s):
            if status != nk.OK:
                self.skipped.append((epoch, k, nonfinite_what(loss)))
                continue
            self.t += 1
            acc.loss += loss
            acc.l2 += l2
            acc.correct += correct
            acc.seen += self.bounds[k][1] - self.bounds[k][0]

    def _fault(self, epoch: int, step: int, loss: float) -> StepFault:
        """A step that is not finite, beyond the skip budget: which parameters were kept."""
        if np.isfinite(self.theta).all():
            kept = "the parameters of this step (all finite)"
        else:
            self.theta[...] = self.last_good
            kept = f"the parameters from the start of epoch {epoch} (the update before this step overflowed)"
        self.sync_to_net()
        return StepFault(step, nonfinite_what(loss), kept)

    # ------------------------------------------------------- large networks: BLAS products, fused tail
    def _batch(self, order: np.ndarray, start: int, stop: int) -> tuple:
        """The step's (workspace, X, Y feature-major, labels), gathered in the epoch's order (compiled)."""
        ws, xb, yb, lb = self._ws[stop - start]
        if not self.gather:
            return ws, self.X, self.YT, (self.labels if self.labels.size else None)
        idx = order[start:stop]
        nk.gather_rows(self.X, idx, xb)
        nk.gather_columns(self.YT, idx, yb)
        if lb is not None:
            self.labels.take(idx, out=lb)
        return ws, xb, yb, lb

    def _steps(self, epoch: int, order: np.ndarray, lr: float, acc: EpochAccum,
               interrupted: Callable[[], bool]) -> StepFault | None:
        """Steps ``acc.step ..``: the core's forward and backward (BLAS products), then the compiled tail."""
        kernel, out, keep, regs = self.kernel, self.out, self.cfg.keep_prob, self.regs
        for s in range(acc.step, len(self.bounds)):
            start, stop = self.bounds[s]
            ws, xb, yb, lb = self._batch(order, start, stop)
            masks = scaled_masks(self.rng, ws, keep) if self.cfg.dropout else None
            loss = float(loss_and_backprop(kernel, out, xb, yb, ws, masks))
            status, penalty = nk.guard(loss, regs, self.factor, self.consts, self._budget())
            if status == nk.OK:
                self._update(regs, self._table(lr, 1)[0])
            acc.step = s + 1 if status != nk.FAULT else s
            if status == nk.FAULT:
                return self._fault(epoch, s, loss)
            if status == nk.SKIPPED:
                self.skipped.append((epoch, s, nonfinite_what(loss)))
                continue
            self.t += 1
            acc.loss += loss
            acc.l2 += float(penalty) * (stop - start)
            if out.is_classifier:
                acc.correct += correct_count(ws.A[-1], yb, lb, self.consts[2])
            acc.seen += stop - start
            if interrupted():
                break
        return None

    def evaluate(self, X: np.ndarray, Y: np.ndarray, labels: np.ndarray | None) -> tuple[float, float | None]:
        """(data cost, accuracy) of the current parameters on prepared arrays X (m, n_0), Y (m, n_L)."""
        self.sync_to_net()
        key = (id(X), X.shape)
        if key not in self._eval:
            X1 = with_ones(X)
            self._eval[key] = (X1, np.ascontiguousarray(Y.T), self.net.kernel.workspace(X1))
        X1, YT, ws = self._eval[key]
        logits = self.net.kernel.forward(X1, ws)
        cost = float(self.net.head.loss(logits, YT, None)) / len(X1)
        if not self.net.head.is_classifier:
            return cost, None
        return cost, correct_count(logits, YT, labels) / len(X1)


def loss_and_grad(net: Any, X: Any, y: Any, *, l2: float = 0.0, masks: Any = None, keep_prob: Any = 1.0,
                  n_total: int | None = None) -> tuple[float, np.ndarray]:
    """The kernels' cost J on (X, y), one batch of all of it, and its gradient dJ/dθ (flat, ``net.theta``'s layout).

    The same objective as :meth:`Network.loss_and_grad`: (1/B) Σ_i L_i + λ/(2m) Σ_l ||W_l||², m = ``n_total``
    (default len(X)); ``masks``: optional 0/1 arrays (m, n_l), one per hidden layer (None for none), scaled
    by 1/keep_prob. For gradient checking the compiled path:
    ``check_gradients(net, X, y, gradient=lambda n, X, y: loss_and_grad(n, X, y)[1])``.
    """
    _require(net)
    Xp = net.prepare_inputs(X)
    Y, m = np.ascontiguousarray(net.encode_targets(y, len(Xp))), len(Xp)
    probs = check.keep_probs(keep_prob, len(net.hidden))
    keep = check_masks(masks, probs, net.layer_dims[1:-1], m) if masks is not None else [None] * len(net.hidden)
    probs = tuple(p if k is not None else 1.0 for p, k in zip(probs, keep))
    desc = Described.of(net, probs)
    # the kernels draw D = (u < p): u = 0 keeps a unit and u = 1 drops it, in each layer's (n_l, B) order
    unif = np.concatenate([np.where(k.T, 0.0, 1.0).ravel() for k in keep if k is not None] or [_NO_UNIFORMS])
    regs = np.zeros((3, net.n_params), net.dtype)
    regs[nk.THETA] = net.theta
    labels = Y.argmax(axis=1) if net.output == "softmax" else np.zeros(0, np.int64)
    loss, _, _ = nk.loss_and_grad(with_ones(Xp), Y, labels, np.arange(m), *desc.args(m, net.dtype), regs,
                                  np.array(probs or (1.0,)), _scales(probs, net.dtype), unif, np.int64(0),
                                  np.zeros((max(desc.rows, 1), m), net.dtype), np.zeros(m, np.int64))
    J = float(loss) / m
    if l2:
        factor = l2_gradient_factor(l2, n_total or m, net.layout.weight_mask(net.dtype)).astype(net.dtype)
        J += float(nk.add_l2(regs, factor, desc.consts[2]))
    return J, regs[nk.GRAD].copy()


def _require(net: Any) -> None:
    """Raise when numba is missing (EngineUnavailableError) or does not implement ``net``."""
    if nk.numba is None:
        raise EngineUnavailableError("engine='numba' needs numba, which is not installed; install it with: "
                                     "pip install numba (or use engine='numpy')")
    reason = supported(net)
    if reason:
        raise check.fail("engine", "numba", f"an engine for this network ({reason}); use engine='numpy' or 'auto'")


# ============================================================================ K networks in lockstep
class NumbaManyRunner:
    """K networks of one small architecture trained in lockstep, each run's whole chunk of steps in one
    kernel; implements :class:`.base.LockstepRunner` with the arguments of ``numpy_many.ManyRunner``.

    Run k draws its masks from its own stream in the order a single run draws them (a run whose
    keep_prob is 1 on a layer draws nothing there), so run k ends where ``fit`` with its seed ends.
    """

    def __init__(self, layout: Any, acts: tuple, output: Any, theta: np.ndarray, X: np.ndarray, Y: np.ndarray,
                 labels: np.ndarray | None, optimizer: Any, l2: np.ndarray, keep_prob: np.ndarray,
                 batch_size: int | None, shared_order: bool, dropout_rngs: list, threads: int | None = None) -> None:
        self.K, self.m, dtype = theta.shape[0], len(X), theta.dtype
        self.threads = max(1, min(threads or THREADS, self.K))
        self.optimizer, self.program, self.out = optimizer, trace_rule(optimizer), output
        self.X, self.Y = with_ones(X), np.ascontiguousarray(Y)
        self.labels = labels if labels is not None else np.zeros(0, np.int64)
        self.bounds = batch_bounds(self.m, batch_size)
        self._bounds = np.array(self.bounds, np.int64).reshape(-1, 2)
        self._sizes = (self._bounds[:, 1] - self._bounds[:, 0]).astype(np.float64)
        self.shared, self.rngs, self.layout, self.acts = shared_order, dropout_rngs, layout, acts
        self._registers(layout, theta, optimizer)
        self.factor = (np.ascontiguousarray(l2_gradient_factor(l2[:, None], self.m, self.wmask), dtype)
                       if (l2 > 0).any() else np.zeros((1, 0), dtype))
        self.keep = np.ascontiguousarray(keep_prob, np.float64).reshape(self.K, -1)
        if self.keep.shape[1] == 0:
            self.keep = np.ones((self.K, 1))
        self.scale = np.stack([_scales(tuple(row), dtype) for row in self.keep])
        desc = Described(layout, tuple(a.name for a in acts), output.name, dtype,
                         tuple(bool((self.keep[:, l] < 1).any()) for l in range(len(acts))))
        B = max(b - a for a, b in self.bounds)
        self.args = desc.args(B, dtype)
        self.ws = np.zeros((self.K, max(desc.rows, 1), B), dtype)
        self.lbuf = np.zeros((self.K, B), np.int64)
        self.alive = np.ones(self.K, bool)
        self._numbers: tuple[Any, int, np.ndarray] | None = None
        self._counts: list[int] | None = None
        self._res = np.zeros((self.K, len(self.bounds), nk.RESULT_COLUMNS))
        self._stops = np.zeros(self.K, np.int64)
        self._sums = np.zeros((self.K, 4))

    def _registers(self, layout: Any, theta: np.ndarray, optimizer: Any) -> None:
        self.wmask = layout.weight_mask(theta.dtype)
        state = optimizer.init(theta, self.wmask)
        self.regs = np.zeros((self.K, 3 + len(self.program.slots), theta.shape[1]), theta.dtype)
        self.regs[:, nk.THETA] = theta
        for i, name in enumerate(self.program.slots):
            self.regs[:, 3 + i] = state[name]
        self.theta = self.regs[:, nk.THETA]  # (K, P): row k is run k's parameters
        self.t = 0

    def _uniforms(self) -> np.ndarray:
        """Each run's uniforms for one epoch, drawn from its own stream (rows zero-padded)."""
        if self._counts is None:
            sizes = self.layout.layer_dims[1:-1]
            self._counts = [int(_uniform_count(self.bounds, [n for n, p in zip(sizes, row) if p < 1.0])[-1])
                            for row in self.keep]
        if not any(self._counts):
            return _NO_UNIFORMS_K
        unif = np.zeros((self.K, max(self._counts)))
        for k, (rng, c) in enumerate(zip(self.rngs, self._counts)):
            if c:
                unif[k, :c] = rng.random(c)
        return unif

    def _table(self, lr: Any, n: int) -> tuple[np.ndarray, int]:
        """Each run's numbers of the next n updates: a cached table (K, rows, numbers) and the row of t + 1."""
        cached = self._numbers
        if cached is None or not np.array_equal(cached[0], lr) or self.t + n > cached[1] + cached[2].shape[1]:
            cached = self._numbers = (np.array(lr), self.t, self.program.table(
                self.optimizer, self.t, max(n, TABLE_ROWS), lr, self.theta.dtype, runs=self.K))
        return cached[2], self.t - cached[1]

    def run_epoch(self, perm: np.ndarray, lr: np.ndarray, acc: dict[str, np.ndarray]) -> list[tuple[int, int, str]]:
        """One epoch of every live run (``perm`` (m,) shared or (K, m)); returns (run, step, what) of the
        runs that stopped because a cost or gradient was not finite."""
        perms = np.asarray(perm, np.int64).reshape(-1, self.m)
        n = len(self.bounds)
        res, stops, sums = self._res, self._stops, self._sums
        stops.fill(n)
        sums.fill(0.0)
        numbers, row0 = self._table(lr, n)
        self._run(perms, numbers, row0, [self.regs, self.factor, self.keep, self.scale, self._uniforms(), self.ws,
                                         self.lbuf, self.alive, res, stops, sums])
        self.t += n  # every live run updated at every step (a run that stops trains no more)
        for key, col in (("loss", 0), ("l2", 1), ("correct", 2), ("seen", 3)):
            acc[key] += sums[:, col]
        faults = []
        for k in np.flatnonzero(self.alive & (stops < n)):
            self.alive[k] = False
            faults.append((int(k), int(stops[k]), nonfinite_what(float(res[k, stops[k], 1]))))
        return faults

    def _run(self, perms: np.ndarray, numbers: np.ndarray, row0: int, per_run: list) -> None:
        """The kernel on every run: in one call, or in parts of the runs on ``threads`` threads (the kernels
        release the GIL; a thread that waits blocks rather than spins, so a busy machine costs no more than
        one thread would)."""
        parts = _parts(self.K, self.threads)
        if len(parts) == 1:
            return self._kernel(perms, numbers, row0, per_run)
        def cut(a: np.ndarray, k0: int, k1: int) -> np.ndarray:
            return a[k0:k1] if len(a) == self.K else a  # an array of one row is shared by all runs

        jobs = [(cut(perms, k0, k1), numbers[k0:k1], row0, [cut(a, k0, k1) for a in per_run]) for k0, k1 in parts]
        futures = [_pool(self.threads - 1).submit(self._kernel, *job) for job in jobs[1:]]
        self._kernel(*jobs[0])  # this thread takes the first part
        for f in futures:
            f.result()

    def _kernel(self, perms: np.ndarray, numbers: np.ndarray, row0: int, per_run: list) -> None:
        nk.train_lockstep(self.X, self.Y, self.labels, self._bounds, *self.args, self.program.code, perms, 0,
                          len(self.bounds), per_run[0], numbers, row0, *per_run[1:])

    def evaluate(self, X: np.ndarray, Y: np.ndarray, labels: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None]:
        """Per-run (data cost, accuracy) on prepared arrays X (m, n_0), Y (m, n_L)."""
        theta = np.ascontiguousarray(self.theta)
        kernel = Kernel.build(self.layout, self.acts, theta, None)
        X1, YT = with_ones(X), np.ascontiguousarray(Y.T)
        logits = kernel.forward(X1, kernel.workspace(np.empty((self.K,) + X1.shape, X1.dtype)))
        with np.errstate(over="ignore", invalid="ignore"):
            cost = self.out.loss(logits, YT, None) / len(X1)
        acc = correct_count(logits, YT, labels) / len(X1) if self.out.is_classifier else None
        return cost, acc


def _parts(K: int, threads: int) -> list[tuple[int, int]]:
    """[(k0, k1), ...]: the runs cut into about PARTS_PER_THREAD parts per thread (one part for one thread)."""
    if threads <= 1:
        return [(0, K)]
    edges = np.linspace(0, K, min(K, threads * PARTS_PER_THREAD) + 1).round().astype(int)
    return [(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:]) if b > a]


_POOLS: dict[int, ThreadPoolExecutor] = {}


def _pool(threads: int) -> ThreadPoolExecutor:
    """A pool of ``threads`` threads, made once per process."""
    if threads not in _POOLS:
        _POOLS[threads] = ThreadPoolExecutor(threads, thread_name_prefix="descentlab-numba")
    return _POOLS[threads]


__all__ = ["NumbaRunner", "NumbaManyRunner", "loss_and_grad", "runs", "small", "supported", "TraceOps", "trace_rule",
           "update_source", "fused_update", "kernel_dir", "TABLE_ROWS"]
