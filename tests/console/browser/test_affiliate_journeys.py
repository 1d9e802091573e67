"""The affiliate side in Chromium: a shop hands its partner a portal link through the API and the partner
copies their link; a click and a sale show up in the partner's stats and commissions; a used link is
refused; a self sign-up waits for approval in the console, then signs in; the portal in an iframe of an
allowed site, and refused by another; in the console, approving a commission and paying a payout."""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from playwright.async_api import Browser, expect

from tests.console.browser.test_journeys import sign_in
from tests.support.browser import Journey, journey
from tests.support.console import TestUser
from tests.support.server import LiveServer
from tests.support.tenants import AFFILIATE, Tenant


class Shop:
    """The shop's backend, talking to Perks' affiliate API with its server key."""

    def __init__(self, api: httpx.AsyncClient, tenant: Tenant) -> None:
        self.api = api
        self.headers = tenant.affiliate

    async def call(self, method: str, path: str, status: int, **body: Any) -> Any:
        response = await self.api.request(
            method, f"{AFFILIATE}{path}", headers=self.headers, json=body or None
        )
        assert response.status_code == status, response.text
        return response.json()["data"]

    async def program(
        self, email: str, first_name: str, **campaign: Any
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        terms = {
            "campaignName": "Outdoor partners",
            "commissionType": "percentage",
            "amount": 20,
            "minimumPayoutAmount": 50,
            "payoutTerm": 30,
            "url": "https://acme-outdoor.example/shop",
            "affiliatePortalWelcomeMessage": "Welcome to the Acme Outdoor partner program!",
            "affiliateDashboardText": "Tip: a link in your gear reviews converts best.",
        }
        made = await self.call("POST", "/campaigns", 201, **(terms | campaign))
        person = await self.call(
            "POST",
            "/affiliates",
            201,
            email=email,
            firstName=first_name,
            lastName="Rivers",
            campaignId=made["id"],
        )
        return made, person

    async def portal_link(self, affiliate_id: str) -> str:
        data = await self.call("POST", f"/affiliates/portal-link?affiliateId={affiliate_id}", 201)
        return str(data["url"])


async def portal_nav(tab: Journey, label: str) -> None:
    await (
        tab.page.get_by_role("navigation", name="Your partner portal").get_by_role("link", name=label).click()
    )


@contextmanager
def shop_site() -> Iterator[str]:
    """The shop's own site on this machine: `/?src=URL` is a page that shows URL in an iframe, as a shop's
    "Partner dashboard" page does with the link its backend asked for."""

    class Page(BaseHTTPRequestHandler):
        def log_message(self, *_args: Any) -> None:
            return

        def do_GET(self) -> None:
            source = parse_qs(urlsplit(self.path).query).get("src", [""])[0]
            body = (
                "<!doctype html><title>Acme Outdoor: partner dashboard</title>"
                "<h1>Acme Outdoor</h1>"
                f'<iframe title="Partner dashboard" src="{html.escape(source)}" '
                'width="1100" height="640"></iframe>'
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    site = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=site.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{site.server_address[1]}"
    finally:
        site.shutdown()
        site.server_close()


async def test_a_partner_opens_the_portal_from_the_shop_and_sees_a_sale(
    tab: Journey, shop: Tenant, server: LiveServer
) -> None:
    async with httpx.AsyncClient(base_url=server.base_url) as api:
        backend = Shop(api, shop)
        _campaign, person = await backend.program("river@partners.example", "Robin")
        link = await backend.call(
            "POST", "/links", 201, affiliateId=person["id"], referralCode=f"robin{shop.account_id[-6:]}"
        )
        url = await backend.portal_link(person["id"])

        await tab.page.goto(url)
        await tab.settle(None)
        await expect(tab.page).to_have_url(re.compile(r"/portal/$"))
        await expect(tab.page.locator(".topbar")).to_contain_text("Robin Rivers")
        await expect(
            tab.page.get_by_text("20% of every sale, paid 30 days after the sale, minimum payout $50.00")
        ).to_be_visible()
        await tab.page.get_by_role("button", name="Copy").first.click()
        await expect(tab.page.get_by_role("button", name="Copied")).to_be_visible()
        assert await tab.page.evaluate("navigator.clipboard.readText()") == link["url"]
        await tab.settle("portal-home")

        # A visitor clicks the link, signs up and buys: the shop tells Perks through the API.
        visit = await api.get(
            f"/r/{link['referralCode']}", headers={"user-agent": "Mozilla/5.0 Chrome/130.0"}
        )
        assert visit.status_code == 302
        await backend.call(
            "POST", "/track/signup", 201, email="hiker@example.com", referralCode=link["referralCode"]
        )
        await backend.call(
            "POST", "/track/sale", 201, email="hiker@example.com", amount="240.00", invoiceId="A-1001"
        )

        await portal_nav(tab, "Stats")
        await tab.settle(None)
        stats = tab.page.locator(".stats")
        await expect(stats).to_contain_text("Clicks1")
        await expect(stats).to_contain_text("$48.00")  # 20% of $240
        await tab.page.get_by_text("Show the numbers").first.click()
        await expect(tab.page.locator("figure.chart table").first).to_contain_text("1")
        await tab.settle("portal-stats")
        await portal_nav(tab, "Commissions")
        await tab.settle("portal-commissions")
        await expect(tab.page.locator("#commissions")).to_contain_text("$48.00")
        await expect(tab.page.locator("#commissions")).to_contain_text("hi•••@example.com")
        await portal_nav(tab, "Referrals")
        await tab.settle("portal-referrals")
        await portal_nav(tab, "Payouts")
        await tab.settle("portal-payouts")
        await portal_nav(tab, "Payout details")
        await tab.page.get_by_label("Pay me by").select_option("BANK")
        await tab.page.get_by_label("Bank account").fill("DE89 3704 0044 0532 0130 00, Robin Rivers")
        await tab.submit("Save payout details", "portal-payout-details")
        await expect(tab.page.get_by_role("status")).to_have_text("Payout details saved.")

        # The link worked once: opened again (say, from the browser's history), it signs nobody in.
        await tab.page.get_by_role("button", name="Sign out").click()
        await tab.settle(None)
        with tab.expecting(410):
            await tab.page.goto(url)
            await tab.settle("portal-link-used")
        await expect(
            tab.page.get_by_role("heading", name="This sign-in link was used already")
        ).to_be_visible()
        await tab.goto("/portal/")
        await expect(tab.page).to_have_url(re.compile(r"/portal/login\?next=/portal/$"))
        await tab.settle("portal-sign-in")


async def test_a_self_sign_up_waits_for_approval_then_signs_in(
    tab: Journey, browser: Browser, shop: Tenant, owner_account: TestUser, server: LiveServer
) -> None:
    async with httpx.AsyncClient(base_url=server.base_url) as api:
        backend = Shop(api, shop)
        made, _person = await backend.program(
            "first@partners.example",
            "Sam",
            allowsSelfSignup=True,
            requiresApprovalToJoin=True,
            collectAdditionalInfo=True,
        )
    async with journey(browser, server.base_url, tab.shots) as applicant:
        await applicant.goto(f"/portal/{shop.workspace_id}/{made['id']}/join", "portal-join")
        await applicant.page.get_by_label("First name").fill("Kim")
        await applicant.page.get_by_label("Last name").fill("Trail")
        await applicant.page.get_by_label("Email").fill(f"kim@{shop.account_id[-6:]}.example")
        await applicant.page.get_by_label("How will you promote Acme Outdoor?").fill("My hiking channel")
        await applicant.submit("Apply", "portal-joined")
        await expect(applicant.page.get_by_role("heading", name="Thanks, Kim")).to_be_visible()

        await sign_in(tab, owner_account)
        await tab.page.get_by_role("link", name="Affiliates").click()
        await tab.settle("console-affiliates")
        await tab.page.get_by_role("link", name=re.compile("Waiting for approval")).click()
        await tab.settle("console-affiliates-pending")
        row = tab.page.locator("tr", has_text="Kim Trail")
        await expect(row).to_contain_text("My hiking channel")
        await row.get_by_role("button", name="Approve").click()
        await expect(tab.page.locator("tr", has_text="Kim Trail")).to_contain_text("Kim Trail approved.")
        await tab.page.get_by_role("link", name="Kim Trail").click()
        await tab.settle(None)
        await tab.page.get_by_role("button", name="Portal sign-in link").click()
        await tab.settle("console-portal-link")
        url = (await tab.page.locator("#portal-link").inner_text()).strip()

        await applicant.page.goto(url)
        await applicant.settle(None)
        await expect(applicant.page.locator(".topbar")).to_contain_text("Kim Trail")
        await expect(
            applicant.page.get_by_text(re.compile(r"\?ref=[a-z0-9]{8}"))
        ).to_be_visible()  # a link to share


async def test_the_portal_in_an_iframe_of_an_allowed_site_and_of_another(
    tab: Journey, browser: Browser, shop: Tenant, owner_account: TestUser, server: LiveServer
) -> None:
    port = urlsplit(server.base_url).port
    portal_host = f"localhost:{port}"  # another site than 127.0.0.1: the frame is cross-site
    with shop_site() as allowed, shop_site() as other:
        await sign_in(tab, owner_account)
        await tab.goto("/console/affiliates/settings")
        await tab.page.get_by_label("Sites that may show the portal in an iframe").fill(allowed)
        await tab.submit("Save settings", "console-portal-settings")
        await expect(tab.page.get_by_role("status")).to_have_text("Portal settings saved.")

        # The shop's backend asks for a link at the address partners use (here localhost).
        async with httpx.AsyncClient(base_url=server.base_url, headers={"host": portal_host}) as api:
            backend = Shop(api, shop)
            _made, person = await backend.program("frame@partners.example", "Ada")
            first, second = await backend.portal_link(person["id"]), await backend.portal_link(person["id"])
        assert first.startswith(f"http://{portal_host}/portal/sign-in/")

        async with journey(browser, server.base_url, tab.shots) as visitor:
            visitor.allowed_hosts |= {portal_host, urlsplit(allowed).netloc, urlsplit(other).netloc}
            await visitor.page.goto(f"{allowed}/?src={first}")
            frame = visitor.page.frame_locator("iframe")
            await expect(frame.locator(".topbar")).to_contain_text("Ada Rivers")
            await visitor.settle("portal-in-an-iframe", full_page=False)
            # The session cookie works in the frame: the next page is signed in too.
            await frame.get_by_role("link", name="Commissions").click()
            await expect(frame.get_by_role("heading", name="Commissions", exact=True)).to_be_visible()
            cookies = [
                cookie for cookie in await visitor.page.context.cookies() if cookie["name"] == "perks_portal"
            ]
            assert cookies and cookies[0]["sameSite"] == "None" and cookies[0]["secure"]

            with visitor.tolerating("frame-ancestors"):
                await visitor.page.goto(f"{other}/?src={second}")
                await visitor.settle(None)
                await expect(visitor.page.get_by_role("heading", name="Acme Outdoor")).to_be_visible()
                await visitor.page.wait_for_timeout(300)
            assert any(
                "violates the following Content Security Policy directive" in message
                or "Refused to frame" in message
                for message in visitor.seen
            ), (visitor.seen, visitor.problems)
            await expect(visitor.page.frame_locator("iframe").locator(".topbar")).to_have_count(0)


async def test_approve_a_commission_and_mark_a_payout_paid(
    tab: Journey, browser: Browser, shop: Tenant, owner_account: TestUser, server: LiveServer
) -> None:
    async with httpx.AsyncClient(base_url=server.base_url) as api:
        backend = Shop(api, shop)
        made, person = await backend.program(
            "pat@partners.example", "Pat", payoutTerm=0, minimumPayoutAmount=0
        )
        link = await backend.call("POST", "/links", 201, affiliateId=person["id"])
        for index, amount in enumerate(["120.00", "80.00"]):
            email = f"buyer{index}@example.com"
            await backend.call("POST", "/track/signup", 201, email=email, referralCode=link["referralCode"])
            await backend.call("POST", "/track/sale", 201, email=email, amount=amount, invoiceId=f"B-{index}")
        await backend.call(
            "PUT",
            f"/affiliates?affiliateId={person['id']}",
            200,
            payoutMethod="PAYPAL",
            payoutEmail="pat.paypal@partners.example",
        )

    await sign_in(tab, owner_account)
    await tab.page.get_by_role("link", name="Commissions").click()
    await tab.settle("console-commissions")
    first = tab.page.locator("tr", has_text="buyer0@example.com")
    await first.get_by_role("button", name="Approve").click()
    await expect(tab.page.locator("tr", has_text="buyer0@example.com")).to_contain_text("Approved")
    await tab.page.locator("tr", has_text="buyer1@example.com").get_by_role("link", name="Decline…").click()
    await tab.settle("console-commission-decline")
    await tab.page.get_by_role("link", name="Cancel").click()
    await tab.settle(None)

    await tab.page.get_by_role("link", name="Payouts").click()
    await tab.settle(None)
    await tab.page.get_by_role("link", name="Generate payouts…").first.click()
    await tab.settle("console-payouts-generate")
    await expect(tab.page.get_by_text("2 due commissions of 1 partner are gathered")).to_be_visible()
    await tab.submit("Generate payouts", "console-payouts")
    row = tab.page.locator("tr", has_text="Pat Rivers")
    await expect(row).to_contain_text("$40.00")
    await row.get_by_role("link", name="Mark paid…").click()
    await tab.settle("console-payout-pay")
    await expect(tab.page.get_by_text("PayPal to pat.paypal@partners.example")).to_be_visible()
    await tab.submit("Mark paid", "console-payout")
    await expect(tab.page.get_by_role("status")).to_contain_text("marked paid")
    await expect(tab.page.locator("h1")).to_contain_text("paid")

    await tab.page.get_by_role("link", name="Pat Rivers").first.click()
    await tab.settle("console-affiliate")
    await expect(tab.page.locator(".stats")).to_contain_text("$40.00")  # paid to date
    await tab.goto("/console/affiliates/campaigns", "console-affiliate-campaigns")
    await tab.goto(f"/console/affiliates/campaigns/{made['id']}", "console-affiliate-campaign")
    await tab.goto("/console/affiliates/campaigns/new", "console-affiliate-campaign-new")
    await tab.goto("/console/affiliates/new", "console-affiliate-new")
    await tab.goto(f"/console/affiliates/{person['id']}/edit", "console-affiliate-edit")
    await tab.goto(f"/console/affiliates/{person['id']}/disable", "console-affiliate-disable")

    # Pat sees the payout paid in the portal.
    async with httpx.AsyncClient(base_url=server.base_url) as api:
        url = await Shop(api, shop).portal_link(person["id"])
    async with journey(browser, server.base_url, tab.shots) as pat:
        await pat.page.goto(url)
        await pat.settle(None)
        await portal_nav(pat, "Payouts")
        await pat.page.get_by_role("link", name="$40.00").click()
        await pat.settle("portal-payout")
        await expect(pat.page.locator("h1")).to_contain_text("paid")
