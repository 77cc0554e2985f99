"""The TensorFlow engine: the same network description, trained with TensorFlow 2.

``fit(net, X, y, engine="tensorflow")`` trains ``net`` with this module's
:class:`TensorFlowRunner`, which implements the interface of
:class:`~descentlab.engines.numpy_engine.NumpyRunner` (``run_epoch``,
``evaluate``, the optimizer state, ``sync_to_net``/``sync_from_net``), so the
fit loop, checkpoints, callbacks and the History are the same whichever
engine runs.

How it computes
---------------
- **One flat variable.** All parameters live in one ``tf.Variable`` of P
  numbers laid out exactly as ``net.theta`` (:mod:`descentlab.core.layout`):
  ``tf.split`` cuts it into the blocks Θ[l] = [W[l] | b[l]], and each block into
  ``W[l]`` and ``b[l]``. Copying the weights back is one copy into ``net.theta``,
  and the optimizer's state vectors have the NumPy engine's names and layout.
- **Forward from the named W, b, example-major**: ``Z = A @ W.T + b``
  (``tf.matmul(A, W, transpose_b=True) + b``) with the losses of ``tf.nn``
  written from the logits. This is a formulation independent of the NumPy
  engine's feature-major augmented kernel, so each engine checks the other.
- **Gradients by autodiff** (``tf.GradientTape``) of the objective
  J = (1/B) Σ_i L_i + λ/(2m) Σ_l ||W_l||², m the training-set size.
- **The optimizers' own update rules**: each optimizer's ``rule`` (the one
  written in :mod:`descentlab.training.optimizers`) runs with this engine's
  primitives, :class:`TensorFlowOps`, on the flat variable, operation for
  operation, so no update rule is restated here (Keras's optimizers would place
  Adam's ε differently). The per-step numbers (Adam's bias-corrected α_t and ε_t
  among them) are the optimizer's own ``coefficients(t, lr)``, computed on the
  host, a table per chunk of steps.
- **Whole chunks of an epoch run in one ``tf.function``**: a ``tf.while_loop``
  over the mini-batches (the order ``perm`` comes from fit, the batches follow
  ``bounds``, the last partial batch included), so there is no Python work per
  step. Between chunks (every :data:`CHUNK_STEPS` steps, so usually once per
  epoch) the runner checks for Ctrl-C.
- **Dropout masks are drawn on the host** with fit's dropout stream, in the
  NumPy engine's order and shapes (per step, per hidden layer with keep_prob < 1,
  :func:`descentlab.core.regularization.keep_mask` of shape (n_l, B)), and fed
  to the graph one tensor per layer and chunk, so both engines train
  identically, dropout included.
- **The non-finite guard runs in the graph**: a step whose cost or squared
  gradient norm is not finite makes no update; it is skipped (``on_nonfinite=
  "skip"``, up to ``max_skips``) or ends the chunk, and the runner reports it as
  the NumPy engine does (the step index, which parameters were kept).

TensorFlow is optional (``pip install 'descentlab[tensorflow]'``). It is
imported when a runner is built, never when this module is imported; a
missing TensorFlow raises :class:`~descentlab.errors.EngineUnavailableError`.
:func:`import_tensorflow` keeps TensorFlow's C++ start-up messages quiet
(``TF_CPP_MIN_LOG_LEVEL=2`` unless already set, and the lines printed before
absl logging starts are dropped); no other global state is touched.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from typing import Any, Callable

import numpy as np

from .. import _checks as check
from ..core.activations import LEAKY_SLOPE
from ..core.regularization import check_masks, keep_mask, l2_penalty_scale, scale_mask
from ..errors import EngineUnavailableError
from .base import EpochAccum, StepFault, batch_bounds, needs_gather, nonfinite_what

INSTALL_HINT = "pip install 'descentlab[tensorflow]'"

#: Steps per ``tf.function`` call; Ctrl-C is honoured between calls.
CHUNK_STEPS = 256

_OK, _SKIPPED, _FAULT = 0, 1, 2


# What TensorFlow's C++ libraries print to stderr when they load, before absl logging is set up (so
# TF_CPP_MIN_LOG_LEVEL cannot filter it): absl's preamble, the oneDNN notice (once per library that
# registers it: twice) and the CPU-feature notice. Only these lines are dropped; anything else is shown.
_STARTUP_NOISE = re.compile(
    r"^(WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|[IW]\d{4} [\d:.]+\s+\d+ (port|cpu_feature_guard)\.cc:\d+\] .*"
    r"|To enable the following instructions: .* in other operations, rebuild TensorFlow with the appropriate "
    r"compiler flags\.)$")


def import_tensorflow():
    """The ``tensorflow`` module, imported quietly, or :class:`EngineUnavailableError` saying how to install it.

    Every part of descentlab that needs TensorFlow imports it through here. Before
    the first import, ``TF_CPP_MIN_LOG_LEVEL=2`` is set (unless already set) and the
    C++ start-up lines TensorFlow writes straight to file descriptor 2 are caught
    and dropped (:data:`_STARTUP_NOISE`); any other line is passed on to stderr.
    Numerics are untouched (``TF_ENABLE_ONEDNN_OPTS`` is left alone).
    """
    if sys.modules.get("tensorflow") is not None:  # already imported (a None entry means "not importable")
        return sys.modules["tensorflow"]
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        with _StartupFilter():
            import tensorflow as tf
    except ImportError as exc:
        raise EngineUnavailableError(
            f"engine='tensorflow' needs TensorFlow, which is not installed; install it with: {INSTALL_HINT}") from exc
    return tf


class _StartupFilter:
    """Catch what is written to file descriptor 2 inside the block; on exit, pass on all but start-up noise."""

    def __enter__(self) -> "_StartupFilter":
        sys.stderr.flush()
        self.saved = os.dup(2)
        self.tmp = tempfile.TemporaryFile()
        os.dup2(self.tmp.fileno(), 2)
        return self

    def __exit__(self, *exc: Any) -> None:
        sys.stderr.flush()
        os.dup2(self.saved, 2)
        os.close(self.saved)
        with self.tmp:
            self.tmp.seek(0)
            text = self.tmp.read().decode("utf-8", errors="replace")
        kept = [line for line in text.splitlines() if line.strip() and not _STARTUP_NOISE.match(line)]
        if kept:
            print("\n".join(kept), file=sys.stderr, flush=True)


# ============================================================================ the model in TensorFlow
class _Graph:
    """The network's math in TensorFlow, from one flat parameter vector.

    Holds only the description (block sizes, activations, output, dtype); every
    method takes the parameters as an argument, so one object serves the
    runner's compiled functions and the eager helpers alike.
    """

    def __init__(self, tf: Any, net: Any) -> None:
        self.tf = tf
        self.dtype = tf.float64 if net.dtype == np.float64 else tf.float32
        self.np_dtype = net.dtype
        self.blocks = net.layout.blocks
        self.sizes = [b.stop - b.start for b in self.blocks]
        self.output = net.output
        slope = tf.constant(LEAKY_SLOPE, self.dtype)
        # not tf.nn.leaky_relu: its alpha is a float32 attribute, 0.01 rounded to 0.0099999998 even in float64
        # (a 2e-10 relative error the parity tests caught); tf.where also gives g'(0) = 0.01, as the NumPy engine
        acts = {"relu": tf.nn.relu, "leaky_relu": lambda z: tf.where(z > 0, z, slope * z),
                "tanh": tf.tanh, "sigmoid": tf.sigmoid}
        self.acts = [acts[h] for h in net.hidden]

    def params(self, theta: Any) -> list[tuple[Any, Any]]:
        """[(W1, b1), ..., (WL, bL)] cut from the flat vector: W[l] (n_l, n_{l-1}), b[l] (n_l,)."""
        tf = self.tf
        out = []
        for block, flat in zip(self.blocks, tf.split(theta, self.sizes)):
            W, b = tf.split(tf.reshape(flat, (block.rows, block.cols)), [block.cols - 1, 1], axis=1)
            out.append((W, tf.reshape(b, (block.rows,))))
        return out

    def forward(self, theta: Any, X: Any, masks: dict[int, Any] | None = None) -> Any:
        """Logits (B, n_L) of inputs X (B, n_0); ``masks[l]`` (B, n_l), already divided by keep_prob."""
        tf = self.tf
        params = self.params(theta)
        A = X
        for l, (W, b) in enumerate(params[:-1]):
            A = self.acts[l](tf.matmul(A, W, transpose_b=True) + b)
            if masks and l in masks:
                A = A * masks[l]
        W, b = params[-1]
        return tf.matmul(A, W, transpose_b=True) + b

    def loss_sum(self, Z: Any, Y: Any) -> Any:
        """Σ_i L_i over the batch, from logits Z and targets Y (B, n_L)."""
        tf = self.tf
        if self.output == "sigmoid":
            return tf.reduce_sum(tf.nn.sigmoid_cross_entropy_with_logits(labels=Y, logits=Z))
        if self.output == "softmax":
            return tf.reduce_sum(tf.nn.softmax_cross_entropy_with_logits(labels=Y, logits=Z))
        return 0.5 * tf.reduce_sum(tf.square(Z - Y))

    def weight_sq(self, theta: Any) -> Any:
        """Σ_l ||W_l||² (weights only)."""
        tf = self.tf
        return tf.add_n([tf.reduce_sum(tf.square(W)) for W, _ in self.params(theta)])

    def correct(self, Z: Any, Y: Any, labels: Any | None) -> Any:
        """How many examples are classified right (float64); for sigmoid outputs, averaged over units.

        The translation of :func:`descentlab.core.outputs.correct_count` (pinned by a parity test).
        """
        tf = self.tf
        if labels is not None:
            hits = tf.equal(tf.argmax(Z, axis=1, output_type=tf.int64), labels)
            return tf.reduce_sum(tf.cast(hits, tf.float64))
        hits = tf.equal(Z > 0, Y > 0.5)
        return tf.reduce_sum(tf.cast(hits, tf.float64)) / float(Z.shape[1])


# ============================================================================ eager helpers (parity, debugging)
def _masks_dict(net: Any, masks: Any, keep_prob: Any, m: int) -> dict[int, np.ndarray]:
    if masks is None:
        return {}
    probs = check.keep_probs(keep_prob, len(net.hidden))
    keep = check_masks(masks, probs, net.layer_dims[1:-1], m)
    return {l: scale_mask(k, kp).astype(net.dtype) for l, (k, kp) in enumerate(zip(keep, probs)) if k is not None}


def forward(net: Any, X: Any, *, masks: Any = None, keep_prob: Any = 1.0) -> np.ndarray:
    """Logits (m, n_L) of ``net`` on raw inputs X computed by TensorFlow (eagerly).

    ``masks``: optional 0/1 arrays (m, n_l), one per hidden layer (None for none), scaled by 1/keep_prob.
    """
    tf = import_tensorflow()
    g = _Graph(tf, net)
    Xp = net.prepare_inputs(X)
    mk = {l: tf.constant(v) for l, v in _masks_dict(net, masks, keep_prob, len(Xp)).items()}
    return g.forward(tf.constant(net.theta), tf.constant(Xp), mk).numpy()


def loss_and_grad(net: Any, X: Any, y: Any, *, l2: float = 0.0, masks: Any = None, keep_prob: Any = 1.0,
                  n_total: int | None = None) -> tuple[float, np.ndarray]:
    """TensorFlow's cost J on (X, y) and its gradient dJ/dθ (flat, in ``net.theta``'s layout), by autodiff.

    The same objective as :meth:`Network.loss_and_grad`: (1/B) Σ_i L_i + λ/(2m) Σ_l ||W_l||², m =
    ``n_total`` (default len(X)); ``masks`` as in :func:`forward`.
    """
    tf = import_tensorflow()
    g = _Graph(tf, net)
    Xp = net.prepare_inputs(X)
    Y = net.encode_targets(y, len(Xp))
    m = len(Xp) if n_total is None else n_total
    mk = {l: tf.constant(v) for l, v in _masks_dict(net, masks, keep_prob, len(Xp)).items()}
    theta = tf.constant(net.theta)
    with tf.GradientTape() as tape:
        tape.watch(theta)
        J = g.loss_sum(g.forward(theta, tf.constant(Xp), mk), tf.constant(Y)) / len(Xp)
        if l2:
            J = J + tf.constant(l2_penalty_scale(l2, m), g.dtype) * g.weight_sq(theta)
    return float(J.numpy()), tape.gradient(J, theta).numpy()


# ============================================================================ the runner
def _check_one_network(opt: Any) -> None:
    """The engine runs the optimizer's rule, for one network: each hyperparameter is one number."""
    if not opt.portable:
        raise check.fail("optimizer", opt, "an optimizer whose update is its rule() for engine='tensorflow' "
                                           "(it runs the rule; an overridden update() runs on the NumPy engine only)")
    for name, value in opt.config().items():
        if isinstance(value, list):
            raise check.fail(f"optimizer.{name}", value, "a single number (the TensorFlow engine trains one network)")


