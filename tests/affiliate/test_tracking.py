"""Clicks (redirect, API, script) and sign-up attribution, through the HTTP API."""

from __future__ import annotations

from datetime import timedelta

import httpx

from perks.db.database import Database
from perks.kit import clock
from tests.support.outbox import events
from tests.support.tenants import AFFILIATE, Tenant
from tests.support.tracking import BROWSER, click, program, sign_up, stats


async def test_redirect_records_a_click_sets_the_cookie_and_keeps_the_query(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    plan = await program(client, tenant, code="Sand", cookieDurationDays=45)
    response = await click(client, plan.code.lower())
    assert response.status_code == 302
    assert response.headers["location"] == f"https://shop.example/landing?lang=en&via={plan.code}"
    cookie = response.headers["set-cookie"]
    click_id = response.cookies["perks_ref"]
    assert f"Max-Age={45 * 86400}" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert (await stats(client, tenant, plan.affiliate["id"]))["clicks"] == 1
    bound = await sign_up(client, tenant, email="buyer@example.com", clickId=click_id)
    assert bound.status_code == 201
    assert bound.json()["data"]["affiliateId"] == plan.affiliate["id"]


async def test_unknown_or_deleted_codes_are_a_404_page(client: httpx.AsyncClient, tenant: Tenant) -> None:
    plan = await program(client, tenant, code="gone")
    assert (await click(client, plan.code)).status_code == 302  # cached now
    deleted = await client.delete(
        f"{AFFILIATE}/links?affiliateLinkId={plan.link['id']}", headers=tenant.affiliate
    )
    assert deleted.status_code == 200
    for code in (plan.code, "never-made", "x" * 80):
        response = await click(client, code)
        assert response.status_code == 404
        assert "location" not in response.headers
        assert response.headers["content-type"].startswith("text/html")


async def test_one_visitor_counts_once_an_hour_and_bots_not_at_all(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    plan = await program(client, tenant)
    for agent in (
        BROWSER,
        BROWSER,
        BROWSER + " other",
        "Googlebot/2.1 (+http://www.google.com/bot.html)",
        "",
    ):
        assert (await click(client, plan.code, agent)).status_code == 302
    clock.travel(timedelta(hours=1))
    await click(client, plan.code)
    counted = await stats(client, tenant, plan.affiliate["id"])
    assert (counted["clicks"], counted["uniqueClicks"], counted["botClicks"]) == (4, 3, 2)


async def test_track_click_takes_a_public_key_and_answers_cors(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    plan = await program(client, tenant, cookieDurationDays=7)
    body = {
        "referralCode": plan.code,
        "url": "https://shop.example/?via=sand",
        "referrer": "https://blog.example",
    }
    response = await client.post(f"{AFFILIATE}/track/click", headers=tenant.affiliate_public, json=body)
    assert response.status_code == 201, response.text
    assert response.json()["message"] == "Click tracked successfully"
    assert response.json()["data"]["cookieDurationDays"] == 7
    assert response.headers["access-control-allow-origin"] == "*"
    preflight = await client.options(f"{AFFILIATE}/track/click")
    assert preflight.status_code == 204
    assert "x-auth-referralstack" in preflight.headers["access-control-allow-headers"]
    unknown = await client.post(
        f"{AFFILIATE}/track/click", headers=tenant.affiliate_public, json={"referralCode": "nope"}
    )
    assert unknown.status_code == 404
    assert unknown.json() == {"status": 404, "message": "Affiliate link not found"}
    missing = await client.post(f"{AFFILIATE}/track/click", headers=tenant.affiliate_public, json={})
    assert missing.status_code == 400 and "referralCode" in missing.json()["message"]


async def test_the_tracking_script_is_served(client: httpx.AsyncClient) -> None:
    response = await client.get("/perks.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert "/api/v1/track/click" in response.text and "perks_ref" in response.text


async def test_first_bind_wins(client: httpx.AsyncClient, tenant: Tenant, database: Database) -> None:
    first = await program(client, tenant, code="first")
    second = await program(client, tenant, code="second", email="john@example.com")
    bound = await sign_up(
        client, tenant, email="Buyer@Example.com", referralCode=first.code, externalId="cus_1"
    )
    assert bound.status_code == 201
    again = await sign_up(client, tenant, email="buyer@example.com", referralCode=second.code)
    assert again.status_code == 200
    assert again.json()["message"] == "Referred user already exists"
    assert again.json()["data"]["id"] == bound.json()["data"]["id"]
    assert again.json()["data"]["affiliateId"] == first.affiliate["id"] != second.affiliate["id"]
    assert len(await events(database, tenant, "referral.created")) == 1


async def test_a_click_past_its_window_no_longer_binds(client: httpx.AsyncClient, tenant: Tenant) -> None:
    plan = await program(client, tenant, cookieDurationDays=30)
    click_id = (await click(client, plan.code)).cookies["perks_ref"]
    clock.travel(timedelta(days=30, seconds=1))
    late = await sign_up(client, tenant, email="late@example.com", clickId=click_id)
    assert late.status_code == 200
    assert late.json()["data"] is None
    assert (await stats(client, tenant, plan.affiliate["id"]))["signUps"] == 0


async def test_self_referrals_are_flagged(client: httpx.AsyncClient, tenant: Tenant) -> None:
    plan = await program(client, tenant, affiliate_fields={"payoutEmail": "jane.pay@example.com"})
    own = await sign_up(client, tenant, email="JANE.PAY@example.com", referralCode=plan.code)
    assert own.json()["data"]["isSelfReferral"] is True
    # The test client's address is 127.0.0.1: the affiliate's own machine.
    other = await program(
        client, tenant, code="home", email="max@example.com", affiliate_fields={"ipAddress": "127.0.0.1"}
    )
    click_id = (await click(client, other.code)).cookies["perks_ref"]
    from_home = await sign_up(client, tenant, email="friend@example.com", clickId=click_id)
    assert from_home.json()["data"]["isSelfReferral"] is True
    stranger = await sign_up(client, tenant, email="stranger@example.com", referralCode=plan.code)
    assert stranger.json()["data"]["isSelfReferral"] is False


async def test_sign_up_input_errors(client: httpx.AsyncClient, tenant: Tenant) -> None:
    cases = [
        ({"email": "a@example.com"}, 400, "clickId: clickId or referralCode is required"),
        ({"email": "a@example.com", "clickId": "nope"}, 400, "clickId: must be a UUID"),
        (
            {"email": "a@example.com", "clickId": "0193a0a0-0000-7000-8000-000000000000"},
            404,
            "Click not found",
        ),
        ({"email": "a@example.com", "referralCode": "zzz"}, 404, "Affiliate link not found"),
    ]
    for body, status, message in cases:
        response = await sign_up(client, tenant, **body)
        assert (response.status_code, response.json()["message"]) == (status, message)
    bad_email = await sign_up(client, tenant, email="nope", referralCode="whatever")
    assert bad_email.status_code == 400 and bad_email.json()["message"].startswith("email")


async def test_another_accounts_clicks_and_stats_are_404(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    plan = await program(client, tenant)
    click_id = (await click(client, plan.code)).cookies["perks_ref"]
    await program(client, other_tenant, code="theirs")
    stolen = await sign_up(client, other_tenant, email="x@example.com", clickId=click_id)
    assert stolen.status_code == 404
    foreign = await client.get(
        f"{AFFILIATE}/affiliates/stats?affiliateId={plan.affiliate['id']}", headers=other_tenant.affiliate
    )
    assert foreign.status_code == 404
    campaign = await client.get(
        f"{AFFILIATE}/campaigns/stats?campaignId={plan.campaign['id']}", headers=other_tenant.affiliate
    )
    assert campaign.status_code == 404
    public = await client.post(
        f"{AFFILIATE}/track/click", headers=other_tenant.affiliate_public, json={"referralCode": plan.code}
    )
    assert public.status_code == 404


async def test_a_code_is_one_accounts_and_the_workspace_form_names_it(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    mine = await program(client, tenant, url="https://mine.example")
    code = mine.code
    theirs = await program(client, other_tenant, url="https://theirs.example")
    relabel = await client.post(
        f"{AFFILIATE}/links",
        headers=other_tenant.affiliate,
        json={"affiliateId": theirs.affiliate["id"], "referralCode": code},
    )
    assert relabel.status_code == 409  # no account can shadow another's code
    assert (await click(client, code)).headers["location"].startswith("https://mine.example")
    named = await click(client, f"{tenant.workspace_id}/{code}")
    assert named.status_code == 302 and named.headers["location"].startswith("https://mine.example")
    assert (await stats(client, tenant, mine.affiliate["id"]))["clicks"] == 2
    for path in (
        f"{other_tenant.workspace_id}/{code}",
        f"{other_tenant.workspace_id}/nope",
        f"not-a-uuid/{code}",
        f"{tenant.workspace_id}/{code}/x",
    ):
        assert (await click(client, path)).status_code == 404
