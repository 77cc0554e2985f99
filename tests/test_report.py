"""The demo's HTML report: self-contained, one section per assignment, images that decode, names escaped."""

from __future__ import annotations

import base64
import html
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
    assert "initialization-cost.png" in figures and "signs-course-confusion.png" in figures and "signs-confusion.png" in figures
    assert "regularization-train-test.png" in figures and "optimization-decay-cost.png" in figures
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
    assert "correct, the course&#x27;s algorithm" in html_text and "1.189e-07" in html_text  # tables print 4 significant digits
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
    assert not re.search(r'src="(https?:)?//', lowered)
    links = re.findall(r'href="((?:https?:)?//[^"]*)"', lowered)  # no resource: only links to the local playground
    assert links and all(h.startswith("http://127.0.0.1:8765/#preset=") for h in links), links
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


# ------------------------------------------------------------------ labels and figures (issue 12)
def test_goal_and_course_lines_say_what_they_are(demo):
    _, out = demo
    html_text = (out / "report.html").read_text(encoding="utf-8")
    goal = html_text.split("target: test accuracy 0.90 or more", 1)[1].split("</li>", 1)[0]
    assert "(a goal: reported, not enforced)" in goal and "--quick" not in goal  # not a --quick tag
    assert "train ?" not in html_text and "test ?" not in html_text  # no placeholders for numbers the course never printed
    assert "only the gradient checks are enforced" in html_text


def test_the_goal_tag_does_not_depend_on_quick():
    from descentlab.experiments import Conclusion
    from descentlab.experiments.records import unenforced_tag
    goal = Conclusion("target: x", False, "m", target=True, enforced=False)
    lesson = Conclusion("lesson", False, "m", enforced=False)
    assert unenforced_tag(goal, quick=False) == unenforced_tag(goal, quick=True) == "(a goal: reported, not enforced)"
    assert unenforced_tag(lesson, quick=True) == "(not enforced: --quick)"


def _comparison(tmp_path, arms, **base):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((80, 2))
    lines = ["x1,x2,label"] + [f"{a:.5f},{b:.5f},{int(a * b > 0)}" for a, b in X]
    (tmp_path / "mine.csv").write_text("\n".join(lines) + "\n")
    return comparison_from_dict({"name": "mine", "title": "My own comparison", "dataset": "mine.csv",
                                 "base": {"layers": [2, 4, 1], "epochs": 20, "seed": 7, **base}, "arms": arms},
                                "mine.toml", base_dir=tmp_path)


def test_a_user_report_has_one_title_and_no_course_wording(tmp_path):
    result = run_experiment(_comparison(tmp_path, [{"name": "a"}, {"name": "b", "lr": 0.01}]))
    text = render_report([result])
    assert text.count("<h1>") == 1 and "<h2>" not in text and "My own comparison</h1>" in text
    body = html.unescape(re.sub(r"<[^>]+>", " ", text.split("</style>", 1)[1]))  # the words a reader sees
    assert "course" not in body.lower()  # no "(seed of the course)", no course numbers or lessons
    assert "Decision boundaries on the training set (seed 7)" in text


def test_figures_are_drawn_at_twice_their_displayed_size(demo):
    from descentlab.experiments.figures import DPI
    from descentlab.experiments.report import png_size
    _, out = demo
    html_text = (out / "report.html").read_text(encoding="utf-8")
    tags = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" width="(\d+)" height="(\d+)"', html_text)
    assert len(tags) >= 10 and DPI >= 200
    for data, width, height in tags:
        w, h = png_size(base64.b64decode(data))
        assert abs(w / int(width) - DPI / 100) < 0.02 and abs(h / int(height) - DPI / 100) < 0.02


def test_confusion_matrices_side_by_side_and_steps_and_seconds_when_batches_differ(tmp_path):
    from PIL import Image
    result = run_experiment(_comparison(tmp_path, [{"name": "full", "batch_size": "full"}, {"name": "sgd", "batch_size": 1}],
                                        optimizer="gd", lr=0.01))
    assert "confusion.png" in result.figures and not any(k.startswith("confusion-") for k in result.figures)
    with Image.open(io.BytesIO(result.figures["confusion.png"])) as im:
        assert im.size[0] > 1.8 * im.size[1]  # two matrices in one row
    assert "cost-steps-seconds.png" in result.figures
    assert "full 1, sgd 80" in result.captions["cost-steps-seconds.png"]
    same = run_experiment(_comparison(tmp_path, [{"name": "a"}, {"name": "b", "lr": 0.01}]))
    assert "cost-steps-seconds.png" not in same.figures  # same batches: epochs compare them fairly


def test_regularization_shows_train_vs_test_and_the_l2_data_term(demo):
    _, out = demo
    html_text = (out / "report.html").read_text(encoding="utf-8")
    assert (out / "figures" / "regularization-train-test.png").is_file()
    section = html_text.split('<section id="regularization">', 1)[1].split("</section>", 1)[0]
    assert "the solid line is the data term" in section and "the dashed line adds the L2 term" in section
    assert "Training cost (data term" in section and "test-set cost" in section
    opt = html_text.split('<section id="optimization">', 1)[1].split("</section>", 1)[0]
    assert "momentum's curve lies on gd's" in html.unescape(opt)  # the curves that coincide are named


def test_text_wraps_and_tables_scroll_at_800_pixels():
    from descentlab.experiments.report import _CSS
    pre = re.search(r"pre\{([^}]*)\}", _CSS).group(1)
    assert "white-space:pre-wrap" in pre and "overflow-wrap:anywhere" in pre
    assert ".wide{overflow-x:auto" in _CSS and "figure img{max-width:100%" in _CSS
