"""The loyalty catalog in Chromium: a behavior campaign built in its form (a rule error shown next to its
field, then fixed), a coupons campaign with 10,000 codes downloaded as CSV, a reward and a tier."""

from __future__ import annotations

import re
from typing import Any

import httpx
from playwright.async_api import expect

from tests.console.browser.test_journeys import sign_in
from tests.support.browser import Journey
from tests.support.console import TestUser
from tests.support.server import LiveServer
from tests.support.tenants import LOYALTY, Tenant


async def api_reward(server: LiveServer, shop: Tenant, name: str) -> None:
    """The shop's backend creates a points reward through the API."""
    async with httpx.AsyncClient(base_url=server.base_url) as api:
        authorized = await api.get(f"{LOYALTY}/auth/authorize", headers={"x-api-key": shop.server_key})
        headers = {"Authorization": f"Bearer {authorized.json()['data']}"}
        body: dict[str, Any] = {"type": "POINTS", "name": name, "attributes": {"conversion_factor": 0.01}}
        assert (await api.post(f"{LOYALTY}/rewards", headers=headers, json=body)).status_code == 201


def by_id(tab: Journey, element_id: str) -> Any:
    """An element by an id holding brackets (the form's inputs are named like the service's errors)."""
    return tab.page.locator(f'[id="{element_id}"]')


async def test_create_a_behavior_campaign_with_a_rule_error_then_fix_it(
    tab: Journey, owner_account: TestUser, shop: Tenant, server: LiveServer
) -> None:
    await api_reward(server, shop, "Trail points")
    await sign_in(tab, owner_account)
    await tab.goto("/console/campaigns", "console-campaigns-empty")
    await expect(tab.page.get_by_role("heading", name="No campaigns yet")).to_be_visible()
    await tab.page.get_by_role("link", name="Create your first campaign").click()
    await tab.settle("console-campaign-new")
    await tab.page.get_by_role("link", name="Behavior").click()
    await tab.settle(None)
    await tab.page.get_by_label("Name").fill("Weekend double points")
    await tab.submit("+ Add a condition")  # the row comes back from the server, the rest as typed
    await expect(tab.page.get_by_label("Name")).to_have_value("Weekend double points")
    await tab.page.get_by_label("Condition", exact=True).select_option("Order Value")
    await tab.page.get_by_label("Operator", exact=True).select_option("greater than")
    await tab.page.get_by_label("Value", exact=True).fill("lots")
    await tab.page.get_by_label("Reward", exact=True).select_option(label="Trail points (POINTS)")
    await tab.page.get_by_label("Amount", exact=True).fill("2")
    await tab.page.get_by_label("Expires after").fill("12/months")
    with tab.expecting(400):
        await tab.submit("Create campaign", "console-campaign-rule-error")
    error = by_id(tab, "f-rules[0].conditions[0][0].value-error")
    await expect(error).to_have_text("Not a number: 'lots'")
    await expect(by_id(tab, "f-rules[0].conditions[0][0].value")).to_have_attribute("aria-invalid", "true")
    await expect(tab.page.get_by_label("Expires after")).to_have_value("12/months")

    await tab.page.get_by_label("Value", exact=True).fill("50")
    async with tab.page.expect_navigation():
        await tab.page.get_by_label("Value", exact=True).press("Enter")  # Enter saves; it adds no row
    await tab.settle("console-campaign")
    await expect(tab.page.get_by_role("status")).to_contain_text("Campaign “Weekend double points” created.")
    await expect(tab.page.locator("dl.facts")).to_contain_text(
        "When Order Value greater than 50: 2 of Trail points, expiring 12 months after they are given."
    )
    await tab.page.get_by_role("link", name="Edit").click()
    await tab.settle("console-campaign-edit")
    await tab.page.get_by_role("link", name="Weekend double points").click()
    await tab.settle(None)
    await tab.page.get_by_role("link", name="Pause…").click()
    await tab.settle("console-campaign-pause")
    await tab.submit("Pause campaign")
    await expect(tab.page.get_by_role("status")).to_contain_text("paused")
    await tab.goto("/console/campaigns?status=PAUSED", "console-campaigns")
    await expect(tab.page.get_by_role("link", name="Weekend double points")).to_be_visible()


