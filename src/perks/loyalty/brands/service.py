"""Brands: plain named records; rewards and campaigns point at one, or at none (global)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from perks.errors import invalid, or_not_found
from perks.kit.keyset import Keyset, KeysetPage
from perks.loyalty.brands import repository
from perks.loyalty.brands.models import Brand
from perks.loyalty.brands.schemas import BrandWrite
from perks.tenancy.context import AuthContext


async def list_brands(session: AsyncSession, ctx: AuthContext) -> Sequence[Brand]:
    return await repository.list_brands(session, ctx)


async def page_brands(
    session: AsyncSession, ctx: AuthContext, search: str, keyset: Keyset
) -> KeysetPage[Brand]:
    return await repository.page_brands(session, ctx, search.strip(), keyset)


async def get_brand(session: AsyncSession, ctx: AuthContext, brand_id: str) -> Brand:
    return or_not_found(await repository.get(session, ctx, brand_id), "Brand not found")


async def require_brand(session: AsyncSession, ctx: AuthContext, brand_id: str | None) -> None:
    """A `brand_id` field must name one of the caller's brands (null means global)."""
    if brand_id is not None and await repository.get(session, ctx, brand_id) is None:
        raise invalid("brand_id", "no brand with this id in your account")


async def create_brand(session: AsyncSession, ctx: AuthContext, body: BrandWrite) -> Brand:
    brand = Brand(account_id=ctx.account_id)
    _apply(brand, body)
    await repository.add(session, brand)
    return brand


async def update_brand(session: AsyncSession, ctx: AuthContext, brand_id: str, body: BrandWrite) -> Brand:
    brand = await get_brand(session, ctx, brand_id)
    _apply(brand, body)
    await session.flush()
    return brand


async def delete_brand(session: AsyncSession, ctx: AuthContext, brand_id: str) -> None:
    await get_brand(session, ctx, brand_id)
    await repository.delete_brand(session, ctx, brand_id)


def _apply(brand: Brand, body: BrandWrite) -> None:
    brand.name = body.name
    brand.description = body.description
    brand.meta = body.metadata
