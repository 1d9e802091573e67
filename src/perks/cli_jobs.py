"""`perks import` and `perks jobs`: imports and long jobs from the command line, with a progress bar."""

from __future__ import annotations

import asyncio
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from perks.cli import fail, run_on_database
from perks.config import Settings
from perks.db.database import Database
from perks.imports import service as imports
from perks.imports.records import Format
from perks.jobs import rendering as jobs_rendering
from perks.jobs import service as jobs
from perks.jobs.models import UNFINISHED, Job, JobState
from perks.jobs.runner import JobRunner, job_context
from perks.tenancy import service as tenancy

jobs_app = typer.Typer(
    help="Follow the jobs of an account (imports, big code batches).", no_args_is_help=True
)
AccountOption = Annotated[str, typer.Option("--account", help="Account id (perks accounts list)")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON line")]
POLL_SECONDS = 0.5


class ImportKind(StrEnum):
    CUSTOMERS = "customers"
    BALANCES = "balances"
    EVENTS = "events"


def register(app: typer.Typer) -> None:
    app.command("import")(import_command)
    app.add_typer(jobs_app, name="jobs")


def import_command(
    kind: Annotated[ImportKind, typer.Argument(help="What the file holds")],
    file: Annotated[
        Path, typer.Argument(help="A CSV file with a header line, or JSON lines", dir_okay=False)
    ],
    account: AccountOption,
    format: Annotated[
        Format | None, typer.Option("--format", help="csv or jsonl; guessed from the file when omitted")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Import customers, balances or events into an account, a batch of at most 1,000 rows per
    transaction. Refused rows are listed, with the reason, in NAME.errors.csv next to the file. Running it
    again on the same file goes on where it stopped; rows imported before are skipped."""
    if not file.is_file():
        raise fail(f"no such file: {file}")

    async def work(database: Database, settings: Settings) -> tuple[Job, Path | None, bool]:
        ctx = job_context(account)
        with file.open("rb") as source:
            prepared = await asyncio.to_thread(imports.prepare_file, kind.value, source, format)
        with prepared.records:
            async with database.transaction() as session:
                await tenancy.require_account(session, account)
                job = await imports.resumable(session, ctx, kind.value, prepared.digest)
                resumed = job is not None
                if job is None:
                    job = await imports.enqueue(session, ctx, kind.value, prepared, source=f"cli:{file.name}")
        final = await follow(database, settings, job, f"Importing {kind.value} from {file.name}")
        return final, await write_report(database, final, file), resumed

    job, report, resumed = run_on_database(work)
    summary = {
        "job_id": job.id,
        "state": job.state,
        "total": job.total,
        "done": job.done,
        "skipped": job.skipped,
        "errors": job.errors,
        "report": str(report) if report else None,
        "resumed": resumed,
    }
    if as_json:
        typer.echo(json.dumps(summary))
    else:
        typer.echo(
            f"{'Resumed' if resumed else 'Job'} {job.id}: {job.state.lower()}; imported {job.done}, "
            f"skipped {job.skipped} (already there), refused {job.errors}"
            + (f" (reasons in {report})" if report else "")
        )
    if job.state != JobState.SUCCEEDED.value:
        raise fail(job.message or f"the job ended {job.state}")


@jobs_app.command("show")
def jobs_show(
    job_id: Annotated[str, typer.Argument(help="Job id")],
    account: AccountOption,
    watch: Annotated[bool, typer.Option("--watch", help="Show a progress bar until the job ends")] = False,
    as_json: JsonOption = False,
) -> None:
    """A job's state and progress; with --watch, a progress bar until it ends (a worker runs it)."""

    async def work(database: Database, settings: Settings) -> Job:
        job = await _read(database, account, job_id)
        return await watch_until_done(database, job, f"Job {job.type}") if watch else job

    job = run_on_database(work)
    if as_json:
        typer.echo(jobs_rendering.job_out(job).model_dump_json())
    else:
        typer.echo(_line(job))


@jobs_app.command("list")
def jobs_list(account: AccountOption, as_json: JsonOption = False) -> None:
    """The account's latest jobs, newest first."""

    async def work(database: Database, _settings: Settings) -> list[Job]:
        async with database.transaction(read_only=True) as session:
            await tenancy.require_account(session, account)
            shown, _cursor = await jobs.recent(session, job_context(account), None)
        return [await _read(database, account, item.id) for item in shown]

    found = run_on_database(work)
    if as_json:
        typer.echo(json.dumps([jobs_rendering.job_out(job).model_dump(mode="json") for job in found]))
        return
    for job in found:
        typer.echo(_line(job))


async def follow(database: Database, settings: Settings, job: Job, label: str) -> Job:
    """Run the job here, with a progress bar; if a worker holds it, watch it until it ends."""
    runner = JobRunner(database, settings)
    with typer.progressbar(length=job.total or 0, label=label, file=sys.stderr) as bar:
        shown = job.position
        bar.update(shown)

        def advance(current: Job) -> None:
            nonlocal shown
            bar.update(current.position - shown)
            shown = current.position

        while True:
            ran = await runner.run_next(job.id, progress=advance)
            current = await _read(database, job.account_id, job.id)
            advance(current)
            if current.state not in UNFINISHED or (ran is not None and ran.state == JobState.FAILED.value):
                return current
            await asyncio.sleep(POLL_SECONDS)  # held by a worker (or to be retried): watch it


async def watch_until_done(database: Database, job: Job, label: str) -> Job:
    with typer.progressbar(length=job.total or 0, label=label, file=sys.stderr) as bar:
        shown = 0
        while True:
            job = await _read(database, job.account_id, job.id)
            bar.update(job.position - shown)
            shown = job.position
            if job.state not in UNFINISHED:
                return job
            await asyncio.sleep(POLL_SECONDS)


async def write_report(database: Database, job: Job, file: Path) -> Path | None:
    """NAME.errors.csv next to the input: the refused rows and why (none: an older report is removed)."""
    report = file.with_name(f"{file.stem}.errors.csv")
    if not job.errors:
        report.unlink(missing_ok=True)
        return None
    with report.open("w", encoding="utf-8", newline="") as sink:
        async for text in jobs.error_report(database, job_context(job.account_id), job.id):
            sink.write(text)
    return report


async def _read(database: Database, account: str, job_id: str) -> Job:
    async with database.transaction(read_only=True) as session:
        return await jobs.get(session, job_context(account), job_id)


def _line(job: Job) -> str:
    total = "?" if job.total is None else str(job.total)
    message = f"  {job.message}" if job.message else ""
    return (
        f"{job.id}  {job.type:<17} {job.state:<9} {job.done + job.skipped + job.errors}/{total} "
        f"(done {job.done}, skipped {job.skipped}, errors {job.errors}){message}"
    )
