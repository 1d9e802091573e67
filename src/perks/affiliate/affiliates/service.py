"""Affiliates: people who promote a campaign. Emails are unique per workspace."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from perks.affiliate.affiliates import repository
from perks.affiliate.affiliates.models import Affiliate
from perks.affiliate.affiliates.schemas import (
    NULLABLE_ON_UPDATE,
    AffiliateCreate,
    AffiliateOut,
    AffiliateUpdate,
)
from perks.affiliate.campaigns import service as campaigns
from perks.affiliate.common import apply, changes_of, email_key, integrity_or_422, payload
from perks.errors import NotFound, Unprocessable
from perks.kit.pagination import PageRequest, PageResult, paginate
from perks.outbox import service as outbox
from perks.tenancy import service as tenancy
from perks.tenancy.context import AuthContext

SORTABLE = {
    "createdAt": Affiliate.created_at,
    "updatedAt": Affiliate.updated_at,
    "email": Affiliate.email_key,
    "firstName": Affiliate.first_name,
    "lastName": Affiliate.last_name,
    "status": Affiliate.status,
}
NOT_FOUND = "Affiliate not found"
DUPLICATE_EMAIL = "An affiliate with this email already exists in this workspace"


def out(affiliate: Affiliate) -> AffiliateOut:
    return AffiliateOut.model_validate(affiliate, from_attributes=True)


async def list_affiliates(
    session: AsyncSession,
    ctx: AuthContext,
    page: PageRequest,
    *,
    workspace_id: str | None = None,
    campaign_id: str | None = None,
    status: str | None = None,
    contains: str | None = None,
) -> PageResult:
    statement = repository.affiliates(ctx)
    if workspace_id:
        workspace = await tenancy.resolve_workspace(session, ctx, workspace_id)
        statement = statement.where(Affiliate.workspace_id == workspace.id)
    if campaign_id:
        statement = statement.where(Affiliate.campaign_id == campaign_id)
    if status:
        statement = statement.where(Affiliate.status == status)
    if contains and contains.strip():
        statement = repository.containing(statement, contains.strip())
    return await paginate(session, statement, page, SORTABLE, Affiliate.id)


async def get_affiliate(session: AsyncSession, ctx: AuthContext, affiliate_id: str) -> Affiliate:
    affiliate = await repository.get(session, ctx, affiliate_id)
    if affiliate is None:
        raise NotFound(NOT_FOUND)
    return affiliate


async def create_affiliate(session: AsyncSession, ctx: AuthContext, body: AffiliateCreate) -> Affiliate:
    campaign = await campaigns.campaign_for_new_member(session, ctx, body.campaign_id, body.workspace_id)
    affiliate = Affiliate(
        account_id=ctx.account_id,
        workspace_id=campaign.workspace_id,
        campaign_id=campaign.id,
        email=body.email,
        email_key=email_key(body.email),
        first_name=body.first_name,
        last_name=body.last_name,
        notes=body.notes,
        status="pending" if campaign.requires_approval_to_join else "active",
        payout_email=body.payout_email,
        payout_method=body.payout_method,
        ip_address=body.ip_address,
    )
    async with integrity_or_422(session, DUPLICATE_EMAIL):
        await repository.add(session, affiliate)
    outbox.emit(session, ctx, "affiliate.created", payload(out(affiliate)))
    return affiliate


async def update_affiliate(
    session: AsyncSession, ctx: AuthContext, affiliate_id: str, body: AffiliateUpdate
) -> Affiliate:
    affiliate = await get_affiliate(session, ctx, affiliate_id)
    changes = changes_of(body, NULLABLE_ON_UPDATE)
    is_active = changes.pop("is_active", None)
    if is_active is not None:
        changes["status"] = "active" if is_active else "inactive"
    if "email" in changes:
        changes["email_key"] = email_key(changes["email"])
    if "campaign_id" in changes:
        campaign = await campaigns.get_campaign(session, ctx, changes["campaign_id"])
        if campaign.workspace_id != affiliate.workspace_id:
            raise Unprocessable("The campaign does not belong to the affiliate's workspace")
    async with integrity_or_422(session, DUPLICATE_EMAIL):
        apply(affiliate, changes)
        await session.flush()
    await session.refresh(affiliate)
    outbox.emit(session, ctx, "affiliate.updated", payload(out(affiliate)))
    return affiliate


async def delete_affiliate(session: AsyncSession, ctx: AuthContext, affiliate_id: str) -> None:
    """Hard delete, in the request's one transaction: the affiliate, its links, referred users,
    commissions (and payout history) all go."""
    affiliate = await get_affiliate(session, ctx, affiliate_id)
    await repository.delete_affiliate(session, ctx, affiliate)
    outbox.emit(session, ctx, "affiliate.deleted", {"id": affiliate_id})
