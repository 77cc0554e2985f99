"""The limits the speed goals are measured against, and the whole-process rows.

* ``moons_loop``: a hand-written compiled loop over the course's moons run (numba, scalar loops, one
  core, one call per epoch, the course's reshuffle in Python): what the small network costs with no
  framework at all. Same data, He weights (seed 3), order, Adam and cost every step as the workload.
* ``state_pass``: one streaming pass over the SIGNS optimizer state per step (read θ, g, v, s; write
  θ, v, s: a fused Adam update written by hand), the memory-bound half of the SIGNS floor.
* ``floor_signs``: the floor of a SIGNS epoch: the matrix products alone (``gemm_signs``) plus that pass
  after every step, in one loop, with the given BLAS threads.
* ``cli_moons``: the whole ``descentlab train moons ...`` process (start-up, imports, training, saving).
* ``startup``: a whole process that imports descentlab and trains one epoch, on the NumPy engine or on
  the numba engine with an empty (cold) or a filled (warm) kernel cache.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import tempfile
import time

import numba
import numpy as np

from workloads import MOONS, SIGNS, batch_bounds, clock, epoch_result, he_init, moons_data

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(os.path.dirname(HERE), "src")


# ============================================================================ the moons, by hand
@numba.njit(error_model="numpy", cache=True, fastmath={"reassoc", "nsz"})
def _dot(a, b):
    s = 0.0
    for i in range(a.size):
        s += a[i] * b[i]
    return s


@numba.njit(error_model="numpy", cache=True)
def _layer(W, b, a, z, relu):
    """z = W a + b (units × batch, the batch innermost), then max(z, 0) when ``relu``."""
    for j in range(z.shape[0]):
        zj = z[j]
        for i in range(zj.size):
            zj[i] = b[j]
        for k in range(W.shape[1]):
            w, ak = W[j, k], a[k]
            for i in range(zj.size):
                zj[i] += w * ak[i]
        if relu:
            for i in range(zj.size):
                zj[i] = max(zj[i], 0.0)


@numba.njit(error_model="numpy", cache=True)
def _back(W, d, a_prev, dW, db, d_prev):
    """dW = d a_prevᵀ, db = Σ d; d_prev = (Wᵀ d) · (a_prev > 0) when asked (the ReLU below)."""
    for j in range(d.shape[0]):
        db[j] = 0.0
        for i in range(d.shape[1]):
            db[j] += d[j, i]
        for k in range(a_prev.shape[0]):
            dW[j, k] = _dot(d[j], a_prev[k])
    for k in range(d_prev.shape[0]):
        dk = d_prev[k]
        for i in range(dk.size):
            dk[i] = 0.0
        for j in range(d.shape[0]):
            w, dj = W[j, k], d[j]
            for i in range(dk.size):
                dk[i] += w * dj[i]
        ak = a_prev[k]
        for i in range(dk.size):
            dk[i] = dk[i] if ak[i] > 0.0 else 0.0


@numba.njit(error_model="numpy", cache=True)
def _adam(p, g, m, s, lr_t, eps_t, b1, b2):
    """Adam on one array: α_t m / (√s + ε_t), the bias corrections folded into α_t and ε_t."""
    pf, gf, mf, sf = p.ravel(), g.ravel(), m.ravel(), s.ravel()
    for i in range(pf.size):
        mf[i] = b1 * mf[i] + (1.0 - b1) * gf[i]
        sf[i] = b2 * sf[i] + (1.0 - b2) * gf[i] * gf[i]
        pf[i] -= lr_t * mf[i] / (math.sqrt(sf[i]) + eps_t)


@numba.njit(error_model="numpy", cache=True)
def _views(buf, dims):
    """(W1, b1, W2, b2, W3, b3) as views of a flat buffer for dims (n0, n1, n2, n3)."""
    o1 = dims[1] * dims[0]
    o2 = o1 + dims[1]
    o3 = o2 + dims[2] * dims[1]
    o4 = o3 + dims[2]
    o5 = o4 + dims[3] * dims[2]
    return (buf[:o1].reshape((dims[1], dims[0])), buf[o1:o2], buf[o2:o3].reshape((dims[2], dims[1])), buf[o3:o4],
            buf[o4:o5].reshape((dims[3], dims[2])), buf[o5:o5 + dims[3]])


@numba.njit(error_model="numpy", cache=True)
def _moons_epoch(X, y, perm, theta, grad, mom, sq, dims, t, lr, b1, b2, eps, acts):
    """One epoch of the [2,5,2,1] moons run: per batch of 64, forward, BCE from logits every step, backward,
    Adam on the flat buffers (θ, g, m, s: W1, b1, W2, b2, W3, b3 in a row); ``acts`` (7, 5 · 64) scratch."""
    m, cost = X.shape[0], 0.0
    W1, b1_, W2, b2_, W3, b3 = _views(theta, dims)
    gW1, gb1, gW2, gb2, gW3, gb3 = _views(grad, dims)
    for start in range(0, m, 64):
        B = min(start + 64, m) - start
        x, h1 = acts[0, :2 * B].reshape((2, B)), acts[1, :5 * B].reshape((5, B))
        h2, z3 = acts[2, :2 * B].reshape((2, B)), acts[3, :B].reshape((1, B))
        e3, e2, e1 = acts[4, :B].reshape((1, B)), acts[5, :2 * B].reshape((2, B)), acts[6, :5 * B].reshape((5, B))
        for i in range(B):
            x[0, i], x[1, i] = X[perm[start + i], 0], X[perm[start + i], 1]
        _layer(W1, b1_, x, h1, True)
        _layer(W2, b2_, h1, h2, True)
        _layer(W3, b3, h2, z3, False)
        for i in range(B):                                       # BCE from the logit, dJ/dz
            z, target = z3[0, i], y[perm[start + i]]
            sp = max(z, 0.0) + math.log1p(math.exp(-abs(z)))
            cost += sp - target * z
            e3[0, i] = (math.exp(z - sp) - target) / B
        _back(W3, e3, h2, gW3, gb3, e2)
        _back(W2, e2, h1, gW2, gb2, e1)
        _back(W1, e1, x, gW1, gb1, x[:0])
        t += 1
        c1, root_c2 = 1.0 - b1 ** t, math.sqrt(1.0 - b2 ** t)
        _adam(theta, grad, mom, sq, lr * root_c2 / c1, eps * root_c2, b1, b2)
    return cost, t


def moons_loop(num_epochs: int = MOONS["num_epochs"]) -> dict:
    """The limit of the moons run: a hand-written compiled loop (compiled before the clock starts), one call
    per epoch, the course's reshuffle in Python, the cost computed every step."""
    c = MOONS
    X, y = moons_data()
    yf = y.astype(np.float64)
    dims = np.array(c["layers_dims"], np.int64)
    acts = np.zeros((7, 5 * 64))

    def fresh() -> tuple:
        theta = np.concatenate([np.concatenate([np.ravel(W), b]) for W, b in he_init(c["layers_dims"], c["init_seed"])])
        return theta, np.zeros_like(theta), np.zeros_like(theta), np.zeros_like(theta)

    _moons_epoch(X, yf, np.arange(len(X)), *fresh(), dims, 0, 0.001, 0.9, 0.999, 1e-8, acts)  # compile or load
    start = clock()
    theta, grad, mom, sq = fresh()
    t, seed, ends, cost = 0, c["first_seed"], [], 0.0
    shuffle = np.random.RandomState(0)  # the course's order: reseeded before each epoch (as np.random.seed does)
    for _ in range(num_epochs):
        seed += 1
        shuffle.seed(seed)
        cost, t = _moons_epoch(X, yf, shuffle.permutation(len(X)), theta, grad, mom, sq, dims, t,
                               c["learning_rate"], c["beta1"], c["beta2"], c["epsilon"], acts)
        ends.append(clock())
    params = _views(theta, dims)
    W1, b1, W2, b2, W3, b3 = params
    logits = np.maximum(np.maximum(X @ W1.T + b1, 0) @ W2.T + b2, 0) @ W3.T + b3
    accuracy = float(np.mean((logits[:, 0] > 0) == y))
    return epoch_result(start=start, epoch_ends=ends, warmup_epochs=0, accuracy=accuracy, cost=cost / len(X),
                        dtype="float64", note="hand-written numba loop, one call per epoch")


