"""Test databases: a fresh migrated SQLite file, and a fresh migrated PostgreSQL database per run."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from perks.db.migrate import migrate

POSTGRES_ENV = "PERKS_TEST_POSTGRES_URL"
REQUIRE_POSTGRES_ENV = "PERKS_TEST_REQUIRE_POSTGRES"


def sqlite_url(directory: Path) -> str:
    return f"sqlite+aiosqlite:///{directory / 'perks-test.db'}"


def postgres_admin_url() -> str | None:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        if os.environ.get(REQUIRE_POSTGRES_ENV) == "1":
            pytest.fail(f"{POSTGRES_ENV} is not set but {REQUIRE_POSTGRES_ENV}=1")
        pytest.skip(f"{POSTGRES_ENV} is not set")
    return url


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """CREATE a database of our own (so parallel test runs never share one), migrate it, DROP it after."""
    import asyncio

    admin_url = make_url(postgres_admin_url() or "")
    name = f"perks_test_{uuid.uuid4().hex[:12]}"
    plain_admin = admin_url.set(drivername="postgresql").render_as_string(hide_password=False)

    async def execute(statement: str) -> None:
        connection = await asyncpg.connect(plain_admin)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(execute(f'CREATE DATABASE "{name}"'))
    url = admin_url.set(drivername="postgresql+asyncpg", database=name).render_as_string(hide_password=False)
    try:
        migrate(url)
        yield url
    finally:
        asyncio.run(execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextmanager
def fresh_database(kind: str, directory: Path) -> Iterator[str]:
    if kind == "sqlite":
        url = sqlite_url(directory)
        migrate(url)
        yield url
    else:
        with fresh_postgres_database() as url:
            yield url
