"""What a session exports: the Python code that reproduces it, the TOML comparison, the model and the data.

The Python code builds each run as the playground built it (the same network and
seed, the same :class:`~descentlab.training.FitConfig`) and trains it with
``dl.fit`` when the run is a plain one (whole epochs, no setting changed on the way),
else with a :class:`~descentlab.Stepper` that replays the steps and the changes, so
it ends with the very weights on screen. The TOML comparison is what
``descentlab run`` accepts; it is exact under the same condition, and says so in a
comment when it is not.
"""

from __future__ import annotations

import io
import json
from typing import Any, Mapping

import numpy as np

from .._version import __version__
from ..io import modelfile
from ..training.prepare import summary
from .data import COURSE_DATA
from .state import DATA_KEYS

DATA_FILE = "playground-data.npz"


def _py(value: Any) -> str:
    """A Python literal that reads back as ``value`` (floats with repr: exact)."""
    if isinstance(value, tuple):
        value = list(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_py(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_py(k)}: {_py(v)}" for k, v in value.items()) + "}"
    return repr(value)


def _exact(run: Any) -> bool:
    """Whether ``fit`` alone reproduces the run: whole epochs and no change of a setting on the way."""
    s = run.stepper
    return not s.changes and s.step_in_epoch == 0 and s.stopped is None


def data_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    return {k: settings[k] for k in DATA_KEYS}


def python_code(session: Any) -> str:
    """A script that trains every run of the session to where it is now, with the same weights."""
    title = session.settings.get("title") or f"{session.data.name} in the playground"
    lines = [f'"""{title}: reproduced from descentlab playground (descentlab {__version__}).',
             "",
             "Each run below ends with the weights the playground showed, bit for bit.", '"""',
             "import descentlab as dl", "from descentlab.playground.data import make_data",
             "from descentlab.training import get_optimizer", "",
             f"data = make_data({_py(data_settings(session.settings))})"
             + ("  # needs the uploaded CSV: make_data(settings, upload=dl.datasets.load_csv(path))"
                if session.data.name == "upload" else ""),
             "ds = data.dataset()  # the features the network sees: ds.X_train, ds.y_train, ds.X_test, ds.y_test",
             "validation = (ds.X_test, ds.y_test) if ds.X_test is not None else None", ""]
    for run in session.runs:
        lines += _run_code(run)
    return "\n".join(lines) + "\n"


def _run_code(run: Any) -> list[str]:
    cfg, s, net = run.cfg, run.stepper, run.net
    fc = s.cfg
    opt = fc.optimizer.config()
    hyper = ", ".join(f"{k}={_py(v)}" for k, v in opt.items() if k not in ("name", "lr"))
    sched = fc.schedule.config()
    epochs = s.epoch if _exact(run) and s.epoch else fc.epochs
    out = [f"# run {run.name!r}",
           f"net = dl.Network({_py(list(net.layer_dims))}, hidden={_py(list(net.hidden))}, output={net.output!r}, "
           f"init={net.init.name!r}, init_scale={_py(net.init.scale)}, seed={cfg['seed']})",
           f"config = dl.FitConfig(optimizer=get_optimizer({opt['name']!r}, lr={_py(_start(run, 'lr'))}"
           + (f", {hyper}" if hyper else "") + f"), epochs={epochs}, batch_size={_py(fc.batch_size)}, "
           f"l2={_py(_start(run, 'l2'))}, keep_prob={_py(_start(run, 'keep_prob'))}, "
           f"schedule={_py(sched) if sched['name'] != 'constant' else None}, shuffle={fc.shuffle!r}, seed={fc.seed}, "
           f"on_nonfinite='stop', engine={fc.engine!r})"]
    if _exact(run):
        if s.epoch:
            out.append("history = dl.fit(net, ds.X_train, ds.y_train, config=config, validation_data=validation, verbose=0)")
        out.append(f"# epochs trained: {s.epoch}")
    else:
        out.append("run = dl.Stepper(net, ds.X_train, ds.y_train, config=config, validation_data=validation)")
        done = 0
        for at, change in s.changes:
            if at > done:
                out.append(f"run.step({at - done})")
                done = at
            out.append("run.set(" + ", ".join(f"{k}={_py(v)}" for k, v in change.items()) + ")")
        if s.steps > done:
            out.append(f"run.step({s.steps - done})")
        out.append(f"# epoch {s.epoch}, step {s.step_in_epoch} of {s.steps_per_epoch}"
                   + (f"; stopped: {s.stopped}" if s.stopped else ""))
    out.append(f"print({run.name!r}, net.accuracy(ds.X_train, ds.y_train))" if net.head.is_classifier else
               f"print({run.name!r}, net.cost(ds.X_train, ds.y_train))")
    return out + [""]


