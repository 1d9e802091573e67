"""Commissions from tracked sales and refunds, through the HTTP API."""

from __future__ import annotations

from datetime import timedelta

import httpx

from perks.db.database import Database
from perks.kit import clock
from tests.support.outbox import events
from tests.support.tenants import AFFILIATE, Tenant
from tests.support.tracking import (
    commission,
    generate,
    pay,
    program,
    referred_sale,
    refund,
    sale,
    sign_up,
    stats,
)


async def test_a_percentage_rounds_half_even_to_the_minor_unit(
    client: httpx.AsyncClient, tenant: Tenant, database: Database
) -> None:
    plan = await program(client, tenant, amount=12.5)
    data = await referred_sale(client, tenant, plan, "a@example.com", "inv-1", "0.20")
    earned = data["commission"]
    assert (earned["amount"], earned["adminEarnedAmount"]) == ("0.02", "0.18")  # 0.025 → 0.02, not 0.03
    assert earned["status"] == "pending" and earned["saleId"] == data["sale"]["id"]
    assert earned["affiliateId"] == plan.affiliate["id"] and earned["referredUser"] == "a@example.com"
    await sign_up(client, tenant, email="yen@example.com", referralCode=plan.code)
    yen = await sale(client, tenant, email="yen@example.com", amount=1004, currency="jpy", invoiceId="inv-2")
    assert yen.json()["data"]["commission"]["amount"] == "126.00"  # 125.5 yen → 126 (even)
    assert yen.json()["data"]["sale"]["amount"] == "1004"
    assert [event.payload["id"] for event in await events(database, tenant, "sale.created")] == [
        data["sale"]["id"],
        yen.json()["data"]["sale"]["id"],
    ]
    assert len(await events(database, tenant, "commission.created")) == 2


