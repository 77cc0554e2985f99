"""fit's progress (verbose=1) outside Jupyter: a text bar in a terminal, plain lines where stderr is a pipe or a file.
(The Jupyter kernel is tested for real in test_notebook.py.)"""

from __future__ import annotations

import io
import subprocess
import sys

import numpy as np

from descentlab import Network, fit
from descentlab.training import progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _data(m=64):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((m, 2))
    return X, (X[:, 0] > 0).astype(int)


def test_progress_is_lines_where_stderr_is_no_terminal(capsys):
    X, y = _data()
    fit(Network([2, 3, 1], seed=0), X, y, epochs=300, seed=0)  # verbose=1, the default
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("epoch 1/300 (0%)") and "left" in err[0] and "cost" in err[0]
    assert err[-1].startswith("epoch 300/300 (100%)") and "left" not in err[-1]
    assert len(err) < 10  # one line every few seconds, not one per epoch


def test_verbose_0_prints_nothing(capsys):
    X, y = _data()
    fit(Network([2, 3, 1], seed=0), X, y, epochs=5, seed=0, verbose=0)
    assert capsys.readouterr().err == ""


def test_display_kind_and_the_text_bar():
    assert progress.display_kind(io.StringIO()) == "lines"
    assert progress.display_kind(_Terminal()) == "text"
    stream = _Terminal()
    bar = progress.make_bar("text", 5, "demo", stream=stream)
    for _ in range(5):
        bar.update(1)
    bar.close()
    assert "5/5" in stream.getvalue() and "100%" in stream.getvalue() and "\r" in stream.getvalue()


def test_line_bar_says_time_left_and_postfix():
    stream = io.StringIO()
    bar = progress.LineBar(4, "arm", stream=stream, interval=0.0)
    bar.set_postfix_str("cost 0.5")
    bar.update(1)
    bar.update(3)
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("arm: epoch 1/4 (25%)") and "left" in lines[0] and lines[0].endswith("cost 0.5")
    assert lines[-1].startswith("arm: epoch 4/4 (100%)")


def test_duration_texts():
    assert [progress.duration(s) for s in (0.42, 42, 185, 3725, float("nan"))] == \
        ["0.4 s", "42 s", "3 min 05 s", "1 h 02 min", "?"]


def test_progress_appears_while_training_not_after(tmp_path):
    """A subprocess reads fit's stderr line by line: the first line arrives long before training ends."""
    code = ("import time, numpy as np, descentlab as dl\n"
            "from descentlab.training import progress\n"
            "progress.LINE_INTERVAL = 0.2\n"
            "X = np.random.default_rng(0).standard_normal((2000, 20)); y = (X[:, 0] > 0).astype(int)\n"
            "t0 = time.monotonic()\n"
            "dl.fit(dl.Network([20, 64, 64, 1], seed=0), X, y, epochs=150, batch_size=8, seed=0)\n"
            "print(f'done {time.monotonic() - t0:.3f}', flush=True)\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    first = proc.stderr.readline()
    still_running = proc.poll() is None
    out, rest = proc.communicate(timeout=600)
    assert first.startswith("epoch 1/150") and still_running
    assert "epoch 150/150 (100%)" in rest and out.startswith("done")
