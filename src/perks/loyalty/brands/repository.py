"""SQL for brands, always scoped to the caller's account."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from perks.loyalty.brands.models import Brand
from perks.loyalty.records import delete_or_conflict
from perks.tenancy.context import AuthContext


def brands(ctx: AuthContext) -> Select[Brand]:
    return select(Brand).where(Brand.account_id == ctx.account_id)


async def list_brands(session: AsyncSession, ctx: AuthContext) -> Sequence[Brand]:
    return (await session.scalars(brands(ctx).order_by(Brand.created_at, Brand.id))).all()


async def get(session: AsyncSession, ctx: AuthContext, brand_id: str) -> Brand | None:
    return await session.scalar(brands(ctx).where(Brand.id == brand_id))


async def add(session: AsyncSession, brand: Brand) -> None:
    session.add(brand)
    await session.flush()


async def delete_brand(session: AsyncSession, ctx: AuthContext, brand_id: str) -> None:
    # The composite foreign keys from rewards and campaigns refuse the delete while either uses the brand.
    await delete_or_conflict(
        session,
        ctx,
        Brand,
        brand_id,
        "Brand in use",
        "A campaign or reward uses this brand; it cannot be deleted",
    )
