"""Argument types shared by the subcommands: each turns a string into a checked value."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable


def int_list(text: str) -> list[int]:
    """'4,5,3,1' -> [4, 5, 3, 1]."""
    try:
        values = [int(v) for v in text.replace(" ", "").split(",") if v != ""]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers such as 4,5,3,1, received {text!r}") from None
    if len(values) < 2 or any(v < 1 for v in values):
        raise argparse.ArgumentTypeError(f"expected at least two positive sizes such as 4,5,3,1, received {text!r}")
    return values


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, received {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, received {text!r}")
    return value


def number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, received {text!r}") from None


def names(registry: Iterable[str]) -> str:
    """'a, b, c': the names of a registry, for a --help text."""
    return ", ".join(registry)


def stderr_log(message: str) -> None:
    """A progress line on stderr (stdout is the result, e.g. the JSON document of --json)."""
    print(message, file=sys.stderr, flush=True)
