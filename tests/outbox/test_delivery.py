"""Delivery through a real HTTP receiver on loopback: signed (verified with the standardwebhooks
library), retried on a backoff schedule (the clock is moved, never slept), logged, redeliverable."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI, Query
from sqlalchemy import func, select, update

from perks.affiliate import face as affiliate_face
from perks.app import create_app
from perks.db.database import Database
from perks.errors import BadRequest
from perks.kit import clock
from perks.outbox import schedule
from perks.outbox.models import OutboxEvent, WebhookDelivery
from perks.outbox.service import emit
from perks.outbox.worker import Worker
from perks.tenancy.context import AuthContext, KeyKind
from tests import conftest
from tests.outbox.conftest import create_endpoint, deliveries, send_test_event
from tests.outbox.receiver import running_receiver
from tests.support.tenants import AFFILIATE, LOYALTY, Tenant


def server_context(tenant: Tenant) -> AuthContext:
    return AuthContext(account_id=tenant.account_id, key_id=tenant.server_key_id, kind=KeyKind.SERVER)


async def test_events_arrive_signed_and_verifiable(
    client: httpx.AsyncClient, tenant: Tenant, worker: Worker
) -> None:
    with running_receiver() as receiver:
        endpoint = await create_endpoint(client, tenant, receiver.url, ["payout.paid"])
        from_affiliate = await send_test_event(client, tenant, endpoint["id"])
        loyalty = await client.post(
            f"{LOYALTY}/webhooks/{endpoint['id']}/test", headers=await tenant.loyalty(client)
        )
        assert loyalty.status_code == 201 and loyalty.json()["data"]["type"] == "webhook.test"
        await worker.drain()

    assert sorted(receiver.ids()) == sorted([from_affiliate, loyalty.json()["data"]["id"]])
    for request in receiver.received:
        payload = request.verified(endpoint["secret"])
        assert payload["id"] == request.webhook_id
        assert payload["type"] == "webhook.test"
        assert payload["data"] == {
            "endpoint": endpoint["id"],
            "message": "This is a test event sent from Perks.",
        }
        assert payload["timestamp"].endswith("Z")
        assert request.headers["content-type"] == "application/json"
    with pytest.raises(Exception, match="No matching signature"):
        receiver.received[0].verified("whsec_" + "QUJD" * 8)
    [first, second] = await deliveries(client, tenant, endpoint["id"])
    for item in (first, second):
        assert item["status"] == "succeeded" and item["attempts"] == 1 and item["lastResponseCode"] == 200
        assert item["deliveredAt"] is not None and item["nextAttemptAt"] is None
        assert item["eventType"] == "webhook.test" and item["endpointId"] == endpoint["id"]


async def test_five_hundreds_are_retried_on_the_schedule_until_one_success(
    client: httpx.AsyncClient, tenant: Tenant, app: FastAPI
) -> None:
    base = 60.0
    worker = Worker(app.state.db, app.state.settings.model_copy(update={"webhook_retry_base_seconds": base}))
    try:
        with running_receiver(script=[500, 500, 500]) as receiver:
            endpoint = await create_endpoint(client, tenant, receiver.url, ["payout.paid"])
            event_id = await send_test_event(client, tenant, endpoint["id"])
            await worker.drain()
            for failures in (1, 2, 3):
                assert len(receiver.received) == failures
                [delivery] = await deliveries(client, tenant, endpoint["id"])
                assert (delivery["status"], delivery["attempts"]) == ("pending", failures)
                assert delivery["lastResponseCode"] == 500 and delivery["lastError"] == "HTTP 500"
                await worker.drain()  # not due yet: the backoff holds it back
                assert len(receiver.received) == failures
                clock.travel(timedelta(seconds=base * 2 ** (failures - 1) * (1 + schedule.JITTER) + 1))
                await worker.drain()
    finally:
        await worker.close()

    assert [item.status for item in receiver.received] == [500, 500, 500, 200]
    assert set(receiver.ids()) == {event_id}
    assert len(receiver.successes()) == 1
    [delivery] = await deliveries(client, tenant, endpoint["id"])
    assert (delivery["status"], delivery["attempts"], delivery["lastResponseCode"]) == ("succeeded", 4, 200)
    assert delivery["lastError"] is None


async def test_a_delivery_fails_after_the_last_attempt_and_can_be_redelivered(
    client: httpx.AsyncClient, tenant: Tenant, worker: Worker
) -> None:
    with running_receiver(script=[503] * schedule.MAX_ATTEMPTS) as receiver:
        endpoint = await create_endpoint(client, tenant, receiver.url, ["payout.paid"])
        event_id = await send_test_event(client, tenant, endpoint["id"])
        for _ in range(schedule.MAX_ATTEMPTS + 2):
            await worker.drain()
            clock.travel(timedelta(days=1))
        [delivery] = await deliveries(client, tenant, endpoint["id"])
        assert (delivery["status"], delivery["attempts"]) == ("failed", schedule.MAX_ATTEMPTS)
        assert delivery["nextAttemptAt"] is None and delivery["lastResponseCode"] == 503
        assert len(receiver.received) == schedule.MAX_ATTEMPTS

        again = await client.post(
            f"{AFFILIATE}/webhooks/deliveries/redeliver?deliveryId={delivery['id']}", headers=tenant.affiliate
        )
        assert again.status_code == 200, again.text
        assert again.json()["message"] == "Redelivery scheduled successfully"
        assert (again.json()["data"]["status"], again.json()["data"]["attempts"]) == ("pending", 0)
        await worker.drain()

    assert receiver.ids() == [event_id] * (schedule.MAX_ATTEMPTS + 1)
    assert receiver.received[-1].status == 200
    [delivery] = await deliveries(client, tenant, endpoint["id"])
    assert (delivery["status"], delivery["attempts"]) == ("succeeded", 1)


async def test_only_active_subscribers_of_the_type_get_an_event(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant, database: Database, worker: Worker
) -> None:
    with running_receiver() as wanted, running_receiver() as unwanted:
        subscriber = await create_endpoint(client, tenant, wanted.url, ["commission.created"])
        await create_endpoint(client, tenant, unwanted.url, ["payout.paid"])
        await create_endpoint(client, tenant, unwanted.url, ["commission.created"], active=False)
        await create_endpoint(client, other_tenant, unwanted.url, ["commission.created"])
        async with database.transaction() as session:
            event = emit(
                session, server_context(tenant), "commission.created", {"id": "c1", "amount": "12.50"}
            )
        await worker.drain()

    assert unwanted.received == []
    [request] = wanted.received
    assert request.verified(subscriber["secret"]) == {
        "id": event.id,
        "type": "commission.created",
        "timestamp": clock.iso_millis(event.created_at),
        "data": {"id": "c1", "amount": "12.50"},
    }


rollback_router = affiliate_face.router()


@rollback_router.post("/test-only/emit")
async def emit_then_maybe_fail(
    session: affiliate_face.Session, ctx: affiliate_face.ServerAuth, fail: bool = Query(False)
) -> dict[str, str]:
    emit(session, ctx, "commission.created", {"fail": fail})
    await session.flush()
    if fail:
        raise BadRequest("failing after the event was written")
    return {"ok": "yes"}


@pytest.fixture
async def rollback_client(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The real app plus one route that emits an event and then, on request, fails."""
    application = create_app(conftest.test_settings(database_url))
    # Face routers carry the face prefix themselves on newer foundations; add it only where they do not.
    prefix = "" if rollback_router.prefix == affiliate_face.PREFIX else affiliate_face.PREFIX
    application.include_router(rollback_router, prefix=prefix)
    transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://perks.test") as http:
        yield http
    await application.state.db.dispose()


