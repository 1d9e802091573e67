"""Emit domain events, and manage the webhook endpoints and deliveries that carry them out.

emit() writes an outbox row in the caller's transaction: a rolled-back request emits nothing. The worker
(perks.outbox.worker) fans each event out to the matching active endpoints and delivers it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from perks.errors import Conflict, NotFound
from perks.kit import clock
from perks.kit.ids import new_id
from perks.kit.keyset import Keyset, KeysetPage
from perks.kit.pagination import PageRequest, PageResult, paginate
from perks.outbox import repository, safety
from perks.outbox.catalogue import TEST_EVENT
from perks.outbox.models import OutboxEvent, WebhookDelivery, WebhookEndpoint
from perks.outbox.schemas import EndpointCreate, EndpointUpdate
from perks.outbox.signing import new_secret
from perks.sql import Runner
from perks.tenancy.context import AuthContext

# A domain's webhook payload, JSON-ready. Each domain names its payloads' shapes as TypedDicts where it
# emits them (a TypedDict is a Mapping[str, object], never a dict[str, Any]).
Payload = Mapping[str, object]

# After a rotation, deliveries carry a second signature made with the old secret for this long, so
# receivers can switch secrets without dropping a message.
ROTATION_GRACE = timedelta(hours=24)
ENDPOINT_NOT_FOUND = "Webhook endpoint not found"
DELIVERY_NOT_FOUND = "Webhook delivery not found"

ENDPOINT_SORTABLE = {"createdAt": WebhookEndpoint.created_at, "updatedAt": WebhookEndpoint.updated_at}
DELIVERY_SORTABLE = {
    "createdAt": WebhookDelivery.created_at,
    "updatedAt": WebhookDelivery.updated_at,
    "nextAttemptAt": WebhookDelivery.next_attempt_at,
}


def emit(session: AsyncSession, ctx: AuthContext, event_type: str, payload: Payload) -> OutboxEvent:
    """Queue `event_type` with a JSON-ready payload; it is written when the transaction flushes."""
    event = OutboxEvent(account_id=ctx.account_id, event_type=event_type, payload=dict(payload))
    session.add(event)
    return event


async def emit_many(runner: Runner, ctx: AuthContext, events: Sequence[tuple[str, Payload]]) -> None:
    """`emit` for several events at once, written by a hot path's runner (perks.sql) in its transaction."""
    now = clock.now()
    rows = [
        {
            "id": new_id(),
            "account_id": ctx.account_id,
            "event_type": kind,
            "payload": payload,
            "created_at": now,
        }
        for kind, payload in events
    ]
    await repository.insert_events(runner, rows)


# Endpoints


async def create_endpoint(
    session: AsyncSession, ctx: AuthContext, body: EndpointCreate, allow_private: bool
) -> WebhookEndpoint:
    """The new endpoint; its `secret` is shown to the caller this once."""
    await safety.validate_url(body.url, allow_private)
    endpoint = WebhookEndpoint(
        account_id=ctx.account_id,
        url=body.url,
        events=body.events,
        description=body.description,
        active=body.active,
        secret=new_secret(),
    )
    await repository.add(session, endpoint)
    return endpoint


async def list_endpoints(session: AsyncSession, ctx: AuthContext) -> list[WebhookEndpoint]:
    rows = await session.scalars(repository.endpoints(ctx).order_by(WebhookEndpoint.created_at))
    return list(rows.all())


async def page_endpoints(session: AsyncSession, ctx: AuthContext, page: PageRequest) -> PageResult:
    return await paginate(session, repository.endpoints(ctx), page, ENDPOINT_SORTABLE, WebhookEndpoint.id)


async def get_endpoint(session: AsyncSession, ctx: AuthContext, endpoint_id: str) -> WebhookEndpoint:
    endpoint = await repository.get_endpoint(session, ctx, endpoint_id)
    if endpoint is None:
        raise NotFound(ENDPOINT_NOT_FOUND)
    return endpoint


async def update_endpoint(
    session: AsyncSession, ctx: AuthContext, endpoint_id: str, body: EndpointUpdate, allow_private: bool
) -> WebhookEndpoint:
    endpoint = await get_endpoint(session, ctx, endpoint_id)
    if body.url is not None:
        await safety.validate_url(body.url, allow_private)
        endpoint.url = body.url
    if body.events is not None:
        endpoint.events = body.events
    if "description" in body.model_fields_set:
        endpoint.description = body.description
    if body.active is not None:
        endpoint.active = body.active
    await session.flush()
    return endpoint


async def delete_endpoint(session: AsyncSession, ctx: AuthContext, endpoint_id: str) -> None:
    """Deletes the endpoint and its delivery log; nothing more is sent to it."""
    if not await repository.delete_endpoint(session, ctx, endpoint_id):
        raise NotFound(ENDPOINT_NOT_FOUND)


async def rotate_secret(session: AsyncSession, ctx: AuthContext, endpoint_id: str) -> WebhookEndpoint:
    """A new secret signs from now on; the old one keeps adding a signature for ROTATION_GRACE."""
    endpoint = await get_endpoint(session, ctx, endpoint_id)
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = clock.now() + ROTATION_GRACE
    endpoint.secret = new_secret()
    await session.flush()
    return endpoint


async def send_test(session: AsyncSession, ctx: AuthContext, endpoint_id: str) -> OutboxEvent:
    """Emit a `webhook.test` event through the outbox, for this endpoint only."""
    endpoint = await get_endpoint(session, ctx, endpoint_id)
    event = emit(
        session,
        ctx,
        TEST_EVENT,
        {"endpoint": endpoint.id, "message": "This is a test event sent from Perks."},
    )
    await session.flush()
    return event


# The delivery log


async def page_deliveries(
    session: AsyncSession, ctx: AuthContext, endpoint_id: str | None, page: PageRequest
) -> PageResult:
    await _endpoint_exists(session, ctx, endpoint_id)
    statement = repository.deliveries(ctx, endpoint_id)
    return await paginate(session, statement, page, DELIVERY_SORTABLE, WebhookDelivery.id)


async def slice_deliveries(
    session: AsyncSession, ctx: AuthContext, endpoint_id: str | None, start: int, end: int
) -> tuple[list[WebhookDelivery], int]:
    """Deliveries start..end (0-based, inclusive), newest first, and how many there are in all."""
    await _endpoint_exists(session, ctx, endpoint_id)
    return await repository.delivery_slice(session, ctx, endpoint_id, start, end)


async def keyset_deliveries(
    session: AsyncSession, ctx: AuthContext, endpoint_id: str | None, keyset: Keyset
) -> KeysetPage[WebhookDelivery]:
    """The delivery log a page at a time, newest first ("Next" / "Previous")."""
    await _endpoint_exists(session, ctx, endpoint_id)
    return await repository.delivery_page(session, ctx, endpoint_id, keyset)


async def redeliver(session: AsyncSession, ctx: AuthContext, delivery_id: str) -> WebhookDelivery:
    """Send the delivery again (same webhook-id) with a fresh retry schedule."""
    if not await repository.reschedule(session, ctx, delivery_id, clock.now()):
        if await repository.get_delivery(session, ctx, delivery_id) is None:
            raise NotFound(DELIVERY_NOT_FOUND)
        raise Conflict("This delivery is being attempted right now; try again in a minute")
    delivery = await repository.get_delivery(session, ctx, delivery_id)
    assert delivery is not None
    await session.refresh(delivery)
    return delivery


async def _endpoint_exists(session: AsyncSession, ctx: AuthContext, endpoint_id: str | None) -> None:
    if endpoint_id is not None:
        await get_endpoint(session, ctx, endpoint_id)
