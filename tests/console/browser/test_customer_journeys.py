"""The loyalty side of the console in Chromium: a shop creates a BEHAVIOR campaign and sends a purchase
through the API; the overview counts the event; the customer is found by searching as you type, with the
points on their page; a deduction that is too large is refused under its field, then a smaller one is
confirmed and shows as a transaction."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import httpx
from playwright.async_api import expect

from tests.console.browser.test_journeys import sign_in
from tests.support.browser import Journey
from tests.support.console import TestUser
from tests.support.server import LiveServer
from tests.support.tenants import LOYALTY, Tenant


async def shop_sends_a_purchase(api: httpx.AsyncClient, shop: Tenant) -> str:
    """As the README's first integration: a reward, a campaign of a point per dollar, a customer and a
    purchase of 25, all through the API. The reward's id."""
    token = (await api.get(f"{LOYALTY}/auth/authorize", headers={"x-api-key": shop.server_key})).json()[
        "data"
    ]
    auth = {"Authorization": f"Bearer {token}"}

    async def call(path: str, body: dict[str, object]) -> dict[str, object]:
        response = await api.post(f"{LOYALTY}{path}", headers=auth, json=body)
        assert response.status_code in (200, 201), response.text
        data: dict[str, object] = response.json()["data"]
        return data

    reward = await call(
        "/rewards", {"type": "POINTS", "name": "Stars", "attributes": {"conversion_factor": 0.01}}
    )
    rules = [
        {
            "conditions": [],
            "effects": [{"reward_id": reward["id"], "amount": 1, "amount_type": "PER_CURRENCY_UNIT"}],
        }
    ]
    await call(
        "/campaigns?type=BEHAVIOR",
        {
            "name": "A star per dollar",
            "attributes": {"trigger": "PURCHASE"},
            "start_date": datetime.now(UTC).isoformat(),
            "withoutEndDate": True,
            "rules": json.dumps(rules),
        },
    )
    await call("/customers", {"id": "cust-1001", "name": "Ana Lopez", "email": "ana@example.com"})
    await call("/customers", {"id": "cust-1002", "name": "Bruno Diaz", "email": "bruno@example.com"})
    event = await call(
        "/behavior/events",
        {
            "customer_id": "cust-1001",
            "brand_id": None,
            "type": "PURCHASE",
            "order": {"purchase_id": "order-1", "value": 25},
        },
    )
    assert event["result"]["accumulations"][0]["amount"] == 25  # type: ignore[index]
    return str(reward["id"])


async def test_a_purchase_shows_on_the_overview_and_the_customers_page_then_points_are_adjusted(
    tab: Journey, shop: Tenant, owner_account: TestUser, server: LiveServer
) -> None:
    async with httpx.AsyncClient(base_url=server.base_url) as api:
        await shop_sends_a_purchase(api, shop)

    await sign_in(tab, owner_account, then="/console/overview")
    await expect(tab.page.get_by_role("heading", name="Overview")).to_be_visible()
    stats = tab.page.locator(".stats")
    await expect(stats).to_contain_text("Events3")  # the purchase and the two customers' registrations
    await expect(stats).to_contain_text("Points issued25")
    events = tab.page.locator("figure.chart").first
    await events.get_by_text("Show the numbers").click()
    await expect(events.locator("tbody tr").last).to_contain_text(datetime.now(UTC).strftime("%m-%d") + "3")
    await tab.settle("console-overview")

    await tab.page.get_by_role("navigation", name="Sections").get_by_role("link", name="Customers").click()
    await tab.settle("console-customers")
    await tab.page.get_by_placeholder("Search customers").fill("ana")  # search as you type (htmx)
    await expect(tab.page.get_by_role("link", name="Bruno Diaz")).to_have_count(0)
    await expect(tab.page).to_have_url(re.compile(r"/console/customers\?q=ana"))
    await tab.page.get_by_role("link", name="Ana Lopez").click()
    await tab.settle(None)
    await expect(tab.page.locator("#wallet-totals")).to_contain_text("Stars25")
    await expect(tab.page.locator("#history")).to_contain_text("+25")
    await tab.settle("console-customer")

    await tab.page.get_by_role("link", name="Adjust points…").click()
    await tab.settle(None)
    await tab.page.get_by_label("Adjustment").select_option("deduct")
    await tab.page.get_by_label("Reward").select_option(label="Stars (points; balance 25)")
    await tab.page.get_by_label("Amount").fill("30")
    await tab.page.get_by_label("Reason").fill("Returned the hiking boots")
    with tab.expecting(400):
        await tab.submit("Continue", "console-adjust-error")
    await expect(tab.page.locator("#f-amount-error")).to_contain_text("the 25 Stars the customer has")
    await expect(tab.page.get_by_label("Reason")).to_have_value("Returned the hiking boots")
    await tab.page.get_by_label("Amount").fill("5")
    await tab.submit("Continue", "console-deduct-confirm")
    await expect(tab.page.get_by_role("heading", name="Deduct 5 Stars from Ana Lopez?")).to_be_visible()
    await expect(tab.page.locator(".confirm")).to_contain_text("goes from 25 to 20")
    await tab.submit("Deduct 5", None)
    await expect(tab.page.get_by_role("status")).to_have_text(
        "5 Stars deducted from Ana Lopez: balance 25 → 20."
    )
    await expect(tab.page.locator("#wallet-totals")).to_contain_text("Stars20")
    await expect(tab.page.locator("#history tbody tr").first).to_contain_text("Returned the hiking boots")
    await expect(tab.page.locator("#history tbody tr").first).to_contain_text("-5")
    await tab.settle("console-customer-adjusted")

    await tab.page.get_by_role("link", name="Events").click()
    await tab.settle(None)
    await expect(tab.page.locator("#history")).to_contain_text("order-1")
