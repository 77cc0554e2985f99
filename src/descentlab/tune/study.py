"""The launcher's side of a study: create or resume it, count its trials, fail the trials of dead workers.

A study records what it was made from (:meth:`~.spec.TuneSpec.fingerprint`: data,
base settings, space, objective, validation split, seeds); resuming it with another
spec is refused, naming what differs, so that one study never mixes two searches.
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import InputError
from .storage import (
    MAX_RETRY,
    StudyStorageError,
    fail_stale,
    is_storage_error,
    open_storage,
    redact,
    shown,
)
from .trial import LAUNCH

FINGERPRINT = "descentlab_spec"


def open_study(url: str, name: str, direction: str, fingerprint: dict[str, Any], heartbeat: int) -> tuple[Any, Any]:
    """(storage, study): the study ``name`` in ``url``, created if new, checked against ``fingerprint`` if not."""
    import optuna
    try:
        storage = open_storage(url, heartbeat)
        study = optuna.create_study(study_name=name, storage=storage, direction=direction, load_if_exists=True)
        saved = study.user_attrs.get(FINGERPRINT)
        if saved is None:
            study.set_user_attr(FINGERPRINT, fingerprint)
        elif saved != fingerprint:
            raise InputError(f"study: expected a new name for another search, received {name!r}, a study of "
                             f"{shown(url)} made from another spec (it differs in {', '.join(_diff(saved, fingerprint))})"
                             "; pass --study NEW_NAME")
        if study.direction.name.lower() != direction:
            raise InputError(f"study: expected a study that {direction}s, received {name!r} which "
                             f"{study.direction.name.lower()}s; pass --study NEW_NAME")
        fail_stale(study)
    except InputError:
        raise
    except Exception as exc:
        if is_storage_error(exc) or "sqlite" in type(exc).__module__:
            raise StudyStorageError(f"storage: cannot open {shown(url)}: {redact(exc, url)}") from None
        raise
    return storage, study


def _diff(a: dict[str, Any], b: dict[str, Any], prefix: str = "") -> list[str]:
    out = []
    for key in sorted(set(a) | set(b)):
        x, y = a.get(key), b.get(key)
        if isinstance(x, dict) and isinstance(y, dict):
            out += _diff(x, y, f"{prefix}{key}.")
        elif json.dumps(x, sort_keys=True) != json.dumps(y, sort_keys=True):
            out.append(f"{prefix}{key}")
    return out[:6] or ["?"]


def counts(study: Any) -> dict[str, int]:
    """Trials of the study by state."""
    out: dict[str, int] = {}
    for t in study.get_trials(deepcopy=False):
        out[t.state.name] = out.get(t.state.name, 0) + 1
    return out


def finished(study: Any) -> int:
    c = counts(study)
    return c.get("COMPLETE", 0) + c.get("PRUNED", 0)


def fail_orphans(study: Any, session: str, *, retry: bool) -> list[int]:
    """Fail this launch's trials that are still RUNNING although none of its tasks runs any more.

    Their worker died (SIGKILL, a lost machine) or stopped (Ctrl-C). With ``retry`` a copy
    with the same parameters is queued (Optuna's retry callback, as heartbeats do);
    the numbers of the failed trials are returned.
    """
    import warnings

    from optuna.exceptions import ExperimentalWarning
    from optuna.storages import RetryHeartbeatStaleTrialCallback
    from optuna.trial import TrialState
    failed = []
    for t in study.get_trials(deepcopy=True, states=(TrialState.RUNNING,)):
        if t.user_attrs.get(LAUNCH, {}).get("session") != session:
            continue
        try:
            if study._storage.set_trial_state_values(t._trial_id, state=TrialState.FAIL):
                failed.append(t.number)
        except Exception:  # another process failed it first
            continue
        if retry:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ExperimentalWarning)
                RetryHeartbeatStaleTrialCallback(max_retry=MAX_RETRY)(study, study._storage.get_trial(t._trial_id))
    return failed


def waiting(study: Any) -> int:
    """Queued trials (retries of failed ones) that the next trials will run first."""
    from optuna.trial import TrialState
    return len(study.get_trials(deepcopy=False, states=(TrialState.WAITING,)))
