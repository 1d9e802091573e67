"""SQL for portal sign-in links. Opening a link knows only its token, so `spend` and `find` look a link up
by the token's hash alone (in any account); `add` is scoped to the caller's account."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from perks.affiliate.portal_links.models import PortalLink


async def add(session: AsyncSession, link: PortalLink) -> None:
    session.add(link)
    await session.flush()


async def spend(session: AsyncSession, token_hash: str, now: datetime) -> tuple[str, str] | None:
    """Mark an unused, unexpired link used, in one conditional UPDATE (two tabs opening it at once: one
    wins); the (account, affiliate) it signs in, or None."""
    spent = await session.execute(
        update(PortalLink)
        .where(
            PortalLink.token_hash == token_hash,
            PortalLink.used_at.is_(None),
            PortalLink.expires_at > now,
        )
        .values(used_at=now)
        .returning(PortalLink.account_id, PortalLink.affiliate_id)
    )
    row = spent.first()
    return None if row is None else (row[0], row[1])


async def find(session: AsyncSession, token_hash: str) -> PortalLink | None:
    """The link whatever its state (to say why it cannot be used)."""
    return await session.scalar(select(PortalLink).where(PortalLink.token_hash == token_hash))