class TensorFlowOps:
    """The primitives of an optimizer's ``rule`` (see :class:`descentlab.training.optimizers.NumpyOps`) in
    TensorFlow: slots and θ are ``tf.Variable`` objects updated with ``assign``, the numbers are cast to the
    parameters' dtype (tensors) or made constants of it (Python and NumPy numbers)."""

    def __init__(self, tf: Any, dtype: Any) -> None:
        self.tf, self.dtype = tf, dtype

    def _c(self, x: Any) -> Any:
        tf = self.tf
        return tf.cast(x, self.dtype) if tf.is_tensor(x) else tf.constant(x, self.dtype)

    def ema(self, slot, x, beta, one_minus_beta):
        return slot.assign(slot * self._c(beta) + x * self._c(one_minus_beta))

    def ema_square(self, slot, x, beta, one_minus_beta):
        return slot.assign(slot * self._c(beta) + (x * x) * self._c(one_minus_beta))

    def over_root(self, x, s, eps):
        return x / (self.tf.sqrt(s) + self._c(eps))

    def mix(self, v, x, beta, one_minus_beta):
        return v * self._c(beta) + self._c(one_minus_beta) * x

    def times(self, a, b):
        return a * b

    def descend(self, theta, step, lr):
        theta.assign_sub(step * self._c(lr))


