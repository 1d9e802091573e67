"""Self sign-up on a campaign's public page: only where the campaign allows it; active at once (and signed
in, with a link) or pending for the console's approval, as the campaign says."""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI

from perks.console.users.models import Role
from perks.db.database import Database
from tests.support.affiliate import campaign
from tests.support.console import add_user, signed_in, unlabelled_controls
from tests.support.portal import path_of, portal_client, portal_link
from tests.support.tenants import AFFILIATE, Tenant
from tests.support.tracking import data_of

NOBODY = "00000000-0000-7000-8000-000000000000"


def join_path(tenant: Tenant, campaign_id: str) -> str:
    return f"/portal/{tenant.workspace_id}/{campaign_id}/join"


async def test_a_closed_campaign_takes_no_sign_up(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    closed = await campaign(client, tenant)
    opened = await campaign(client, other_tenant, allowsSelfSignup=True)
    async with portal_client(app) as visitor:
        for path in [
            join_path(tenant, closed["id"]),
            join_path(tenant, opened["id"]),  # another account's campaign under this workspace
            f"/portal/{NOBODY}/{closed['id']}/join",
            f"/portal/not-a-workspace/{closed['id']}/join",
        ]:
            page = await visitor.get(path)
            assert page.status_code == 404 and "does not take sign-ups" in page.text, path
        refused = await visitor.post(
            join_path(tenant, closed["id"]), {"firstName": "A", "lastName": "B", "email": "a@example.com"}
        )
        assert refused.status_code == 404
    assert (await data_of(client, tenant, "GET", "/affiliates/list"))["items"] == []


async def test_an_open_campaign_signs_its_new_partner_in_with_a_link(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    made = await campaign(client, tenant, allowsSelfSignup=True, collectAdditionalInfo=True)
    async with portal_client(app) as visitor:
        form = await visitor.get(join_path(tenant, made["id"]))
        assert form.status_code == 200 and unlabelled_controls(form.text) == []
        assert "15% of every sale" in form.text
        missing = await visitor.post(
            join_path(tenant, made["id"]), {"firstName": "Ola", "lastName": "N", "email": "ola@example.com"}
        )
        assert missing.status_code == 400 and 'id="f-notes-error">Please tell the program' in missing.text
        joined = await visitor.post(
            join_path(tenant, made["id"]),
            {"firstName": "Ola", "lastName": "N", "email": "ola@example.com", "notes": "A cycling blog"},
        )
        assert joined.status_code == 303 and joined.headers["location"] == "/portal/"
        home = await visitor.get("/portal/")
        assert "Welcome, Ola!" in home.text and "?ref=" in home.text  # a first link to share
        again = await visitor.post(
            join_path(tenant, made["id"]),
            {"firstName": "O", "lastName": "N", "email": "OLA@example.com", "notes": "x"},
        )
        assert again.status_code == 422 and "already exists" in again.text
    [person] = (await data_of(client, tenant, "GET", "/affiliates/list"))["items"]
    assert person["status"] == "active" and person["notes"] == "A cycling blog"


async def test_a_campaign_that_requires_approval_makes_a_pending_partner_the_console_approves(
    app: FastAPI, client: httpx.AsyncClient, database: Database, tenant: Tenant
) -> None:
    made = await campaign(client, tenant, allowsSelfSignup=True, requiresApprovalToJoin=True)
    async with portal_client(app) as visitor:
        applied = await visitor.post(
            join_path(tenant, made["id"]), {"firstName": "Pia", "lastName": "P", "email": "pia@example.com"}
        )
        assert applied.status_code == 200 and "waiting for the program" in applied.text
        assert (await visitor.get("/portal/")).status_code == 303  # no session while pending
    [person] = (await data_of(client, tenant, "GET", "/affiliates/list"))["items"]
    assert person["status"] == "pending"
    asked = await client.post(
        f"{AFFILIATE}/affiliates/portal-link?affiliateId={person['id']}", headers=tenant.affiliate
    )
    assert asked.status_code == 422

    manager = await add_user(database, tenant.account_id, Role.MANAGER)
    async with signed_in(app, database, manager) as console:
        waiting = await console.get("/console/affiliates?status=pending")
        assert "Pia P" in waiting.text
        assert (await console.post(f"/console/affiliates/{person['id']}/approve")).status_code == 303
    async with portal_client(app) as browser:
        opened = await browser.get(path_of((await portal_link(client, tenant, person["id"]))["url"]))
        assert opened.status_code == 303
        home = await browser.get("/portal/")
        assert re.search(r"Pia P</span>", home.text)
