"""The numba engine's kernels: plain Python loops, compiled by numba when it is installed.

Every function here is ordinary Python over NumPy arrays and numbers; :func:`jit`
compiles it with numba (machine code cached on disk, see :func:`jit`), and with
``NUMBA_DISABLE_JIT=1`` the very same code runs as Python, slowly, for reading
and debugging. Each kernel is the compiled form of a rule that has its home in
the core or in the training layer, and says which; the parity tests
(``tests/test_engine_numba.py``) pin each one against its home by name:

- activations g(z) and g'(a): the table of :mod:`descentlab.core.activations`;
- the losses from logits, dJ/dZ = (A − Y)/B and the correct count: :mod:`descentlab.core.outputs`;
- L2 (grad += (λ/m)·W, penalty ½ Σ (λ/m)·W·θ) and inverted dropout (D = (u < p), D/p):
  :mod:`descentlab.core.regularization`;
- forward and backward propagation on augmented blocks Θ = [W | b]: :mod:`descentlab.core.propagation`;
- the optimizers: NOT restated here. Each optimizer's own ``rule`` is traced once into a short
  program over the primitives of ``NumpyOps`` (``descentlab.engines.numba_engine.trace_rule``);
  :func:`apply_update` runs that program, one primitive per opcode below, in a single pass
  over the buffers (a cache-sized block at a time), with the step's numbers from the
  optimizer's ``coefficients(t, lr)`` and ``constants(dtype)``.

Layout, as in the NumPy engine: parameters in one flat buffer of blocks Θ[l] (n_l, n_{l-1}+1), a row
of the register array ``regs`` (scratch, θ, g, the optimizer's slots: (registers, P)); activations
feature-major, layer l's (n_l, B) in rows of one scratch matrix ``ws`` (rows, B_max); inputs X (m, n_0
+ 1) example-major with a last column of ones. Kernels index these arrays directly (no views), so a
step of a small network costs no allocation and little more than its arithmetic.
"""

from __future__ import annotations

import math

import numpy as np

try:
    import numba
except ImportError:  # the engine registry reports it and falls back to NumPy
    numba = None

# hidden activations (codes of descentlab.core.activations.ACTIVATIONS)
RELU, LEAKY_RELU, TANH, SIGMOID = 0, 1, 2, 3
ACTIVATION_CODES = {"relu": RELU, "leaky_relu": LEAKY_RELU, "tanh": TANH, "sigmoid": SIGMOID}
# output heads (codes of descentlab.core.outputs.OUTPUTS)
OUT_SIGMOID, OUT_SOFTMAX, OUT_LINEAR = 0, 1, 2
OUTPUT_CODES = {"sigmoid": OUT_SIGMOID, "softmax": OUT_SOFTMAX, "linear": OUT_LINEAR}
# the primitives of an optimizer rule (the methods of descentlab.training.optimizers.NumpyOps)
EMA, EMA_SQUARE, OVER_ROOT, MIX, TIMES, DESCEND = 0, 1, 2, 3, 4, 5
TMP, THETA, GRAD = 0, 1, 2  # rows of ``regs``, the registers of an update program; slot i is row 3 + i
# what happened to a step (train_steps' results)
OK, SKIPPED, FAULT = 0, 1, 2
RESULT_COLUMNS = 4  # status, data loss sum, B · L2 penalty, correct count

BLOCK = 512
"""Elements per block of an update: the program's passes over a block stay in the core's L1 cache."""

# columns of the layer table ``net`` (L+1, 7), one row per layer l = 0 .. L
N_, T_, A_, D_, M_, P_, G_ = range(7)
"""n_l; where Θ[l] starts in the buffer; the first row in ``ws`` of A[l] (layer 0: the gathered batch),
of dJ/dA[l] (then dJ/dZ[l]), of the dropout mask D/p (-1: none; the output layer: the gathered
targets) and of g(Z) before dropout (-1: not kept); the activation code."""


