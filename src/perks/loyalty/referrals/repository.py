"""SQL of referral codes and referrals, scoped to the caller's account. Every counter and claim is one
conditional statement."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from perks.db.base import table_of
from perks.db.database import insert_for
from perks.loyalty.customers.models import Customer
from perks.loyalty.referrals.models import Referral, ReferralCode
from perks.sql import Runner, in_list, listed, sized
from perks.tenancy.context import AuthContext


async def insert_code(session: AsyncSession, ctx: AuthContext, values: dict[str, Any]) -> bool:
    """Insert unless the customer already has a code for the campaign (or the code is taken): the unique
    indexes decide, so concurrent requests create one code."""
    inserted = await session.scalar(
        insert_for(session)(ReferralCode)
        .values(account_id=ctx.account_id, **values)
        .on_conflict_do_nothing()
        .returning(ReferralCode.id)
    )
    return inserted is not None


async def code_of(
    session: AsyncSession, ctx: AuthContext, customer_id: str, campaign_id: str
) -> ReferralCode | None:
    return await session.scalar(
        select(ReferralCode).where(
            ReferralCode.account_id == ctx.account_id,
            ReferralCode.customer_id == customer_id,
            ReferralCode.campaign_id == campaign_id,
        )
    )


async def find_code(session: AsyncSession, ctx: AuthContext, code: str) -> ReferralCode | None:
    return await session.scalar(
        select(ReferralCode).where(ReferralCode.account_id == ctx.account_id, ReferralCode.code == code)
    )


async def use_code(session: AsyncSession, ctx: AuthContext, code_id: str) -> bool:
    """One use more, unless the code has reached max_uses: one conditional UPDATE, race-free."""
    used = await session.scalar(
        update(ReferralCode)
        .where(
            ReferralCode.account_id == ctx.account_id,
            ReferralCode.id == code_id,
            or_(ReferralCode.max_uses.is_(None), ReferralCode.uses_count < ReferralCode.max_uses),
        )
        .values(uses_count=ReferralCode.uses_count + 1)
        .returning(ReferralCode.id)
        .execution_options(synchronize_session=False)
    )
    return used is not None


async def insert_referral(session: AsyncSession, ctx: AuthContext, values: dict[str, Any]) -> str | None:
    """The referral's id, or None when the referee was already referred (unique per referee)."""
    referral_id: str | None = await session.scalar(
        insert_for(session)(Referral)
        .values(account_id=ctx.account_id, **values)
        .on_conflict_do_nothing()
        .returning(Referral.id)
    )
    return referral_id


async def drop_referral(session: AsyncSession, ctx: AuthContext, referral_id: str) -> None:
    await session.execute(
        delete(Referral)
        .where(Referral.account_id == ctx.account_id, Referral.id == referral_id)
        .execution_options(synchronize_session=False)
    )


async def unrewarded_referral_of(session: AsyncSession, ctx: AuthContext, referee_id: str) -> Referral | None:
    return await session.scalar(
        select(Referral).where(
            Referral.account_id == ctx.account_id,
            Referral.referee_id == referee_id,
            Referral.referrer_rewarded_at.is_(None),
        )
    )


async def claim_referrer_reward(
    session: AsyncSession, ctx: AuthContext, referral_id: str, now: datetime
) -> bool:
    """Mark the referrer as rewarded for this referral; False when another request already did."""
    claimed = await session.scalar(
        update(Referral)
        .where(
            Referral.account_id == ctx.account_id,
            Referral.id == referral_id,
            Referral.referrer_rewarded_at.is_(None),
        )
        .values(referrer_rewarded_at=now)
        .returning(Referral.id)
        .execution_options(synchronize_session=False)
    )
    return claimed is not None


async def customer_by_id(session: AsyncSession, ctx: AuthContext, customer_id: str) -> Customer | None:
    """A customer by our internal id (the referrer of a code)."""
    return await session.scalar(
        select(Customer).where(Customer.account_id == ctx.account_id, Customer.id == customer_id)
    )


_REFERRALS = table_of(Referral)
_UNREWARDED = sized(
    lambda count: select(_REFERRALS.c.referee_id).where(
        _REFERRALS.c.account_id == bindparam("account_id"),
        in_list(_REFERRALS.c.referee_id, count, "id"),
        _REFERRALS.c.referrer_rewarded_at.is_(None),
    )
)


async def read_unrewarded_referees(
    runner: Runner, ctx: AuthContext, referee_ids: Collection[str]
) -> set[str]:
    """unrewarded_referees through a runner."""
    wanted = sorted(referee_ids)
    if not wanted:
        return set()
    values = {"account_id": ctx.account_id, **listed("id", wanted)}
    return set(await runner.scalars(_UNREWARDED(len(wanted)), values))
