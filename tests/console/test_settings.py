"""Settings: API keys, webhook endpoints with their delivery log, users and roles, the user's time zone."""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from perks.audit.models import AuditEntry
from perks.console.users.models import Role
from perks.db.database import Database
from perks.outbox.worker import Worker
from perks.ui import formatting
from tests.support.console import (
    ConsoleClient,
    TestUser,
    add_user,
    console_client,
    signed_in,
    unlabelled_controls,
)
from tests.support.tenants import LOYALTY, Tenant

HOOK_URL = "http://127.0.0.1:9/perks-hook"  # nothing listens there: deliveries fail


def shown_once(html: str, element_id: str) -> str:
    found = re.search(rf'<code id="{element_id}">([^<]+)</code>', html)
    assert found is not None, html
    return found.group(1)


async def test_an_api_key_is_shown_once_works_and_stops_working_once_revoked(
    client: httpx.AsyncClient, database: Database, tenant: Tenant, owner: ConsoleClient
) -> None:
    created = await owner.post("/console/settings/keys", {"kind": "server"})
    assert created.status_code == 200
    api_key = shown_once(created.text, "new-key")
    assert api_key.startswith("rs_live_")
    assert (await client.get(f"{LOYALTY}/auth/authorize", headers={"x-api-key": api_key})).status_code == 200
    listing = await owner.get("/console/settings/keys")
    assert api_key not in listing.text and api_key[:12] + "…" in listing.text
    key_id = re.findall(r"/console/settings/keys/([0-9a-f-]+)/revoke", listing.text)[0]

    confirm = await owner.get(f"/console/settings/keys/{key_id}/revoke")
    assert "cannot be undone" in confirm.text and "refused (401)" in confirm.text
    assert (await client.get(f"{LOYALTY}/auth/authorize", headers={"x-api-key": api_key})).status_code == 200
    revoked = await owner.post(f"/console/settings/keys/{key_id}/revoke")
    assert revoked.status_code == 303
    assert (await client.get(f"{LOYALTY}/auth/authorize", headers={"x-api-key": api_key})).status_code == 401
    assert "revoked" in (await owner.get("/console/settings/keys")).text

    async with database.transaction(read_only=True) as session:
        entries = (await session.scalars(select(AuditEntry).where(AuditEntry.object_id == key_id))).all()
    assert sorted(entry.action for entry in entries) == ["create", "revoke"]
    assert all(api_key not in str(entry.after) for entry in entries)
    bad_kind = await owner.post("/console/settings/keys", {"kind": "root"})
    assert bad_kind.status_code == 400 and 'id="f-kind-error">Must be server or public' in bad_kind.text


async def test_webhook_endpoints_with_their_delivery_log_and_a_resend(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant, owner: ConsoleClient
) -> None:
    form = await owner.get("/console/settings/webhooks/new")
    assert unlabelled_controls(form.text) == []
    no_events = await owner.post("/console/settings/webhooks/new", {"url": HOOK_URL})
    assert no_events.status_code == 400 and 'id="f-events-error"' in no_events.text
    bad_url = await owner.post(
        "/console/settings/webhooks/new", {"url": "ftp://example.com", "events": ["TIER_UPGRADE"]}
    )
    assert bad_url.status_code == 400 and 'id="f-url-error"' in bad_url.text
    assert 'value="ftp://example.com"' in bad_url.text and 'value="TIER_UPGRADE" checked' in bad_url.text

    created = await owner.post(
        "/console/settings/webhooks/new", {"url": HOOK_URL, "events": ["TIER_UPGRADE", "payout.paid"]}
    )
    assert created.status_code == 200
    assert shown_once(created.text, "signing-secret").startswith("whsec_")
    [endpoint] = (await client.get(f"{LOYALTY}/webhooks", headers=await tenant.loyalty(client))).json()[
        "data"
    ]
    assert endpoint["url"] == HOOK_URL and sorted(endpoint["events"]) == ["TIER_UPGRADE", "payout.paid"]
    page = f"/console/settings/webhooks/{endpoint['id']}"
    assert "Nothing sent yet" in (await owner.get(page)).text

    headers = await tenant.loyalty(client)
    assert (
        await client.post(f"{LOYALTY}/webhooks/{endpoint['id']}/test", headers=headers)
    ).status_code == 201
    worker = Worker(app.state.db, app.state.settings)
    try:
        while await worker.fan_out():  # every account's waiting events become deliveries (none is sent)
            pass
    finally:
        await worker.close()
    log = await owner.get(page)
    assert "webhook.test" in log.text and "pending" in log.text and "Resend" in log.text
    delivery_id = re.findall(r"/deliveries/([0-9a-f-]+)/resend", log.text)[0]
    resent = await owner.post(f"{page}/deliveries/{delivery_id}/resend")
    assert resent.status_code == 303
    assert "webhook.test will be sent again now." in (await owner.get(page)).text

    confirm = await owner.get(f"{page}/delete")
    assert "Nothing more is sent to this URL" in confirm.text
    assert (await owner.post(f"{page}/delete")).status_code == 303
    assert (await client.get(f"{LOYALTY}/webhooks", headers=headers)).json()["data"] == []
    assert (await owner.get(page)).status_code == 404


