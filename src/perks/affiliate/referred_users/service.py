"""Referred users: customers an affiliate brought in, addressed by email (one record per email in an
account). Deleting one deletes the commissions that name its email."""

from __future__ import annotations

from typing import Any, TypedDict

from sqlalchemy.ext.asyncio import AsyncSession

from perks.affiliate.affiliates import service as affiliates
from perks.affiliate.affiliates.models import Affiliate
from perks.affiliate.commissions import service as commissions
from perks.affiliate.listing import ListFilters, filtered_page
from perks.affiliate.referred_users import repository
from perks.affiliate.referred_users.models import Referral, ReferredUser
from perks.affiliate.referred_users.rendering import referred_user_out
from perks.affiliate.referred_users.schemas import (
    NULLABLE_ON_UPDATE,
    ReferredUserCreate,
    ReferredUserUpdate,
)
from perks.affiliate.wire import apply, changes_of, email_key, payload
from perks.db.writes import guarded
from perks.errors import NotFound, Unprocessable
from perks.kit.keyset import Keyset, KeysetPage
from perks.kit.pagination import PageResult
from perks.outbox import service as outbox
from perks.sql import Runner
from perks.tenancy import service as tenancy
from perks.tenancy.context import AuthContext

SORTABLE = {
    "createdAt": ReferredUser.created_at,
    "updatedAt": ReferredUser.updated_at,
    "referredTo": ReferredUser.email_key,
    "amount": ReferredUser.amount,
    "status": ReferredUser.status,
}
NOT_FOUND = "Referred user not found"
DUPLICATE = "A referred user with this email already exists"


class ReferralWebhook(TypedDict):
    """referral.created: the referred user as the API shows it (ReferredUserOut's JSON)."""

    id: str
    referredTo: str
    affiliateId: str
    workspaceId: str
    campaignId: str
    amount: str
    adminEarnedAmount: str
    status: str
    payoutDate: str | None
    name: str | None
    remarks: str | None
    isSelfReferral: bool
    invoiceId: str | None
    stripeCustomerId: str | None
    stripeSubscriptionId: str | None
    createdAt: str
    updatedAt: str


async def list_referred_users(session: AsyncSession, ctx: AuthContext, filters: ListFilters) -> PageResult:
    return await filtered_page(session, ctx, repository.referred_users(ctx), ReferredUser, filters, SORTABLE)


async def page_of_affiliate(
    session: AsyncSession, ctx: AuthContext, affiliate_id: str, keyset: Keyset
) -> KeysetPage[ReferredUser]:
    return await repository.page_of_affiliate(session, ctx, affiliate_id, keyset)


async def get_referred_user(session: AsyncSession, ctx: AuthContext, email: str) -> ReferredUser:
    referred = await repository.by_email(session, ctx, email)
    if referred is None:
        raise NotFound(NOT_FOUND)
    return referred


async def find_referred_user(session: AsyncSession, ctx: AuthContext, email: str) -> ReferredUser | None:
    return await repository.by_email(session, ctx, email)


async def referral_of(
    runner: Runner, ctx: AuthContext, *, email: str | None = None, external_id: str | None = None
) -> Referral | None:
    """The referred customer a sale names (by email, else by the external id given at sign-up), with its
    affiliate's status and its campaign's terms, in one read through the sale's runner (perks.sql)."""
    return await repository.read_referral(runner, ctx, email=email, external_id=external_id)


async def create_referred_user(
    session: AsyncSession, ctx: AuthContext, body: ReferredUserCreate, extra: dict[str, Any] | None = None
) -> ReferredUser:
    """`extra`: columns the API body does not carry (tracked sign-ups: external_id, click_id)."""
    fields = body.model_dump(exclude={"workspace_id"}, by_alias=False) | (extra or {})
    referred = ReferredUser(account_id=ctx.account_id, email_key=email_key(body.referred_to))
    await _place(session, ctx, referred, fields, body.workspace_id)
    async with guarded(session, Unprocessable(DUPLICATE)):
        await repository.add(session, referred)
    outbox.emit(session, ctx, "referral.created", payload(referred_user_out(referred), ReferralWebhook))
    return referred


async def update_referred_user(
    session: AsyncSession, ctx: AuthContext, email: str, body: ReferredUserUpdate
) -> ReferredUser:
    referred = await get_referred_user(session, ctx, email)
    changes = changes_of(body, NULLABLE_ON_UPDATE)
    workspace_id = changes.pop("workspace_id", None)
    if "referred_to" in changes:
        changes["email_key"] = email_key(changes["referred_to"])
    if {"affiliate_id", "campaign_id"} & changes.keys() or workspace_id:
        changes.setdefault("affiliate_id", referred.affiliate_id)
        if changes["affiliate_id"] == referred.affiliate_id:
            changes.setdefault("campaign_id", referred.campaign_id)
        await _place(session, ctx, referred, changes, workspace_id)
    else:
        apply(referred, changes)
    async with guarded(session, Unprocessable(DUPLICATE)):
        await session.flush()
    await session.refresh(referred)
    return referred


async def delete_referred_user(session: AsyncSession, ctx: AuthContext, email: str) -> None:
    referred = await get_referred_user(session, ctx, email)
    await commissions.delete_for_referred_user(session, ctx, referred.referred_to)
    await repository.delete_referred(session, ctx, referred)


async def _place(
    session: AsyncSession,
    ctx: AuthContext,
    referred: ReferredUser,
    fields: dict[str, Any],
    workspace_id: str | None,
) -> None:
    """Set `fields` on `referred`, binding it to its affiliate and a campaign of the affiliate's
    workspace (the affiliate's own campaign unless one is named)."""
    affiliate: Affiliate = await affiliates.get_affiliate(session, ctx, fields["affiliate_id"])
    if workspace_id and workspace_id != affiliate.workspace_id:
        await tenancy.resolve_workspace(session, ctx, workspace_id)
        raise Unprocessable("The affiliate does not belong to this workspace")
    campaign = await commissions.campaign_of(session, ctx, affiliate, fields.get("campaign_id"))
    apply(referred, fields | {"campaign_id": campaign.id, "workspace_id": affiliate.workspace_id})
