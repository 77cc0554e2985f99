"""The report, the figures' scales, and credentials that never show."""

from __future__ import annotations

import re

import pytest
from conftest import spec_doc

import descentlab as dl
from descentlab.experiments.space import parse_dimension
from descentlab.tune.figures import position, ticks
from descentlab.tune.storage import redact, resolve_url, shown


def test_the_report_says_how_trials_were_scored_and_escapes_user_strings(tmp_path):
    doc = spec_doc(base={"layers": [2, 8, 1], "epochs": 30, "seed": 2},
                   space={"lr": {"log_uniform": [1e-3, 1e-1]}, "beta1": {"one_minus_log_uniform": [0.8, 0.999]},
                          "batch_size": {"choice": [32, "full"]}})
    r = dl.tune(doc, trials=6, seeds=2, pruner="median", study="<script>alert(1)</script>", out=tmp_path / "o",
                progress=False)
    html = (tmp_path / "o" / "report.html").read_text()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "scored by its validation cost on the other 76" in html and "The data set has no test split." in html
    assert "as the mean over 2 seeds (2, 3)" in html
    images = re.findall(r'<img src="data:image/png;base64,', html)
    assert len(images) == len(r.figures) == 5
    for name in ("history.png", "parallel.png", "importance.png", "slices.png", "curves.png"):
        assert f"<code>{name}</code>" in html
    assert "one minus log" in html and "Coarse to fine" in html and "[space]" in html
    assert "descentlab run best-run.toml --seeds 2" in html
    assert set(r.importances) == {"lr", "beta1", "batch_size"} and sum(r.importances.values()) == pytest.approx(1)


def test_figures_put_each_hyperparameter_on_its_own_scale():
    beta = parse_dimension("beta", {"one_minus_log_uniform": [0.9, 0.999]}, "b")
    pos, labels = ticks(beta)
    assert labels == ["0.9", "0.99", "0.999"] and pos == pytest.approx([0, 0.5, 1])
    assert position(beta, 0.99) == pytest.approx(0.5)
    lr = parse_dimension("lr", {"log_uniform": [1e-4, 1.0]}, "l")
    assert position(lr, 1e-2) == pytest.approx(0.5) and ticks(lr)[1] == ["0.0001", "0.001", "0.01", "0.1", "1"]
    kp = parse_dimension("keep_prob", {"uniform": [0.5, 1.0]}, "k")
    assert position(kp, 0.75) == pytest.approx(0.5)
    layers = parse_dimension("layers", {"choice": [[2, 4, 1], [2, 8, 1], [2, 16, 1]]}, "c")
    assert position(layers, [2, 8, 1]) == 0.5 and ticks(layers)[1] == ["[2, 4, 1]", "[2, 8, 1]", "[2, 16, 1]"]


@pytest.mark.parametrize("url, secret", [
    ("postgresql://tuner:hunter2@db.example:5432/studies", "hunter2"),
    ("postgresql+psycopg://tuner:p%40ss%2Fw0rd@db/studies", "p@ss/w0rd"),
    ("mysql+pymysql://root:s3cr3t@10.0.0.2/optuna?charset=utf8mb4", "s3cr3t"),
    ("postgresql://tuner@db/studies?password=qwerty123", "qwerty123"),
])
def test_credentials_are_replaced_everywhere(url, secret):
    assert secret not in shown(url) and "***" in shown(url)
    message = f"could not connect to {url}: password authentication failed for {secret!r}"
    cleaned = redact(message, url)
    assert secret not in cleaned and "p%40ss%2Fw0rd" not in cleaned
    assert redact("a stranger's postgresql://u:other-pw@host/db in a message", None) == \
        "a stranger's postgresql://u:***@host/db in a message"


def test_storage_urls(tmp_path, monkeypatch):
    monkeypatch.delenv("DESCENTLAB_STORAGE", raising=False)
    assert resolve_url(None, tmp_path) == f"sqlite:///{tmp_path.resolve() / 'study.db'}"
    monkeypatch.chdir(tmp_path)
    assert resolve_url("sqlite:///rel/s.db", tmp_path) == f"sqlite:///{tmp_path.resolve() / 'rel' / 's.db'}"
    assert resolve_url("postgresql://u:pw@h/d", tmp_path) == "postgresql+psycopg://u:pw@h/d"
    monkeypatch.setenv("DESCENTLAB_STORAGE", "postgresql://u:pw@h/d")
    assert resolve_url(None, tmp_path) == "postgresql+psycopg://u:pw@h/d"
    with pytest.raises(dl.InputError, match="in-memory"):
        resolve_url("sqlite:///:memory:", tmp_path)


def test_a_database_that_fails_while_the_launcher_counts_trials_is_one_line_not_a_traceback():
    """CI met it: the PostgreSQL server shut down while the launcher counted the finished trials, and a
    StorageInternalError escaped as a traceback. The count is the loop's storage error now."""
    from types import SimpleNamespace

    from optuna.exceptions import StorageInternalError
    from sqlalchemy.exc import OperationalError

    from descentlab.tune.execution import LoopStats, _count

    def count(stats):
        try:
            raise OperationalError("SELECT", {}, Exception("the database system is shutting down"))
        except OperationalError as exc:
            raise StorageInternalError("An exception is raised during the commit.") from exc

    stats = LoopStats()
    assert _count(count, stats, SimpleNamespace(url="postgresql://u:secret-pw@h/d")) > 10**9  # starts nothing
    assert stats.storage_error.startswith("the study's database failed") and "shutting down" in stats.storage_error
    assert "secret-pw" not in stats.storage_error
    with pytest.raises(ZeroDivisionError):  # other errors are bugs: they propagate
        _count(lambda s: 1 / 0, LoopStats(), SimpleNamespace(url="sqlite://"))
