"""Signing in to the portal: a single-use link from the API (or the console, or by email) starts a session
for its partner only; a used, expired or unknown link shows a page and no session; the token is kept
hashed; a disabled partner is refused at once; links by email never tell who is a partner."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from perks.affiliate.portal_links.models import PortalLink
from perks.db.database import Database
from perks.kit import clock
from tests.portal.conftest import Inbox
from tests.support.affiliate import affiliate, campaign
from tests.support.portal import partner, path_of, portal_client, portal_link
from tests.support.tenants import AFFILIATE, Tenant


async def test_the_api_answers_a_single_use_link_valid_15_minutes(
    client: httpx.AsyncClient, database: Database, tenant: Tenant, other_tenant: Tenant
) -> None:
    await campaign(client, tenant)
    person = await affiliate(client, tenant)
    answer = await client.post(
        f"{AFFILIATE}/affiliates/portal-link?affiliateId={person['id']}", headers=tenant.affiliate
    )
    assert answer.status_code == 201
    body = answer.json()
    assert body["status"] == 201 and body["message"] == "Portal link created successfully"
    assert set(body["data"]) == {"url", "expiresAt"}
    token = body["data"]["url"].removeprefix("http://perks.test/portal/sign-in/")
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    expires = datetime.fromisoformat(body["data"]["expiresAt"].replace("Z", "+00:00"))
    assert timedelta(minutes=14) < expires - datetime.now(UTC) <= timedelta(minutes=15)
    async with database.transaction(read_only=True) as session:
        stored = (
            await session.scalars(select(PortalLink).where(PortalLink.affiliate_id == person["id"]))
        ).one()
    assert token not in stored.token_hash and len(stored.token_hash) == 64  # kept hashed

    async def ask(affiliate_id: str, headers: dict[str, str]) -> httpx.Response:
        return await client.post(
            f"{AFFILIATE}/affiliates/portal-link?affiliateId={affiliate_id}", headers=headers
        )

    missing = await client.post(f"{AFFILIATE}/affiliates/portal-link", headers=tenant.affiliate)
    assert missing.status_code == 400 and missing.json()["message"].startswith("affiliateId")
    assert (await ask("not-an-id", tenant.affiliate)).status_code == 400
    assert (await ask(person["id"], other_tenant.affiliate)).status_code == 404
    assert (await ask(person["id"], tenant.affiliate_public)).status_code in (401, 403)
    await client.put(
        f"{AFFILIATE}/affiliates?affiliateId={person['id']}",
        headers=tenant.affiliate,
        json={"isActive": False},
    )
    refused = await ask(person["id"], tenant.affiliate)
    assert refused.status_code == 422
    assert "only an active affiliate" in refused.json()["message"]


async def test_a_link_signs_its_partner_in_once(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await campaign(client, tenant)
    person = await affiliate(client, tenant, firstName="Jane", lastName="Partner")
    url = (await portal_link(client, tenant, person["id"]))["url"]
    async with portal_client(app) as browser:
        assert (await browser.get("/portal/")).headers["location"] == "/portal/login?next=/portal/"
        opened = await browser.get(path_of(url))
        assert opened.status_code == 303 and opened.headers["location"] == "/portal/"
        cookie = opened.headers["set-cookie"]
        assert cookie.startswith("perks_portal=") and "HttpOnly" in cookie and "Path=/portal" in cookie
        assert "samesite=lax" in cookie.lower()
        home = await browser.get("/portal/")
        assert home.status_code == 200 and "Jane Partner" in home.text
        async with portal_client(app) as stranger:
            reused = await stranger.get(path_of(url))
            assert reused.status_code == 410 and "used already" in reused.text
            assert "perks_portal=" not in reused.headers.get("set-cookie", "")
            assert (await stranger.get("/portal/")).status_code == 303  # no session
            unknown = await stranger.get("/portal/sign-in/" + "x" * 43)
            assert unknown.status_code == 404 and "does not work" in unknown.text
            assert "ask the program" in unknown.text  # no SMTP here: the manager gives links
        signed_out = await browser.post("/portal/logout")
        assert signed_out.status_code == 303
        assert (await browser.get("/portal/")).status_code == 303


async def test_an_expired_link_opens_nothing(app: FastAPI, client: httpx.AsyncClient, tenant: Tenant) -> None:
    await campaign(client, tenant)
    person = await affiliate(client, tenant)
    url = (await portal_link(client, tenant, person["id"]))["url"]
    clock.travel(timedelta(minutes=15, seconds=1))
    async with portal_client(app) as browser:
        expired = await browser.get(path_of(url))
        assert expired.status_code == 410 and "has expired" in expired.text
        assert (await browser.get("/portal/")).status_code == 303


async def test_two_tabs_opening_one_link_get_one_session(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await campaign(client, tenant)
    person = await affiliate(client, tenant)
    url = (await portal_link(client, tenant, person["id"]))["url"]
    async with portal_client(app) as one, portal_client(app) as two:
        answers = await asyncio.gather(*(tab.http.get(path_of(url)) for tab in (one, two, one, two)))
    assert sorted(answer.status_code for answer in answers) == [303, 410, 410, 410]


async def test_a_disabled_partner_is_refused_at_once(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await campaign(client, tenant)
    person = await affiliate(client, tenant)
    unused = (await portal_link(client, tenant, person["id"]))["url"]
    async with partner(app, client, tenant, person["id"]) as browser:
        assert (await browser.get("/portal/commissions")).status_code == 200
        await client.put(
            f"{AFFILIATE}/affiliates?affiliateId={person['id']}",
            headers=tenant.affiliate,
            json={"isActive": False},
        )
        refused = await browser.get("/portal/commissions")
        assert refused.status_code == 303 and refused.headers["location"].startswith("/portal/login")
    async with portal_client(app) as late:
        paused = await late.get(path_of(unused))  # made before the partner was disabled
        assert paused.status_code == 403 and "not active" in paused.text
        assert "perks_portal=" not in paused.headers.get("set-cookie", "")


async def test_without_smtp_the_sign_in_page_says_to_ask_the_manager(app: FastAPI) -> None:
    async with portal_client(app) as browser:
        page = await browser.get("/portal/login")
        assert "ask the program's manager for a sign-in link" in page.text.replace("&#39;", "'")
        assert 'name="email"' not in page.text


async def test_a_link_by_email_tells_no_one_who_is_a_partner(
    mailing_app: FastAPI, smtp: tuple[Inbox, str], tenant: Tenant, other_tenant: Tenant
) -> None:
    inbox, _url = smtp
    transport = httpx.ASGITransport(app=mailing_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://perks.test") as api:
        await campaign(api, tenant)
        await campaign(api, other_tenant)
        await affiliate(api, tenant, "ada@example.com", firstName="Ada")
        await affiliate(api, other_tenant, "Ada@Example.com", firstName="Ada")  # a partner of two programs
        pending = await campaign(api, tenant, campaignName="Vetted", requiresApprovalToJoin=True)
        await affiliate(api, tenant, "waiting@example.com", campaignId=pending["id"])

    async with portal_client(mailing_app) as browser:
        form = await browser.get("/portal/login")
        assert 'name="email"' in form.text
        answers = {}
        for address in ["ada@example.com", "nobody@example.com", "waiting@example.com"]:
            answer = await browser.post("/portal/login", {"email": address})
            answers[address] = answer
            assert answer.status_code == 200
        texts = {address: answer.text.replace(address, "EMAIL") for address, answer in answers.items()}
        assert "a sign-in link is on its way" in texts["ada@example.com"]
        assert texts["ada@example.com"] == texts["nobody@example.com"] == texts["waiting@example.com"]
        bad = await browser.post("/portal/login", {"email": "not an email"})
        assert bad.status_code == 400 and 'id="f-email-error"' in bad.text

    assert inbox.to("nobody@example.com") == [] and inbox.to("waiting@example.com") == []
    [mail] = inbox.to("ada@example.com")
    assert mail["From"] == "Acme Partners <partners@acme.example>"
    body = str(mail.get_payload())
    links = re.findall(r"http://perks\.test/portal/sign-in/[A-Za-z0-9_-]+", body)
    assert len(links) == 2  # one for each program, each with its name
    assert "tenant-a:" in body and "tenant-b:" in body
    async with portal_client(mailing_app) as browser:
        assert (await browser.get(path_of(links[0]))).status_code == 303
        assert "Partner of tenant-" in (await browser.get("/portal/")).text


async def test_link_requests_are_limited_per_email(
    mailing_app: FastAPI, smtp: tuple[Inbox, str], tenant: Tenant
) -> None:
    async with portal_client(mailing_app) as browser:
        for _attempt in range(3):
            assert (await browser.post("/portal/login", {"email": "flood@example.com"})).status_code == 200
        limited = await browser.post("/portal/login", {"email": "flood@example.com"})
        assert limited.status_code == 429 and "retry-after" in limited.headers


async def test_portal_forms_need_their_csrf_token_and_pages_carry_the_security_headers(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await campaign(client, tenant)
    person = await affiliate(client, tenant)
    async with partner(app, client, tenant, person["id"]) as browser:
        forged = await browser.http.post("/portal/payout-details", data={"payoutMethod": "PAYPAL"})
        assert forged.status_code == 403 and "Form expired" in forged.text
        assert (await browser.post("/portal/payout-details", {"payoutMethod": "PAYPAL"})).status_code == 303
        for path in ["/portal/", "/portal/login", "/portal/nowhere"]:
            page = await browser.get(path)
            headers = page.headers
            assert "script-src 'self'" in headers["content-security-policy"], path
            assert (
                headers["x-content-type-options"] == "nosniff" and headers["cache-control"] == "no-store"
            ), path
    stored = await client.get(f"{AFFILIATE}/affiliates?affiliateId={person['id']}", headers=tenant.affiliate)
    assert stored.json()["data"]["payoutMethod"] == "PAYPAL"
