"""The overview, the console's home: the last 30 days in charts whose numbers (table and CSV) are what was
sent through the API, one grouped query per chart, and a first step to take when there is nothing yet."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI
from sqlalchemy import delete, func, select

from perks.db.database import Database
from perks.kit import clock
from perks.loyalty.events.models import BehaviorEvent
from perks.loyalty.overview.jobs import count_once
from perks.loyalty.overview.models import OverviewHour
from tests.console.test_customers import console_id
from tests.support.catalog import reward
from tests.support.console import ConsoleClient, TestUser, signed_in, statements_per_page
from tests.support.events import per_dollar, purchase, sent
from tests.support.ledger import travel
from tests.support.programs import coupon_campaign, new_customer, post, running_campaign
from tests.support.tenants import Tenant


def table(html: str, chart: str) -> list[list[str]]:
    """The rows of a chart's "Show the numbers" table."""
    figure = html.split(f'aria-labelledby="chart-{chart}-title"', 1)[1].split("</figure>", 1)[0]
    body = figure.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [re.findall(r"<td[^>]*>([^<]*)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", body)]


async def test_the_console_opens_on_the_overview_which_says_how_to_send_a_first_event(
    owner: ConsoleClient,
) -> None:
    home = await owner.get("/console/")
    assert home.status_code == 303 and home.headers["location"] == "/console/overview"
    page = await owner.get("/console/overview")
    assert page.status_code == 200
    assert "No activity yet" in page.text
    assert "BASE=http://perks.test/api/storefront/v1\n" in page.text and "x-api-key: $KEY" in page.text
    assert "$BASE/behavior/events" in page.text
    assert 'href="/console/settings/keys"' in page.text
    assert '<a href="/console/overview" aria-current="page">Overview</a>' in page.text
    csv = await owner.get("/console/overview?chart=events&format=csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.splitlines()
    assert lines[0] == "label,Events" and len(lines) == 31
    assert lines[-1] == f"{clock.now().date().isoformat()[5:]},0"
    assert (await owner.get("/console/overview?chart=nope&format=csv")).status_code == 400


async def test_the_charts_count_what_the_api_was_sent(
    client: httpx.AsyncClient, tenant: Tenant, database: Database, owner: ConsoleClient
) -> None:
    points = await reward(client, tenant, name="Stars")
    await running_campaign(
        client,
        tenant,
        "BEHAVIOR",
        points,
        name="Per dollar",
        rules=per_dollar(points),
        attributes={"trigger": "PURCHASE"},
    )
    await coupon_campaign(client, tenant, "WELCOME", points, name="Welcome coupon")
    await new_customer(client, tenant, "ana")
    await new_customer(client, tenant, "bob")
    await sent(client, tenant, purchase(25, "o-1", customer_id="ana"))
    assert (await owner.get("/console/overview")).status_code == 200  # counts and saves the closed hours
    one = await statements_per_page(owner, database, "/console/overview")
    for value, order, customer in ((10, "o-2", "ana"), (5, "o-3", "bob")):
        await sent(client, tenant, purchase(value, order, customer_id=customer))
    redeemed = await post(
        client, tenant, "/coupons/redeem", {"customer_id": "bob", "code": "welcome", "brand_id": None}
    )
    assert redeemed.status_code == 200, redeemed.text
    customer_id = await console_id(owner, "ana")
    deducted = await owner.post(
        f"/console/customers/{customer_id}/adjust",
        {"direction": "deduct", "reward_id": points, "amount": "7", "reason": "Refund", "confirmed": "yes"},
    )
    assert deducted.status_code == 303

    page = await owner.get("/console/overview")
    assert "No activity yet" not in page.text
    today = clock.now().date().isoformat()[5:]
    assert table(page.text, "events")[-1] == [today, "5"]  # 3 purchases and 2 registrations
    assert len(table(page.text, "events")) == 30
    assert table(page.text, "points")[-1] == [today, "140", "7", "0"]  # 25 + 10 + 5, and 100 by coupon
    assert table(page.text, "coupons")[-1] == [today, "1"]
    assert table(page.text, "customers")[-1] == [today, "2"]
    assert table(page.text, "campaigns") == [["Per dollar", "3"], ["Welcome coupon", "1"]]
    assert '<div class="value">140</div>' in page.text  # points issued over the 30 days
    csv = await owner.get("/console/overview?chart=points&format=csv")
    assert csv.text.splitlines()[0] == "label,Issued,Redeemed,Expired"
    assert csv.text.splitlines()[-1] == f"{today},140,7,0"
    campaigns = await owner.get("/console/overview?chart=campaigns&format=csv")
    assert campaigns.text.splitlines() == ["label,Rewards granted", "Per dollar,3", "Welcome coupon,1"]
    # The user, the saved hours, the open hour's counts (three counts, one walk of the ledger), the rewards'
    # types, the campaigns' names: however many rows.
    assert await statements_per_page(owner, database, "/console/overview") == one == 8


async def test_another_accounts_activity_is_not_counted(
    client: httpx.AsyncClient, tenant: Tenant, owner: ConsoleClient, other_owner: ConsoleClient
) -> None:
    await new_customer(client, tenant, "ana")
    assert table((await owner.get("/console/overview")).text, "customers")[-1][1] == "1"
    assert "No activity yet" in (await other_owner.get("/console/overview")).text


async def test_a_closed_hour_is_counted_once_and_kept(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant, database: Database, owner_user: TestUser
) -> None:
    points = await reward(client, tenant, name="Stars")
    await running_campaign(
        client, tenant, "BEHAVIOR", points, rules=per_dollar(points), attributes={"trigger": "PURCHASE"}
    )
    await new_customer(client, tenant, "ana")
    await sent(client, tenant, purchase(25, "o-1", customer_id="ana"))
    await sent(client, tenant, purchase(10, "o-2", customer_id="ana"))
    sent_on = clock.now().date().isoformat()[5:]
    travel(tenant, timedelta(days=1, minutes=10))  # that hour is over: its figures are for good
    await sent(client, tenant, purchase(5, "o-3", customer_id="ana"))
    now = clock.now()
    today = now.date().isoformat()[5:]
    async with signed_in(app, database, owner_user) as owner:  # a session of the new day
        first = await owner.get("/console/overview")
        assert table(first.text, "events")[-2:] == [[sent_on, "3"], [today, "1"]]  # and a registration
        assert table(first.text, "points")[-2:] == [[sent_on, "35", "0", "0"], [today, "5", "0", "0"]]
        window = datetime.combine(now.date() - timedelta(days=29), datetime.min.time(), tzinfo=UTC)
        open_hour = (now - timedelta(minutes=5)).replace(minute=0, second=0, microsecond=0)
        async with database.transaction() as session:
            saved = await session.scalar(
                select(func.count()).where(OverviewHour.account_id == tenant.account_id)
            )
            assert saved == (open_hour - window) // timedelta(hours=1)  # every closed hour of the 30 days
            # Rows are never taken away from a closed hour; were they, its saved figures would stay.
            await session.execute(delete(BehaviorEvent).where(BehaviorEvent.account_id == tenant.account_id))
        again = await owner.get("/console/overview")
        assert table(again.text, "events")[-2:] == [[sent_on, "3"], [today, "0"]]
        assert table(again.text, "campaigns") == [["Double points", "3"]]


async def test_the_worker_keeps_closed_hours_so_a_first_view_counts_only_the_open_hour(
    client: httpx.AsyncClient, tenant: Tenant, database: Database, owner: ConsoleClient
) -> None:
    await new_customer(client, tenant, "ana")
    assert await count_once(database) >= 1  # every account's closed hours of the 30 days
    async with database.transaction() as session:
        kept = await session.scalar(select(func.count()).where(OverviewHour.account_id == tenant.account_id))
    assert kept is not None and kept >= 29 * 24
    assert await count_once(database) == 0  # nothing new has closed
    # The first view reads the kept hours and counts the open one: the statements of any later view.
    # (No reward or campaign to name: the user, the kept hours, three counts and the ledger.)
    assert await statements_per_page(owner, database, "/console/overview") == 6
    assert table((await owner.get("/console/overview")).text, "customers")[-1][1] == "1"
