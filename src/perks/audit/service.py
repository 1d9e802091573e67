"""Record and read the audit log. Page builders call `record` once per change, in the change's own
transaction: a change rolled back leaves no entry, and an entry never describes a change that did not
happen. (The console refuses to commit a change that has no entry: perks.console.pages.)"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from perks.audit import repository
from perks.audit.models import AuditEntry
from perks.audit.repository import AuditFilter
from perks.kit import clock
from perks.kit.keyset import Keyset, KeysetPage
from perks.kit.periods import days_ending
from perks.tenancy.context import AuthContext

LABEL_MAX = 200
Snapshot = BaseModel | Mapping[str, Any] | None


class Actor(Protocol):
    """Who made a change: a signed-in console user (kind "user") or affiliate (kind "affiliate")."""

    @property
    def actor_kind(self) -> str: ...
    @property
    def actor_id(self) -> str: ...
    @property
    def actor_label(self) -> str: ...
    @property
    def ctx(self) -> AuthContext: ...


@dataclass(frozen=True)
class Target:
    """The object a change was made to: its type ("brand", "api_key"), id, and a name people recognise."""

    type: str
    id: str
    label: str | None = None


@dataclass(frozen=True)
class Change:
    field: str
    before: Any
    after: Any


def snapshot(value: Snapshot) -> dict[str, Any] | None:
    """A JSON-ready copy of an object's state: a Pydantic model (the API's own output schema, so the log
    shows what the API would) or a mapping."""
    if value is None:
        return None
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    # Through JSON and back: dates, decimals and ids become the strings the log stores.
    return dict(json.loads(json.dumps(dict(value), default=str)))


def record(
    session: AsyncSession,
    actor: Actor,
    action: str,
    target: Target,
    *,
    before: Snapshot = None,
    after: Snapshot = None,
) -> AuditEntry:
    """Add one entry to the change's transaction (written when it commits)."""
    entry = AuditEntry(
        account_id=actor.ctx.account_id,
        actor_kind=actor.actor_kind,
        actor_id=actor.actor_id,
        actor_label=actor.actor_label,
        action=action,
        object_type=target.type,
        object_id=target.id,
        object_label=(target.label or "")[:LABEL_MAX] or None,
        before=snapshot(before),
        after=snapshot(after),
        created_at=clock.now(),
    )
    session.add(entry)
    return entry


def changes(entry: AuditEntry) -> list[Change]:
    """The fields that differ between before and after, in a stable order."""
    before, after = entry.before or {}, entry.after or {}
    fields = list(dict.fromkeys([*before, *after]))
    return [
        Change(name, before.get(name), after.get(name))
        for name in fields
        if before.get(name) != after.get(name)
    ]


async def page(
    session: AsyncSession, ctx: AuthContext, where: AuditFilter, keyset: Keyset
) -> KeysetPage[AuditEntry]:
    return await repository.page(session, ctx, where, keyset)


async def object_types(session: AsyncSession, ctx: AuthContext) -> Sequence[str]:
    return await repository.object_types(session, ctx)


async def daily_counts(
    session: AsyncSession, ctx: AuthContext, where: AuditFilter, days: int, today: datetime | None = None
) -> list[tuple[str, int]]:
    """(UTC day, number of changes) for the last `days` days, oldest first, days without changes as 0."""
    last = (today or clock.now()).date()
    since = datetime.combine(last - timedelta(days=days - 1), datetime.min.time(), tzinfo=UTC)
    counts = await repository.count_by_day(session, ctx, where, since)
    return [(day.isoformat(), counts.get(day.isoformat(), 0)) for day in days_ending(last, days)]
