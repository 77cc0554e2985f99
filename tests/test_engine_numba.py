"""The numba engine equals the NumPy reference to rounding, step for step, and falls back to it when it must.

Each kernel of ``descentlab.engines.numba_kernels`` is the compiled form of a rule whose home is
elsewhere; the parity tests name it:

- the optimizers: ``Optimizer.rule`` (training/optimizers.py), traced into a program (never restated);
- the activations: the ``ACTIVATIONS`` table (core/activations.py);
- the losses from logits, dJ/dZ and the correct count: ``OUTPUTS`` and ``correct_count`` (core/outputs.py);
- L2 and inverted dropout: ``add_l2_gradient`` and ``draw_mask`` (core/regularization.py);
- forward/backward on the augmented blocks: ``Kernel`` (core/propagation.py).

Parity is float64, 1e-12 relative, after 100 steps, for every optimizer × activation × output × L2 ×
dropout, with the masks drawn from the same stream; on the whole-chunk kernels (small networks), on the
step path of large networks (BLAS products, fused update) and on K runs in lockstep.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass

import numpy as np
import pytest

import descentlab
from descentlab import Network, check_gradients, engines, fit, fit_many
from descentlab.engines import numba_engine as ne
from descentlab.engines import numba_kernels as nk
from descentlab.engines import numba_rule as nr
from descentlab.errors import EngineUnavailableError, NonFiniteError
from descentlab.training import AdamW, Momentum, RMSProp
from descentlab.training.optimizers import OPTIMIZERS, NumpyOps

ACTS = ("relu", "leaky_relu", "tanh", "sigmoid")
OUTS = ("sigmoid", "softmax", "linear")
N_OUT = {"sigmoid": 1, "softmax": 4, "linear": 2}
OPTS = {  # every registered rule, nesterov included
    "gd": dict(optimizer="gd", lr=0.05), "momentum": dict(optimizer="momentum", lr=0.05),
    "nesterov": dict(optimizer=Momentum(lr=0.05, nesterov=True)), "rmsprop": dict(optimizer="rmsprop", lr=0.01),
    "adam": dict(optimizer="adam", lr=0.01), "adamw": dict(optimizer=AdamW(lr=0.01, weight_decay=0.05)),
}
REL = 1e-12


def _data(output, m=40, n_x=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, n_x)) * 1.5
    if output == "sigmoid":
        return X, rng.integers(0, 2, m)
    if output == "softmax":
        return X, rng.integers(0, N_OUT[output], m)
    return X, rng.standard_normal((m, N_OUT[output]))


def _train(engine, hidden, output, opt, l2, keep, dtype="float64", epochs=10, dims=(3, 6, 5)):
    X, y = _data(output, n_x=dims[0])
    net = Network(list(dims) + [N_OUT[output]], hidden=hidden, output=output, seed=1, dtype=dtype)
    h = fit(net, X, y, **OPTS[opt], epochs=epochs, batch_size=4, l2=l2, keep_prob=keep, seed=3, verbose=0,
            engine=engine)
    assert h.config["engine"] == engine
    return net.theta.copy(), h


def _rel(a, b):
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b))) / max(np.max(np.abs(np.asarray(a))), 1e-300))


def _same_history(ha, hb, rel=REL):
    for key in ("cost", "cost_data", "cost_l2", "accuracy"):
        a, b = ha[key], hb[key]
        if a[0] is None:
            assert b[0] is None
            continue
        assert _rel(a, b) <= rel, key


# ---------------------------------------------------------------------------------- parity (kernels)
@pytest.mark.parametrize("opt", list(OPTS))
@pytest.mark.parametrize("hidden", ACTS)
@pytest.mark.parametrize("output", OUTS)
def test_whole_chunk_kernel_equals_numpy_for_every_rule(opt, hidden, output):
    """Optimizer.rule × ACTIVATIONS × OUTPUTS × add_l2_gradient × draw_mask: 100 steps (10 epochs of 10)."""
    for l2 in (0.0, 0.3):
        for keep in (1.0, 0.75):
            ref, href = _train("numpy", hidden, output, opt, l2, keep)
            got, hgot = _train("numba", hidden, output, opt, l2, keep)
            assert _rel(ref, got) <= REL, (l2, keep)
            _same_history(href, hgot)


@pytest.mark.parametrize("opt", list(OPTS))
def test_step_path_of_large_networks_equals_numpy(opt, monkeypatch):
    """Large networks: the core's BLAS products, the compiled gather and guard, the fused generated update."""
    monkeypatch.setattr(ne, "KERNEL_PARAMS", 0)
    for hidden, output in (("relu", "softmax"), ("tanh", "sigmoid"), ("sigmoid", "linear")):
        ref, href = _train("numpy", hidden, output, opt, 0.3, 0.75)
        got, hgot = _train("numba", hidden, output, opt, 0.3, 0.75)
        assert _rel(ref, got) <= REL
        _same_history(href, hgot)


