"""Portal test helpers: a partner's browser-like client, signed in through a real single-use link."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI

from tests.support.console import BASE_URL, ConsoleClient
from tests.support.tenants import AFFILIATE, Tenant

LOGIN = "/portal/login"


async def portal_link(client: httpx.AsyncClient, tenant: Tenant, affiliate_id: str) -> dict[str, Any]:
    """The API's answer to a shop asking for a partner's sign-in link."""
    response = await client.post(
        f"{AFFILIATE}/affiliates/portal-link?affiliateId={affiliate_id}", headers=tenant.affiliate
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def path_of(url: str) -> str:
    return url.removeprefix(BASE_URL)


@asynccontextmanager
async def portal_client(app: FastAPI) -> AsyncIterator[ConsoleClient]:
    """A browser of the portal: its own cookie jar; `post` adds the page's CSRF token."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
        yield ConsoleClient(http, csrf_page=LOGIN)


@asynccontextmanager
async def partner(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant, affiliate_id: str
) -> AsyncIterator[ConsoleClient]:
    """A partner signed in by opening a link the shop asked for."""
    async with portal_client(app) as browser:
        opened = await browser.get(path_of((await portal_link(client, tenant, affiliate_id))["url"]))
        assert opened.status_code == 303 and opened.headers["location"] == "/portal/", opened.text
        await browser.get("/portal/")  # its CSRF token
        yield browser
