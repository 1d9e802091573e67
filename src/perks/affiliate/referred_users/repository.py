"""SQL for referred users; every statement is scoped to the caller's account."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from sqlalchemy import Select, and_, bindparam
from sqlalchemy.ext.asyncio import AsyncSession

from perks.affiliate.affiliates.models import Affiliate
from perks.affiliate.campaigns.models import AffiliateCampaign
from perks.affiliate.referred_users.models import Referral, ReferredUser
from perks.affiliate.wire import email_key
from perks.db.base import table_of
from perks.db.writes import delete_owned
from perks.kit.keyset import Keyset, KeysetPage, keyset_page
from perks.sql import Runner, Statement, statement
from perks.tenancy import scoped
from perks.tenancy.context import AuthContext


def referred_users(ctx: AuthContext) -> Select[ReferredUser]:
    """The caller's referred users: the statement the service's published list filters and pages."""
    return scoped.select(ctx, ReferredUser)


async def page_of_affiliate(
    session: AsyncSession, ctx: AuthContext, affiliate_id: str, keyset: Keyset
) -> KeysetPage[ReferredUser]:
    """Newest first, on the account-affiliate-created index."""
    statement = scoped.select(ctx, ReferredUser).where(ReferredUser.affiliate_id == affiliate_id)
    order = (ReferredUser.created_at, ReferredUser.id)
    return await keyset_page(session, statement, order, keyset, descending=True)


async def by_email(session: AsyncSession, ctx: AuthContext, email: str) -> ReferredUser | None:
    return await session.scalar(
        scoped.select(ctx, ReferredUser).where(ReferredUser.email_key == email_key(email))
    )


async def add(session: AsyncSession, referred: ReferredUser) -> None:
    session.add(referred)
    await session.flush()


async def delete_referred(session: AsyncSession, ctx: AuthContext, referred: ReferredUser) -> None:
    await delete_owned(session, ctx, ReferredUser, referred.id)
    session.expunge(referred)  # gone: the session must not write it back


# Core statements of the sale path (perks.sql).


_REFERRED = table_of(ReferredUser)
_AFFILIATES = table_of(Affiliate)
_CAMPAIGNS = table_of(AffiliateCampaign)


def _referral(by_email: bool) -> Statement:
    """The referred customer by email key, or the first sign-up bound with an external id, with its
    affiliate and campaign (outer joins, each scoped to the account)."""

    def build() -> Any:
        referred, affiliates, campaigns = _REFERRED, _AFFILIATES, _CAMPAIGNS
        account = scoped.bound()
        query = (
            scoped.select(
                account,
                referred,
                referred.c.id,
                referred.c.workspace_id,
                referred.c.affiliate_id,
                referred.c.campaign_id,
                referred.c.referred_to,
                referred.c.email_key,
                referred.c.external_id,
                referred.c.is_self_referral,
                affiliates.c.status,
                campaigns.c.commission_type,
                campaigns.c.amount,
                campaigns.c.payout_term,
                campaigns.c.id,
            )
            .select_from(referred)
            .outerjoin(
                affiliates,
                and_(scoped.owned(affiliates, account), affiliates.c.id == referred.c.affiliate_id),
            )
            .outerjoin(
                campaigns, and_(scoped.owned(campaigns, account), campaigns.c.id == referred.c.campaign_id)
            )
        )
        if by_email:
            return query.where(referred.c.email_key == bindparam("key"))
        return (
            query.where(referred.c.external_id == bindparam("key"))
            .order_by(referred.c.created_at, referred.c.id)
            .limit(1)
        )

    return statement(build)


_REFERRAL_FIELDS = [field.name for field in fields(Referral)][:-1]  # the columns selected, in order
_BY_EMAIL = _referral(by_email=True)
_BY_EXTERNAL_ID = _referral(by_email=False)


async def read_referral(
    runner: Runner, ctx: AuthContext, *, email: str | None = None, external_id: str | None = None
) -> Referral | None:
    """by_email, or the first sign-up bound with `external_id` when no email is given, with what a sale
    needs, through a runner."""
    query, key = (_BY_EMAIL, email_key(email)) if email else (_BY_EXTERNAL_ID, external_id)
    row = await runner.first(query, {"account_id": ctx.account_id, "key": key})
    if row is None:
        return None
    values = dict(zip(_REFERRAL_FIELDS, row[:-1], strict=True))
    return Referral(**values, campaign_found=row[-1] is not None)  # the last column: the campaign's id
