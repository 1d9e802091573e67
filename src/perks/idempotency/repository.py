from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from perks.db.database import insert_for
from perks.idempotency.models import IdempotencyRecord
from perks.kit.ids import new_id
from perks.tenancy import scoped
from perks.tenancy.context import AuthContext


async def claim(
    session: AsyncSession,
    ctx: AuthContext,
    key: str,
    request_hash: str,
    now: datetime,
    expired_before: datetime,
) -> str | None:
    """Insert the key, or take over an expired record; the record id if this request owns the key now.

    One statement with ON CONFLICT: a concurrent request with the same key waits on the unique index
    until the owner commits, then finds the stored response (DESIGN rule 3)."""
    table = IdempotencyRecord.__table__
    insert = insert_for(session)(table).values(
        id=new_id(),
        account_id=ctx.account_id,
        idempotency_key=key,
        request_hash=request_hash,
        created_at=now,
    )
    statement = insert.on_conflict_do_update(
        index_elements=[table.c.account_id, table.c.idempotency_key],
        set_={
            "request_hash": insert.excluded.request_hash,
            "created_at": insert.excluded.created_at,
            "status_code": None,
            "response_body": None,
        },
        where=table.c.created_at < expired_before,
    ).returning(table.c.id)
    return (await session.execute(statement)).scalar_one_or_none()


async def find(session: AsyncSession, ctx: AuthContext, key: str) -> IdempotencyRecord | None:
    return await session.scalar(
        scoped.select(ctx, IdempotencyRecord).where(IdempotencyRecord.idempotency_key == key)
    )


async def store_response(session: AsyncSession, record_id: str, status_code: int, body: str) -> None:
    await session.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.id == record_id)
        .values(status_code=status_code, response_body=body)
    )


async def delete_record(session: AsyncSession, record_id: str) -> None:
    await session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == record_id))