def jit(fn=None, **options):
    """Compile ``fn`` with numba: nopython, IEEE division (``error_model="numpy"``), cached on disk.

    The cache lives next to this file (``__pycache__``) when that is writable, else in the user's
    cache directory (numba's user-wide locator), or under ``NUMBA_CACHE_DIR`` when that is set;
    when no place is writable the kernel is compiled in memory on each start.
    """
    if fn is None:
        return lambda f: jit(f, **options)
    if numba is None:  # plain Python: the module still imports, and the registry reports numba missing
        return fn
    settings = {"error_model": "numpy", "nogil": True, **options}
    try:
        return numba.njit(cache=True, **settings)(fn)
    except RuntimeError:  # numba found no writable cache directory
        return numba.njit(cache=False, **settings)(fn)


# ============================================================================ elementwise rules
@jit
def activate(code, z, slope):
    """g(z) (core/activations.py): relu max(z, 0); leaky max(z, s z); tanh; sigmoid ½(1 + tanh(z/2)).

    NaN propagates as in NumPy's ``maximum`` (a NaN z gives NaN).
    """
    if code == RELU:
        return z if (z >= 0.0 or math.isnan(z)) else 0.0
    if code == LEAKY_RELU:
        sz = slope * z
        return z if (z >= sz or math.isnan(z)) else sz
    if code == TANH:
        return math.tanh(z)
    return (math.tanh(z * 0.5) + 1.0) * 0.5


@jit
def derivative(code, a, slope, one_minus_slope):
    """g'(z) written with a = g(z) (core/activations.py): relu sign(a); leaky (a > 0)(1 − s) + s;
    tanh 1 − a²; sigmoid (1 − a) a."""
    if code == RELU:
        return 1.0 if a > 0.0 else (0.0 if a <= 0.0 else a)
    if code == LEAKY_RELU:
        return (1.0 if a > 0.0 else 0.0) * one_minus_slope + slope
    if code == TANH:
        return 1.0 - a * a
    return (1.0 - a) * a


@jit
def softplus(z):
    """log(1 + e^z) as NumPy's ``logaddexp(0, z)`` computes it (core/outputs.py, the BCE from logits)."""
    if z == 0.0:
        return math.log(2.0)
    if -z > 0.0:
        return math.log1p(math.exp(z))
    if -z <= 0.0:
        return z + math.log1p(math.exp(-z))
    return -z  # NaN


# ============================================================================ forward (core/propagation.py)
@jit
def gather(X, Y, labels, idx, ws, x_row, y_row, lb):
    """The batch ``idx`` in the engine's layout: inputs into rows x_row.. (n_0, B), targets into rows
    y_row.. (n_L, B) of ``ws``, labels into lb (when there are labels)."""
    n0, nL = X.shape[1] - 1, Y.shape[1]
    for i in range(idx.size):
        r = idx[i]
        for k in range(n0):
            ws[x_row + k, i] = X[r, k]
        for j in range(nL):
            ws[y_row + j, i] = Y[r, j]
        if lb.size:
            lb[i] = labels[r]


@jit
def affine(theta, t0, n, n_prev, ws, src, dst, B):
    """Z = Θ [A; 1] into rows dst.. from A in rows src..: for each unit, Σ_k Θ[j, k] A[k, :] in
    order, then the bias (the ones row last). Θ (n, n_prev + 1) starts at theta[t0]."""
    cols = n_prev + 1
    for j in range(n):
        w = t0 + j * cols
        w0, z = theta[w], dst + j
        for i in range(B):
            ws[z, i] = w0 * ws[src, i]
        for k in range(1, n_prev):
            wk = theta[w + k]
            for i in range(B):
                ws[z, i] += wk * ws[src + k, i]
        b = theta[w + n_prev]
        for i in range(B):
            ws[z, i] += b