def _start(run: Any, key: str) -> Any:
    """The value a live setting had when the run started (the changes made on the way are replayed)."""
    value = run.start_values[key]
    return list(value) if isinstance(value, tuple) else value


def _toml(value: Any) -> str:
    if value is None:
        return '"none"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, float):
        return repr(value) if np.isfinite(value) else '"nan"'
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no TOML for {value!r}")


def _plain_data(settings: Mapping[str, Any]) -> bool:
    return (settings["data"] in COURSE_DATA and settings["noise"] == 0 and settings["split"] is None
            and list(settings["features"]) == ["x1", "x2"])


def toml_text(session: Any) -> str:
    """The comparison ``descentlab run`` accepts: the base settings, one arm per run."""
    st = session.settings
    runs = session.runs
    notes = [f"# Exported from descentlab playground (descentlab {__version__}): descentlab run this-file.toml"]
    if not _plain_data(st):
        notes.append(f"# The data (with its noise, split and features) is in {DATA_FILE}: download it beside this file.")
    inexact = [r.name for r in runs if not _exact(r)]
    if inexact:
        notes.append(f"# Not bit for bit: run(s) {inexact} changed a setting while training or stopped inside an "
                     "epoch; a comparison trains whole epochs with one setting, the current ones below. The Python "
                     "export replays them exactly.")
    epochs = max(1, min(r.stepper.epoch for r in runs)) if any(r.stepper.epoch for r in runs) else (st.get("epochs") or 100)
    base = _base_config(runs[0].cfg, epochs)
    lines = notes + ["", f"name = {_toml('playground')}", f"title = {_toml(st.get('title') or 'playground run')}",
                     f"dataset = {_toml(st['data'] if _plain_data(st) else DATA_FILE)}",
                     "one_factor = false" if not st["arms"] else "", "", "[base]"]
    lines += [f"{k} = {_toml(v)}" for k, v in base.items()]
    for run in runs:
        lines += ["", "[[arms]]", f"name = {_toml(run.name)}"]
        lines += [f"{k} = {_toml(v)}" for k, v in _base_config(run.cfg, epochs).items() if base.get(k) != v]
    return "\n".join(line for line in lines if line is not None) + "\n"


def _base_config(cfg: Mapping[str, Any], epochs: int) -> dict[str, Any]:
    keys = ("layers", "hidden", "output", "init", "init_scale", "seed", "optimizer", "lr", "beta", "beta1", "beta2",
            "epsilon", "weight_decay", "schedule", "batch_size", "shuffle", "l2", "keep_prob")
    out = {k: cfg[k] for k in keys if cfg.get(k) is not None}
    out["epochs"] = int(epochs)
    out["engine"] = "numpy"  # what the playground trained on: the comparison reproduces it bit for bit
    out["batch_size"] = "full" if cfg.get("batch_size") is None else cfg["batch_size"]
    if isinstance(out.get("keep_prob"), tuple):
        out["keep_prob"] = list(out["keep_prob"])
    return out


def model_bytes(session: Any, index: int | None = None) -> tuple[str, bytes]:
    """(file name, bytes) of a run's model file (the focused run by default); ``descentlab.load`` reads it."""
    run = session.runs[session.focus if index is None else index]
    run.stepper.runner.sync_to_net()
    run.net.info["training"] = summary(run.stepper.history, run.stepper.cfg)
    name = "".join(c if c.isalnum() or c in "-_" else "-" for c in run.name)
    return f"playground-{session.data.name}-{name}.safetensors", modelfile.to_bytes(run.net)


def data_bytes(session: Any) -> tuple[str, bytes]:
    """(file name, bytes) of the data the networks see, as an .npz that ``descentlab.datasets.load`` reads."""
    ds = session.dataset
    arrays = {"X": ds.X_train, "y": ds.y_train}
    if ds.X_test is not None:
        arrays.update(X_test=ds.X_test, y_test=ds.y_test)
    if ds.class_names and ds.y_train.dtype.kind == "i":
        arrays["class_names"] = np.array(ds.class_names, dtype=str)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return DATA_FILE, buf.getvalue()
