"""The ``descentlab`` command: one subcommand per module in this package.

Exit status: 0 success, 1 a failed check (a gradient check that fails, a
conclusion that does not hold), 2 bad usage or bad input: then one line on
stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import re
import sys
import warnings
from typing import Sequence

from .._checks import did_you_mean
from ..errors import DescentlabError, UnverifiedFileWarning

# Each module ``descentlab/cli/<name>_cmd.py`` is the subcommand ``<name>``: it defines HELP,
# ORDER (its place in --help), register(parser) and run(args) -> exit status.


def _command_modules() -> list:
    found = []
    for info in pkgutil.iter_modules(importlib.import_module(__package__).__path__):
        if info.name.endswith("_cmd"):
            found.append(importlib.import_module(f"{__package__}.{info.name}"))
    return sorted(found, key=lambda m: (getattr(m, "ORDER", 100), m.__name__))


class UsageError(DescentlabError, ValueError):
    """Bad command-line usage."""


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line and exit status 2, with the nearest name for a misspelt one."""

    argv: Sequence[str] = ()

    def error(self, message: str):  # noqa: D401 - argparse API
        raise UsageError(f"{self.prog}: {message}{self._suggestion(message)} (see {self.prog} --help)")

    def _suggestion(self, message: str) -> str:
        """'(did you mean '--optimizer'?)' for an unknown option or a choice that is close to a known one."""
        invalid = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
        if invalid:
            return did_you_mean(invalid.group(1), re.findall(r"'([^']*)'", invalid.group(2)))
        unknown = re.match(r"unrecognized arguments: (.*)", message)
        if not unknown:
            return ""
        options = self._options_of_command()
        for token in unknown.group(1).split():
            hint = did_you_mean(token.split("=", 1)[0], options) if token.startswith("--") else ""
            if hint:
                return hint
        return ""

    def _options_of_command(self) -> list[str]:
        """The option strings of the subcommand named in ``argv`` (and the parser's own)."""
        options = [o for a in self._actions for o in a.option_strings]
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                for token in self.argv:
                    if token in action.choices:
                        options += [o for a in action.choices[token]._actions for o in a.option_strings]
                        break
        return [o for o in options if o.startswith("--")]


def build_parser() -> Parser:
    from .._version import __version__
    parser = Parser(prog="descentlab", description="Train fully connected networks and see why gradient descent converges, or fails to.")
    parser.add_argument("--version", action="version", version=f"descentlab {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for mod in _command_modules():
        name = mod.__name__.rsplit(".", 1)[1][: -len("_cmd")]
        p = sub.add_parser(name, help=mod.HELP, description=mod.__doc__,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        mod.register(p)
        p.set_defaults(_run=mod.run)
    return parser


def _one_line_notices(show):
    """Show descentlab's own warnings (e.g. a file without checksums) as one 'descentlab: note:' line."""
    def notice(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, UnverifiedFileWarning):
            print(f"descentlab: note: {' '.join(str(message).split())}", file=sys.stderr)
        else:
            show(message, category, filename, lineno, file, line)
    return notice


def main(argv: Sequence[str] | None = None) -> int:
    with warnings.catch_warnings():
        warnings.showwarning = _one_line_notices(warnings.showwarning)
        return _main(argv)


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    parser.argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "command", None):
            parser.print_help()
            return 2
        return int(args._run(args) or 0)
    except BrokenPipeError:  # `descentlab ... | head`: the reader left; not an error worth a message
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except (DescentlabError, ValueError, TypeError, OSError) as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        print(f"descentlab: error: {message}", file=sys.stderr)
        return 2
    except MemoryError as exc:  # an allocation no estimate caught: still one line, never a traceback
        print(f"descentlab: error: out of memory: {' '.join(str(exc).split()) or 'an allocation failed'}; "
              "ask for less (smaller layers, batches or data)", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("descentlab: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
