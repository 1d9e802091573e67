"""End to end through a real two-worker server: click → cookie → sign-up → sale → commission → the term
passes (the server's clock is moved through PERKS_CLOCK_OFFSET_FILE) → payout → paid; refunds before and
after the payout; one invoice sent by 20 processes at once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.processes import concurrent_requests
from tests.support.server import LiveServer, live_server
from tests.support.tenants import AFFILIATE, Tenant
from tests.support.tracking import BROWSER, program

TERM = timedelta(days=30, seconds=1)


@pytest.fixture(scope="module")
def offset_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("clock") / "offset"


@pytest.fixture(scope="module")
def server(
    database_url: str, tmp_path_factory: pytest.TempPathFactory, offset_file: Path
) -> Iterator[LiveServer]:
    offset_file.write_text("0")
    with live_server(
        database_url,
        tmp_path_factory.mktemp("tracking"),
        args=("--no-migrate", "--workers", "2"),
        env={"PERKS_CLOCK_OFFSET_FILE": str(offset_file)},
    ) as running:
        yield running


@pytest.fixture
def clock_file(offset_file: Path) -> Iterator[Path]:
    offset_file.write_text("0")
    yield offset_file
    offset_file.write_text("0")


def move(clock_file: Path, delta: timedelta) -> None:
    clock_file.write_text(str(float(clock_file.read_text() or 0) + delta.total_seconds()))


async def call(
    http: httpx.AsyncClient, tenant: Tenant, method: str, path: str, body: Any = None
) -> dict[str, Any]:
    response = await http.request(method, f"{AFFILIATE}{path}", headers=tenant.affiliate, json=body)
    assert response.status_code < 300, response.text
    data: dict[str, Any] = response.json()
    return data


async def test_click_to_paid_payout_and_refunds_on_either_side(
    server: LiveServer, client: httpx.AsyncClient, tenant: Tenant, clock_file: Path
) -> None:
    plan = await program(client, tenant, amount=20, payoutTerm=30, minimumPayoutAmount=10)
    async with httpx.AsyncClient(base_url=server.base_url, headers={"user-agent": BROWSER}) as http:
        visit = await http.get(f"/r/{plan.code}")
        assert visit.status_code == 302
        assert visit.headers["location"] == f"https://shop.example/landing?lang=en&via={plan.code}"
        click_id = visit.cookies["perks_ref"]
        bound = await call(
            http, tenant, "POST", "/track/signup", {"email": "buyer@example.com", "clickId": click_id}
        )
        assert bound["data"]["affiliateId"] == plan.affiliate["id"]
        sold = await call(
            http,
            tenant,
            "POST",
            "/track/sale",
            {"email": "buyer@example.com", "amount": "100.00", "invoiceId": "e2e-1"},
        )
        assert sold["data"]["commission"]["amount"] == "20.00"
        await call(
            http, tenant, "POST", "/track/signup", {"email": "other@example.com", "referralCode": plan.code}
        )
        await call(
            http,
            tenant,
            "POST",
            "/track/sale",
            {"email": "other@example.com", "amount": "50.00", "invoiceId": "e2e-2"},
        )
        before = await call(http, tenant, "POST", "/track/refund", {"invoiceId": "e2e-2", "amount": "25.00"})
        assert before["data"]["commissions"][0]["amount"] == "5.00"  # refunded before payout: reduced

        assert (await call(http, tenant, "POST", "/payouts/generate"))[
            "data"
        ] == []  # the term has not passed
        move(clock_file, TERM)
        [payout] = (await call(http, tenant, "POST", "/payouts/generate"))["data"]
        assert (payout["amount"], payout["commissionCount"]) == ("25.00", 2)
        paid = await call(http, tenant, "PUT", f"/payouts?payoutId={payout['id']}", {"status": "paid"})
        assert paid["data"]["status"] == "paid"
        first = await call(
            http, tenant, "GET", f"/commissions?commissionId={sold['data']['commission']['id']}"
        )
        assert first["data"]["status"] == "paid"

        after = await call(
            http, tenant, "POST", "/track/refund", {"invoiceId": "e2e-1"}
        )  # refunded after payout
        [clawback] = after["data"]["commissions"]
        assert (clawback["amount"], clawback["status"]) == ("-20.00", "pending")
        counted = await call(http, tenant, "GET", f"/affiliates/stats?affiliateId={plan.affiliate['id']}")
        assert (counted["data"]["clicks"], counted["data"]["signUps"], counted["data"]["conversions"]) == (
            1,
            2,
            2,
        )
        assert counted["data"]["commissions"]["pending"] == {"count": 1, "amount": "-20.00"}
        assert counted["data"]["revenue"] == {"USD": "25.00"}


async def test_one_invoice_from_twenty_processes_makes_one_commission(
    server: LiveServer, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    plan = await program(client, tenant, amount=10)
    signup = await client.post(
        f"{AFFILIATE}/track/signup",
        headers=tenant.affiliate,
        json={"email": "race@example.com", "referralCode": plan.code},
    )
    assert signup.status_code == 201
    body = {"email": "race@example.com", "amount": "99.99", "invoiceId": "race-1"}
    answers = concurrent_requests(
        20, "POST", f"{server.base_url}{AFFILIATE}/track/sale", tenant.affiliate, [body] * 20
    )
    statuses = sorted(status for status, _ in answers)
    assert statuses == [200] * 19 + [201], answers
    commission_ids = {json.loads(text)["data"]["commission"]["id"] for _, text in answers}
    assert len(commission_ids) == 1
    listing = await client.get(
        f"{AFFILIATE}/commissions/list?affiliateId={plan.affiliate['id']}", headers=tenant.affiliate
    )
    assert listing.json()["data"]["pagination"]["total"] == 1


async def test_concurrent_sign_ups_of_one_email_bind_once(
    server: LiveServer, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    first = await program(client, tenant, code="one")
    second = await program(client, tenant, code="two", email="john@example.com")
    codes = [first.code, second.code] * 3
    bodies = [{"email": "Racer@example.com", "referralCode": code} for code in codes]
    answers = concurrent_requests(
        len(bodies), "POST", f"{server.base_url}{AFFILIATE}/track/signup", tenant.affiliate, bodies
    )
    assert sorted(status for status, _ in answers) == [200] * 5 + [201], answers
    bound = {json.loads(text)["data"]["affiliateId"] for _, text in answers}
    assert len(bound) == 1
