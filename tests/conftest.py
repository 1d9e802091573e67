"""Fixtures: every test runs against the real migrated schema, once on SQLite and once on PostgreSQL
(when PERKS_TEST_POSTGRES_URL is set), through the ASGI app or a live server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from perks.app import create_app
from perks.config import Settings
from perks.db.database import Database
from perks.kit import clock
from tests.support.databases import fresh_database
from tests.support.server import TEST_SECRET
from tests.support.tenants import Tenant, create_tenant, release_link_codes


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with fresh_database(request.param, tmp_path_factory.mktemp(request.param)) as url:
        yield url


def test_settings(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "secret_key": TEST_SECRET,
        "rate_limit_enabled": False,
        "log_level": "WARNING",
        "allow_private_webhooks": True,
        "webhook_retry_base_seconds": 0.01,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


test_settings.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


@pytest.fixture(scope="session")
async def app(database_url: str) -> AsyncIterator[FastAPI]:
    application = create_app(test_settings(database_url))
    yield application
    await application.state.db.dispose()


@pytest.fixture(scope="session")
def database(app: FastAPI) -> Database:
    db: Database = app.state.db
    return db


@pytest.fixture(scope="session")
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://perks.test") as http:
        yield http


@pytest.fixture
async def tenant(database: Database) -> AsyncIterator[Tenant]:
    """A fresh account (server and public keys, default workspace) for this test alone."""
    created = await create_tenant(database, TEST_SECRET, "tenant-a")
    yield created
    await release_link_codes(database, created)


@pytest.fixture
async def other_tenant(database: Database) -> AsyncIterator[Tenant]:
    created = await create_tenant(database, TEST_SECRET, "tenant-b")
    yield created
    await release_link_codes(database, created)


@pytest.fixture(autouse=True)
def reset_clock() -> Iterator[None]:
    yield
    clock.reset()


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path
