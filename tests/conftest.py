"""Shared test helpers: an independent NumPy reference implementation and small data makers.

Also the suite's rule that a skipped test is a failure: a test that needs a missing component
(TensorFlow, PyTorch, Chromium, ...) fails, so a machine without it cannot look green.
"""

from __future__ import annotations

import os

os.environ.setdefault("SCIPY_ARRAY_API", "1")  # before scipy is imported: scikit-learn's array-API estimator checks run

import numpy as np  # noqa: E402
import pytest  # noqa: E402


def pytest_sessionfinish(session, exitstatus):
    """Fail the run when any test or module was skipped (``make test`` installs everything the tests need)."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter is not None else []
    if skipped and session.exitstatus == 0:
        reporter.write_line(f"{len(skipped)} skipped: a skipped test counts as a failure here (a component the "
                            "tests need is missing; `make test` installs them all)", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def reference_cost(params: dict, X: np.ndarray, y: np.ndarray, hidden: str, output: str,
                   l2: float = 0.0, masks: list | None = None, keep_prob: float = 1.0) -> float:
    """The cost written the plain, naive way (example-major, per-layer dict): an oracle for the engine."""
    g = {
        "relu": lambda z: np.maximum(z, 0),
        "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
        "tanh": np.tanh,
        "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    }[hidden]
    L = len([k for k in params if k.startswith("W")])
    a = X
    for l in range(1, L):
        a = g(a @ params[f"W{l}"].T + params[f"b{l}"])
        if masks is not None:
            a = a * masks[l - 1] / keep_prob
    z = a @ params[f"W{L}"].T + params[f"b{L}"]
    m = len(X)
    if output == "sigmoid":
        p = 1 / (1 + np.exp(-z[:, 0]))
        data = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    elif output == "softmax":
        zs = z - z.max(axis=1, keepdims=True)
        logp = zs - np.log(np.exp(zs).sum(axis=1, keepdims=True))
        data = -np.mean(logp[np.arange(m), y])
    else:
        data = 0.5 * np.sum((z - y.reshape(m, -1)) ** 2) / m
    reg = l2 / (2 * m) * sum(np.sum(params[f"W{l}"] ** 2) for l in range(1, L + 1))
    return float(data + reg)


def targets(output: str, m: int, n_out: int, rng: np.random.Generator) -> np.ndarray:
    if output == "sigmoid":
        return rng.integers(0, 2, m)
    if output == "softmax":
        return rng.integers(0, n_out, m)
    return rng.standard_normal((m, n_out)) if n_out > 1 else rng.standard_normal(m)


@pytest.fixture
def moons():
    """The course's moons data (np.random.seed(3); make_moons(300, noise=.2)), made without global state."""
    sk = pytest.importorskip("sklearn.datasets")
    state = np.random.get_state()
    try:
        np.random.seed(3)
        X, y = sk.make_moons(n_samples=300, noise=0.2)
    finally:
        np.random.set_state(state)
    return X, y


@pytest.fixture(autouse=True)
def _restore_numpy_global_random_state():
    """The course's fixtures (tests/course) seed NumPy's global random state, exactly as its testCases.py and
    public_tests.py do (np.random.seed(1) then draws); the state is put back after every test, so no other test sees it."""
    state = np.random.get_state()
    yield
    np.random.set_state(state)
