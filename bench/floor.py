"""The floor of a behavior event on this machine: what the same work costs with nothing of Perks around it.

Issue 14 asks for 700 events/s from one server process. This bench measures, in one run on one database
state, per PURCHASE event (50 BEHAVIOR campaigns, as bench.events and bench.hotpaths):

1. the HTTP floor: the one-route FastAPI app's server CPU per request (bench.bare_app), as hotpaths does;
2. the SQL floor: the very statements a group-committed batch of 16 events runs, with the same parameters,
   replayed through the raw `sqlite3` driver on a copy of the database as it was before the batches
   (recorded from Perks' own run, so nothing is left out or added);
3. Perks' batch in process: `events.batch.write_batch` on the same events, without HTTP;
4. Perks over HTTP: the server CPU per event of `POST /behavior/events`, 16 in flight.

HTTP floor + SQL floor is what one event costs before any rule is evaluated or any answer is built: its
inverse is the most events per second one server process could answer on this machine.

    python -m bench.floor [--batches N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.orm import configure_mappers

import perks.models  # noqa: F401  (every mapped class, as the app has them)
from bench import events
from bench.support import bare_server, cpu_seconds, machine, perks_server, run_load
from perks import sqlite_inline
from perks.db.database import Database
from perks.kit import clock, collector
from perks.loyalty.events import batch, service
from perks.loyalty.events.schemas import EventCreate
from perks.sql import Runner
from perks.tenancy.context import AuthContext, KeyKind

BATCH = 16
CUSTOMERS = 1000
Recorded = list[tuple[str, str, Any]]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=60, help="batches of 16 events in process")
    parser.add_argument("--requests", type=int, default=3000, help="requests of each HTTP load")
    args = parser.parse_args()
    print(machine())
    print(f"load average before: {os.getloadavg()}")
    with tempfile.TemporaryDirectory(prefix="perks-floor-") as directory:
        folder = Path(directory)
        with bare_server() as bare:
            run_load("warm-up", bare.base_url, lambda i: ("GET", "/healthz", {}, None), 500, 16)
            http_floor = _server_cpu(bare.pid, bare.base_url, lambda i: ("GET", "/healthz", {}, None), args)
        with perks_server() as server:
            token = asyncio.run(events.prepare(server.base_url, server.api_key, CUSTOMERS))
            run_load(
                "warm-up", server.base_url, lambda i: events.purchase(10**7 + i, token, CUSTOMERS), 500, 16
            )
            over_http = _server_cpu(
                server.pid, server.base_url, lambda i: events.purchase(2 * 10**7 + i, token, CUSTOMERS), args
            )
            _snapshot(server.database_url, folder / "before.db")
            ctx = _server_context(folder / "before.db", server.account_id)
        bodies = [events.purchase(i, token, CUSTOMERS)[3] for i in range(args.batches * BATCH)]
        in_process = asyncio.run(_perks_batches(folder / "before.db", folder / "timed.db", ctx, bodies, None))
        recorded: Recorded = []
        asyncio.run(_perks_batches(folder / "before.db", folder / "recorded.db", ctx, bodies, recorded))
        raw = _replayed(folder / "before.db", folder / "raw.db", recorded) / len(bodies)
    statements = sum(len(rows) if kind == "many" else 1 for kind, _sql, rows in recorded)
    floor = http_floor + raw
    print(f"load average after: {os.getloadavg()}")
    print(
        f"per PURCHASE event, 50 campaigns, batches of {BATCH} ({statements / len(bodies):.1f} statements):"
    )
    _line("HTTP floor (one-route app, per request)", http_floor)
    _line("SQL floor (the batch's statements, raw sqlite3)", raw)
    _line("floor: HTTP + SQL", floor, rate=True)
    _line("Perks' batch in process (no HTTP)", in_process)
    _line("Perks over HTTP (server CPU, 16 in flight)", over_http, rate=True)


def _line(label: str, seconds: float, rate: bool = False) -> None:
    most = f"   at most {1 / seconds:5.0f} events/s" if rate else ""
    print(f"  {label:<48} {seconds * 1000:7.3f} ms{most}")


def _server_cpu(pid: int, base_url: str, factory: Any, args: argparse.Namespace) -> float:
    before = cpu_seconds(pid)
    run_load("load", base_url, factory, args.requests, 16)
    return (cpu_seconds(pid) - before) / args.requests


def _snapshot(database_url: str, target: Path) -> None:
    """A consistent copy of the server's database (SQLite's online backup)."""
    source = sqlite3.connect(database_url.split("///", 1)[1])
    with sqlite3.connect(target) as copy:
        source.backup(copy)
    source.close()


def _server_context(path: Path, account_id: str) -> AuthContext:
    with sqlite3.connect(path) as connection:
        (key_id,) = connection.execute(
            "SELECT id FROM api_keys WHERE account_id = ? AND kind = 'server' AND revoked_at IS NULL",
            (account_id,),
        ).fetchone()
    return AuthContext(account_id, key_id, KeyKind.SERVER)


def _copy(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as original, sqlite3.connect(target) as copy:
        original.backup(copy)


async def _perks_batches(
    source: Path, target: Path, ctx: AuthContext, bodies: list[Any], recorded: Recorded | None
) -> float:
    """Perks' group-committed batches on a copy of the database; process CPU per event. With `recorded`,
    every statement that reaches the driver is written down (kind, SQL, parameters) instead of timed."""
    _copy(source, target)
    configure_mappers()
    database = Database(f"sqlite+aiosqlite:///{target}")
    try:
        jobs = [_job(ctx, body) for body in bodies]
        await batch.write_batch(database, jobs[:BATCH])  # connections opened, statements compiled
        collector.tune()
        with _recording(recorded) if recorded is not None else _nothing():
            started = time.process_time()
            for start in range(BATCH, len(jobs), BATCH):
                answers = await batch.write_batch(database, jobs[start : start + BATCH])
                assert all(getattr(answer, "status_code", 0) == 201 for answer in answers), answers
            spent = time.process_time() - started
    finally:
        await database.dispose()
    return spent / (len(jobs) - BATCH)


def _job(ctx: AuthContext, body: Any) -> batch.Job:
    event = EventCreate.model_validate(body)
    return batch.Job(ctx, event, service.checked_issued_at(event, clock.now()), None)


@contextmanager
def _nothing() -> Iterator[None]:
    yield


class _RecordingDriver:
    """The sqlite3 connection a Runner uses, writing down what it runs."""

    def __init__(self, driver: sqlite3.Connection, recorded: Recorded) -> None:
        self._driver = driver
        self._recorded = recorded

    def execute(self, sql: str, parameters: Any = ()) -> Any:
        self._recorded.append(("execute", sql, tuple(parameters)))
        return self._driver.execute(sql, parameters)

    def executemany(self, sql: str, rows: Any) -> Any:
        rows = [tuple(row) for row in rows]
        self._recorded.append(("many", sql, rows))
        return self._driver.executemany(sql, rows)


@contextmanager
def _recording(recorded: Recorded) -> Iterator[None]:
    """Record at the two doors to the driver: perks.sql's Runner and the inline driver SQLAlchemy uses."""
    patched = {
        (Runner, "rows"): Runner.rows,
        (Runner, "many"): Runner.many,
        (Runner, "sql"): Runner.sql,
        (sqlite_inline.InlineCursor, "execute"): sqlite_inline.InlineCursor.execute,
        (sqlite_inline.InlineCursor, "executemany"): sqlite_inline.InlineCursor.executemany,
        (sqlite_inline.InlineConnection, "commit"): sqlite_inline.InlineConnection.commit,
        (sqlite_inline.InlineConnection, "rollback"): sqlite_inline.InlineConnection.rollback,
    }

    def through(original: Any) -> Any:
        async def run(self: Runner, *args: Any) -> Any:
            real = self._driver
            self._driver = _RecordingDriver(real, recorded)
            try:
                return await original(self, *args)
            finally:
                self._driver = real

        return run

    async def cursor_execute(self: Any, sql: str, parameters: Any = None) -> Any:
        recorded.append(("execute", sql, tuple(parameters or ())))
        return await patched[(sqlite_inline.InlineCursor, "execute")](self, sql, parameters)

    async def cursor_many(self: Any, sql: str, rows: Any) -> Any:
        rows = [tuple(row) for row in rows]
        recorded.append(("many", sql, rows))
        return await patched[(sqlite_inline.InlineCursor, "executemany")](self, sql, rows)

    async def commit(self: Any) -> None:
        recorded.append(("commit", "", None))
        await patched[(sqlite_inline.InlineConnection, "commit")](self)

    async def rollback(self: Any) -> None:
        recorded.append(("rollback", "", None))
        await patched[(sqlite_inline.InlineConnection, "rollback")](self)

    replacements = {
        (Runner, "rows"): through(Runner.rows),
        (Runner, "many"): through(Runner.many),
        (Runner, "sql"): through(Runner.sql),
        (sqlite_inline.InlineCursor, "execute"): cursor_execute,
        (sqlite_inline.InlineCursor, "executemany"): cursor_many,
        (sqlite_inline.InlineConnection, "commit"): commit,
        (sqlite_inline.InlineConnection, "rollback"): rollback,
    }
    for (owner, name), replacement in replacements.items():
        setattr(owner, name, replacement)
    try:
        yield
    finally:
        for (owner, name), original in patched.items():
            setattr(owner, name, original)


def _replayed(source: Path, target: Path, recorded: Recorded) -> float:
    """The recorded statements through raw sqlite3 on a copy of the database as it was before; CPU seconds.
    The connection is set up as Perks sets up its own (perks.db.sqlite)."""
    _copy(source, target)
    connection = sqlite3.connect(target, isolation_level=None)
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=30000", "synchronous=NORMAL"):
        connection.execute(f"PRAGMA {pragma}")
    try:
        started = time.process_time()
        for kind, sql, parameters in recorded:
            if kind == "execute":
                connection.execute(sql, parameters).fetchall()
            elif kind == "many":
                connection.executemany(sql, parameters)
            elif kind == "commit":
                connection.commit()
            else:
                connection.rollback()
        return time.process_time() - started
    finally:
        connection.close()


if __name__ == "__main__":
    main()
