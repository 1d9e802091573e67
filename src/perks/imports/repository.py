"""SQL of import keys."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from perks.db import insert_for
from perks.imports.models import ImportKey
from perks.kit import clock
from perks.tenancy.context import AuthContext


async def claim_keys(
    session: AsyncSession, ctx: AuthContext, kind: str, keys: Sequence[str], job_id: str
) -> set[str]:
    """INSERT .. ON CONFLICT DO NOTHING RETURNING: the keys that were not there yet."""
    if not keys:
        return set()
    now = clock.now()
    rows = [
        {"account_id": ctx.account_id, "kind": kind, "key": key, "job_id": job_id, "created_at": now}
        for key in dict.fromkeys(keys)
    ]
    inserted = await session.scalars(
        insert_for(session)(ImportKey).values(rows).on_conflict_do_nothing().returning(ImportKey.key)
    )
    return set(inserted.all())
