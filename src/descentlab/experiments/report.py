"""The HTML report: one self-contained page, one section per experiment.

Figures are embedded as base64 PNG data URIs and the style sheet is inline, so
the file needs nothing else (no network, no other files). Every string that
comes from a user or a file (experiment, arm, class and file names, notes) is
escaped with :func:`html.escape`.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
from typing import Any, Sequence

from .._format import DIGITS, number
from . import search_views
from .figures import DPI
from .links import playground_url
from .records import ExperimentResult, machine_text, slug, unenforced_tag

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:1320px;
padding:0 1rem;color:#1d1d1f;line-height:1.45}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{margin-top:2.5rem;border-bottom:2px solid #ddd;padding-bottom:.2rem}
table{border-collapse:collapse;margin:.8rem 0;font-size:.92rem}
th,td{border:1px solid #ccc;padding:.25rem .6rem;text-align:right}th{background:#f3f3f3}
td:first-child,th:first-child{text-align:left}
.course{color:#666}.pass{color:#137333}.fail{color:#b3261e}.info{color:#1a5fb4}
ul.conclusions{list-style:none;padding-left:0}ul.conclusions li{margin:.55rem 0;padding:.45rem .7rem;
border-left:4px solid #ccc;background:#fafafa}
ul.conclusions li.pass{border-color:#137333}ul.conclusions li.fail{border-color:#b3261e}
ul.conclusions li.info{border-color:#1a5fb4}
.mark{font-weight:bold;font-size:1.1rem;margin-right:.4rem}.detail{color:#444;font-size:.9rem;margin-left:1.6rem}
.figures{display:flex;flex-wrap:wrap;gap:.6rem 1.2rem;align-items:flex-start;margin:.6rem 0}
figure{margin:0;max-width:100%;flex:0 1 auto}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.85rem;color:#555}
.wide{overflow-x:auto;max-width:100%}
pre{background:#f6f8fa;padding:.6rem;font-size:.85rem;white-space:pre-wrap;overflow-wrap:anywhere}
.note{font-size:.9rem;color:#444}
@media (max-width:900px){pre{font-size:.72rem}}
.summary td:nth-child(2){text-align:left}.summary td:nth-child(3),.summary td:nth-child(4){text-align:center}
"""


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _num(v: Any, digits: int = DIGITS) -> str:
    return "–" if v is None else number(v, digits)


def _mean_std(a: Any, key: str, digits: int = DIGITS) -> str:
    """The mean with ``digits`` significant digits, ± the standard deviation with 2 (several seeds)."""
    mean = a.mean(key)
    if mean is None:
        return "–"
    text = _num(mean, digits)
    if len(a.runs) > 1:
        text += f" ± {_num(a.std(key), 2)}"
    return text


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels from a PNG's header."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def _img(png: bytes, alt: str) -> str:
    """The PNG inline, shown at 100 pixels per inch of the figure (it is drawn at figures.DPI, so it stays sharp)."""
    data = base64.b64encode(png).decode("ascii")
    width, height = (round(v * 100 / DPI) for v in png_size(png))
    return f'<img src="data:image/png;base64,{data}" width="{width}" height="{height}" alt="{_e(alt)}">'


def _train_table(result: ExperimentResult) -> str:
    has_test = any(a.mean("test_accuracy") is not None for a in result.arms)
    has_course = any(a.arm.course for a in result.arms)
    head = ["arm", "final cost", "initial cost", "train accuracy"]
    if has_course:
        head.append("course train")
    if has_test:
        head.append("test accuracy")
        if has_course:
            head.append("course test")
    head.append("time (s)")
    rows = []
    for a in result.arms:
        course = a.arm.course or {}
        cells = [_e(a.name) + (f' <span class="course">({_e(a.arm.note)})</span>' if a.arm.note else ""),
                 _mean_std(a, "final_cost"), _mean_std(a, "initial_cost"), _mean_std(a, "train_accuracy")]
        if has_course:
            cells.append(f'<span class="course">{_e(course.get("train_accuracy", "–"))}</span>')
        if has_test:
            cells.append(_mean_std(a, "test_accuracy"))
            if has_course:
                cells.append(f'<span class="course">{_e(course.get("test_accuracy", "–"))}</span>')
        cells.append(_mean_std(a, "seconds", 3))
        rows.append(cells)
    return _table(head, rows)