# ============================================================================ the SIGNS floor
@numba.njit(error_model="numpy", cache=True)
def _adam_pass(th, g, v, s, lr, eps, b1, omb1, b2, omb2):
    """A fused Adam update: reads θ, g, v, s and writes θ, v, s once."""
    for i in range(th.size):
        gi = g[i]
        vi = v[i] * b1 + gi * omb1
        si = s[i] * b2 + (gi * gi) * omb2
        v[i] = vi
        s[i] = si
        th[i] = th[i] - (vi / (math.sqrt(si) + eps)) * lr


def _state(dtype: str) -> tuple:
    dims = SIGNS["layers_dims"]
    P = sum(dims[l] * (dims[l - 1] + 1) for l in range(1, len(dims)))
    dt = np.dtype(dtype)
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(P).astype(dt) for _ in range(2)] + [np.abs(rng.standard_normal(P)).astype(dt) * 1e-3
                                                                      for _ in range(2)]
    return tuple(arrays) + tuple(dt.type(x) for x in (1e-4, 1e-8, 0.9, 0.1, 0.999, 0.001))


def state_pass(dtype: str = "float32", num_epochs: int = 5, warmup_epochs: int = 1, m: int = SIGNS["m"]) -> dict:
    """One streaming pass over θ, g, v, s per step of a SIGNS epoch (34 steps), nothing else."""
    adam_pass = _adam_pass
    args = _state(dtype)
    adam_pass(*args)
    steps = len(batch_bounds(m, SIGNS["mini_batch_size"]))
    start, ends = clock(), []
    for _ in range(warmup_epochs + num_epochs):
        for _ in range(steps):
            adam_pass(*args)
        ends.append(clock())
    return epoch_result(start=start, epoch_ends=ends, warmup_epochs=warmup_epochs, accuracy=float("nan"),
                        cost=float("nan"), dtype=dtype, note="7 streams of 307,615 numbers per step")


