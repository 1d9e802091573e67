"""Signing in and out: the form, the session cookie, CSRF, revocation, limits on attempts."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from sqlalchemy import select, update

from perks.app import create_app
from perks.console.users.models import ConsoleUser, Role
from perks.console.users.service import HASHER
from perks.db.database import Database
from perks.kit import clock
from perks.ui.sessions.models import WebSession
from tests.conftest import test_settings
from tests.support.console import (
    PASSWORD,
    ConsoleClient,
    TestUser,
    add_user,
    console_client,
    session_token,
    unlabelled_controls,
)
from tests.support.tenants import Tenant

LOGIN = "/console/login"


async def sign_in(client: ConsoleClient, email: str, password: str, **extra: str) -> httpx.Response:
    await client.get(LOGIN)
    return await client.post(LOGIN, {"email": email, "password": password, **extra})


async def test_the_sign_in_form_asks_for_email_and_password_with_a_csrf_token(app: FastAPI) -> None:
    async with console_client(app) as client:
        page = await client.get(LOGIN)
    assert page.status_code == 200
    assert 'name="email"' in page.text and 'type="email"' in page.text
    assert 'name="password"' in page.text and 'type="password"' in page.text
    assert f'name="csrf_token" value="{client.csrf}"' in page.text
    assert unlabelled_controls(page.text) == []
    cookie = page.headers["set-cookie"].lower()
    assert "perks_console_csrf=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    assert "path=/console" in cookie


async def test_signing_in_sets_an_httponly_samesite_cookie_kept_hashed_on_the_server(
    app: FastAPI, database: Database, owner_user: TestUser
) -> None:
    async with console_client(app) as client:
        signed = await sign_in(client, owner_user.email.upper(), PASSWORD)  # emails are case-insensitive
        assert signed.status_code == 303
        assert signed.headers["location"] == "/console/"
        cookie = next(
            value for value in signed.headers.get_list("set-cookie") if value.startswith("perks_console=")
        )
        token = cookie.split(";")[0].split("=", 1)[1]
        assert all(part in cookie.lower() for part in ("httponly", "samesite=lax", "path=/console"))
        brands = await client.get("/console/brands")
    assert brands.status_code == 200
    assert owner_user.email in brands.text
    async with database.transaction(read_only=True) as session:
        stored = (
            await session.scalars(select(WebSession).where(WebSession.subject_id == owner_user.user_id))
        ).all()
    assert [row.token_hash for row in stored] == [hashlib.sha256(token.encode()).hexdigest()]
    assert token not in {row.token_hash for row in stored}


@pytest.mark.parametrize("wrong", ["password", "email"])
async def test_a_wrong_password_or_email_is_shown_under_the_field_and_keeps_the_email(
    app: FastAPI, owner_user: TestUser, wrong: str
) -> None:
    email = owner_user.email if wrong == "password" else "nobody@example.com"
    async with console_client(app) as client:
        failed = await sign_in(client, email, "not the password")
        assert failed.status_code == 400
        assert 'id="f-password-error"' in failed.text
        assert "do not match an active user" in failed.text
        assert f'value="{email}"' in failed.text
        assert "perks_console=" not in failed.headers.get("set-cookie", "")
        assert (await client.get("/console/brands")).status_code == 303


async def test_a_disabled_user_cannot_sign_in(app: FastAPI, database: Database, tenant: Tenant) -> None:
    user = await add_user(database, tenant.account_id, Role.MANAGER)
    owner = await add_user(database, tenant.account_id, Role.OWNER)
    async with console_client(app, await session_token(database, owner)) as admin:
        assert (await admin.post(f"/console/settings/users/{user.user_id}/disable")).status_code == 303
    async with console_client(app) as client:
        assert (await sign_in(client, user.email, PASSWORD)).status_code == 400


async def test_signing_out_revokes_the_session_so_the_old_cookie_no_longer_works(
    app: FastAPI, database: Database, owner_user: TestUser
) -> None:
    token = await session_token(database, owner_user)
    async with console_client(app, token) as client:
        out = await client.post("/console/logout")
        assert out.status_code == 303 and out.headers["location"] == LOGIN
        assert (
            'perks_console=""' in out.headers.get("set-cookie", "")
            or "Max-Age=0" in out.headers["set-cookie"]
        )
    async with console_client(app, token) as replay:  # the cookie, kept by someone, sent again
        again = await replay.http.get("/console/brands")
    assert again.status_code == 303
    assert again.headers["location"] == "/console/login?next=/console/brands"


async def test_disabling_a_user_ends_their_sessions_at_once(
    app: FastAPI, database: Database, tenant: Tenant, owner: ConsoleClient
) -> None:
    user = await add_user(database, tenant.account_id, Role.MANAGER)
    async with console_client(app, await session_token(database, user)) as victim:
        assert (await victim.get("/console/brands")).status_code == 200
        assert (await owner.post(f"/console/settings/users/{user.user_id}/disable")).status_code == 303
        assert (await victim.get("/console/brands")).status_code == 303
        assert (await victim.post("/console/brands/new", {"name": "after"})).status_code == 303


async def test_a_session_expires(app: FastAPI, owner: ConsoleClient) -> None:
    assert (await owner.get("/console/brands")).status_code == 200
    clock.travel(timedelta(hours=2))  # test sessions last one hour
    assert (await owner.get("/console/brands")).status_code == 303


async def test_sign_in_returns_to_the_page_asked_for_and_never_to_another_site(
    app: FastAPI, owner_user: TestUser
) -> None:
    async with console_client(app) as client:
        asked = await client.get("/console/settings/profile")
        assert asked.headers["location"] == "/console/login?next=/console/settings/profile"
        back = await sign_in(client, owner_user.email, PASSWORD, next="/console/settings/profile")
        assert back.headers["location"] == "/console/settings/profile"
    for elsewhere in ["https://evil.example/", "//evil.example/console/", "/console\\@evil.example"]:
        async with console_client(app) as client:
            signed = await sign_in(client, owner_user.email, PASSWORD, next=elsewhere)
            assert signed.headers["location"] == "/console/", elsewhere


async def test_changes_without_the_csrf_token_of_this_session_are_refused(
    app: FastAPI, owner: ConsoleClient, database: Database, tenant: Tenant
) -> None:
    missing = await owner.http.post("/console/brands/new", data={"name": "no token"})
    assert missing.status_code == 403
    assert "Reload the page" in missing.text
    other = await add_user(database, tenant.account_id, Role.OWNER)
    async with console_client(app, await session_token(database, other)) as someone_else:
        stolen = await owner.http.post(
            "/console/brands/new", data={"name": "x", "csrf_token": someone_else.csrf}
        )
    assert stolen.status_code == 403
    brands = await owner.get("/console/brands")
    assert "no token" not in brands.text and "No brands yet" in brands.text


async def test_the_sign_in_form_itself_needs_its_csrf_token(app: FastAPI, owner_user: TestUser) -> None:
    async with console_client(app) as client:
        refused = await client.http.post(LOGIN, data={"email": owner_user.email, "password": PASSWORD})
    assert refused.status_code == 403
    assert "perks_console=" not in refused.headers.get("set-cookie", "")


# Per day, not per minute: the sliding window forgives part of the last window's count once a new window
# starts, and a test on a busy machine may cross a minute's boundary.
@pytest.fixture
async def limited_app(database_url: str) -> AsyncIterator[FastAPI]:
    application = create_app(
        test_settings(
            database_url,
            rate_limit_enabled=True,
            sign_in_limit_per_email="3/day",
            sign_in_limit_per_address="5/day",
        )
    )
    yield application
    await application.state.db.dispose()


async def test_sign_in_attempts_are_limited_per_email_and_per_address(
    limited_app: FastAPI, owner_user: TestUser
) -> None:
    async with console_client(limited_app) as client:
        for _ in range(3):
            assert (await sign_in(client, owner_user.email, "wrong")).status_code == 400
        limited = await sign_in(client, owner_user.email, PASSWORD)  # even the right password now waits
        assert limited.status_code == 429
        assert "Retry in" in limited.text and int(limited.headers["retry-after"]) > 0
        # The address has made 4 attempts: 1 more for another email is allowed, then it is limited too.
        assert (await sign_in(client, "someone@example.com", "wrong")).status_code == 400
        assert (await sign_in(client, "else@example.com", "wrong")).status_code == 429


async def test_redis_shares_the_sign_in_limit_between_processes(
    database_url: str, owner_user: TestUser
) -> None:
    redis_url = os.environ.get("PERKS_TEST_REDIS_URL")
    if not redis_url:
        pytest.skip("PERKS_TEST_REDIS_URL is not set")
    email = f"{uuid.uuid4().hex}@example.com"  # a fresh key in the shared store
    settings = {
        "rate_limit_enabled": True,
        "redis_url": redis_url,
        "sign_in_limit_per_email": "2/day",
        "sign_in_limit_per_address": "1000/minute",  # the shared store keeps this address's count
    }
    first, second = (
        create_app(test_settings(database_url, **settings)),
        create_app(test_settings(database_url, **settings)),
    )
    try:
        async with console_client(first) as one, console_client(second) as two:
            assert (await sign_in(one, email, "wrong")).status_code == 400
            assert (await sign_in(two, email, "wrong")).status_code == 400
            assert (await sign_in(one, email, "wrong")).status_code == 429
    finally:
        await first.state.db.dispose()
        await second.state.db.dispose()


async def test_a_password_hashed_with_older_parameters_is_rehashed_at_sign_in(
    app: FastAPI, database: Database, tenant: Tenant
) -> None:
    user = await add_user(database, tenant.account_id, Role.VIEWER)
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    async with database.transaction() as session:
        await session.execute(
            update(ConsoleUser).where(ConsoleUser.id == user.user_id).values(password_hash=weak)
        )
    async with console_client(app) as client:
        assert (await sign_in(client, user.email, PASSWORD)).status_code == 303
    async with database.transaction(read_only=True) as session:
        stored = await session.scalar(select(ConsoleUser.password_hash).where(ConsoleUser.id == user.user_id))
    assert stored is not None and stored != weak and not HASHER.check_needs_rehash(stored)
    assert HASHER.verify(stored, PASSWORD)
