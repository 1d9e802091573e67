"""What the affiliate repositories still import while they move to perks.db.writes (removed then)."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from perks.affiliate.wire import email_key
from perks.db.writes import delete_owned
from perks.tenancy.context import AuthContext

__all__ = ["delete_row", "email_key"]


async def delete_row(session: AsyncSession, ctx: AuthContext, row: Any) -> None:
    await delete_owned(session, ctx, type(row), row.id)
    session.expunge(row)