@pytest.mark.parametrize("large", [False, True])
def test_float32_equals_numpy_to_float32_rounding(large, monkeypatch):
    if large:
        monkeypatch.setattr(ne, "KERNEL_PARAMS", 0)
    for hidden, output in (("relu", "softmax"), ("tanh", "sigmoid"), ("leaky_relu", "linear")):
        ref, _ = _train("numpy", hidden, output, "adam", 0.1, 0.8, dtype="float32")
        got, _ = _train("numba", hidden, output, "adam", 0.1, 0.8, dtype="float32")
        assert got.dtype == np.float32
        assert _rel(ref, got) <= 1e-4


@pytest.mark.parametrize("schedule", ["inverse_time", {"name": "staircase", "rate": 0.5, "interval": 3}])
def test_a_schedule_changes_the_numbers_every_epoch(schedule):
    X, y = _data("softmax")
    out = []
    for engine in ("numpy", "numba"):
        net = Network([3, 6, 4], output="softmax", seed=1)
        h = fit(net, X, y, optimizer="adam", lr=0.05, schedule=schedule, epochs=12, batch_size=8, seed=2, verbose=0,
                engine=engine)
        out.append((net.theta.copy(), h["lr"]))
    assert out[0][1] == out[1][1] and out[0][1][0] != out[0][1][-1]
    assert _rel(out[0][0], out[1][0]) <= REL


def test_full_batch_and_the_last_partial_batch():
    X, y = _data("sigmoid", m=37)
    for batch, shuffle in ((None, "none"), (None, "random"), (10, "none"), (8, "course"), (64, "random")):
        thetas = []
        for engine in ("numpy", "numba"):
            net = Network([3, 5, 1], seed=2)
            fit(net, X, y, optimizer="adam", lr=0.01, epochs=20, batch_size=batch, shuffle=shuffle, seed=1,
                verbose=0, engine=engine)
            thetas.append(net.theta.copy())
        assert _rel(*thetas) <= REL, (batch, shuffle)


def test_a_network_without_hidden_layers():
    X, y = _data("softmax")
    thetas = []
    for engine in ("numpy", "numba"):
        net = Network([3, 4], output="softmax", seed=2)
        fit(net, X, y, optimizer="rmsprop", lr=0.01, epochs=10, batch_size=8, seed=1, verbose=0, engine=engine)
        thetas.append(net.theta.copy())
    assert _rel(*thetas) <= REL


# --------------------------------------------------------------------------- the traced rule, the fused update
def test_traceops_records_every_primitive_of_numpyops():
    primitives = {n for n, f in vars(NumpyOps).items() if callable(f) and not n.startswith("_")}
    assert primitives <= {n for n in vars(nr.TraceOps) if not n.startswith("_")}
    assert set(nk.PRIMITIVE_SOURCE) == {nk.EMA, nk.EMA_SQUARE, nk.OVER_ROOT, nk.MIX, nk.TIMES, nk.DESCEND}


