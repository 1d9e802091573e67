"""SQL for brands, always scoped to the caller's account."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession

from perks.db.writes import delete_owned
from perks.errors import Conflict
from perks.kit.keyset import Keyset, KeysetPage, keyset_page
from perks.loyalty.brands.models import Brand
from perks.tenancy import scoped
from perks.tenancy.context import AuthContext


async def list_brands(session: AsyncSession, ctx: AuthContext) -> Sequence[Brand]:
    return (await session.scalars(scoped.select(ctx, Brand).order_by(Brand.created_at, Brand.id))).all()


async def page_brands(
    session: AsyncSession, ctx: AuthContext, search: str, keyset: Keyset
) -> KeysetPage[Brand]:
    """Newest first (on the account's created_at index), optionally those whose name contains `search`."""
    statement = scoped.select(ctx, Brand)
    if search:
        statement = statement.where(func.lower(Brand.name).contains(search.lower(), autoescape=True))
    return await keyset_page(session, statement, (Brand.created_at, Brand.id), keyset, descending=True)


async def get(session: AsyncSession, ctx: AuthContext, brand_id: str) -> Brand | None:
    return await session.scalar(scoped.select(ctx, Brand).where(Brand.id == brand_id))


async def add(session: AsyncSession, brand: Brand) -> None:
    session.add(brand)
    await session.flush()


async def delete_brand(session: AsyncSession, ctx: AuthContext, brand_id: str) -> None:
    # The composite foreign keys from rewards and campaigns refuse the delete while either uses the brand.
    in_use = Conflict("A campaign or reward uses this brand; it cannot be deleted", title="Brand in use")
    await delete_owned(session, ctx, Brand, brand_id, in_use)
