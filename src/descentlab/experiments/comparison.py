"""User-defined comparisons: a TOML file that describes an experiment.

::

    name = "regularize-football"          # optional; default: the file name
    title = "L2 against dropout"          # optional
    description = "..."                   # optional
    dataset = "football"                  # a built-in name, or a .csv/.npz file or image folder
                                          # (a relative path is relative to the TOML file)
    one_factor = true                     # optional (default true): each arm changes ONE factor

    [dataset_options]                     # optional: arguments of the loader (e.g. target = "label")

    [base]                                # the settings every arm starts from
    layers = [2, 20, 3, 1]
    init = "lecun"
    seed = 3
    optimizer = "gd"
    lr = 0.3
    epochs = 30000
    batch_size = "full"
    shuffle = "none"

    [quick]                               # optional: overrides for --quick
    epochs = 2000

    [[arms]]                              # at least one
    name = "none"

    [[arms]]
    name = "L2 0.7"
    l2 = 0.7

The settings (keys of ``base``, ``quick`` and each arm) are those of
:data:`~descentlab.experiments.spec.KEYS`; each belongs to a factor
(architecture, initialization, optimizer, batching, regularization, ...), and
an arm may change the keys of one factor only (set ``one_factor = false`` to
allow more). Anything wrong (an unknown key, a value of the wrong type or out
of range, a layer size that does not fit the data) is an
:class:`~descentlab.errors.InputError` naming the file, the key, the value and
what was expected.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .. import _checks as check
from ..errors import InputError
from ..io.jsonsafe import nesting_depth
from .spec import Arm, Experiment

TOP_KEYS = ("name", "title", "description", "dataset", "dataset_options", "one_factor", "base", "quick", "arms")
MAX_BYTES = 1_000_000
MAX_DEPTH = 16  # the deepest a comparison needs is 4 (arms -> [[arms]] -> schedule table -> value)


def load_comparison(path: Any) -> Experiment:
    """An :class:`Experiment` from a TOML file, strictly validated."""
    import tomllib
    if not isinstance(path, (str, os.PathLike)):
        raise check.fail("comparison", path, "a path to a .toml file")
    p = Path(path).expanduser()
    where = str(p)
    if not p.is_file():
        raise InputError(f"{where}: expected an existing .toml file, received a path that "
                         f"{'is a folder' if p.is_dir() else 'does not exist'}")
    with open(p, "rb") as fh:
        data = fh.read(MAX_BYTES + 1)  # never more than the bound, whatever the file's size says
    if len(data) > MAX_BYTES:
        raise InputError(f"{where}: expected a TOML file of at most {MAX_BYTES} bytes, received a larger one")
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(f"{where}: expected UTF-8 text, received undecodable bytes ({exc.reason} at byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{where}: expected valid TOML, received a syntax error ({' '.join(str(exc).split())})") from None
    except RecursionError:
        raise InputError(f"{where}: expected TOML that nests at most {MAX_DEPTH} levels deep, received a value "
                         "that nests deeper than Python can parse") from None
    return comparison_from_dict(doc, where, base_dir=p.parent, default_name=p.stem)


def comparison_from_dict(doc: dict[str, Any], where: str = "comparison", *, base_dir: Any = None,
                         default_name: str = "comparison") -> Experiment:
    """An :class:`Experiment` from a parsed TOML document (see the module docstring)."""
    if not isinstance(doc, dict):
        raise check.fail(where, doc, "a TOML table")
    if nesting_depth(doc, MAX_DEPTH + 1) > MAX_DEPTH:
        raise InputError(f"{where}: expected TOML that nests at most {MAX_DEPTH} levels deep, received a value that "
                         f"nests deeper (tables and lists inside one another)")
    for key in doc:
        if key not in TOP_KEYS:
            raise check.fail(f"{where}: {key}", doc[key], f"no such key; top-level keys are {list(TOP_KEYS)} "
                       "(settings such as lr go in [base] or in an [[arms]] entry)")
    name = doc.get("name", default_name)
    for key in ("name", "title", "description"):
        if key in doc and (not isinstance(doc[key], str) or (key == "name" and not doc[key].strip())):
            raise check.fail(f"{where}: {key}", doc[key], "a non-empty string" if key == "name" else "a string")
    if "dataset" not in doc:
        raise InputError(f"{where}: dataset: expected a built-in name or a path to a .csv/.npz file, received nothing")
    dataset = doc["dataset"]
    if not isinstance(dataset, str) or not dataset.strip():
        raise check.fail(f"{where}: dataset", dataset, "a built-in name (circles, moons, football, signs) or a file path")
    dataset = _resolve_dataset(dataset, base_dir)
    options = doc.get("dataset_options", {})
    if not isinstance(options, dict):
        raise check.fail(f"{where}: dataset_options", options, "a table of loader arguments")
    one_factor = doc.get("one_factor", True)
    if not isinstance(one_factor, bool):
        raise check.fail(f"{where}: one_factor", one_factor, "true or false")
    for key in ("base", "quick"):
        if key in doc and not isinstance(doc[key], dict):
            raise check.fail(f"{where}: {key}", doc[key], f"a table [{key}] of settings")
    arms_doc = doc.get("arms")
    if not isinstance(arms_doc, list) or not arms_doc:
        raise check.fail(f"{where}: arms", arms_doc, "at least one [[arms]] table, each with a name")
    arms = []
    for i, entry in enumerate(arms_doc):
        if not isinstance(entry, dict):
            raise check.fail(f"{where}: arms[{i}]", entry, "a table with a name and the settings it changes")
        settings = dict(entry)
        arm_name = settings.pop("name", None)
        if not isinstance(arm_name, str) or not arm_name.strip():
            raise check.fail(f"{where}: arms[{i}].name", arm_name, "a non-empty string")
        note = settings.pop("note", "")
        if not isinstance(note, str):
            raise check.fail(f"{where}: arms[{i}].note", note, "a string")
        arms.append(Arm(arm_name, settings, None, note))
    exp = Experiment(
        name=name, title=doc.get("title", name), dataset=dataset, base=doc.get("base", {}), arms=tuple(arms),
        description=doc.get("description", ""), quick=doc.get("quick", {}), dataset_options=options,
        quick_note="the [quick] settings of the file" if doc.get("quick") else "no [quick] table: full size",
        one_factor=one_factor, source=where, checks=None, figures=("cost", "boundary", "confusion", "misclassified"))
    return exp


def _resolve_dataset(dataset: str, base_dir: Any) -> str:
    from ..datasets import DATASETS
    if dataset.strip().lower() in DATASETS or base_dir is None:
        return dataset
    p = Path(dataset).expanduser()
    if not p.is_absolute():
        p = Path(base_dir) / p
    return str(p)
