"""The package's layers, read from its imports: every import goes down, and no modules import each other in a cycle.

Every ``import`` and ``from ... import`` of every module is read with ``ast``,
the lazy ones inside functions included, and mapped to the module it names. The
layers, bottom to top, are those of the package docstring and DEVELOPERS.md.
"""

from __future__ import annotations

import ast
from pathlib import Path

import descentlab

PACKAGE = Path(descentlab.__file__).parent

# bottom to top; a module may import its own layer and the layers below it
LAYERS = [
    ("foundation", ["errors", "_version", "_checks", "_format"]),
    ("io", ["io"]),
    ("core", ["core"]),
    ("engines", ["engines"]),
    ("data and figures", ["datasets", "plot"]),
    ("training", ["training"]),
    ("course", ["course"]),
    ("experiments", ["experiments"]),
    ("tune", ["tune"]),
    ("interfaces", ["sklearn", "notebook", "cli", "playground", ""]),  # "" is the package itself (descentlab/__init__.py)
]


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = ["descentlab", *path.relative_to(PACKAGE).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The descentlab modules that module ``name`` imports anywhere in its code."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "descentlab")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "descentlab":
                continue
            subs = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in MODULES]
            found.update(subs or [target])
    return {_closest_module(t) for t in found} - {name}


def _closest_module(target: str) -> str:
    while target not in MODULES:
        target = target.rsplit(".", 1)[0]
    return target


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _layer(module: str) -> int:
    rest = module[len("descentlab"):].lstrip(".")
    top = rest.split(".")[0]
    for rank, (_, parts) in enumerate(LAYERS):
        if top in parts:
            return rank
    raise AssertionError(f"{module} belongs to no layer: add it to LAYERS")


def test_every_module_has_a_layer():
    for module in MODULES:
        _layer(module)


def test_no_module_imports_a_higher_layer():
    upward = []
    for module, targets in GRAPH.items():
        for target in targets:
            if _layer(target) > _layer(module):
                upward.append(f"{module} ({LAYERS[_layer(module)][0]}) imports {target} ({LAYERS[_layer(target)][0]})")
    assert not upward, "\n".join(sorted(upward))


def test_no_import_cycles():
    state: dict[str, int] = {}  # 1 on the path, 2 done
    cycles = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(GRAPH[module]):
            if state.get(target) == 1:
                cycles.append(" -> ".join(path[path.index(target):] + [target]))
            elif target not in state:
                visit(target, path + [target])
        state[module] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module, [module])
    assert not cycles, "\n".join(cycles)


def test_engines_depend_only_on_the_core_and_their_shared_types():
    for module, targets in GRAPH.items():
        if module.startswith("descentlab.engines"):
            for target in targets:
                assert _layer(target) <= _layer("descentlab.core") or target.startswith("descentlab.engines"), \
                    f"{module} imports {target}"


def test_the_scanner_sees_lazy_imports():
    # fit imports its engine's runner through the registry; the registry imports the engines inside functions
    assert "descentlab.engines.numpy_engine" in GRAPH["descentlab.engines"]
    assert "descentlab.engines.tensorflow_engine" in GRAPH["descentlab.engines"]
    assert "descentlab._checks" in GRAPH["descentlab.core.network"]
