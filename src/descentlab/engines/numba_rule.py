"""An optimizer's update rule for the numba kernels: traced once, never restated.

:func:`trace_rule` runs ``optimizer.rule`` (descentlab.training.optimizers) once with
:class:`TraceOps`, the recording counterpart of ``NumpyOps`` (and of the TensorFlow engine's
``TensorFlowOps``): each primitive call becomes an instruction (opcode, registers, numbers) of a
:class:`Program`. The per-step numbers are the optimizer's own ``coefficients(t, lr)`` and
``constants(dtype)``, evaluated for a whole table of steps at once (:meth:`Program.table`).

The kernels run a program two ways, with the same operations in the same order as ``NumpyOps``:
``numba_kernels.update`` interprets it a cache-sized block at a time (inside the whole-chunk kernels of
small networks), and :func:`fused_update` compiles it into one loop (large networks, where the passes
over memory count): :func:`update_source` writes that loop as a small Python module, kept in
:func:`kernel_dir` and named by a hash of its source, so numba caches its machine code like the others'.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import tempfile
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from .. import _checks as check
from . import numba_kernels as nk

TABLE_ROWS = 4096
"""Update numbers computed at once (rows of the optimizer's coefficients, one per step)."""


class _Number:
    """A number of an update: a function of the step's coefficients (``coefficients(t, lr) + constants``)."""

    __slots__ = ("fn",)

    def __init__(self, fn: Callable[[tuple], Any]) -> None:
        self.fn = fn

    @staticmethod
    def of(x: Any) -> _Number:
        return x if isinstance(x, _Number) else _Number(lambda c, x=x: x)

    def _op(self, other: Any, f: Callable[[Any, Any], Any], swap: bool = False) -> _Number:
        other = _Number.of(other)
        a, b = (other, self) if swap else (self, other)
        return _Number(lambda c: f(a.fn(c), b.fn(c)))

    def __mul__(self, o): return self._op(o, lambda a, b: a * b)
    def __rmul__(self, o): return self._op(o, lambda a, b: a * b, True)
    def __add__(self, o): return self._op(o, lambda a, b: a + b)
    def __radd__(self, o): return self._op(o, lambda a, b: a + b, True)
    def __sub__(self, o): return self._op(o, lambda a, b: a - b)
    def __rsub__(self, o): return self._op(o, lambda a, b: a - b, True)
    def __truediv__(self, o): return self._op(o, lambda a, b: a / b)
    def __rtruediv__(self, o): return self._op(o, lambda a, b: a / b, True)
    def __neg__(self): return _Number(lambda c: -self.fn(c))


class _Register:
    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index


class TraceOps:
    """The primitives of ``NumpyOps`` (descentlab.training.optimizers), recorded as a program for
    :func:`.numba_kernels.apply_update` instead of executed: (opcode, d, x, y, number, number)."""

    def __init__(self) -> None:
        self.code: list[tuple[int, ...]] = []
        self.numbers: list[_Number] = [_Number.of(0.0)]
        self.tmp = _Register(nk.TMP)

    def _n(self, x: Any) -> int:
        self.numbers.append(_Number.of(x))
        return len(self.numbers) - 1

    def _emit(self, op: int, d: _Register, x: _Register, y: _Register | None = None, c0: Any = 0.0,
              c1: Any = 0.0) -> None:
        self.code.append((op, d.index, x.index, (y or x).index, self._n(c0), self._n(c1)))

    def ema(self, slot, x, beta, one_minus_beta):
        self._emit(nk.EMA, slot, x, None, beta, one_minus_beta)
        return slot

    def ema_square(self, slot, x, beta, one_minus_beta):
        self._emit(nk.EMA_SQUARE, slot, x, None, beta, one_minus_beta)
        return slot

    def over_root(self, x, s, eps):
        self._emit(nk.OVER_ROOT, self.tmp, x, s, eps)
        return self.tmp

    def mix(self, v, x, beta, one_minus_beta):
        self._emit(nk.MIX, self.tmp, v, x, beta, one_minus_beta)
        return self.tmp

    def times(self, a, b):
        self._emit(nk.TIMES, self.tmp, a, b)
        return self.tmp

    def descend(self, theta, step, lr):
        self._emit(nk.DESCEND, theta, step, None, lr)


@dataclass
class Program:
    """An optimizer's rule as a program over registers (scratch, θ, g, slots), and its numbers."""

    code: np.ndarray          # (instructions, 6) int64
    numbers: list[_Number]    # each a function of the step's coefficients
    slots: tuple[str, ...]
    n_coef: int

    def table(self, optimizer: Any, t0: int, n: int, lr: Any, dtype: Any, runs: int = 0) -> np.ndarray:
        """The numbers of updates t0+1 .. t0+n at rate ``lr``, cast to ``dtype``: (n, numbers), or
        (runs, n, numbers) for runs in lockstep (hyperparameters and ``lr`` as (K, 1) columns)."""
        t = np.arange(t0 + 1, t0 + n + 1)
        coef = _coefficients(optimizer, t[:, None, None] if runs else t, lr) + tuple(optimizer.constants(np.float64))
        shape = (n, runs, 1) if runs else (n,)
        out = np.stack([np.broadcast_to(num.fn(coef), shape) for num in self.numbers], axis=-1).astype(dtype)
        return np.ascontiguousarray(out[:, :, 0, :].transpose(1, 0, 2)) if runs else out


def _coefficients(optimizer: Any, t: np.ndarray, lr: Any) -> tuple:
    """``optimizer.coefficients`` for an array of steps in one call, or step by step when it needs numbers."""
    try:
        return tuple(optimizer.coefficients(t, lr))
    except (TypeError, ValueError):
        rows = [optimizer.coefficients(int(s), lr) for s in np.ravel(t)]
        return tuple(np.array([np.asarray(v, np.float64) for v in col]).reshape(t.shape[:1] + np.shape(col[0]))
                     for col in zip(*rows))


def update_source(program: Program, name: str) -> str:
    """The fused update of a traced rule, as Python source: one loop over the parameters, each register
    a local number, each instruction its primitive's formula (``numba_kernels.PRIMITIVE_SOURCE``)."""
    body, read, written, numbers = [], set(), set(), set()
    for op, d, x, y, i0, i1 in program.code.tolist():
        formula = nk.PRIMITIVE_SOURCE[op]
        for r, key in ((d, "{d}"), (x, "{x}"), (y, "{y}")):
            if key in formula and r not in written:
                read.add(r)
        numbers |= {i for i, key in ((i0, "{c0}"), (i1, "{c1}")) if key in formula}
        body.append(f"        r{d} = " + formula.format(d=f"r{d}", x=f"r{x}", y=f"r{y}", c0=f"c{i0}", c1=f"c{i1}"))
        written.add(d)
    lines = [f'"""The update of {name}, generated from {name}.rule by descentlab.engines.numba_engine; do not edit."""',
             "import math", "", "from descentlab.engines.numba_kernels import jit", "", "", "@jit",
             "def update(regs, numbers):"]
    lines += [f"    c{i} = numbers[{i}]" for i in sorted(numbers)]
    lines += ["    for p in range(regs.shape[1]):"] + [f"        r{r} = regs[{r}, p]" for r in sorted(read)]
    lines += body + [f"        regs[{r}, p] = r{r}" for r in sorted(written - {nk.TMP})]
    return "\n".join(lines) + "\n"


def fused_update(program: Program, name: str, dtype: Any) -> Callable | None:
    """The compiled fused update of a program for parameters of ``dtype``, from a module written once into
    the kernel cache directory (:func:`kernel_dir`, named by a hash of its source) so that numba caches its
    machine code like the other kernels'; None when it cannot be made (the interpreter then runs it)."""
    source = update_source(program, name)
    digest = hashlib.sha256((source + nk.__file__).encode()).hexdigest()[:20]
    key = (digest, np.dtype(dtype).str)
    if key not in _FUSED:
        try:
            _FUSED[key] = _load_update(source, digest, len(program.numbers), program.code, dtype)
        except Exception:  # no writable directory, a stale cache entry: the interpreter runs the rule
            _FUSED[key] = None
    return _FUSED[key]


def _load_update(source: str, digest: str, n_numbers: int, code: np.ndarray, dtype: Any) -> Callable:
    path = os.path.join(kernel_dir(), f"update_{digest}.py")
    if not os.path.exists(path):
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(source)
        os.replace(tmp, path)
    name = f"descentlab_update_{digest}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # numba's cache refers to the module by its name
    spec.loader.exec_module(module)
    module.update(np.zeros((int(code[:, 1:4].max()) + 1, 1), dtype), np.zeros(n_numbers, dtype))  # compile or load
    return module.update


_FUSED: dict[tuple[str, str], Callable | None] = {}


def kernel_dir() -> str:
    """Where generated kernels live: ``$DESCENTLAB_CACHE_DIR``, else ``$XDG_CACHE_HOME/descentlab`` or
    ``~/.cache/descentlab``, else a temporary directory (each is used only when it is writable)."""
    for base in (os.environ.get("DESCENTLAB_CACHE_DIR"),
                 os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "descentlab"),
                 os.path.join(tempfile.gettempdir(), f"descentlab-{os.getuid() if hasattr(os, 'getuid') else 'user'}")):
        if not base:
            continue
        path = os.path.join(base, "kernels")
        try:
            os.makedirs(path, exist_ok=True)
            if os.access(path, os.W_OK):
                return path
        except OSError:
            continue
    raise OSError("descentlab: no writable directory for the generated kernels (set DESCENTLAB_CACHE_DIR)")


def trace_rule(optimizer: Any) -> Program:
    """``optimizer.rule`` run once with :class:`TraceOps`: the program the kernels run for it.

    Raises ``check.fail`` when the optimizer's update is not its rule (an overridden ``update``).
    """
    if not getattr(optimizer, "portable", False):
        raise check.fail("optimizer", optimizer, "an optimizer whose update is its rule() for engine='numba' "
                                                 "(an overridden update() runs on the NumPy engine only)")
    ops = TraceOps()
    n_coef = len(optimizer.coefficients(1, optimizer.lr))
    n_const = len(optimizer.constants(np.float64))
    coef = tuple(_Number(lambda c, i=i: c[i]) for i in range(n_coef + n_const))
    registers = [_Register(nk.THETA), _Register(nk.GRAD)] + [_Register(3 + i) for i in range(len(optimizer.slots))]
    optimizer.rule(ops, coef, *registers)
    return Program(np.array(ops.code, np.int64).reshape(-1, 6), ops.numbers, tuple(optimizer.slots), n_coef)
