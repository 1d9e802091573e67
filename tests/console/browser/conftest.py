"""One Chromium for the whole run, one live `perks serve` per database, a fresh browser context per test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser

from perks.console.users.models import Role
from perks.db.database import Database
from tests.support.browser import Journey, journey, launched_browser, screenshot_folder, shop_email
from tests.support.console import TestUser, add_user
from tests.support.server import TEST_SECRET, LiveServer, live_server
from tests.support.tenants import Tenant, create_tenant


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with launched_browser() as launched:
        yield launched


@pytest.fixture(scope="session")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    # Webhook endpoints on 127.0.0.1 (nothing is delivered: this server runs no worker).
    env = {"PERKS_ALLOW_PRIVATE_WEBHOOKS": "true"}
    with live_server(database_url, tmp_path_factory.mktemp("console-server"), env=env) as running:
        yield running


@pytest.fixture(scope="session")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return screenshot_folder(tmp_path_factory)


@pytest.fixture
async def tab(browser: Browser, server: LiveServer, shots: Path) -> AsyncIterator[Journey]:
    async with journey(browser, server.base_url, shots) as opened:
        yield opened


@pytest.fixture
async def shop(database: Database) -> Tenant:
    """The account of a journey, named as a shop would be (the screenshots show it)."""
    return await create_tenant(database, TEST_SECRET, "Acme Outdoor")


@pytest.fixture
async def owner_account(database: Database, shop: Tenant) -> TestUser:
    return await add_user(database, shop.account_id, Role.OWNER, email=shop_email("ada", shop))
