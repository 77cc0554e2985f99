"""Benchmark runner: named workloads -> implementations, each run in a fresh subprocess.

    python benchmarks/run.py                      # both workloads, every available implementation, 5 repeats
    python benchmarks/run.py --only moons         # one workload (the reference is always kept for ratios)
    python benchmarks/run.py --only moons/sklearn --only tensorflow --repeat 7
    python benchmarks/run.py --quick              # smoke run: 20 epochs / 1 timed epoch, 1 repeat
    python benchmarks/run.py --json runs/bench.json
    python benchmarks/run.py --list               # what is registered and what is available

Method: every (implementation, repetition) is a fresh ``python`` process (imports, thread pools and
allocator state do not leak between runs); the repetitions are interleaved (A B C A B C ...) so slow
drift on a noisy machine hits every implementation alike. The table reports per implementation the
median and min-max of the metric and the speed-up against the workload's reference, taken as the
median of the per-round ratios ``reference / implementation`` (same round, so same machine state).

Adding implementations: ``register(workload, name, "module:function", requires=(...), **kwargs)``; the
function lives in a module of this folder, takes the workload's settings as keyword arguments
(``num_epochs`` ...) and returns the dict of ``workloads.epoch_result``. The descentlab entries below
(``descentlab_moons``, ``descentlab_signs``) call ``descentlab.training.fit``; while it does not
exist they show as "not available".
"""

from __future__ import annotations

import argparse
import datetime as _dt
import fnmatch
import importlib
import importlib.metadata
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SRC = os.path.join(REPO, "src")
RESULT_TAG = "BENCH_RESULT "

sys.path.insert(0, HERE)


# ============================================================================ registry
@dataclass
class Impl:
    name: str
    target: str                      # "module:function", module in benchmarks/
    kwargs: dict = field(default_factory=dict)
    requires: tuple[str, ...] = ()   # top-level modules that must be importable
    available: Callable[[], str | None] | None = None   # returns a reason when not available
    note: str = ""

    def unavailable_reason(self) -> str | None:
        for mod in self.requires:
            if importlib.util.find_spec(mod) is None:
                return f"not available: {mod} is not installed"
        if self.available is not None:
            return self.available()
        return None


@dataclass
class Workload:
    name: str
    title: str
    metric: str                      # key of the result dict that is compared
    unit: str
    reference: str                   # implementation the ratios are taken against
    full: dict                       # settings of a full run (passed to every implementation)
    quick: dict                      # settings of a --quick run
    epochs_key: str = "num_epochs"
    impls: dict[str, Impl] = field(default_factory=dict)


WORKLOADS: dict[str, Workload] = {}


def add_workload(w: Workload) -> Workload:
    WORKLOADS[w.name] = w
    return w


def register(workload: str, name: str, target: str, *, requires: tuple[str, ...] = (),
             available: Callable[[], str | None] | None = None, note: str = "", **kwargs: Any) -> Impl:
    """Register implementation ``name`` of ``workload``; ``kwargs`` are fixed arguments (e.g. dtype)."""
    impl = Impl(name, target, dict(kwargs), tuple(requires), available, note)
    WORKLOADS[workload].impls[name] = impl
    return impl


