"""Payouts: due commissions gathered per affiliate, minimums, paid atomically, exported; the worker job."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import httpx
from fastapi import FastAPI

from perks.db.database import Database
from perks.kit import clock
from perks.worker import run_periodic_jobs
from tests.support.affiliate import create
from tests.support.outbox import events
from tests.support.tenants import AFFILIATE, Tenant
from tests.support.tracking import commission, generate, pay, program, referred_sale, refund

TERM = timedelta(days=30, seconds=1)


async def test_a_payout_waits_for_the_term_and_the_minimum(client: httpx.AsyncClient, tenant: Tenant) -> None:
    plan = await program(client, tenant, amount=10, minimumPayoutAmount=25)
    await referred_sale(client, tenant, plan, "a@example.com", "m-1", "150.00")
    clock.travel(timedelta(days=29))
    assert await generate(client, tenant) == []  # not due yet
    clock.travel(timedelta(days=1, seconds=1))
    assert await generate(client, tenant) == []  # due, but 15.00 is under the minimum of 25
    await referred_sale(client, tenant, plan, "b@example.com", "m-2", "100.00")
    clock.travel(TERM)
    [payout] = await generate(client, tenant)
    assert (payout["amount"], payout["currency"], payout["status"]) == ("25.00", "USD", "pending")
    assert payout["affiliateId"] == plan.affiliate["id"] and payout["commissionCount"] == 2
    assert await generate(client, tenant) == []  # nothing left to gather


async def test_marking_paid_pays_its_commissions(
    client: httpx.AsyncClient, tenant: Tenant, database: Database
) -> None:
    plan = await program(client, tenant, amount=10)
    sold = await referred_sale(client, tenant, plan, "c@example.com", "p-1", "80.00")
    clock.travel(TERM)
    [payout] = await generate(client, tenant)
    assert (await commission(client, tenant, sold["commission"]["id"]))["status"] == "processing"
    got = await client.get(f"{AFFILIATE}/payouts?payoutId={payout['id']}", headers=tenant.affiliate)
    assert got.json()["message"] == "Payout fetched successfully" and got.json()["data"] == payout
    wrong = await client.put(
        f"{AFFILIATE}/payouts?payoutId={payout['id']}", headers=tenant.affiliate, json={"status": "pending"}
    )
    assert wrong.status_code == 400 and wrong.json()["message"].startswith("status")
    paid = await pay(client, tenant, payout["id"])
    assert paid.status_code == 200
    assert paid.json()["data"]["status"] == "paid" and paid.json()["data"]["paidAt"] is not None
    earned = await commission(client, tenant, sold["commission"]["id"])
    assert earned["status"] == "paid" and earned["payoutDate"] is not None
    assert (await pay(client, tenant, payout["id"])).json()["data"]["paidAt"] == paid.json()["data"]["paidAt"]
    assert [event.payload["id"] for event in await events(database, tenant, "payout.created")] == [
        payout["id"]
    ]
    assert len(await events(database, tenant, "payout.paid")) == 1


async def test_a_refund_in_a_pending_payout_lowers_it(client: httpx.AsyncClient, tenant: Tenant) -> None:
    plan = await program(client, tenant, amount=10)
    await referred_sale(client, tenant, plan, "d@example.com", "q-1", "50.00")
    await referred_sale(client, tenant, plan, "e@example.com", "q-2", "70.00")
    clock.travel(TERM)
    [payout] = await generate(client, tenant)
    assert payout["amount"] == "12.00"
    await refund(client, tenant, invoiceId="q-1")
    await refund(client, tenant, invoiceId="q-2", amount="35.00")
    got = await client.get(f"{AFFILIATE}/payouts?payoutId={payout['id']}", headers=tenant.affiliate)
    assert got.json()["data"]["amount"] == "3.50"
    assert (await pay(client, tenant, payout["id"])).json()["data"]["amount"] == "3.50"


async def test_lists_filter_and_exports_follow_the_payout_method(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    paypal = await program(
        client,
        tenant,
        amount=10,
        affiliate_fields={"payoutMethod": "paypal", "payoutEmail": "pp@example.com"},
    )
    wise = await program(
        client,
        tenant,
        code="wise",
        email="w@example.com",
        amount=10,
        affiliate_fields={"payoutMethod": "WISE"},
    )
    await referred_sale(client, tenant, paypal, "f@example.com", "x-1", "10.00")
    await referred_sale(client, tenant, wise, "g@example.com", "x-2", "20.00")
    clock.travel(TERM)
    made = await generate(client, tenant)
    assert len(made) == 2
    listing = await client.get(
        f"{AFFILIATE}/payouts/list?affiliateId={wise.affiliate['id']}&status=pending",
        headers=tenant.affiliate,
    )
    assert [item["amount"] for item in listing.json()["data"]["items"]] == ["2.00"]
    pp = await client.get(f"{AFFILIATE}/payouts/export?format=csv&method=paypal", headers=tenant.affiliate)
    assert pp.status_code == 200 and pp.headers["content-type"].startswith("text/csv")
    paypal_id = next(item["id"] for item in made if item["affiliateId"] == paypal.affiliate["id"])
    assert list(csv.reader(io.StringIO(pp.text))) == [
        ["pp@example.com", "1.00", "USD", paypal_id, "Affiliate payout"]
    ]
    wise_rows = list(
        csv.DictReader(
            io.StringIO(
                (await client.get(f"{AFFILIATE}/payouts/export?method=WISE", headers=tenant.affiliate)).text
            )
        )
    )
    assert [(row["recipientEmail"], row["amount"], row["targetCurrency"]) for row in wise_rows] == [
        ("w@example.com", "2.00", "USD")
    ]
    assert (
        await client.get(f"{AFFILIATE}/payouts/export?method=cheque", headers=tenant.affiliate)
    ).status_code == 400
    assert (
        await client.get(f"{AFFILIATE}/payouts/export?format=xml&method=WISE", headers=tenant.affiliate)
    ).status_code == 400
    for payout in made:
        await pay(client, tenant, payout["id"])
    empty = await client.get(f"{AFFILIATE}/payouts/export?method=PAYPAL", headers=tenant.affiliate)
    assert empty.text == ""


async def test_hand_written_commissions_fall_due_after_the_campaign_term(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    plan = await program(client, tenant, payoutTerm=10)
    await create(
        client,
        tenant,
        "commissions",
        {"affiliateId": plan.affiliate["id"], "referredUser": "h@example.com", "amount": 30},
    )
    clock.travel(timedelta(days=9))
    assert await generate(client, tenant) == []
    clock.travel(timedelta(days=1, seconds=1))
    [payout] = await generate(client, tenant)
    assert payout["amount"] == "30.00"


async def test_the_worker_job_generates_due_payouts(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    plan = await program(client, tenant, amount=10)
    await referred_sale(client, tenant, plan, "j@example.com", "w-1", "90.00")
    clock.travel(TERM)
    await run_periodic_jobs(app.state.db, app.state.settings)
    listing = await client.get(
        f"{AFFILIATE}/payouts/list?affiliateId={plan.affiliate['id']}", headers=tenant.affiliate
    )
    assert [item["amount"] for item in listing.json()["data"]["items"]] == ["9.00"]


async def test_another_accounts_payouts_and_sales_are_404(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    plan = await program(client, tenant, amount=10)
    await referred_sale(client, tenant, plan, "k@example.com", "iso-1", "90.00")
    clock.travel(TERM)
    [payout] = await generate(client, tenant)
    theirs = other_tenant.affiliate
    assert (
        await client.get(f"{AFFILIATE}/payouts?payoutId={payout['id']}", headers=theirs)
    ).status_code == 404
    put = await client.put(
        f"{AFFILIATE}/payouts?payoutId={payout['id']}", headers=theirs, json={"status": "paid"}
    )
    assert put.status_code == 404 and put.json()["message"] == "Payout not found"
    assert (
        await client.post(f"{AFFILIATE}/track/refund", headers=theirs, json={"invoiceId": "iso-1"})
    ).status_code == 404
    assert (await client.get(f"{AFFILIATE}/payouts/list", headers=theirs)).json()["data"]["items"] == []
    assert (await client.post(f"{AFFILIATE}/payouts/generate", headers=theirs)).json()["data"] == []
    mine = await client.get(f"{AFFILIATE}/payouts?payoutId={payout['id']}", headers=tenant.affiliate)
    assert mine.json()["data"]["status"] == "pending"
