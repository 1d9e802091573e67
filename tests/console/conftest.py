"""Console fixtures: a fresh account per test with a signed-in owner, manager and viewer, and a second
account with its own owner (for tenant isolation)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI

from perks.console.users.models import Role
from perks.db.database import Database
from tests.support.console import ConsoleClient, TestUser, add_user, signed_in
from tests.support.tenants import Tenant


@pytest.fixture
async def owner_user(database: Database, tenant: Tenant) -> TestUser:
    return await add_user(database, tenant.account_id, Role.OWNER)


@pytest.fixture
async def owner(app: FastAPI, database: Database, owner_user: TestUser) -> AsyncIterator[ConsoleClient]:
    async with signed_in(app, database, owner_user) as client:
        yield client


@pytest.fixture
async def manager(app: FastAPI, database: Database, tenant: Tenant) -> AsyncIterator[ConsoleClient]:
    async with signed_in(app, database, await add_user(database, tenant.account_id, Role.MANAGER)) as client:
        yield client


@pytest.fixture
async def viewer(app: FastAPI, database: Database, tenant: Tenant) -> AsyncIterator[ConsoleClient]:
    async with signed_in(app, database, await add_user(database, tenant.account_id, Role.VIEWER)) as client:
        yield client


@pytest.fixture
async def other_owner(app: FastAPI, database: Database, other_tenant: Tenant) -> AsyncIterator[ConsoleClient]:
    """The owner of another account."""
    async with signed_in(
        app, database, await add_user(database, other_tenant.account_id, Role.OWNER)
    ) as client:
        yield client
