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

from workloads import MOONS, SIGNS, batch_bounds, clock, course_permutation, epoch_result, he_init, moons_data

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(os.path.dirname(HERE), "src")


# ============================================================================ the moons, by hand
@numba.njit(error_model="numpy", cache=True)
def _moons_epoch(X, y, perm, W, b, mW, mb, sW, sb, dims, t, lr, b1, b2, eps, a, z, d):
    """The epoch's 5 steps: forward, BCE from logits, backward, Adam; returns (cost sum, t)."""
    m, L, cost = X.shape[0], dims.size - 1, 0.0
    for start in range(0, m, 64):
        B = min(start + 64, m) - start
        for i in range(B):                                   # gather the batch
            for k in range(dims[0]):
                a[0, k, i] = X[perm[start + i], k]
        for l in range(1, L + 1):                            # forward
            for j in range(dims[l]):
                for i in range(B):
                    s = b[l, j]
                    for k in range(dims[l - 1]):
                        s += W[l, j, k] * a[l - 1, k, i]
                    z[l, j, i] = s
                    a[l, j, i] = s if (l == L or s > 0.0) else 0.0
        for i in range(B):                                   # BCE from logits, dJ/dZ
            zz, yy = z[L, 0, i], y[perm[start + i]]
            sp = max(zz, 0.0) + math.log1p(math.exp(-abs(zz)))
            cost += sp - yy * zz
            d[L, 0, i] = (math.exp(zz - sp) - yy) / B
        t += 1
        c1, c2 = 1.0 - b1 ** t, 1.0 - b2 ** t
        for l in range(L, 0, -1):                            # backward + Adam, layer by layer
            for k in range(dims[l - 1]):
                for i in range(B):
                    s = 0.0
                    for j in range(dims[l]):
                        s += W[l, j, k] * d[l, j, i]
                    d[l - 1, k, i] = s * (1.0 if z[l - 1, k, i] > 0.0 else 0.0) if l > 1 else 0.0
            for j in range(dims[l]):
                gb = 0.0
                for i in range(B):
                    gb += d[l, j, i]
                mb[l, j] = b1 * mb[l, j] + (1 - b1) * gb
                sb[l, j] = b2 * sb[l, j] + (1 - b2) * gb * gb
                for k in range(dims[l - 1]):
                    g = 0.0
                    for i in range(B):
                        g += d[l, j, i] * a[l - 1, k, i]
                    mW[l, j, k] = b1 * mW[l, j, k] + (1 - b1) * g
                    sW[l, j, k] = b2 * sW[l, j, k] + (1 - b2) * g * g
                    W[l, j, k] -= lr * (mW[l, j, k] / c1) / (math.sqrt(sW[l, j, k] / c2) + eps)
                b[l, j] -= lr * (mb[l, j] / c1) / (math.sqrt(sb[l, j] / c2) + eps)
    return cost, t



def moons_loop(num_epochs: int = MOONS["num_epochs"]) -> dict:
    """The limit of the moons run: the hand-written compiled loop (compiled before the clock starts)."""
    c = MOONS
    X, y = moons_data()
    dims = np.array(c["layers_dims"], np.int64)
    n, L = int(dims.max()), len(dims) - 1
    epoch = _moons_epoch
    scratch = [np.zeros((L + 1, n, n)), np.zeros((L + 1, n))] * 3 + [np.zeros((L + 1, n, 64)) for _ in range(3)]
    epoch(X, y.astype(np.float64), np.arange(len(X)), *scratch[:6], dims, 0, 0.0, 0.9, 0.999, 1e-8, *scratch[6:])
    start = clock()  # compiled (or loaded from numba's cache) before the clock starts
    W, b = np.zeros((L + 1, n, n)), np.zeros((L + 1, n))
    for l, (Wl, bl) in enumerate(he_init(c["layers_dims"], c["init_seed"]), start=1):
        W[l, :Wl.shape[0], :Wl.shape[1]], b[l, :len(bl)] = Wl, bl
    state = [np.zeros_like(W), np.zeros_like(b), np.zeros_like(W), np.zeros_like(b)]
    a, z, d = (np.zeros((L + 1, n, 64)) for _ in range(3))
    yf, t, seed, ends, cost = y.astype(np.float64), 0, c["first_seed"], [], 0.0
    for _ in range(num_epochs):
        seed += 1
        cost, t = epoch(X, yf, course_permutation(len(X), seed), W, b, *state, dims, t, c["learning_rate"],
                        c["beta1"], c["beta2"], c["epsilon"], a, z, d)
        ends.append(clock())
    logits = X @ W[1, :5, :2].T + b[1, :5]
    logits = np.maximum(logits, 0) @ W[2, :2, :5].T + b[2, :2]
    logits = np.maximum(logits, 0) @ W[3, :1, :2].T + b[3, :1]
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