def _setup_registry() -> None:
    from workloads import MOONS, SIGNS

    add_workload(Workload(
        "moons", f"moons: the course's Adam run, [2,5,2,1], batch 64, {MOONS['num_epochs']} epochs, float64",
        metric="seconds", unit="s", reference="course",
        full={"num_epochs": MOONS["num_epochs"]}, quick={"num_epochs": 20}))
    register("moons", "course", "course_reference:run_moons", note="course-style per-layer dict NumPy")
    register("moons", "sklearn", "peers:sklearn_moons", requires=("sklearn",), note="MLPClassifier adam")
    register("moons", "torch", "peers:torch_moons", requires=("torch",), note="PyTorch eager, default threads")
    register("moons", "torch-1t", "peers:torch_moons", requires=("torch",), threads=1,
             note="PyTorch eager, torch.set_num_threads(1)")
    register("moons", "tensorflow", "peers:tf_moons", requires=("tensorflow",), note="tf.function step")
    descentlab_moons_register()
    register("moons", "descentlab-many32", "descentlab_goals:many_moons", available=descentlab_available, k=32,
             note="fit_many: 32 runs in lockstep (time for all 32), default engine and threads")
    register("moons", "descentlab-many32-1t", "descentlab_goals:many_moons", available=descentlab_available, k=32,
             threads=1, note="fit_many, 32 runs, numba engine on one thread")
    register("moons", "descentlab-many32-numpy", "descentlab_goals:many_moons", available=descentlab_available,
             k=32, engine="numpy", note="fit_many, 32 runs, engine='numpy'")
    register("moons", "numba-loop", "limits:moons_loop", requires=("numba",),
             note="the limit: a hand-written compiled loop (numba, one core)")
    register("moons", "cli", "limits:cli_moons", available=descentlab_available,
             note="the whole `descentlab train moons ...` process, start-up included")
    register("moons", "cli-numpy", "limits:cli_moons", available=descentlab_available, engine="numpy",
             note="the whole CLI process, --engine numpy")

    add_workload(Workload(
        "signs", "SIGNS-shaped: X (1080, 12288), [12288,25,12,6] softmax, Adam 1e-4, batch 32",
        metric="seconds_per_epoch", unit="s/epoch", reference="course-f64",
        full={"num_epochs": SIGNS["num_epochs"], "warmup_epochs": SIGNS["warmup_epochs"]},
        quick={"num_epochs": 1, "warmup_epochs": 1}))
    for dt in ("f64", "f32"):
        dtype = {"f64": "float64", "f32": "float32"}[dt]
        register("signs", f"course-{dt}", "course_reference:run_signs", dtype=dtype,
                 note="course-style naive NumPy")
        register("signs", f"sklearn-{dt}", "peers:sklearn_signs", requires=("sklearn",), dtype=dtype)
        register("signs", f"torch-{dt}", "peers:torch_signs", requires=("torch",), dtype=dtype,
                 note="PyTorch, its default threads")
        register("signs", f"torch-{dt}-1t", "peers:torch_signs", requires=("torch",), dtype=dtype, threads=1,
                 note="PyTorch, torch.set_num_threads(1)")
        register("signs", f"tensorflow-{dt}", "peers:tf_signs", requires=("tensorflow",), dtype=dtype)
    descentlab_signs_register()
    register("signs", "descentlab-tf-f32", "run:descentlab_signs", available=descentlab_available,
             requires=("tensorflow",), dtype="float32", engine="tensorflow", note="descentlab fit, TensorFlow engine")
    for dt in ("f64", "f32"):
        dtype = {"f64": "float64", "f32": "float32"}[dt]
        register("signs", f"gemm-{dt}", "descentlab_goals:gemm_signs", dtype=dtype,
                 note="the matrix products alone (forward + weight gradients), default BLAS threads")
        register("signs", f"gemm-{dt}-1t", "descentlab_goals:gemm_signs", dtype=dtype, blas_threads=1,
                 note="the matrix products alone, one BLAS thread")
        register("signs", f"pass-{dt}", "limits:state_pass", requires=("numba",), dtype=dtype,
                 note="one streaming pass over the optimizer state per step (read θ g v s, write θ v s)")
        register("signs", f"floor-{dt}-1t", "limits:floor_signs", requires=("numba",), dtype=dtype, blas_threads=1,
                 note="the floor: GEMMs + one state pass per step, one thread")
        register("signs", f"floor-{dt}", "limits:floor_signs", requires=("numba",), dtype=dtype,
                 note="the floor: GEMMs (default BLAS threads) + one state pass per step")

    add_workload(Workload(
        "startup", "start-up: a whole process imports descentlab and trains 1 epoch (moons: [2,5,2,1]; signs: "
        "[12288,25,12,6] on 64 examples, float32)", metric="seconds", unit="s", reference="numpy-moons",
        full={}, quick={}))
    for case in ("moons", "signs"):
        register("startup", f"numpy-{case}", "limits:startup", available=descentlab_available, case=case,
                 engine="numpy", note="engine='numpy'")
        register("startup", f"numba-warm-{case}", "limits:startup", available=descentlab_available, case=case,
                 engine="numba", cache="warm", note="numba engine, kernels cached on disk by an earlier process")
        register("startup", f"numba-cold-{case}", "limits:startup", available=descentlab_available, case=case,
                 engine="numba", cache="cold", note="numba engine, empty caches: every kernel compiles")

    add_workload(Workload(
        "gradcheck", "gradient checking: full 4-5-3-1, fast SIGNS (308k parameters), full 11.5k parameters",
        metric="seconds", unit="s", reference="4-5-3-1", full={}, quick={}))
    for case in ("4-5-3-1", "signs-fast", "10k-full"):
        register("gradcheck", case, "descentlab_goals:gradcheck", available=descentlab_available, case=case,
                 note="accuracy column: 1 = the check passed")

    add_workload(Workload(
        "memory", "memory: peak RSS of SIGNS training (float32, 3 epochs) above baseline / (data + parameters)",
        metric="peak_rss_ratio", unit="x", reference="signs-f32", full={}, quick={"num_epochs": 1}))
    register("memory", "signs-f32", "descentlab_goals:memory_signs", available=descentlab_available,
             note="default engine; baseline: after import descentlab (numba's own memory counts)")
    register("memory", "signs-f32-engine", "descentlab_goals:memory_signs", available=descentlab_available,
             baseline="engine", note="default engine; baseline: after the engine is loaded (what grows with the data)")
    register("memory", "signs-f32-numpy", "descentlab_goals:memory_signs", available=descentlab_available,
             engine="numpy", note="engine='numpy'; baseline: after import descentlab")


