"""How many bytes a network and its training need, and the limit they must fit in.

Memory is bounded before it is allocated: building a :class:`~descentlab.Network`,
starting ``fit``/``fit_many``, the CLI and the experiments first estimate what they
are about to allocate and refuse, with one :class:`~descentlab.errors.MemoryLimitError`
line, a request above the limit. The limit is the memory this process can still get:
the smaller of the machine's available memory (``MemAvailable`` in ``/proc/meminfo``)
and the room left under a container's (cgroup) limit. A request that fits, even
tightly (15 GB on a 24 GiB machine), is simply allocated. Change the limit with the
environment variable ``DESCENTLAB_MEMORY_LIMIT`` (``40G``, ``512M``, a number of bytes,
or ``none``) or :func:`set_limit`.

The estimates (bytes, with n_l the layer sizes, P the parameter count, s the
parameters' item size, m examples, B the batch size):

- a network: 2·P·s (parameters and gradients) + 16·max_l(n_l·n_{l-1}) (the first
  draw of the largest weight matrix, in float64);
- its training: the data in the engine's layout m·(n_0 + 1 + 2·n_L)·s (+ 8·m class
  indices), the optimizer (slots + 3 + [λ > 0])·P·s (its state, two scratch vectors,
  the weight mask and the L2 factor), and per distinct batch size B the workspace
  (3·R + 2·D)·B·s with R = Σ_hidden (n_l + 1) + n_L rows and D = Σ_hidden n_l under dropout.

They were checked against ``tracemalloc`` peaks (tests/test_core_memory.py).
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..errors import InputError, MemoryLimitError

ENV = "DESCENTLAB_MEMORY_LIMIT"
CHECK_ABOVE = 64 * 2**20   # smaller requests are not checked (unless a limit is set explicitly)
_UNSET = object()
_override: Any = _UNSET
_UNITS = {"": 1, "b": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}


# ----------------------------------------------------------------------------------------- the limit
def _meminfo_available() -> int | None:
    try:
        text = Path("/proc/meminfo").read_text()
    except OSError:
        return None
    match = re.search(r"^MemAvailable:\s+(\d+)\s*kB", text, re.MULTILINE)
    return int(match.group(1)) * 1024 if match else None


def _cgroup_room() -> int | None:
    """Bytes left under this process's cgroup memory limits (v1 or v2, the tightest ancestor), or None."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    rooms = []
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controllers == "":           # v2
            base, limit_file, usage_file = Path("/sys/fs/cgroup"), "memory.max", "memory.current"
        elif "memory" in controllers.split(","):
            base, limit_file, usage_file = Path("/sys/fs/cgroup/memory"), "memory.limit_in_bytes", "memory.usage_in_bytes"
        else:
            continue
        folder = base / path.lstrip("/")
        while True:
            try:
                limit = (folder / limit_file).read_text().strip()
                usage = int((folder / usage_file).read_text().strip())
                if limit.isdigit() and int(limit) < 2**60:
                    rooms.append(max(0, int(limit) - usage))
            except (OSError, ValueError):
                pass
            if folder == base or folder == folder.parent:
                break
            folder = folder.parent
    return min(rooms) if rooms else None


