"""The descentlab-only measurements of the speed issue, each a function the runner calls in a fresh process.

* ``gemm_signs``: the matrix products alone of one SIGNS epoch (the forward and weight-gradient
  GEMMs of [12288, 25, 12, 6] with batches of 32, the same shapes and layout as the engine's),
  the floor the SIGNS epoch time is compared with.
* ``many_moons``: ``fit_many`` of K moons runs (He seeds 3, 4, ...), for the "K = 32 runs cost at
  most 4x one run" goal.
* ``gradcheck``: the three gradient-checking cases of the issue.
* ``memory_signs``: peak RSS of SIGNS training above the interpreter's baseline, as a multiple of
  (training matrix bytes + parameter buffers).
"""

from __future__ import annotations

import resource
import time
from typing import Any

import numpy as np

from workloads import MOONS, SIGNS, batch_bounds, clock, moons_data


def gemm_signs(dtype: str = "float32", num_epochs: int = 5, warmup_epochs: int = 1, m: int = SIGNS["m"],
               blas_threads: int | None = None, after_step: Any = None) -> dict:
    """The GEMMs of a SIGNS epoch; ``after_step()`` (if given) runs after each step's products (the floor
    adds the optimizer's streaming pass there: ``limits.floor_signs``)."""
    if blas_threads is not None:
        from threadpoolctl import threadpool_limits
        threadpool_limits(blas_threads, user_api="blas")
    dt = np.dtype(dtype)
    dims = SIGNS["layers_dims"]
    B = SIGNS["mini_batch_size"]
    rng = np.random.default_rng(0)
    X1 = rng.random((m, dims[0] + 1)).astype(dt)
    theta = [rng.standard_normal((dims[l], dims[l - 1] + 1)).astype(dt) for l in range(1, len(dims))]
    bufs = {}
    for start, stop in batch_bounds(m, B):
        b = stop - start
        if b not in bufs:
            acts = [rng.random((n + 1, b)).astype(dt) for n in dims[1:-1]]
            outs = [np.empty((n, b), dt) for n in dims[1:]]
            grads = [np.empty_like(t) for t in theta]
            bufs[b] = (acts, outs, grads)
    ends = []
    start_t = clock()
    for _ in range(warmup_epochs + num_epochs):
        for start, stop in batch_bounds(m, B):
            acts, outs, grads = bufs[stop - start]
            xb = X1[start:stop]
            np.dot(theta[0], xb.T, out=outs[0])                      # forward
            np.dot(theta[1], acts[0], out=outs[1])
            np.dot(theta[2], acts[1], out=outs[2])
            np.dot(outs[2], acts[1].T, out=grads[2])                 # weight gradients
            np.dot(outs[1], acts[0].T, out=grads[1])
            np.dot(outs[0], xb, out=grads[0])
            if after_step is not None:
                after_step()
        ends.append(clock())
    t0 = ends[warmup_epochs - 1] if warmup_epochs else start_t
    return {"seconds": ends[-1] - start_t, "seconds_per_epoch": (ends[-1] - t0) / num_epochs,
            "accuracy": float("nan"), "epochs": len(ends), "dtype": dtype, "note": "GEMMs only"}


def many_moons(num_epochs: int = MOONS["num_epochs"], k: int = 32, engine: str = "auto",
               threads: int | None = None) -> dict:
    """``fit_many`` of K moons runs; ``threads``: the numba engine's lockstep threads (None: its default)."""
    from descentlab import Network, fit_many
    from descentlab.training import FitConfig
    if threads is not None:
        from descentlab.engines import numba_engine
        numba_engine.THREADS = threads
    X, y = moons_data()
    t0 = clock()
    nets = [Network(list(MOONS["layers_dims"]), init="he", seed=MOONS["init_seed"] + i) for i in range(k)]
    fit_many(nets, X, y, config=FitConfig(engine=engine), optimizer="adam", lr=MOONS["learning_rate"],
             beta1=MOONS["beta1"], beta2=MOONS["beta2"], epsilon=MOONS["epsilon"], epochs=num_epochs,
             batch_size=MOONS["mini_batch_size"], shuffle="course")
    seconds = clock() - t0
    return {"seconds": seconds, "accuracy": float(nets[0].accuracy(X, y)), "runs": k,
            "seconds_per_run": seconds / k}


def gradcheck(case: str = "4-5-3-1", num_epochs: int = 0) -> dict:
    from descentlab import Network, check_gradients
    rng = np.random.default_rng(0)
    if case == "4-5-3-1":
        net, m, fast = Network([4, 5, 3, 1], seed=1), 3, False
    elif case == "signs-fast":
        net, m, fast = Network([12288, 25, 12, 6], output="softmax", seed=1), 32, True
    else:  # "10k-full": about 10,000 parameters, every coordinate
        net, m, fast = Network([100, 80, 40, 6], output="softmax", seed=1), 32, False
    X = rng.standard_normal((m, net.layer_dims[0]))
    y = rng.integers(0, 2, m) if net.output == "sigmoid" else rng.integers(0, net.layer_dims[-1], m)
    t0 = clock()
    report = check_gradients(net, X, y, fast=fast)
    seconds = clock() - t0
    return {"seconds": seconds, "accuracy": 1.0 if report.passed else 0.0, "parameters": net.n_params,
            "difference": report.difference, "mode": report.mode}


def memory_signs(num_epochs: int = 3, dtype: str = "float32", engine: str = "auto", baseline: str = "imports") -> dict:
    """Peak RSS while training on uint8 SIGNS-shaped pixels (as the real data set is stored), /255 inside.

    ``baseline``: "imports", the interpreter after ``import descentlab`` (the engine's own fixed cost, numba's
    compiler and runtime, counts as training memory); "engine", after a tiny training run has loaded the
    engine (only what grows with the data and the network counts).
    """
    from descentlab import Network, Scale, fit
    rng = np.random.default_rng(SIGNS["data_seed"])
    if baseline == "engine":
        fit(Network([20, 4, 6], output="softmax", seed=1, dtype=dtype), rng.standard_normal((40, 20)),
            rng.integers(0, 6, 40), epochs=1, verbose=0, engine=engine)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    X = rng.integers(0, 256, (SIGNS["m"], SIGNS["layers_dims"][0]), dtype=np.uint8)
    y = rng.integers(0, 6, SIGNS["m"])
    net = Network(list(SIGNS["layers_dims"]), output="softmax", seed=1, dtype=dtype, preprocessing=Scale(1 / 255))
    t0 = time.perf_counter()
    history = fit(net, X, y, optimizer="adam", lr=SIGNS["learning_rate"], epochs=num_epochs, batch_size=32, seed=0,
                  verbose=0, engine=engine)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    data = X.size * np.dtype(dtype).itemsize  # the training matrix in the dtype it is trained in
    params = 2 * net.theta.nbytes             # parameters and gradients
    above = peak - base
    return {"seconds": time.perf_counter() - t0, "accuracy": float(net.accuracy(X, y)),
            "peak_rss_ratio": above / (data + params), "peak_above_baseline_mb": above / 2**20,
            "data_mb": data / 2**20, "params_mb": params / 2**20, "uint8_input_mb": X.nbytes / 2**20,
            "engine": history.config["engine"], "baseline": baseline}
