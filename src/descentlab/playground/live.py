"""The course's "what to remember", checked live against the runs on screen.

When a session holds one of the course's comparisons (a preset), its runs are
summarized exactly as ``descentlab run`` summarizes finished runs
(:func:`descentlab.experiments.runs.summarize_run`) and handed to the preset's
checker (:data:`descentlab.experiments.conclusions.CHECKERS`), the same code that
writes the report's conclusions. The page shows each lesson with ✓ or ✗, the numbers
it rests on, and how far the runs are from the course's settings and length.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..experiments.conclusions import check as check_conclusions
from ..experiments.presets import PRESETS
from ..experiments.records import ArmResult, ExperimentResult
from ..experiments.runs import summarize_run
from .limits import Limits
from .state import RUN_KEYS, normalize, preset_settings


def live_conclusions(session: Any) -> dict[str, Any] | None:
    """The preset's conclusions on the session's runs now, or None when the session holds no preset."""
    name = session.settings.get("preset")
    if not name or name not in PRESETS:
        return None
    exp = PRESETS[name]
    if [r.name for r in session.runs] != [a.name for a in exp.engine_arms]:
        return {"preset": name, "items": [], "note": "the runs are not the preset's arms any more: nothing to check"}
    arms = []
    with np.errstate(all="ignore"):
        for run, arm in zip(session.runs, exp.engine_arms):
            record = summarize_run(run.net, run.stepper.history, run.cfg, session.dataset, run.cfg["seed"])
            arms.append(ArmResult(arm, dict(run.cfg), [record]))
    info = {"name": session.dataset.name, "classes": list(session.dataset.class_names)}
    result = ExperimentResult(exp, arms, 1, False, info, 0.0)
    items = [{**c.to_dict(), "symbol": c.symbol} for c in check_conclusions(result, {})]
    return {"preset": name, "title": exp.title, "items": items, "epochs": min(len(r.stepper.history) for r in session.runs),
            "course_epochs": exp.base.get("epochs"), "differs": differences(session.settings, name)}


def differences(settings: dict[str, Any], name: str) -> list[str]:
    """The settings that are not the preset's (the lessons are the course's only at the course's settings)."""
    course = normalize(preset_settings(name), Limits())
    out = []
    for key in ("data", "noise", "split", "features", *RUN_KEYS, "arms"):
        if key != "epochs" and settings.get(key) != course.get(key):
            out.append(key)
    return out
