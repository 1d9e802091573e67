"""All webhook SQL. Tenant queries take the AuthContext and filter by account_id; the worker's queue
queries (fan-out, claim, finish) run across tenants, because the worker serves every account."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, Table, bindparam, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from perks.db.base import table_of
from perks.db.database import insert_for
from perks.kit.keyset import Keyset, KeysetPage, keyset_page
from perks.outbox.models import DeliveryStatus, OutboxEvent, WebhookDelivery, WebhookEndpoint
from perks.sql import Runner, statement
from perks.tenancy import scoped
from perks.tenancy.context import AuthContext

# Endpoints and the delivery log (tenant-scoped)


def endpoints(ctx: AuthContext) -> Select[WebhookEndpoint]:
    """The caller's endpoints: the statement the service's lists order and page."""
    return scoped.select(ctx, WebhookEndpoint)


async def get_endpoint(session: AsyncSession, ctx: AuthContext, endpoint_id: str) -> WebhookEndpoint | None:
    found: WebhookEndpoint | None = await session.scalar(
        scoped.select(ctx, WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id)
    )
    return found


async def add(session: AsyncSession, row: WebhookEndpoint) -> None:
    session.add(row)
    await session.flush()


async def delete_endpoint(session: AsyncSession, ctx: AuthContext, endpoint_id: str) -> bool:
    result = await session.execute(
        scoped.delete(ctx, WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint_id)
        .returning(WebhookEndpoint.id)
    )
    return result.first() is not None


def deliveries(ctx: AuthContext, endpoint_id: str | None) -> Select[WebhookDelivery]:
    statement = scoped.select(ctx, WebhookDelivery)
    if endpoint_id is not None:
        statement = statement.where(WebhookDelivery.endpoint_id == endpoint_id)
    return statement


async def delivery_slice(
    session: AsyncSession, ctx: AuthContext, endpoint_id: str | None, start: int, end: int
) -> tuple[list[WebhookDelivery], int]:
    statement = deliveries(ctx, endpoint_id)
    total = await session.scalar(select(func.count()).select_from(statement.subquery()))
    rows = await session.scalars(
        statement.order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
        .offset(start)
        .limit(end - start + 1)
    )
    return list(rows.all()), int(total or 0)


async def delivery_page(
    session: AsyncSession, ctx: AuthContext, endpoint_id: str | None, keyset: Keyset
) -> KeysetPage[WebhookDelivery]:
    """Newest first, on the (account, endpoint, created_at) index."""
    order = (WebhookDelivery.created_at, WebhookDelivery.id)
    return await keyset_page(session, deliveries(ctx, endpoint_id), order, keyset, descending=True)


async def get_delivery(session: AsyncSession, ctx: AuthContext, delivery_id: str) -> WebhookDelivery | None:
    found: WebhookDelivery | None = await session.scalar(
        deliveries(ctx, None).where(WebhookDelivery.id == delivery_id)
    )
    return found


async def reschedule(session: AsyncSession, ctx: AuthContext, delivery_id: str, now: datetime) -> bool:
    """Make a delivery due now with a fresh retry schedule, unless a worker holds it right now."""
    result = await session.execute(
        scoped.update(ctx, WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, _not_leased(now))
        .values(status=DeliveryStatus.PENDING.value, attempts=0, next_attempt_at=now, updated_at=now)
        .returning(WebhookDelivery.id)
        .execution_options(synchronize_session=False)
    )
    return result.first() is not None


def _not_leased(now: datetime) -> Any:
    return or_(WebhookDelivery.locked_until.is_(None), WebhookDelivery.locked_until <= now)


# The worker's queue (across tenants)


async def undispatched_events(session: AsyncSession, limit: int) -> Sequence[OutboxEvent]:
    """The oldest events not yet fanned out; on PostgreSQL, rows another worker holds are skipped."""
    rows = await session.scalars(
        select(OutboxEvent)
        .where(OutboxEvent.dispatched_at.is_(None))
        .order_by(OutboxEvent.created_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return rows.all()


async def active_endpoints(session: AsyncSession, account_ids: set[str]) -> Sequence[WebhookEndpoint]:
    rows = await session.scalars(
        select(WebhookEndpoint).where(
            scoped.among(WebhookEndpoint, account_ids), WebhookEndpoint.active.is_(True)
        )
    )
    return rows.all()


async def endpoints_by_id(session: AsyncSession, endpoint_ids: set[str]) -> Sequence[WebhookEndpoint]:
    if not endpoint_ids:
        return []
    rows = await session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.id.in_(endpoint_ids)))
    return rows.all()


async def insert_deliveries(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if rows:
        insert = insert_for(session)
        # executemany: one cached statement, batched by the driver, whatever the number of rows.
        statement = insert(WebhookDelivery.__table__).on_conflict_do_nothing(
            index_elements=["account_id", "event_id", "endpoint_id"]
        )
        await session.execute(statement, rows)


async def mark_dispatched(session: AsyncSession, event_ids: list[str], now: datetime) -> None:
    await session.execute(
        update(OutboxEvent)
        .where(OutboxEvent.id.in_(event_ids))
        .values(dispatched_at=now)
        .execution_options(synchronize_session=False)
    )


async def claim_due(
    session: AsyncSession, now: datetime, lease_until: datetime, lease_id: str, limit: int
) -> list[str]:
    """Lease up to `limit` due deliveries in one statement. PostgreSQL: the subselect locks with
    FOR UPDATE SKIP LOCKED, so concurrent workers take disjoint rows; SQLite: the write transaction
    (BEGIN IMMEDIATE) already excludes every other writer."""
    due = (
        select(WebhookDelivery.id)
        .where(
            WebhookDelivery.status == DeliveryStatus.PENDING.value,
            WebhookDelivery.next_attempt_at <= now,
            _not_leased(now),
        )
        .order_by(WebhookDelivery.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    result = await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id.in_(due.scalar_subquery()))
        .values(locked_until=lease_until, lease_id=lease_id)
        .returning(WebhookDelivery.id)
        .execution_options(synchronize_session=False)
    )
    return [row[0] for row in result.all()]


@dataclass(frozen=True)
class Claimed:
    delivery: WebhookDelivery
    endpoint: WebhookEndpoint
    event: OutboxEvent


async def claimed(session: AsyncSession, delivery_ids: list[str]) -> list[Claimed]:
    rows = await session.execute(
        select(WebhookDelivery, WebhookEndpoint, OutboxEvent)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .join(OutboxEvent, OutboxEvent.id == WebhookDelivery.event_id)
        .where(WebhookDelivery.id.in_(delivery_ids))
    )
    return [Claimed(delivery, endpoint, event) for delivery, endpoint, event in rows.all()]


OUTCOME_COLUMNS = (
    "status",
    "attempts",
    "next_attempt_at",
    "last_attempt_at",
    "last_response_code",
    "last_error",
    "delivered_at",
    "updated_at",
)


async def finish(session: AsyncSession, lease_id: str, outcomes: list[dict[str, Any]]) -> None:
    """Record a batch's outcomes (each a dict of OUTCOME_COLUMNS plus `delivery_id`) in one executemany,
    and give the leases back; a row whose lease another worker has taken since is left alone."""
    table = cast(Table, WebhookDelivery.__table__)
    statement = (
        update(table)
        .where(table.c.id == bindparam("delivery_id"), table.c.lease_id == lease_id)
        .values(
            {name: bindparam(name) for name in OUTCOME_COLUMNS} | {"locked_until": None, "lease_id": None}
        )
    )
    if outcomes:
        await session.execute(statement, outcomes)


async def release(session: AsyncSession, lease_id: str, delivery_ids: list[str]) -> None:
    """Give back leases of deliveries that were not attempted."""
    if delivery_ids:
        await session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id.in_(delivery_ids), WebhookDelivery.lease_id == lease_id)
            .values(locked_until=None, lease_id=None)
            .execution_options(synchronize_session=False)
        )


def has_pending_delivery(events: Table) -> ColumnElement[bool]:
    """Whether an event (a row of `events`, the outbox table of an outer statement) has a delivery still
    pending: the condition that keeps it from pruning (perks.outbox.housekeeping)."""
    deliveries = table_of(WebhookDelivery)
    return exists(
        select(deliveries.c.id).where(
            deliveries.c.account_id == events.c.account_id,
            deliveries.c.event_id == events.c.id,
            deliveries.c.status == DeliveryStatus.PENDING.value,
        )
    )


_EVENTS = cast(Table, OutboxEvent.__table__)
_INSERT_EVENT = statement(
    lambda: _EVENTS.insert().values(
        id=bindparam("id"),
        account_id=bindparam("account_id"),
        event_type=bindparam("event_type"),
        payload=bindparam("payload", type_=_EVENTS.c.payload.type),
        created_at=bindparam("created_at", type_=_EVENTS.c.created_at.type),
        dispatched_at=None,
    )
)


async def insert_events(runner: Runner, rows: Sequence[dict[str, Any]]) -> None:
    """Outbox rows written by a runner (perks.sql), one executemany."""
    await runner.many(_INSERT_EVENT, rows)