async def test_a_rolled_back_request_emits_nothing(
    rollback_client: httpx.AsyncClient,
    client: httpx.AsyncClient,
    tenant: Tenant,
    database: Database,
    worker: Worker,
) -> None:
    with running_receiver() as receiver:
        await create_endpoint(client, tenant, receiver.url, ["commission.created"])
        failed = await rollback_client.post(f"{AFFILIATE}/test-only/emit?fail=true", headers=tenant.affiliate)
        assert failed.status_code == 400
        committed = await rollback_client.post(f"{AFFILIATE}/test-only/emit", headers=tenant.affiliate)
        assert committed.status_code == 200
        await worker.drain()

    async with database.transaction(read_only=True) as session:
        stored = await session.scalar(
            select(func.count()).select_from(OutboxEvent).where(OutboxEvent.account_id == tenant.account_id)
        )
    assert stored == 1
    assert [request.json["data"] for request in receiver.received] == [{"fail": False}]


async def test_after_rotation_both_secrets_verify_for_a_while(
    client: httpx.AsyncClient, tenant: Tenant, worker: Worker
) -> None:
    with running_receiver() as receiver:
        endpoint = await create_endpoint(client, tenant, receiver.url, ["payout.paid"])
        rotated = await client.post(
            f"{AFFILIATE}/webhooks/rotate-secret?endpointId={endpoint['id']}", headers=tenant.affiliate
        )
        new_secret = rotated.json()["data"]["secret"]
        await send_test_event(client, tenant, endpoint["id"])
        await worker.drain()
        clock.travel(timedelta(hours=25))
        await send_test_event(client, tenant, endpoint["id"])
        await worker.drain()

    during, after = receiver.received
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    during.verified(endpoint["secret"])
    during.verified(new_secret)
    after.verified(new_secret)
    with pytest.raises(Exception, match="No matching signature"):
        after.verified(endpoint["secret"])


