"""Rewards and tiers through the console: lists, forms of each reward type and of tiers with their
conditions, errors from the services under their fields, roles and tenants."""

from __future__ import annotations

import re
from typing import Any

import httpx

from perks.db.database import Database
from tests.support.catalog import reward
from tests.support.console import ConsoleClient, statements_per_page, unlabelled_controls
from tests.support.tenants import LOYALTY, Tenant

XSS = "<script>alert(1)</script>"
NO_SUCH_ID = "00000000-0000-7000-8000-000000000000"


def field_error(html: str, field: str) -> str:
    found = re.search(rf'<p class="field-error" id="f-{re.escape(field)}-error">([^<]*)</p>', html)
    return found.group(1) if found else ""


async def api_list(client: httpx.AsyncClient, tenant: Tenant, path: str) -> list[dict[str, Any]]:
    response = await client.get(f"{LOYALTY}{path}", headers=await tenant.loyalty(client))
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


async def test_an_empty_rewards_list_says_what_to_do_next(owner: ConsoleClient) -> None:
    page = await owner.get("/console/rewards")
    assert page.status_code == 200 and "No rewards yet" in page.text
    assert 'href="/console/rewards/new">Create your first reward' in page.text
    assert unlabelled_controls(page.text) == []
    choose = await owner.get("/console/rewards/new")
    for kind in ("POINTS", "DISCOUNT", "GIFT_CARD", "PRODUCT"):
        assert f'href="/console/rewards/new?type={kind}"' in choose.text


async def test_rewards_of_each_type_are_created_through_the_service(
    client: httpx.AsyncClient, tenant: Tenant, owner: ConsoleClient
) -> None:
    for kind in ("POINTS", "DISCOUNT", "GIFT_CARD", "PRODUCT"):
        form = await owner.get(f"/console/rewards/new?type={kind}")
        assert form.status_code == 200 and unlabelled_controls(form.text) == [], kind
    forms = {
        "POINTS": {"name": "Points", "attributes.conversion_factor": "0.1"},
        "DISCOUNT": {
            "name": "Ten off",
            "attributes.discount_type": "PERCENTAGE",
            "attributes.value": "10",
            "attributes.apply_to": "SHIPPING",
        },
        "GIFT_CARD": {"name": "Card", "attributes.value": "50"},
        "PRODUCT": {"name": "Mug", "attributes.action": "ADD", "attributes.sku": "MUG-1"},
    }
    for kind, values in forms.items():
        created = await owner.post(f"/console/rewards/new?type={kind}", values)
        assert created.status_code == 303, (kind, created.text[:2000])
    stored = {item["name"]: item for item in await api_list(client, tenant, "/rewards?from=0&to=9")}
    assert stored["Points"]["attributes"] == {"conversion_factor": 0.1}
    assert stored["Ten off"]["attributes"] == {
        "discount_type": "PERCENTAGE",
        "value": 10,
        "apply_to": "SHIPPING",
    }
    assert stored["Mug"]["type"] == "PRODUCT" and stored["Card"]["attributes"] == {"value": 50}
    listing = await owner.get("/console/rewards")
    assert "10% off the shipping" in listing.text and "Each point is worth 0.1" in listing.text
    discounts = await owner.get("/console/rewards?type=DISCOUNT")
    assert re.findall(r'href="/console/rewards/[0-9a-f-]{36}">([^<]+)</a>', discounts.text) == ["Ten off"]
    searched = await owner.get("/console/rewards?q=MU")
    assert re.findall(r'href="/console/rewards/[0-9a-f-]{36}">([^<]+)</a>', searched.text) == ["Mug"]
    history = await owner.get(f"/console/audit?object_type=reward&object_id={stored['Mug']['id']}")
    assert history.text.split('id="entries"')[1].count("<tr>") == 2


