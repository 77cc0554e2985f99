"""The text of a search's results: the summary, the trials table (CSV and rows), the ``descentlab run`` TOML."""

from __future__ import annotations

import csv
import io
import json
import math
from typing import Any


def _num(v: Any, digits: int = 4) -> str:
    if v is None:
        return "-"
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    return f"{v:.{digits}f}" if isinstance(v, float) and abs(v) < 1e4 else str(v)


def _value(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.6g}"
    return json.dumps(v) if not isinstance(v, str) else v


# ---------------------------------------------------------------------------------------- tables
def trials_csv(result: Any) -> str:
    keys = [d.key for d in result.space]
    cols = ["number", "state", "value", "std"] + keys + ["epochs_run", "pruned_at_epoch", "train_seconds",
                                                       "duration_seconds", "retry_of", "worker", "note"]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(cols)
    for t in result.trials:
        row = {**t, **t["params"]}
        writer.writerow(["" if row.get(c) is None else (json.dumps(row[c]) if isinstance(row[c], (list, dict))
                                                       else row[c]) for c in cols])
    return buf.getvalue()


def summary_lines(result: Any) -> list[str]:
    """The summary the command prints: counts, best trial, its test score, the top trials."""
    o = result.options
    c = result.counts
    lines = [f"study {result.study!r} in {result.storage}: {len(result.trials)} trials "
             f"({c.get('COMPLETE', 0)} complete, {c.get('PRUNED', 0)} pruned, {c.get('FAIL', 0)} failed); "
             f"{o.sampler} sampler, pruner {o.pruner}, {len(result.seeds)} seed{'s' if len(result.seeds) > 1 else ''} "
             f"per trial; this run: {result.stats.finished} finished in {result.stats.seconds:.1f} s"]
    if result.best is None:
        lines.append("no complete trial with a finite score yet")
        return lines
    b = result.best
    spread = f" ± {b['std']:.4f} (std over {len(result.seeds)} seeds)" if b.get("std") is not None and len(result.seeds) > 1 else ""
    lines.append(f"best: trial {b['number']}, {o.objective} {b['value']:.6g}{spread}")
    lines += [f"  {k} = {_value(v)}" for k, v in b["params"].items()]
    f = result.final
    lines.append(f"retrained (seed {f['seed']}, {result.dataset['training_part']} examples): validation cost "
                 f"{f['val_cost']:.6g}" + (f", validation accuracy {f['val_accuracy']:.4f}" if f.get("val_accuracy") is not None else ""))
    if f.get("test_evaluated"):
        acc = f", test accuracy {f['test_accuracy']:.4f}" if f.get("test_accuracy") is not None else ""
        lines.append(f"test set ({f['test_examples']} examples), evaluated once, after the search: test cost "
                     f"{f['test_cost']:.6g}{acc}")
    else:
        lines.append("the data set has no test split: nothing to evaluate after the search")
    lines.append(_top_table(result))
    return lines


def _top_rows(result: Any) -> list[dict[str, Any]]:
    done = [t for t in result.trials if t["value"] is not None]
    done.sort(key=lambda t: (not math.isfinite(t["value"]), t["value"] * (1 if result.options.direction == "minimize" else -1)))
    return done[:10]


def top_table(result: Any) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the best trials (the spread column only with several seeds)."""
    keys = [d.key for d in result.space]
    spread = len(result.seeds) > 1
    head = ["trial", "value"] + (["std"] if spread else []) + keys + ["epochs", "seconds"]
    rows = [[str(t["number"]), _num(t["value"], 6)] + ([_num(t["std"])] if spread else []) +
            [_value(t["params"].get(k)) for k in keys] + [str(t["epochs_run"]), _num(t["train_seconds"], 2)]
            for t in _top_rows(result)]
    return head, rows


def _top_table(result: Any) -> str:
    head, rows = top_table(result)
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(head)]
    out = ["top trials:", "  ".join(h.ljust(w) for h, w in zip(head, widths)), "  ".join("-" * w for w in widths)]
    out += ["  ".join(v.ljust(w) for v, w in zip(r, widths)) for r in rows]
    return "\n".join(out)


# ---------------------------------------------------------------------------------- run TOML
def toml_value(v: Any) -> str:
    """A TOML value (numbers, strings, booleans, lists, inline tables)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ValueError(f"TOML has no {v}")
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(f"no TOML value for {v!r}")


def _toml_setting(key: str, v: Any) -> Any:
    """A normalized setting as written in a comparison file (None means "full", "none", "constant")."""
    if v is None:
        return {"batch_size": "full", "preprocessing": "none", "schedule": "constant"}.get(key)
    return v


def run_toml(result: Any, dataset: str, dataset_options: dict[str, Any]) -> str:
    """The ``descentlab run`` comparison that trains the best configuration."""
    b, d = result.best, result.dataset
    seeds = len(result.seeds)
    lines = [f"# The best configuration of the search {result.name!r} (study {result.study!r}): trial {b['number']},",
             f"# {result.options.objective} {b['value']:.6g}" + (f" (mean of {seeds} seeds)." if seeds > 1 else "."),
             f"# The search trained on {d['training_part']} of the {d['train'][0]} training examples and scored on the "
             f"other {d['validation']} (split seed {d['split_seed']});",
             "# `descentlab run` trains on all of them and reports the test accuracy:",
             "#   descentlab run best-run.toml" + (f" --seeds {seeds}" if seeds > 1 else ""),
             f"name = {toml_value(result.name + '-best')}",
             f"title = {toml_value('Best configuration of ' + result.name)}",
             f"dataset = {toml_value(dataset)}"]
    if dataset_options:
        lines += ["", "[dataset_options]"] + [f"{k} = {toml_value(v)}" for k, v in dataset_options.items()]
    lines += ["", "[base]"]
    config = {"layers": b["config"]["layers"], **b["config"]}
    for key, value in config.items():
        value = _toml_setting(key, value)
        if value is not None:
            lines.append(f"{key} = {toml_value(value)}")
    lines += ["", "[[arms]]", 'name = "best"', f"note = {toml_value('trial ' + str(b['number']))}", ""]
    return "\n".join(lines)
