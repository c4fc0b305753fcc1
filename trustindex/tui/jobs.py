"""The one way the TUI runs slow work: Textual thread workers, one thread per group, the latest request wins.

A pane describes a :class:`Job` — what to compute (a function of ``progress`` and ``cancelled``, the
callbacks every long core function takes), for which key (the weight state and entity it is about),
and which pane takes the outcome — and hands it to :meth:`Jobs.start`. If a job of the same group is
still running, it is cancelled and the new one waits until that thread has returned (the core checks
``cancelled`` at least every quarter second), so a group never has two threads at work and a burst of
keys costs one computation at a time (a cancelled thread that had not started yet only starts to stop).
The app's single ``Worker.StateChanged`` handler passes each outcome
to :meth:`Jobs.settle`, which hands it to the owner (``job_done``, ``job_stopped``, ``job_failed``) and
counts unexpected errors.

Threads never touch a widget: they return a value or post :class:`~.messages.JobProgress` and
:class:`~.messages.JobEnded`. When the app exits, Textual cancels every worker; each thread stops at its
next check, so quitting waits a fraction of a second at most, with no need to kill the process.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, Protocol

from textual.worker import Worker, WorkerState, get_current_worker

from ..batches import Cancelled
from ..errors import TrustIndexError
from .messages import JobEnded, JobProgress

PROGRESS_EVERY = 0.05
"""Seconds between two progress messages of one job (the core may report more often)."""


class Owner(Protocol):
    def job_done(self, job: Job, result: Any) -> None: ...
    def job_stopped(self, job: Job, why: str) -> None: ...
    def job_failed(self, job: Job, message: str) -> None: ...
    def job_progress(self, job: Job, fraction: float) -> None: ...


@dataclass(frozen=True, eq=False)
class Job:
    """One computation for one key: ``work(progress, cancelled)`` returns the result ``owner`` receives."""

    group: str
    """At most one thread per group; a new job cancels the group's running one."""
    key: Hashable
    """What the result is about (a weight state, an entity): the owner compares it with what is on screen."""
    work: Callable[[Callable[[float], None] | None, Callable[[], bool]], Any]
    owner: Owner
    label: str = ""
    """What the job is, for messages (``uncertainty``, ``what it would take``); the group by default."""
    progress: bool = False
    """Post progress messages (to the owner's ``job_progress``)."""
    started: float = field(default=0.0, compare=False)

    @property
    def name(self) -> str:
        return self.label or self.group


