"""The demo's HTML report: self-contained, one section per assignment, images that decode, names escaped."""

from __future__ import annotations

import base64
import io
import json
import re

import numpy as np
import pytest

from descentlab.cli.main import main
from descentlab.experiments import DEMO, comparison_from_dict, render_report, run_experiment, write_outputs

IMG = re.compile(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"')


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    code = main(["demo", "--quick", "--out", str(out)])
    return code, out


def test_quick_demo_exits_0_and_writes_report_results_and_figures(demo):
    code, out = demo
    assert code == 0  # --quick enforces only the gradient checks, which hold
    doc = json.loads((out / "results.json").read_text())
    assert [e["experiment"] for e in doc["experiments"]] == list(DEMO)
    assert doc["quick"] is True
    figures = sorted(p.name for p in (out / "figures").iterdir())
    assert "initialization-cost.png" in figures and "signs-course-confusion-course-recipe.png" in figures and "signs-confusion-recommended.png" in figures
    assert (out / "signs-model-recommended.safetensors").is_file()


def test_report_has_every_section_and_checked_conclusions(demo):
    _, out = demo
    html_text = (out / "report.html").read_text(encoding="utf-8")
    for name in DEMO:
        assert f'<section id="{name}">' in html_text
    for title in ("Initialization", "Regularization", "Gradient checking", "Optimization", "SIGNS"):
        assert title in html_text
    assert "✓" in html_text and "What to remember" in html_text
    assert "names W2 and b1" in html_text and "dead ReLU units" in html_text
    assert "0.9933" in html_text and "0.2850931567761623" in html_text  # the course's numbers beside ours
    # the course's own code beside descentlab's, with what it printed
    assert "random, the course&#x27;s code" in html_text and "Cost after iteration 0: inf" in html_text
    assert "dropout 0.86, the course&#x27;s code (one fixed mask)" in html_text and "fresh masks" in html_text
    assert "correct, the course&#x27;s algorithm" in html_text and "1.1891e-07" in html_text
    assert "printed by the course's code" in html_text and "\x1b" not in html_text


def test_report_is_self_contained_and_its_images_decode(demo):
    from PIL import Image
    _, out = demo
    html_text = (out / "report.html").read_text(encoding="utf-8")
    images = IMG.findall(html_text)
    assert len(images) >= 10
    for data in images:
        png = base64.b64decode(data, validate=True)
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        with Image.open(io.BytesIO(png)) as im:
            im.verify()
    lowered = html_text.lower()
    assert "<script" not in lowered and "<link" not in lowered and "@import" not in lowered
    assert not re.search(r'(src|href)="(https?:)?//', lowered)
    srcs = re.findall(r'src="([^"]*)"', html_text)
    assert all(s.startswith("data:image/png;base64,") for s in srcs)


def test_user_supplied_names_are_escaped(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 2))
    labels = np.where(X[:, 0] > 0, "<script>alert('class')</script>", "<b>other</b>")
    lines = ["x1,x2,label"] + [f"{a:.5f},{b:.5f},{c}" for (a, b), c in zip(X, labels)]
    (tmp_path / "evil.csv").write_text("\n".join(lines) + "\n")
    exp = comparison_from_dict({
        "name": "<script>alert('experiment')</script>", "title": "<img src=x onerror=alert(1)>",
        "description": "a & b <i>", "dataset": "evil.csv",
        "base": {"layers": [2, 3, 2], "output": "softmax", "epochs": 3},
        "arms": [{"name": "<script>alert('arm')</script>", "note": "<script>note</script>"}],
    }, "<script>file</script>.toml", base_dir=tmp_path)
    result = run_experiment(exp)
    assert result.figures
    text = render_report([result])
    assert "<script" not in text.lower() and "<img src=x" not in text and "<b>other" not in text
    assert "&lt;script&gt;alert(&#x27;experiment&#x27;)&lt;/script&gt;" in text
    assert "&lt;script&gt;alert(&#x27;arm&#x27;)&lt;/script&gt;" in text
    assert "a &amp; b &lt;i&gt;" in text
    written = write_outputs(result, tmp_path / "out")
    assert all("<" not in p.name and ">" not in p.name for p in written)
    assert "<script" not in (tmp_path / "out" / "report.html").read_text(encoding="utf-8").lower()