async def test_reward_errors_show_under_their_fields_with_what_was_typed(
    client: httpx.AsyncClient, tenant: Tenant, owner: ConsoleClient
) -> None:
    missing = await owner.post("/console/rewards/new?type=POINTS", {"name": "Points", "description": "kept"})
    assert missing.status_code == 400
    assert field_error(missing.text, "attributes.conversion_factor").startswith("Is required")
    assert ">kept</textarea>" in missing.text
    condition = {
        "name": "Points",
        "attributes.conversion_factor": "0.1",
        "conditions[0][0].type": "Order Value",
        "conditions[0][0].operator": "contains",
        "conditions[0][0].value": "12",
    }
    wrong = await owner.post("/console/rewards/new?type=POINTS", condition)
    assert field_error(wrong.text, "conditions[0][0].operator").startswith("Must be one of: equal")
    assert 'name="conditions[0][0].value" type="text" value="12"' in wrong.text
    percent = await owner.post(
        "/console/rewards/new?type=DISCOUNT",
        {"name": "Too much", "attributes.discount_type": "PERCENTAGE", "attributes.value": "150"},
    )
    assert field_error(percent.text, "attributes.value") == "A percentage is at most 100"
    assert await api_list(client, tenant, "/rewards?from=0&to=9") == []
    fixed = await owner.post(
        "/console/rewards/new?type=POINTS", condition | {"conditions[0][0].operator": "greater than"}
    )
    assert fixed.status_code == 303
    [stored] = await api_list(client, tenant, "/rewards?from=0&to=9")
    assert stored["conditions"] == [
        [{"type": "Order Value", "operator": "greater than", "primitive": "number", "value": 12}]
    ]


async def test_editing_a_reward_keeps_its_type_and_unshown_attributes(
    client: httpx.AsyncClient, tenant: Tenant, owner: ConsoleClient
) -> None:
    reward_id = await reward(client, tenant, attributes={"conversion_factor": 0.1, "icon": "star"})
    form = await owner.get(f"/console/rewards/{reward_id}")
    assert 'value="0.1"' in form.text and unlabelled_controls(form.text) == []
    saved = await owner.post(
        f"/console/rewards/{reward_id}", {"name": "Stars", "attributes.conversion_factor": "0.2"}
    )
    assert saved.status_code == 303
    [stored] = await api_list(client, tenant, "/rewards?from=0&to=9")
    assert stored["name"] == "Stars" and stored["type"] == "POINTS"
    assert stored["attributes"] == {"conversion_factor": 0.2, "icon": "star"}
    added = await owner.post(f"/console/rewards/{reward_id}", {"name": "Stars", "_action": "add:conditions"})
    assert added.status_code == 200 and 'name="conditions[0][0].type"' in added.text


async def test_tiers_list_by_level_with_the_base_tier_and_are_created_and_edited(
    client: httpx.AsyncClient, tenant: Tenant, database: Database, owner: ConsoleClient
) -> None:
    page = await owner.get("/console/tiers")
    assert page.status_code == 200 and "Base" in page.text and "they join" in page.text
    assert await statements_per_page(owner, database, "/console/tiers") == 2
    form = await owner.get("/console/tiers/new")
    assert unlabelled_controls(form.text) == []
    gold = {
        "name": "Gold",
        "status": "ACTIVE",
        "entry_conditions[0][0].type": "Spend Total",
        "entry_conditions[0][0].operator": "greater than or equal",
        "entry_conditions[0][0].value": "1000",
    }
    created = await owner.post("/console/tiers/new", gold)
    assert created.status_code == 303
    taken = await owner.post("/console/tiers/new", gold | {"name": "Silver", "level": "2"})
    assert taken.status_code == 409 and "already used by another tier" in taken.text
    assert 'value="Silver"' in taken.text
    bad = await owner.post("/console/tiers/new", gold | {"entry_conditions[0][0].type": "Shoe size"})
    assert field_error(bad.text, "entry_conditions[0][0].type").startswith("Unknown condition type")
    tiers = await api_list(client, tenant, "/tiers")
    assert [(tier["name"], tier["level"]) for tier in tiers] == [("Base", 1), ("Gold", 2)]
    assert tiers[1]["entry_conditions"] == [
        [{"type": "Spend Total", "operator": "greater than or equal", "primitive": "number", "value": 1000}]
    ]
    listing = await owner.get("/console/tiers")
    assert "Spend Total greater than or equal 1000" in listing.text
    assert await statements_per_page(owner, database, "/console/tiers") == 2
    base_id = tiers[0]["id"]
    moved = await owner.post(f"/console/tiers/{base_id}", {"name": "Base", "level": "3"})
    assert field_error(moved.text, "level") == "The Base tier stays at level 1"
    renamed = await owner.post(
        f"/console/tiers/{tiers[1]['id']}",
        {"name": "Golden", "level": "2"}
        | {key: value for key, value in gold.items() if key.startswith("entry")},
    )
    assert renamed.status_code == 303
    assert [tier["name"] for tier in await api_list(client, tenant, "/tiers")] == ["Base", "Golden"]
    history = await owner.get(f"/console/audit?object_type=tier&object_id={tiers[1]['id']}")
    assert "Golden" in history.text