# ============================================================================ descentlab entries
# The descentlab rows call
#     descentlab.training.fit(net, X, y, optimizer=..., epochs=..., batch_size=..., seed=..., verbose=0)
# and show as "not available" while that function does not exist (checked with importlib, no crash).
# Timing matches the reference: seconds = network construction + fit; seconds per epoch = between
# epoch ends (a Callback records them) after the warm-up epochs, so one-off set-up is not spread over
# the few SIGNS epochs. When fit supports shuffle="course" it gets the course's per-epoch order.

def descentlab_available() -> str | None:
    """None when ``descentlab.training.fit`` is importable and callable, else the reason."""
    if importlib.util.find_spec("descentlab") is None:
        return "not available: descentlab is not importable"
    try:
        training = importlib.import_module("descentlab.training")
    except Exception as exc:  # a half-written package must not crash the runner
        return f"not available: import descentlab.training failed ({type(exc).__name__}: {exc})"
    if not callable(getattr(training, "fit", None)):
        return "not available: descentlab.training.fit does not exist yet"
    return None


def _descentlab_adam(training: Any, cfg: dict) -> Any:
    """The workload's Adam: ``training.Adam(lr, beta1, beta2, epsilon)`` if it exists, else the name."""
    adam = getattr(training, "Adam", None)
    if adam is None:
        return "adam"
    return adam(lr=cfg["learning_rate"], beta1=cfg["beta1"], beta2=cfg["beta2"], epsilon=cfg["epsilon"])


