"""Rule 13 and coupon codes: generation, formats, custom codes, confirm_changes, CODES_SUMMARY."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import update

from perks.db.database import Database
from perks.kit import clock
from perks.loyalty.coupons.generator import ALPHABET
from perks.loyalty.coupons.models import CouponCode
from tests.support.catalog import (
    campaign_body,
    error,
    get_campaign,
    post_campaign,
    put_campaign,
    reward,
)
from tests.support.tenants import LOYALTY, Tenant

SUMMARY = "?includes=CODES_SUMMARY"


def coupons(reward_id: str, **overrides: Any) -> dict[str, Any]:
    return campaign_body(reward_id, **({"attributes": {}} | overrides))


async def new_coupons(
    client: httpx.AsyncClient, tenant: Tenant, **overrides: Any
) -> tuple[str, dict[str, Any]]:
    body = coupons(await reward(client, tenant), **overrides)
    response = await post_campaign(client, tenant, "COUPONS", body)
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["id"]), body


async def summary(
    client: httpx.AsyncClient, tenant: Tenant, campaign_id: str, query: str = ""
) -> dict[str, Any]:
    campaign = await get_campaign(client, tenant, campaign_id, SUMMARY + query)
    result: dict[str, Any] = campaign["attributes"]["codes_summary"]
    return result


async def redeem(database: Database, tenant: Tenant, code: str, customer_id: str) -> None:
    async with database.transaction() as session:
        await session.execute(
            update(CouponCode)
            .where(CouponCode.account_id == tenant.account_id, CouponCode.code == code)
            .values(redeemed_at=clock.now(), redeemed_by=customer_id)
        )


async def test_generated_codes_follow_the_default_format(client: httpx.AsyncClient, tenant: Tenant) -> None:
    campaign_id, _ = await new_coupons(client, tenant, quantity=50)
    codes = await summary(client, tenant, campaign_id)
    assert (codes["total"], codes["used"], codes["left"], codes["codes_usage"]) == (50, 0, 50, [])
    assert len(codes["codes"]) == 50 and len(set(codes["codes"])) == 50
    assert all(len(code) == 8 and set(code) <= set(ALPHABET) for code in codes["codes"])
    assert not set("01IO") & set("".join(codes["codes"]))


async def test_prefix_postfix_and_pattern(client: httpx.AsyncClient, tenant: Tenant) -> None:
    config = {"prefix": "sum-", "pattern": "####-####", "postfix": "-x"}
    campaign_id, _ = await new_coupons(client, tenant, quantity=20, attributes={"code_config": config})
    codes = (await summary(client, tenant, campaign_id))["codes"]
    for code in codes:
        assert code.startswith("SUM-") and code.endswith("-X") and code[8] == "-" and len(code) == 15
    stored = await get_campaign(client, tenant, campaign_id)
    assert stored["attributes"]["code_config"] == {"prefix": "SUM-", "pattern": "####-####", "postfix": "-X"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"quantity": 0}, "quantity"),
        ({"quantity": None}, "quantity"),
        ({"quantity": 20_000, "attributes": {"code_config": {"length": 4}}}, "quantity"),
        ({"quantity": 10_000_001}, "quantity"),
        ({"quantity": 5, "attributes": {"code_config": {"length": 3}}}, "attributes.code_config.length"),
        (
            {"quantity": 5, "attributes": {"code_config": {"pattern": "AB-##"}}},
            "attributes.code_config.pattern",
        ),
        (
            {"quantity": 5, "attributes": {"code_config": {"prefix": "no spaces"}}},
            "attributes.code_config.prefix",
        ),
    ],
)
async def test_rule_13_quantity_and_format_limits(
    client: httpx.AsyncClient, tenant: Tenant, change: dict[str, Any], field: str
) -> None:
    body = coupons(await reward(client, tenant)) | change
    details = error(await post_campaign(client, tenant, "COUPONS", body), 400)["details"]
    assert details.startswith(field)


async def test_rule_13_the_safe_limit_names_the_code_space(client: httpx.AsyncClient, tenant: Tenant) -> None:
    body = coupons(await reward(client, tenant), quantity=20_000, attributes={"code_config": {"length": 4}})
    details = error(await post_campaign(client, tenant, "COUPONS", body), 400)["details"]
    assert "at most 10485 codes" in details
    headers = await tenant.loyalty(client)
    assert (await client.get(f"{LOYALTY}/campaigns", headers=headers)).json()["count"] == 0


async def test_rule_13_custom_codes(client: httpx.AsyncClient, tenant: Tenant) -> None:
    campaign_id, _ = await new_coupons(
        client, tenant, useCustomCodes=True, customCodes=" Summer10 , vip,, WELCOME "
    )
    codes = await summary(client, tenant, campaign_id)
    assert sorted(codes["codes"]) == ["SUMMER10", "VIP", "WELCOME"]
    assert (await get_campaign(client, tenant, campaign_id))["quantity"] == 3


@pytest.mark.parametrize(
    ("custom", "problem"),
    [(" , ,", "at least one non-empty code"), ("A1,b2,a1", "duplicate codes"), (None, "at least one")],
)
async def test_rule_13_custom_codes_are_checked(
    client: httpx.AsyncClient, tenant: Tenant, custom: str | None, problem: str
) -> None:
    body = coupons(await reward(client, tenant), useCustomCodes=True, customCodes=custom)
    details = error(await post_campaign(client, tenant, "COUPONS", body), 400)["details"]
    assert details.startswith("customCodes") and problem in details


async def test_rule_13_codes_are_unique_per_account_case_insensitively(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    await new_coupons(client, tenant, useCustomCodes=True, customCodes="SPRING")
    body = coupons(await reward(client, tenant), useCustomCodes=True, customCodes="new1,spring")
    details = error(await post_campaign(client, tenant, "COUPONS", body), 400)["details"]
    assert details == "customCodes: codes already used in your account: SPRING"
    # Another account has a code space of its own.
    await new_coupons(client, other_tenant, useCustomCodes=True, customCodes="spring")


async def test_coupon_fields_belong_to_coupons_only(client: httpx.AsyncClient, tenant: Tenant) -> None:
    body = campaign_body(await reward(client, tenant), quantity=10)
    assert error(await post_campaign(client, tenant, "BEHAVIOR", body), 400)["details"].startswith("quantity")


async def test_rule_13_quantity_changes_need_confirmation(client: httpx.AsyncClient, tenant: Tenant) -> None:
    campaign_id, body = await new_coupons(client, tenant, quantity=10)
    unconfirmed = await put_campaign(client, tenant, campaign_id, "COUPONS", body | {"quantity": 15})
    assert error(unconfirmed, 400)["details"].startswith("confirm_changes")
    assert (await summary(client, tenant, campaign_id))["total"] == 10
    grown = await put_campaign(
        client, tenant, campaign_id, "COUPONS", body | {"quantity": 15, "confirm_changes": True}
    )
    assert grown.status_code == 200, grown.text
    assert (await summary(client, tenant, campaign_id))["total"] == 15
    same = await put_campaign(
        client, tenant, campaign_id, "COUPONS", body | {"quantity": 15, "name": "Renamed"}
    )
    assert same.status_code == 200, same.text


async def test_rule_13_shrinking_or_reformatting_never_deletes_redeemed_codes(
    client: httpx.AsyncClient, tenant: Tenant, database: Database
) -> None:
    campaign_id, body = await new_coupons(client, tenant, quantity=10)
    redeemed = (await summary(client, tenant, campaign_id))["codes"][:3]
    for code in redeemed:
        await redeem(database, tenant, code, "customer-1")
    too_small = body | {"quantity": 2, "confirm_changes": True}
    assert (
        "3 codes already redeemed"
        in error(await put_campaign(client, tenant, campaign_id, "COUPONS", too_small), 400)["details"]
    )
    shrunk = await put_campaign(
        client, tenant, campaign_id, "COUPONS", body | {"quantity": 5, "confirm_changes": True}
    )
    assert shrunk.status_code == 200, shrunk.text
    after = await summary(client, tenant, campaign_id)
    assert (after["total"], after["used"], after["left"]) == (5, 3, 2)
    assert {usage["code"] for usage in after["codes_usage"]} == set(redeemed)

    reformatted = body | {
        "quantity": 6,
        "confirm_changes": True,
        "attributes": {"code_config": {"prefix": "NEW-"}},
    }
    assert (await put_campaign(client, tenant, campaign_id, "COUPONS", reformatted)).status_code == 200
    final = await summary(client, tenant, campaign_id)
    assert (final["total"], final["used"]) == (6, 3)
    assert all(code.startswith("NEW-") for code in final["codes"])


async def test_codes_summary_for_a_customer_and_in_lists(
    client: httpx.AsyncClient, tenant: Tenant, database: Database
) -> None:
    campaign_id, _ = await new_coupons(client, tenant, useCustomCodes=True, customCodes="A1,B2,C3")
    await redeem(database, tenant, "A1", "ana")
    await redeem(database, tenant, "B2", "bob")
    for_ana = await summary(client, tenant, campaign_id, "&customer_id=ana")
    assert (for_ana["used"], for_ana["total"], for_ana["left"], for_ana["codes"]) == (1, 3, 1, ["C3"])
    assert [usage["code"] for usage in for_ana["codes_usage"]] == ["A1"]
    headers = await tenant.loyalty(client)
    listed = await client.get(f"{LOYALTY}/campaigns?type=COUPONS&includes=CODES_SUMMARY", headers=headers)
    assert listed.json()["data"][0]["attributes"]["codes_summary"]["used"] == 2
    plain = await get_campaign(client, tenant, campaign_id)
    assert "codes_summary" not in plain["attributes"]
    bad = await client.get(f"{LOYALTY}/campaigns/{campaign_id}?includes=EVERYTHING", headers=headers)
    assert error(bad, 400)["details"].startswith("includes")


async def test_deleting_a_coupons_campaign(
    client: httpx.AsyncClient, tenant: Tenant, database: Database
) -> None:
    headers = await tenant.loyalty(client)
    unused, _ = await new_coupons(client, tenant, useCustomCodes=True, customCodes="FREE1")
    assert (await client.delete(f"{LOYALTY}/campaigns/{unused}", headers=headers)).status_code == 200
    # Its codes went with it: the code is free again.
    used, _ = await new_coupons(client, tenant, useCustomCodes=True, customCodes="FREE1")
    await redeem(database, tenant, "FREE1", "ana")
    assert error(await client.delete(f"{LOYALTY}/campaigns/{used}", headers=headers), 409)


async def test_generated_codes_skip_codes_the_account_already_has(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    # 4 random characters: 1,048,576 codes. Two campaigns of 10,000 collide about 95 times; the second one
    # must still get 10,000 codes of its own (the collisions are skipped and topped up).
    short = {"code_config": {"length": 4}}
    first, _ = await new_coupons(client, tenant, quantity=10_000, attributes=short)
    second, _ = await new_coupons(client, tenant, quantity=10_000, attributes=short)
    for campaign_id in (first, second):
        assert (await summary(client, tenant, campaign_id))["total"] == 10_000


async def test_custom_codes_can_be_replaced_keeping_redeemed_ones(
    client: httpx.AsyncClient, tenant: Tenant, database: Database
) -> None:
    campaign_id, body = await new_coupons(client, tenant, useCustomCodes=True, customCodes="OLD1,OLD2")
    await redeem(database, tenant, "OLD1", "ana")
    unconfirmed = await put_campaign(client, tenant, campaign_id, "COUPONS", body | {"customCodes": "NEW1"})
    assert error(unconfirmed, 400)["details"].startswith("confirm_changes")
    replaced = body | {"customCodes": "new1, new2", "confirm_changes": True}
    assert (await put_campaign(client, tenant, campaign_id, "COUPONS", replaced)).status_code == 200
    codes = await summary(client, tenant, campaign_id)
    assert (sorted(codes["codes"]), codes["used"], codes["total"]) == (["NEW1", "NEW2"], 1, 3)
    assert (await get_campaign(client, tenant, campaign_id))["quantity"] == 3
    # Sending the same list again changes nothing and needs no confirmation.
    again = body | {"customCodes": "NEW2,new1"}
    assert (await put_campaign(client, tenant, campaign_id, "COUPONS", again)).status_code == 200
    assert (await summary(client, tenant, campaign_id))["total"] == 3