@pytest.mark.parametrize("name", sorted(set(OPTIMIZERS) - {"sgd"}))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_fused_update_equals_the_interpreter_and_numpyops(name, dtype):
    """The program of Optimizer.rule, three ways: NumpyOps (the home), the interpreter, the generated source."""
    opt = OPTIMIZERS[name](lr=0.01)
    prog = nr.trace_rule(opt)
    rng = np.random.default_rng(0)
    P = 1500  # more than one BLOCK
    regs = np.zeros((3 + len(prog.slots), P), dtype)
    regs[nk.THETA], regs[nk.GRAD] = rng.standard_normal(P), rng.standard_normal(P)
    state = opt.init(regs[nk.THETA].copy(), (rng.random(P) < 0.8).astype(dtype))
    for i, slot in enumerate(prog.slots):
        if slot != "decay_mask":
            state[slot][...] = np.abs(rng.standard_normal(P))
        regs[3 + i] = state[slot]
    interp, fused = regs.copy(), regs.copy()
    theta = regs[nk.THETA].copy()
    for t in range(1, 4):
        opt.update(theta, regs[nk.GRAD], state, 0.01)
        numbers = prog.table(opt, t - 1, 1, 0.01, dtype)[0]
        nk.update(prog.code, numbers, interp)
        nr.fused_update(prog, name, dtype)(fused, numbers)
    tol = 0 if dtype == np.float64 and name in ("gd", "momentum", "rmsprop") else (1e-15 if dtype == np.float64 else 1e-6)
    assert _rel(theta, interp[nk.THETA]) <= tol
    assert np.array_equal(interp[1:], fused[1:])


def test_without_a_kernel_dir_the_interpreter_runs_the_rule(monkeypatch):
    def nowhere():
        raise OSError("no writable directory")

    monkeypatch.setattr(nr, "kernel_dir", nowhere)
    monkeypatch.setattr(nr, "_FUSED", {})
    monkeypatch.setattr(ne, "KERNEL_PARAMS", 0)
    assert nr.fused_update(nr.trace_rule(AdamW()), "AdamW", np.float64) is None
    ref, _ = _train("numpy", "relu", "softmax", "adamw", 0.1, 1.0)
    got, _ = _train("numba", "relu", "softmax", "adamw", 0.1, 1.0)
    assert _rel(ref, got) <= REL


def test_jit_compiles_in_memory_when_no_cache_directory_is_writable(monkeypatch):
    calls = []

    def njit(cache=False, **options):
        calls.append(cache)
        if cache:
            raise RuntimeError("cannot cache function 'f': no locator available")
        return lambda fn: fn

    monkeypatch.setattr(nk.numba, "njit", njit)
    f = nk.jit(lambda x: x + 1)
    assert f(1) == 2 and calls == [True, False]


def test_update_source_is_plain_python_cached_in_the_kernel_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("DESCENTLAB_CACHE_DIR", str(tmp_path))
    assert nr.kernel_dir() == str(tmp_path / "kernels")
    source = nr.update_source(nr.trace_rule(RMSProp()), "RMSProp")
    assert "def update(regs, numbers):" in source and "math.sqrt" in source
    compile(source, "update.py", "exec")


# ------------------------------------------------------------------------------------ gradient checking
@pytest.mark.parametrize("output", OUTS)
def test_kernel_gradients_pass_the_gradient_check(output):
    rng = np.random.default_rng(4)
    for hidden in ACTS:
        net = Network([4, 6, 5, N_OUT[output]], hidden=hidden, output=output, seed=1)
        X, y = _data(output, m=7, n_x=4, seed=5)
        J, g = ne.loss_and_grad(net, X, y, l2=0.3)
        ref = net.loss_and_grad(X, y, l2=0.3)
        assert abs(J - float(ref)) <= 1e-13 * abs(float(ref))
        assert _rel(net.grad, g) <= 1e-13
        report = check_gradients(net, X, y, l2=0.3, gradient=lambda n, X_, y_: ne.loss_and_grad(n, X_, y_, l2=0.3)[1])
        assert report.passed, (hidden, report.difference)
        masks = [(rng.random((7, n)) < 0.7).astype(int) for n in (6, 5)]
        J, g = ne.loss_and_grad(net, X, y, masks=masks, keep_prob=0.7)
        net.loss_and_grad(X, y, masks=masks, keep_prob=0.7)
        assert _rel(net.grad, g) <= 1e-13


