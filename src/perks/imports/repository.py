"""SQL of import keys."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from perks.db.database import insert_for
from perks.imports.models import ImportKey
from perks.kit import clock
from perks.tenancy import scoped
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
    # Parameters, not VALUES literals: the statement compiles once, whatever the batch's size.
    inserted = await session.scalars(
        insert_for(session)(ImportKey).on_conflict_do_nothing().returning(ImportKey.key), rows
    )
    return set(inserted.all())


async def claimed_keys(session: AsyncSession, ctx: AuthContext, kind: str, keys: Sequence[str]) -> set[str]:
    """Which of `keys` were claimed already (read only: nothing is claimed)."""
    if not keys:
        return set()
    found = await session.scalars(
        scoped.select(ctx, ImportKey, ImportKey.key).where(
            ImportKey.kind == kind, ImportKey.key.in_(set(keys))
        )
    )
    return set(found.all())
