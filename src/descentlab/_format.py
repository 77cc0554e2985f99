"""How numbers are printed in tables (the CLI's lines, the experiment tables, the HTML report).

One rule everywhere: :func:`number` shows ``digits`` significant digits (default 4), so
0.94 prints as 0.9400 and 0.0323451 as 0.03235, whatever the column. JSON documents
keep full precision (they are written with ``json.dumps`` of the floats themselves).
"""

from __future__ import annotations

import math
from typing import Any

DIGITS = 4


def number(value: Any, digits: int = DIGITS) -> str:
    """``value`` with ``digits`` significant digits ('0.9400', '0.03235', '2.851e-09'); '-' for None."""
    if value is None:
        return "-"
    x = float(value)
    if not math.isfinite(x):
        return str(x)
    return f"{x:#.{digits}g}".rstrip(".")


def percent(fraction: Any, digits: int = 3) -> str:
    """A probability as a percentage with ``digits`` significant digits: 0.9951 -> '99.5%'; below 0.1%: '<0.1%'."""
    if fraction is None:
        return "-"
    if 0 <= float(fraction) < 0.001:
        return "<0.1%"
    return number(100.0 * float(fraction), digits) + "%"


def seconds(value: Any) -> str:
    """A duration in seconds with 3 significant digits: '1.20 s', '108 s'."""
    return "-" if value is None else number(value, 3) + " s"