# ---------------------------------------------------------------------------------------- many runs
@pytest.mark.parametrize("threads", [1, 2])
def test_lockstep_equals_numpy_lockstep_and_single_runs(threads, monkeypatch):
    monkeypatch.setattr(ne, "THREADS", threads)
    X, y = _data("sigmoid", m=50)
    settings = dict(optimizer="adam", lr=0.01, epochs=20, batch_size=8, shuffle="course",
                    l2=[0.0, 0.2, 0.0, 0.4, 0.1], keep_prob=[1.0, 0.8, 0.7, 1.0, 0.9], seeds=[5, 6, 7, 8, 9])
    runs = {}
    for engine in ("numpy", "numba"):
        nets = [Network([3, 6, 4, 1], hidden="tanh", seed=10 + k) for k in range(5)]
        hs = fit_many(nets, X, y, config=descentlab.training.FitConfig(engine=engine), **settings)
        assert hs[0].config["engine"] == engine
        runs[engine] = (np.stack([n.theta for n in nets]), hs)
    assert _rel(runs["numpy"][0], runs["numba"][0]) <= REL
    for a, b in zip(runs["numpy"][1], runs["numba"][1]):
        _same_history(a, b)
    single = Network([3, 6, 4, 1], hidden="tanh", seed=13)
    fit(single, X, y, optimizer="adam", lr=0.01, epochs=20, batch_size=8, shuffle="course", l2=0.4, keep_prob=1.0,
        seed=8, verbose=0, engine="numba")
    assert np.array_equal(single.theta, runs["numba"][0][3])


def test_lockstep_threads_give_the_same_numbers(monkeypatch):
    X, y = _data("softmax", m=30)
    out = []
    for threads in (1, 2):
        monkeypatch.setattr(ne, "THREADS", threads)
        nets = [Network([3, 5, 4], output="softmax", seed=k) for k in range(7)]
        fit_many(nets, X, y, optimizer="momentum", lr=0.05, epochs=5, batch_size=6, keep_prob=0.8, seeds=list(range(7)))
        out.append(np.stack([n.theta for n in nets]))
    assert np.array_equal(*out)


def test_lockstep_stops_a_diverging_run_like_numpy():
    X, y = _data("linear", m=30)
    y = y * 1e3
    res = {}
    for engine in ("numpy", "numba"):
        nets = [Network([3, 5, 2], output="linear", seed=k) for k in range(3)]
        hs = fit_many(nets, X, y, config=descentlab.training.FitConfig(engine=engine), optimizer="gd",
                      lr=[0.001, 5.0, 0.002], epochs=30, batch_size=10, seeds=[1, 2, 3])
        res[engine] = ([len(h) for h in hs], [h.stop_reason for h in hs], np.stack([n.theta for n in nets]))
    assert res["numpy"][0] == res["numba"][0] and res["numpy"][1] == res["numba"][1]
    assert res["numba"][1][1] is not None and res["numba"][1][0] is None
    assert _rel(res["numpy"][2][[0, 2]], res["numba"][2][[0, 2]]) <= REL


# ------------------------------------------------------------------------------ faults, Ctrl-C, resume
@pytest.mark.parametrize("policy", ["raise", "stop", "skip"])
@pytest.mark.parametrize("large", [False, True])
def test_non_finite_steps_are_handled_like_numpy(policy, large, monkeypatch):
    if large:
        monkeypatch.setattr(ne, "KERNEL_PARAMS", 0)
    X, y = _data("linear", m=40)
    y[17] = 1e200  # the batch holding example 17 has an infinite cost
    out = {}
    for engine in ("numpy", "numba"):
        net = Network([3, 5, 2], output="linear", seed=1)
        try:
            h = fit(net, X, y, optimizer="adam", lr=0.01, epochs=3, batch_size=8, shuffle="none", seed=1, verbose=0,
                    on_nonfinite=policy, max_skips=2, engine=engine)
            out[engine] = ("ok", len(h), h.stop_reason, net.theta.copy())
        except NonFiniteError as exc:
            out[engine] = ("raised", exc.epoch, exc.step, str(exc), net.theta.copy())
    a, b = out["numpy"], out["numba"]
    assert a[:-1] == b[:-1]
    assert _rel(a[-1], b[-1]) <= REL