async def test_loyalty_delivery_log_and_redelivery(
    client: httpx.AsyncClient, tenant: Tenant, worker: Worker
) -> None:
    headers = await tenant.loyalty(client)
    with running_receiver() as receiver:
        endpoint = await create_endpoint(client, tenant, receiver.url, ["TIER_UPGRADE"])
        for _ in range(3):
            await client.post(f"{LOYALTY}/webhooks/test?endpoint_id={endpoint['id']}", headers=headers)
        await worker.drain()
        log = await client.get(
            f"{LOYALTY}/webhooks/deliveries?endpoint_id={endpoint['id']}&from=1&to=5", headers=headers
        )
        assert log.status_code == 200, log.text
        assert (log.json()["from"], log.json()["to"], log.json()["count"]) == (1, 2, 3)
        [newer, older] = log.json()["data"]
        assert newer["status"] == "succeeded" and newer["last_response_code"] == 200
        by_path = await client.get(f"{LOYALTY}/webhooks/{endpoint['id']}/deliveries", headers=headers)
        assert [item["id"] for item in by_path.json()["data"]][1:] == [newer["id"], older["id"]]
        again = await client.post(f"{LOYALTY}/webhooks/deliveries/{older['id']}/redeliver", headers=headers)
        assert again.status_code == 200 and again.json()["data"]["status"] == "pending"
        await worker.drain()

    assert receiver.ids().count(older["event_id"]) == 2
    bad_window = await client.get(f"{LOYALTY}/webhooks/deliveries?from=5&to=2", headers=headers)
    assert bad_window.status_code == 400 and "to" in bad_window.json()["details"]
    no_id = await client.post(f"{LOYALTY}/webhooks/deliveries/redeliver", headers=headers)
    assert no_id.status_code == 400 and no_id.json()["details"].startswith("delivery_id")


async def test_a_delivery_in_flight_cannot_be_redelivered_and_deleting_an_endpoint_drops_its_log(
    client: httpx.AsyncClient, tenant: Tenant, database: Database, worker: Worker
) -> None:
    with running_receiver() as receiver:
        endpoint = await create_endpoint(client, tenant, receiver.url, ["payout.paid"], active=False)
        await send_test_event(client, tenant, endpoint["id"])  # test events reach inactive endpoints too
        await worker.drain()
    [delivery] = await deliveries(client, tenant, endpoint["id"])
    assert delivery["status"] == "succeeded" and len(receiver.received) == 1
    async with database.transaction() as session:
        await session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == delivery["id"])
            .values(locked_until=clock.now() + timedelta(seconds=30))
        )
    busy = await client.post(
        f"{AFFILIATE}/webhooks/deliveries/redeliver?deliveryId={delivery['id']}", headers=tenant.affiliate
    )
    assert busy.status_code == 409
    assert busy.json()["message"] == "This delivery is being attempted right now; try again in a minute"

    await client.delete(f"{AFFILIATE}/webhooks?endpointId={endpoint['id']}", headers=tenant.affiliate)
    log = await client.get(f"{AFFILIATE}/webhooks/deliveries", headers=tenant.affiliate)
    assert log.json()["data"]["items"] == []


async def test_the_worker_checks_the_target_again_before_every_attempt(
    client: httpx.AsyncClient, tenant: Tenant, app: FastAPI
) -> None:
    strict = Worker(app.state.db, app.state.settings.model_copy(update={"allow_private_webhooks": False}))
    try:
        with running_receiver() as receiver:
            # Accepted while private targets were allowed; refused once they are not (as after a DNS change).
            endpoint = await create_endpoint(client, tenant, receiver.url, ["payout.paid"])
            await send_test_event(client, tenant, endpoint["id"])
            await strict.run_once()  # fans out and attempts once
    finally:
        await strict.close()
    assert receiver.received == []
    [delivery] = await deliveries(client, tenant, endpoint["id"])
    assert delivery["status"] == "pending" and delivery["attempts"] == 1
    assert delivery["lastError"].startswith("refused: resolves to a private")
    assert delivery["lastResponseCode"] is None