def available_bytes() -> int | None:
    """Memory this process can still allocate: min(MemAvailable, room under its cgroup limit); None if unknown."""
    found = [v for v in (_meminfo_available(), _cgroup_room()) if v is not None]
    if not found:
        try:
            found = [os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")]
        except (ValueError, OSError, AttributeError):
            return None
    return min(found)


def parse_size(text: Any, name: str = ENV) -> int | None:
    """``"40G"``, ``"512M"``, ``"1.5T"``, ``"123456"`` -> bytes; ``"none"`` -> None (no limit)."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        value = float(text)
        if not math.isfinite(value) or value <= 0:
            raise InputError(f"{name}: expected a positive number of bytes, received {text!r}")
        return int(value)
    raw = str(text).strip().lower()
    if raw in ("none", "off", "unlimited", "no"):
        return None
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?", raw)
    if match is None or float(match.group(1)) <= 0:
        raise InputError(f"{name}: expected a size such as 16G, 500M or 123456 (bytes), or 'none', received {text!r}")
    return int(float(match.group(1)) * _UNITS[match.group(2)])


def set_limit(limit: Any = "auto") -> None:
    """Set the memory limit: bytes, a size string ("40G"), None for no limit, or "auto" (the default rule)."""
    global _override
    _override = _UNSET if (isinstance(limit, str) and limit.strip().lower() == "auto") else (
        None if limit is None else parse_size(limit, "limit"))


def limit_bytes() -> tuple[int | None, str]:
    """(the limit in bytes or None, where it comes from)."""
    if _override is not _UNSET:
        return _override, "set_limit"
    env = os.environ.get(ENV)
    if env is not None and env.strip() and env.strip().lower() != "auto":
        return parse_size(env), ENV
    return available_bytes(), "available memory"


def human(n: float) -> str:
    """A byte count for people: 1.5 GiB, 300.0 MiB, 12 KiB."""
    for unit, size in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{int(n)} bytes"


def require(nbytes: float, name: str, value: Any, what: str) -> None:
    """Raise MemoryLimitError (one line) unless ``nbytes`` fit under the limit.

    The message reads ``"<name>: expected <what> that fits in memory, received <value>, which needs
    about X while Y are available; ..."``.
    """
    explicit = _override is not _UNSET or bool(os.environ.get(ENV, "").strip())
    if nbytes < CHECK_ABOVE and not explicit:
        return
    limit, source = limit_bytes()
    if limit is None or nbytes <= limit:
        return
    room = f"{human(limit)} are available" if source == "available memory" else f"the limit is {human(limit)} ({source})"
    raise MemoryLimitError(f"{name}: expected {what} that fits in memory, received {value}, which needs about "
                           f"{human(nbytes)} while {room}; ask for less, or raise the limit with {ENV} "
                           f"(e.g. {ENV}={max(1, math.ceil(nbytes * 1.1 / 2**30))}G) or descentlab.core.memory.set_limit")


# --------------------------------------------------------------------------------------- estimates
def n_params(layer_dims: Sequence[int]) -> int:
    return sum(int(layer_dims[l]) * (int(layer_dims[l - 1]) + 1) for l in range(1, len(layer_dims)))


def network_bytes(layer_dims: Sequence[int], dtype: Any = np.float64) -> int:
    """Peak bytes of building a Network: parameters and gradients, plus the first draw of the largest W."""
    itemsize = np.dtype(dtype).itemsize
    largest = max(int(layer_dims[l]) * int(layer_dims[l - 1]) for l in range(1, len(layer_dims)))
    return 2 * n_params(layer_dims) * itemsize + 16 * largest


def optimizer_bytes(layer_dims: Sequence[int], dtype: Any, slots: int, l2: bool, engine: str = "numpy") -> int:
    """The optimizer's state, two scratch vectors, the weight mask and (λ > 0) the L2 factor.

    The numba engine (``engine`` "numba", or "auto", which may choose it) holds θ, its gradient and a
    scratch row beside the slots in one register array, and copies the optimizer's initial state into
    it: ``slots + 3`` vectors more (measured in tests/test_core_memory.py).
    """
    extra = slots + 3 if engine in ("numba", "auto") else 0
    return (slots + 3 + int(l2) + extra) * n_params(layer_dims) * np.dtype(dtype).itemsize


def workspace_bytes(layer_dims: Sequence[int], dtype: Any, batch: int, dropout: bool = False) -> int:
    """One forward/backward workspace for ``batch`` examples (activations, their gradients, scratch, masks)."""
    hidden = [int(n) for n in layer_dims[1:-1]]
    rows = sum(n + 1 for n in hidden) + int(layer_dims[-1])
    drop = sum(hidden) if dropout else 0
    return (3 * rows * np.dtype(dtype).itemsize + 2 * drop * 8) * int(batch)


def data_bytes(layer_dims: Sequence[int], dtype: Any, m: int, softmax: bool = False) -> int:
    """The training data in the engine's layout: inputs with a ones column, targets twice, class indices."""
    itemsize = np.dtype(dtype).itemsize
    return int(m) * ((int(layer_dims[0]) + 1 + 2 * int(layer_dims[-1])) * itemsize + (8 if softmax else 0))


def training_bytes(layer_dims: Sequence[int], dtype: Any, m: int, batch_size: int | None, *, slots: int = 2,
                   l2: bool = False, dropout: bool = False, softmax: bool = False, validation: int = 0,
                   engine: str = "auto") -> int:
    """Bytes ``fit`` allocates on top of the network: data, optimizer, workspaces (train and validation);
    ``engine`` as in :func:`optimizer_bytes` ("auto", the default, counts what the numba engine needs)."""
    m = int(m)
    B = m if batch_size is None else min(int(batch_size), m)
    sizes = {B, m % B} - {0}
    work = sum(workspace_bytes(layer_dims, dtype, b, dropout) for b in sizes)
    gather = B * (int(layer_dims[0]) + 1 + int(layer_dims[-1])) * np.dtype(dtype).itemsize if batch_size else 0
    evaluate = workspace_bytes(layer_dims, dtype, validation) + data_bytes(layer_dims, dtype, validation) if validation else 0
    return (data_bytes(layer_dims, dtype, m, softmax) + optimizer_bytes(layer_dims, dtype, slots, l2, engine)
            + work + gather + evaluate)


def require_network(layer_dims: Sequence[int], dtype: Any = np.float64, name: str = "layer_dims") -> None:
    """Refuse a network that does not fit (see :func:`network_bytes`); ``name`` is the argument in the message."""
    P = n_params(layer_dims)
    require(network_bytes(layer_dims, dtype), name, list(layer_dims),
            f"a network ({P:,} parameters, {np.dtype(dtype).name})")


def require_training(layer_dims: Sequence[int], dtype: Any, m: int, batch_size: int | None, *, optimizer: Any = None,
                     l2: float = 0.0, keep_prob: Any = 1.0, output: str = "sigmoid", validation: int = 0,
                     runs: int = 1, network: bool = True, name: str = "layer_dims") -> None:
    """Refuse a training run (``runs`` networks at once) whose network and training do not fit, before building any."""
    slots = len(getattr(optimizer, "slots", ("v", "s")))
    dropout = any(float(p) < 1 for p in np.atleast_1d(keep_prob))
    per_run = training_bytes(layer_dims, dtype, m, batch_size, slots=slots, l2=bool(l2), dropout=dropout,
                             softmax=output == "softmax", validation=validation)
    total = runs * per_run + (runs * network_bytes(layer_dims, dtype) if network else 0)
    P = n_params(layer_dims)
    what = f"a network ({P:,} parameters, {np.dtype(dtype).name}) and its training on {int(m):,} examples" + (
        f", {runs} runs at once" if runs > 1 else "")
    require(total, name, list(layer_dims), what)