async def test_the_rewards_list_runs_the_same_statements_for_1_or_25_rewards(
    client: httpx.AsyncClient, tenant: Tenant, database: Database, owner: ConsoleClient
) -> None:
    await reward(client, tenant, name="one")
    with_one = await statements_per_page(owner, database, "/console/rewards")
    for index in range(26):
        await reward(client, tenant, name=f"more-{index}")
    with_many = await statements_per_page(owner, database, "/console/rewards")
    assert with_one == with_many == 2
    assert "Next →</a>" in (await owner.get("/console/rewards")).text


async def test_a_viewer_reads_rewards_and_tiers_but_cannot_change_them(
    client: httpx.AsyncClient, tenant: Tenant, viewer: ConsoleClient, other_owner: ConsoleClient
) -> None:
    reward_id = await reward(client, tenant, name="Points")
    [base] = await api_list(client, tenant, "/tiers")
    page = await viewer.get(f"/console/rewards/{reward_id}")
    assert (
        page.status_code == 200 and "Each point is worth 0.1" in page.text and "<form class" not in page.text
    )
    tier = await viewer.get(f"/console/tiers/{base['id']}")
    assert tier.status_code == 200 and "<form class" not in tier.text
    assert "New reward" not in (await viewer.get("/console/rewards")).text
    assert "New tier" not in (await viewer.get("/console/tiers")).text
    for path in ["/console/rewards/new?type=POINTS", "/console/tiers/new"]:
        assert (await viewer.get(path)).status_code == 403
    assert (await viewer.post(f"/console/rewards/{reward_id}", {"name": "x"})).status_code == 403
    assert (await viewer.post(f"/console/tiers/{base['id']}", {"name": "x"})).status_code == 403
    assert (await other_owner.get(f"/console/rewards/{reward_id}")).status_code == 404
    assert (await other_owner.get(f"/console/tiers/{base['id']}")).status_code == 404
    assert (await other_owner.post(f"/console/rewards/{reward_id}", {"name": "x"})).status_code == 404
    assert (await other_owner.post(f"/console/tiers/{base['id']}", {"name": "x"})).status_code == 404
    assert [item["name"] for item in await api_list(client, tenant, "/rewards?from=0&to=9")] == ["Points"]


async def test_reward_and_tier_names_are_shown_as_text(
    client: httpx.AsyncClient, tenant: Tenant, owner: ConsoleClient
) -> None:
    reward_id = await reward(client, tenant, name=XSS, description=XSS)
    assert (await owner.post("/console/tiers/new", {"name": XSS, "description": XSS})).status_code == 303
    tiers = await api_list(client, tenant, "/tiers")
    for path in [
        "/console/rewards",
        f"/console/rewards/{reward_id}",
        "/console/tiers",
        f"/console/tiers/{tiers[1]['id']}",
    ]:
        page = await owner.get(path)
        assert XSS not in page.text, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text, path


async def test_condition_values_are_read_as_their_kind_and_operator_say(
    client: httpx.AsyncClient, tenant: Tenant, owner: ConsoleClient
) -> None:
    rows = [
        ("Order Value", "between", "10, 20.5", ""),
        ("Last Visit", "in the last", "30/days", ""),
        ("Customer Birthday", "same day", "month", ""),
        ("Event Date", "after", "2026-01-31", ""),
        ("Customer Country", "not in", "FR, DE", "Not in your country"),
        ("Order Value", "greater than", "5", "string"),
    ]
    form = {"name": "Points", "attributes.conversion_factor": "0.1"}
    for index, (kind, operator, value, extra) in enumerate(rows):
        name = f"conditions[0][{index}]"
        form |= {f"{name}.type": kind, f"{name}.operator": operator, f"{name}.value": value}
        form[f"{name}.primitive" if extra == "string" else f"{name}.message"] = extra
    created = await owner.post("/console/rewards/new?type=POINTS", form)
    assert created.status_code == 303, created.text[:3000]
    [stored] = await api_list(client, tenant, "/rewards?from=0&to=9")
    assert [(item["primitive"], item["value"]) for item in stored["conditions"][0]] == [
        ("number", [10, 20.5]),
        ("relative date", "30/days"),
        ("recurring date", "month"),
        ("absolute date", "2026-01-31"),
        ("string", ["FR", "DE"]),
        ("string", 5),
    ]
    assert stored["conditions"][0][4]["message"] == "Not in your country"
    edit = await owner.get(f"/console/rewards/{stored['id']}")
    assert 'name="conditions[0][0].value" type="text" value="10, 20.5"' in edit.text
    assert 'name="conditions[0][4].value" type="text" value="FR, DE"' in edit.text
