"""Loyalty campaigns through the console: the list with its filters, the forms of the four types with rules
as OR-of-AND conditions and effects (through the API's own service), a campaign in plain words, pausing,
and a COUPONS campaign's codes (summary, first page, the CSV download, a big batch's job)."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from perks.db.database import Database
from perks.kit import clock
from tests.support.catalog import campaign_body, post_campaign, reward
from tests.support.console import ConsoleClient, statements_per_page, unlabelled_controls
from tests.support.imports import run_jobs
from tests.support.tenants import LOYALTY, Tenant

XSS = "<script>alert(1)</script>"
NO_SUCH_ID = "00000000-0000-7000-8000-000000000000"


def field_error(html: str, field: str) -> str:
    found = re.search(rf'<p class="field-error" id="f-{re.escape(field)}-error">([^<]*)</p>', html)
    return found.group(1) if found else ""


def now_local(delta: timedelta = timedelta(0)) -> str:
    return (clock.now() + delta).strftime("%Y-%m-%dT%H:%M")


def behavior_form(reward_id: str, **changes: str) -> dict[str, str]:
    form = {
        "name": "Double points",
        "status": "ACTIVE",
        "start_date": now_local(timedelta(days=1)),
        "withoutEndDate": "true",
        "attributes.trigger": "PURCHASE",
        "rules[0].conditions[0][0].type": "Order Value",
        "rules[0].conditions[0][0].operator": "greater than",
        "rules[0].conditions[0][0].value": "10",
        "rules[0].conditions[0][1].type": "Channel",
        "rules[0].conditions[0][1].operator": "in",
        "rules[0].conditions[0][1].value": "web, app",
        "rules[0].conditions[1][0].type": "Customer Is Anonymous",
        "rules[0].conditions[1][0].operator": "equal",
        "rules[0].conditions[1][0].value": "false",
        "rules[0].effects[0].reward_id": reward_id,
        "rules[0].effects[0].amount": "2",
        "rules[0].effects[0].expiration_date": "12/months",
        "labels": "Summer (summer), Web",
    }
    return form | changes


def simple_form(reward_id: str, **fields: str) -> dict[str, str]:
    """A campaign starting now, without an end, whose one rule gives 1 of the reward every time."""
    form = {"status": "ACTIVE", "start_date": now_local(), "withoutEndDate": "true"}
    return form | {"rules[0].effects[0].reward_id": reward_id, "rules[0].effects[0].amount": "1"} | fields


async def api_campaign(client: httpx.AsyncClient, tenant: Tenant, campaign_id: str) -> dict[str, Any]:
    response = await client.get(
        f"{LOYALTY}/campaigns/{campaign_id}?includes=CODES_SUMMARY", headers=await tenant.loyalty(client)
    )
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def api_campaigns(client: httpx.AsyncClient, tenant: Tenant) -> list[dict[str, Any]]:
    response = await client.get(f"{LOYALTY}/campaigns?from=0&to=99", headers=await tenant.loyalty(client))
    data: list[dict[str, Any]] = response.json()["data"]
    return data


def created_id(response: httpx.Response) -> str:
    assert response.status_code == 303, response.text
    found = re.fullmatch(r"/console/campaigns/([0-9a-f-]{36})", response.headers["location"])
    assert found is not None, response.headers["location"]
    return found.group(1)


async def test_an_empty_list_says_what_to_do_next(owner: ConsoleClient) -> None:
    page = await owner.get("/console/campaigns")
    assert page.status_code == 200
    assert "No campaigns yet" in page.text
    assert 'href="/console/campaigns/new">Create your first campaign' in page.text
    assert unlabelled_controls(page.text) == []
    choose = await owner.get("/console/campaigns/new")
    assert choose.status_code == 200
    for kind in ("BEHAVIOR", "COUPONS", "PUNCH_CARDS", "REFERRALS"):
        assert f'href="/console/campaigns/new?type={kind}"' in choose.text


async def test_a_behavior_campaign_created_in_the_console_is_the_apis_campaign(
    client: httpx.AsyncClient, tenant: Tenant, owner: ConsoleClient
) -> None:
    reward_id = await reward(client, tenant, name="Points")
    form = await owner.get("/console/campaigns/new?type=BEHAVIOR")
    assert form.status_code == 200 and unlabelled_controls(form.text) == []
    campaign_id = created_id(
        await owner.post("/console/campaigns/new?type=BEHAVIOR", behavior_form(reward_id))
    )
    stored = await api_campaign(client, tenant, campaign_id)
    assert stored["type"] == "BEHAVIOR" and stored["status"] == "SCHEDULED"
    assert stored["attributes"] == {"trigger": "PURCHASE"}
    assert stored["end_date"] is None and stored["withoutEndDate"] is True
    assert stored["labels"] == [{"label": "Summer", "value": "summer"}, {"label": "Web", "value": "Web"}]
    assert stored["rules"] == [
        {
            "conditions": [
                [
                    {"type": "Order Value", "operator": "greater than", "primitive": "number", "value": 10},
                    {"type": "Channel", "operator": "in", "primitive": "string", "value": ["web", "app"]},
                ],
                [
                    {
                        "type": "Customer Is Anonymous",
                        "operator": "equal",
                        "primitive": "boolean",
                        "value": False,
                    }
                ],
            ],
            "effects": [
                {
                    "reward_id": reward_id,
                    "amount": 2,
                    "tier_id": None,
                    "expiration_date": "12/months",
                    "type": "POINTS",
                }
            ],
        }
    ]
    page = await owner.get(f"/console/campaigns/{campaign_id}")
    assert "Campaign “Double points” created." in page.text
    assert (
        "When Order Value greater than 10 and Channel in one of web, app, or Customer Is Anonymous equal "
        "false: 2 of Points, expiring 12 months after they are given." in page.text
    )
    assert "Each event of type <code>PURCHASE</code>" in page.text
    history = await owner.get(f"/console/audit?object_type=campaign&object_id={campaign_id}")
    assert history.text.split('id="entries"')[1].count("<tr>") == 2  # the header, create


async def test_a_rule_error_shows_next_to_its_field_and_keeps_what_was_typed(
    client: httpx.AsyncClient, tenant: Tenant, owner: ConsoleClient
) -> None:
    reward_id = await reward(client, tenant)
    wrong_value = behavior_form(reward_id, **{"rules[0].conditions[0][0].value": "lots"})
    failed = await owner.post("/console/campaigns/new?type=BEHAVIOR", wrong_value)
    assert failed.status_code == 400
    assert field_error(failed.text, "rules[0].conditions[0][0].value") == "Not a number: &#39;lots&#39;"
    assert 'name="rules[0].conditions[0][0].value" type="text" value="lots"' in failed.text
    assert 'value="web, app"' in failed.text and 'value="12/months"' in failed.text
    no_reward = behavior_form(NO_SUCH_ID)
    unknown = await owner.post("/console/campaigns/new?type=BEHAVIOR", no_reward | {"name": "Kept"})
    assert (
        field_error(unknown.text, "rules[0].effects[0].reward_id") == "No reward with this id in your account"
    )
    assert 'value="Kept"' in unknown.text
    no_amount = await owner.post(
        "/console/campaigns/new?type=BEHAVIOR",
        behavior_form(reward_id, **{"rules[0].effects[0].amount": "-1"}),
    )
    assert field_error(no_amount.text, "rules[0].effects[0].amount") == "Must be a number greater than 0"
    past = await owner.post(
        "/console/campaigns/new?type=BEHAVIOR",
        behavior_form(reward_id, start_date=now_local(-timedelta(days=3))),
    )
    assert field_error(past.text, "start_date") == "Must be today or later"
    no_trigger = await owner.post(
        "/console/campaigns/new?type=BEHAVIOR", behavior_form(reward_id, **{"attributes.trigger": ""})
    )
    assert field_error(no_trigger.text, "attributes.trigger").startswith("Must name the event type")
    assert await api_campaigns(client, tenant) == []


async def test_blank_rows_are_dropped_and_the_errors_match_the_rows_shown(
    client: httpx.AsyncClient, tenant: Tenant, owner: ConsoleClient
) -> None:
    reward_id = await reward(client, tenant)
    form = behavior_form(reward_id) | {
        "rules[0].conditions[0][0].type": "",
        "rules[0].conditions[0][0].operator": "",
        "rules[0].conditions[0][0].value": "",
        "rules[0].conditions[0][1].value": "",  # Channel "in" with no value: its error comes back at [0][0]
    }
    failed = await owner.post("/console/campaigns/new?type=BEHAVIOR", form)
    assert failed.status_code == 400
    assert field_error(failed.text, "rules[0].conditions[0][0].value") == "Must be a non-empty array"
    assert re.search(
        r'id="f-rules\[0\]\.conditions\[0\]\[0\]\.type"[^>]*>.*?<option value="Channel" selected',
        failed.text,
        re.S,
    )
    assert "rules[0].conditions[0][1].type" not in failed.text


async def test_rows_are_added_and_removed_without_saving(
    client: httpx.AsyncClient, tenant: Tenant, owner: ConsoleClient
) -> None:
    reward_id = await reward(client, tenant)
    form = behavior_form(reward_id)
    added = await owner.post(
        "/console/campaigns/new?type=BEHAVIOR", form | {"_action": "add:rules[0].conditions[1]"}
    )
    assert added.status_code == 200
    assert 'name="rules[0].conditions[1][1].type"' in added.text
    # The answer scrolls back to the group changed (the fragment of the button's formaction).
    assert (
        'value="add:rules[0].conditions[1]" '
        'formaction="/console/campaigns/new?type=BEHAVIOR#f-rules[0].conditions[1]"' in added.text
    )
    assert 'id="f-rules[0].conditions[1]"' in added.text
    assert 'value="web, app"' in added.text  # the rest is kept as typed
    rule = await owner.post("/console/campaigns/new?type=BEHAVIOR", form | {"_action": "add:rules"})
    assert 'name="rules[1].effects[0].reward_id"' in rule.text
    removed = await owner.post(
        "/console/campaigns/new?type=BEHAVIOR", form | {"_action": "remove:rules[0].conditions[0][0]"}
    )
    assert 'name="rules[0].conditions[0][1].type"' not in removed.text
    assert re.search(
        r'id="f-rules\[0\]\.conditions\[0\]\[0\]\.type"[^>]*>.*?<option value="Channel" selected',
        removed.text,
        re.S,
    )
    assert await api_campaigns(client, tenant) == []


async def test_each_type_has_its_form_and_its_settings(
    client: httpx.AsyncClient, tenant: Tenant, owner: ConsoleClient
) -> None:
    reward_id = await reward(client, tenant, name="Coffee")
    common = simple_form(reward_id, name="X")
    punch_id = created_id(
        await owner.post(
            "/console/campaigns/new?type=PUNCH_CARDS",
            common | {"attributes.trigger": "PURCHASE", "attributes.punches": "5"},
        )
    )
    assert (await api_campaign(client, tenant, punch_id))["attributes"] == {
        "trigger": "PURCHASE",
        "punches": 5,
    }
    assert "5 punches fill a card" in (await owner.get(f"/console/campaigns/{punch_id}")).text
    bad_punches = await owner.post(
        "/console/campaigns/new?type=PUNCH_CARDS", common | {"attributes.punches": "1"}
    )
    assert field_error(bad_punches.text, "attributes.punches") == "Must be an integer from 2 to 100"

    referral_id = created_id(
        await owner.post(
            "/console/campaigns/new?type=REFERRALS",
            common
            | {
                "attributes.max_uses": "3",
                "referee_rules_json[0].effects[0].reward_id": reward_id,
                "referee_rules_json[0].effects[0].amount": "5",
            },
        )
    )
    stored = await api_campaign(client, tenant, referral_id)
    assert stored["attributes"] == {"max_uses": 3}
    assert stored["referee_rules"][0]["effects"][0]["amount"] == 5
    assert "Referred customer earns" in (await owner.get(f"/console/campaigns/{referral_id}")).text
    referee_error = await owner.post(
        "/console/campaigns/new?type=REFERRALS",
        common
        | {
            "referee_rules_json[0].effects[0].reward_id": NO_SUCH_ID,
            "referee_rules_json[0].effects[0].amount": "5",
        },
    )
    assert field_error(referee_error.text, "referee_rules_json[0].effects[0].reward_id") != ""

    coupons_id = created_id(
        await owner.post(
            "/console/campaigns/new?type=COUPONS",
            common
            | {
                "quantity": "40",
                "attributes.code_config.prefix": "SUMMER-",
                "attributes.code_config.pattern": "####",
            },
        )
    )
    summary = (await api_campaign(client, tenant, coupons_id))["attributes"]["codes_summary"]
    assert summary["total"] == 40 and all(code.startswith("SUMMER-") for code in summary["codes"])
    custom_id = created_id(
        await owner.post(
            "/console/campaigns/new?type=COUPONS",
            common | {"useCustomCodes": "true", "customCodes": "ALPHA, beta"},
        )
    )
    assert sorted(
        (await api_campaign(client, tenant, custom_id))["attributes"]["codes_summary"]["codes"]
    ) == [
        "ALPHA",
        "BETA",
    ]
    bad_pattern = await owner.post(
        "/console/campaigns/new?type=COUPONS",
        common | {"quantity": "10", "attributes.code_config.pattern": "AB"},
    )
    assert field_error(bad_pattern.text, "attributes.code_config.pattern").startswith("Must hold 4 to 32")

    listing = await owner.get("/console/campaigns?type=COUPONS")
    assert listing.text.count('href="/console/campaigns/0') + listing.text.count("/console/campaigns/") > 0
    shown = re.findall(r'href="/console/campaigns/([0-9a-f-]{36})"', listing.text)
    assert sorted(shown) == sorted([coupons_id, custom_id])
    running = await owner.get("/console/campaigns?status=RUNNING&type=PUNCH_CARDS")
    assert re.findall(r'href="/console/campaigns/([0-9a-f-]{36})"', running.text) == [punch_id]
    paused = await owner.get("/console/campaigns?status=PAUSED")
    assert "Nothing matches" in paused.text and "No campaigns yet" not in paused.text
    assert (await owner.get("/console/campaigns?type=NOPE")).status_code == 400


async def test_editing_keeps_what_the_form_does_not_show_and_is_audited(
    client: httpx.AsyncClient, tenant: Tenant, owner: ConsoleClient
) -> None:
    reward_id = await reward(client, tenant)
    body = campaign_body(reward_id, attributes={"trigger": "PURCHASE", "privacy": "PRIVATE"})
    created = await post_campaign(client, tenant, "BEHAVIOR", body)
    campaign_id = created.json()["data"]["id"]
    form = await owner.get(f"/console/campaigns/{campaign_id}/edit")
    assert form.status_code == 200 and unlabelled_controls(form.text) == []
    values = dict(
        re.findall(
            r'<input id="f-([^"]+)" name="[^"]+" type="(?:text|datetime-local)" value="([^"]*)"', form.text
        )
    )
    assert values["name"] == "Double points" and values["labels"] == "Summer (summer)"
    assert values["rules[0].conditions[0][0].value"] == "9.95"
    posted = {name: value.replace("&#34;", '"') for name, value in values.items()} | {
        "name": "Triple points",
        "status": "ACTIVE",
        "rules[0].conditions[0][0].type": "Order Value",
        "rules[0].conditions[0][0].operator": "greater than",
        "rules[0].effects[0].reward_id": reward_id,
        "divide_budget_in": "daily",
        "metadata": '{"owner": "growth"}',
    }
    saved = await owner.post(f"/console/campaigns/{campaign_id}/edit", posted)
    assert saved.status_code == 303, field_error(saved.text, "start_date") or saved.text[:3000]
    stored = await api_campaign(client, tenant, campaign_id)
    assert stored["name"] == "Triple points"
    assert stored["attributes"] == {"trigger": "PURCHASE", "privacy": "PRIVATE"}
    assert stored["start_date"] == created.json()["data"]["start_date"]
    assert stored["labels"] == [{"label": "Summer", "value": "summer"}]
    history = await owner.get(f"/console/audit?object_type=campaign&object_id={campaign_id}")
    assert "Triple points" in history.text


async def test_pausing_and_resuming_go_through_the_service_and_are_audited(
    client: httpx.AsyncClient, tenant: Tenant, owner: ConsoleClient
) -> None:
    reward_id = await reward(client, tenant)
    campaign_id = created_id(
        await owner.post(
            "/console/campaigns/new?type=BEHAVIOR", behavior_form(reward_id, start_date=now_local())
        )
    )
    confirm = await owner.get(f"/console/campaigns/{campaign_id}/status")
    assert "Customers stop earning from it at once" in confirm.text
    paused = await owner.post(f"/console/campaigns/{campaign_id}/status")
    assert paused.status_code == 303
    assert (await api_campaign(client, tenant, campaign_id))["status"] == "PAUSED"
    assert "Resume…" in (await owner.get(f"/console/campaigns/{campaign_id}")).text
    await owner.post(f"/console/campaigns/{campaign_id}/status")
    assert (await api_campaign(client, tenant, campaign_id))["status"] == "RUNNING"
    history = await owner.get(f"/console/audit?object_type=campaign&object_id={campaign_id}")
    assert history.text.split('id="entries"')[1].count("<tr>") == 4  # the header, resume, pause, create


async def test_a_viewer_reads_but_cannot_change_and_another_account_sees_nothing(
    client: httpx.AsyncClient, tenant: Tenant, viewer: ConsoleClient, other_owner: ConsoleClient
) -> None:
    reward_id = await reward(client, tenant)
    created = await post_campaign(
        client, tenant, "COUPONS", campaign_body(reward_id, attributes={}, quantity=5)
    )
    campaign_id = created.json()["data"]["id"]
    page = await viewer.get(f"/console/campaigns/{campaign_id}")
    assert page.status_code == 200 and "Double points" in page.text
    assert "/edit" not in page.text and "/status" not in page.text
    assert "New campaign" not in (await viewer.get("/console/campaigns")).text
    for path in [
        "/console/campaigns/new?type=BEHAVIOR",
        f"/console/campaigns/{campaign_id}/edit",
        f"/console/campaigns/{campaign_id}/status",
    ]:
        assert (await viewer.get(path)).status_code == 403, path
    assert (await viewer.post(f"/console/campaigns/{campaign_id}/status")).status_code == 403
    assert (await viewer.post(f"/console/campaigns/{campaign_id}/edit", {"name": "x"})).status_code == 403
    assert (await viewer.get(f"/console/campaigns/{campaign_id}/codes.csv")).status_code == 200
    for path in ["", "/edit", "/status", "/codes.csv", "/job"]:
        answer = await other_owner.get(
            f"/console/campaigns/{campaign_id}{path}", headers={"hx-request": "true"}
        )
        assert answer.status_code == 404, path
    assert (await other_owner.post(f"/console/campaigns/{campaign_id}/status")).status_code == 404
    assert "No campaigns yet" in (await other_owner.get("/console/campaigns")).text


async def test_names_and_rules_are_shown_as_text(
    client: httpx.AsyncClient, tenant: Tenant, owner: ConsoleClient
) -> None:
    reward_id = await reward(client, tenant, name=XSS)
    form = behavior_form(reward_id, name=XSS, description=XSS, **{"rules[0].conditions[0][1].value": XSS})
    campaign_id = created_id(await owner.post("/console/campaigns/new?type=BEHAVIOR", form))
    for path in [
        "/console/campaigns",
        f"/console/campaigns/{campaign_id}",
        f"/console/campaigns/{campaign_id}/edit",
    ]:
        page = await owner.get(path)
        assert XSS not in page.text, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text, path


async def test_the_list_runs_the_same_statements_for_1_or_25_campaigns_and_pages_by_keyset(
    client: httpx.AsyncClient, tenant: Tenant, database: Database, owner: ConsoleClient
) -> None:
    reward_id = await reward(client, tenant)

    async def add(count: int, start: int) -> None:
        for index in range(start, start + count):
            response = await post_campaign(
                client, tenant, "BEHAVIOR", campaign_body(reward_id, name=f"camp-{index:02d}")
            )
            assert response.status_code == 201

    await add(1, 0)
    with_one = await statements_per_page(owner, database, "/console/campaigns")
    await add(29, 1)
    with_many = await statements_per_page(owner, database, "/console/campaigns")
    assert with_one == with_many == 2  # the signed-in user, the page of campaigns
    first = await owner.get("/console/campaigns")
    names = re.findall(r">(camp-\d\d)</a>", first.text)
    assert names == [f"camp-{index:02d}" for index in range(29, 4, -1)]
    following = re.search(r'href="(\?[^"]*after=[^"]+)"', first.text)
    assert following is not None
    second = await owner.get("/console/campaigns" + following.group(1).replace("&amp;", "&"))
    assert re.findall(r">(camp-\d\d)</a>", second.text) == [f"camp-{index:02d}" for index in range(4, -1, -1)]
    searched = await owner.get("/console/campaigns?q=CAMP-1&type=BEHAVIOR")
    assert re.findall(r">(camp-\d\d)</a>", searched.text) == [f"camp-{index}" for index in range(19, 9, -1)]


async def test_a_coupons_campaign_shows_its_codes_and_downloads_them_all(
    client: httpx.AsyncClient, tenant: Tenant, owner: ConsoleClient
) -> None:
    reward_id = await reward(client, tenant)
    form = simple_form(reward_id, name="Spring codes", quantity="60")
    campaign_id = created_id(await owner.post("/console/campaigns/new?type=COUPONS", form))
    page = await owner.get(f"/console/campaigns/{campaign_id}")
    assert re.search(r'<div class="label">Codes</div><div class="value">60</div>', page.text)
    assert re.search(r'<div class="label">Available</div><div class="value">60</div>', page.text)
    assert len(re.findall(r'<td class="mono">([2-9A-Z]{8})</td>', page.text)) == 25
    assert f'href="/console/campaigns/{campaign_id}/codes.csv" download>Download all codes (CSV)' in page.text
    download = await owner.get(f"/console/campaigns/{campaign_id}/codes.csv")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    assert download.headers["content-disposition"].startswith(f'attachment; filename="codes-{campaign_id}-')
    rows = list(csv.reader(io.StringIO(download.text)))
    assert rows[0] == ["code", "status", "redeemed_at", "customer_id"]
    assert len(rows) == 61 and {row[1] for row in rows[1:]} == {"AVAILABLE"}
    behavior_id = created_id(
        await owner.post(
            "/console/campaigns/new?type=BEHAVIOR", behavior_form(reward_id, start_date=now_local())
        )
    )
    assert (await owner.get(f"/console/campaigns/{behavior_id}/codes.csv")).status_code == 400


async def test_a_big_batch_of_codes_is_a_job_whose_progress_the_page_follows(
    app: FastAPI,
    client: httpx.AsyncClient,
    tenant: Tenant,
    owner: ConsoleClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(app.state.settings, "codes_job_threshold", 50)
    monkeypatch.setattr(app.state.settings, "codes_job_chunk", 40)
    reward_id = await reward(client, tenant)
    form = simple_form(reward_id, name="Big batch", quantity="120")
    created = await owner.post("/console/campaigns/new?type=COUPONS", form)
    campaign_id = created_id(created)
    page = await owner.get(f"/console/campaigns/{campaign_id}")
    assert "Its 120 codes are being generated." in page.text
    assert f'hx-get="/console/campaigns/{campaign_id}/job" hx-trigger="every 2s"' in page.text
    assert "0 of 120" in page.text
    fragment = await owner.get(f"/console/campaigns/{campaign_id}/job", headers={"hx-request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text and "0 of 120" in fragment.text
    whole = await owner.get(f"/console/campaigns/{campaign_id}/job")
    assert whole.status_code == 303 and whole.headers["location"] == f"/console/campaigns/{campaign_id}"
    await run_jobs(app)
    done = await owner.get(f"/console/campaigns/{campaign_id}/job", headers={"hx-request": "true"})
    assert "The codes are ready." in done.text and "hx-trigger" not in done.text
    page = await owner.get(f"/console/campaigns/{campaign_id}")
    assert re.search(r'<div class="label">Codes</div><div class="value">120</div>', page.text)
    rows = list(
        csv.reader(io.StringIO((await owner.get(f"/console/campaigns/{campaign_id}/codes.csv")).text))
    )
    assert len(rows) == 121


async def test_a_started_campaign_keeps_its_frozen_parts_and_confirms_a_change_of_codes(
    client: httpx.AsyncClient, tenant: Tenant, owner: ConsoleClient
) -> None:
    reward_id = await reward(client, tenant, name="Points")
    campaign_id = created_id(
        await owner.post(
            "/console/campaigns/new?type=COUPONS", simple_form(reward_id, name="Live", quantity="40")
        )
    )
    form = await owner.get(f"/console/campaigns/{campaign_id}/edit")
    assert "started: its start, brand, settings and rules no longer change" in form.text
    assert 'name="rules[0]' not in form.text and "Every time: 1 of Points." in form.text
    edit = {"name": "Live codes", "status": "ACTIVE", "withoutEndDate": "true", "quantity": "50"}
    unconfirmed = await owner.post(f"/console/campaigns/{campaign_id}/edit", edit)
    assert unconfirmed.status_code == 400
    assert field_error(unconfirmed.text, "confirm_changes").startswith("Must be true to change")
    assert 'value="50"' in unconfirmed.text
    confirmed = await owner.post(f"/console/campaigns/{campaign_id}/edit", edit | {"confirm_changes": "true"})
    assert confirmed.status_code == 303
    stored = await api_campaign(client, tenant, campaign_id)
    assert stored["name"] == "Live codes" and stored["attributes"]["codes_summary"]["total"] == 50
    assert stored["rules"][0]["effects"][0]["reward_id"] == reward_id
