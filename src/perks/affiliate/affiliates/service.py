"""Affiliates: people who promote a campaign. Emails are unique per workspace."""

from __future__ import annotations

from typing import TypedDict

from sqlalchemy.ext.asyncio import AsyncSession

from perks.affiliate.affiliates import repository
from perks.affiliate.affiliates.models import Affiliate, AffiliateStatus
from perks.affiliate.affiliates.rendering import affiliate_out
from perks.affiliate.affiliates.repository import AffiliateFilter, Partner
from perks.affiliate.affiliates.schemas import (
    NULLABLE_ON_UPDATE,
    AffiliateCreate,
    AffiliateUpdate,
    JoinRequest,
    PayoutDetails,
)
from perks.affiliate.campaigns import service as campaigns
from perks.affiliate.wire import apply, changes_of, email_key, payload
from perks.db.writes import guarded
from perks.errors import NotFound, Unprocessable, invalid
from perks.kit import clock
from perks.kit.keyset import Keyset, KeysetPage
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
CLOSED_TO_SIGN_UPS = "This program does not take sign-ups here"
# One email may be a partner of several programs (accounts, workspaces): a sign-in request by email sends
# a link for each, up to this many.
SIGN_IN_PROGRAMS_MAX = 5
DUPLICATE_EMAIL = "An affiliate with this email already exists in this workspace"


class AffiliateWebhook(TypedDict):
    """affiliate.created, affiliate.updated: the affiliate as the API shows it (AffiliateOut's JSON)."""

    id: str
    email: str
    firstName: str
    lastName: str
    notes: str
    status: str
    workspaceId: str
    campaignId: str
    payoutEmail: str | None
    payoutMethod: str | None
    payoutReference: str | None
    ipAddress: str | None
    createdAt: str
    updatedAt: str


class AffiliateDeletedWebhook(TypedDict):
    """affiliate.deleted."""

    id: str


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
        status=AffiliateStatus.PENDING if campaign.requires_approval_to_join else AffiliateStatus.ACTIVE,
        payout_email=body.payout_email,
        payout_method=body.payout_method,
        ip_address=body.ip_address,
    )
    async with guarded(session, Unprocessable(DUPLICATE_EMAIL)):
        await repository.add(session, affiliate)
    outbox.emit(session, ctx, "affiliate.created", payload(affiliate_out(affiliate), AffiliateWebhook))
    return affiliate


async def update_affiliate(
    session: AsyncSession, ctx: AuthContext, affiliate_id: str, body: AffiliateUpdate
) -> Affiliate:
    affiliate = await get_affiliate(session, ctx, affiliate_id)
    changes = changes_of(body, NULLABLE_ON_UPDATE)
    is_active = changes.pop("is_active", None)
    if is_active is not None:
        changes["status"] = AffiliateStatus.ACTIVE if is_active else AffiliateStatus.INACTIVE
    if "email" in changes:
        changes["email_key"] = email_key(changes["email"])
    if "campaign_id" in changes:
        campaign = await campaigns.get_campaign(session, ctx, changes["campaign_id"])
        if campaign.workspace_id != affiliate.workspace_id:
            raise Unprocessable("The campaign does not belong to the affiliate's workspace")
    async with guarded(session, Unprocessable(DUPLICATE_EMAIL)):
        apply(affiliate, changes)
        await session.flush()
    await session.refresh(affiliate)
    outbox.emit(session, ctx, "affiliate.updated", payload(affiliate_out(affiliate), AffiliateWebhook))
    return affiliate


async def delete_affiliate(session: AsyncSession, ctx: AuthContext, affiliate_id: str) -> None:
    """Hard delete, in the request's one transaction: the affiliate, its links, referred users,
    commissions (and payout history) all go."""
    affiliate = await get_affiliate(session, ctx, affiliate_id)
    await repository.delete_affiliate(session, ctx, affiliate)
    outbox.emit(session, ctx, "affiliate.deleted", AffiliateDeletedWebhook(id=affiliate_id))


async def page_affiliates(
    session: AsyncSession, ctx: AuthContext, where: AffiliateFilter, keyset: Keyset
) -> KeysetPage[Affiliate]:
    """A workspace's affiliates for the console: search in email and names, by status and campaign."""
    cleaned = AffiliateFilter(where.workspace_id, where.search.strip(), where.status, where.campaign_id)
    return await repository.page(session, ctx, cleaned, keyset)


async def affiliates_by_id(session: AsyncSession, ctx: AuthContext, ids: set[str]) -> dict[str, Affiliate]:
    return await repository.by_ids(session, ctx, ids)


async def count_pending(session: AsyncSession, ctx: AuthContext, workspace_id: str) -> int:
    return await repository.count_with_status(session, ctx, workspace_id, AffiliateStatus.PENDING)


async def set_active(session: AsyncSession, ctx: AuthContext, affiliate_id: str, active: bool) -> Affiliate:
    """Approve or enable (active), decline or disable (inactive): the API's `isActive`."""
    return await update_affiliate(session, ctx, affiliate_id, AffiliateUpdate(is_active=active))


async def update_payout_details(
    session: AsyncSession, ctx: AuthContext, affiliate_id: str, details: PayoutDetails
) -> Affiliate:
    """What the partner fills in on the portal; the payout export pays by it."""
    if details.payout_method == "BANK" and not details.payout_reference:
        raise invalid("payoutReference", "a bank transfer needs the account to pay, such as an IBAN")
    change = AffiliateUpdate(
        payout_method=None if details.payout_method == "BANK" else details.payout_method,
        payout_email=details.payout_email,
        payout_reference=details.payout_reference,
    )
    return await update_affiliate(session, ctx, affiliate_id, change)


async def join(
    session: AsyncSession, ctx: AuthContext, workspace_id: str, campaign_id: str, body: JoinRequest
) -> Affiliate:
    """A partner's own sign-up on a campaign open to it: active at once, or pending when the campaign
    requires approval (the rule of every new affiliate)."""
    campaign = await campaigns.get_campaign(session, ctx, campaign_id)
    if campaign.workspace_id != workspace_id or not campaign.allows_self_signup:
        raise NotFound(CLOSED_TO_SIGN_UPS, title="No sign-ups here")
    if campaign.collect_additional_info and not body.notes.strip():
        raise invalid("notes", "please tell the program how you will promote it")
    created = AffiliateCreate(
        email=body.email,
        first_name=body.first_name,
        last_name=body.last_name,
        notes=body.notes.strip(),
        campaign_id=campaign.id,
    )
    return await create_affiliate(session, ctx, created)


async def signed_in(session: AsyncSession, token_hash: str) -> Partner | None:
    """The active affiliate behind a portal session cookie's hash."""
    return await repository.signed_in(session, token_hash, clock.now())


async def active_with_email(session: AsyncSession, email: str) -> list[Affiliate]:
    """The active partners with this email, in any account (a sign-in request by email names none)."""
    return await repository.with_email(session, email_key(email), SIGN_IN_PROGRAMS_MAX)
