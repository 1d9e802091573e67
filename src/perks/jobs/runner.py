"""Running jobs: claim one, then step through it, one short transaction per step.

Each step's transaction (1) renews the lease, which also checks that the job is still ours and still
RUNNING (a second worker, or a cancel, makes the renewal find nothing and the step rolls back), (2) lets
the job's handler do one batch of work, (3) records the progress and the batch's per-row errors. The work
and the progress commit together, so a job resumed after a crash starts at its last committed step: never
from the start, never twice. Steps are kept short (a few thousand codes, at most 1,000 imported rows),
so a job never holds SQLite's writer for long; between steps other writers get their turn.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from perks.config import Settings
from perks.db.database import Database
from perks.errors import AppError
from perks.jobs import repository
from perks.jobs.models import Job, JobState
from perks.kit import clock
from perks.kit.ids import new_id
from perks.tenancy.context import AuthContext, KeyKind

log = logging.getLogger("perks.jobs")
# After this many claims that ended in an unexpected error, a job is FAILED instead of tried again.
MAX_ATTEMPTS = 5
RETRY_AFTER = timedelta(seconds=30)


@dataclass(frozen=True)
class RowError:
    """One refused row of an input: where it starts, the row's own id when it has one, and why."""

    line: int
    reference: str | None
    field: str | None
    message: str


@dataclass
class Step:
    """What one step did: `consumed` units of the input read (rows, or codes asked for), of which `done`
    were written and `skipped` already there; `finished` when nothing is left."""

    consumed: int
    done: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    finished: bool = False


class Cancelled(Exception):
    """Raised by a handler when the job can no longer apply (e.g. its campaign was deleted)."""


Record = tuple[int, dict[str, Any] | None, str | None]  # (line, row, why it could not be read)


class InputReader:
    """A job's input, stored as JSON lines `[line, row, problem]` in parts; read forward only, through the
    step's own session, starting after the rows the job already consumed."""

    def __init__(self, job: Job) -> None:
        self.account_id, self.job_id = job.account_id, job.id
        self._skip = job.position
        self._part = 0
        self._pending = b""
        self._lines: list[bytes] = []
        self._exhausted = False

    async def take(self, session: AsyncSession, count: int) -> list[Record]:
        while self._skip:
            skipped = await self._read(session, min(self._skip, 10_000))
            if not skipped:
                break
            self._skip -= len(skipped)
        return await self._read(session, count)

    async def _read(self, session: AsyncSession, count: int) -> list[Record]:
        while len(self._lines) < count and not self._exhausted:
            data = await repository.input_part(session, self.account_id, self.job_id, self._part)
            if data is None:
                self._exhausted = True
                if self._pending:
                    self._lines.append(self._pending)
                    self._pending = b""
                break
            self._part += 1
            *complete, self._pending = (self._pending + data).split(b"\n")
            self._lines += [line for line in complete if line]
        taken, self._lines = self._lines[:count], self._lines[count:]
        return [_record(line) for line in taken]


def _record(line: bytes) -> Record:
    number, row, problem = json.loads(line)
    return int(number), row, problem


@dataclass
class Work:
    """What a handler's step gets: the step's transaction, the job's account, the job as renewed."""

    session: AsyncSession
    ctx: AuthContext
    job: Job
    settings: Settings
    input: InputReader


class Handler(Protocol):
    async def step(self, work: Work) -> Step: ...


HANDLERS: dict[str, Handler] = {}
# The modules that register handlers; imported when a runner starts (they import this module).
HANDLER_MODULES = ("perks.loyalty.coupons.jobs", "perks.imports.jobs")


def register(job_type: str, handler: Handler) -> None:
    HANDLERS[job_type] = handler


def job_context(account_id: str) -> AuthContext:
    return AuthContext(account_id=account_id, key_id="job", kind=KeyKind.SERVER)


Progress = Callable[[Job], Awaitable[None] | None]