def floor_signs(dtype: str = "float32", num_epochs: int = 5, warmup_epochs: int = 1, m: int = SIGNS["m"],
                blas_threads: int | None = None) -> dict:
    """The SIGNS floor in one loop: each step's GEMMs (as ``gemm_signs``) then one pass over the state."""
    from descentlab_goals import gemm_signs

    adam_pass = _adam_pass
    args = _state(dtype)
    adam_pass(*args)
    res = gemm_signs(dtype, num_epochs, warmup_epochs, m, blas_threads, after_step=lambda: adam_pass(*args))
    res["note"] = "GEMMs + one pass over the optimizer state per step"
    return res


# ============================================================================ whole processes
def _python(code: str, args: list[str] = (), env: dict | None = None) -> float:
    environ = {**os.environ, "PYTHONPATH": os.pathsep.join([SRC, os.environ.get("PYTHONPATH", "")]), **(env or {})}
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=environ)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"exit code {proc.returncode}: {proc.stderr[-2000:]}")
    return seconds


CLI = "import sys; from descentlab.cli.main import main; sys.exit(main(sys.argv[1:]))"


def cli_moons(num_epochs: int = MOONS["num_epochs"], engine: str = "auto") -> dict:
    """``descentlab train moons --layers 2,5,2,1 --optimizer adam --lr 0.0007 --batch-size 64 --shuffle course
    --epochs N --out model``: the wall time of the whole process."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "moons.safetensors")
        seconds = _python(CLI, ["train", "moons", "--layers", "2,5,2,1", "--optimizer", "adam", "--lr", "0.0007",
                                "--batch-size", "64", "--shuffle", "course", "--epochs", str(num_epochs), "--seed", "3",
                                "--engine", engine, "--out", out, "--quiet"])
        from descentlab import datasets, load
        ds = datasets.load("moons")
        accuracy = float(load(out).accuracy(ds.X_train, ds.y_train))
    return {"seconds": seconds, "accuracy": accuracy, "engine": engine, "note": "whole process"}


STARTUP = {
    "moons": ("import numpy as np, descentlab\n"
              "X = np.random.default_rng(0).standard_normal((300, 2)); y = (X[:, 0] > 0).astype(int)\n"
              "descentlab.fit(descentlab.Network([2, 5, 2, 1], seed=3), X, y, epochs=1, batch_size=64, verbose=0, "
              "engine='{engine}')\n"),
    "signs": ("import numpy as np, descentlab\n"
              "X = np.random.default_rng(0).random((64, 12288), np.float32); y = np.arange(64) % 6\n"
              "descentlab.fit(descentlab.Network([12288, 25, 12, 6], output='softmax', seed=3, dtype='float32'), X, y, "
              "epochs=1, batch_size=32, verbose=0, engine='{engine}')\n"),
}


def startup(case: str = "moons", engine: str = "numpy", cache: str = "warm", num_epochs: int = 0) -> dict:
    """A whole process: import descentlab, train one epoch (``case``). ``cache``: "cold" starts from empty
    numba and descentlab kernel caches (everything compiles), "warm" from filled ones (a first, untimed
    process filled them)."""
    code = STARTUP[case].format(engine=engine)
    if cache == "cold":
        with tempfile.TemporaryDirectory() as tmp:
            env = {"NUMBA_CACHE_DIR": os.path.join(tmp, "numba"), "DESCENTLAB_CACHE_DIR": os.path.join(tmp, "dl")}
            seconds = _python(code, env=env)
    else:
        base = os.path.join(tempfile.gettempdir(), f"descentlab-bench-cache-{os.getuid()}")
        env = {"NUMBA_CACHE_DIR": os.path.join(base, "numba"), "DESCENTLAB_CACHE_DIR": os.path.join(base, "dl")}
        _python(code, env=env)  # fills the caches (or finds them filled)
        seconds = _python(code, env=env)
    return {"seconds": seconds, "accuracy": float("nan"), "case": case, "engine": engine, "cache": cache}