async def test_a_fixed_commission_and_customers_found_by_external_id(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    plan = await program(client, tenant, commissionType="fixed", amount=5)
    await sign_up(client, tenant, email="b@example.com", referralCode=plan.code, externalId="cus_9")
    response = await sale(client, tenant, externalId="cus_9", amount="3.00", invoiceId="inv-f")
    assert response.status_code == 201, response.text
    earned = response.json()["data"]["commission"]
    assert (earned["amount"], earned["adminEarnedAmount"]) == ("5.00", "0.00")


async def test_one_invoice_pays_once(client: httpx.AsyncClient, tenant: Tenant) -> None:
    plan = await program(client, tenant)
    first = await referred_sale(client, tenant, plan, "c@example.com", "inv-once", "100")
    again = await sale(client, tenant, email="c@example.com", amount="100", invoiceId="inv-once")
    assert again.status_code == 200
    assert again.json()["message"] == "Sale already recorded"
    assert again.json()["data"]["commission"]["id"] == first["commission"]["id"]
    listing = await client.get(
        f"{AFFILIATE}/commissions/list?affiliateId={plan.affiliate['id']}", headers=tenant.affiliate
    )
    assert listing.json()["data"]["pagination"]["total"] == 1


async def test_sales_that_earn_nothing(client: httpx.AsyncClient, tenant: Tenant) -> None:
    plan = await program(client, tenant, affiliate_fields={"payoutEmail": "jane.pay@example.com"})
    nobody = await sale(client, tenant, email="walk-in@example.com", amount="10", invoiceId="inv-n")
    assert nobody.status_code == 200
    assert nobody.json()["message"] == "Sale recorded; the customer was not referred"
    assert nobody.json()["data"]["commission"] is None
    await sign_up(client, tenant, email="jane@example.com", referralCode=plan.code)
    self_sale = await sale(client, tenant, email="jane@example.com", amount="10", invoiceId="inv-s")
    assert self_sale.status_code == 201 and self_sale.json()["data"]["commission"] is None
    await sign_up(client, tenant, email="late@example.com", referralCode=plan.code)
    await client.put(
        f"{AFFILIATE}/affiliates?affiliateId={plan.affiliate['id']}",
        headers=tenant.affiliate,
        json={"isActive": False},
    )
    inactive = await sale(client, tenant, email="late@example.com", amount="10", invoiceId="inv-i")
    assert inactive.json()["data"]["commission"] is None
    waiting = await program(client, tenant, code="wait", email="new@example.com", requiresApprovalToJoin=True)
    assert waiting.affiliate["status"] == "pending"
    await sign_up(client, tenant, email="w@example.com", referralCode=waiting.code)
    pending = await sale(client, tenant, email="w@example.com", amount="10", invoiceId="inv-p")
    assert pending.json()["data"]["commission"] is None


async def test_sale_input_errors(client: httpx.AsyncClient, tenant: Tenant) -> None:
    cases = [
        ({"amount": "1", "invoiceId": "x"}, "email: email or externalId is required"),
        (
            {"email": "a@example.com", "amount": "1.005", "invoiceId": "x"},
            "amount: has more decimal places than USD has",
        ),
        ({"email": "a@example.com", "amount": "1", "currency": "JPY", "invoiceId": "x"}, None),
        (
            {"email": "a@example.com", "amount": "1.5", "currency": "JPY", "invoiceId": "y"},
            "amount: has more decimal places than JPY has",
        ),
        ({"email": "a@example.com", "amount": "0", "invoiceId": "x"}, "amount"),
        ({"email": "a@example.com", "amount": "1", "currency": "dollars", "invoiceId": "x"}, "currency"),
        ({"email": "a@example.com", "amount": "1"}, "invoiceId"),
    ]
    for body, message in cases:
        response = await sale(client, tenant, **body)
        if message is None:
            assert response.status_code == 200, response.text
            continue
        assert response.status_code == 400, (body, response.text)
        assert response.json()["message"].startswith(message)


async def test_refunds_before_payout_reduce_pro_rata_then_refund(
    client: httpx.AsyncClient, tenant: Tenant, database: Database
) -> None:
    plan = await program(client, tenant, amount=10)
    data = await referred_sale(client, tenant, plan, "r@example.com", "inv-r", "100.00")
    partial = await refund(client, tenant, invoiceId="inv-r", amount="25.00")
    assert partial.status_code == 200, partial.text
    assert partial.json()["data"]["sale"]["refundedAmount"] == "25.00"
    assert partial.json()["data"]["commissions"][0]["amount"] == "7.50"
    assert (await commission(client, tenant, data["commission"]["id"]))["adminEarnedAmount"] == "67.50"
    too_much = await refund(client, tenant, invoiceId="inv-r", amount="75.01")
    assert too_much.status_code == 422
    rest = await refund(client, tenant, invoiceId="inv-r")
    assert rest.json()["data"]["commissions"][0]["status"] == "refunded"
    again = await refund(client, tenant, invoiceId="inv-r")
    assert again.status_code == 200 and again.json()["data"]["commissions"] == []
    refunded = await events(database, tenant, "commission.refunded")
    assert [event.payload["id"] for event in refunded] == [data["commission"]["id"]]
    counted = await stats(client, tenant, plan.affiliate["id"])
    assert counted["revenue"] == {"USD": "0.00"}
    assert counted["commissions"]["refunded"] == {"count": 1, "amount": "7.50"}
    unknown = await refund(client, tenant, invoiceId="inv-none")
    assert unknown.status_code == 404 and unknown.json()["message"] == "Sale not found"


async def test_a_refund_after_payout_is_clawed_back_by_the_next_payout(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    plan = await program(client, tenant, amount=10, payoutTerm=30)
    first = await referred_sale(client, tenant, plan, "p@example.com", "inv-a", "100.00")
    clock.travel(timedelta(days=30, seconds=1))
    [payout] = await generate(client, tenant)
    assert (payout["amount"], payout["commissionCount"]) == ("10.00", 1)
    assert (await pay(client, tenant, payout["id"])).status_code == 200
    clawed = await refund(client, tenant, invoiceId="inv-a", amount="40.00")
    [clawback] = clawed.json()["data"]["commissions"]
    assert (clawback["amount"], clawback["status"]) == ("-4.00", "pending")
    assert (await commission(client, tenant, first["commission"]["id"]))["status"] == "paid"
    await referred_sale(client, tenant, plan, "q@example.com", "inv-b", "200.00")
    assert (
        await generate(client, tenant) == []
    )  # the new commission is not due yet: the clawback alone is negative
    clock.travel(timedelta(days=30, seconds=1))
    [second] = await generate(client, tenant)
    assert (second["amount"], second["commissionCount"]) == ("16.00", 2)
    assert (await commission(client, tenant, clawback["id"]))["payoutId"] == second["id"]


async def test_invoices_are_per_account(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    plan = await program(client, tenant)
    await referred_sale(client, tenant, plan, "s@example.com", "shared-invoice", "10.00")
    theirs = await sale(
        client, other_tenant, email="s@example.com", amount="10.00", invoiceId="shared-invoice"
    )
    assert theirs.status_code == 200
    assert theirs.json()["message"] == "Sale recorded; the customer was not referred"


async def test_answers_are_what_the_database_reads_back(
    client: httpx.AsyncClient, tenant: Tenant, database: Database
) -> None:
    """A new sale's answer, a refund's and a clawback's are built from what was written, not read back:
    byte for byte what a replay, the commission's own route and the webhooks show."""
    plan = await program(client, tenant, amount=12.5, payoutTerm=30)
    await sign_up(client, tenant, email="echo@example.com", referralCode=plan.code, externalId="cus_echo")
    body = {"externalId": "cus_echo", "amount": "100.1", "invoiceId": "inv-echo"}
    first = (await sale(client, tenant, **body)).json()["data"]
    assert (await sale(client, tenant, **body)).json()["data"] == first
    assert [event.payload for event in await events(database, tenant, "sale.created")] == [first["sale"]]
    assert [event.payload for event in await events(database, tenant, "commission.created")] == [
        first["commission"]
    ]
    partial = (await refund(client, tenant, invoiceId="inv-echo", amount="0.10")).json()["data"]
    [reduced] = partial["commissions"]
    assert reduced == await commission(client, tenant, first["commission"]["id"])
    assert partial["sale"] == (await sale(client, tenant, **body)).json()["data"]["sale"]
    assert [event.payload for event in await events(database, tenant, "commission.updated")] == [reduced]
    clock.travel(timedelta(days=30, seconds=1))
    [payout] = await generate(client, tenant)
    assert (await pay(client, tenant, payout["id"])).status_code == 200
    clawed = (await refund(client, tenant, invoiceId="inv-echo")).json()["data"]
    [clawback] = clawed["commissions"]
    assert (clawback["amount"], clawed["sale"]["refundedAmount"]) == ("-12.50", "100.10")
    assert clawback == await commission(client, tenant, clawback["id"])