def test_an_overflowing_update_keeps_the_parameters_of_the_epoch_start():
    X, y = _data("linear", m=40)
    out = []
    for engine in ("numpy", "numba"):
        net = Network([3, 5, 2], output="linear", seed=1)
        with pytest.raises(NonFiniteError) as err:
            fit(net, X, y * 1e150, optimizer="gd", lr=1e150, epochs=3, batch_size=8, seed=1, verbose=0, engine=engine)
        # which non-finite value (inf or nan) an overflow gives depends on the order of the sums
        out.append((str(err.value).replace("nan", "inf"), net.theta.copy()))
    assert out[0][0] == out[1][0]
    assert _rel(out[0][1], out[1][1]) <= REL


def test_ctrl_c_between_chunks_resumes_bit_identically(tmp_path, monkeypatch):
    """The numba engine honours Ctrl-C between its chunks of steps; the resumed run (dropout included,
    so the dropout stream's state matters) ends exactly where the uninterrupted one does."""
    monkeypatch.setattr(ne, "CHUNK_STEPS", 4)
    X, y = _data("sigmoid", m=52)  # 13 steps per epoch
    settings = dict(optimizer="adam", lr=0.02, batch_size=4, keep_prob=0.8, l2=0.1, seed=5, verbose=0, epochs=3,
                    engine="numba")
    ref = Network([3, 6, 1], seed=3)
    fit(ref, X, y, **settings)
    chunks = {"n": 0}
    original = ne.NumbaRunner._chunk

    def chunk(self, *args):
        fault = original(self, *args)
        chunks["n"] += 1
        if chunks["n"] == 5:  # after steps 0..3 of the second epoch (4 chunks per epoch)
            os.kill(os.getpid(), signal.SIGINT)
        return fault

    monkeypatch.setattr(ne.NumbaRunner, "_chunk", chunk)
    ck = tmp_path / "mid.ckpt"
    h = fit(Network([3, 6, 1], seed=3), X, y, checkpoint=ck, **settings)
    assert h.interrupted
    monkeypatch.setattr(ne.NumbaRunner, "_chunk", original)
    from descentlab.training.checkpoint import load
    doc, _ = load(ck)
    assert doc["epoch"] == 1 and doc["accum"]["step"] == 4
    resumed = Network([3, 6, 1], seed=3)
    fit(resumed, X, y, resume=ck, **settings)
    assert np.array_equal(resumed.theta, ref.theta)


def test_resume_across_engines_continues_to_rounding(tmp_path):
    X, y = _data("softmax", m=40)
    settings = dict(optimizer="adam", lr=0.02, batch_size=8, seed=5, verbose=0)
    ref = Network([3, 6, 4], output="softmax", seed=3)
    fit(ref, X, y, epochs=6, engine="numpy", **settings)
    ck = tmp_path / "run.ckpt"
    net = Network([3, 6, 4], output="softmax", seed=3)
    fit(net, X, y, epochs=3, engine="numpy", checkpoint=ck, **settings)
    resumed = Network([3, 6, 4], output="softmax", seed=3)
    fit(resumed, X, y, epochs=6, engine="numba", resume=ck, **settings)
    assert _rel(ref.theta, resumed.theta) <= REL


# ------------------------------------------------------------------------- the default, the fallback
def test_auto_is_the_default_and_resolves_to_numba():
    X, y = _data("sigmoid")
    h = fit(Network([3, 4, 1], seed=1), X, y, epochs=2, verbose=0)
    assert h.config["engine"] == "numba"
    assert descentlab.training.FitConfig().engine == "auto"