@jit
def hidden_forward(code, ws, z, n, B, mask, pre, keep, scale, unif, pos, slope):
    """A = g(Z) in rows z..; with dropout (mask >= 0) draw D/p from the uniforms u (core/regularization.py
    ``draw_mask``: D/p = scale where u < p, else 0; u in (n, B) order from unif[pos]), keep g(Z) in rows
    pre.. (when g' needs it) and multiply. Returns the next unused uniform."""
    draw = mask >= 0 and keep < 1.0  # in lockstep, a run that keeps every unit draws nothing (D/p = 1)
    for j in range(n):
        for i in range(B):
            a = activate(code, ws[z + j, i], slope)
            if mask >= 0:
                d = (scale if unif[pos + j * B + i] < keep else 0.0) if draw else 1.0
                ws[mask + j, i] = d
                if pre >= 0:
                    ws[pre + j, i] = a
                a = a * d
            ws[z + j, i] = a
    return pos + n * B if draw else pos


@jit
def forward(theta, net, ws, B, keep, scale, unif, pos, slope):
    """Fill A[1..L] from the gathered batch A[0] (layer table ``net``); returns the next unused uniform."""
    L = net.shape[0] - 1
    for l in range(1, L + 1):
        affine(theta, net[l, T_], net[l, N_], net[l - 1, N_], ws, net[l - 1, A_], net[l, A_], B)
        if l < L:
            pos = hidden_forward(net[l, G_], ws, net[l, A_], net[l, N_], B, net[l, M_], net[l, P_],
                                 keep[l - 1], scale[l - 1], unif, pos, slope)
    return pos


# ============================================================================ losses (core/outputs.py)
@jit
def loss_sigmoid(ws, z, y, d, n, B):
    """BCE from logits: Σ softplus(z) − Σ y z; dL/dz = σ(z) − y with σ(z) = exp(z − softplus(z))."""
    total, yz = 0.0, 0.0
    for j in range(n):
        for i in range(B):
            zz, t = ws[z + j, i], ws[y + j, i]
            sp = softplus(zz)
            total += sp
            yz += t * zz
            ws[d + j, i] = math.exp(zz - sp) - t
    return total - yz


@jit
def loss_softmax(ws, z, y, d, n, B):
    """CE from logits per example (column): log Σ e^(z − max) − Σ (z − max) y; dL/dz = softmax − y."""
    total = 0.0
    for i in range(B):
        top = ws[z, i]
        for j in range(1, n):
            if ws[z + j, i] > top or math.isnan(ws[z + j, i]):
                top = ws[z + j, i]
        s, sy = 0.0, 0.0
        for j in range(n):
            e = math.exp(ws[z + j, i] - top)
            ws[d + j, i] = e
            s += e
            sy += (ws[z + j, i] - top) * ws[y + j, i]
        total += math.log(s) - sy
        for j in range(n):
            ws[d + j, i] = ws[d + j, i] / s - ws[y + j, i]
    return total


@jit
def loss_linear(ws, z, y, d, n, B):
    """Half squared error: ½ Σ (z − y)²; dL/dz = z − y."""
    total = 0.0
    for j in range(n):
        for i in range(B):
            e = ws[z + j, i] - ws[y + j, i]
            ws[d + j, i] = e
            total += e * e
    return 0.5 * total


@jit
def correct_count(out, ws, z, y, n, B, labels):
    """Examples classified right (core/outputs.py ``correct_count``): softmax, the label's logit is the
    first largest (argmax); sigmoid, the fraction of units whose (z > 0) equals the target."""
    right = 0
    if out == OUT_SOFTMAX:
        for i in range(B):
            best, arg = ws[z, i], 0
            for j in range(1, n):
                if math.isnan(best):
                    break
                if ws[z + j, i] > best or math.isnan(ws[z + j, i]):
                    best, arg = ws[z + j, i], j
            right += 1 if arg == labels[i] else 0
        return float(right)
    for j in range(n):
        for i in range(B):
            right += 1 if (1.0 if ws[z + j, i] > 0.0 else 0.0) == ws[y + j, i] else 0
    return right / n


