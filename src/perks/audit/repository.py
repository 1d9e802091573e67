"""SQL for the audit log, scoped to the caller's account."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func
from sqlalchemy.ext.asyncio import AsyncSession

from perks.audit.models import AuditEntry
from perks.kit.keyset import Keyset, KeysetPage, keyset_page
from perks.kit.periods import utc_day
from perks.tenancy import scoped
from perks.tenancy.context import AuthContext


@dataclass(frozen=True)
class AuditFilter:
    actor_id: str | None = None
    object_type: str | None = None
    object_id: str | None = None


def entries(ctx: AuthContext, where: AuditFilter) -> Select[AuditEntry]:
    statement = scoped.select(ctx, AuditEntry)
    if where.actor_id:
        statement = statement.where(AuditEntry.actor_id == where.actor_id)
    if where.object_type:
        statement = statement.where(AuditEntry.object_type == where.object_type)
    if where.object_id:
        statement = statement.where(AuditEntry.object_id == where.object_id)
    return statement


async def page(
    session: AsyncSession, ctx: AuthContext, where: AuditFilter, keyset: Keyset
) -> KeysetPage[AuditEntry]:
    order = (AuditEntry.created_at, AuditEntry.id)
    return await keyset_page(session, entries(ctx, where), order, keyset, descending=True)


async def object_types(session: AsyncSession, ctx: AuthContext) -> Sequence[str]:
    rows = await session.scalars(
        scoped.select(ctx, AuditEntry, AuditEntry.object_type).distinct().order_by(AuditEntry.object_type)
    )
    return rows.all()


async def count_by_day(
    session: AsyncSession, ctx: AuthContext, where: AuditFilter, since: datetime
) -> dict[str, int]:
    """Changes per UTC day since `since`: one grouped query."""
    day = utc_day(session, AuditEntry.created_at)
    statement = (
        entries(ctx, where)
        .with_only_columns(day, func.count())
        .where(AuditEntry.created_at >= since)
        .group_by(day)
    )
    return {str(bucket): int(count) for bucket, count in (await session.execute(statement)).all()}
