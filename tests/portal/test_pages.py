"""The partner's pages: what they show (welcome text, links, terms in words, stats by day, referrals with
masked emails, commissions and their CSV, payouts), what the partner fills in (payout details, which the
manager's export carries), that a partner sees only their own data, escaping, and framing."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from perks.console.users.models import Role
from perks.db.database import Database
from perks.kit import clock
from tests.support.affiliate import affiliate, create
from tests.support.console import add_user, signed_in, unlabelled_controls
from tests.support.portal import partner, path_of, portal_client, portal_link
from tests.support.tenants import AFFILIATE, Tenant
from tests.support.tracking import Program, click, data_of, program, referred_sale

XSS = "<script>alert(1)</script>"


async def sold(
    client: httpx.AsyncClient, tenant: Tenant, email: str = "jane@example.com", **fields: Any
) -> Program:
    """A partner on 20% with a $50 minimum payout, who referred a customer who bought for $80."""
    terms: dict[str, Any] = {
        "amount": 20,
        "minimumPayoutAmount": 50,
        "affiliatePortalWelcomeMessage": "Welcome to the Acme partner program!",
        "affiliateDashboardText": "Share your link on your blog.",
    }
    plan = await program(client, tenant, email=email, **(terms | fields))
    await referred_sale(client, tenant, plan, f"customer-of-{email}", f"inv-{email}", "80.00")
    return plan


async def test_home_shows_the_welcome_links_and_terms_in_plain_words(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    plan = await sold(client, tenant)
    async with partner(app, client, tenant, plan.affiliate["id"]) as browser:
        home = await browser.get("/portal/")
    text = home.text
    assert "Jane Doe" in text.split("<main")[0]  # the partner's name on top
    assert 'class="sidebar"' not in text
    assert "Welcome to the Acme partner program!" in text and "Share your link on your blog." in text
    assert html.escape(plan.link["url"]) in text and 'data-copy="#link-1"' in text
    assert "20% of every sale, paid 30 days after the sale, minimum payout $50.00." in text
    assert "$16.00" in text  # 20% of $80, not paid yet
    assert "<script" not in text.replace('<script src="/static/', "")


async def test_stats_count_clicks_sign_ups_sales_and_earnings_by_day(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    plan = await sold(client, tenant)
    await click(client, plan.code)
    await click(client, plan.code)
    today = clock.now().date()
    async with partner(app, client, tenant, plan.affiliate["id"]) as browser:
        page = await browser.get("/portal/stats")
        assert page.status_code == 200 and unlabelled_controls(page.text) == []
        assert page.text.count('<figure class="chart"') == 2 and "Show the numbers" in page.text
        exported = await browser.get(f"/portal/stats?from={today - timedelta(days=6)}&to={today}&format=csv")
        rows = list(csv.reader(io.StringIO(exported.text)))
        assert rows[0] == ["label", "Clicks", "Sign-ups", "Sales", "Earnings (USD)"]
        assert len(rows) == 8 and rows[-1] == [today.isoformat(), "2", "1", "1", "16"]
        assert all(row[1:] == ["0", "0", "0", "0"] for row in rows[1:-1])
        backwards = await browser.get(f"/portal/stats?from={today}&to={today - timedelta(days=1)}")
        assert backwards.status_code == 400 and "from: must be on or before" in backwards.text
        too_long = await browser.get(f"/portal/stats?from={today - timedelta(days=400)}&to={today}")
        assert too_long.status_code == 400
        assert (await browser.get("/portal/stats?from=yesterday")).status_code == 400


async def test_referrals_commissions_and_payouts_of_the_partner(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    plan = await sold(client, tenant, payoutTerm=0, minimumPayoutAmount=0)
    await referred_sale(client, tenant, plan, "second@example.com", "inv-second", "10.00")
    async with partner(app, client, tenant, plan.affiliate["id"]) as browser:
        referrals = await browser.get("/portal/referrals")
        assert "cu•••@example.com" in referrals.text and "customer-of-jane" not in referrals.text
        commissions = await browser.get("/portal/commissions")
        assert "$16.00" in commissions.text and "$2.00" in commissions.text
        assert "se•••@example.com" in commissions.text and "second@example.com" not in commissions.text
        exported = await browser.get("/portal/commissions.csv")
        rows = list(csv.DictReader(io.StringIO(exported.text)))
        assert sorted(row["amount"] for row in rows) == ["16.00", "2.00"]
        assert {row["referred_user"] for row in rows} == {"cu•••@example.com", "se•••@example.com"}
        assert "No payouts yet" in (await browser.get("/portal/payouts")).text

        [payout] = await data_of(client, tenant, "POST", "/payouts/generate", 201)
        payouts = await browser.get("/portal/payouts")
        assert "$18.00" in payouts.text and "being paid" in payouts.text
        await client.put(
            f"{AFFILIATE}/payouts?payoutId={payout['id']}", headers=tenant.affiliate, json={"status": "paid"}
        )
        detail = await browser.get(f"/portal/payouts/{payout['id']}")
        assert detail.status_code == 200 and "paid" in detail.text and "$16.00" in detail.text


async def test_a_campaign_that_hides_emails_hides_them(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    plan = await sold(client, tenant, hideCustomerEmail=True)
    async with partner(app, client, tenant, plan.affiliate["id"]) as browser:
        for path in ["/portal/referrals", "/portal/commissions", "/portal/commissions.csv"]:
            page = await browser.get(path)
            assert "customer-of" not in page.text and "hidden by the program" in page.text, path


async def test_payout_details_are_the_partners_and_reach_the_managers_export(
    app: FastAPI, client: httpx.AsyncClient, database: Database, tenant: Tenant
) -> None:
    plan = await sold(client, tenant, payoutTerm=0, minimumPayoutAmount=0)
    async with partner(app, client, tenant, plan.affiliate["id"]) as browser:
        form = await browser.get("/portal/payout-details")
        assert unlabelled_controls(form.text) == []
        missing = await browser.post("/portal/payout-details", {"payoutMethod": "BANK"})
        assert missing.status_code == 400
        assert 'id="f-payoutReference-error">A bank transfer needs the account to pay' in missing.text
        wrong = await browser.post("/portal/payout-details", {"payoutMethod": "CASH"})
        assert wrong.status_code == 400 and 'id="f-payoutMethod-error"' in wrong.text
        saved = await browser.post(
            "/portal/payout-details",
            {"payoutMethod": "BANK", "payoutReference": "DE89 3704 0044 0532 0130 00 Jane Doe"},
        )
        assert saved.status_code == 303
        assert "DE89 3704" in (await browser.get("/portal/payout-details")).text
    stored = await data_of(client, tenant, "GET", f"/affiliates?affiliateId={plan.affiliate['id']}")
    assert stored["payoutMethod"] is None and stored["payoutReference"].startswith("DE89 3704")
    await data_of(client, tenant, "POST", "/payouts/generate", 201)
    manager = await add_user(database, tenant.account_id, Role.MANAGER)
    async with signed_in(app, database, manager) as console:
        exported = await console.get("/console/payouts/export.csv")
    [row] = list(csv.DictReader(io.StringIO(exported.text)))
    assert (
        row["payout_method"] == "BANK" and row["payout_reference"] == "DE89 3704 0044 0532 0130 00 Jane Doe"
    )


async def test_a_partner_sees_only_their_own_data(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    mine = await sold(client, tenant, "mine@example.com", payoutTerm=0, minimumPayoutAmount=0)
    neighbour = await affiliate(client, tenant, "neighbour@example.com", campaignId=mine.campaign["id"])
    link = await create(client, tenant, "links", {"affiliateId": neighbour["id"]})
    theirs = Program(mine.campaign, neighbour, link)
    await referred_sale(client, tenant, theirs, "their-customer@example.com", "inv-theirs", "50.00")
    elsewhere = await sold(client, other_tenant, "far@example.com", payoutTerm=0, minimumPayoutAmount=0)
    payouts = await data_of(client, tenant, "POST", "/payouts/generate", 201)
    [far_payout] = await data_of(client, other_tenant, "POST", "/payouts/generate", 201)
    their_payout = next(item for item in payouts if item["affiliateId"] == neighbour["id"])
    my_payout = next(item for item in payouts if item["affiliateId"] == mine.affiliate["id"])

    async with partner(app, client, tenant, mine.affiliate["id"]) as browser:
        assert (await browser.get(f"/portal/payouts/{my_payout['id']}")).status_code == 200
        for other_id in [their_payout["id"], far_payout["id"], "00000000-0000-7000-8000-000000000000"]:
            refused = await browser.get(f"/portal/payouts/{other_id}")
            assert refused.status_code == 404 and "Payout not found" in refused.text
        someone_else = f"affiliateId={neighbour['id']}&affiliate={neighbour['id']}"
        for path in [
            "/portal/commissions",
            "/portal/referrals",
            "/portal/payouts",
            "/portal/",
            "/portal/stats",
        ]:
            page = await browser.get(f"{path}?{someone_else}")
            assert page.status_code == 200, path
            assert "th•••@example.com" not in page.text and "$10.00" not in page.text, path
        rows = list(
            csv.DictReader(io.StringIO((await browser.get(f"/portal/commissions.csv?{someone_else}")).text))
        )
        assert [row["amount"] for row in rows] == ["16.00"]
        assert elsewhere.code not in (await browser.get("/portal/")).text
        # The neighbour's session cookie is the neighbour's: a partner's cookie never reaches another.
        async with partner(app, client, tenant, neighbour["id"]) as other:
            assert "$10.00" in (await other.get("/portal/commissions")).text
            assert "$16.00" not in (await other.get("/portal/commissions")).text


async def test_what_shops_and_partners_wrote_is_shown_as_text(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    plan = await program(client, tenant, affiliatePortalWelcomeMessage=XSS, affiliateDashboardText=XSS)
    await client.put(
        f"{AFFILIATE}/affiliates?affiliateId={plan.affiliate['id']}",
        headers=tenant.affiliate,
        json={"firstName": XSS},
    )
    await referred_sale(client, tenant, plan, "x@example.com", XSS, "10.00")
    async with partner(app, client, tenant, plan.affiliate["id"]) as browser:
        for path in ["/portal/", "/portal/commissions", "/portal/payout-details"]:
            page = await browser.get(path)
            assert XSS not in page.text and "&lt;script&gt;" in page.text, path


async def test_the_portal_is_framed_only_by_the_workspaces_origins(
    app: FastAPI, client: httpx.AsyncClient, database: Database, tenant: Tenant
) -> None:
    plan = await sold(client, tenant)
    async with partner(app, client, tenant, plan.affiliate["id"]) as browser:
        page = await browser.get("/portal/")
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    owner = await add_user(database, tenant.account_id, Role.OWNER)
    async with signed_in(app, database, owner) as console:
        saved = await console.post(
            "/console/affiliates/settings", {"frameOrigins": "https://shop.example", "currency": "USD"}
        )
        assert saved.status_code == 303
    async with partner(app, client, tenant, plan.affiliate["id"]) as browser:
        page = await browser.get("/portal/")
        policy = page.headers["content-security-policy"]
        assert "frame-ancestors https://shop.example" in policy and "script-src 'self'" in policy
        assert "x-frame-options" not in page.headers
        refused = await browser.get("/portal/payouts/00000000-0000-7000-8000-000000000000")
        assert "frame-ancestors https://shop.example" in refused.headers["content-security-policy"]
    # Over plain HTTP to a host that is not this machine, no browser keeps a Secure cookie: Lax stays.
    async with portal_client(app) as browser:
        opened = await browser.get(path_of((await portal_link(client, tenant, plan.affiliate["id"]))["url"]))
        assert "samesite=lax" in opened.headers["set-cookie"].lower()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://perks.example") as secure:
        url = (await portal_link(client, tenant, plan.affiliate["id"]))["url"]
        opened = await secure.get(url.replace("http://perks.test", ""))
        cookie = opened.headers["set-cookie"].lower()
        assert "samesite=none" in cookie and "secure" in cookie and "partitioned" in cookie
        home = await secure.get("/portal/")
        assert (
            home.status_code == 200
            and "frame-ancestors https://shop.example" in home.headers["content-security-policy"]
        )
    assert re.search(r"https://shop\.example", policy)