@jit
def output_loss(out, ws, net, B, inv_batch):
    """The head's summed loss; rows D[L] get (A − Y)/B, where the backward pass starts."""
    L = net.shape[0] - 1
    z, y, d, n = net[L, A_], net[L, M_], net[L, D_], net[L, N_]
    if out == OUT_SIGMOID:
        total = loss_sigmoid(ws, z, y, d, n, B)
    elif out == OUT_SOFTMAX:
        total = loss_softmax(ws, z, y, d, n, B)
    else:
        total = loss_linear(ws, z, y, d, n, B)
    for j in range(n):
        for i in range(B):
            ws[d + j, i] *= inv_batch
    return total


# ============================================================================ backward (core/propagation.py)
@jit(fastmath={"reassoc", "nsz"})
def weight_grad(grad, t0, n, n_prev, ws, dz, src, B, zero):
    """dΘ = dZ [A; 1]ᵀ: dΘ[j, k] = Σ_i dZ[j, i] A[k, i], the bias column Σ_i dZ[j, i] (sums vectorized,
    in the compiler's order as in BLAS; ``zero`` is 0 in the parameters' dtype)."""
    cols = n_prev + 1
    for j in range(n):
        for k in range(n_prev):
            s = zero
            for i in range(B):
                s += ws[dz + j, i] * ws[src + k, i]
            grad[t0 + j * cols + k] = s
        s = zero
        for i in range(B):
            s += ws[dz + j, i]
        grad[t0 + j * cols + n_prev] = s


@jit
def input_grad(theta, t0, n, n_prev, ws, dz, da, B):
    """dA = Θ[:, :-1]ᵀ dZ into rows da.. (the ones row gets none): dA[k, :] = Σ_j Θ[j, k] dZ[j, :]."""
    cols = n_prev + 1
    for k in range(n_prev):
        w = theta[t0 + k]
        for i in range(B):
            ws[da + k, i] = w * ws[dz, i]
        for j in range(1, n):
            w = theta[t0 + j * cols + k]
            for i in range(B):
                ws[da + k, i] += w * ws[dz + j, i]


@jit
def hidden_backward(code, ws, da, a, mask, n, B, slope, one_minus_slope):
    """dZ = dA · D/p (with dropout: mask >= 0) · g'(z), from a = g(z) in rows a.., in place in rows da.."""
    for j in range(n):
        for i in range(B):
            g = ws[da + j, i]
            if mask >= 0:
                g = g * ws[mask + j, i]
            ws[da + j, i] = g * derivative(code, ws[a + j, i], slope, one_minus_slope)


@jit
def backward(theta, grad, net, ws, B, consts):
    """From dJ/dZ[L] (rows D[L]), write every dΘ[l] = [dW[l] | db[l]] into ``grad``."""
    slope, one_minus_slope, zero = consts[0], consts[1], consts[2]
    for l in range(net.shape[0] - 1, 0, -1):
        n, n_prev = net[l, N_], net[l - 1, N_]
        weight_grad(grad, net[l, T_], n, n_prev, ws, net[l, D_], net[l - 1, A_], B, zero)
        if l > 1:
            input_grad(theta, net[l, T_], n, n_prev, ws, net[l, D_], net[l - 1, D_], B)
            mask, pre = net[l - 1, M_], net[l - 1, P_]
            a = pre if (mask >= 0 and pre >= 0) else net[l - 1, A_]
            hidden_backward(net[l - 1, G_], ws, net[l - 1, D_], a, mask, n_prev, B, slope, one_minus_slope)


# ============================================================================ L2, the guard, the update
@jit(fastmath={"reassoc", "nsz"})
def add_l2(regs, factor, zero):
    """g += factor · θ (factor = λ/m on weights, 0 on biases; core/regularization.py ``add_l2_gradient``);
    returns the penalty ½ Σ (factor · θ) · θ."""
    s = zero
    for p in range(regs.shape[1]):
        t = regs[THETA, p] * factor[p]
        regs[GRAD, p] += t
        s += t * regs[THETA, p]
    return 0.5 * s


@jit(fastmath={"reassoc", "nsz"})
def squared_norm(regs, zero):
    """Σ g² in g's dtype (it overflows where NumPy's ``dot(g, g)`` does): the non-finite guard."""
    s = zero
    for p in range(regs.shape[1]):
        s += regs[GRAD, p] * regs[GRAD, p]
    return s