class Jobs:
    """The app's workers: start, cancel, and settle their outcomes (see the module's docstring)."""

    def __init__(self, app) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._threads: dict[str, int] = {}
        self._pending: dict[str, Job] = {}
        self._workers: dict[Worker, Job] = {}
        self._current: dict[str, Worker] = {}
        self.errors: list[str] = []
        """Unexpected failures (a bug, not a refused input), as shown to the user."""
        self.closed = False
        """Set when the app is leaving: no job starts after that (its thread would outlive the app)."""

    # --- reading ------------------------------------------------------------------------------------

    @property
    def threads(self) -> int:
        """Threads still computing, cancelled ones included."""
        with self._lock:
            return sum(self._threads.values())

    def busy(self, group: str) -> bool:
        """A job of ``group`` is running (not cancelled) or waiting for its turn."""
        worker = self._current.get(group)
        running = worker is not None and worker.state in (WorkerState.PENDING, WorkerState.RUNNING)
        return running or group in self._pending

    def working_on(self, group: str, key: Hashable) -> bool:
        """A job of ``group`` for ``key`` is running (not cancelled) or waiting: asking again changes nothing."""
        if group in self._pending:
            return self._pending[group].key == key
        worker = self._current.get(group)
        job = self._workers.get(worker) if worker is not None else None
        return job is not None and job.key == key and not worker.is_cancelled

    def idle(self) -> bool:
        """Nothing runs, nothing waits, and every outcome has been handed over (for tests and snapshots)."""
        return not self.threads and not self._pending and not self._workers

    # --- starting and stopping ----------------------------------------------------------------------

    def start(self, job: Job) -> None:
        """Run ``job`` now, or as soon as its group's current thread has stopped (which is asked to)."""
        if self.closed:
            return
        job = Job(job.group, job.key, job.work, job.owner, job.label, job.progress, time.perf_counter())
        worker = self._current.get(job.group)
        if worker is not None and not worker.is_cancelled:
            self._stop(worker)
        dropped = self._pending.pop(job.group, None)
        if dropped is not None:
            dropped.owner.job_stopped(dropped, "replaced by a newer request")
        with self._lock:
            running = self._threads.get(job.group, 0)
        if running:
            self._pending[job.group] = job
        else:
            self._launch(job)

    def cancel(self, group: str) -> bool:
        """Stop ``group``'s job (and drop a waiting one). True when something was running or waiting."""
        found = False
        dropped = self._pending.pop(group, None)
        if dropped is not None:
            found = True
            dropped.owner.job_stopped(dropped, "cancelled")
        worker = self._current.get(group)
        if worker is not None and worker.state in (WorkerState.PENDING, WorkerState.RUNNING):
            self._stop(worker)
            found = True
        return found

    def _stop(self, worker: Worker) -> None:
        """Cancel ``worker`` and settle it now: a worker cancelled before its task ran never reports a state
        again (and never starts its thread), so waiting for its CANCELLED would wait for ever."""
        worker.cancel()
        self.settle(worker, WorkerState.CANCELLED)

    def cancel_all(self) -> None:
        for group in {*self._pending, *self._current}:
            self.cancel(group)

    def close(self) -> None:
        """Stop everything and start nothing more (the app is leaving). The owners are not told: their widgets
        may be gone already (the app unmounting), and nobody reads the screen any more."""
        self.closed = True
        self._pending.clear()
        for worker in self._current.values():
            worker.cancel()
        self._current.clear()
        self._workers.clear()

    def _launch(self, job: Job) -> None:
        worker = self.app.run_worker(
            lambda: self._run(job), name=job.name, group=job.group, thread=True, exit_on_error=False
        )
        self._workers[worker] = job
        self._current[job.group] = worker

    def _run(self, job: Job):
        """In the worker's thread: the work, with progress throttled and cancellation read from the worker."""
        worker = get_current_worker()
        last = [0.0]

        def progress(fraction: float) -> None:
            now = time.monotonic()
            if now - last[0] >= PROGRESS_EVERY or fraction >= 1:
                last[0] = now
                self._post(JobProgress(worker, fraction))

        def cancelled() -> bool:
            return worker.is_cancelled

        with self._lock:  # counted from here: a worker cancelled before its thread started never gets here
            self._threads[job.group] = self._threads.get(job.group, 0) + 1
        try:
            if worker.is_cancelled:
                raise Cancelled("cancelled before it started")
            return job.work(progress if job.progress else None, cancelled)
        finally:
            with self._lock:
                self._threads[job.group] -= 1
            self._post(JobEnded(job.group))

    def _post(self, message) -> None:
        with contextlib.suppress(RuntimeError):  # the app's loop has closed: nobody waits for this any more
            self.app.post_message(message)

    # --- outcomes (on the app's thread) -------------------------------------------------------------

    def ended(self, group: str) -> None:
        """A thread of ``group`` returned: start the job waiting for it, if any."""
        with self._lock:
            running = self._threads.get(group, 0)
        if not running and group in self._pending and not self.closed:
            self._launch(self._pending.pop(group))

    def progress(self, worker: Worker, fraction: float) -> None:
        job = self._workers.get(worker)
        if job is not None and job.progress and not worker.is_cancelled:
            job.owner.job_progress(job, fraction)

    def settle(self, worker: Worker, state: WorkerState) -> None:
        """Hand a finished worker's outcome to its job's owner (the app's one StateChanged handler calls this)."""
        if state in (WorkerState.PENDING, WorkerState.RUNNING):
            return
        job = self._workers.pop(worker, None)
        if job is None:
            return
        if self._current.get(job.group) is worker:
            del self._current[job.group]
        if state == WorkerState.SUCCESS:
            job.owner.job_done(job, worker.result)
        elif state == WorkerState.CANCELLED:
            job.owner.job_stopped(job, "cancelled")
        else:
            error = worker.error
            if isinstance(error, Cancelled):
                job.owner.job_stopped(job, str(error))
            elif isinstance(error, TrustIndexError):
                job.owner.job_failed(job, str(error))
            else:
                message = f"{job.name} failed: {error!r}"
                self.errors.append(message)
                self.app.notify(message, severity="error", timeout=10)
                job.owner.job_failed(job, repr(error))