class JobRunner:
    def __init__(self, database: Database, settings: Settings) -> None:
        for module in HANDLER_MODULES:
            importlib.import_module(module)
        self.database = database
        self.settings = settings
        self.lease = timedelta(seconds=settings.job_lease_seconds)

    async def run(self, stop: asyncio.Event) -> None:
        """Run jobs one after another until `stop` is set (between steps: the job is given back)."""
        while not stop.is_set():
            try:
                ran = await self.run_next(stop=stop)
            except Exception:  # a database hiccup must not end the worker; the next round retries
                log.exception("job round failed")
                ran = None
            if ran is None:
                with suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.settings.worker_poll_seconds)

    async def drain(self) -> None:
        """Run every job that can be claimed now (`perks worker --once`, tests)."""
        while await self.run_next() is not None:
            pass

    async def run_next(
        self,
        job_id: str | None = None,
        *,
        stop: asyncio.Event | None = None,
        progress: Progress | None = None,
    ) -> Job | None:
        """Claim a job (the oldest claimable, or `job_id`) and run it until it ends, its lease is lost or
        `stop` is set. Returns the job as last seen, None when there was none to claim."""
        lease_id = new_id()
        async with self.database.transaction() as session:
            job = await repository.claim(session, clock.now(), lease_id, clock.now() + self.lease, job_id)
        if job is None:
            return None
        handler = HANDLERS.get(job.type)
        if handler is None:
            return await self._end(job, lease_id, JobState.FAILED, f"unknown job type {job.type}")
        reader = InputReader(job)
        try:
            while True:
                if stop is not None and stop.is_set():
                    return await self._give_back(job, lease_id)
                current = await self._step(job, lease_id, handler, reader)
                if current is None:
                    return job  # the lease is no longer ours, or the job was ended elsewhere
                job = current
                if progress is not None:
                    shown = progress(job)
                    if shown is not None:
                        await shown
                if job.state != JobState.RUNNING.value:
                    return job
                await asyncio.sleep(0)  # other writers get their turn between steps
        except Cancelled as cancelled:
            return await self._end(job, lease_id, JobState.CANCELLED, str(cancelled))
        except AppError as refused:  # the job cannot be done as asked (e.g. no room for more codes)
            return await self._end(job, lease_id, JobState.FAILED, refused.details)
        except Exception as error:
            log.exception("job %s failed a step", job.id)
            return await self._retry_later(job, lease_id, f"{error.__class__.__name__}: {error}")

    async def _step(self, job: Job, lease_id: str, handler: Handler, reader: InputReader) -> Job | None:
        async with self.database.transaction() as session:
            now = clock.now()
            current = await repository.renew(session, job.id, lease_id, now + self.lease)
            if current is None:
                return None
            step = await handler.step(
                Work(session, job_context(job.account_id), current, self.settings, reader)
            )
            values: dict[str, Any] = {
                "position": current.position + step.consumed,
                "done": current.done + step.done,
                "skipped": current.skipped + step.skipped,
                "errors": current.errors + len(step.errors),
                "updated_at": now,
            }
            if step.finished:
                values |= _ended(JobState.SUCCEEDED, None, now)
            await repository.advance(session, job.id, lease_id, values)
            await repository.add_errors(session, [_error_row(current, error) for error in step.errors])
            for name, value in values.items():
                setattr(current, name, value)
            return current

    async def _end(self, job: Job, lease_id: str, state: JobState, message: str) -> Job:
        async with self.database.transaction() as session:
            values = _ended(state, message, clock.now())
            await repository.advance(session, job.id, lease_id, values)
        for name, value in values.items():
            setattr(job, name, value)
        return job

    async def _give_back(self, job: Job, lease_id: str) -> Job:
        """Stopping: the lease ends now, so another worker goes on at once."""
        async with self.database.transaction() as session:
            await repository.advance(
                session, job.id, lease_id, {"lease_id": None, "locked_until": clock.now()}
            )
        return job

    async def _retry_later(self, job: Job, lease_id: str, message: str) -> Job:
        if job.attempts >= MAX_ATTEMPTS:
            return await self._end(job, lease_id, JobState.FAILED, message)
        values = {"lease_id": None, "locked_until": clock.now() + RETRY_AFTER, "message": message}
        async with self.database.transaction() as session:
            await repository.advance(session, job.id, lease_id, values)
        return job


def _ended(state: JobState, message: str | None, now: Any) -> dict[str, Any]:
    return {
        "state": state.value,
        "message": message,
        "finished_at": now,
        "updated_at": now,
        "lease_id": None,
        "locked_until": None,
    }


def _error_row(job: Job, error: RowError) -> dict[str, Any]:
    return {
        "account_id": job.account_id,
        "job_id": job.id,
        "line": error.line,
        "reference": (error.reference or "")[:255] or None,
        "field": (error.field or "")[:255] or None,
        "message": error.message,
    }