def _descentlab_run(cfg: dict, X: Any, y: Any, output: str, dtype: str, num_epochs: int,
                    warmup_epochs: int, engine: str = "auto", blas_threads: Any = 1) -> dict:
    import inspect

    import numpy as np

    import descentlab
    from descentlab import training
    from workloads import clock, epoch_result

    total = warmup_epochs + num_epochs
    ends: list[float] = []

    class EpochClock(getattr(training, "Callback", object)):  # type: ignore[misc]
        def on_epoch_end(self, epoch: int, logs: Any, run: Any) -> None:
            ends.append(clock())

    kwargs: dict[str, Any] = {"optimizer": _descentlab_adam(training, cfg), "epochs": total,
                              "batch_size": cfg["mini_batch_size"], "seed": cfg["first_seed"], "verbose": 0,
                              "engine": engine, "blas_threads": blas_threads}
    accepted = inspect.signature(training.fit).parameters
    if "shuffle" in accepted:
        kwargs["shuffle"] = "course"
    if "callbacks" in accepted:
        kwargs["callbacks"] = [EpochClock()]

    start = clock()
    net = descentlab.Network(list(cfg["layers_dims"]), hidden="relu", output=output, init="he",
                             seed=cfg["init_seed"], dtype=dtype)
    history = training.fit(net, X, y, **kwargs)
    end = clock()
    try:
        cost = float(history["cost"][-1])
    except Exception:
        cost = float("nan")
    accuracy = float(net.accuracy(X, y))
    if len(ends) == total:
        res = epoch_result(start=start, epoch_ends=ends, warmup_epochs=warmup_epochs, accuracy=accuracy,
                           cost=cost, dtype=str(np.dtype(dtype)))
        res["seconds"] = end - start
        return res
    # no per-epoch hook: whole fit (warm-up epochs included) divided by the epochs
    return {"seconds": end - start, "seconds_per_epoch": (end - start) / total, "first_epoch_seconds": None,
            "epochs": total, "timed_epochs": total, "accuracy": accuracy, "final_cost": cost,
            "dtype": str(np.dtype(dtype)), "note": "no epoch hook: per epoch = whole fit / epochs"}


def descentlab_moons(num_epochs: int = 10000, engine: str = "auto") -> dict:
    """descentlab on the moons workload (same data, network, He init seed 3, Adam, batch 64)."""
    from workloads import MOONS, moons_data

    X, y = moons_data()
    return _descentlab_run(MOONS, X, y, "sigmoid", "float64", num_epochs, 0, engine)


def descentlab_signs(dtype: str = "float64", num_epochs: int = 5, warmup_epochs: int = 1, m: int = 1080,
                     engine: str = "auto", blas_threads: Any = 1) -> dict:
    """descentlab on the SIGNS-shaped workload (float64 or float32; the default engine, NumPy or TensorFlow)."""
    import numpy as np

    from workloads import SIGNS, signs_data

    X, y = signs_data(np.dtype(dtype).type, m=m)
    return _descentlab_run(SIGNS, X, y, "softmax", dtype, num_epochs, warmup_epochs, engine, blas_threads)


def descentlab_moons_register() -> None:
    register("moons", "descentlab", "run:descentlab_moons", available=descentlab_available,
             note="descentlab fit, the default engine (numba when it works)")
    register("moons", "descentlab-numpy", "run:descentlab_moons", available=descentlab_available, engine="numpy",
             note="descentlab fit, engine='numpy' (the reference)")


def descentlab_signs_register() -> None:
    for dt, dtype in (("f64", "float64"), ("f32", "float32")):
        register("signs", f"descentlab-{dt}", "run:descentlab_signs", available=descentlab_available,
                 dtype=dtype, note="descentlab fit, default engine, one BLAS thread")
        register("signs", f"descentlab-{dt}-bt", "run:descentlab_signs", available=descentlab_available,
                 dtype=dtype, blas_threads=None, note="descentlab fit, default engine, the library's BLAS threads")
        register("signs", f"descentlab-numpy-{dt}", "run:descentlab_signs", available=descentlab_available,
                 dtype=dtype, engine="numpy", note="descentlab fit, engine='numpy', one BLAS thread")


