"""`perks worker` (and `perks serve --with-worker`): the process that runs the background work, listed here.

Three loops side by side: webhook delivery (perks.outbox.worker), the job queue (perks.jobs.runner: code
batches, imports), and the periodic jobs below, each domain's, run at most every JOBS_EVERY_SECONDS. Many
workers may run at once: every job takes its rows with conditional writes, so they share the work."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress

from perks import housekeeping
from perks.affiliate.payouts import service as payouts
from perks.config import Settings
from perks.db.database import Database
from perks.jobs.runner import JobRunner
from perks.kit import clock
from perks.ledger import jobs as ledger_jobs
from perks.loyalty.events import jobs as event_jobs
from perks.loyalty.overview import jobs as overview_jobs
from perks.outbox.worker import Worker
from perks.web.observability import configure_logging

JOBS_EVERY_SECONDS = 60.0
log = logging.getLogger("perks.worker")

PeriodicJob = Callable[[Database, Settings], Awaitable[object]]

# In order: payouts of due commissions, lapsed event reservations (EXPIRED, rewards given back),
# EXPIRATION entries for wallets nobody touches, the console overview's closed hours, pruning old clicks
# and webhook rows.
PERIODIC_JOBS: list[PeriodicJob] = [
    lambda database, _settings: payouts.generate_due(database),
    lambda database, _settings: event_jobs.expire_once(database),
    lambda database, _settings: ledger_jobs.expire_once(database),
    lambda database, _settings: overview_jobs.count_once(database),
    housekeeping.prune_once,
]


async def run_periodic_jobs(database: Database, settings: Settings) -> None:
    """Every periodic job once (tests and `perks worker --once`)."""
    for job in PERIODIC_JOBS:
        await job(database, settings)


async def periodic(database: Database, settings: Settings, stop: asyncio.Event) -> None:
    """The periodic jobs every JOBS_EVERY_SECONDS until `stop` is set; a failed round is retried next time."""
    while not stop.is_set():
        try:
            await run_periodic_jobs(database, settings)
        except Exception:  # a database hiccup must not end the worker
            log.exception("periodic jobs failed")
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), JOBS_EVERY_SECONDS)


@asynccontextmanager
async def in_background(database: Database, settings: Settings) -> AsyncIterator[None]:
    """The three loops beside the HTTP server (`perks serve --with-worker`)."""
    webhooks, stop = Worker(database, settings), asyncio.Event()
    tasks = [
        asyncio.create_task(webhooks.run(stop)),
        asyncio.create_task(JobRunner(database, settings).run(stop)),
        asyncio.create_task(periodic(database, settings, stop)),
    ]
    try:
        yield
    finally:
        stop.set()
        await asyncio.gather(*tasks)
        await webhooks.close()


async def main(settings: Settings, *, once: bool) -> None:
    """`perks worker`: until SIGTERM/SIGINT (or, with once, until nothing is due)."""
    configure_logging(settings.log_level)
    clock.use_offset_file(settings.clock_offset_file)
    database = Database(settings.database_url, pool_size=2)
    webhooks, runner = Worker(database, settings), JobRunner(database, settings)
    try:
        if once:
            await run_periodic_jobs(database, settings)
            await runner.drain()
            await webhooks.drain()
            return
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await asyncio.gather(webhooks.run(stop), runner.run(stop), periodic(database, settings, stop))
    finally:
        await webhooks.close()
        await database.dispose()