async def test_create_a_coupons_campaign_with_10000_codes_and_download_them(
    tab: Journey, owner_account: TestUser, shop: Tenant, server: LiveServer
) -> None:
    await api_reward(server, shop, "Welcome points")
    await sign_in(tab, owner_account)
    await tab.goto("/console/campaigns/new?type=COUPONS")
    await tab.page.get_by_label("Name").fill("Spring launch codes")
    await tab.page.get_by_label("Generated codes start with").fill("SPRING-")
    await tab.page.get_by_label("How many codes").fill("10000")
    await tab.page.get_by_label("Reward", exact=True).select_option(label="Welcome points (POINTS)")
    await tab.page.get_by_label("Amount", exact=True).fill("100")
    await tab.settle("console-campaign-coupons-form")
    await tab.submit("Create campaign", "console-campaign-coupons")
    await expect(tab.page.locator(".stat", has_text="Codes")).to_contain_text("10,000")
    await expect(tab.page.locator("#codes tbody tr")).to_have_count(25)
    async with tab.page.expect_download() as started:
        await tab.page.get_by_role("link", name="Download all codes (CSV)").click()
    download = await started.value
    assert re.fullmatch(r"codes-[0-9a-f-]{36}-\d{4}-\d\d-\d\d\.csv", download.suggested_filename)
    lines = (await download.path()).read_text().splitlines()
    assert lines[0] == "code,status,redeemed_at,customer_id"
    assert len(lines) == 10_001
    assert all(re.fullmatch(r"SPRING-[2-9A-Z]{8},AVAILABLE,,", line) for line in lines[1:])
    assert len(set(lines)) == 10_001


async def test_create_a_reward_and_a_tier(tab: Journey, owner_account: TestUser) -> None:
    await sign_in(tab, owner_account)
    await tab.goto("/console/rewards", "console-rewards-empty")
    await tab.page.get_by_role("link", name="New reward").click()
    await tab.settle("console-reward-new")
    await tab.page.get_by_role("link", name="Discount").click()
    await tab.settle(None)
    await tab.page.get_by_label("Name").fill("Free shipping")
    await tab.page.get_by_label("Discount").select_option("PERCENTAGE")
    await tab.page.get_by_label("Value").fill("100")
    await tab.page.get_by_label("Off", exact=True).select_option("SHIPPING")
    await tab.settle("console-reward-form")
    await tab.submit("Create reward")
    await expect(tab.page.get_by_role("status")).to_contain_text("Reward “Free shipping” created.")
    await expect(tab.page.get_by_role("cell", name="100% off the shipping")).to_be_visible()
    await tab.settle("console-rewards")

    await tab.page.get_by_role("link", name="Tiers").click()
    await tab.settle(None)
    await expect(tab.page.get_by_role("link", name="Base")).to_be_visible()
    await tab.page.get_by_role("link", name="New tier").click()
    await tab.settle(None)
    await tab.page.get_by_label("Name").fill("Summit")
    entry = tab.page.locator('[id="f-entry_conditions"]')
    async with tab.page.expect_navigation():
        await entry.get_by_role("button", name="+ Add a condition").click()
    await tab.settle(None)
    await tab.page.get_by_label("Condition", exact=True).select_option("Spend Total")
    await tab.page.get_by_label("Operator", exact=True).select_option("greater than or equal")
    await tab.page.get_by_label("Value", exact=True).fill("500")
    await tab.settle("console-tier-form")
    await tab.submit("Create tier")
    await expect(tab.page.get_by_role("status")).to_contain_text("Tier “Summit” created.")
    await expect(tab.page.get_by_role("row", name=re.compile("Summit"))).to_contain_text(
        "Spend Total greater than or equal 500"
    )
    await tab.settle("console-tiers")