# ============================================================================ machine description
def machine_info() -> dict:
    info: dict[str, Any] = {"platform": platform.platform(), "python": platform.python_version(),
                            "cpu_count": os.cpu_count()}
    try:
        info["cpus_usable"] = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        pass
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu_model"] = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            info["mem_total"] = f.readline().split(":", 1)[1].strip()
    except OSError:
        info.setdefault("cpu_model", platform.processor() or "unknown")
    versions = {}
    for dist in ("numpy", "scikit-learn", "torch", "tensorflow", "tensorflow-cpu", "keras", "threadpoolctl",
                 "descentlab"):
        try:
            versions[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            pass
    info["versions"] = versions
    try:
        import numpy as np

        cfg = np.show_config(mode="dicts")
        info["numpy_blas"] = cfg.get("Build Dependencies", {}).get("blas", {})
        info["numpy_simd"] = cfg.get("SIMD Extensions", {})
    except Exception as exc:  # show_config changed shape across numpy versions
        info["numpy_blas"] = {"error": repr(exc)}
    try:
        import threadpoolctl

        info["threadpools"] = threadpoolctl.threadpool_info()
    except ImportError:
        pass
    info["thread_env"] = {k: os.environ[k] for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
                          if k in os.environ}
    return info


def machine_line(info: dict) -> str:
    blas = ""
    pools = info.get("threadpools") or []
    if pools:
        p = pools[0]
        blas = f" + {p.get('internal_api', '?')} {p.get('version', '')} ({p.get('architecture', '')}, " \
               f"{p.get('threading_layer', '')}, {p.get('num_threads', '?')} threads)"
    elif info.get("numpy_blas"):
        blas = f" + {info['numpy_blas'].get('name', '?')} {info['numpy_blas'].get('version', '')}"
    v = info.get("versions", {})
    others = ", ".join(f"{k} {v[k]}" for k in ("scikit-learn", "torch", "tensorflow", "tensorflow-cpu") if k in v)
    return (f"{info.get('cpu_model', '?')}, {info.get('cpus_usable', info.get('cpu_count'))} cores, "
            f"{info.get('mem_total', '?')}; {info.get('platform')}; Python {info.get('python')}; "
            f"numpy {v.get('numpy', '?')}{blas}; {others}")


def busy_warning(info: dict) -> str | None:
    """A warning when other work competes for the CPUs (multi-threaded BLAS/torch degrade badly then)."""
    la = loadavg()
    cores = info.get("cpus_usable") or info.get("cpu_count") or 1
    if la and la[0] > 0.75 * cores:
        return (f"machine busy: load average {la[0]:.1f} on {cores} cores before the run; threaded libraries "
                f"(OpenBLAS, torch) can be many times slower under contention; consider --threads 1 or a quiet machine")
    return None


def loadavg() -> list[float] | None:
    try:
        with open("/proc/loadavg") as f:
            return [float(x) for x in f.read().split()[:3]]
    except OSError:
        return None


# ============================================================================ running
def child_env(threads: int | None) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([HERE, SRC] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env["PYTHONHASHSEED"] = "0"
    if threads:
        for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                  "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
            env[k] = str(threads)
    return env


def cpu_pressure() -> float | None:
    """Linux PSI: % of the last 10 s in which some runnable task waited for a CPU (None if unknown)."""
    try:
        with open("/proc/pressure/cpu") as f:
            return float(f.readline().split()[1].split("=")[1])
    except (OSError, IndexError, ValueError):
        return None


def run_child(workload: Workload, impl: Impl, settings: dict, *, threads: int | None, timeout: float,
              python: str = sys.executable) -> dict:
    """Run one implementation once in a fresh process; returns its result dict (or an "error" key)."""
    kwargs = {**settings, **impl.kwargs}
    cmd = [python, os.path.join(HERE, "run.py"), "--child", impl.target, json.dumps(kwargs)]
    load = {"loadavg_before": loadavg(), "cpu_pressure_before": cpu_pressure()}
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=child_env(threads), cwd=REPO)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout:.0f} s", **load}
    wall = time.perf_counter() - t0
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(RESULT_TAG):
            res = json.loads(line[len(RESULT_TAG):])
            res.update(load, process_seconds=wall, cpu_pressure_after=cpu_pressure())
            return res
    tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-12:])
    return {"error": f"exit code {proc.returncode}, no result\n{tail}", **load}


def child_main(target: str, kwargs_json: str) -> int:
    """In the child: import ``module:function``, call it with the settings, print the tagged JSON result."""
    module_name, func_name = target.split(":")
    func = getattr(importlib.import_module(module_name), func_name)
    res = func(**json.loads(kwargs_json))
    print(RESULT_TAG + json.dumps(res), flush=True)
    return 0


