"""The engine contract: expirations, budgets, effects and facts, on the migrated schema of both databases."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from perks.db.database import Database
from perks.kit import clock
from perks.ledger import service as ledger
from perks.loyalty.campaigns import service as campaigns
from perks.loyalty.customers import service as customers
from perks.loyalty.engine import budgets, effects, expirations
from perks.loyalty.engine.facts import facts_for
from perks.loyalty.events.programs import EventContext
from perks.loyalty.programs import PROGRAMS
from tests.support.catalog import ORDER_OVER, campaign_body, post_campaign, reward
from tests.support.ledger import WalletHandle, registered_wallet
from tests.support.tenants import LOYALTY, Tenant

MOMENT = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("10/days", datetime(2026, 2, 10, 12, 0, tzinfo=UTC)),
        ("2/weeks", datetime(2026, 2, 14, 12, 0, tzinfo=UTC)),
        ("1/months", datetime(2026, 2, 28, 12, 0, tzinfo=UTC)),
        ("12/months", datetime(2027, 1, 31, 12, 0, tzinfo=UTC)),
        ("25/months", datetime(2028, 2, 29, 12, 0, tzinfo=UTC)),
        ("1/years", datetime(2027, 1, 31, 12, 0, tzinfo=UTC)),
    ],
)
def test_expirations_count_calendar_units(value: str, expected: datetime) -> None:
    assert expirations.expires_at(value, MOMENT) == expected


def test_expirations_none_and_bad_values() -> None:
    assert expirations.expires_at(None, MOMENT) is None
    with pytest.raises(ValueError, match="12/months"):
        expirations.expires_at("12 months", MOMENT)


@pytest.mark.parametrize(
    ("period", "start"),
    [
        ("daily", datetime(2026, 1, 31, tzinfo=UTC)),
        ("weekly", datetime(2026, 1, 26, tzinfo=UTC)),  # the Monday
        ("monthly", datetime(2026, 1, 1, tzinfo=UTC)),
        ("total", budgets.EPOCH),
        (None, budgets.EPOCH),
    ],
)
def test_budget_periods(period: str | None, start: datetime) -> None:
    assert budgets.period_start(period, MOMENT) == start


async def _campaign(
    client: httpx.AsyncClient, tenant: Tenant, rules: list[dict[str, Any]], **overrides: Any
) -> str:
    body = campaign_body(await reward(client, tenant), rules=json.dumps(rules), **overrides)
    response = await post_campaign(client, tenant, "BEHAVIOR", body)
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["id"])


async def _grant(
    database: Database,
    handle: WalletHandle,
    campaign_id: str,
    data: dict[str, Any],
    multiplier_base: Decimal | None = None,
) -> list[effects.Grant]:
    """Run effects.grant for customer c1 in a transaction of its own, facts from `data`."""
    async with database.transaction() as session:
        campaign = await campaigns.get_campaign(session, handle.ctx, campaign_id)
        customer = await customers.get(session, handle.ctx, "c1")
        return await effects.grant(
            session,
            handle.ctx,
            campaign=campaign,
            rules=campaign.rules,
            customer=customer,
            wallet_id=handle.wallet_id,
            facts=facts_for("PURCHASE", data, customer, clock.now()),
            entry=ledger.Entry(event_type="PURCHASE"),
            multiplier_base=multiplier_base,
        )


async def test_budget_consume_stops_at_the_cap_and_refund_gives_back(
    client: httpx.AsyncClient, database: Database, tenant: Tenant
) -> None:
    reward_id = await reward(client, tenant)
    effect = {"reward_id": reward_id, "amount": 1}
    campaign_id = await _campaign(
        client, tenant, [{"conditions": [], "effects": [effect]}], budget=10, divide_budget_in="daily"
    )
    ctx = ledger.system_context(tenant.account_id)
    now = clock.now()
    async with database.transaction() as session:
        campaign = await campaigns.get_campaign(session, ctx, campaign_id)
        assert await budgets.consume(session, ctx, campaign, Decimal(6), now)
        assert not await budgets.consume(session, ctx, campaign, Decimal(5), now)
        assert await budgets.consume(session, ctx, campaign, Decimal("4"), now)
        assert not await budgets.consume(session, ctx, campaign, Decimal("0.5"), now)
        assert await budgets.spent(session, ctx, campaign, now) == 10
        # The next day is a new period.
        assert await budgets.consume(session, ctx, campaign, Decimal(10), now + timedelta(days=1))
        await budgets.refund(session, ctx, campaign, Decimal(4), now)
        assert await budgets.spent(session, ctx, campaign, now) == 6
        await budgets.refund(session, ctx, campaign, Decimal(40), now)  # never below zero
        assert await budgets.spent(session, ctx, campaign, now) == 6


async def test_grant_applies_matching_rules_tiers_per_unit_amounts_and_expirations(
    client: httpx.AsyncClient, database: Database, tenant: Tenant
) -> None:
    handle = await registered_wallet(client, database, tenant, "c1")
    points = await reward(client, tenant)
    tiers = (await client.get(f"{LOYALTY}/tiers", headers=await tenant.loyalty(client))).json()["data"]
    base_tier = next(tier["id"] for tier in tiers if tier["level"] == 1)
    gold = await client.post(
        f"{LOYALTY}/tiers", headers=await tenant.loyalty(client), json={"name": "Gold", "level": 2}
    )
    assert gold.status_code == 201, gold.text
    rules = [
        {
            "conditions": [[ORDER_OVER]],
            "effects": [
                {"reward_id": points, "amount": 2, "amount_type": "PER_CURRENCY_UNIT"},
                {"reward_id": points, "amount": 5, "tier_id": base_tier, "expiration_date": "12/months"},
                {"reward_id": points, "amount": 100, "tier_id": gold.json()["data"]["id"]},
            ],
        },
        {"conditions": [[ORDER_OVER | {"value": 1000}]], "effects": [{"reward_id": points, "amount": 7}]},
    ]
    campaign_id = await _campaign(client, tenant, rules, budget=None)
    granted = await _grant(database, handle, campaign_id, {"order": {"value": 20.95}}, Decimal("20.95"))
    assert [grant.amount for grant in granted] == [Decimal("41.9"), Decimal(5)]
    assert granted[1].line["expiration_date"] is not None
    assert granted[0].line["expiration_date"] is None
    assert all(grant.transaction.campaign_id == campaign_id for grant in granted)
    assert await handle.totals() == {points: Decimal("46.9")}


async def test_grant_respects_the_budget(
    client: httpx.AsyncClient, database: Database, tenant: Tenant
) -> None:
    handle = await registered_wallet(client, database, tenant, "c1")
    points = await reward(client, tenant)
    rules = [{"conditions": [], "effects": [{"reward_id": points, "amount": 4}]}]
    campaign_id = await _campaign(client, tenant, rules, budget=10, divide_budget_in="total")
    results = [len(await _grant(database, handle, campaign_id, {})) for _ in range(3)]
    assert results == [1, 1, 0]
    assert await handle.totals() == {points: Decimal(8)}


def test_effect_amounts() -> None:
    per_unit = {"amount": "0.5", "amount_type": "PER_CURRENCY_UNIT"}
    assert effects.effect_amount(per_unit, Decimal("10.01")) == Decimal("5.005")
    assert effects.effect_amount(per_unit, None) is None
    assert effects.effect_amount(per_unit, Decimal(0)) is None
    assert effects.effect_amount({"amount": 3}, None) == Decimal(3)


async def test_facts_describe_the_order_and_the_customer(
    client: httpx.AsyncClient, database: Database, tenant: Tenant
) -> None:
    response = await client.post(
        f"{LOYALTY}/customers",
        headers=await tenant.loyalty(client),
        json={
            "id": "c1",
            "name": "Ana",
            "email": "ana@example.com",
            "gender": "FEMALE",
            "dob": "1990-02-10",
            "tags": {"vip": True},
        },
    )
    assert response.status_code == 201, response.text
    ctx = ledger.system_context(tenant.account_id)
    async with database.transaction(read_only=True) as session:
        customer = await customers.get(session, ctx, "c1")
    data = {
        "platform": "web",
        "brand_id": "b1",
        "tags": ["summer"],
        "order": {
            "value": 20.95,
            "payment_method": "CREDIT",
            "store_id": "s1",
            "shipping": {"value": 4},
            "products": [{"sku": "A", "amount": 2, "value": 5, "tags": ["shoes"]}, {"sku": "B", "value": 10}],
        },
    }
    now = datetime(2026, 2, 10, tzinfo=UTC)
    facts = facts_for("PURCHASE", data, customer, now, tier_id="t1", tier_name="Base")
    assert facts["Order Value"] == Decimal("20.95")
    assert facts["Product SKU"] == ["A", "B"]
    assert facts["Number of Products"] == 3
    assert facts["Shipping Value"] == 4
    assert facts["Product Tag"] == ["shoes"]
    assert facts["Customer Tier"] == ["t1", "Base"]
    assert "vip" in facts["Customer Tag"]
    assert facts["Customer Age"] == 36
    assert facts["Customer Birthday"] == date(1990, 2, 10)
    assert facts["Platform"] == "web"
    assert "Spend Total" not in facts


def test_programs_is_an_open_list() -> None:
    assert isinstance(PROGRAMS, list)
    assert "wallet_id" in EventContext.__dataclass_fields__


def test_the_pipeline_runs_the_declared_programs_without_any_router_imported() -> None:
    """A job or the console imports the events service, never the routers: the programs run all the same."""
    script = (
        "import sys\n"
        "from perks.loyalty.events import service\n"
        "assert not [name for name in sys.modules if name.endswith('.router')], 'a router was imported'\n"
        "print(sorted(program.run.__module__ for program in service.PROGRAMS))\n"
    )
    shown = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert shown.strip() == str(["perks.loyalty.punch_cards.service", "perks.loyalty.referrals.service"])


async def test_effect_amount_type_is_validated_and_kept(client: httpx.AsyncClient, tenant: Tenant) -> None:
    points = await reward(client, tenant)
    bad = [{"conditions": [], "effects": [{"reward_id": points, "amount": 1, "amount_type": "PERCENT"}]}]
    response = await post_campaign(client, tenant, "BEHAVIOR", campaign_body(points, rules=json.dumps(bad)))
    assert response.status_code == 400, response.text
    assert "rules[0].effects[0].amount_type" in response.json()["details"]
    good = [
        {
            "conditions": [],
            "effects": [{"reward_id": points, "amount": 1, "amount_type": "PER_CURRENCY_UNIT"}],
        }
    ]
    response = await post_campaign(client, tenant, "BEHAVIOR", campaign_body(points, rules=json.dumps(good)))
    assert response.status_code == 201, response.text
    assert response.json()["data"]["rules"][0]["effects"][0]["amount_type"] == "PER_CURRENCY_UNIT"