class _Call:
    """A per-runner callable for ``tf.function``.

    Each runner's functions are traced once. TensorFlow's retracing detector keys
    plain functions and methods by their code object, so runners built one after
    another (a hyperparameter search) would read as one function retraced again
    and again; a distinct callable object is keyed by itself.
    """

    def __init__(self, fn: Callable) -> None:
        self.fn = fn

    def __call__(self, *args: Any) -> Any:
        return self.fn(*args)


class TensorFlowRunner:
    """Trains ``net`` with TensorFlow on prepared arrays X (m, n_0) and Y (m, n_L); see the module docstring.

    Implements :class:`.base.Runner`.
    """

    def __init__(self, net: Any, X: np.ndarray, Y: np.ndarray, labels: np.ndarray | None, cfg: Any,
                 dropout_rng: np.random.Generator) -> None:
        tf = self.tf = import_tensorflow()
        _check_one_network(cfg.optimizer)
        self.net, self.cfg, self.opt = net, cfg, cfg.optimizer
        self.g = _Graph(tf, net)
        self.dtype = self.g.dtype
        self.ops = TensorFlowOps(tf, self.dtype)
        self.m = len(X)
        self.bounds = batch_bounds(self.m, cfg.batch_size)
        self.gather = needs_gather(cfg, self.bounds)
        self.rng = dropout_rng
        self.skipped: list[tuple[int, int, str]] = []
        self.classify = net.head.is_classifier
        self._dropout = [(l, kp) for l, kp in enumerate(cfg.keep_prob) if kp < 1.0]
        self._identity = np.arange(self.m)
        self._constants(X, Y, labels)
        self._variables(net)
        self._compile(X, Y, labels)

    def _constants(self, X: np.ndarray, Y: np.ndarray, labels: np.ndarray | None) -> None:
        tf = self.tf
        self.X, self.Y = tf.constant(X), tf.constant(Y)
        self.labels = None if labels is None else tf.constant(np.asarray(labels, np.int64))
        self._starts = tf.constant([a for a, _ in self.bounds], tf.int64)
        self._stops = tf.constant([b for _, b in self.bounds], tf.int64)
        self._fixed = self.opt.constants(self.net.dtype)  # the optimizer's fixed numbers (β, 1 − β, ...)
        self._n_coef = len(self.opt.coefficients(1, self.opt.lr))

    def _variables(self, net: Any) -> None:
        tf = self.tf
        self.theta = tf.Variable(net.theta, name="theta")
        self._last_good = tf.Variable(net.theta, name="last_good", trainable=False)
        self._t = tf.Variable(0, dtype=tf.int64, name="t", trainable=False)
        template = self.opt.init(np.zeros_like(net.theta), net.layout.weight_mask(net.dtype))
        self._state = {k: tf.Variable(v, name=k, trainable=False) for k, v in template.items()
                       if isinstance(v, np.ndarray)}

    def _compile(self, X: np.ndarray, Y: np.ndarray, labels: np.ndarray | None) -> None:
        tf, dims = self.tf, self.net.layer_dims
        mask_specs = tuple(tf.TensorSpec([None, dims[l + 1]], self.dtype) for l, _ in self._dropout)
        self._train_chunk = tf.function(_Call(self._chunk), autograph=False, input_signature=[
            tf.TensorSpec([self.m], tf.int64),                  # perm
            tf.TensorSpec([], tf.int64),                        # first step
            tf.TensorSpec([], tf.int64),                        # end step
            tf.TensorSpec([None, self._n_coef], tf.float64),   # the optimizer's coefficients, one row per step
            tf.TensorSpec([], tf.int64),                        # skip budget
            mask_specs,
        ])
        label_spec = [tf.TensorSpec([None], tf.int64)] if labels is not None else []
        self._eval = tf.function(_Call(self._evaluate), autograph=False, input_signature=[
            tf.TensorSpec([None, X.shape[1]], self.dtype), tf.TensorSpec([None, Y.shape[1]], self.dtype), *label_spec])
        self._eval_cache: dict[int, tuple] = {}

    # ------------------------------------------------------------------ state
    def optimizer_arrays(self) -> dict[str, np.ndarray]:
        return {k: v.numpy() for k, v in self._state.items()}

    def optimizer_meta(self) -> dict[str, Any]:
        return {"t": int(self._t.numpy())}

    def load_optimizer(self, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> None:
        for k, v in self._state.items():
            v.assign(np.asarray(arrays[k], dtype=self.net.dtype))
        self._t.assign(int(meta["t"]))

    def sync_to_net(self) -> None:
        """Copy the trained parameters into ``net.theta`` (one copy of the flat buffer)."""
        self.net.theta[...] = self.theta.numpy()

    def sync_from_net(self) -> None:
        """Load ``net.theta`` into the engine's variable (after a resume or a restore of the best weights)."""
        self.theta.assign(self.net.theta)

    # ------------------------------------------------------------------ graph
    def _update(self, grad: Any, coef: Any) -> None:
        """θ ← the optimizer's own rule, with this engine's primitives and the step's coefficients."""
        row = tuple(coef[i] for i in range(self._n_coef)) + self._fixed
        self.opt.rule(self.ops, row, self.theta, grad, *(self._state[n] for n in self.opt.slots))
        self._t.assign_add(1)

    def _step(self, s: Any, perm: Any, row0: Any, masks: tuple) -> tuple:
        """Forward, loss and gradient of step s: (logits, targets, labels, data loss sum, L2 term, gradient)."""
        tf, g, theta = self.tf, self.g, self.theta
        start, end = self._starts[s], self._stops[s]
        if self.gather:
            idx = perm[start:end]
            xb, yb = tf.gather(self.X, idx), tf.gather(self.Y, idx)
            lb = None if self.labels is None else tf.gather(self.labels, idx)
        else:
            xb, yb, lb = self.X, self.Y, self.labels
        mk = {l: m[start - row0:end - row0] for (l, _), m in zip(self._dropout, masks)}
        l2term = None
        with tf.GradientTape() as tape:
            Z = g.forward(theta, xb, mk)
            loss = g.loss_sum(Z, yb)
            J = loss / tf.cast(end - start, self.dtype)
            if self.cfg.l2:
                l2term = tf.constant(l2_penalty_scale(self.cfg.l2, self.m), self.dtype) * g.weight_sq(theta)
                J = J + l2term
        return Z, yb, lb, loss, l2term, tape.gradient(J, theta)

    def _chunk(self, perm, s0, s1, coefs, budget, masks):
        """Steps s0 .. s1-1 of an epoch; per step: status, data loss sum, B·L2 term, correct count."""
        tf, f64 = self.tf, self.tf.float64
        t0, row0 = self._t.read_value(), self._starts[s0]

        def body(s, budget, stop, status_ta, loss_ta, l2_ta, correct_ta):
            Z, yb, lb, loss, l2term, grad = self._step(s, perm, row0, masks)
            ok = tf.math.is_finite(loss) & tf.math.is_finite(tf.reduce_sum(grad * grad))

            def apply():
                self._update(grad, coefs[self._t - t0])  # t after this update is t0 + k + 1: the table's row k
                return tf.constant(True)

            tf.cond(ok, apply, lambda: tf.constant(False))
            status = tf.where(ok, _OK, tf.where(budget > 0, _SKIPPED, _FAULT))
            budget = tf.where(status == _SKIPPED, budget - 1, budget)
            i = tf.cast(s - s0, tf.int32)
            B = tf.cast(self._stops[s] - self._starts[s], f64)
            l2rec = tf.cast(l2term, f64) * B if l2term is not None else tf.constant(0.0, f64)
            correct = self.g.correct(Z, yb, lb) if self.classify else tf.constant(0.0, f64)
            return (s + 1, budget, tf.equal(status, _FAULT), status_ta.write(i, status),
                    loss_ta.write(i, tf.cast(loss, f64)), l2_ta.write(i, l2rec), correct_ta.write(i, correct))

        tas = [tf.TensorArray(tf.int32, size=0, dynamic_size=True)] + \
              [tf.TensorArray(f64, size=0, dynamic_size=True) for _ in range(3)]
        out = tf.while_loop(lambda s, b, stop, *_: (s < s1) & tf.logical_not(stop), body,
                            (s0, budget, tf.constant(False), *tas))
        return tuple(ta.stack() for ta in out[3:])

    def _evaluate(self, X, Y, labels=None):
        Z = self.g.forward(self.theta, X)
        loss = self.tf.cast(self.g.loss_sum(Z, Y), self.tf.float64)
        correct = self.g.correct(Z, Y, labels) if self.classify else self.tf.constant(0.0, self.tf.float64)
        return loss, correct

    # -------------------------------------------------------------- host side
    def _draw_masks(self, s0: int, s1: int) -> tuple:
        """The NumPy engine's masks for steps s0..s1-1, one (rows, n_l) array per dropout layer."""
        if not self._dropout:
            return ()
        dims, dtype = self.net.layer_dims, self.net.dtype
        parts: list[list[np.ndarray]] = [[] for _ in self._dropout]
        for s in range(s0, s1):
            B = self.bounds[s][1] - self.bounds[s][0]
            for j, (l, kp) in enumerate(self._dropout):
                keep = keep_mask(self.rng, (dims[l + 1], B), kp)
                parts[j].append(scale_mask(keep.T, kp, np.empty((B, dims[l + 1]), dtype)))
        return tuple(self.tf.constant(np.concatenate(p)) for p in parts)

    def _coefficients(self, lr: float, t0: int, n: int) -> np.ndarray:
        """The optimizer's coefficients of steps t0+1 .. t0+n at rate ``lr``, one row per step."""
        return np.array([self.opt.coefficients(t, lr) for t in range(t0 + 1, t0 + n + 1)], dtype=np.float64)

    def run_epoch(self, epoch: int, perm: np.ndarray, lr: float, acc: EpochAccum,
                  interrupted: Callable[[], bool]) -> StepFault | None:
        """Train the steps ``acc.step ..`` of one epoch; return a fault, or None."""
        tf = self.tf
        self._last_good.assign(self.theta)
        order = tf.constant(np.asarray(perm if self.gather else self._identity, np.int64))
        s, n = acc.step, len(self.bounds)
        while s < n:
            s1 = min(s + CHUNK_STEPS, n)
            budget = self.cfg.max_skips - len(self.skipped) if self.cfg.on_nonfinite == "skip" else 0
            results = self._train_chunk(order, tf.constant(s, tf.int64), tf.constant(s1, tf.int64),
                                        tf.constant(self._coefficients(lr, int(self._t.numpy()), s1 - s)),
                                        tf.constant(max(budget, 0), tf.int64), self._draw_masks(s, s1))
            fault = self._record(epoch, s, acc, *(a.numpy() for a in results))
            if fault is not None:
                return fault
            s = s1
            if interrupted():
                break
        return None

    def _record(self, epoch: int, s: int, acc: EpochAccum, status, losses, l2s, corrects) -> StepFault | None:
        """Add a chunk's steps to the epoch's sums; the fault of the step that ended it, if any."""
        for k, st in enumerate(status):
            step = s + k
            if st == _OK:
                acc.loss += float(losses[k])
                acc.l2 += float(l2s[k])
                if self.classify:
                    acc.correct += float(corrects[k])
                acc.seen += self.bounds[step][1] - self.bounds[step][0]
                acc.step = step + 1
                continue
            what = nonfinite_what(float(losses[k]))
            if st == _SKIPPED:
                self.skipped.append((epoch, step, what))
                acc.step = step + 1
                continue
            acc.step = step
            return self._fault(epoch, step, what)
        return None

    def _fault(self, epoch: int, step: int, what: str) -> StepFault:
        if bool(self.tf.reduce_all(self.tf.math.is_finite(self.theta)).numpy()):
            kept = "the parameters of this step (all finite)"
        else:
            self.theta.assign(self._last_good)
            kept = f"the parameters from the start of epoch {epoch} (the update before this step overflowed)"
        self.sync_to_net()
        return StepFault(step, what, kept)

    def evaluate(self, X: np.ndarray, Y: np.ndarray, labels: np.ndarray | None) -> tuple[float, float | None]:
        """(data cost, accuracy) of the current parameters on prepared arrays X (m, n_0), Y (m, n_L)."""
        tf = self.tf
        key = id(X)
        cached = self._eval_cache.get(key)
        if cached is None or cached[0] is not X:
            args = [tf.constant(X), tf.constant(Y)]
            if self.labels is not None:
                lab = labels if labels is not None else np.asarray(Y).argmax(axis=1)
                args.append(tf.constant(np.asarray(lab, np.int64)))
            cached = self._eval_cache[key] = (X, args)
        loss, correct = self._eval(*cached[1])
        m = len(X)
        cost = float(loss.numpy()) / m
        if not self.classify:
            return cost, None
        return cost, float(correct.numpy()) / m