async def test_a_user_added_by_an_owner_signs_in_with_the_password_shown_once(
    app: FastAPI, owner: ConsoleClient
) -> None:
    added = await owner.post("/console/settings/users", {"email": "Ada@Example.com", "role": "manager"})
    assert added.status_code == 200
    password = shown_once(added.text, "new-password")
    listing = await owner.get("/console/settings/users")
    assert "ada@example.com" in listing.text and password not in listing.text
    async with console_client(app) as ada:
        await ada.get("/console/login")
        signed = await ada.post("/console/login", {"email": "ada@example.com", "password": password})
        assert signed.status_code == 303
        assert "manager" in (await ada.get("/console/brands")).text

    taken = await owner.post("/console/settings/users", {"email": "ada@example.com", "role": "viewer"})
    assert taken.status_code == 409
    assert re.search(r'id="f-email-error">A console user with this email already exists', taken.text)
    bad = await owner.post("/console/settings/users", {"email": "not an email", "role": "boss"})
    assert bad.status_code == 400 and 'id="f-email-error"' in bad.text


async def test_roles_change_at_once_and_an_account_keeps_an_owner(
    app: FastAPI, database: Database, tenant: Tenant, owner: ConsoleClient, owner_user: TestUser
) -> None:
    user = await add_user(database, tenant.account_id, Role.VIEWER)
    async with signed_in(app, database, user) as promoted:
        assert (await promoted.get("/console/brands/new")).status_code == 403
        changed = await owner.post(f"/console/settings/users/{user.user_id}/role", {"role": "manager"})
        assert changed.status_code == 303
        assert (await promoted.get("/console/brands/new")).status_code == 200

    last = await owner.post(f"/console/settings/users/{owner_user.user_id}/role", {"role": "viewer"})
    assert last.status_code == 409
    assert "only owner" in last.text
    assert (await owner.post(f"/console/settings/users/{owner_user.user_id}/disable")).status_code == 409
    await owner.post(f"/console/settings/users/{user.user_id}/role", {"role": "owner"})
    assert (
        await owner.post(f"/console/settings/users/{owner_user.user_id}/role", {"role": "viewer"})
    ).status_code == 303


async def test_times_show_in_the_users_time_zone(database: Database, owner: ConsoleClient) -> None:
    await owner.post("/console/brands/new", {"name": "Timed"})
    bad = await owner.post("/console/settings/profile", {"time_zone": "Mars/Olympus"})
    assert bad.status_code == 400 and 'id="f-time_zone-error"' in bad.text
    assert (await owner.post("/console/settings/profile", {"time_zone": "Asia/Tokyo"})).status_code == 303
    async with database.transaction(read_only=True) as session:
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.object_label == "Timed"))
    assert entry is not None
    page = await owner.get("/console/audit?object_type=brand")
    assert f'title="{formatting.date_time(entry.created_at, "Asia/Tokyo")}"' in page.text
    assert formatting.date_time(entry.created_at, "Asia/Tokyo") != formatting.date_time(
        entry.created_at, "UTC"
    )
    assert 'value="Asia/Tokyo" selected' in (await owner.get("/console/settings/profile")).text
