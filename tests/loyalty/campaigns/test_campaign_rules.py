"""The fifteen documented campaign write rules, each through the API."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest

from perks.kit import clock
from tests.support.catalog import (
    campaign_body,
    create,
    error,
    get_campaign,
    iso,
    new_campaign,
    post_campaign,
    put_campaign,
    reward,
    rules,
    travel,
)
from tests.support.tenants import LOYALTY, Tenant


async def count_campaigns(client: httpx.AsyncClient, tenant: Tenant) -> int:
    response = await client.get(f"{LOYALTY}/campaigns", headers=await tenant.loyalty(client))
    return int(response.json()["count"])


# 1. server token; account_id never in the body


async def test_rule_1_writes_need_a_server_token(client: httpx.AsyncClient, tenant: Tenant) -> None:
    campaign_id, body = await new_campaign(client, tenant)
    public = await tenant.loyalty(client, public=True)
    assert error(await client.post(f"{LOYALTY}/campaigns?type=BEHAVIOR", headers=public, json=body), 403)
    put = await client.put(f"{LOYALTY}/campaigns/{campaign_id}?type=BEHAVIOR", headers=public, json=body)
    error(put, 403)
    error(await client.delete(f"{LOYALTY}/campaigns/{campaign_id}", headers=public), 403)
    assert await count_campaigns(client, tenant) == 1


async def test_rule_1_a_body_carrying_account_id_is_rejected(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    body = campaign_body(await reward(client, tenant), account_id=tenant.account_id)
    response = error(await post_campaign(client, tenant, "BEHAVIOR", body), 400)
    assert response["details"].startswith("account_id:")
    assert await count_campaigns(client, tenant) == 0


# 2. type query parameter


async def test_rule_2_type_is_required_valid_and_never_in_the_body(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    body = campaign_body(await reward(client, tenant))
    headers = await tenant.loyalty(client)
    assert (
        "type" in error(await client.post(f"{LOYALTY}/campaigns", headers=headers, json=body), 400)["details"]
    )
    error(await post_campaign(client, tenant, "LOTTERY", body), 400)
    in_body = error(await post_campaign(client, tenant, "BEHAVIOR", body | {"type": "BEHAVIOR"}), 400)
    assert in_body["details"].startswith("type:")
    assert await count_campaigns(client, tenant) == 0


async def test_rule_2_update_type_must_match_the_stored_type(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    campaign_id, body = await new_campaign(client, tenant)
    response = error(await put_campaign(client, tenant, campaign_id, "PUNCH_CARDS", body), 400)
    assert "BEHAVIOR" in response["details"]


# 3. not found


async def test_rule_3_missing_and_foreign_campaigns_are_404(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs, body = await new_campaign(client, other_tenant)
    headers = await tenant.loyalty(client)
    for campaign_id in (theirs, "00000000-0000-7000-8000-000000000000"):
        got = error(await client.get(f"{LOYALTY}/campaigns/{campaign_id}", headers=headers), 404)
        assert got["error"] == "Campaign not found"
        body_here = campaign_body(await reward(client, tenant))
        error(await put_campaign(client, tenant, campaign_id, "BEHAVIOR", body_here), 404)
        error(await client.delete(f"{LOYALTY}/campaigns/{campaign_id}", headers=headers), 404)
    assert (await get_campaign(client, other_tenant, theirs))["name"] == body["name"]


# 4. rules


@pytest.mark.parametrize(
    ("rules_value", "field"),
    [
        ("not json", "rules"),
        ("[]", "rules"),
        ('{"effects": []}', "rules"),
        ('[{"conditions": [], "effects": []}]', "rules[0].effects"),
    ],
)
async def test_rule_4_rules_is_a_json_string_with_a_rule(
    client: httpx.AsyncClient, tenant: Tenant, rules_value: str, field: str
) -> None:
    body = campaign_body(await reward(client, tenant), rules=rules_value)
    assert error(await post_campaign(client, tenant, "BEHAVIOR", body), 400)["details"].startswith(field)


async def test_rule_4_rules_as_an_array_is_rejected(client: httpx.AsyncClient, tenant: Tenant) -> None:
    reward_id = await reward(client, tenant)
    body = campaign_body(reward_id, rules=json.loads(rules(reward_id)))
    assert "rules" in error(await post_campaign(client, tenant, "BEHAVIOR", body), 400)["details"]


async def test_rule_4_referrals_need_main_rules_too(client: httpx.AsyncClient, tenant: Tenant) -> None:
    reward_id = await reward(client, tenant)
    body = campaign_body(reward_id, rules="[]", referee_rules_json=rules(reward_id))
    assert error(await post_campaign(client, tenant, "REFERRALS", body), 400)["details"].startswith("rules")


@pytest.mark.parametrize(
    ("effect", "field"),
    [
        ({"amount": 0}, "rules[0].effects[0].amount"),
        ({"amount": "lots"}, "rules[0].effects[0].amount"),
        ({"tier_id": "00000000-0000-7000-8000-000000000000"}, "rules[0].effects[0].tier_id"),
        ({"expiration_date": "12 months"}, "rules[0].effects[0].expiration_date"),
        ({"type": "DISCOUNT"}, "rules[0].effects[0].type"),
    ],
)
async def test_rule_4_effects_are_checked(
    client: httpx.AsyncClient, tenant: Tenant, effect: dict[str, object], field: str
) -> None:
    reward_id = await reward(client, tenant)
    others = {key: value for key, value in effect.items() if key != "amount"}
    body = campaign_body(reward_id, rules=rules(reward_id, effect.get("amount", 1), **others))
    assert error(await post_campaign(client, tenant, "BEHAVIOR", body), 400)["details"].startswith(field)


async def test_rule_4_effects_need_a_reward_of_this_account(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = await reward(client, other_tenant)
    body = campaign_body(await reward(client, tenant), rules=rules(theirs))
    response = error(await post_campaign(client, tenant, "BEHAVIOR", body), 400)
    assert response["details"].startswith("rules[0].effects[0].reward_id")


async def test_rule_4_effects_with_tier_and_expiry_are_stored(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    reward_id = await reward(client, tenant)
    tier = await create(client, tenant, "/tiers", {"name": "Gold"})
    body = campaign_body(
        reward_id, rules=rules(reward_id, 2.5, tier_id=tier["id"], expiration_date="12/months")
    )
    created = (await post_campaign(client, tenant, "BEHAVIOR", body)).json()["data"]
    [effect] = created["rules"][0]["effects"]
    assert effect == {
        "reward_id": reward_id,
        "amount": 2.5,
        "tier_id": tier["id"],
        "expiration_date": "12/months",
        "type": "POINTS",
    }


@pytest.mark.parametrize(
    ("condition", "accepted"),
    [
        ({"type": "Order Value", "operator": "grater than", "primitive": "string", "value": 9.95}, True),
        ({"type": "Order Value", "operator": "greater than", "primitive": "currency", "value": 9.95}, True),
        ({"type": "Product SKU", "operator": "in", "primitive": "string", "value": ["A", "B"]}, True),
        (
            {
                "type": "Customer Birthday",
                "operator": "same day",
                "primitive": "recurring date",
                "value": "year",
            },
            True,
        ),
        ({"type": "Moon Phase", "operator": "equal", "primitive": "string", "value": "full"}, False),
        ({"type": "Order Value", "operator": "roughly", "primitive": "number", "value": 1}, False),
        ({"type": "Order Value", "operator": "equal", "primitive": "colour", "value": 1}, False),
        ({"type": "Order Value", "operator": "equal", "primitive": "number", "value": "ten"}, False),
    ],
)
async def test_rule_4_conditions_follow_the_published_catalogue(
    client: httpx.AsyncClient, tenant: Tenant, condition: dict[str, object], accepted: bool
) -> None:
    reward_id = await reward(client, tenant)
    rule = [{"conditions": [[condition]], "effects": [{"reward_id": reward_id, "amount": 1}]}]
    response = await post_campaign(
        client, tenant, "BEHAVIOR", campaign_body(reward_id, rules=json.dumps(rule))
    )
    if accepted:
        assert response.status_code == 201, response.text
    else:
        assert error(response, 400)["details"].startswith("rules[0].conditions[0][0]")


async def test_the_condition_catalogue_is_published(client: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await client.get(f"{LOYALTY}/conditions/catalogue", headers=await tenant.loyalty(client))
    catalogue = response.json()["data"]
    order_value = next(item for item in catalogue["types"] if item["type"] == "Order Value")
    assert {"grater than", "greater than"} <= set(order_value["operators"])
    assert "absolute date" in catalogue["primitives"]


# 5. metadata


@pytest.mark.parametrize("metadata", ["not json", "[1, 2]", '"text"', "42"])
async def test_rule_5_metadata_is_a_json_object_string(
    client: httpx.AsyncClient, tenant: Tenant, metadata: str
) -> None:
    body = campaign_body(await reward(client, tenant), metadata=metadata)
    assert error(await post_campaign(client, tenant, "BEHAVIOR", body), 400)["details"].startswith("metadata")


async def test_rule_5_metadata_object_is_returned_as_an_object(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    campaign_id, _ = await new_campaign(client, tenant)
    assert (await get_campaign(client, tenant, campaign_id))["metadata"] == {"owner": "growth"}


# 6. budget


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"budget": 0}, "budget"),
        ({"budget": 0.5}, "budget"),
        ({"divide_budget_in": "yearly"}, "divide_budget_in"),
    ],
)
async def test_rule_6_budget_and_its_period(
    client: httpx.AsyncClient, tenant: Tenant, change: dict[str, object], field: str
) -> None:
    body = campaign_body(await reward(client, tenant), **change)
    assert error(await post_campaign(client, tenant, "BEHAVIOR", body), 400)["details"].startswith(field)


async def test_rule_6_every_budget_period_is_accepted(client: httpx.AsyncClient, tenant: Tenant) -> None:
    reward_id = await reward(client, tenant)
    for period in ("daily", "weekly", "monthly", "total"):
        response = await post_campaign(
            client, tenant, "BEHAVIOR", campaign_body(reward_id, divide_budget_in=period, budget=1)
        )
        assert response.json()["data"]["divide_budget_in"] == period
        assert response.json()["data"]["budget"] == 1


# 7. labels and platforms


@pytest.mark.parametrize("field", ["labels", "platforms"])
async def test_rule_7_labels_and_platforms_are_select_values(
    client: httpx.AsyncClient, tenant: Tenant, field: str
) -> None:
    reward_id = await reward(client, tenant)
    for bad in (["summer"], [{"label": "Summer"}], "summer"):
        response = await post_campaign(client, tenant, "BEHAVIOR", campaign_body(reward_id, **{field: bad}))
        assert error(response, 400)["details"].startswith(field)


async def test_rule_7_labels_filter(client: httpx.AsyncClient, tenant: Tenant) -> None:
    summer, _ = await new_campaign(client, tenant)
    winter, _ = await new_campaign(client, tenant, labels=[{"label": "Winter", "value": "winter"}])
    await new_campaign(client, tenant, labels=[])
    headers = await tenant.loyalty(client)
    listed = await client.get(f"{LOYALTY}/campaigns?labels=summer,winter", headers=headers)
    assert {item["id"] for item in listed.json()["data"]} == {summer, winter}
    only = await client.get(f"{LOYALTY}/campaigns?labels=winter", headers=headers)
    assert [item["id"] for item in only.json()["data"]] == [winter]


# 8. derived status


async def test_rule_8_status_is_derived_from_the_stored_status_and_dates(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    active, _ = await new_campaign(client, tenant)
    paused, _ = await new_campaign(client, tenant, status="INACTIVE")
    assert (await get_campaign(client, tenant, active))["status"] == "SCHEDULED"
    assert (await get_campaign(client, tenant, paused))["status"] == "PAUSED"
    travel(tenant, timedelta(hours=2))
    assert (await get_campaign(client, tenant, active))["status"] == "RUNNING"
    headers = await tenant.loyalty(client)
    running = await client.get(f"{LOYALTY}/campaigns?status=RUNNING", headers=headers)
    assert [item["id"] for item in running.json()["data"]] == [active]
    travel(tenant, timedelta(days=31))
    assert (await get_campaign(client, tenant, active))["status"] == "FINISHED"
    assert (await get_campaign(client, tenant, paused))["status"] == "FINISHED"
    headers = await tenant.loyalty(client)
    finished = await client.get(f"{LOYALTY}/campaigns?status=FINISHED", headers=headers)
    assert {item["id"] for item in finished.json()["data"]} == {active, paused}
    not_finished = await client.get(f"{LOYALTY}/campaigns?status=NOT%20FINISHED", headers=headers)
    assert not_finished.json()["data"] == []


async def test_rule_8_only_active_or_inactive_is_accepted(client: httpx.AsyncClient, tenant: Tenant) -> None:
    body = campaign_body(await reward(client, tenant), status="RUNNING")
    assert error(await post_campaign(client, tenant, "BEHAVIOR", body), 400)["details"].startswith("status")


# 9. start_date


@pytest.mark.parametrize(
    ("start", "problem"),
    [(timedelta(days=-1), "today or later"), (timedelta(days=366), "less than one year")],
)
async def test_rule_9_start_date_on_create(
    client: httpx.AsyncClient, tenant: Tenant, start: timedelta, problem: str
) -> None:
    body = campaign_body(
        await reward(client, tenant), start_date=iso(start), withoutEndDate=True, end_date=None
    )
    details = error(await post_campaign(client, tenant, "BEHAVIOR", body), 400)["details"]
    assert details.startswith("start_date") and problem in details


async def test_rule_9_start_date_earlier_today_is_accepted(client: httpx.AsyncClient, tenant: Tenant) -> None:
    today = clock.now().replace(hour=0, minute=0, second=0, microsecond=0)
    body = campaign_body(await reward(client, tenant), start_date=today.isoformat())
    response = await post_campaign(client, tenant, "BEHAVIOR", body)
    assert response.status_code == 201, response.text
    assert response.json()["data"]["status"] == "RUNNING"


async def test_rule_9_start_date_on_update_of_a_scheduled_campaign(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    campaign_id, body = await new_campaign(client, tenant)
    moved = await put_campaign(
        client, tenant, campaign_id, "BEHAVIOR", body | {"start_date": iso(timedelta(days=2))}
    )
    assert moved.status_code == 200, moved.text
    past = body | {"start_date": iso(timedelta(days=-2))}
    assert error(await put_campaign(client, tenant, campaign_id, "BEHAVIOR", past), 400)[
        "details"
    ].startswith("start_date")


# 10. end_date


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"withoutEndDate": True}, "must be omitted"),
        ({"end_date": None}, "is required"),
        ({"end_date": iso(timedelta(minutes=30))}, "after start_date"),
        ({"end_date": iso(timedelta(days=367))}, "less than one year after"),
    ],
)
async def test_rule_10_end_date(
    client: httpx.AsyncClient, tenant: Tenant, change: dict[str, object], problem: str
) -> None:
    body = campaign_body(await reward(client, tenant), **change)
    details = error(await post_campaign(client, tenant, "BEHAVIOR", body), 400)["details"]
    assert details.startswith("end_date") and problem in details


async def test_rule_10_without_end_date(client: httpx.AsyncClient, tenant: Tenant) -> None:
    body = campaign_body(await reward(client, tenant), withoutEndDate=True)
    del body["end_date"]
    created = (await post_campaign(client, tenant, "BEHAVIOR", body)).json()["data"]
    assert created["end_date"] is None and created["withoutEndDate"] is True
    travel(tenant, timedelta(days=800))
    assert (await get_campaign(client, tenant, created["id"]))["status"] == "RUNNING"


# 11. ended campaigns


async def test_rule_11_ended_campaigns_cannot_be_updated(client: httpx.AsyncClient, tenant: Tenant) -> None:
    campaign_id, body = await new_campaign(client, tenant)
    travel(tenant, timedelta(days=40))
    response = error(
        await put_campaign(client, tenant, campaign_id, "BEHAVIOR", body | {"name": "Later"}), 409
    )
    assert response["details"] == "Ended campaigns cannot be updated"
    assert (await get_campaign(client, tenant, campaign_id))["name"] == body["name"]


# 12. started campaigns


@pytest.mark.parametrize("field", ["start_date", "attributes", "rules", "brand_id"])
async def test_rule_12_started_campaigns_keep_their_frozen_fields(
    client: httpx.AsyncClient, tenant: Tenant, field: str
) -> None:
    campaign_id, body = await new_campaign(client, tenant)
    brand = await create(client, tenant, "/brands", {"name": "B"})
    changes = {
        "start_date": iso(timedelta(hours=3)),
        "attributes": {"trigger": "SIGNUP"},
        "rules": rules(await reward(client, tenant), 5),
        "brand_id": brand["id"],
    }
    travel(tenant, timedelta(hours=2))
    response = error(
        await put_campaign(client, tenant, campaign_id, "BEHAVIOR", body | {field: changes[field]}), 409
    )
    assert response["details"] == f"Started campaigns cannot change {field}"


async def test_rule_12_started_campaigns_cannot_end_in_the_past(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    campaign_id, body = await new_campaign(client, tenant)
    travel(tenant, timedelta(hours=5))
    past = body | {"end_date": iso(timedelta(hours=-1))}
    assert error(await put_campaign(client, tenant, campaign_id, "BEHAVIOR", past), 409)["details"] == (
        "end_date cannot be moved into the past"
    )


async def test_rule_12_started_campaigns_can_change_the_rest(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    campaign_id, body = await new_campaign(client, tenant)
    travel(tenant, timedelta(hours=2))
    change = body | {
        "name": "Triple points",
        "description": "More",
        "budget": 5000,
        "status": "INACTIVE",
        "end_date": iso(timedelta(days=60)),
    }
    response = await put_campaign(client, tenant, campaign_id, "BEHAVIOR", change)
    assert response.status_code == 200, response.text
    stored = await get_campaign(client, tenant, campaign_id)
    assert (stored["name"], stored["budget"], stored["status"]) == ("Triple points", 5000, "PAUSED")


async def test_rule_12_a_started_campaign_round_trips_its_own_payload(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    campaign_id, body = await new_campaign(client, tenant)
    travel(tenant, timedelta(hours=2))
    stored = await get_campaign(client, tenant, campaign_id)
    again = body | {"start_date": stored["start_date"], "rules": json.dumps(stored["rules"])}
    response = await put_campaign(client, tenant, campaign_id, "BEHAVIOR", again)
    assert response.status_code == 200, response.text


# 14. referrals


async def test_rule_14_referee_rules_are_optional_and_separate(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    reward_id = await reward(client, tenant)
    plain = await post_campaign(client, tenant, "REFERRALS", campaign_body(reward_id, attributes={}))
    assert plain.status_code == 201, plain.text
    assert plain.json()["data"]["referee_rules"] is None
    with_referee = campaign_body(reward_id, attributes={}, referee_rules_json=rules(reward_id, 3))
    created = (await post_campaign(client, tenant, "REFERRALS", with_referee)).json()["data"]
    assert created["referee_rules"][0]["effects"][0]["amount"] == 3
    assert created["rules"][0]["effects"][0]["amount"] == 1
    bad = campaign_body(reward_id, attributes={}, referee_rules_json="{}")
    assert error(await post_campaign(client, tenant, "REFERRALS", bad), 400)["details"].startswith(
        "referee_rules_json"
    )
    elsewhere = campaign_body(reward_id, referee_rules_json=rules(reward_id))
    assert error(await post_campaign(client, tenant, "BEHAVIOR", elsewhere), 400)["details"].startswith(
        "referee_rules_json"
    )


# 15. response shape


async def test_rule_15_responses_hide_internal_fields(client: httpx.AsyncClient, tenant: Tenant) -> None:
    campaign_id, body = await new_campaign(client, tenant)
    headers = await tenant.loyalty(client)
    shown = [
        await get_campaign(client, tenant, campaign_id),
        (await client.get(f"{LOYALTY}/campaigns", headers=headers)).json()["data"][0],
    ]
    for campaign in shown:
        assert not {"account_id", "order", "created_at"} & set(campaign)
    updated = await put_campaign(client, tenant, campaign_id, "BEHAVIOR", body | {"name": "Renamed"})
    assert updated.json() == {
        "data": {
            "id": campaign_id,
            "name": "Renamed",
            "status": "SCHEDULED",
            "attributes": {"trigger": "PURCHASE", "privacy": "PRIVATE"},
        }
    }
