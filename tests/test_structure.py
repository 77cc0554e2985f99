"""The code's shape: each formula has one home, training and engine functions are short, names come from registries.

Guards: the whole package (the formulas), ``descentlab.training`` and ``descentlab.engines`` (function
length), the CLI and the experiment spec (registries).
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest

import descentlab

PACKAGE = Path(descentlab.__file__).parent
MAX_LINES = 40


def _code_only(path: Path) -> str:
    """The module's code, one logical line per line, without spaces, strings or comments (so a docstring
    that quotes a formula does not count, and ``a / (2 * m)`` reads ``a/(2*m)``)."""
    lines, line = [], []
    for tok in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline):
        if tok.type in (tokenize.NEWLINE, tokenize.NL):
            lines.append("".join(line))
            line = []
        elif tok.type == tokenize.STRING:
            line.append('""')
        elif tok.type not in (tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT):
            if line and line[-1][-1:].isidentifier() and tok.string[:1].isalnum():
                line.append(" ")  # keep "return x" two words
            line.append(tok.string)
    return "\n".join(lines + ["".join(line)])


CODE = {p.relative_to(PACKAGE).as_posix(): _code_only(p) for p in PACKAGE.rglob("*.py")}
# descentlab.course is the course's code, a second copy by design: it keeps the course's own formulas
# (and their rounding) so that it prints what the course printed; the core's are the ones searched here.
FORMULA_CODE = {name: code for name, code in CODE.items() if not name.startswith("course/")}

# formula -> (a pattern that finds it, its one home)
HOMES = {
    "Adam's bias correction 1 - β^t": (r"1-[\w.]*beta\w*\*\*|np\.power\([\w.]*beta", "training/optimizers.py"),
    "the dropout draw u < keep_prob": (r"\.(random|rand)\([^)]*\)<", "core/regularization.py"),
    "the dropout scale 1 / keep_prob": (r"1(\.0)?/[\w.]*(keep_prob|kp)\b", "core/regularization.py"),
    # (an epoch's summed penalty over m, acc.l2 / m, is a mean, not the formula)
    "the L2 scales λ/(2m), λ/m": (r"(?<!acc\.)\b(lambd|l2)/(\(2\*|[\w.]*m\b)", "core/regularization.py"),
    "log-sigmoid and sigmoid from logits": (r"logaddexp\(0(\.0)?,-", "core/outputs.py"),
    "softmax": (r"np\.exp\([\w.]+-(np\.max\(|[\w.]+\.max\()", "core/outputs.py"),
    "the correct-prediction count": (r"count_nonzero\(", "core/outputs.py"),
}


@pytest.mark.parametrize("formula", list(HOMES))
def test_each_formula_has_one_home(formula):
    pattern, home = HOMES[formula]
    found = sorted(name for name, code in FORMULA_CODE.items() if re.search(pattern, code))
    assert found == [home], f"{formula}: found in {found}, its home is {home}"


def test_the_nonfinite_message_has_one_home():
    found = sorted(p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py")
                   if '"the gradient is not finite"' in p.read_text(encoding="utf-8"))
    assert found == ["engines/base.py"]


def test_helpers_are_defined_once():
    for name in ("_jsonable", "jsonable", "_dtype", "float_dtype", "_PrintCost", "PrintCost", "_sigmoid"):
        defined = sorted(f for f, code in CODE.items() if re.search(rf"^\s*(def|class) {name}\b", code, re.M))
        assert len(defined) <= 1, (name, defined)


def _long_functions(folder: str) -> list[str]:
    out = []
    for path in sorted((PACKAGE / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                body = node.body
                has_doc = isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str)
                first = body[1] if (has_doc and len(body) > 1) else body[0]
                lines = node.end_lineno - first.lineno + 1
                if lines > MAX_LINES:
                    out.append(f"{path.name}:{node.lineno} {node.name} ({lines} lines)")
    return out


@pytest.mark.parametrize("folder", ["training", "engines"])
def test_no_long_function(folder):
    """Each function's code (after its signature and docstring) fits in MAX_LINES lines."""
    assert _long_functions(folder) == []


def test_fit_reads_as_its_story():
    source = (PACKAGE / "training" / "fit.py").read_text(encoding="utf-8")
    node = next(n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef) and n.name == "fit")
    code = ast.get_source_segment(source, node)
    for step in ("_settle_config(", "PreparedData.prepare(", "_Run(", "_train("):
        assert step in code, step


def test_cli_choices_and_help_come_from_the_registries(capsys):
    from descentlab.cli.main import main
    from descentlab.core.activations import ACTIVATIONS
    from descentlab.core.outputs import OUTPUTS
    from descentlab.engines import ENGINES
    from descentlab.training.batching import SHUFFLES
    from descentlab.training.optimizers import OPTIMIZERS

    with pytest.raises(SystemExit):
        main(["train", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for registry in (ACTIVATIONS, OUTPUTS, ENGINES, SHUFFLES, OPTIMIZERS):
        for name in registry:
            assert name in text, name


def test_a_registered_optimizer_appears_everywhere(monkeypatch):
    """Registering an optimizer once makes it a choice of fit, the spec and the CLI help."""
    from dataclasses import dataclass

    from descentlab.experiments import spec
    from descentlab.training import optimizers
    from descentlab.training.config import FitConfig

    @dataclass(frozen=True)
    class Plain(optimizers.GD):
        name = "plain"

    monkeypatch.setitem(optimizers.OPTIMIZERS, "plain", Plain)
    assert isinstance(FitConfig(optimizer="plain").optimizer, Plain)
    assert spec.normalize_value("optimizer", "plain", "base.optimizer") == "plain"


def test_spec_messages_use_the_shared_checks():
    from descentlab.errors import InputError
    from descentlab.experiments.spec import normalize_value

    with pytest.raises(InputError, match=r"^base\.lr: expected a positive number, received 'fast'$"):
        normalize_value("lr", "fast", "base.lr")
    with pytest.raises(InputError, match=r"^base\.shuffle: expected one of 'random', 'course', 'none'"):
        normalize_value("shuffle", "sometimes", "base.shuffle")
