"""The HTML report of a search: one section (embeddable in a larger report) and a self-contained page.

It says how the trials were scored (the validation split) and that the test set was not
looked at during the search, then evaluated once for the chosen configuration. Figures
are PNG data URIs; every string from a user or a file is escaped; the storage URL is
shown with its password hidden.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
from typing import Any, Sequence

from ..experiments.report import _CSS  # one style for every descentlab report
from .figures import LABELS
from .tables import _num, _value, run_toml, top_table

FIGURE_ORDER = ("history.png", "parallel.png", "importance.png", "slices.png", "curves.png")


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    out = ["<table><thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in head) + "</tr></thead><tbody>"]
    out += ["<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows]
    return "\n".join(out + ["</tbody></table>"])


def _protocol(r: Any) -> str:
    d, f = r.dataset, r.final
    text = (f"Each trial trained on {d['training_part']} of the {d['train'][0]} training examples of "
            f"<b>{_e(d['name'])}</b> and was scored by its {_e(LABELS[r.options.objective])} on the other "
            f"{d['validation']} (a validation split drawn with seed {d['split_seed']}, the same for every trial)")
    if len(r.seeds) > 1:
        text += f", as the mean over {len(r.seeds)} seeds ({', '.join(map(str, r.seeds))}) trained in lockstep"
    text += ". "
    if d["test"] is None:
        return text + "The data set has no test split."
    text += "<b>The test set was not looked at during the search.</b> "
    if f.get("test_evaluated"):
        acc = f", test accuracy <b>{f['test_accuracy']:.4f}</b>" if f.get("test_accuracy") is not None else ""
        text += (f"It was evaluated once, after the search, for the chosen configuration only (retrained with seed "
                 f"{f['seed']}): test cost {f['test_cost']:.4f}{acc} on {f['test_examples']} examples.")
    return text


def _best(r: Any) -> str:
    b, f = r.best, r.final
    spread = f" ± {b['std']:.4f} (std over {len(r.seeds)} seeds; each: " + ", ".join(
        _num(v) for v in b["seed_values"] or []) + ")" if b.get("std") is not None and len(r.seeds) > 1 else ""
    rows = [[k, _value(v)] for k, v in b["params"].items()]
    parts = [f"<h3>Best configuration: trial {b['number']}</h3>",
             f"<p>{_e(r.options.objective)} = <b>{b['value']:.6g}</b>{_e(spread)}</p>", _table(["hyperparameter",
                                                                                              "value"], rows)]
    if f:
        check = f.get("trial_seed_value")
        same = "" if check is None else f" (the trial's seed {f['seed']} scored {check:.6g})"
        parts.append(f"<p class=\"note\">Retrained here with seed {f['seed']} for the model file: validation cost "
                     f"{f['val_cost']:.6g}{_e(same)}.</p>")
    return "\n".join(parts)


def _trials_table(r: Any) -> str:
    head, rows = top_table(r)
    return f"<h3>The {len(rows)} best trials</h3>" + _table(head, rows)


def _space(r: Any) -> str:
    rows = [[d.key, d.describe(), d.scale.replace("_", " ")] for d in r.space]
    return "<h3>The space searched</h3>" + _table(["hyperparameter", "distribution", "scale"], rows)


def _img(png: bytes, alt: str) -> str:
    return f'<img src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}" alt="{_e(alt)}">'


def _figures(r: Any) -> str:
    names = [n for n in FIGURE_ORDER if n in r.figures] + [n for n in r.figures if n not in FIGURE_ORDER]
    return "\n".join(f"<figure>{_img(r.figures[n], r.captions.get(n, n))}<figcaption>{_e(r.captions.get(n, n))} "
                     f"(<code>{_e(n)}</code>)</figcaption></figure>" for n in names)


def section(r: Any) -> str:
    """The ``<section>`` of one search."""
    c, o = r.counts, r.options
    meta = [f"study <code>{_e(r.study)}</code>", f"storage <code>{_e(r.storage)}</code>", f"{o.sampler} sampler",
            f"pruner {o.pruner}", f"{len(r.trials)} trials: {c.get('COMPLETE', 0)} complete, {c.get('PRUNED', 0)} "
            f"pruned, {c.get('FAIL', 0)} failed", f"{r.seconds:.1f} s"]
    parts = [f'<section id="tune-{_e(r.name)}">', f"<h2>Hyperparameter search: {_e(r.name)}</h2>",
             f'<p class="note">{" · ".join(meta)}</p>', f"<p>{_protocol(r)}</p>", _space(r)]
    if r.best is None:
        parts.append('<p class="fail">No trial completed with a finite score.</p>')
    else:
        parts += [_best(r), _trials_table(r)]
    parts.append(_figures(r))
    if r.importances:
        parts.append('<p class="note">Importances: fANOVA (Optuna\'s default evaluator, seed 0) over the complete '
                     "trials with a finite score.</p>")
    if r.fine_space:
        parts.append("<h3>Coarse to fine: a narrower space for a second search</h3><p class=\"note\">The range the "
                     f"best quarter of the complete trials used (widened a little), for a new study:</p><pre>"
                     f"{_e(r.fine_space)}</pre>")
    if r.best is not None and r.experiment is not None:
        parts.append("<h3>Reproduce the best configuration</h3><pre>"
                     f"{_e(run_toml(r, r.experiment.dataset, dict(r.experiment.dataset_options)))}</pre>")
    errors = r.stats.errors[:5] if r.stats else []
    if errors:
        parts.append("<p class=\"note fail\">Failures in this run: " + "; ".join(_e(e) for e in errors) + "</p>")
    parts.append("</section>")
    return "\n".join(parts)


def page(r: Any) -> str:
    """A self-contained HTML page holding the section."""
    from .._version import __version__
    title = f"descentlab tune: {r.name}"
    when = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    return "\n".join(["<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
                      '<meta name="viewport" content="width=device-width, initial-scale=1">',
                      '<link rel="icon" href="data:,">',
                      f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>", f"<h1>{_e(title)}</h1>",
                      f'<p class="note">descentlab {_e(__version__)} · {when}</p>', section(r), "</body></html>\n"])
