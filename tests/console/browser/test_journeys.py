"""The console as people use it, in Chromium: sign in, a wrong password, a viewer who cannot change
anything, a brand with a field error then fixed, an API key created then revoked, signing out."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright._impl._api_structures import SetCookieParam
from playwright.async_api import Browser, expect

from perks.console.users.models import Role
from perks.db.database import Database
from tests.support.browser import Journey, journey, shop_email
from tests.support.console import TestUser, add_user
from tests.support.server import LiveServer
from tests.support.tenants import LOYALTY, Tenant


async def sign_in(
    tab: Journey, user: TestUser, shot: str | None = None, then: str = "/console/brands"
) -> None:
    await tab.goto(f"/console/login?next={then}", shot)
    await tab.page.get_by_label("Email").fill(user.email)
    await tab.page.get_by_label("Password").fill(user.password)
    async with tab.page.expect_navigation():
        await tab.page.get_by_label("Password").press("Enter")  # the keyboard alone signs in
    await tab.settle(None)


async def test_sign_in(tab: Journey, owner_account: TestUser) -> None:
    await tab.goto("/console/", "sign-in")
    assert tab.page.url.endswith("/console/login?next=/console/overview")
    await sign_in(tab, owner_account, then="/console/overview")
    await expect(tab.page).to_have_url(re.compile(r"/console/overview$"))
    await expect(tab.page.locator(".topbar")).to_contain_text(owner_account.email)
    await expect(tab.page.get_by_role("heading", name="No activity yet")).to_be_visible()
    await tab.settle("overview-empty")
    await tab.goto("/console/brands", "brands-empty")
    await expect(tab.page.get_by_role("heading", name="No brands yet")).to_be_visible()


async def test_a_wrong_password(tab: Journey, owner_account: TestUser) -> None:
    await tab.goto("/console/login")
    await tab.page.get_by_label("Email").fill(owner_account.email)
    await tab.page.get_by_label("Password").fill("not the password")
    with tab.expecting(400):
        await tab.submit("Sign in", "sign-in-wrong-password")
    await expect(tab.page.locator("#f-password-error")).to_contain_text("do not match an active user")
    await expect(tab.page.get_by_label("Email")).to_have_value(owner_account.email)
    await expect(tab.page.get_by_label("Password")).to_have_attribute("aria-invalid", "true")


async def test_a_viewer_cannot_change_anything(
    tab: Journey, database: Database, shop: Tenant, server: LiveServer
) -> None:
    async with httpx.AsyncClient(base_url=server.base_url) as api:
        token = (await api.get(f"{LOYALTY}/auth/authorize", headers={"x-api-key": shop.server_key})).json()[
            "data"
        ]
        await api.post(
            f"{LOYALTY}/brands", headers={"Authorization": f"Bearer {token}"}, json={"name": "Read only"}
        )
    viewer = await add_user(database, shop.account_id, Role.VIEWER, email=shop_email("vic", shop))
    await sign_in(tab, viewer)
    await expect(tab.page.get_by_role("link", name="Read only")).to_be_visible()
    await expect(tab.page.get_by_role("link", name="New brand")).to_have_count(0)
    await tab.page.get_by_role("link", name="Read only").click()
    await tab.settle("brand-as-viewer")
    await expect(tab.page.locator("main form")).to_have_count(0)
    await tab.page.get_by_role("link", name="Settings").click()
    await tab.settle(None)
    await expect(tab.page.get_by_role("link", name="API keys")).to_have_count(0)
    with tab.expecting(403):
        await tab.goto("/console/brands/new", "forbidden")
    await expect(tab.page.get_by_role("heading", name="Not allowed for your role")).to_be_visible()


async def test_create_a_brand_with_a_field_error_then_fix_it(tab: Journey, owner_account: TestUser) -> None:
    await sign_in(tab, owner_account)
    await tab.page.get_by_role("link", name="New brand").click()
    await tab.settle(None)
    await tab.page.get_by_label("Description").fill("Our shoe line")
    with tab.expecting(400):
        await tab.submit("Create brand", "brand-field-error")
    await expect(tab.page.locator("#f-name-error")).to_have_text("This field is required.")
    await expect(tab.page.get_by_label("Description")).to_have_value("Our shoe line")
    await tab.page.get_by_label("Name").fill("Acme <Shoes>")
    async with tab.page.expect_navigation():
        await tab.page.get_by_label("Name").press("Enter")  # the keyboard alone submits the form
    await tab.settle(None)
    await expect(tab.page.get_by_role("status")).to_contain_text("Brand “Acme <Shoes>” created.")
    await expect(tab.page.get_by_role("link", name="Acme <Shoes>")).to_be_visible()
    await tab.settle("brands")

    # Search as you type (htmx): the list narrows and the URL keeps the search.
    await tab.page.get_by_role("link", name="New brand").click()
    await tab.settle(None)
    await tab.page.get_by_label("Name").fill("Zebra")
    await tab.submit("Create brand")
    await tab.page.get_by_placeholder("Search brands by name").fill("zeb")
    await expect(tab.page.get_by_role("link", name="Acme <Shoes>")).to_have_count(0)
    await expect(tab.page.get_by_role("link", name="Zebra")).to_be_visible()
    await expect(tab.page).to_have_url(re.compile(r"/console/brands\?q=zeb$"))
    await tab.settle("brands-search")


async def test_create_and_revoke_an_api_key(
    tab: Journey, owner_account: TestUser, server: LiveServer
) -> None:
    await sign_in(tab, owner_account)
    await tab.goto("/console/settings/keys", "settings-api-keys")
    await tab.submit("Create key", "api-key-created")
    api_key = (await tab.page.locator("#new-key").inner_text()).strip()
    await tab.page.get_by_role("button", name="Copy").click()
    await expect(tab.page.get_by_role("button", name="Copied")).to_be_visible()
    assert await tab.page.evaluate("navigator.clipboard.readText()") == api_key
    async with httpx.AsyncClient(base_url=server.base_url) as api:
        assert (await api.get(f"{LOYALTY}/auth/authorize", headers={"x-api-key": api_key})).status_code == 200
        await tab.goto("/console/settings/keys")
        await tab.page.locator("tr", has_text=api_key[:12]).get_by_role("link", name="Revoke…").click()
        await tab.settle("api-key-revoke-confirm")
        await expect(tab.page.get_by_text("This cannot be undone")).to_be_visible()
        await tab.submit("Revoke key")
        await expect(tab.page.get_by_role("status")).to_contain_text(f"Key {api_key[:12]}… revoked.")
        await expect(tab.page.locator("tr", has_text=api_key[:12])).to_contain_text("revoked")
        assert (await api.get(f"{LOYALTY}/auth/authorize", headers={"x-api-key": api_key})).status_code == 401


async def test_sign_out_and_the_old_cookie_no_longer_works(
    tab: Journey, browser: Browser, owner_account: TestUser, server: LiveServer
) -> None:
    await sign_in(tab, owner_account)
    [session] = [cookie for cookie in await tab.page.context.cookies() if cookie["name"] == "perks_console"]
    assert session["httpOnly"] and session["sameSite"] == "Lax"
    async with journey(browser, server.base_url, tab.shots) as replay:
        kept: SetCookieParam = {"name": session["name"], "value": session["value"], "url": server.base_url}
        await replay.page.context.add_cookies([kept])  # someone kept a copy of the cookie
        await replay.goto("/console/brands")
        await expect(replay.page).to_have_url(re.compile(r"/console/brands$"))  # the copy works...

        await tab.submit("Sign out", "signed-out")
        await expect(tab.page.get_by_role("status")).to_have_text("You are signed out.")

        await replay.goto("/console/brands")  # ...until its session is signed out
        await expect(replay.page).to_have_url(re.compile(r"/console/login\?next=/console/brands$"))


async def test_the_pages_of_the_settings_and_the_audit_log(
    tab: Journey, database: Database, shop: Tenant, owner_account: TestUser
) -> None:
    await add_user(database, shop.account_id, Role.MANAGER, email=shop_email("max", shop))
    await sign_in(tab, owner_account)
    await tab.goto("/console/settings/webhooks/new")
    await tab.page.get_by_label("Endpoint URL").fill("http://127.0.0.1:9/hooks")
    await tab.page.get_by_label("TIER_UPGRADE").check()
    await tab.page.get_by_label("payout.paid").check()
    await tab.settle("settings-webhook-form")
    await tab.submit("Add endpoint", "settings-webhook-created")
    await tab.goto("/console/settings/webhooks", "settings-webhooks")
    await tab.goto("/console/settings/users", "settings-users")
    await tab.goto("/console/settings/profile", "settings-profile")
    await tab.goto("/console/audit", "audit-log")
    await tab.page.get_by_text("Show the numbers").click()
    await expect(tab.page.locator("figure.chart table")).to_be_visible()


async def test_the_api_docs_work_without_internet(tab: Journey, database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the docs pages read no database: once is enough")
    await tab.goto("/docs")
    # Both render a large document in the page: slower than a console page on a busy machine.
    await expect(tab.page.locator(".swagger-ui .info .title")).to_contain_text("Perks", timeout=30_000)
    await tab.settle("api-docs-swagger", full_page=False)
    await tab.goto("/redoc")
    await expect(tab.page.get_by_role("heading", name=re.compile("^Perks"))).to_be_visible(timeout=30_000)
    await tab.settle("api-docs-redoc", full_page=False)