@jit
def primitive(op, regs, d, x, y, b0, b1, c0, c1):
    """One primitive of ``NumpyOps`` (training/optimizers.py) on elements b0..b1 of registers d, x, y,
    the same operations in the same order: ema d ← d c0 + x c1; ema_square d ← d c0 + x² c1;
    over_root d ← x / (√y + c0); mix d ← x c0 + c1 y; times d ← x y; descend d ← d − x c0."""
    rd, rx, ry = regs[d, b0:b1], regs[x, b0:b1], regs[y, b0:b1]
    if op == EMA:
        for i in range(rd.size):
            rd[i] = rd[i] * c0 + rx[i] * c1
    elif op == EMA_SQUARE:
        for i in range(rd.size):
            rd[i] = rd[i] * c0 + (rx[i] * rx[i]) * c1
    elif op == OVER_ROOT:
        for i in range(rd.size):
            rd[i] = rx[i] / (math.sqrt(ry[i]) + c0)
    elif op == MIX:
        for i in range(rd.size):
            rd[i] = rx[i] * c0 + c1 * ry[i]
    elif op == TIMES:
        for i in range(rd.size):
            rd[i] = rx[i] * ry[i]
    else:
        for i in range(rd.size):
            rd[i] = rd[i] - rx[i] * c0


PRIMITIVE_SOURCE = {
    EMA: "{d} * {c0} + {x} * {c1}",
    EMA_SQUARE: "{d} * {c0} + ({x} * {x}) * {c1}",
    OVER_ROOT: "{x} / (math.sqrt({y}) + {c0})",
    MIX: "{x} * {c0} + {c1} * {y}",
    TIMES: "{x} * {y}",
    DESCEND: "{d} - {x} * {c0}",
}
"""``primitive``'s formulas as source, for the fused update that numba_engine generates from a program
(``tests/test_engine_numba.py`` checks that both give the same numbers)."""


@jit
def update(prog, numbers, regs):
    """Run an optimizer's traced rule: instruction (op, d, x, y, i0, i1) applies a primitive to registers
    d, x, y with the step's numbers[i0], numbers[i1], a block of ``BLOCK`` elements at a time, so each
    element comes from memory once and goes back once."""
    n = regs.shape[1]
    for b0 in range(0, n, BLOCK):
        b1 = min(b0 + BLOCK, n)
        for ins in range(prog.shape[0]):
            primitive(prog[ins, 0], regs, prog[ins, 1], prog[ins, 2], prog[ins, 3], b0, b1,
                      numbers[prog[ins, 4]], numbers[prog[ins, 5]])


@jit
def guard(loss, regs, factor, consts, budget):
    """After the backward pass: add L2, then the non-finite guard (the cost and Σ g² finite).

    Returns (status OK/SKIPPED/FAULT, the L2 penalty). A step that is not finite is SKIPPED while
    ``budget`` > 0 (no update), else it is a FAULT.
    """
    zero = consts[2]
    penalty = add_l2(regs, factor, zero) if factor.size else zero
    if math.isfinite(loss) and math.isfinite(squared_norm(regs, zero)):
        return OK, penalty
    return (SKIPPED if budget > 0 else FAULT), penalty


@jit
def finish_step(loss, regs, factor, consts, prog, numbers, budget):
    """``guard``, then the update when the step is finite: (status, the L2 penalty)."""
    status, penalty = guard(loss, regs, factor, consts, budget)
    if status == OK:
        update(prog, numbers, regs)
    return status, penalty


# ============================================================================ whole steps, whole chunks
@jit
def loss_and_grad(X, Y, labels, idx, net, out, consts, inv_batch, regs, keep, scale, unif, pos, ws, lb):
    """Gather the batch ``idx``, forward, loss, backward: regs[GRAD] = dJ/dθ of J = (1/B) Σ_i L_i.
    Returns (Σ_i L_i, the correct count, the next unused uniform)."""
    L, B = net.shape[0] - 1, idx.size
    theta, grad = regs[THETA], regs[GRAD]
    gather(X, Y, labels, idx, ws, net[0, A_], net[L, M_], lb)
    pos = forward(theta, net, ws, B, keep, scale, unif, pos, consts[0])
    correct = correct_count(out, ws, net[L, A_], net[L, M_], net[L, N_], B, lb) if out != OUT_LINEAR else 0.0
    loss = output_loss(out, ws, net, B, inv_batch[B])
    backward(theta, grad, net, ws, B, consts)
    return loss, correct, pos