def select(workloads: dict[str, Workload], only: list[str] | None, keep_reference: bool = True
           ) -> dict[str, list[Impl]]:
    """Implementations selected by --only patterns (workload, impl or workload/impl; shell wildcards)."""
    out: dict[str, list[Impl]] = {}
    for w in workloads.values():
        chosen = []
        for impl in w.impls.values():
            if not only or any(fnmatch.fnmatch(w.name, p) or fnmatch.fnmatch(impl.name, p)
                               or fnmatch.fnmatch(f"{w.name}/{impl.name}", p) for p in only):
                chosen.append(impl)
        if chosen:
            if keep_reference and w.reference not in {i.name for i in chosen}:
                chosen.insert(0, w.impls[w.reference])
            out[w.name] = chosen
    return out


def summarize(w: Workload, runs: dict[str, list[dict]]) -> dict[str, dict]:
    """Median, min, max of the metric; speed-up vs the reference as the median of per-round ratios."""
    ref_runs = runs.get(w.reference, [])
    summary = {}
    for name, rs in runs.items():
        vals = [r[w.metric] for r in rs if "error" not in r and r.get(w.metric) is not None]
        s: dict[str, Any] = {"n": len(vals), "errors": sum("error" in r for r in rs)}
        if vals:
            s.update(median=statistics.median(vals), min=min(vals), max=max(vals),
                     accuracy=statistics.median(r["accuracy"] for r in rs if "error" not in r))
            ratios = [ref[w.metric] / r[w.metric] for ref, r in zip(ref_runs, rs)
                      if "error" not in ref and "error" not in r and r[w.metric] > 0]
            if ratios:
                s.update(speedup_median=statistics.median(ratios), speedup_min=min(ratios), speedup_max=max(ratios))
            ref_vals = [r[w.metric] for r in ref_runs if "error" not in r]
            if ref_vals and s["median"] > 0:
                s["speedup_of_medians"] = statistics.median(ref_vals) / s["median"]
        summary[name] = s
    return summary


def fmt_table(w: Workload, summary: dict[str, dict], skipped: dict[str, str], notes: dict[str, str]) -> str:
    def num(x: float) -> str:
        return f"{x:.3g}" if x < 100 else f"{x:.0f}"

    rows = [("implementation", f"median {w.unit}", "min-max", f"speed-up vs {w.reference}", "accuracy", "n", "note")]
    for name, s in summary.items():
        if not s.get("n"):
            rows.append((name, "error", "", "", "", f"0/{s['errors']}", notes.get(name, "")))
            continue
        sp = ""
        if "speedup_median" in s:
            sp = f"{s['speedup_median']:.2f}x ({s['speedup_min']:.2f}-{s['speedup_max']:.2f})"
        rows.append((name, num(s["median"]), f"{num(s['min'])}-{num(s['max'])}", sp, f"{s['accuracy']:.3f}",
                     str(s["n"]), notes.get(name, "")))
    for name, reason in skipped.items():
        rows.append((name, "-", "", "", "", "0", reason))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [w.title, "  ".join(c.ljust(widths[i]) for i, c in enumerate(rows[0])).rstrip(),
             "  ".join("-" * wd for wd in widths)]
    lines += ["  ".join(c.ljust(widths[i]) for i, c in enumerate(r)).rstrip() for r in rows[1:]]
    return "\n".join(lines)