def _gradcheck_table(result: ExperimentResult) -> str:
    head = ["arm", "difference", "verdict", "failing parameters", "course"]
    rows = []
    for a in result.arms:
        r = a.first.extra
        course = a.arm.course or {}
        ctext = (f"{course['difference']:.10g}" if "difference" in course else
                 f"&lt; {course['difference_below']:g}" if "difference_below" in course else "–")
        verdict = '<span class="pass">PASS</span>' if r["passed"] else '<span class="fail">FAIL</span>'
        rows.append([_e(a.name) + (f' <span class="course">({_e(a.arm.note)})</span>' if a.arm.note else ""),
                     _num(r["difference"]), verdict, _e(", ".join(r["failed"]) or "–"),
                     f'<span class="course">{ctext}</span>'])
    return _table(head, rows)


def _table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    out = ['<div class="wide"><table><thead><tr>' + "".join(f"<th>{_e(h)}</th>" for h in head) + "</tr></thead><tbody>"]
    out += ["<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows]
    out.append("</tbody></table></div>")
    return "\n".join(out)


def _conclusions(result: ExperimentResult) -> str:
    if not result.conclusions:
        return ""
    items = []
    for c in result.conclusions:
        cls = "info" if c.passed is None else ("pass" if c.passed else "fail")
        tag = unenforced_tag(c, result.quick)
        extra = f' <span class="course">{_e(tag)}</span>' if tag else ""
        course = f'<div class="detail course">Course: {_e(c.course)}</div>' if c.course else ""
        if c.why:
            course += f'<div class="detail">Why: {_e(c.why)}</div>'
        items.append(f'<li class="{cls}"><span class="mark {cls}">{_e(c.symbol)}</span>{_e(c.text)}{extra}'
                     f'<div class="detail">Measured: {_e(c.measured)}</div>{course}</li>')
    return "<h3>What to remember, checked against this run</h3>\n<ul class=\"conclusions\">" + "\n".join(items) + "</ul>"


def _section(result: ExperimentResult, heading: bool = True) -> str:
    exp = result.experiment
    parts = [f'<section id="{_e(slug(exp.name))}">', f"<h2>{_e(exp.title)}</h2>" if heading else ""]
    meta = []
    if exp.assignment:
        meta.append(f"Course assignment: <b>{_e(exp.assignment)}</b>")
    meta.append(f"experiment <code>{_e(exp.name)}</code>")
    if exp.source != "preset":
        meta.append(f"from <code>{_e(exp.source)}</code>")
    meta.append(f"data: {_e(result.dataset.get('name', exp.dataset))}")
    meta.append(f"{result.seeds} seed{'s' if result.seeds > 1 else ''}")
    meta.append(f"{result.seconds:.1f} s")
    parts.append(f'<p class="note">{" · ".join(meta)}</p>')
    if (live := playground_url(exp)) is not None:
        parts.append(f'<p class="note">Watch it train: <a href="{_e(live)}">open this experiment live in the playground</a> '
                     "(start it first with <code>descentlab playground</code>)</p>")
    if result.quick and exp.quick:
        whose = "the course's conclusions are" if exp.source == "preset" else "its results are"
        parts.append(f'<p class="fail">--quick run: {_e(exp.quick_note or "reduced sizes")}; {whose} not expected '
                     "to hold at this size.</p>")
    if exp.description:
        parts.append(f"<p>{_e(exp.description)}</p>")
    if exp.kind == "search":
        head, rows = search_views.rows(result)
        parts.append(_table(head, [[_e(c) for c in row] for row in rows]))
    else:
        parts.append(_gradcheck_table(result) if exp.kind == "gradcheck" else _train_table(result))
    if exp.course_source:
        parts.append(f'<p class="note course">Course numbers: {_e(exp.course_source)}.'
                     + (" Measured numbers are the mean ± standard deviation over seeds; the first seed is the "
                        "course's." if result.seeds > 1 else "") + "</p>")
    for a in result.arms:
        for run in a.runs:
            if run.stop_reason:
                parts.append(f'<p class="note fail">{_e(a.name)} (seed {run.seed}) stopped early: {_e(run.stop_reason)}</p>')
    if result.engine_seconds:
        rows = [[_e(engine), _num(v, 3) if isinstance(v, float) else _e(v)] for engine, v in result.engine_seconds.items()]
        parts.append(f"<h4>Seconds per epoch by engine</h4><p class=\"note\">The first arm's recipe from the same "
                     f"initial weights, median of {exp.engine_timing} epochs after one warm-up epoch, on this machine under the "
                     f"load stated at the top (see the README's performance section for quiet-machine numbers).</p>"
                     + _table(["engine", "s / epoch"], rows))
    parts.append(_conclusions(result))
    for note in exp.notes:
        parts.append(f'<p class="note">Note: {_e(note)}</p>')
    for a in result.arms:
        if a.arm.code and a.first.extra.get("printed"):
            parts.append(f"<h4>printed by the course's code: {_e(a.name)}</h4>"
                         f"<pre>{_e(chr(10).join(a.first.extra['printed']))}</pre>")
        elif exp.kind == "gradcheck":
            parts.append(f"<h4>check_gradients report: {_e(a.name)}</h4><pre>{_e(a.first.extra['report'])}</pre>")
    figures = []
    for name, png in result.figures.items():
        caption = result.captions.get(name, name)
        width = round(png_size(png)[0] * 100 / DPI)
        figures.append(f'<figure style="width:{width}px">{_img(png, caption)}<figcaption>{_e(caption)} '
                       f"(<code>{_e(name)}</code>)</figcaption></figure>")
    if figures:
        parts.append('<div class="figures">' + "\n".join(figures) + "</div>")
    parts.append("</section>")
    return "\n".join(p for p in parts if p)


def render_report(results: Sequence[ExperimentResult], *, title: str | None = None, seconds: float | None = None,
                  machine: dict[str, Any] | None = None) -> str:
    """The HTML page for one or more experiment results (``machine``: CPUs and load, see records.machine;
    default: the load before the first result and after the last)."""
    if machine is None and results:
        machine = {**results[0].machine, "load_after": results[-1].machine.get("load_after")}
    from .._version import __version__
    title = title or (results[0].experiment.title if len(results) == 1 else "descentlab report")
    checks = [c for r in results for c in r.conclusions if c.passed is not None]
    held = sum(1 for c in checks if c.passed)
    failed = [c for r in results for c in r.conclusions if c.enforced and c.passed is False]
    when = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    total = seconds if seconds is not None else sum(r.seconds for r in results)
    head = ["<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>",
            f"<h1>{_e(title)}</h1>",
            f'<p class="note">descentlab {_e(__version__)} · {when} · total {total:.1f} s'
            + (f" · {_e(machine_text(machine))}" if machine_text(machine) else "") + "</p>"]
    if checks:
        enforced = sum(1 for c in checks if c.enforced)
        verdict = (f'<span class="pass">every one of the {enforced} enforced conclusions holds</span>' if not failed else
                   f'<span class="fail">{len(failed)} enforced conclusion{"s" if len(failed) > 1 else ""} '
                   "do not hold</span>")
        quick = (" (--quick: the runs are too short for the course's lessons, so only the gradient checks are "
                 "enforced)" if any(r.quick for r in results) else "")
        head.append(f"<p><b>{held} of {len(checks)} conclusions checked hold</b>; {verdict}{_e(quick)}.</p>")
    if len(results) > 1:
        rows = []
        for r in results:
            cs = [c for c in r.conclusions if c.passed is not None]
            ok = sum(1 for c in cs if c.passed)
            mark = "–" if not cs else (f'<span class="pass">✓ {ok}/{len(cs)}</span>' if ok == len(cs)
                                       else f'<span class="fail">✗ {ok}/{len(cs)}</span>')
            rows.append([f'<a href="#{_e(slug(r.experiment.name))}">{_e(r.experiment.title)}</a>',
                         _e(r.experiment.assignment or r.experiment.name), mark, f"{r.seconds:.1f}"])
        head.append('<div class="summary">' + _table(["experiment", "course assignment", "conclusions", "time (s)"], rows)
                    + "</div>")
    body = [_section(r, heading=len(results) > 1 or r.experiment.title != title) for r in results]
    return "\n".join(head + body + ["</body></html>\n"])
