"""SQL of one-time codes, scoped to the caller's account; every change is one conditional statement."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_
from sqlalchemy.ext.asyncio import AsyncSession

from perks.db.database import insert_for
from perks.kit.ids import new_id
from perks.loyalty.one_time_codes.models import OneTimeCode
from perks.tenancy import scoped
from perks.tenancy.context import AuthContext


async def claim(
    session: AsyncSession,
    ctx: AuthContext,
    code_hash: str,
    *,
    customer_id: str,
    metadata: dict[str, Any],
    now: datetime,
    expires_at: datetime,
) -> bool:
    """Store the code unless it is live in this account: a used or expired row with the same value is
    taken over in the same statement, so two callers can never both hold one live code."""
    values = {
        "customer_id": customer_id,
        "metadata": metadata,
        "created_at": now,
        "expires_at": expires_at,
        "used_at": None,
    }
    insert = insert_for(session)(OneTimeCode)
    statement = (
        insert.values(id=new_id(), account_id=ctx.account_id, code_hash=code_hash, **values)
        .on_conflict_do_update(
            index_elements=[OneTimeCode.account_id, OneTimeCode.code_hash],
            set_=values,
            where=or_(OneTimeCode.used_at.is_not(None), OneTimeCode.expires_at <= now),
        )
        .returning(OneTimeCode.id)
    )
    return await session.scalar(statement) is not None


async def consume(
    session: AsyncSession, ctx: AuthContext, code_hash: str, now: datetime
) -> tuple[str, dict[str, Any]] | None:
    """Mark a live code used and return its customer and metadata; None if no live code matches."""
    statement = (
        scoped.update(ctx, OneTimeCode)
        .where(
            OneTimeCode.code_hash == code_hash,
            OneTimeCode.used_at.is_(None),
            OneTimeCode.expires_at > now,
        )
        .values(used_at=now)
        .returning(OneTimeCode.customer_id, OneTimeCode.metadata_)
    )
    row = (await session.execute(statement)).first()
    return None if row is None else (row[0], row[1])


async def find(session: AsyncSession, ctx: AuthContext, code_hash: str) -> OneTimeCode | None:
    statement = scoped.select(ctx, OneTimeCode).where(OneTimeCode.code_hash == code_hash)
    return await session.scalar(statement)