# ============================================================================ the goals of the speed issues
# (workload, what, numerator row, denominator row, "ratio" or "difference", target as text)
GOALS = [
    ("moons", "fit vs the course-style code (>= 10x)", "course", "descentlab", "ratio", ">= 10"),
    ("moons", "CLI whole process vs the course-style code (>= 6x)", "course", "cli", "ratio", ">= 6"),
    ("moons", "32 lockstep runs / one course-style run (<= 0.5)", "descentlab-many32", "course", "ratio", "<= 0.5"),
    ("moons", "32 lockstep runs on one thread / one course-style run", "descentlab-many32-1t", "course", "ratio", ""),
    ("moons", "the hand-written compiled loop vs the course-style code", "course", "numba-loop", "ratio", ""),
    ("moons", "fit / the hand-written compiled loop", "descentlab", "numba-loop", "ratio", ""),
    ("signs", "float32 epoch / its floor, one thread (<= 1.3)", "descentlab-f32", "floor-f32-1t", "ratio", "<= 1.3"),
    ("signs", "float64 epoch / its floor, one thread (<= 1.3)", "descentlab-f64", "floor-f64-1t", "ratio", "<= 1.3"),
    ("signs", "float32 epoch / its floor, library threads", "descentlab-f32-bt", "floor-f32", "ratio", "<= 1.3"),
    ("signs", "float64 epoch / its floor, library threads", "descentlab-f64-bt", "floor-f64", "ratio", "<= 1.3"),
    ("signs", "PyTorch / descentlab float32, one thread each (>= 1.3)", "torch-f32-1t", "descentlab-f32", "ratio", ">= 1.3"),
    ("signs", "PyTorch / descentlab float64, one thread each (>= 1.3)", "torch-f64-1t", "descentlab-f64", "ratio", ">= 1.3"),
    ("signs", "PyTorch / descentlab float32, default threads (>= 1.3)", "torch-f32", "descentlab-f32-bt", "ratio", ">= 1.3"),
    ("signs", "PyTorch / descentlab float64, default threads (>= 1.3)", "torch-f64", "descentlab-f64-bt", "ratio", ">= 1.3"),
    ("signs", "the NumPy engine / the default engine, float32", "descentlab-numpy-f32", "descentlab-f32", "ratio", ""),
    ("signs", "the NumPy engine / the default engine, float64", "descentlab-numpy-f64", "descentlab-f64", "ratio", ""),
    ("startup", "warm start minus the NumPy path, moons (<= 0.3 s)", "numba-warm-moons", "numpy-moons", "difference",
     "<= 0.3"),
    ("startup", "warm start minus the NumPy path, signs (<= 0.3 s)", "numba-warm-signs", "numpy-signs", "difference",
     "<= 0.3"),
    ("startup", "cold start minus the NumPy path, moons", "numba-cold-moons", "numpy-moons", "difference", ""),
    ("startup", "cold start minus the NumPy path, signs", "numba-cold-signs", "numpy-signs", "difference", ""),
]