def test_auto_uses_numpy_for_what_the_kernels_do_not_run(monkeypatch):
    @dataclass(frozen=True)
    class Custom(descentlab.training.Adam):
        def update(self, theta, grad, state, lr):  # not its rule(): only the NumPy engine calls update()
            super().update(theta, grad, state, lr)

    X, y = _data("sigmoid")
    assert fit(Network([3, 4, 1], seed=1), X, y, epochs=1, optimizer=Custom(), verbose=0).config["engine"] == "numpy"
    with pytest.raises(descentlab.errors.InputError, match="optimizer"):
        fit(Network([3, 4, 1], seed=1), X, y, epochs=1, optimizer=Custom(), verbose=0, engine="numba")
    from descentlab.core import activations
    monkeypatch.setitem(activations.ACTIVATIONS, "softsign", activations.ACTIVATIONS["tanh"])
    net = Network([3, 4, 1], hidden="softsign", seed=1)
    assert fit(net, X, y, epochs=1, verbose=0).config["engine"] == "numpy"


def test_numba_missing_falls_back_to_numpy_with_one_notice(monkeypatch, capsys):
    monkeypatch.setattr(engines, "_NUMBA", {})
    monkeypatch.setattr(nk, "numba", None)
    X, y = _data("sigmoid")
    h1 = fit(Network([3, 4, 1], seed=1), X, y, epochs=2, verbose=0)
    h2 = fit(Network([3, 4, 1], seed=1), X, y, epochs=2, verbose=0)
    assert h1.config["engine"] == h2.config["engine"] == "numpy"
    err = capsys.readouterr().err
    assert err.count("descentlab: numba is not installed") == 1 and "NumPy engine" in err
    with pytest.raises(EngineUnavailableError, match="pip install numba"):
        fit(Network([3, 4, 1], seed=1), X, y, epochs=1, verbose=0, engine="numba")


def test_a_failing_compiler_falls_back_to_numpy_with_one_notice(monkeypatch, capsys):
    def broken(*args):
        raise RuntimeError("LLVM ERROR: simulated")

    monkeypatch.setattr(engines, "_NUMBA", {})
    monkeypatch.setattr(nk, "squared_norm", broken)
    X, y = _data("sigmoid")
    for _ in range(2):
        assert fit(Network([3, 4, 1], seed=1), X, y, epochs=1, verbose=0).config["engine"] == "numpy"
    err = capsys.readouterr().err
    assert err.count("numba does not work here (RuntimeError: LLVM ERROR: simulated)") == 1


def _run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    src = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")
    environ = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")]), **env}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environ, timeout=600)


def test_the_kernels_are_plain_python_under_numba_disable_jit():
    code = ("import numpy as np, descentlab\n"
            "from descentlab.engines import numba_kernels as nk\n"
            "assert type(nk.train_steps).__name__ == 'function'\n"
            "rng = np.random.default_rng(0); X = rng.standard_normal((12, 3)); y = rng.integers(0, 2, 12)\n"
            "net = descentlab.Network([3, 4, 1], seed=1)\n"
            "h = descentlab.fit(net, X, y, epochs=3, batch_size=4, keep_prob=0.8, seed=2, verbose=0, engine='numba')\n"
            "print(repr(net.theta.tolist()))\n")
    plain = _run_python(code, NUMBA_DISABLE_JIT="1")
    assert plain.returncode == 0, plain.stderr
    X, y = np.random.default_rng(0).standard_normal((12, 3)), None
    rng = np.random.default_rng(0)
    X = rng.standard_normal((12, 3))
    y = rng.integers(0, 2, 12)
    net = Network([3, 4, 1], seed=1)
    fit(net, X, y, epochs=3, batch_size=4, keep_prob=0.8, seed=2, verbose=0, engine="numba")
    assert _rel(net.theta, eval(plain.stdout)) <= REL


def test_a_second_process_loads_the_kernels_from_the_disk_cache(tmp_path):
    code = ("from descentlab import engines\n"
            "from descentlab.engines import numba_kernels as nk\n"
            "assert engines.numba_error() is None\n"
            "print(sum(nk.squared_norm.stats.cache_hits.values()), sum(nk.squared_norm.stats.cache_misses.values()))\n")
    env = {"NUMBA_CACHE_DIR": str(tmp_path / "numba")}
    first = _run_python(code, **env)
    second = _run_python(code, **env)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert first.stdout.split() == ["0", "1"]   # compiled, and written to the cache
    assert second.stdout.split() == ["1", "0"]  # loaded, not compiled
    assert any(f.endswith(".nbc") for _, _, files in os.walk(tmp_path / "numba") for f in files)
