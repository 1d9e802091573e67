"""Customers in the console: search through the API's own search (id, email, name, tag, tier) with keyset
paging both ways, a customer's page (tier, wallet, open lines, transactions, events), and manual points
adjustments through the ledger, confirmed before a deduction, audited with the balance before and after."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import httpx

from perks.db.database import Database
from tests.console.test_brands import field_error
from tests.support.catalog import reward
from tests.support.console import ConsoleClient, statements_per_page, unlabelled_controls
from tests.support.events import per_dollar, purchase, sent
from tests.support.programs import new_customer, running_campaign, total
from tests.support.tenants import LOYALTY, Tenant

XSS = "<script>alert(1)</script>"


async def console_id(owner: ConsoleClient, external_id: str) -> str:
    """Our id of a customer (the console's URLs use it), found through the console's own search."""
    page = await owner.get(f"/console/customers?by=id&q={external_id}")
    found = re.search(r'href="/console/customers/([0-9a-f-]{36})"', page.text)
    assert found is not None, page.text
    return found.group(1)


def names(html: str) -> list[str]:
    listing = html.split('id="customers"', 1)[1]
    return re.findall(r'href="/console/customers/[0-9a-f-]{36}">([^<]+)</a>', listing)


def link(html: str, rel: str) -> str:
    found = re.search(rf'rel="{rel}" href="(\?[^"]+)"', html)
    assert found is not None, rel
    return found.group(1).replace("&amp;", "&")


async def api_transactions(
    client: httpx.AsyncClient, tenant: Tenant, external_id: str
) -> list[dict[str, Any]]:
    response = await client.get(
        f"{LOYALTY}/customers/{external_id}/transactions", headers=await tenant.loyalty(client)
    )
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["data"]
    return found


async def funded_customer(client: httpx.AsyncClient, tenant: Tenant, value: int = 25) -> str:
    """Customer "ana" with `value` points from a purchase in a running per-dollar BEHAVIOR campaign."""
    points = await reward(client, tenant, name="Stars")
    await running_campaign(
        client, tenant, "BEHAVIOR", points, rules=per_dollar(points), attributes={"trigger": "PURCHASE"}
    )
    await new_customer(client, tenant, "ana", name="Ana Lopez")
    await sent(client, tenant, purchase(value, "order-1", customer_id="ana"))
    return points


async def test_an_empty_list_says_where_customers_come_from(owner: ConsoleClient) -> None:
    page = await owner.get("/console/customers")
    assert page.status_code == 200
    assert "No customers yet" in page.text and "POST /api/storefront/v1/customers" in page.text
    assert unlabelled_controls(page.text) == []


async def test_search_by_id_email_and_name_pages_forward_and_back(
    client: httpx.AsyncClient, tenant: Tenant, owner: ConsoleClient
) -> None:
    for index in range(30):
        await new_customer(
            client,
            tenant,
            f"cust-{index:02d}",
            name=f"Person {index:02d}",
            email=f"p{index:02d}@shop.example",
        )
    await new_customer(client, tenant, "zed", name="Zoe Zed", email="zoe@other.example")
    first = await owner.get("/console/customers")
    assert names(first.text) == [f"Person {index:02d}" for index in range(25)]  # by id, 25 a page
    assert 'aria-disabled="true">← Previous' in first.text
    second = await owner.get("/console/customers" + link(first.text, "next"))
    assert names(second.text) == [f"Person {index:02d}" for index in range(25, 30)] + ["Zoe Zed"]
    assert 'aria-disabled="true">Next →' in second.text
    back = await owner.get("/console/customers" + link(second.text, "prev"))
    assert names(back.text) == names(first.text)
    assert 'aria-disabled="true">← Previous' in back.text

    by_id = await owner.get("/console/customers?by=id&q=cust-1")
    assert names(by_id.text) == [f"Person {index}" for index in range(10, 20)]
    by_email = await owner.get("/console/customers?q=zoe@")  # an @: the email, found without choosing
    assert names(by_email.text) == ["Zoe Zed"]
    assert '<option value="email" selected>' in by_email.text
    by_name = await owner.get("/console/customers?q=person 2")  # names in any case
    assert names(by_name.text) == [f"Person {index}" for index in range(20, 30)]
    falls_back = await owner.get("/console/customers?q=zed")  # no name starts with it: ids do
    assert names(falls_back.text) == ["Zoe Zed"]
    nothing = await owner.get("/console/customers?q=nobody")
    assert "Nothing matches" in nothing.text and "No customers yet" not in nothing.text
    named = await owner.get("/console/customers?by=name&q=Person")  # paging keeps the search
    more = await owner.get("/console/customers" + link(named.text, "next"))
    assert "q=Person" in link(named.text, "next") and names(more.text) == [
        f"Person {index}" for index in range(25, 30)
    ]
    assert (await owner.get("/console/customers?after=not-a-cursor")).status_code == 400


async def test_tag_and_tier_filters_narrow_the_search(
    client: httpx.AsyncClient, tenant: Tenant, owner: ConsoleClient
) -> None:
    await new_customer(client, tenant, "a1", name="Tagged", tags={"vip": True, "city": "Lima"})
    await new_customer(client, tenant, "a2", name="Plain")
    assert names((await owner.get("/console/customers?tag=city:Lima")).text) == ["Tagged"]
    assert names((await owner.get("/console/customers?tag=vip&q=a")).text) == ["Tagged"]
    tiers = await client.get(f"{LOYALTY}/tiers", headers=await tenant.loyalty(client))
    base = next(tier["id"] for tier in tiers.json()["data"] if tier["name"] == "Base")
    in_base = await owner.get(f"/console/customers?tier={base}")
    assert names(in_base.text) == ["Tagged", "Plain"] and f'<option value="{base}" selected>' in in_base.text


async def test_a_customers_page_shows_tier_wallet_lines_transactions_and_events(
    client: httpx.AsyncClient, tenant: Tenant, owner: ConsoleClient
) -> None:
    await funded_customer(client, tenant, 25)
    customer_id = await console_id(owner, "ana")
    page = await owner.get(f"/console/customers/{customer_id}")
    assert page.status_code == 200
    assert "<h1>Ana Lopez" in page.text and "<code>ana</code>" in page.text and "ana@example.com" in page.text
    totals = page.text.split('id="wallet-totals"', 1)[1].split("</div>\n<h2>", 1)[0]
    assert ">Tier<" in totals and ">Base<" in totals
    assert ">Stars<" in totals and '<div class="value">25</div>' in totals
    lines = page.text.split('id="lines"', 1)[1].split("</table>", 1)[0]
    assert lines.count("<tr>") == 2 and "Stars" in lines  # the header and one line
    history = page.text.split('id="history"', 1)[1]
    assert "accumulation" in history and "+25" in history and "Double points" in history
    events = await owner.get(f"/console/customers/{customer_id}?tab=events")
    history = events.text.split('id="history"', 1)[1]
    assert "<code>PURCHASE</code>" in history and "<code>order-1</code> · 25" in history


async def test_a_grant_adds_a_transaction_the_api_lists_and_the_audit_log_keeps(
    client: httpx.AsyncClient, tenant: Tenant, owner: ConsoleClient, owner_user: Any
) -> None:
    points = await funded_customer(client, tenant, 25)
    customer_id = await console_id(owner, "ana")
    form = await owner.get(f"/console/customers/{customer_id}/adjust")
    assert form.status_code == 200 and unlabelled_controls(form.text) == []
    assert "Stars (points; balance 25)" in form.text
    granted = await owner.post(
        f"/console/customers/{customer_id}/adjust",
        {"direction": "grant", "reward_id": points, "amount": "10.5", "reason": "Late delivery"},
    )
    assert granted.status_code == 303, granted.text
    assert granted.headers["location"] == f"/console/customers/{customer_id}"
    assert await total(client, tenant, "ana", points) == Decimal("35.5")
    page = await owner.get(f"/console/customers/{customer_id}")
    assert "10.5 Stars granted to Ana Lopez: balance 25 → 35.5." in page.text
    assert '<div class="value">35.5</div>' in page.text  # the reward's precision: what its amounts need
    assert f"Adjusted by {owner_user.email}: Late delivery" in page.text and "+10.5" in page.text
    [adjustment] = [item for item in await api_transactions(client, tenant, "ana") if item["details"]]
    assert adjustment["type"] == "ACCUMULATION" and adjustment["amount"] == 10.5
    assert adjustment["details"] == "Late delivery"
    assert adjustment["metadata"] == {"source": "manual_adjustment", "adjusted_by": owner_user.email}
    history = await owner.get(f"/console/audit?object_type=customer&object_id={customer_id}")
    entries = history.text.split('id="entries"', 1)[1]
    assert "adjust" in entries
    assert re.search(
        r"<code>balance</code>: <span class=\"before\">25</span> → <span class=\"after\">35.5", entries
    )


async def test_a_deduction_is_confirmed_first_and_then_spends_the_balance(
    client: httpx.AsyncClient, tenant: Tenant, owner: ConsoleClient
) -> None:
    points = await funded_customer(client, tenant, 25)
    customer_id = await console_id(owner, "ana")
    asked = {"direction": "deduct", "reward_id": points, "amount": "5", "reason": "Returned item"}
    confirm = await owner.post(f"/console/customers/{customer_id}/adjust", asked)
    assert confirm.status_code == 200
    assert "Deduct 5 Stars from Ana Lopez?" in confirm.text
    assert "goes from 25 to 20" in confirm.text and "Returned item" in confirm.text
    assert 'name="confirmed" value="yes"' in confirm.text
    assert await total(client, tenant, "ana", points) == Decimal(25)  # nothing happened yet
    done = await owner.post(f"/console/customers/{customer_id}/adjust", {**asked, "confirmed": "yes"})
    assert done.status_code == 303, done.text
    assert await total(client, tenant, "ana", points) == Decimal(20)
    [deduction] = [
        item for item in await api_transactions(client, tenant, "ana") if item["type"] == "REDEMPTION"
    ]
    assert deduction["amount"] == -5 and deduction["details"] == "Returned item"
    page = await owner.get(f"/console/customers/{customer_id}")
    assert "5 Stars deducted from Ana Lopez: balance 25 → 20." in page.text and ">-5<" in page.text


async def test_a_deduction_beyond_the_balance_or_without_a_reason_is_a_field_error_and_changes_nothing(
    client: httpx.AsyncClient, tenant: Tenant, owner: ConsoleClient
) -> None:
    points = await funded_customer(client, tenant, 25)
    customer_id = await console_id(owner, "ana")
    path = f"/console/customers/{customer_id}/adjust"
    too_much = {"direction": "deduct", "reward_id": points, "amount": "26", "reason": "Typo"}
    for attempt in (too_much, {**too_much, "confirmed": "yes"}):  # also past a stale confirmation
        refused = await owner.post(path, attempt)
        assert refused.status_code == 400
        assert field_error(refused.text, "amount") == (
            "Is more than the 25 Stars the customer has; deduct at most 25"
        )
        assert 'value="26"' in refused.text and ">Typo</textarea>" in refused.text
    no_reason = await owner.post(
        path, {"direction": "grant", "reward_id": points, "amount": "3", "reason": " "}
    )
    assert no_reason.status_code == 400 and field_error(no_reason.text, "reason") == "This field is required."
    bad_amount = await owner.post(
        path, {"direction": "grant", "reward_id": points, "amount": "0", "reason": "x"}
    )
    assert field_error(bad_amount.text, "amount") == "Input should be greater than 0."
    no_reward = await owner.post(
        path, {"direction": "grant", "reward_id": "nope", "amount": "1", "reason": "x"}
    )
    assert field_error(no_reward.text, "reward_id") == "Is not a reward of this account"
    assert await total(client, tenant, "ana", points) == Decimal(25)
    assert len(await api_transactions(client, tenant, "ana")) == 1
    assert (
        "Nothing matches"
        in (await owner.get(f"/console/audit?object_type=customer&object_id={customer_id}")).text
    )


async def test_viewers_read_but_cannot_adjust_and_other_accounts_see_nothing(
    client: httpx.AsyncClient,
    tenant: Tenant,
    owner: ConsoleClient,
    viewer: ConsoleClient,
    other_owner: ConsoleClient,
) -> None:
    points = await funded_customer(client, tenant, 25)
    customer_id = await console_id(owner, "ana")
    seen = await viewer.get(f"/console/customers/{customer_id}")
    assert seen.status_code == 200 and "Adjust points" not in seen.text
    assert (await viewer.get(f"/console/customers/{customer_id}/adjust")).status_code == 403
    refused = await viewer.post(
        f"/console/customers/{customer_id}/adjust",
        {"direction": "grant", "reward_id": points, "amount": "1", "reason": "x", "confirmed": "yes"},
    )
    assert refused.status_code == 403
    assert await total(client, tenant, "ana", points) == Decimal(25)
    for path in (f"/console/customers/{customer_id}", f"/console/customers/{customer_id}/adjust"):
        assert (await other_owner.get(path)).status_code == 404
    stolen = await other_owner.post(
        f"/console/customers/{customer_id}/adjust",
        {"direction": "grant", "reward_id": points, "amount": "1", "reason": "x"},
    )
    assert stolen.status_code == 404
    assert names((await other_owner.get("/console/customers?q=ana")).text) == []


async def test_what_shops_and_users_wrote_is_shown_as_text(
    client: httpx.AsyncClient, tenant: Tenant, owner: ConsoleClient
) -> None:
    points = await reward(client, tenant, name=XSS)
    await new_customer(client, tenant, "x<b>1", name=XSS, tags={"t": XSS})
    listing = await owner.get("/console/customers?by=id&q=x<b>")
    assert XSS not in listing.text and "&lt;script&gt;" in listing.text and "x&lt;b&gt;1" in listing.text
    customer_id = await console_id(owner, "x%3Cb%3E1")
    granted = await owner.post(
        f"/console/customers/{customer_id}/adjust",
        {"direction": "grant", "reward_id": points, "amount": "1", "reason": XSS},
    )
    assert granted.status_code == 303
    page = await owner.get(f"/console/customers/{customer_id}")
    assert XSS not in page.text and page.text.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 3


async def test_pages_run_the_same_statements_for_few_or_many_rows(
    client: httpx.AsyncClient, tenant: Tenant, database: Database, owner: ConsoleClient
) -> None:
    points = await funded_customer(client, tenant, 25)
    customer_id = await console_id(owner, "ana")
    pages = [
        "/console/customers",
        f"/console/customers/{customer_id}",
        f"/console/customers/{customer_id}?tab=events",
    ]
    few = [await statements_per_page(owner, database, path) for path in pages]
    for index in range(30):
        await new_customer(client, tenant, f"more-{index:02d}")
        await sent(client, tenant, purchase(index + 1, f"order-more-{index}", customer_id="ana"))
    other = await reward(client, tenant, name="Coins")
    granted = await owner.post(
        f"/console/customers/{customer_id}/adjust",
        {"direction": "grant", "reward_id": other, "amount": "2", "reason": "A second reward"},
    )
    assert granted.status_code == 303
    many = [await statements_per_page(owner, database, path) for path in pages]
    assert few == many, (few, many)
    assert max(many) <= 8
    assert points
