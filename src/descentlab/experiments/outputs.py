"""Writing a run's output set (results.json, the figures, the models, report.html) as one whole.

Before training, :func:`check_out` makes sure the output folder can be written and has
room, so a read-only folder, a file in the folder's place or a full disk fail at once,
not after the training. After training, :func:`publish` writes every file into a
staging folder next to the output folder (each file fsync'ed, plus a manifest
``.descentlab-output.json`` with every file's sha256), then publishes the staging
folder as a whole: an atomic exchange of the two folders (Linux ``renameat2``), or
else two renames during which the folder is briefly absent. A reader of the output
folder therefore sees the previous run's complete set or the new run's complete set,
never a mix of two runs, and a failure (a full disk, Ctrl-C) leaves the previous set
untouched and no staging folder behind. (A reader that opens several files should
open the folder once and the files relative to it, ``os.open(name, dir_fd=...)``, so
that a publish between two opens cannot hand it files of two runs.)

The output folder is descentlab's: it must be new, empty, or one descentlab wrote (it
has the manifest, or only files named like descentlab's outputs). A folder holding
other files is refused, because publishing replaces the folder's contents.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import re
import secrets
import shutil
from pathlib import Path
from typing import Any, Iterable

from .._version import __version__
from ..errors import InputError
from ..io.atomic import atomic_write_bytes, check_writable
from . import report as _report
from .records import ExperimentResult

MANIFEST = ".descentlab-output.json"
OURS = re.compile(r"^(results\.json|report\.html|.*\.png|(model|signs)-.*\.safetensors|figures|\.descentlab-output\.json)$")
FIGURE_BYTES = 400_000       # a generous PNG figure, for the room estimate
HEADER_BYTES = 64 * 1024     # a model file's header, for the room estimate


# ------------------------------------------------------------------------------------- before the run
def model_bytes(layers: Iterable[int], dtype: str = "float64") -> int:
    """Bytes of a model file of these layer sizes (tensors plus a header)."""
    dims = [int(n) for n in layers]
    params = sum(dims[l] * (dims[l - 1] + 1) for l in range(1, len(dims)))
    return params * (8 if dtype == "float64" else 4) + 2 * dims[0] * 8 + HEADER_BYTES


def estimate_bytes(experiments: Iterable[Any], quick: bool = False, models: bool = True) -> int:
    """A generous estimate of an output set: models, figures, the report (which embeds them) and results."""
    total = 1_000_000
    for exp in experiments:
        for arm in exp.arms:
            cfg = exp.config(arm, quick)
            if models and exp.kind == "train" and "layers" in cfg:
                total += model_bytes(cfg["layers"], cfg.get("dtype", "float64"))
            total += 2 * 2 * FIGURE_BYTES     # per-arm figures, once as PNG and once in the report
        total += 2 * 2 * FIGURE_BYTES         # the experiment's own figures
    return total


def _foreign_entries(folder: Path) -> list[str]:
    """Files of ``folder`` that descentlab did not write, which publishing would remove.

    With a manifest, every file must be listed in it; without one (a folder written before
    manifests), it must hold results.json and only files named like descentlab's outputs.
    """
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if not p.is_dir())
    if not files:
        return []
    try:
        listed = set(json.loads((folder / MANIFEST).read_text())["files"])
    except (OSError, ValueError, KeyError, TypeError):
        listed = None
    if listed is not None:
        return [f for f in files if f not in listed and f != MANIFEST]
    if "results.json" not in files:
        return files
    return [f for f in files if not OURS.match(f.split(os.sep)[0]) or (os.sep in f and not f.endswith(".png"))]


def check_out(out: Any, experiments: Iterable[Any] = (), *, quick: bool = False, name: str = "--out",
              need: int | None = None) -> Path:
    """Fail now, before training, unless ``out`` can receive the output set (see the module docstring)."""
    if not isinstance(out, (str, os.PathLike)) or not str(out).strip():
        raise InputError(f"{name}: expected a folder path, received {out!r}")
    folder = Path(out).expanduser()
    _not_around_cwd(folder, name)
    if folder.is_dir():
        foreign = _foreign_entries(folder)
        if foreign:
            raise InputError(f"{name}: expected a new or empty folder, or one descentlab wrote, received '{folder}' "
                             f"holding other files ({', '.join(foreign[:3])}{' ...' if len(foreign) > 3 else ''}); "
                             "publishing a run replaces the folder's contents, so choose another folder")
    need = estimate_bytes(experiments, quick) if need is None else need
    check_writable(folder, name, folder=True, need=need)
    if folder.exists():  # the staging folder is made beside it, and the two are renamed there
        check_writable(_parent(folder) / ".descentlab-probe", name)
    return folder


def _not_around_cwd(folder: Path, name: str) -> None:
    """Publishing swaps the folder: it cannot be the working directory or hold it."""
    here, target = Path.cwd().resolve(), folder.resolve()
    if here == target or target in here.parents:
        raise InputError(f"{name}: expected a folder other than the current directory or one that holds it, "
                         f"received '{folder}' (publishing replaces the folder); use e.g. {name} results")


def _parent(folder: Path) -> Path:
    parent = folder.resolve().parent if folder.exists() else folder.parent
    return parent if str(parent) else Path(".")


# ------------------------------------------------------------------------------------- publishing
def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def _fsync_tree(folder: Path) -> None:
    for root, _, _ in os.walk(folder):
        fd = os.open(root, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _stage(stage: Path, files: dict[str, Any]) -> None:
    """Write every file into the staging folder (bytes, or a Network saved as a model file), then the manifest."""
    sums = {}
    for rel, content in files.items():
        path = stage / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, (bytes, bytearray)):
            atomic_write_bytes(path, bytes(content))
        else:
            content.save(path)          # a Network: an atomic, checksummed model file
        sums[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    manifest = {"written_by": f"descentlab {__version__}", "files": dict(sorted(sums.items()))}
    atomic_write_bytes(stage / MANIFEST, (json.dumps(manifest, indent=1) + "\n").encode("utf-8"))
    _fsync_tree(stage)


def publish(files: dict[str, Any], out: Any, *, name: str = "--out") -> list[Path]:
    """Publish ``files`` ({relative path: bytes or a Network}) as the whole contents of ``out``."""
    folder = Path(out).expanduser()
    folder = folder.resolve() if folder.is_symlink() else folder
    _not_around_cwd(folder, name)
    if folder.is_dir() and _foreign_entries(folder):
        check_out(folder, name=name, need=0)              # raises, naming the foreign files
    parent = _parent(folder)
    parent.mkdir(parents=True, exist_ok=True)
    tag = f"{os.getpid()}-{secrets.token_hex(4)}"
    stage = parent / f".{folder.name}.staging-{tag}"
    stage.mkdir()
    try:
        _stage(stage, files)
        if not folder.exists():
            os.rename(stage, folder)                    # atomic: the folder appears whole
        elif _exchange(stage, folder):
            shutil.rmtree(stage)                        # now the previous set
        else:
            old = parent / f".{folder.name}.previous-{tag}"
            os.rename(folder, old)                      # briefly no folder, never a mixed one
            os.rename(stage, folder)
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return sorted(folder / rel for rel in files)


def write_outputs(result: ExperimentResult, out: Any, *, report: bool = True) -> list[Path]:
    """Publish results.json, the PNG figures, the models and report.html as the whole contents of ``out``.

    Everything is rendered in memory first; nothing is written before the whole run has
    finished, and then the set is published at once (:func:`publish`). So a failed or
    interrupted run never leaves a half-written file, never overwrites a good one and
    never leaves two runs' files side by side.
    """
    files: dict[str, Any] = dict(result.models)
    files.update(result.figures)
    files["results.json"] = (json.dumps(result.to_dict(), indent=2, allow_nan=False) + "\n").encode("utf-8")
    if report:
        files["report.html"] = _report.render_report([result]).encode("utf-8")
    return publish(files, out)