def goal_lines(record: dict) -> tuple[list[str], list[dict]]:
    """Each goal whose two rows ran: the median (min-max) over rounds of the per-round ratio or difference."""
    lines, rows = [], []
    for workload, what, a, b, kind, target in GOALS:
        w = record["workloads"].get(workload)
        if not w or a not in w["runs"] or b not in w["runs"]:
            continue
        metric = w["metric"]
        values = [(ra[metric] / rb[metric] if kind == "ratio" else ra[metric] - rb[metric])
                  for ra, rb in zip(w["runs"][a], w["runs"][b])
                  if "error" not in ra and "error" not in rb and rb.get(metric)]
        if not values:
            continue
        med = statistics.median(values)
        unit = "x" if kind == "ratio" else " s"
        lines.append(f"  {what}: {med:.3g}{unit} ({min(values):.3g}-{max(values):.3g}) over {len(values)} round(s)"
                     + (f"; target {target}" if target else ""))
        rows.append({"workload": workload, "goal": what, "rows": [a, b], "kind": kind, "median": med,
                     "min": min(values), "max": max(values), "n": len(values), "target": target})
    return lines, rows


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        return child_main(argv[1], argv[2])

    ap = argparse.ArgumentParser(description="Run the descentlab benchmarks (peers and course-style reference).",
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--repeat", type=int, default=None, help="repetitions per implementation (default 5; 1 with --quick)")
    ap.add_argument("--quick", action="store_true", help="tiny settings (20 moons epochs, 1 SIGNS epoch) for a smoke run")
    ap.add_argument("--only", action="append", metavar="NAME",
                    help="workload, implementation or workload/implementation (wildcards ok); repeatable")
    ap.add_argument("--no-reference", action="store_true", help="do not add the reference when --only leaves it out")
    ap.add_argument("--epochs", type=int, default=None, help="override the epochs of every selected workload")
    ap.add_argument("--threads", type=int, default=None, help="set OMP/OPENBLAS/MKL_NUM_THREADS in the children")
    ap.add_argument("--timeout", type=float, default=1800.0, help="seconds per child process")
    ap.add_argument("--json", metavar="PATH", help="write the full record (machine, settings, every run) here")
    ap.add_argument("--list", action="store_true", help="list workloads and implementations, then exit")
    args = ap.parse_args(argv)
    repeat = args.repeat if args.repeat is not None else (1 if args.quick else 5)
    if repeat < 1:
        ap.error("--repeat: expected an integer >= 1")

    _setup_registry()
    selection = select(WORKLOADS, args.only, keep_reference=not args.no_reference)
    if not selection:
        ap.error(f"--only {args.only}: matches nothing; see --list")

    if args.list:
        for w in WORKLOADS.values():
            print(f"{w.name}: {w.title} [metric {w.metric}, reference {w.reference}]")
            for impl in w.impls.values():
                print(f"  {impl.name:16s} {impl.target:34s} {impl.unavailable_reason() or 'available'}")
        return 0

    info = machine_info()
    print("machine:", machine_line(info), flush=True)
    busy = busy_warning(info)
    if busy:
        print("WARNING:", busy, flush=True)
    record: dict[str, Any] = {"started": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                              "argv": argv, "repeat": repeat, "quick": args.quick, "machine": info,
                              "loadavg_start": loadavg(), "cpu_pressure_start": cpu_pressure(),
                              "threads": args.threads, "busy_warning_start": busy, "workloads": {}}
    tables = []
    for wname, impls in selection.items():
        w = WORKLOADS[wname]
        settings = dict(w.quick if args.quick else w.full)
        if args.epochs is not None:
            settings[w.epochs_key] = args.epochs
        runnable, skipped = [], {}
        for impl in impls:
            reason = impl.unavailable_reason()
            if reason:
                skipped[impl.name] = reason
            else:
                runnable.append(impl)
        runs: dict[str, list[dict]] = {i.name: [] for i in runnable}
        print(f"\n== {w.title}; settings {settings}; {repeat} round(s) of {[i.name for i in runnable]}", flush=True)
        for name, reason in skipped.items():
            print(f"   {name}: {reason}", flush=True)
        for rnd in range(repeat):
            for impl in runnable:          # interleaved: A B C A B C ...
                res = run_child(w, impl, settings, threads=args.threads, timeout=args.timeout)
                res["round"] = rnd
                runs[impl.name].append(res)
                if "error" in res:
                    print(f"   round {rnd + 1}/{repeat} {impl.name}: ERROR {res['error']}", flush=True)
                else:
                    print(f"   round {rnd + 1}/{repeat} {impl.name}: {res[w.metric]:.4g} {w.unit} "
                          f"(accuracy {res['accuracy']:.3f})", flush=True)
        summary = summarize(w, runs)
        table = fmt_table(w, summary, skipped, {i.name: i.note for i in runnable})
        tables.append(table)
        record["workloads"][wname] = {
            "title": w.title, "metric": w.metric, "unit": w.unit, "reference": w.reference, "settings": settings,
            "implementations": {i.name: {"target": i.target, "kwargs": i.kwargs, "note": i.note} for i in runnable},
            "skipped": skipped, "summary": summary, "runs": runs}

    record["loadavg_end"] = loadavg()
    record["busy_warning_end"] = busy_warning(info)
    record["finished"] = _dt.datetime.now().astimezone().isoformat(timespec="seconds")
    print("\nmachine:", machine_line(info))
    print(f"medians of {repeat} interleaved run(s), each in a fresh process; speed-up = median of per-round "
          f"reference/implementation ratios (min-max); threads: "
          + (f"{args.threads} (OMP/OPENBLAS/MKL/TF env in the children)" if args.threads else "library defaults"))
    for t in tables:
        print("\n" + t)
    lines, record["goals"] = goal_lines(record)
    if lines:
        print("\ngoals (per-round ratios or differences, median and min-max):")
        print("\n".join(lines))
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        tmp = args.json + ".tmp"
        with open(tmp, "w") as f:
            json.dump(record, f, indent=1, default=str)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, args.json)
        print(f"\nwrote {args.json}")
    failed = any(s.get("errors") for wr in record["workloads"].values() for s in wr["summary"].values())
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
