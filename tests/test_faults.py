"""Faults: a checkpointed run killed with SIGKILL at random points resumes bit-identically.

Guards: descentlab.training.fit and .checkpoint (resume), descentlab.io.atomic and .tensorfile (complete files).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time

import numpy as np

from descentlab import load
from descentlab.training.checkpoint import load as load_checkpoint

SCRIPT = textwrap.dedent("""
    import sys
    import numpy as np
    from descentlab import Network, fit
    from descentlab.datasets import load_moons
    ckpt, out = sys.argv[1], sys.argv[2]
    d = load_moons()
    net = Network([2, 16, 8, 1], seed=3)
    fit(net, d.X_train, d.y_train, optimizer="adam", lr=0.003, epochs=120, batch_size=16, l2=0.05, keep_prob=0.9,
        seed=7, verbose=0, checkpoint=ckpt, checkpoint_every=2, resume=ckpt)
    net.save(out)
""")


def _start(tmp, name):
    script = tmp / "train.py"
    script.write_text(SCRIPT)
    with open(tmp / f"{name}.log", "ab") as log:
        return subprocess.Popen([sys.executable, str(script), str(tmp / f"{name}.ckpt"),
                                 str(tmp / f"{name}.safetensors")], stdout=subprocess.DEVNULL, stderr=log)


def _finish(proc, tmp, name):
    assert proc.wait(timeout=300) == 0, (tmp / f"{name}.log").read_text()


def test_sigkill_at_random_points_then_resume_is_bit_identical(tmp_path):
    ref = _start(tmp_path, "ref")
    t0 = time.monotonic()
    _finish(ref, tmp_path, "ref")
    duration = time.monotonic() - t0
    expected = load(tmp_path / "ref.safetensors").theta
    rng = np.random.default_rng(2024)
    killed = 0
    for trial in range(10):
        name = f"run{trial}"
        proc = _start(tmp_path, name)
        time.sleep(float(rng.uniform(0.2, 0.9)) * duration)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            killed += 1
        ckpt = tmp_path / f"{name}.ckpt"
        if ckpt.exists():
            doc, arrays = load_checkpoint(ckpt)  # never a partial file: always loads
            assert 0 <= doc["epoch"] <= 120 and np.isfinite(arrays["theta"]).all()
        resumed = _start(tmp_path, name)
        _finish(resumed, tmp_path, name)
        assert np.array_equal(load(tmp_path / f"{name}.safetensors").theta, expected), f"trial {trial}"
        leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
        assert leftovers == []
    print(f"{killed} of 10 trials were killed mid-run, all resumed bit-identically")
    assert killed >= 8  # the kills really interrupted training
