"""The course's grader, for the course's tests: its checks, re-implemented from their documented behaviour, and
helpers that read what a notebook cell printed.

The current edition's ``public_tests.py`` files call ``single_test`` / ``multiple_test`` of
``dlai_tools.testing_utils`` (their semantics, as in greyhatguy007/deep-learning-specialization @
afe61ac39d8ab279f21e7aa8060a015b2de2c980 : C1-NeuralNetworksAndDeepLearning/week3/W3A1/test_utils.py):

multiple_test(case): for each check, the target is called again on a deep copy of the inputs;
  datatype_check:        isinstance(result, type(expected))              (top level only)
  shape_check:           recursive: dict/tuple/list/ndarray must have len(expected) == len(result),
                         recursing over expected's keys / indices; scalars always pass
  equation_output_check: recursive over dict keys / tuple and list items (lengths must match); leaves
                         with a .shape -> np.testing.assert_array_almost_equal (decimal=6), others -> ==
single_test(case):
  datatype_check:        isinstance(result, type(expected))
  equation_output_check: np.allclose(expected, result)        (rtol=1e-5, atol=1e-8)
  shape_check:           expected.shape == result.shape       (a Python float has no .shape: it fails)
"""

from __future__ import annotations

import contextlib
import copy
import io
import re

import numpy as np


def _shape_ok(expected, actual) -> bool:
    if isinstance(expected, (tuple, list, dict, np.ndarray)):
        if len(expected) != len(actual):
            return False
        keys = expected.keys() if isinstance(expected, dict) else range(len(expected))
        return all(_shape_ok(expected[k], actual[k]) for k in keys)
    return True


def _equal_ok(expected, actual) -> bool:
    if isinstance(expected, (tuple, list, dict)):
        if len(expected) != len(actual):
            return False
        keys = expected.keys() if isinstance(expected, dict) else range(len(expected))
        return all(_equal_ok(expected[k], actual[k]) for k in keys)
    try:
        if hasattr(expected, "shape"):
            np.testing.assert_array_almost_equal(actual, expected)
        else:
            assert actual == expected
    except (AssertionError, TypeError, ValueError):
        return False
    return True


def multiple_test(target, inputs, expected, checks=("datatype_check", "shape_check", "equation_output_check")):
    """Assert like the course's ``multiple_test``; returns the last result."""
    result = None
    for name in checks:
        result = target(*copy.deepcopy(inputs))
        if name == "datatype_check":
            assert isinstance(result, type(expected)), f"datatype_check: {type(result)} is not {type(expected)}"
        elif name == "shape_check":
            assert _shape_ok(expected, result), "shape_check failed"
        elif name == "equation_output_check":
            assert _equal_ok(expected, result), "equation_output_check failed"
    return result


def single_test(target, inputs, expected, checks=("datatype_check", "shape_check", "equation_output_check")):
    """Assert like the course's ``single_test``; returns the last result."""
    result = None
    for name in checks:
        result = target(*inputs)
        if name == "datatype_check":
            assert isinstance(result, type(expected))
        elif name == "equation_output_check":
            assert np.allclose(expected, result)
        elif name == "shape_check":
            assert expected.shape == result.shape  # AttributeError for a Python float, as in the course
    return result


def printed(fn, *args, **kwargs):
    """(fn(*args, **kwargs), the lines it printed)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = fn(*args, **kwargs)
    return result, out.getvalue().splitlines()


_NUMBER = r"(inf|nan|-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)"


def values(lines, prefix: str) -> dict[int, str]:
    """{N: the printed value as text} for every line ``prefix N: value`` (e.g. prefix="Cost after iteration")."""
    pattern = re.compile(rf"^{re.escape(prefix)} (\d+): {_NUMBER}$")
    found = {}
    for line in lines:
        match = pattern.match(line)
        if match:
            found[int(match.group(1))] = match.group(2)
    return found
