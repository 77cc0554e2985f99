"""Where and how trials run: a Dask distributed client, and the loop that keeps its workers busy.

``jobs=N`` and ``cluster=ADDRESS`` are the same code path: ``jobs`` starts a Dask
``LocalCluster`` (N worker processes, one thread each; one worker thread in this
process when N = 1) and connects a client to it; ``cluster`` connects the client to a
running scheduler (``tcp://host:8786``, or a scheduler file written by ``dask
scheduler --scheduler-file``, dask-jobqueue or dask-mpi). Then, either way:

1. the training part and the validation split are sent once to every worker
   (``client.scatter(broadcast=True)``; the test set stays here);
2. every worker checks its versions and that it sees the study (:func:`.trial.preflight`);
3. the launcher keeps one trial task per worker thread in flight (one task = one
   trial, :func:`.trial.run_trial`) until the study has ``target`` finished trials or
   the time is up;
4. trials of workers that died are failed and their queued retries run.

Why Dask rather than Ray: trials are independent tasks that need no actors, object
store or placement; Dask's ``LocalCluster`` starts in about 1 s against 4-5 s for
``ray.init`` on this machine, installs in about 47 MB against 250 MB, and its
``dask scheduler`` / ``dask worker`` commands (or dask-jobqueue, or the Dask Kubernetes
operator) are all a user needs to add machines. The study's database, not the
scheduler, holds the results, so a scheduler that goes away loses no finished trial.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .. import _checks as check
from ..errors import InputError
from .storage import StudyStorageError, storage_cause, storage_message
from .trial import Plan, preflight, request_stop, run_trial

CONNECT_TIMEOUT = 20  # seconds to reach a cluster's scheduler
STOP_WAIT = 10.0  # seconds a Ctrl-C waits for the running trials to stop
DEFAULT_PORT = 8786


def check_cluster(cluster: Any) -> Any:
    """A cluster address (``tcp://host:port``, ``host:port``), a scheduler file, or a dask Client; checked."""
    if cluster is None or not isinstance(cluster, (str, os.PathLike)):
        return cluster  # None, or a Client given from Python
    text = str(cluster).strip()
    if text.endswith(".json"):
        if not Path(text).expanduser().is_file():
            raise check.fail("cluster", text, "a scheduler address such as tcp://host:8786 or an existing "
                                              "scheduler file (.json)")
        return str(Path(text).expanduser())
    scheme, _, rest = text.rpartition("://")
    host, _, port = rest.rpartition(":")
    if scheme not in ("", "tcp", "tls", "ws", "wss", "ucx") or not host or not port.isdigit():
        raise check.fail("cluster", text, f"a scheduler address such as tcp://host:{DEFAULT_PORT} or a scheduler "
                                          "file (.json)")
    return text if scheme else f"tcp://{text}"


class Executor:
    """A Dask client to the workers that run trials (a LocalCluster started here, or a running cluster)."""

    def __init__(self, jobs: int = 1, cluster: Any = None) -> None:
        self.jobs = check.integer("jobs", jobs, low=1)
        self.cluster_arg = check_cluster(cluster)
        self.local = None
        self.client = None
        self.own_client = True

    def __enter__(self) -> "Executor":
        from distributed import Client, LocalCluster
        if self.cluster_arg is None:
            with _workers_ignore_ctrl_c():
                # dashboard_address=":0": the scheduler's HTTP server on a free port (its default, 8787,
                # is taken by a second search on the machine, and Dask then warns)
                self.local = LocalCluster(n_workers=self.jobs, processes=self.jobs > 1, threads_per_worker=1,
                                          dashboard_address=":0", silence_logs=logging.ERROR, memory_limit=0)
            self.client = Client(self.local)
        elif isinstance(self.cluster_arg, str):
            self.client = _connect(self.cluster_arg)
        else:
            self.client, self.own_client = self.cluster_arg, False
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # closing a cluster whose tasks were cancelled may warn
            if self.client is not None and self.own_client:
                self.client.close()
            if self.local is not None:
                self.local.close()
        self.client = self.local = None

    @property
    def where(self) -> str:
        if self.local is not None:
            return f"{self.jobs} local worker {'process' if self.jobs > 1 else 'thread'}{'es' if self.jobs > 1 else ''}"
        return f"the Dask cluster at {self.client.scheduler.address}"

    def slots(self) -> int:
        """Worker threads available now (a cluster may grow or shrink while the search runs)."""
        return int(sum(self.client.nthreads().values()))

    def wait_for_workers(self, seconds: float = CONNECT_TIMEOUT) -> None:
        t0 = time.monotonic()
        while self.slots() == 0:
            if time.monotonic() - t0 > seconds:
                raise InputError(f"cluster: expected at least one worker, received none after {seconds:.0f} s "
                                 "(start workers with: dask worker tcp://SCHEDULER:8786 --nthreads 1)")
            time.sleep(0.2)

    def scatter(self, data: Any) -> Any:
        return self.client.scatter(data, broadcast=True, hash=False)

    def preflight(self, plan: Plan) -> list[dict[str, Any]]:
        """:func:`.trial.preflight` on every worker, as a task (``client.run`` would block the worker's
        event loop while Optuna is imported and the database opened)."""
        futures = [self.client.submit(preflight, plan, workers=[w], allow_other_workers=False, pure=False)
                   for w in self.client.nthreads()]
        return self.client.gather(futures)

    def stop_trials(self, session: str) -> None:
        """Ask every worker's running trials of this launch to stop at their next epoch end."""
        try:
            self.client.run(request_stop, session, wait=True)
        except Exception:  # noqa: BLE001 - best effort while shutting down
            pass

    def submit(self, plan: Plan, data: Any) -> Any:
        return self.client.submit(run_trial, plan, data, pure=False)


@contextlib.contextmanager
def _workers_ignore_ctrl_c() -> Any:
    """Start worker processes with SIGINT ignored (inherited through exec; Python then installs no handler).

    A Ctrl-C in a terminal reaches every process of the foreground group: the workers must
    not die of it, mid-trial and with a traceback each; this process handles it and stops them.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


def _connect(address: str) -> Any:
    from distributed import Client
    try:
        if address.endswith(".json"):
            return Client(scheduler_file=address, timeout=CONNECT_TIMEOUT)
        return Client(address, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as exc:
        raise InputError(f"cluster: expected a running Dask scheduler at {address}, received no answer within "
                         f"{CONNECT_TIMEOUT} s ({exc})") from None


# ------------------------------------------------------------------------------------ the loop
@dataclass
class LoopStats:
    """What the launcher saw: trial counts of this run, the first error, the timings of each task."""

    finished: int = 0
    complete: int = 0
    pruned: int = 0
    failed: int = 0
    lost_tasks: int = 0
    errors: list[str] = field(default_factory=list)
    tasks: list[dict[str, Any]] = field(default_factory=list)
    timed_out: bool = False
    storage_error: str | None = None
    seconds: float = 0.0


def run_loop(executor: Executor, plan: Plan, data: Any, target: int, count: Callable[[LoopStats], int], *,
             timeout: float | None, on_result: Callable[[dict[str, Any]], None], max_failures: int) -> LoopStats:
    """Keep one trial per worker thread running until ``count(stats)`` reaches ``target``.

    ``count`` is the study's number of finished trials (read again before starting trials, so
    that launchers on several machines share one budget; they overshoot it by at most the trials
    running at the end), or this loop's own count. Failed trials do not count (a replacement
    is started), up to ``max_failures`` in this run; a task whose worker died (Dask's
    KilledWorker) is replaced too. When the database cannot be reached no new trial starts,
    the running ones end, and :class:`StudyStorageError` is raised.
    """
    from distributed import wait
    stats = LoopStats()
    pending: dict[Any, float] = {}
    t0 = time.monotonic()
    try:
        _loop(executor, plan, data, target, count, timeout, on_result, max_failures, stats, pending, t0)
    except KeyboardInterrupt:  # Ctrl-C: the running trials stop at their next epoch end, and fail
        executor.stop_trials(plan.session)
        with contextlib.suppress(Exception):
            wait(list(pending), timeout=STOP_WAIT)
        raise
    stats.seconds = time.monotonic() - t0
    if stats.storage_error is not None:
        raise StudyStorageError(stats.storage_error, during_run=True)
    return stats


def _count(count: Callable[[LoopStats], int], stats: LoopStats, plan: Plan) -> int:
    """The study's finished trials; when the database cannot be read, the loop's storage error (no new
    trial starts, the running ones end) and a count that starts nothing."""
    try:
        return count(stats)
    except Exception as exc:
        cause = storage_cause(exc)
        if cause is None:
            raise
        stats.storage_error = storage_message(cause, plan.url)
        return 1 << 62


def _loop(executor: Executor, plan: Plan, data: Any, target: int, count: Callable[[LoopStats], int],
          timeout: float | None, on_result: Callable, max_failures: int, stats: LoopStats,
          pending: dict[Any, float], t0: float) -> None:
    from distributed import wait
    while True:
        stats.timed_out = timeout is not None and time.monotonic() - t0 >= timeout
        can_start = not stats.timed_out and stats.storage_error is None and stats.failed < max_failures
        free = max(executor.slots(), 1) - len(pending)
        if can_start and free > 0:
            for _ in range(min(free, target - _count(count, stats, plan) - len(pending))):
                pending[executor.submit(plan, data)] = time.monotonic()
        if not pending:
            break
        try:  # wake up every second: the timeout, and a cluster that gained workers
            done, _ = wait(list(pending), timeout=1.0, return_when="FIRST_COMPLETED")
        except TimeoutError:
            continue
        for future in done:
            started = pending.pop(future)
            _collect(future, started, stats, on_result)


def _collect(future: Any, started: float, stats: LoopStats, on_result: Callable) -> None:
    from distributed import KilledWorker
    try:
        result = future.result()
    except KilledWorker as exc:  # the worker died (again) running this task: start another trial
        stats.lost_tasks += 1
        stats.errors.append(f"a worker died running a trial ({exc})")
        return
    result["round_trip"] = time.monotonic() - started
    if result["status"] == "storage":
        stats.storage_error = result["message"]
        return
    if result["status"] != "done":
        return
    stats.tasks.append(result)
    state = result["state"]
    if state in ("COMPLETE", "PRUNED"):
        stats.finished += 1
        stats.complete += state == "COMPLETE"
        stats.pruned += state == "PRUNED"
    else:
        stats.failed += 1
        if result.get("error"):
            stats.errors.append(f"trial {result['number']}: {result['error']}")
    on_result(result)


