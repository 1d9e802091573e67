"""What the catalog repositories still import while they move to perks.db.writes and perks.kit.pagination
(removed once they have)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from perks.db.writes import delete_owned, guarded
from perks.errors import Conflict
from perks.kit.pagination import Slice as Window
from perks.kit.pagination import count
from perks.tenancy.context import AuthContext

__all__ = ["Window", "count", "delete_or_conflict", "flush_or_conflict"]


async def delete_or_conflict(
    session: AsyncSession, ctx: AuthContext, model: Any, row_id: str, title: str, details: str
) -> None:
    await delete_owned(session, ctx, model, row_id, Conflict(details, title=title))


async def flush_or_conflict(session: AsyncSession, title: str, details: str) -> None:
    async with guarded(session, Conflict(details, title=title)):
        await session.flush()
