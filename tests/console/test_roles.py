"""Roles are enforced on the server (a viewer changes nothing, settings are the owners'), and a user of one
account never reaches another account's objects: they are 404s, as in the API."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from perks.console.users.models import Role
from perks.db.database import Database
from tests.support.console import ConsoleClient, add_user, console_routes
from tests.support.tenants import LOYALTY, Tenant

# Changes every role may make: their own sign-out and time zone.
SELF_SERVICE = {"/console/login", "/console/logout", "/console/settings/profile"}
OWNER_ONLY_PREFIX = "/console/settings/"


async def test_a_viewer_gets_403_on_every_change(app: FastAPI, viewer: ConsoleClient) -> None:
    changes = [path for path in console_routes(app, "POST") if path not in SELF_SERVICE]
    assert len(changes) >= 10  # brands, keys, webhooks, users: the list grows with the console
    for path in changes:
        response = await viewer.post(
            path, {"name": "x", "kind": "server", "email": "x@example.com", "role": "owner"}
        )
        assert response.status_code == 403, (path, response.status_code)


async def test_a_viewer_sees_no_change_buttons_and_cannot_open_a_form(
    client: httpx.AsyncClient, tenant: Tenant, viewer: ConsoleClient
) -> None:
    created = await client.post(
        f"{LOYALTY}/brands", headers=await tenant.loyalty(client), json={"name": "Seen"}
    )
    brand_id = created.json()["data"]["id"]
    listing = await viewer.get("/console/brands")
    assert "Seen" in listing.text
    assert "New brand" not in listing.text and "/console/brands/new" not in listing.text
    detail = await viewer.get(f"/console/brands/{brand_id}")
    assert detail.status_code == 200 and "Seen" in detail.text
    assert "<form" not in detail.text.split('<main id="main"', 1)[1].replace('action="/console/logout"', "")
    assert (await viewer.get("/console/brands/new")).status_code == 403


async def test_settings_other_than_ones_own_profile_are_for_owners(
    app: FastAPI, manager: ConsoleClient, viewer: ConsoleClient
) -> None:
    owner_pages = [path for path in console_routes(app, "GET") if path.startswith(OWNER_ONLY_PREFIX)]
    owner_pages = [path for path in owner_pages if path not in SELF_SERVICE]
    assert "/console/settings/keys" in owner_pages
    for client in (manager, viewer):
        for path in owner_pages:
            assert (await client.get(path)).status_code == 403, path
        profile = await client.get("/console/settings/profile")
        assert profile.status_code == 200
        assert "API keys" not in profile.text  # the tabs a role cannot open are not shown
    creating = await manager.post("/console/settings/keys", {"kind": "server"})
    assert creating.status_code == 403
    assert "needs owner" in creating.text


async def test_a_manager_may_change_what_managers_run(manager: ConsoleClient) -> None:
    listing = await manager.get("/console/brands")
    assert "New brand" in listing.text
    assert (await manager.post("/console/brands/new", {"name": "By a manager"})).status_code == 303


async def test_another_accounts_user_gets_404_on_this_accounts_ids(
    client: httpx.AsyncClient,
    database: Database,
    tenant: Tenant,
    owner: ConsoleClient,
    other_owner: ConsoleClient,
) -> None:
    brand = (
        await client.post(f"{LOYALTY}/brands", headers=await tenant.loyalty(client), json={"name": "Mine"})
    ).json()
    brand_id = brand["data"]["id"]
    await owner.post(
        "/console/settings/webhooks/new", {"url": "http://127.0.0.1:9/hook", "events": ["TIER_UPGRADE"]}
    )
    endpoint_id = (await client.get(f"{LOYALTY}/webhooks", headers=await tenant.loyalty(client))).json()[
        "data"
    ][0]["id"]
    user = await add_user(database, tenant.account_id, Role.VIEWER)

    reads = [
        f"/console/brands/{brand_id}",
        f"/console/settings/keys/{tenant.server_key_id}/revoke",
        f"/console/settings/webhooks/{endpoint_id}",
        f"/console/settings/webhooks/{endpoint_id}/delete",
        f"/console/settings/users/{user.user_id}",
        f"/console/settings/users/{user.user_id}/disable",
    ]
    for path in reads:
        assert (await owner.get(path)).status_code == 200, path
        assert (await other_owner.get(path)).status_code == 404, path
    changes = [
        (f"/console/brands/{brand_id}", {"name": "Taken over"}),
        (f"/console/settings/keys/{tenant.server_key_id}/revoke", {}),
        (f"/console/settings/webhooks/{endpoint_id}/delete", {}),
        (f"/console/settings/users/{user.user_id}/role", {"role": "owner"}),
        (f"/console/settings/users/{user.user_id}/disable", {}),
    ]
    for path, form in changes:
        assert (await other_owner.post(path, form)).status_code == 404, path
    # Nothing changed: the brand keeps its name, the key still works, the endpoint and the user are there.
    assert (await client.get(f"{LOYALTY}/brands/{brand_id}", headers=await tenant.loyalty(client))).json()[
        "data"
    ]["name"] == "Mine"
    assert (
        await client.get(f"{LOYALTY}/auth/authorize", headers={"x-api-key": tenant.server_key})
    ).status_code == 200
    assert (await owner.get(f"/console/settings/webhooks/{endpoint_id}")).status_code == 200
    assert "viewer" in (await owner.get(f"/console/settings/users/{user.user_id}")).text
    # And the other account's audit log shows none of it.
    assert "Mine" not in (await other_owner.get("/console/audit")).text
