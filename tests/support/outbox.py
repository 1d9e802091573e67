"""Reading back what a test's requests put in the outbox (the webhook events of either face)."""

from __future__ import annotations

from sqlalchemy import select

from perks.db.database import Database
from perks.outbox.models import OutboxEvent
from tests.support.tenants import Tenant


async def events(database: Database, tenant: Tenant, event_type: str | None = None) -> list[OutboxEvent]:
    async with database.transaction(read_only=True) as session:
        statement = select(OutboxEvent).where(OutboxEvent.account_id == tenant.account_id)
        if event_type is not None:
            statement = statement.where(OutboxEvent.event_type == event_type)
        rows = await session.scalars(statement.order_by(OutboxEvent.created_at, OutboxEvent.id))
        return list(rows.all())


async def outbox_types(database: Database, tenant: Tenant) -> list[str]:
    async with database.transaction(read_only=True) as session:
        rows = await session.scalars(
            select(OutboxEvent.event_type)
            .where(OutboxEvent.account_id == tenant.account_id)
            .order_by(OutboxEvent.id)
        )
        return list(rows.all())
