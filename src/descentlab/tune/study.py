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
    close,
    fail_stale,
    is_storage_error,
    open_storage,
    redact,
    shown,
)
from .trial import LAUNCH

FINGERPRINT = "descentlab_spec"
SCHEMA_LOCK = 0x0D15C0  # the PostgreSQL advisory lock under which launchers create Optuna's tables


def open_study(url: str, name: str, direction: str, fingerprint: dict[str, Any], heartbeat: int) -> tuple[Any, Any]:
    """(storage, study): the study ``name`` in ``url``, created if new, checked against ``fingerprint`` if not."""
    import optuna
    storage = None
    try:
        storage = _first_open(url, heartbeat)
        study = optuna.create_study(study_name=name, storage=storage, direction=direction, load_if_exists=True)
        saved = study.user_attrs.get(FINGERPRINT)
        if saved is None:
            study.set_user_attr(FINGERPRINT, fingerprint)
        elif saved != fingerprint:
            raise InputError(f"study: expected a new name for another search, received {name!r}, a study of "
                             f"{shown(url)} made from another spec (it differs in {', '.join(_diff(saved, fingerprint)[:6] or ['?'])})"
                             "; pass --study NEW_NAME")
        if study.direction.name.lower() != direction:
            raise InputError(f"study: expected a study that {direction}s, received {name!r} which "
                             f"{study.direction.name.lower()}s; pass --study NEW_NAME")
        fail_dead(study, heartbeat)
    except Exception as exc:
        close(storage)
        if not isinstance(exc, InputError) and (is_storage_error(exc) or "sqlite" in type(exc).__module__):
            raise StudyStorageError(f"storage: cannot open {shown(url)}: {redact(exc, url)}") from None
        raise
    return storage, study


def _first_open(url: str, heartbeat: int) -> Any:
    """Open the storage. Optuna creates its tables when they are missing, which is not safe when several
    launchers start on a new PostgreSQL database at the same moment (duplicate types): there they take
    turns, under a PostgreSQL advisory lock."""
    if not url.startswith("postgresql"):
        return open_storage(url, heartbeat)
    import sqlalchemy
    engine = sqlalchemy.create_engine(url, connect_args={"connect_timeout": 10})
    try:
        with engine.connect() as conn:
            conn.execute(sqlalchemy.text("SELECT pg_advisory_lock(:k)"), {"k": SCHEMA_LOCK})
            try:
                return open_storage(url, heartbeat)
            finally:
                conn.execute(sqlalchemy.text("SELECT pg_advisory_unlock(:k)"), {"k": SCHEMA_LOCK})
    finally:
        engine.dispose()


def _diff(a: dict[str, Any], b: dict[str, Any], prefix: str = "") -> list[str]:
    out = []
    for key in sorted(set(a) | set(b)):
        x, y = a.get(key), b.get(key)
        if isinstance(x, dict) and isinstance(y, dict):
            out += _diff(x, y, f"{prefix}{key}.")
        elif json.dumps(x, sort_keys=True) != json.dumps(y, sort_keys=True):
            out.append(f"{prefix}{key}")
    return out


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
    from optuna.trial import TrialState
    mine = [t for t in study.get_trials(deepcopy=True, states=(TrialState.RUNNING,))
            if t.user_attrs.get(LAUNCH, {}).get("session") == session]
    return [t.number for t in mine if _fail(study, t, retry)]


def _fail(study: Any, t: Any, retry: bool) -> bool:
    """Mark a RUNNING trial failed (and queue its retry); False if another process ended it first."""
    import warnings

    from optuna.exceptions import ExperimentalWarning
    from optuna.storages import RetryHeartbeatStaleTrialCallback
    from optuna.trial import TrialState
    trial_id = t._trial_id  # FrozenTrial's storage id (Optuna has no public accessor)
    try:
        if not study._storage.set_trial_state_values(trial_id, state=TrialState.FAIL):
            return False
    except Exception:  # noqa: BLE001 - UpdateFinishedTrialError: another process failed it first
        return False
    if retry:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ExperimentalWarning)
            RetryHeartbeatStaleTrialCallback(max_retry=MAX_RETRY)(study, study._storage.get_trial(trial_id))
    return True


def fail_dead(study: Any, heartbeat: int) -> list[int]:
    """Fail (and retry) the trials of dead workers: those whose heartbeat is stale (Optuna), and those that
    never recorded one although they started more than 6 heartbeats ago.

    Optuna skips the second kind, which a worker leaves when the database goes away between the
    start of its trial and its first heartbeat; they would stay RUNNING forever.
    """
    import datetime

    import sqlalchemy
    from optuna.trial import TrialState
    fail_stale(study)
    running = study.get_trials(deepcopy=True, states=(TrialState.RUNNING,))
    if not running:
        return []
    query = sqlalchemy.text("SELECT trial_id FROM trial_heartbeats WHERE trial_id IN :ids").bindparams(
        sqlalchemy.bindparam("ids", expanding=True))
    with study._storage._backend.engine.connect() as conn:
        beating = {row[0] for row in conn.execute(query, {"ids": [t._trial_id for t in running]})}
    limit = datetime.datetime.now() - datetime.timedelta(seconds=6 * heartbeat)
    silent = [t for t in running if t._trial_id not in beating and t.datetime_start and t.datetime_start < limit]
    return [t.number for t in silent if _fail(study, t, retry=True)]


def waiting(study: Any) -> int:
    """Queued trials (retries of failed ones) that the next trials will run first."""
    from optuna.trial import TrialState
    return len(study.get_trials(deepcopy=False, states=(TrialState.WAITING,)))