@jit
def train_steps(X, Y, labels, bounds, net, out, consts, inv_batch, regs, prog, factor, keep, scale, ws, lbuf,
                perm, s0, s1, numbers, unif, budget, res):
    """Steps s0 .. s1-1 of an epoch in the order ``perm``, each a whole training step of the NumPy engine
    (gather, forward, loss, backward, L2, guard, update). Row u of ``numbers`` holds the numbers of the
    chunk's u-th update (a skipped step takes none). ``res[s - s0]`` gets (status, Σ L_i, B · L2 penalty,
    correct count). Returns the step that stopped the chunk (a FAULT), or s1. (The arguments that change
    from call to call come last.)"""
    pos, row = np.int64(0), np.int64(0)  # not literal 0s: numba would compile the callees twice
    for s in range(s0, s1):
        a, b = bounds[s, 0], bounds[s, 1]
        lb = lbuf[:b - a] if labels.size else lbuf[:0]
        loss, correct, pos = loss_and_grad(X, Y, labels, perm[a:b], net, out, consts, inv_batch, regs, keep,
                                           scale, unif, pos, ws, lb)
        status, penalty = finish_step(loss, regs, factor, consts, prog, numbers[row], budget)
        r = res[s - s0]
        r[0], r[1], r[2], r[3] = status, loss, penalty * (b - a), correct
        if status == FAULT:
            return s
        if status == SKIPPED:
            budget -= 1
        else:
            row += 1
    return s1


@jit
def train_lockstep(X, Y, labels, bounds, net, out, consts, inv_batch, prog, perms, s0, s1, regs, numbers, row0,
                   factor, keep, scale, unif, ws, lbuf, alive, res, stops, sums):
    """``train_steps`` for each live run k on row k of every per-run array (``perms``, ``factor`` and ``unif``
    may have one row that all runs share), its numbers from row ``row0`` of its table. A run stops at its
    first step that is not finite. ``sums[k]`` gets the run's (Σ L_i, Σ B · L2 penalty, correct, examples)
    over its finite steps, added in step order."""
    no_skips = np.int64(0)  # a run that is not finite stops (not a literal 0: no second compilation)
    for k in range(regs.shape[0]):
        if alive[k]:
            perm = perms[k] if perms.shape[0] > 1 else perms[0]
            fac = factor[k] if factor.shape[0] > 1 else factor[0]
            u = unif[k] if unif.shape[0] > 1 else unif[0]
            stops[k] = train_steps(X, Y, labels, bounds, net, out, consts, inv_batch, regs[k], prog, fac, keep[k],
                                   scale[k], ws[k], lbuf[k], perm, s0, s1, numbers[k, row0:], u, no_skips, res[k])
            total = sums[k]
            for s in range(s0, stops[k]):
                r = res[k, s - s0]
                total[0] += r[1]
                total[1] += r[2]
                total[2] += r[3]
                total[3] += bounds[s, 1] - bounds[s, 0]


# ============================================================================ large networks: the gathers
@jit
def gather_rows(X, idx, out):
    """out[i] = X[idx[i]]: the batch's rows (m, n) -> (B, n), for the BLAS products of a large network."""
    for i in range(idx.size):
        r = idx[i]
        for k in range(X.shape[1]):
            out[i, k] = X[r, k]


@jit
def gather_columns(Y, idx, out):
    """out[:, i] = Y[:, idx[i]]: feature-major targets (n, m) -> (n, B)."""
    for j in range(Y.shape[0]):
        for i in range(idx.size):
            out[j, i] = Y[j, idx[i]]

