"""Notebooks, in a real Jupyter kernel (nbclient + ipykernel, nothing mocked): fit's text progress without
ipywidgets, and the LiveView callback that redraws one figure in place."""

from __future__ import annotations

import base64
import io
import os
from pathlib import Path

import nbformat
import pytest
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

HIDE_IPYWIDGETS = """
import importlib.util, sys
sys.modules["ipywidgets"] = None   # this kernel has no ipywidgets, whatever is installed
assert importlib.util.find_spec("ipywidgets") is None
import numpy as np, descentlab as dl
rng = np.random.default_rng(0)
X = rng.standard_normal((200, 2))
y = (X[:, 0] * X[:, 1] > 0).astype(int)
"""


class _Recording(NotebookClient):
    """An nbclient client that also counts the kernel's messages by type (to see display updates)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.seen: list[str] = []

    def process_message(self, msg, cell, cell_index):
        self.seen.append(msg["header"]["msg_type"])
        return super().process_message(msg, cell, cell_index)


def _execute(tmp_path, *sources: str) -> tuple[list, list[str]]:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    km = KernelManager(kernel_name="python3", transport="ipc")
    km.ip = str(tmp_path / "kernel-ipc")  # the IPC sockets go to tmp_path, not the current folder
    client = _Recording(nb, km=km, timeout=180, resources={"metadata": {"path": str(tmp_path)}})
    import descentlab
    src = str(Path(descentlab.__file__).resolve().parents[1])  # the kernel imports the descentlab under test
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, *filter(None, [os.environ.get("PYTHONPATH")])])}
    nb.cells.insert(0, nbformat.v4.new_code_cell(f"import descentlab\nassert descentlab.__file__.startswith({src!r})"))
    try:
        client.execute(env=env, cleanup_kc=True)  # shuts the kernel down and closes the client's sockets
    finally:
        if km.has_kernel:
            km.shutdown_kernel(now=True)
    return nb.cells[1:], client.seen


def _text(outputs, name: str) -> str:
    return "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream" and o.get("name") == name)


def test_fit_verbose_shows_a_text_bar_in_a_kernel_without_ipywidgets(tmp_path):
    cells, _ = _execute(tmp_path, HIDE_IPYWIDGETS,
                        "net = dl.Network([2, 8, 1], seed=0)\n"
                        "h = dl.fit(net, X, y, epochs=40, lr=0.05, seed=0)   # verbose=1, the default\n"
                        "print('trained', len(h))",
                        "h.plot()")  # the figure is returned: still one image, not two
    assert [o["output_type"] for o in cells[2].outputs if "image/png" in o.get("data", {})] == ["display_data"]
    outputs = cells[1].outputs
    err = _text(outputs, "stderr")
    assert "TqdmWarning" not in err and "IProgress" not in err, err
    assert "40/40" in err and "100%" in err and "epoch" in err  # the bar reached its end, as text
    assert "cost" in err
    assert _text(outputs, "stdout") == "trained 40\n"


def test_live_view_updates_one_image_in_place(tmp_path):
    cells, seen = _execute(tmp_path, HIDE_IPYWIDGETS,
                           "from descentlab.notebook import LiveView\n"
                           "net = dl.Network([2, 8, 1], seed=0)\n"
                           "view = LiveView(every=5, X=X, y=y)\n"
                           "h = dl.fit(net, X, y, epochs=30, lr=0.05, seed=0, verbose=0, validation_data=(X[:50], y[:50]),\n"
                           "           callbacks=[view])\n"
                           "print('draws', view.draws)")
    outputs = cells[1].outputs
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == 1, [o.get("output_type") for o in outputs]  # one figure, never a pile of images
    assert _text(outputs, "stdout") == "draws 8\n"  # at the start, every 5 epochs (6), and at the end
    assert seen.count("display_data") == 1 and seen.count("update_display_data") == 7
    meta = images[0]["metadata"]["descentlab"]
    assert meta == {"epoch": 30, "draw": 8, "final": True}  # the output holds the last drawing
    from PIL import Image
    with Image.open(io.BytesIO(base64.b64decode(images[0]["data"]["image/png"]))) as im:
        assert im.size[0] > 1.5 * im.size[1]  # curves and the decision boundary side by side


def test_live_view_outside_a_kernel_needs_a_path(tmp_path):
    import numpy as np

    import descentlab as dl
    from descentlab.errors import InputError
    from descentlab.notebook import LiveView
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((40, 2)), rng.integers(0, 2, 40)
    with pytest.raises(InputError, match="path="):
        dl.fit(dl.Network([2, 3, 1], seed=0), X, y, epochs=2, verbose=0, callbacks=[LiveView()])
    out = tmp_path / "live.png"
    view = LiveView(every=1, X=X, y=y, path=out)
    dl.fit(dl.Network([2, 3, 1], seed=0), X, y, epochs=3, verbose=0, callbacks=[view])
    assert out.read_bytes().startswith(b"\x89PNG") and view.draws == 5
